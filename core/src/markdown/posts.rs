//! People's posts: the same Markdown, with their links marked as theirs
//! and their own uploads as the only images.

use std::sync::LazyLock;

use super::{LinkTarget, escape_attr, render_with, sanitizer, tag_len};

/// The same rules for people's posts: their links are marked as theirs
/// (`ugc`)...
static POST_SANITIZER: LazyLock<ammonia::Builder<'static>> =
    LazyLock::new(|| post_sanitizer("noopener noreferrer ugc"));

/// ...and those of new accounts are not endorsed (`rel="nofollow ugc"`).
static UGC_SANITIZER: LazyLock<ammonia::Builder<'static>> =
    LazyLock::new(|| post_sanitizer("noopener noreferrer nofollow ugc"));

/// A post's images are its own uploads only: no copies of course media.
fn post_sanitizer(rel: &'static str) -> ammonia::Builder<'static> {
    let mut b = sanitizer(rel);
    b.rm_tag_attributes("img", &["srcset", "sizes"]);
    b
}

/// One image a post carries (uploaded with it): `![alt](upload:<name>)`
/// in its Markdown places it; the others show under its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    /// `<sha256>.<ext>`.
    pub name: String,
    /// Where it is served (to those who may read the post).
    pub url: String,
    /// Its text alternative, given at upload.
    pub alt: String,
    pub width: u32,
    pub height: u32,
}

/// Renders a person's post as a lesson, except that its links carry
/// `rel="ugc"` (`rel="nofollow ugc"` when `new_account` is set), and that
/// its only images are its own `uploads`: `![alt](upload:<name>)` places
/// one; any other image (remote, a course's media, another post's upload,
/// raw `<img>`) becomes a link or its text, so a post never loads an image
/// from elsewhere (no tracking pixels). The uploads it does not place are
/// shown after its text.
pub fn render_post(
    markdown: &str,
    links: &dyn LinkTarget,
    new_account: bool,
    uploads: &[Upload],
) -> String {
    let sanitizer = if new_account {
        &UGC_SANITIZER
    } else {
        &POST_SANITIZER
    };
    let mut placed = Vec::new();
    let html = render_with(markdown, links, sanitizer, Some(uploads), &mut placed);
    let mut html = keep_own_images(html, uploads);
    let rest: Vec<&Upload> = uploads
        .iter()
        .filter(|u| !placed.contains(&u.name))
        .collect();
    if !rest.is_empty() {
        html.push_str("<p class=\"post-images\">");
        for u in rest {
            html.push_str(&upload_tag(u, &u.alt));
        }
        html.push_str("</p>");
    }
    html
}

fn upload_tag(u: &Upload, alt: &str) -> String {
    format!(
        "<img src=\"{}\" alt=\"{}\" width=\"{}\" height=\"{}\" loading=\"lazy\">",
        escape_attr(&u.url),
        escape_attr(alt),
        u.width,
        u.height
    )
}

/// Drops every `<img>` of the sanitiser's output whose address is not one
/// of the post's own uploads (raw HTML images, whatever their form).
fn keep_own_images(html: String, uploads: &[Upload]) -> String {
    if !html.contains("<img") {
        return html;
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let tail = &rest[lt..];
        let end = tag_len(tail);
        let tag = &tail[..end];
        let is_img = tag
            .strip_prefix("<img")
            .is_some_and(|r| r.starts_with([' ', '>', '/']));
        let own = || {
            let Some(at) = tag.find(" src=\"") else {
                return false;
            };
            let value = &tag[at + 6..];
            let src = &value[..value.find('"').unwrap_or(value.len())];
            uploads.iter().any(|u| escape_attr(&u.url) == src)
        };
        if !is_img || own() {
            out.push_str(tag);
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::tests::WithMedia;

    #[test]
    fn posts_show_only_their_own_uploads() {
        let own = Upload {
            name: format!("{}.png", "a".repeat(64)),
            url: format!("/discussions/posts/1/images/{}.png", "a".repeat(64)),
            alt: "Flood map".into(),
            width: 640,
            height: 480,
        };
        let other = format!("{}.png", "b".repeat(64));
        let md = format!(
            "![](upload:{}) ![pixel](https://evil.example/p.gif) ![theirs](upload:{other}) \
             <img src=\"https://evil.example/t.gif\"> <img src=\"/discussions/posts/2/images/{other}\"> \
             ![course](media:map.png)",
            own.name
        );
        let html = render_post(&md, &WithMedia, false, std::slice::from_ref(&own));
        assert_eq!(html.matches("<img").count(), 1, "{html}");
        assert!(
            html.contains(&format!(
                "<img src=\"{}\" alt=\"Flood map\" width=\"640\" height=\"480\" loading=\"lazy\">",
                own.url
            )),
            "{html}"
        );
        assert!(
            html.contains("href=\"https://evil.example/p.gif\""),
            "{html}"
        );
        assert!(html.contains(">pixel</a>"), "{html}");
        assert!(html.contains("theirs"), "{html}");
        assert!(!html.contains("evil.example/t.gif"), "{html}");
        assert!(!html.contains("srcset"), "{html}");
        // Not placed: shown after the text, with its alt text.
        let html = render_post("Hello", &WithMedia, false, std::slice::from_ref(&own));
        assert!(
            html.contains("<p class=\"post-images\"><img src="),
            "{html}"
        );
        let xss = Upload {
            alt: "\"><script>alert(1)</script>".into(),
            ..own
        };
        let html = render_post("x", &WithMedia, false, &[xss]);
        assert!(!html.contains("<script"), "{html}");
    }
}
