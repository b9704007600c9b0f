//! Course media in the folder format: the images, PDFs and captions of a
//! course's `media/` folder, checked by their content (never their name).
//! The reader's checks of their uses and of the cover are in `media_folder`.

use std::fmt;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::sniff::resource_type;
use crate::{Error, Result, links};

/// The course-level folder of media files, next to `course.yaml`.
pub const MEDIA_DIR: &str = "media";
/// Largest image (PNG, JPEG, WebP): images are shown inline, keep them light.
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;
/// Largest PDF or WebVTT caption file.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// All the media of one course together. A draft downloads as one zip of at
/// most 50 MiB, so the media leave room for the texts and resources.
pub const MAX_COURSE_BYTES: usize = 40 * 1024 * 1024;
/// Widest or tallest image accepted, in pixels: larger ones are photographs
/// straight off a camera, too heavy for a lesson page.
pub const MAX_IMAGE_SIDE: u32 = 8000;
/// Largest cover image: every catalogue card loads one, so covers stay
/// light (there is no server-side resizing).
pub const MAX_COVER_BYTES: usize = 1024 * 1024;
/// Longest alt text of a cover image.
pub const MAX_ALT_CHARS: usize = 300;

/// One checked media file.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct MediaFile {
    pub content_type: String,
    pub sha256: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    #[serde(skip)]
    pub data: Vec<u8>,
}

impl fmt::Debug for MediaFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "MediaFile({}, {} bytes)",
            self.content_type,
            self.data.len()
        )
    }
}

impl MediaFile {
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }
    /// The extension of the stored object: from the content, not the name.
    pub fn ext(&self) -> &'static str {
        ext_of(&self.content_type).unwrap_or("bin")
    }
    pub fn storage_key(&self) -> String {
        format!("{MEDIA_DIR}/{}.{}", self.sha256, self.ext())
    }
    /// Where learners fetch it.
    pub fn url(&self) -> String {
        links::media(&self.sha256, self.ext())
    }
}

/// The media types a course may carry, by content type.
pub(crate) fn ext_of(content_type: &str) -> Option<&'static str> {
    Some(match content_type {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/webp" => "webp",
        "application/pdf" => "pdf",
        t if t.starts_with("text/vtt") => "vtt",
        _ => return None,
    })
}

/// The content type of a public media address's extension.
pub fn content_type_of_ext(ext: &str) -> Option<&'static str> {
    Some(match ext {
        "png" => "image/png",
        "jpg" => "image/jpeg",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "vtt" => "text/vtt; charset=utf-8",
        _ => return None,
    })
}

/// Checks one media file by its bytes: the name's extension must be one we
/// accept and agree with the content (an HTML page or a program renamed
/// `.png` is refused), and it must fit the size limits.
pub fn check(name: &str, data: Vec<u8>) -> Result<MediaFile, String> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let limit = match ext.as_str() {
        "png" | "jpg" | "jpeg" | "webp" => MAX_IMAGE_BYTES,
        "pdf" | "vtt" => MAX_FILE_BYTES,
        _ => {
            return Err(
                "media files must be images (.png, .jpg, .webp), PDF documents (.pdf) or WebVTT captions (.vtt)"
                    .into(),
            );
        }
    };
    if data.len() > limit {
        return Err(format!(
            "{} bytes is over the limit of {} MiB for a .{ext} file",
            data.len(),
            limit / (1024 * 1024)
        ));
    }
    if data.is_empty() {
        return Err("the file is empty".into());
    }
    let content_type = resource_type(name, &data)?.to_owned();
    let (width, height) = if content_type.starts_with("image/") {
        let (w, h) = image_size(&data)
            .ok_or_else(|| format!("named .{ext} but it is not a readable image"))?;
        if w == 0 || h == 0 || w > MAX_IMAGE_SIDE || h > MAX_IMAGE_SIDE {
            return Err(format!(
                "the image is {w}×{h} pixels: each side must be 1–{MAX_IMAGE_SIDE}"
            ));
        }
        (Some(w), Some(h))
    } else {
        (None, None)
    };
    Ok(MediaFile {
        sha256: hex::encode(Sha256::digest(&data)),
        content_type,
        width,
        height,
        data,
    })
}

