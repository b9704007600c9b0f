//! The certificate as a PDF: an A4 landscape page a city would frame, with a
//! vector QR code of the public verification address.
//!
//! The text is set in embedded, subset fonts (see `fonts`): Liberation fonts
//! with the metrics of Times, Helvetica and Courier, the look the page has
//! always had, and Noto fonts for every other script, shaped and in visual
//! order (see `shaping`), so names print exactly as their holders write them.

use krilla::{Document, metadata::Metadata, page::PageSettings, surface::Surface};
use time::Date;

pub use super::canvas::Undrawable;
pub use super::wording::format_date;
use super::{
    canvas::{HEIGHT, MM, Mode, Page, WIDTH, rgb, two_lines},
    fonts::Style,
    wording::words,
};
use crate::{Error, Result, domain::Locale, mail::templates::format_hours};

/// What the certificate says.
#[derive(Clone, Debug)]
pub struct CertificateText {
    pub holder_name: String,
    /// The holder's organisation, under their name, when the certificate names one.
    pub organisation: Option<String>,
    pub course_title: String,
    /// A cohort certificate names its cohort, above the course.
    pub cohort_title: Option<String>,
    pub locale: Locale,
    pub completed_on: Date,
    pub duration_minutes: u32,
    pub issuer: String,
    pub code: String,
    pub verify_url: String,
}

/// The PDF, and what in it could not be drawn.
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub undrawable: Vec<Undrawable>,
}

pub fn render(c: &CertificateText) -> Result<Vec<u8>> {
    Ok(render_checked(c)?.bytes)
}

/// The PDF, and the characters of it that no installed font can draw: they
/// are kept (as empty boxes in the nearest complete font, and as text), never
/// replaced, and the caller says so in its log.
pub fn render_checked(c: &CertificateText) -> Result<Rendered> {
    let w = words(c.locale);
    let mut doc = Document::new();
    let settings = PageSettings::from_wh(WIDTH * MM, HEIGHT * MM)
        .ok_or_else(|| Error::Internal("the certificate page has no size".into()))?;
    let mut page = doc.start_page_with(settings);
    let mut surface = page.surface();
    let undrawable = draw(&mut surface, c)?;
    surface.finish();
    page.finish();

    doc.set_metadata(
        Metadata::new()
            .title(format!(
                "{} \u{2013} {}",
                w.heading,
                c.cohort_title.as_deref().unwrap_or(&c.course_title)
            ))
            .authors(vec![c.issuer.clone()])
            .description(format!("{} {}", w.code, c.code))
            .language(c.locale.as_str().to_owned())
            .creator("Agora".into()),
    );
    let bytes = doc
        .finish()
        .map_err(|e| Error::Internal(format!("the certificate PDF: {e:?}")))?;
    Ok(Rendered { bytes, undrawable })
}

