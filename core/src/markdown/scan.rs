//! What a Markdown text holds, read without rendering it: its media, its
//! links inside the platform, its length.

use pulldown_cmark::{Event, Parser, Tag};

/// One use of a `media:` file in a text: an image (with its alt text) or a link.
#[derive(Debug, PartialEq, Eq)]
pub struct MediaUse {
    pub target: String,
    /// `Some` for an image: the text between its brackets.
    pub alt: Option<String>,
}

/// Every `media:` image and link of a Markdown text.
pub fn media_uses(markdown: &str) -> Vec<MediaUse> {
    let mut out: Vec<MediaUse> = Vec::new();
    let mut in_image = false;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                if let Some(f) = dest_url.strip_prefix("media:")
                    && !in_image
                {
                    in_image = true;
                    out.push(MediaUse {
                        target: f.to_owned(),
                        alt: Some(String::new()),
                    });
                }
            }
            Event::Text(t) | Event::Code(t) if in_image => {
                if let Some(MediaUse { alt: Some(alt), .. }) = out.last_mut() {
                    alt.push_str(&t);
                }
            }
            Event::End(pulldown_cmark::TagEnd::Image) => in_image = false,
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(f) = dest_url.strip_prefix("media:") {
                    out.push(MediaUse {
                        target: f.to_owned(),
                        alt: None,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// Every `lesson:`, `resource:` and `practice:` link target in a Markdown text.
pub fn internal_links(markdown: &str) -> Vec<(&'static str, String)> {
    Parser::new(markdown)
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(k) = dest_url.strip_prefix("lesson:") {
                    Some(("lesson", k.to_owned()))
                } else if let Some(s) = dest_url.strip_prefix("practice:") {
                    Some(("practice", s.to_owned()))
                } else {
                    dest_url
                        .strip_prefix("resource:")
                        .map(|f| ("resource", f.to_owned()))
                }
            }
            _ => None,
        })
        .collect()
}

/// Words in a Markdown text, for length checks and statistics.
pub fn word_count(markdown: &str) -> usize {
    Parser::new(markdown)
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.split_whitespace().count()),
            _ => None,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_words() {
        assert_eq!(word_count("# Title\n\nOne *two* three."), 4);
    }
}