/// The pixel size of a PNG, JPEG or WebP image, read from its header.
pub fn image_size(data: &[u8]) -> Option<(u32, u32)> {
    let be32 = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    let le16 = |b: &[u8]| u32::from(u16::from_le_bytes([b[0], b[1]]));
    let le24 = |b: &[u8]| u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16;
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        // The first chunk is IHDR: width and height, big-endian.
        (data.len() >= 24 && &data[12..16] == b"IHDR")
            .then(|| (be32(&data[16..20]), be32(&data[20..24])))
    } else if data.starts_with(&[0xFF, 0xD8]) {
        // Walk the segments to the first start-of-frame marker.
        let mut i = 2;
        while i + 9 < data.len() {
            if data[i] != 0xFF {
                return None;
            }
            let marker = data[i + 1];
            if marker == 0xFF {
                i += 1;
                continue;
            }
            let len = usize::from(u16::from_be_bytes([data[i + 2], data[i + 3]]));
            let sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
            if sof {
                let h = u32::from(u16::from_be_bytes([data[i + 5], data[i + 6]]));
                let w = u32::from(u16::from_be_bytes([data[i + 7], data[i + 8]]));
                return Some((w, h));
            }
            i += 2 + len;
        }
        None
    } else if data.len() >= 30 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        match &data[12..16] {
            b"VP8 " if data[23..26] == [0x9D, 0x01, 0x2A] => {
                Some((le16(&data[26..28]) & 0x3FFF, le16(&data[28..30]) & 0x3FFF))
            }
            b"VP8L" if data[20] == 0x2F => {
                let b = &data[21..25];
                let w = 1 + (u32::from(b[0]) | (u32::from(b[1]) & 0x3F) << 8);
                let h = 1
                    + ((u32::from(b[1]) >> 6)
                        | u32::from(b[2]) << 2
                        | (u32::from(b[3]) & 0x0F) << 10);
                Some((w, h))
            }
            b"VP8X" => Some((1 + le24(&data[24..27]), 1 + le24(&data[27..30]))),
            _ => None,
        }
    } else {
        None
    }
}

/// A safe media file name from whatever a browser sent: the last path
/// part, lowercase, letters, digits, `-` and `_`, one extension.
pub fn normalise_name(file_name: &str) -> Result<String> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or_default();
    let lower = base.trim().to_lowercase();
    let (stem, ext) = lower.rsplit_once('.').ok_or_else(|| {
        Error::invalid(
            "file",
            "the file name needs an extension (.png, .jpg, .webp, .pdf, .vtt)",
        )
    })?;
    let ext: String = ext.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let mut clean = String::new();
    for c in stem.chars() {
        let c = match c {
            'a'..='z' | '0'..='9' | '_' => c,
            'à' | 'á' | 'â' | 'ä' | 'ã' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            _ => '-',
        };
        if !(c == '-' && (clean.is_empty() || clean.ends_with('-'))) {
            clean.push(c);
        }
    }
    let mut stem: String = clean.trim_end_matches('-').chars().take(80).collect();
    if stem.is_empty() {
        stem = "file".into();
    }
    if ext.is_empty() {
        return Err(Error::invalid(
            "file",
            "the file name needs an extension (.png, .jpg, .webp, .pdf, .vtt)",
        ));
    }
    Ok(format!("{}.{ext}", stem.trim_end_matches('-')))
}

