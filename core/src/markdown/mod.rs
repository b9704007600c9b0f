//! Authored Markdown to safe HTML: rendered with pulldown-cmark, then sanitised with ammonia.

use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};

mod posts;
mod scan;
pub use posts::{Upload, render_post};
pub use scan::{MediaUse, internal_links, media_uses, word_count};

/// Where `lesson:`, `resource:` and `media:` links of a course point.
pub trait LinkTarget {
    fn lesson(&self, key: &str) -> String;
    fn resource(&self, file: &str) -> String;
    /// A file of the course's `media/` folder; `None` when unknown.
    fn media(&self, _file: &str) -> Option<MediaRef> {
        None
    }
}

/// Where a `media:` file is served, and an image's size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaRef {
    pub url: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// How wide a lesson's image is shown: the text column (`.prose`, 46rem)
/// or the whole screen when narrower.
pub const IMAGE_SIZES: &str = "(max-width: 46rem) 100vw, 46rem";

static SANITIZER: LazyLock<ammonia::Builder<'static>> =
    LazyLock::new(|| sanitizer("noopener noreferrer"));

fn sanitizer(rel: &'static str) -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    b.add_tags(["figure", "figcaption", "iframe"])
        .add_tag_attributes("img", ["loading", "srcset", "sizes"])
        .add_tag_attributes("iframe", ["src", "title", "width", "height"])
        .set_tag_attribute_value("iframe", "loading", "lazy")
        .set_tag_attribute_value("iframe", "allowfullscreen", "")
        .set_tag_attribute_value(
            "iframe",
            "referrerpolicy",
            "strict-origin-when-cross-origin",
        )
        .set_tag_attribute_value(
            "iframe",
            "sandbox",
            "allow-scripts allow-same-origin allow-presentation allow-popups",
        )
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            // Only allow-listed players survive; `drop_unsourced_iframes`
            // then removes the iframes left without an address.
            ("iframe", "src") => crate::embed::embed_src(value).map(Into::into),
            ("iframe", "width" | "height") => (value.len() <= 4
                && value.bytes().all(|b| b.is_ascii_digit()))
            .then_some(value.into()),
            // Angle brackets never reach a start tag (see below).
            ("iframe", "title") => Some(value.replace(['<', '>'], "").into()),
            // Only copies of the site's own published images.
            ("img", "srcset") => value
                .split(',')
                .all(|c| {
                    let c = c.trim();
                    c.starts_with("/media/")
                        && c.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"/.- ".contains(&b))
                })
                .then_some(value.into()),
            ("img", "sizes") => (value == IMAGE_SIZES).then_some(value.into()),
            _ => Some(value.into()),
        })
        .link_rel(Some(rel))
        .url_schemes(["http", "https", "mailto"].into());
    b
}

/// Removes every iframe the sanitiser left without a `src` (its address was
/// not an allowed player), and gives the others a title when the author
/// gave none. Works on the sanitiser's own serialisation: a `<` there
/// starts a tag unless it sits in a (always double-quoted) attribute value
/// or in an iframe's raw content, which is dropped.
/// The length of the tag `tail` starts with, in the sanitiser's output:
/// up to the first `>` outside a (double-quoted) attribute value.
pub(crate) fn tag_len(tail: &str) -> usize {
    let mut quoted = false;
    tail.char_indices()
        .find(|&(_, c)| {
            if c == '"' {
                quoted = !quoted;
            }
            c == '>' && !quoted
        })
        .map(|(i, _)| i + 1)
        .unwrap_or(tail.len())
}

