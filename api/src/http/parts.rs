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