/// A name as the folder format accepts it in `media/`.
pub(crate) fn valid_name(name: &str) -> bool {
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    !stem.is_empty()
        && name.len() <= 120
        && stem
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && ext
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(crate) fn png(w: u32, h: u32) -> Vec<u8> {
        let mut d = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        d.extend_from_slice(&w.to_be_bytes());
        d.extend_from_slice(&h.to_be_bytes());
        d.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        d
    }

    #[test]
    fn media_are_judged_by_their_content() {
        let m = check("map.png", png(640, 480)).unwrap();
        assert_eq!(m.content_type, "image/png");
        assert_eq!((m.width, m.height), (Some(640), Some(480)));
        assert_eq!(m.url(), format!("/media/{}.png", m.sha256));
        assert_eq!(m.storage_key(), format!("media/{}.png", m.sha256));
        // An HTML page, a program and a PDF, each named like an image.
        let html = check(
            "x.png",
            b"<!doctype html><script>alert(1)</script>".to_vec(),
        );
        assert!(html.unwrap_err().contains("is text"));
        let elf = check("x.png", b"\x7fELF\x02\x01\x01\0\0\0\0\0\xff\xfe".to_vec());
        assert!(elf.unwrap_err().contains("not a PNG"));
        let mz = check(
            "setup.jpg",
            b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff".to_vec(),
        );
        assert!(mz.is_err());
        let pdf = check("x.webp", b"%PDF-1.7\n".to_vec());
        assert!(pdf.unwrap_err().contains("PDF"));
        assert!(check("doc.pdf", b"%PDF-1.7\n%%EOF".to_vec()).is_ok());
        assert!(check("c.vtt", b"WEBVTT\n\n00:00.000 --> 00:01.000\nHi".to_vec()).is_ok());
        assert!(check("c.vtt", b"not captions".to_vec()).is_err());
        // Names that are not media at all.
        for name in ["page.html", "image.svg", "notes.md", "noext"] {
            assert!(check(name, b"x".to_vec()).is_err(), "{name}");
        }
        // A PNG header without its IHDR is not an image we can show.
        assert!(check("x.png", b"\x89PNG\r\n\x1a\nnope".to_vec()).is_err());
        assert!(check("x.png", png(9000, 10)).is_err());
        assert!(check("x.png", Vec::new()).is_err());
    }

    #[test]
    fn size_limits_depend_on_the_kind() {
        let mut big = png(10, 10);
        big.resize(MAX_IMAGE_BYTES + 1, 0);
        assert!(
            check("big.png", big)
                .unwrap_err()
                .contains("over the limit")
        );
        let mut pdf = b"%PDF-1.7\n".to_vec();
        pdf.resize(MAX_IMAGE_BYTES + 1, b' ');
        assert!(check("big.pdf", pdf.clone()).is_ok());
        pdf.resize(MAX_FILE_BYTES + 1, b' ');
        assert!(check("big.pdf", pdf).is_err());
    }

    #[test]
    fn image_sizes_are_read_from_headers() {
        // Baseline JPEG: SOI, an APP0 segment, then SOF0 with 200×100.
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00,
            0x64, 0x00, 0xC8, 0x03, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        assert_eq!(image_size(&jpeg), Some((200, 100)));
        let mut webp = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
        webp.extend_from_slice(&[0x3F, 0x01, 0x00, 0xC7, 0x00, 0x00]);
        assert_eq!(image_size(&webp), Some((320, 200)));
        assert_eq!(image_size(b"GIF89a"), None);
    }

    #[test]
    fn names_are_normalised() {
        assert_eq!(
            normalise_name("Flood Map (2024).PNG").unwrap(),
            "flood-map-2024.png"
        );
        assert_eq!(
            normalise_name("C:\\Users\\me\\Carte été.jpg").unwrap(),
            "carte-ete.jpg"
        );
        assert_eq!(
            normalise_name("../../etc/passwd.png").unwrap(),
            "passwd.png"
        );
        assert_eq!(normalise_name("....png").unwrap(), "file.png");
        assert!(normalise_name("noextension").is_err());
        for n in ["a.png", "flood-map_2.webp"] {
            assert!(valid_name(n), "{n}");
        }
        for n in ["A.png", "a b.png", "../a.png", ".png", "a"] {
            assert!(!valid_name(n), "{n}");
        }
    }
}