fn drop_unsourced_iframes(html: String) -> String {
    if !html.contains("<iframe") {
        return html;
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let tail = &rest[lt..];
        let end = tag_len(tail);
        let tag = &tail[..end];
        let is_iframe = tag
            .strip_prefix("<iframe")
            .is_some_and(|r| r.starts_with([' ', '>']));
        if !is_iframe {
            out.push_str(tag);
            rest = &tail[end..];
            continue;
        }
        let close = tail[end..]
            .find("</iframe>")
            .map(|i| end + i + "</iframe>".len())
            .unwrap_or(tail.len());
        if tag.contains(" src=\"https://") && tag.ends_with('>') {
            if tag.contains(" title=\"") {
                out.push_str(tag);
            } else {
                let name = if tag.contains("vimeo.com") {
                    "Vimeo"
                } else {
                    "YouTube"
                };
                out.push_str(&tag[..tag.len() - 1]);
                out.push_str(&format!(" title=\"{name}\">"));
            }
            out.push_str("</iframe>");
        }
        rest = &tail[close..];
    }
    out.push_str(rest);
    out
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Renders Markdown to sanitised HTML. Raw HTML in the source is cleaned by
/// the sanitiser: scripts and event handlers never survive, and an iframe
/// only when it is an allow-listed video player.
pub fn render(markdown: &str, links: &dyn LinkTarget) -> String {
    render_with(markdown, links, &SANITIZER, None, &mut Vec::new())
}

/// What an image of a post's Markdown became.
enum Foreign {
    /// A link to its address, its alt text as the words.
    Link,
    /// Its alt text only.
    Text,
}

fn render_with(
    markdown: &str,
    links: &dyn LinkTarget,
    sanitizer: &ammonia::Builder<'static>,
    post: Option<&[Upload]>,
    placed: &mut Vec<String>,
) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    );
    // A `media:` image becomes an <img> with its size (no layout shift) and
    // lazy loading; its alt text is the text between the brackets.
    let mut image: Option<(Option<MediaRef>, String)> = None;
    // A post's images that are not its own uploads.
    let mut foreign: Vec<Foreign> = Vec::new();
    let mut events = Vec::new();
    for event in parser {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) if image.is_none() && post.is_some() => {
                let own = dest_url
                    .strip_prefix("upload:")
                    .and_then(|name| post.unwrap_or_default().iter().find(|u| u.name == name));
                if let Some(u) = own {
                    placed.push(u.name.clone());
                    image = Some((
                        Some(MediaRef {
                            url: u.url.clone(),
                            width: Some(u.width),
                            height: Some(u.height),
                        }),
                        String::new(),
                    ));
                } else if dest_url.starts_with("upload:") {
                    foreign.push(Foreign::Text);
                } else {
                    foreign.push(Foreign::Link);
                    events.push(Event::Start(Tag::Link {
                        link_type: pulldown_cmark::LinkType::Inline,
                        dest_url: resolve(dest_url, links),
                        title: "".into(),
                        id: "".into(),
                    }));
                }
            }
            Event::End(pulldown_cmark::TagEnd::Image) if image.is_none() && post.is_some() => {
                if let Some(Foreign::Link) = foreign.pop() {
                    events.push(Event::End(pulldown_cmark::TagEnd::Link));
                }
            }
            Event::Start(Tag::Image { dest_url, .. })
                if image.is_none() && dest_url.starts_with("media:") =>
            {
                image = Some((links.media(&dest_url["media:".len()..]), String::new()));
            }
            Event::Text(t) | Event::Code(t) if image.is_some() => {
                if let Some((_, alt)) = image.as_mut() {
                    alt.push_str(&t);
                }
            }
            Event::End(pulldown_cmark::TagEnd::Image) if image.is_some() => {
                let (target, mut alt) = image.take().unwrap_or_default();
                if let (Some(r), Some(uploads)) = (&target, post)
                    && alt.trim().is_empty()
                    && let Some(u) = uploads.iter().find(|u| u.url == r.url)
                {
                    // An upload placed without words keeps its own.
                    alt = u.alt.clone();
                }
                let mut tag = String::from("<img");
                if let Some(r) = &target {
                    tag.push_str(&format!(" src=\"{}\"", escape_attr(&r.url)));
                }
                tag.push_str(&format!(" alt=\"{}\"", escape_attr(&alt)));
                if let Some(MediaRef {
                    width: Some(w),
                    height: Some(h),
                    ..
                }) = &target
                {
                    let (w, h) = (*w, *h);
                    tag.push_str(&format!(" width=\"{w}\" height=\"{h}\""));
                    // Smaller copies (and WebP) for narrow screens.
                    if let Some(set) = target
                        .as_ref()
                        .and_then(|r| crate::links::media_srcset(&r.url, w))
                    {
                        tag.push_str(&format!(" srcset=\"{set}\" sizes=\"{IMAGE_SIZES}\""));
                    }
                }
                tag.push_str(" loading=\"lazy\">");
                events.push(Event::InlineHtml(tag.into()));
            }
            _ if image.is_some() => {}
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => events.push(Event::Start(Tag::Link {
                link_type,
                dest_url: resolve(dest_url, links),
                title,
                id,
            })),
            other => events.push(other),
        }
    }
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    drop_unsourced_iframes(sanitizer.clean(&html).to_string())
}

