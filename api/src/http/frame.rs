//! The layout of every page, rendered once per shape and kept as pieces.
//!
//! The `layout` template depends on a handful of things per request (the
//! title, the body, the CSRF token, the page's address, a message to show
//! once, an oEmbed link) and on a few more that take few values (language,
//! signed in or not, author or not, the section, and whether there is a
//! message or an oEmbed link). For each combination of the latter, the
//! template is rendered once with a marker in place of each of the former;
//! a page is then the pieces between the markers with the request's values
//! in between, HTML-escaped as handlebars would have escaped them. No
//! template is interpreted and no JSON context is built per request.

use std::{
    collections::HashMap,
    sync::{Arc, OnceLock, RwLock},
};

use agora_core::domain::Locale;

use super::{
    assets,
    page::{FlashView, Layout, languages},
    templates,
};

/// What changes per request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Title,
    Body,
    Csrf,
    Here,
    Oembed,
    FlashText,
    Unread,
}

impl Slot {
    const ALL: [Slot; 7] = [
        Slot::Title,
        Slot::Body,
        Slot::Csrf,
        Slot::Here,
        Slot::Oembed,
        Slot::FlashText,
        Slot::Unread,
    ];

    /// Its marker: a control character handlebars leaves as it is, which
    /// no template or interface string contains.
    fn marker(self) -> &'static str {
        match self {
            Slot::Title => "\u{1}title\u{1}",
            Slot::Body => "\u{1}body\u{1}",
            Slot::Csrf => "\u{1}csrf\u{1}",
            Slot::Here => "\u{1}here\u{1}",
            Slot::Oembed => "\u{1}oembed\u{1}",
            Slot::FlashText => "\u{1}flash\u{1}",
            Slot::Unread => "\u{1}unread\u{1}",
        }
    }
}

enum Piece {
    Text(Box<str>),
    Slot(Slot),
}

/// What a page's frame shows around its body.
pub struct Frame<'a> {
    pub locale: Locale,
    pub title: &'a str,
    /// The body, in pieces put end to end (a page may splice a large
    /// shared fragment between two rendered ones without copying it twice).
    pub body: &'a [&'a str],
    pub csrf: &'a str,
    pub signed_in: bool,
    pub author: bool,
    pub admin: bool,
    pub here: &'a str,
    pub section: &'a str,
    pub flash: Option<FlashView>,
    pub oembed: Option<&'a str>,
    /// Unread notifications as the header shows them (` (3)`), or empty.
    pub unread: &'a str,
}

#[derive(Hash, PartialEq, Eq)]
struct Shape {
    locale: Locale,
    signed_in: bool,
    author: bool,
    admin: bool,
    section: String,
    flash_kind: Option<&'static str>,
    oembed: bool,
}

type Shapes = RwLock<HashMap<Shape, Arc<Vec<Piece>>>>;

fn shapes() -> &'static Shapes {
    static S: OnceLock<Shapes> = OnceLock::new();
    S.get_or_init(Shapes::default)
}

/// The layout of `shape` cut at its markers; `None` if it does not render.
fn pieces(shape: Shape) -> Option<Arc<Vec<Piece>>> {
    if let Some(p) = shapes().read().expect("not poisoned").get(&shape) {
        return Some(p.clone());
    }
    let html = templates::registry()
        .render(
            "layout",
            &Layout {
                lang: shape.locale.as_str(),
                title: Slot::Title.marker(),
                body: Slot::Body.marker(),
                css: assets::href("css"),
                js: assets::href("js"),
                csrf: Slot::Csrf.marker(),
                signed_in: shape.signed_in,
                author: shape.author,
                admin: shape.admin,
                here: Slot::Here.marker(),
                section: &shape.section,
                flash: shape.flash_kind.map(|kind| FlashView {
                    kind,
                    text: Slot::FlashText.marker().into(),
                }),
                languages: languages(shape.locale),
                oembed: shape.oembed.then(|| Slot::Oembed.marker()),
                unread: Slot::Unread.marker(),
            },
        )
        .map_err(|e| tracing::error!(error = %e, "the layout did not render"))
        .ok()?;
    let pieces = Arc::new(cut(&html));
    // A section name is a template's name, from our code: few shapes.
    let mut all = shapes().write().expect("not poisoned");
    if all.len() < 2_000 {
        all.insert(shape, pieces.clone());
    }
    Some(pieces)
}

