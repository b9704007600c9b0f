//! What a file is, judged by its bytes; its name must agree.

/// What a file's bytes are, whatever its name says: the magic numbers of the
/// binary types we accept, else UTF-8 text without NUL bytes.
fn sniff(data: &[u8]) -> Option<&'static str> {
    let text = || std::str::from_utf8(data).is_ok() && !data.contains(&0);
    if data.starts_with(b"%PDF-") {
        Some("pdf")
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpeg")
    } else if data.len() >= 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        Some("webp")
    } else if text() {
        let t = String::from_utf8_lossy(data);
        let t = t.trim_start_matches('\u{feff}');
        if t.starts_with("WEBVTT") {
            Some("vtt")
        } else {
            Some("text")
        }
    } else {
        None
    }
}

/// Every content type [`resource_type`] answers: the API document lists
/// them for the download of a lesson's resource.
pub const RESOURCE_TYPES: [&str; 8] = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/webp",
    "text/vtt; charset=utf-8",
    "text/markdown; charset=utf-8",
    "text/csv; charset=utf-8",
    "text/plain; charset=utf-8",
];

/// Every content type [`work_type`] answers: the API document lists them
/// for the download of work handed in.
pub const WORK_TYPES: [&str; 7] = [
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "image/png",
    "image/jpeg",
    "image/webp",
];

/// The content type of a downloadable file: sniffed from its bytes, and the
/// name's extension must agree (a program renamed `.pdf` is refused).
pub(crate) fn resource_type(file_name: &str, data: &[u8]) -> Result<&'static str, String> {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase());
    let sniffed = sniff(data);
    let (expected, content_type) = match ext.as_deref() {
        Some("pdf") => ("pdf", "application/pdf"),
        Some("png") => ("png", "image/png"),
        Some("jpg" | "jpeg") => ("jpeg", "image/jpeg"),
        Some("webp") => ("webp", "image/webp"),
        Some("vtt") => ("vtt", "text/vtt; charset=utf-8"),
        Some("md") => ("text", "text/markdown; charset=utf-8"),
        Some("csv") => ("text", "text/csv; charset=utf-8"),
        Some("txt") => ("text", "text/plain; charset=utf-8"),
        _ => {
            return Err(
                "resources must be .pdf, .md, .txt, .csv, .png, .jpg, .webp or .vtt files".into(),
            );
        }
    };
    // Captions are text too; plain text may be named .vtt only if it is WebVTT.
    let agrees = sniffed == Some(expected) || (expected == "text" && sniffed == Some("vtt"));
    if agrees {
        return Ok(content_type);
    }
    let ext = ext.unwrap_or_default();
    Err(match (expected, sniffed) {
        ("text", _) => format!("a .{ext} file must be UTF-8 text"),
        ("vtt", Some("text")) => "a .vtt file must start with `WEBVTT`".into(),
        (_, Some("text" | "vtt")) => format!("named .{ext} but is text"),
        (_, Some(other)) => format!("named .{ext} but is a {} file", other.to_uppercase()),
        (_, None) => format!(
            "named .{ext} but its content is not a {}",
            expected.to_uppercase()
        ),
    })
}

/// What an office document's bytes are: a zip with `word/document.xml`
/// (DOCX), `xl/workbook.xml` (XLSX), or an OpenDocument text whose first
/// entry `mimetype` says so (ODT). Anything else, zip or not, is `None`.
fn office(data: &[u8]) -> Option<&'static str> {
    if !data.starts_with(b"PK\x03\x04") {
        return None;
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(data)).ok()?;
    let has = |zip: &zip::ZipArchive<_>, name: &str| {
        zip.file_names()
            .any(|n| n.is_ok_and(|n| n.as_ref() == name))
    };
    if has(&zip, "[Content_Types].xml") && has(&zip, "word/document.xml") {
        return Some("docx");
    }
    if has(&zip, "[Content_Types].xml") && has(&zip, "xl/workbook.xml") {
        return Some("xlsx");
    }
    let mut first = zip.by_index(0).ok()?;
    if first.name().ok()?.as_ref() == "mimetype" && first.size() < 100 {
        let mut m = String::new();
        std::io::Read::read_to_string(&mut first, &mut m).ok()?;
        if m.trim() == "application/vnd.oasis.opendocument.text" {
            return Some("odt");
        }
    }
    None
}

/// The content type of a file handed in as work (PDF, DOCX, XLSX, ODT,
/// PNG, JPEG, WebP): judged by its bytes, and the name's extension must
/// agree, so a program renamed `.pdf` or a zip renamed `.docx` is refused.
pub(crate) fn work_type(file_name: &str, data: &[u8]) -> Result<&'static str, String> {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase());
    let (expected, content_type) = match ext.as_deref() {
        Some("pdf") => ("pdf", "application/pdf"),
        Some("docx") => (
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        Some("xlsx") => (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        Some("odt") => ("odt", "application/vnd.oasis.opendocument.text"),
        Some("png") => ("png", "image/png"),
        Some("jpg" | "jpeg") => ("jpeg", "image/jpeg"),
        Some("webp") => ("webp", "image/webp"),
        _ => {
            return Err("work must be .pdf, .docx, .xlsx, .odt, .png, .jpg or .webp files".into());
        }
    };
    let sniffed = office(data).or_else(|| sniff(data));
    if sniffed == Some(expected) {
        return Ok(content_type);
    }
    let ext = ext.unwrap_or_default();
    Err(match sniffed {
        Some("text" | "vtt") => format!("named .{ext} but is text"),
        Some(other) => format!("named .{ext} but is a {} file", other.to_uppercase()),
        None => format!(
            "named .{ext} but its content is not a {} file",
            expected.to_uppercase()
        ),
    })
}

#[cfg(test)]
mod work_tests {
    use std::io::Write;

    use super::work_type;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, data) in entries {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn office_documents_are_judged_by_what_the_zip_holds() {
        let docx = zip_of(&[
            ("[Content_Types].xml", b"<x/>"),
            ("word/document.xml", b"<w/>"),
        ]);
        let xlsx = zip_of(&[
            ("[Content_Types].xml", b"<x/>"),
            ("xl/workbook.xml", b"<w/>"),
        ]);
        let odt = zip_of(&[
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", b"<x/>"),
        ]);
        let plain = zip_of(&[("a.txt", b"hello")]);
        assert!(work_type("plan.docx", &docx).is_ok());
        assert!(work_type("Sheet.XLSX", &xlsx).is_ok());
        assert!(work_type("plan.odt", &odt).is_ok());
        assert!(work_type("plan.docx", &xlsx).unwrap_err().contains("XLSX"));
        assert!(work_type("plan.docx", &plain).is_err());
        assert!(work_type("plan.pdf", b"MZ\x90\x00").is_err());
        assert!(work_type("plan.pdf", b"%PDF-1.7\n").is_ok());
        assert!(work_type("plan.exe", b"%PDF-1.7\n").is_err());
        assert!(
            work_type("photo.png", b"%PDF-1.7\n")
                .unwrap_err()
                .contains("PDF")
        );
    }
}