fn resolve<'a>(dest: CowStr<'a>, links: &dyn LinkTarget) -> CowStr<'a> {
    if let Some(key) = dest.strip_prefix("lesson:") {
        links.lesson(key).into()
    } else if let Some(file) = dest.strip_prefix("resource:") {
        links.resource(file).into()
    } else if let Some(file) = dest.strip_prefix("media:") {
        links.media(file).map(|r| r.url).unwrap_or_default().into()
    } else if let Some(slug) = dest.strip_prefix("practice:") {
        // A practice of the library; a malformed name leads nowhere.
        crate::domain::Slug::parse(slug)
            .map(|s| crate::links::practice(s.as_str()))
            .unwrap_or_default()
            .into()
    } else {
        dest
    }
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

    pub(super) struct WithMedia;
    impl LinkTarget for WithMedia {
        fn lesson(&self, key: &str) -> String {
            format!("/l/{key}")
        }
        fn resource(&self, file: &str) -> String {
            format!("/r/{file}")
        }
        fn media(&self, file: &str) -> Option<MediaRef> {
            (file == "map.png").then(|| MediaRef {
                url: "/media/abc.png".into(),
                width: Some(640),
                height: Some(480),
            })
        }
    }

    #[test]
    fn media_images_render_with_size_and_alt() {
        let html = render("![Flood *map* of 2024](media:map.png)", &WithMedia);
        assert!(html.contains("src=\"/media/abc.png\""), "{html}");
        assert!(html.contains("alt=\"Flood map of 2024\""), "{html}");
        assert!(html.contains("width=\"640\" height=\"480\""), "{html}");
        assert!(html.contains("loading=\"lazy\""), "{html}");
        let html = render("[the map](media:map.png)", &WithMedia);
        assert!(html.contains("href=\"/media/abc.png\""), "{html}");
        // An alt text cannot break out of its attribute.
        let html = render("![\"><script>alert(1)</script>](media:map.png)", &WithMedia);
        assert!(!html.contains("<script"), "{html}");
        assert_eq!(
            media_uses("![A map](media:map.png) and [doc](media:d.pdf) ![](media:x.png)"),
            vec![
                MediaUse {
                    target: "map.png".into(),
                    alt: Some("A map".into())
                },
                MediaUse {
                    target: "d.pdf".into(),
                    alt: None
                },
                MediaUse {
                    target: "x.png".into(),
                    alt: Some(String::new())
                },
            ]
        );
    }

    #[test]
    fn wide_images_offer_smaller_copies_and_authors_cannot_forge_them() {
        let html = render("![Flood map](media:map.png)", &WithMedia);
        assert!(
            html.contains(&format!(
                "srcset=\"/media/abc-w480.png 480w, /media/abc-w640.png 640w\" sizes=\"{IMAGE_SIZES}\""
            )),
            "{html}"
        );
        // Raw HTML may not point a srcset elsewhere, nor invent sizes.
        for raw in [
            "<img src=\"/media/abc.png\" srcset=\"https://evil.example/x.png 480w\">",
            "<img src=\"/media/abc.png\" srcset=\"javascript:alert(1) 1x\">",
            "<img src=\"/media/abc.png\" srcset=\"/media/a.png 1x, //evil.example/b.png 2x\">",
            "<img src=\"/media/abc.png\" sizes=\"100vw\" onerror=\"x\">",
        ] {
            let html = render(raw, &WithMedia);
            assert!(html.contains("<img src=\"/media/abc.png\""), "{html}");
            assert!(
                !html.contains("srcset") && !html.contains("sizes"),
                "{html}"
            );
            assert!(
                !html.contains("evil") && !html.contains("onerror"),
                "{html}"
            );
        }
    }

    #[test]
    fn allowed_video_players_survive_with_safe_attributes() {
        for (src, expected) in [
            (
                "https://www.youtube.com/embed/dQw4w9WgXcQ",
                "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            ),
            (
                "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=42",
                "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=42",
            ),
            (
                "https://player.vimeo.com/video/76979871",
                "https://player.vimeo.com/video/76979871",
            ),
        ] {
            let md = format!(
                "Watch:\n\n<iframe src=\"{src}\" title=\"The talk\" width=\"560\" height=\"315\" onload=\"alert(1)\" srcdoc=\"<script>alert(1)</script>\" style=\"position:fixed\"></iframe>\n\nAfter."
            );
            let html = render(&md, &Links);
            assert_eq!(html.matches("<iframe").count(), 1, "{html}");
            assert!(html.contains(&format!("src=\"{expected}\"")), "{html}");
            for kept in [
                "title=\"The talk\"",
                "loading=\"lazy\"",
                "allowfullscreen=\"\"",
                "referrerpolicy=\"strict-origin-when-cross-origin\"",
                "width=\"560\"",
            ] {
                assert!(html.contains(kept), "{kept} in {html}");
            }
            for gone in ["onload", "srcdoc", "style", "<script", "youtube.com/"] {
                assert!(!html.contains(gone), "{gone} in {html}");
            }
            assert!(html.contains("After."), "{html}");
        }
        // Text that mentions an iframe inside an attribute is kept whole.
        let html = render(
            "![An <iframe> diagram](https://example.org/d.png \"a <iframe> title\") and the rest.\n\n<iframe src=\"https://player.vimeo.com/video/1\" title=\"Talk\"></iframe>\n\nEnd.",
            &Links,
        );
        assert!(html.contains("alt=\"An &lt;iframe&gt; diagram\""), "{html}");
        assert!(html.contains("and the rest."), "{html}");
        assert!(html.contains("End."), "{html}");
        assert_eq!(html.matches("<iframe ").count(), 1, "{html}");
        // Without a title, the player still gets one.
        let html = render(
            "<iframe src=\"https://player.vimeo.com/video/1\"></iframe>",
            &Links,
        );
        assert!(html.contains("title=\"Vimeo\""), "{html}");
    }

    #[test]
    fn every_other_iframe_is_removed() {
        let corpus = [
            r#"<iframe src="https://evil.example/embed/dQw4w9WgXcQ"></iframe>"#,
            r#"<iframe src="http://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>"#,
            r#"<iframe src="//www.youtube.com/embed/dQw4w9WgXcQ"></iframe>"#,
            r#"<iframe src="javascript:alert(1)"></iframe>"#,
            r#"<iframe src="JaVaScRiPt:alert(1)"></iframe>"#,
            r#"<iframe src="&#106;avascript:alert(1)"></iframe>"#,
            r#"<iframe src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></iframe>"#,
            r#"<iframe srcdoc="<script>alert(1)</script>"></iframe>"#,
            r#"<iframe onload="alert(1)"></iframe>"#,
            r#"<iframe></iframe>"#,
            r#"<IFRAME SRC="https://evil.example/"></IFRAME>"#,
            r#"<iframe src=" https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>"#,
            r#"<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ "></iframe>"#,
            r#"<iframe src="HTTPS://WWW.YOUTUBE.COM/EMBED/dQw4w9WgXcQ"></iframe>"#,
            r#"<iframe src="https://www.youtube.com.evil.example/embed/dQw4w9WgXcQ"></iframe>"#,
            r#"<iframe src="https://www.youtube.com@evil.example/embed/dQw4w9WgXcQ"></iframe>"#,
            r#"<iframe src="https://www.youtube.com/embed/../../redirect?q=https://evil.example"></iframe>"#,
            r#"<iframe src="https://player.vimeo.com/video/1/../../evil"></iframe>"#,
            r#"<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ%0A"></iframe>"#,
            "<iframe src=\"https://www.you\ntube.com/embed/dQw4w9WgXcQ\"></iframe>",
            r#"<iframe src=https://evil.example/?a=https://www.youtube.com/embed/dQw4w9WgXcQ></iframe>"#,
            r#"<iframe src="https://evil.example/" title="<iframe src=https://www.youtube.com/embed/dQw4w9WgXcQ>"></iframe>"#,
            r#"<iframe/src="https://evil.example/"></iframe>"#,
            r#"<iframe src="https://evil.example/"><iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>"#,
            r#"<frame src="https://evil.example/"><frameset><frame src="https://evil.example/"></frameset>"#,
            r#"<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x.swf">"#,
            r#"<svg><iframe src="https://evil.example/"></iframe></svg>"#,
            r#"<math><iframe src="https://evil.example/"></iframe></math>"#,
            r#"<noscript><iframe src="https://evil.example/"></iframe></noscript>"#,
            r#"<template><iframe src="https://evil.example/"></iframe></template>"#,
        ];
        for bad in corpus {
            for md in [
                bad.to_owned(),
                format!("Text {bad} inline."),
                format!("> {bad}"),
            ] {
                let html = render(&md, &Links);
                let lower = html.to_ascii_lowercase();
                assert!(!lower.contains("<iframe"), "{md:?} gave {html}");
                assert!(!lower.contains("<frame"), "{md:?} gave {html}");
                assert!(!lower.contains("<object"), "{md:?} gave {html}");
                assert!(!lower.contains("<embed"), "{md:?} gave {html}");
                assert!(!lower.contains("evil.example\""), "{md:?} gave {html}");
                assert!(!lower.contains("javascript:"), "{md:?} gave {html}");
            }
        }
    }
}