fn draw(s: &mut Surface, c: &CertificateText) -> Result<Vec<Undrawable>> {
    let w = words(c.locale);
    let ink = rgb(0x1f, 0x2a, 0x30);
    let teal = rgb(0x1d, 0x5c, 0x63);
    let gold = rgb(0xb0, 0x8d, 0x3c);
    let muted = rgb(0x5b, 0x67, 0x70);
    let mut p = Page {
        s,
        fill: ink,
        stroke: (ink, 1.0),
        undrawable: Vec::new(),
    };
    let cx = WIDTH / 2.0;

    // Paper, a heavy outer frame and a fine gold inner rule.
    p.fill(rgb(0xfb, 0xf8, 0xf1));
    p.rect(0.0, 0.0, WIDTH, HEIGHT, Mode::Fill);
    p.stroke(teal, 5.0);
    p.rect(9.0, 9.0, WIDTH - 18.0, HEIGHT - 18.0, Mode::Stroke);
    p.stroke(gold, 0.8);
    p.rect(14.0, 14.0, WIDTH - 28.0, HEIGHT - 28.0, Mode::Stroke);
    // A band of colour at the top, with the name of the platform.
    p.fill(teal);
    p.rect(cx - 22.0, HEIGHT - 14.5, 44.0, 9.0, Mode::Fill);
    p.fill(rgb(0xff, 0xff, 0xff));
    p.centred(
        "brand",
        Style::SansBold,
        11.0,
        cx,
        HEIGHT - 11.6,
        40.0,
        "A G O R A",
    )?;

    p.fill(teal);
    p.centred(
        "heading",
        Style::SerifBold,
        34.0,
        cx,
        160.0,
        240.0,
        w.heading,
    )?;
    p.fill(gold);
    p.rect(cx - 30.0, 153.0, 60.0, 0.6, Mode::Fill);

    p.fill(muted);
    let certifies = w.certifies;
    p.centred(
        "wording",
        Style::SerifItalic,
        15.0,
        cx,
        140.0,
        240.0,
        certifies,
    )?;
    p.fill(ink);
    let name = &c.holder_name;
    p.centred(
        "holder_name",
        Style::SerifBold,
        32.0,
        cx,
        124.0,
        240.0,
        name,
    )?;
    p.fill(gold);
    p.rect(cx - 80.0, 119.5, 160.0, 0.35, Mode::Fill);
    p.fill(muted);
    // The organisation, small, between the name's rule and the next line;
    // without one the page is exactly as before.
    let completed_y = match c.organisation.as_deref().filter(|o| !o.trim().is_empty()) {
        Some(org) => {
            p.centred("organisation", Style::Sans, 10.0, cx, 114.2, 240.0, org)?;
            107.8
        }
        None => 109.0,
    };
    let completed = if c.cohort_title.is_some() {
        w.completed_cohort
    } else {
        w.completed
    };
    p.centred(
        "wording",
        Style::SerifItalic,
        15.0,
        cx,
        completed_y,
        240.0,
        completed,
    )?;

    p.fill(teal);
    let title = c.cohort_title.as_deref().unwrap_or(&c.course_title);
    let lines = two_lines(Style::SansBold, 21.0, 230.0, title)?;
    let mut y = if lines.len() == 1 { 94.0 } else { 97.0 };
    for line in &lines {
        p.centred("course_title", Style::SansBold, 21.0, cx, y, 240.0, line)?;
        y -= 9.5;
    }
    // A cohort's certificate names the course under the cohort.
    if c.cohort_title.is_some() {
        p.fill(ink);
        p.centred(
            "course_title",
            Style::Sans,
            11.0,
            cx,
            y + 2.5,
            240.0,
            &c.course_title,
        )?;
        y -= 5.0;
    }

    p.fill(ink);
    let details = format!(
        "{} {}   \u{00B7}   {} {}",
        w.on,
        format_date(c.locale, c.completed_on),
        format_hours(c.locale, c.duration_minutes),
        w.study
    );
    p.centred("details", Style::Serif, 13.0, cx, y - 4.5, 240.0, &details)?;

    // The issuer, over a signature line, bottom left.
    p.fill(ink);
    p.rect(30.0, 45.0, 85.0, 0.4, Mode::Fill);
    p.centred(
        "issuer",
        Style::SerifBold,
        13.0,
        72.5,
        38.0,
        85.0,
        &c.issuer,
    )?;
    p.fill(muted);
    p.centred("wording", Style::Sans, 9.0, 72.5, 32.0, 85.0, w.issued_by)?;

    // Verification, bottom right: the QR code, the address and the code.
    let qr =
        qrcode::QrCode::with_error_correction_level(c.verify_url.as_bytes(), qrcode::EcLevel::M)
            .map_err(|e| Error::Internal(format!("QR code: {e}")))?;
    let n = qr.width();
    let size_mm = 30.0;
    let cell = size_mm / n as f32;
    let (qx, qy) = (WIDTH - 30.0 - size_mm, 28.0);
    p.fill(rgb(0xff, 0xff, 0xff));
    p.rect(qx - 2.0, qy - 2.0, size_mm + 4.0, size_mm + 4.0, Mode::Fill);
    p.fill(ink);
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
                    Mode::Fill,
                );
            } else {
                col += 1;
            }
        }
    }
    let text_right = qx - 6.0;
    p.fill(muted);
    p.right(Style::Sans, 8.5, text_right, 52.0, w.verify)?;
    p.fill(ink);
    p.right(Style::Sans, 8.5, text_right, 47.0, &c.verify_url)?;
    p.fill(muted);
    p.right(Style::Sans, 8.5, text_right, 38.0, w.code)?;
    p.fill(ink);
    p.right(Style::Mono, 11.0, text_right, 32.5, &c.code)?;
    Ok(p.undrawable)
}

#[cfg(test)]
mod tests {
    use time::Month;

    use super::{super::shaping, *};

    fn sample(locale: Locale) -> CertificateText {
        CertificateText {
            holder_name: "Ana María Peña".into(),
            organisation: Some("Ciudad de Bogotá".into()),
            course_title:
                "Localizing the Sustainable Development Goals: from global agenda to city action"
                    .into(),
            cohort_title: None,
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
            let r = render_checked(&sample(l)).unwrap();
            assert!(r.bytes.starts_with(b"%PDF-"), "{l:?}");
            assert!(
                r.bytes.len() > 1_000 && r.bytes.len() < 300_000,
                "{}",
                r.bytes.len()
            );
            assert_eq!(r.undrawable, vec![], "{l:?}");
        }
    }

    #[test]
    fn a_character_no_font_has_is_reported_not_replaced() {
        let mut s = sample(Locale::En);
        // A private-use character: no font draws it.
        s.holder_name = "Ana \u{E000} Peña".into();
        let r = render_checked(&s).unwrap();
        assert_eq!(r.undrawable.len(), 1, "{:?}", r.undrawable);
        assert_eq!(r.undrawable[0].field, "holder_name");
        assert_eq!(r.undrawable[0].code_points(), "U+E000");
    }

    #[test]
    fn wider_text_measures_wider() {
        let a = shaping::shape(Style::Sans, "iiii").unwrap().0.width(12.0);
        let b = shaping::shape(Style::Sans, "WWWW").unwrap().0.width(12.0);
        assert!(a > 0.0 && b > a * 2.0, "{a} {b}");
    }
}
