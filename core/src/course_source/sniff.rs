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
