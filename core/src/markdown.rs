//! Authored Markdown to safe HTML: rendered with pulldown-cmark, then sanitised with ammonia.

use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};

/// Where `lesson:` and `resource:` links of a course point.
pub trait LinkTarget {
    fn lesson(&self, key: &str) -> String;
    fn resource(&self, file: &str) -> String;
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.add_tags(["figure", "figcaption"])
        .link_rel(Some("noopener noreferrer"))
        .url_schemes(["http", "https", "mailto"].into());
    b
});

/// Renders Markdown to sanitised HTML. Raw HTML in the source is escaped by
/// the sanitiser, scripts and event handlers never survive.
pub fn render(markdown: &str, links: &dyn LinkTarget) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|event| match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: resolve(dest_url, links),
            title,
            id,
        }),
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, parser);
    SANITIZER.clean(&html).to_string()
}

fn resolve<'a>(dest: CowStr<'a>, links: &dyn LinkTarget) -> CowStr<'a> {
    if let Some(key) = dest.strip_prefix("lesson:") {
        links.lesson(key).into()
    } else if let Some(file) = dest.strip_prefix("resource:") {
        links.resource(file).into()
    } else {
        dest
    }
}

/// Every `lesson:` and `resource:` link target in a Markdown text.
pub fn internal_links(markdown: &str) -> Vec<(&'static str, String)> {
    Parser::new(markdown)
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(k) = dest_url.strip_prefix("lesson:") {
                    Some(("lesson", k.to_owned()))
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

    struct Links;
    impl LinkTarget for Links {
        fn lesson(&self, key: &str) -> String {
            format!("/l/{key}")
        }
        fn resource(&self, file: &str) -> String {
            format!("/r/{file}")
        }
    }

    #[test]
    fn scripts_and_handlers_are_removed() {
        let html = render(
            "Hi <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))",
            &Links,
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn internal_links_resolve() {
        let html = render("[a](lesson:intro) and [b](resource:sheet.md)", &Links);
        assert!(html.contains("href=\"/l/intro\""), "{html}");
        assert!(html.contains("href=\"/r/sheet.md\""), "{html}");
        assert_eq!(
            internal_links("[a](lesson:intro)"),
            vec![("lesson", "intro".into())]
        );
    }

    #[test]
    fn counts_words() {
        assert_eq!(word_count("# Title\n\nOne *two* three."), 4);
    }
}
