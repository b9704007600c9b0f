//! The certificate as a PDF: an A4 landscape page a city would frame, drawn
//! with the PDF standard fonts (no font files to ship) and a vector QR code
//! of the public verification address.

use std::sync::OnceLock;

use printpdf::{
    BuiltinFont, Color, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rect, Rgb, TextItem,
};
use time::{Date, Month};

use crate::{Error, Result, domain::Locale, mail::templates::format_hours};

/// What the certificate says.
#[derive(Clone, Debug)]
pub struct CertificateText {
    pub holder_name: String,
    /// The holder's organisation, under their name, when the certificate names one.
    pub organisation: Option<String>,
    pub course_title: String,
    pub locale: Locale,
    pub completed_on: Date,
    pub duration_minutes: u32,
    pub issuer: String,
    pub code: String,
    pub verify_url: String,
}

const WIDTH: f32 = 297.0;
const HEIGHT: f32 = 210.0;

struct Words {
    heading: &'static str,
    certifies: &'static str,
    completed: &'static str,
    on: &'static str,
    study: &'static str,
    issued_by: &'static str,
    verify: &'static str,
    code: &'static str,
}

fn words(locale: Locale) -> Words {
    match locale {
        Locale::En => Words {
            heading: "Certificate of Completion",
            certifies: "This certifies that",
            completed: "has successfully completed the self-paced course",
            on: "Completed on",
            study: "of study",
            issued_by: "Issued by",
            verify: "Verify this certificate at",
            code: "Verification code",
        },
        Locale::Fr => Words {
            heading: "Certificat de réussite",
            certifies: "Nous certifions que",
            completed: "a suivi avec succès le cours en autonomie",
            on: "Terminé le",
            study: "d’étude",
            issued_by: "Délivré par",
            verify: "Vérifier ce certificat sur",
            code: "Code de vérification",
        },
        Locale::Es => Words {
            heading: "Certificado de finalización",
            certifies: "Se certifica que",
            completed: "ha completado con éxito el curso autoguiado",
            on: "Completado el",
            study: "de estudio",
            issued_by: "Expedido por",
            verify: "Verifique este certificado en",
            code: "Código de verificación",
        },
    }
}

/// "30 November 2026", "30 novembre 2026", "30 de noviembre de 2026".
pub fn format_date(locale: Locale, d: Date) -> String {
    let i = d.month() as usize - 1;
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const FR: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const ES: [&str; 12] = [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ];
    let _: Month = d.month();
    match locale {
        Locale::En => format!("{} {} {}", d.day(), EN[i], d.year()),
        Locale::Fr if d.day() == 1 => format!("1er {} {}", FR[i], d.year()),
        Locale::Fr => format!("{} {} {}", d.day(), FR[i], d.year()),
        Locale::Es => format!("{} de {} de {}", d.day(), ES[i], d.year()),
    }
}

/// Glyph advances of the standard fonts, parsed once.
fn metrics(font: BuiltinFont) -> &'static ParsedFont {
    static FONTS: OnceLock<Vec<(BuiltinFont, ParsedFont)>> = OnceLock::new();
    let all = FONTS.get_or_init(|| {
        [
            BuiltinFont::TimesRoman,
            BuiltinFont::TimesBold,
            BuiltinFont::TimesItalic,
            BuiltinFont::Helvetica,
            BuiltinFont::HelveticaBold,
            BuiltinFont::Courier,
        ]
        .into_iter()
        .filter_map(|f| f.get_parsed_font().map(|p| (f, p)))
        .collect()
    });
    &all.iter()
        .find(|(f, _)| *f == font)
        .or_else(|| all.first())
        .expect("printpdf ships the standard fonts")
        .1
}

/// The width of `text` in points.
fn text_width(font: BuiltinFont, size: f32, text: &str) -> f32 {
    let m = metrics(font);
    let units = f32::from(m.units_per_em.max(1));
    text.chars()
        .map(|c| {
            m.lookup_glyph_index(c as u32)
                .and_then(|g| m.get_glyph_width(g))
                .map(f32::from)
                .unwrap_or(units * 0.5)
        })
        .sum::<f32>()
        * size
        / units
}

