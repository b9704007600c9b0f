//! Baked badges, as the Open Badges 3.0 baking rules say: a PNG image with
//! the credential in an `iTXt` chunk (keyword `openbadgecredential`), and an
//! SVG image with it in an `openbadges:credential` element.

use std::io::Write;

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
const KEYWORD: &str = "openbadgecredential";
const SIZE: u32 = 256;

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 12);
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
    out
}

/// The badge drawn in pixels: a navy disc in a gold ring on transparency.
fn badge_png() -> Vec<u8> {
    let mut raw = Vec::with_capacity(((SIZE * 4 + 1) * SIZE) as usize);
    let c = SIZE as f32 / 2.0;
    for y in 0..SIZE {
        raw.push(0); // no filter
        for x in 0..SIZE {
            let d = ((x as f32 + 0.5 - c).powi(2) + (y as f32 + 0.5 - c).powi(2)).sqrt();
            let px: [u8; 4] = if d > 120.0 {
                [0, 0, 0, 0]
            } else if (92.0..100.0).contains(&d) {
                [0xf2, 0xc1, 0x4e, 0xff]
            } else {
                [0x1f, 0x4e, 0x79, 0xff]
            };
            raw.extend_from_slice(&px);
        }
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).expect("writing to memory");
    let idat = z.finish().expect("writing to memory");
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&SIZE.to_be_bytes());
    ihdr.extend_from_slice(&SIZE.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA
    let mut png = PNG_SIGNATURE.to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(b"IDAT", &idat));
    png.extend(chunk(b"IEND", &[]));
    png
}

/// The badge PNG with the credential baked in, just before `IEND`.
pub fn png(credential_json: &str) -> Vec<u8> {
    let png = badge_png();
    let iend = png.len() - 12;
    let mut text = Vec::with_capacity(credential_json.len() + 24);
    text.extend_from_slice(KEYWORD.as_bytes());
    // Null separator, not compressed, method 0, no language, no translated keyword.
    text.extend_from_slice(&[0, 0, 0, 0, 0]);
    text.extend_from_slice(credential_json.as_bytes());
    let mut out = png[..iend].to_vec();
    out.extend(chunk(b"iTXt", &text));
    out.extend_from_slice(&png[iend..]);
    out
}

/// The credential baked in a PNG, if there is one.
pub fn from_png(bytes: &[u8]) -> Option<String> {
    let mut rest = bytes.strip_prefix(&PNG_SIGNATURE)?;
    while rest.len() >= 12 {
        let len = u32::from_be_bytes(rest[..4].try_into().ok()?) as usize;
        let kind = &rest[4..8];
        let data = rest.get(8..8 + len)?;
        if kind == b"iTXt"
            && let Some(body) = data
                .strip_prefix(KEYWORD.as_bytes())
                .and_then(|d| d.strip_prefix(&[0]))
        {
            let (flag, body) = body.split_first()?;
            if *flag != 0 {
                return None;
            }
            // Method, then language and translated keyword, each ended by a null.
            let body = body.get(1..)?;
            let lang_end = body.iter().position(|&b| b == 0)?;
            let body = &body[lang_end + 1..];
            let tk_end = body.iter().position(|&b| b == 0)?;
            return String::from_utf8(body[tk_end + 1..].to_vec()).ok();
        }
        rest = rest.get(12 + len..)?;
    }
    None
}

/// The badge SVG with the credential baked in.
pub fn svg(credential_json: &str) -> String {
    // `]]>` cannot appear inside CDATA: split it across two sections.
    let safe = credential_json.replace("]]>", "]]]]><![CDATA[>");
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" width="256" height="256" viewBox="0 0 256 256" role="img" aria-label="Open Badge"><openbadges:credential><![CDATA[{safe}]]></openbadges:credential><circle cx="128" cy="128" r="120" fill="#1f4e79"/><circle cx="128" cy="128" r="96" fill="none" stroke="#f2c14e" stroke-width="8"/><path d="M88 132l28 28 52-64" fill="none" stroke="#ffffff" stroke-width="16" stroke-linecap="round" stroke-linejoin="round"/></svg>"##
    )
}

/// The credential baked in an SVG, if there is one.
pub fn from_svg(text: &str) -> Option<String> {
    let start = text.find("<openbadges:credential>")? + "<openbadges:credential>".len();
    let end = start + text[start..].find("</openbadges:credential>")?;
    let inner = text[start..end].trim();
    let mut out = String::new();
    let mut rest = inner;
    while let Some(i) = rest.find("<![CDATA[") {
        let body = &rest[i + 9..];
        let j = body.find("]]>")?;
        out.push_str(&body[..j]);
        rest = &body[j + 3..];
    }
    if out.is_empty() { None } else { Some(out) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_bake_into_and_out_of_png_and_svg() {
        let vc = r#"{"name":"Cours ]]> é","type":["VerifiableCredential"]}"#;
        let png = png(vc);
        assert!(png.starts_with(&PNG_SIGNATURE) && png.ends_with(&chunk(b"IEND", &[])));
        assert_eq!(from_png(&png).as_deref(), Some(vc));
        assert_eq!(from_png(&badge_png()), None);
        let svg = svg(vc);
        assert_eq!(from_svg(&svg).as_deref(), Some(vc));
    }
}