/// `html` as text between the slots' markers.
fn cut(mut html: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    loop {
        let next = Slot::ALL
            .iter()
            .filter_map(|s| html.find(s.marker()).map(|at| (at, *s)))
            .min_by_key(|(at, _)| *at);
        match next {
            Some((at, slot)) => {
                if at > 0 {
                    out.push(Piece::Text(html[..at].into()));
                }
                out.push(Piece::Slot(slot));
                html = &html[at + slot.marker().len()..];
            }
            None => {
                if !html.is_empty() {
                    out.push(Piece::Text(html.into()));
                }
                return out;
            }
        }
    }
}

/// Appends `s` HTML-escaped exactly as handlebars escapes (`html_escape`).
pub fn push_escaped(out: &mut String, s: &str) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'&' => "&amp;",
            b'\'' => "&#x27;",
            b'`' => "&#x60;",
            b'=' => "&#x3D;",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&s[last..]);
}

/// The whole page: the layout of the frame's shape around its body.
pub fn render(f: &Frame) -> Option<String> {
    let pieces = pieces(Shape {
        locale: f.locale,
        signed_in: f.signed_in,
        author: f.author,
        admin: f.admin,
        section: f.section.to_owned(),
        flash_kind: f.flash.as_ref().map(|x| x.kind),
        oembed: f.oembed.is_some(),
    })?;
    let text: usize = pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.len(),
            Piece::Slot(_) => 0,
        })
        .sum();
    let body: usize = f.body.iter().map(|b| b.len()).sum();
    let mut out = String::with_capacity(text + body + 256);
    for p in pieces.iter() {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Slot(Slot::Body) => f.body.iter().for_each(|b| out.push_str(b)),
            Piece::Slot(Slot::Title) => push_escaped(&mut out, f.title),
            Piece::Slot(Slot::Csrf) => push_escaped(&mut out, f.csrf),
            Piece::Slot(Slot::Here) => push_escaped(&mut out, f.here),
            Piece::Slot(Slot::Oembed) => push_escaped(&mut out, f.oembed.unwrap_or_default()),
            Piece::Slot(Slot::FlashText) => {
                push_escaped(&mut out, f.flash.as_ref().map_or("", |x| &x.text))
            }
            Piece::Slot(Slot::Unread) => push_escaped(&mut out, f.unread),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pieces give exactly what handlebars renders, for every shape.
    #[test]
    fn the_frame_is_the_layout() {
        for locale in Locale::ALL {
            for (signed_in, author, admin) in [
                (false, false, false),
                (true, false, false),
                (true, true, false),
                (true, true, true),
            ] {
                for flash in [None, Some("ok")] {
                    for oembed in [None, Some("https://x.example/oembed?url=a&b=\"c\"")] {
                        let title = "Risk <&> \"reduction\" = 'it'`";
                        let body = "<p>raw & <b>kept</b></p>";
                        let csrf = "tok=\"en\"";
                        let here = "/courses?q=a&b=<c>";
                        let text = "Saved <now> & 'then'";
                        let want = templates::registry()
                            .render(
                                "layout",
                                &Layout {
                                    lang: locale.as_str(),
                                    title,
                                    body,
                                    css: assets::href("css"),
                                    js: assets::href("js"),
                                    csrf,
                                    signed_in,
                                    author,
                                    admin,
                                    here,
                                    section: "catalogue",
                                    flash: flash.map(|kind| FlashView {
                                        kind,
                                        text: text.into(),
                                    }),
                                    languages: languages(locale),
                                    oembed,
                                    unread: " (3)",
                                },
                            )
                            .unwrap();
                        let got = render(&Frame {
                            locale,
                            title,
                            body: &[&body[..4], &body[4..]],
                            csrf,
                            signed_in,
                            author,
                            admin,
                            here,
                            section: "catalogue",
                            flash: flash.map(|kind| FlashView {
                                kind,
                                text: text.into(),
                            }),
                            oembed,
                            unread: " (3)",
                        })
                        .unwrap();
                        assert_eq!(got, want);
                    }
                }
            }
        }
    }

    #[test]
    fn escaping_is_handlebars_escaping() {
        let s = "a<b>c\"d'e`f=g&h — é";
        let mut out = String::new();
        push_escaped(&mut out, s);
        assert_eq!(out, handlebars::html_escape(s));
    }
}