/// The standard fonts speak WinAnsi (Latin-1 and a few more): other
/// characters would print as `?`, so letters with marks outside it lose the
/// marks rather than the letter.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}' | '\u{2013}' | '\u{2014}' => c,
            c if (c as u32) < 0x100 => c,
            'ā' | 'ă' | 'ą' | 'ǎ' | 'ạ' | 'ả' | 'ấ' | 'ầ' | 'ẩ' | 'ẫ' | 'ậ' | 'ắ' | 'ằ' | 'ẳ'
            | 'ẵ' | 'ặ' => 'a',
            'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' | 'ẹ' | 'ẻ' | 'ẽ' | 'ế' | 'ề' | 'ể' | 'ễ' | 'ệ' => {
                'e'
            }
            'ī' | 'ĭ' | 'į' | 'ı' | 'ǐ' | 'ị' | 'ỉ' | 'ĩ' => 'i',
            'ō' | 'ŏ' | 'ő' | 'ǒ' | 'ọ' | 'ỏ' | 'ố' | 'ồ' | 'ổ' | 'ỗ' | 'ộ' | 'ơ' | 'ớ' | 'ờ'
            | 'ở' | 'ỡ' | 'ợ' => 'o',
            'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'ǔ' | 'ụ' | 'ủ' | 'ũ' | 'ư' | 'ứ' | 'ừ' | 'ử' | 'ữ'
            | 'ự' => 'u',
            'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
            'ď' | 'đ' => 'd',
            'ğ' | 'ĝ' | 'ġ' | 'ģ' => 'g',
            'ł' | 'ĺ' | 'ļ' | 'ľ' => 'l',
            'ń' | 'ņ' | 'ň' => 'n',
            'ř' | 'ŕ' | 'ŗ' => 'r',
            'ś' | 'ŝ' | 'ş' | 'ș' => 's',
            'ţ' | 'ť' | 'ț' => 't',
            'ź' | 'ż' => 'z',
            'Ā' | 'Ă' | 'Ą' => 'A',
            'Ć' | 'Č' => 'C',
            'Đ' | 'Ď' => 'D',
            'Ē' | 'Ę' | 'Ě' => 'E',
            'Ł' => 'L',
            'Ń' | 'Ň' => 'N',
            'Ő' | 'Ō' => 'O',
            'Ř' => 'R',
            'Ś' | 'Ş' | 'Ș' => 'S',
            'Ţ' | 'Ț' => 'T',
            'Ū' | 'Ů' | 'Ű' => 'U',
            'Ź' | 'Ż' => 'Z',
            _ => '?',
        })
        .collect()
}

fn rgb(r: u8, g: u8, b: u8) -> Color {
    Color::Rgb(Rgb {
        r: f32::from(r) / 255.0,
        g: f32::from(g) / 255.0,
        b: f32::from(b) / 255.0,
        icc_profile: None,
    })
}

struct Page {
    ops: Vec<Op>,
}

impl Page {
    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, mode: PaintMode) {
        let mut r = Rect::from_xywh(Mm(x).into(), Mm(y).into(), Mm(w).into(), Mm(h).into());
        r.mode = Some(mode);
        self.ops.push(Op::DrawRectangle { rectangle: r });
    }

    fn fill(&mut self, color: Color) {
        self.ops.push(Op::SetFillColor { col: color });
    }

    fn stroke(&mut self, color: Color, width_pt: f32) {
        self.ops.push(Op::SetOutlineColor { col: color });
        self.ops.push(Op::SetOutlineThickness { pt: Pt(width_pt) });
    }

    fn text_at(&mut self, font: BuiltinFont, size: f32, x_mm: f32, y_mm: f32, text: &str) {
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::Builtin(font),
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point::new(Mm(x_mm), Mm(y_mm)),
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_owned())],
            },
            Op::EndTextSection,
        ]);
    }

    /// Centres `text` on `cx`, shrinking it until it fits in `max_w` mm.
    fn centred(&mut self, font: BuiltinFont, size: f32, cx: f32, y: f32, max_w: f32, text: &str) {
        let text = printable(text);
        let mut size = size;
        let mm = |pt: f32| pt * 25.4 / 72.0;
        while size > 8.0 && mm(text_width(font, size, &text)) > max_w {
            size -= 0.5;
        }
        let w = mm(text_width(font, size, &text));
        self.text_at(font, size, cx - w / 2.0, y, &text);
    }
}

