//! Kept bodies cut into text and per-request slots.

/// A piece of a kept body: text, or a slot filled per request.
pub enum Part {
    Text(Box<str>),
    Slot(usize),
}

/// `html` cut at each of `markers` (slot `i` where `markers[i]` was).
/// Markers start with a control character (`\u{1}`) no rendered text has.
pub fn cut(html: &str, markers: &[String]) -> Vec<Part> {
    let mut out = Vec::new();
    let mut text_from = 0;
    let mut at = 0;
    while let Some(found) = html[at..].find('\u{1}') {
        let i = at + found;
        match markers
            .iter()
            .position(|m| html[i..].starts_with(m.as_str()))
        {
            Some(slot) => {
                if i > text_from {
                    out.push(Part::Text(html[text_from..i].into()));
                }
                out.push(Part::Slot(slot));
                at = i + markers[slot].len();
                text_from = at;
            }
            None => at = i + 1,
        }
    }
    if html.len() > text_from {
        out.push(Part::Text(html[text_from..].into()));
    }
    out
}

/// An entry's weight for moka: its bytes, at least 1, at most `u32::MAX`.
pub fn weight(bytes: usize) -> u32 {
    u32::try_from(bytes.max(1)).unwrap_or(u32::MAX)
}

/// The bytes of kept parts.
pub fn parts_bytes(parts: &[Part]) -> usize {
    parts
        .iter()
        .map(|p| match p {
            Part::Text(t) => t.len() + 24,
            Part::Slot(_) => 24,
        })
        .sum()
}