/// Splits a long title into at most two balanced lines.
fn two_lines(font: BuiltinFont, size: f32, max_w_mm: f32, text: &str) -> Vec<String> {
    let mm = |pt: f32| pt * 25.4 / 72.0;
    if mm(text_width(font, size, text)) <= max_w_mm {
        return vec![text.to_owned()];
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let best = (1..words.len())
        .min_by_key(|&i| {
            let a = text_width(font, size, &words[..i].join(" "));
            let b = text_width(font, size, &words[i..].join(" "));
            (a - b).abs() as i64
        })
        .unwrap_or(1);
    vec![words[..best].join(" "), words[best..].join(" ")]
}

pub fn render(c: &CertificateText) -> Result<Vec<u8>> {
    let w = words(c.locale);
    let ink = rgb(0x1f, 0x2a, 0x30);
    let teal = rgb(0x1d, 0x5c, 0x63);
    let gold = rgb(0xb0, 0x8d, 0x3c);
    let muted = rgb(0x5b, 0x67, 0x70);
    let mut p = Page { ops: Vec::new() };
    let cx = WIDTH / 2.0;

    // Paper, a heavy outer frame and a fine gold inner rule.
    p.fill(rgb(0xfb, 0xf8, 0xf1));
    p.rect(0.0, 0.0, WIDTH, HEIGHT, PaintMode::Fill);
    p.stroke(teal.clone(), 5.0);
    p.rect(9.0, 9.0, WIDTH - 18.0, HEIGHT - 18.0, PaintMode::Stroke);
    p.stroke(gold.clone(), 0.8);
    p.rect(14.0, 14.0, WIDTH - 28.0, HEIGHT - 28.0, PaintMode::Stroke);
    // A band of colour at the top, with the name of the platform.
    p.fill(teal.clone());
    p.rect(cx - 22.0, HEIGHT - 14.5, 44.0, 9.0, PaintMode::Fill);
    p.fill(rgb(0xff, 0xff, 0xff));
    p.centred(
        BuiltinFont::HelveticaBold,
        11.0,
        cx,
        HEIGHT - 11.6,
        40.0,
        "A G O R A",
    );

    p.fill(teal.clone());
    p.centred(BuiltinFont::TimesBold, 34.0, cx, 160.0, 240.0, w.heading);
    p.fill(gold.clone());
    p.rect(cx - 30.0, 153.0, 60.0, 0.6, PaintMode::Fill);

    p.fill(muted.clone());
    p.centred(
        BuiltinFont::TimesItalic,
        15.0,
        cx,
        140.0,
        240.0,
        w.certifies,
    );
    p.fill(ink.clone());
    p.centred(
        BuiltinFont::TimesBold,
        32.0,
        cx,
        124.0,
        240.0,
        &c.holder_name,
    );
    p.fill(gold.clone());
    p.rect(cx - 80.0, 119.5, 160.0, 0.35, PaintMode::Fill);
    p.fill(muted.clone());
    // The organisation, small, between the name's rule and the next line;
    // without one the page is exactly as before.
    let completed_y = match c.organisation.as_deref().filter(|o| !o.trim().is_empty()) {
        Some(org) => {
            p.centred(
                BuiltinFont::Helvetica,
                10.0,
                cx,
                114.2,
                240.0,
                &printable(org),
            );
            107.8
        }
        None => 109.0,
    };
    p.centred(
        BuiltinFont::TimesItalic,
        15.0,
        cx,
        completed_y,
        240.0,
        w.completed,
    );

    p.fill(teal.clone());
    let title = printable(&c.course_title);
    let lines = two_lines(BuiltinFont::HelveticaBold, 21.0, 230.0, &title);
    let mut y = if lines.len() == 1 { 94.0 } else { 97.0 };
    for line in &lines {
        p.centred(BuiltinFont::HelveticaBold, 21.0, cx, y, 240.0, line);
        y -= 9.5;
    }

    p.fill(ink.clone());
    let details = format!(
        "{} {}   \u{00B7}   {} {}",
        w.on,
        format_date(c.locale, c.completed_on),
        format_hours(c.locale, c.duration_minutes),
        w.study
    );
    p.centred(BuiltinFont::TimesRoman, 13.0, cx, y - 4.5, 240.0, &details);

    // The issuer, over a signature line, bottom left.
    p.fill(ink.clone());
    p.rect(30.0, 45.0, 85.0, 0.4, PaintMode::Fill);
    p.centred(BuiltinFont::TimesBold, 13.0, 72.5, 38.0, 85.0, &c.issuer);
    p.fill(muted.clone());
    p.centred(BuiltinFont::Helvetica, 9.0, 72.5, 32.0, 85.0, w.issued_by);

    // Verification, bottom right: the QR code, the address and the code.
    let qr =
        qrcode::QrCode::with_error_correction_level(c.verify_url.as_bytes(), qrcode::EcLevel::M)
            .map_err(|e| Error::Internal(format!("QR code: {e}")))?;
    let n = qr.width();
    let size_mm = 30.0;
    let cell = size_mm / n as f32;
    let (qx, qy) = (WIDTH - 30.0 - size_mm, 28.0);
    p.fill(rgb(0xff, 0xff, 0xff));
    p.rect(
        qx - 2.0,
        qy - 2.0,
        size_mm + 4.0,
        size_mm + 4.0,
        PaintMode::Fill,
    );
    p.fill(ink.clone());
    let colors = qr.to_colors();
    for row in 0..n {
        // One rectangle per run of dark modules keeps the file small.
        let mut col = 0;
        while col < n {
            if colors[row * n + col] == qrcode::Color::Dark {
                let start = col;
                while col < n && colors[row * n + col] == qrcode::Color::Dark {
                    col += 1;
                }
                let y = qy + size_mm - (row + 1) as f32 * cell;
                p.rect(
                    qx + start as f32 * cell,
                    y,
                    (col - start) as f32 * cell + 0.01,
                    cell + 0.01,
                    PaintMode::Fill,
                );
            } else {
                col += 1;
            }
        }
    }
    let text_right = qx - 6.0;
    let right = |p: &mut Page, font, size, y, text: &str| {
        let text = printable(text);
        let width = text_width(font, size, &text) * 25.4 / 72.0;
        p.text_at(font, size, text_right - width, y, &text);
    };
    p.fill(muted.clone());
    right(&mut p, BuiltinFont::Helvetica, 8.5, 52.0, w.verify);
    p.fill(ink.clone());
    right(&mut p, BuiltinFont::Helvetica, 8.5, 47.0, &c.verify_url);
    p.fill(muted);
    right(&mut p, BuiltinFont::Helvetica, 8.5, 38.0, w.code);
    p.fill(ink);
    right(&mut p, BuiltinFont::Courier, 11.0, 32.5, &c.code);

    let mut doc = PdfDocument::new(&printable(&format!(
        "{} \u{2013} {}",
        w.heading, c.course_title
    )));
    doc.metadata.info.author = printable(&c.issuer);
    doc.metadata.info.subject = format!("{} {}", w.code, c.code);
    let mut warnings = Vec::new();
    let bytes = doc
        .with_pages(vec![PdfPage::new(Mm(WIDTH), Mm(HEIGHT), p.ops)])
        .save(&PdfSaveOptions::default(), &mut warnings);
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(locale: Locale) -> CertificateText {
        CertificateText {
            holder_name: "Ana María Peña".into(),
            organisation: Some("Ciudad de Bogotá".into()),
            course_title:
                "Localizing the Sustainable Development Goals: from global agenda to city action"
                    .into(),
            locale,
            completed_on: Date::from_calendar_date(2026, Month::November, 30).unwrap(),
            duration_minutes: 150,
            issuer: "Agora".into(),
            code: "ABCDE-FGHJK-MNPQR-STVWX".into(),
            verify_url: "https://agora.example/certificates/ABCDE-FGHJK-MNPQR-STVWX".into(),
        }
    }

    #[test]
    fn renders_a_pdf_in_every_locale() {
        for l in Locale::ALL {
            let pdf = render(&sample(l)).unwrap();
            assert!(pdf.starts_with(b"%PDF-"), "{l:?}");
            assert!(pdf.len() > 1_000 && pdf.len() < 200_000, "{}", pdf.len());
        }
    }

    #[test]
    fn dates_read_naturally() {
        let d = Date::from_calendar_date(2026, Month::November, 1).unwrap();
        assert_eq!(format_date(Locale::En, d), "1 November 2026");
        assert_eq!(format_date(Locale::Fr, d), "1er novembre 2026");
        assert_eq!(format_date(Locale::Es, d), "1 de noviembre de 2026");
    }

    #[test]
    fn text_outside_winansi_keeps_its_letters() {
        assert_eq!(printable("Nguyễn Thị Ánh"), "Nguyen Thi Ánh");
        assert_eq!(printable("Łódź"), "Lódz");
        assert_eq!(printable("María Peña"), "María Peña");
    }

    #[test]
    fn wider_text_measures_wider() {
        let a = text_width(BuiltinFont::Helvetica, 12.0, "iiii");
        let b = text_width(BuiltinFont::Helvetica, 12.0, "WWWW");
        assert!(a > 0.0 && b > a * 2.0, "{a} {b}");
    }
}
