//! The page frame every HTML answer shares (the layout and its language
//! switcher), and the error page, in the reader's language.

use agora_core::domain::Locale;
use poem::{
    IntoResponse, Response,
    http::{HeaderValue, StatusCode, header},
};
use serde::Serialize;

use super::{assets, i18n, templates};

#[derive(Serialize)]
pub struct Language {
    code: &'static str,
    name: &'static str,
    current: bool,
}

#[derive(Serialize)]
pub struct FlashView {
    pub kind: &'static str,
    pub text: String,
}

/// What the `layout` template shows around a page's body.
#[derive(Serialize)]
pub struct Layout<'a> {
    pub lang: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub css: String,
    pub js: String,
    pub csrf: &'a str,
    pub signed_in: bool,
    /// Authors and admins see the authoring link.
    pub author: bool,
    /// The global admin sees the administration link.
    pub admin: bool,
    pub here: &'a str,
    pub section: &'a str,
    pub flash: Option<FlashView>,
    pub languages: Vec<Language>,
    /// oEmbed discovery for pages a partner's CMS can embed.
    pub oembed: Option<&'a str>,
    /// The signed-in reader's unread notifications, as the header shows
    /// them (` (3)`), or nothing.
    pub unread: &'a str,
}

/// The language switcher's entries.
pub fn languages(current: Locale) -> Vec<Language> {
    [
        (Locale::En, "English"),
        (Locale::Fr, "Français"),
        (Locale::Es, "Español"),
    ]
    .into_iter()
    .map(|(l, name)| Language {
        code: l.as_str(),
        name,
        current: l == current,
    })
    .collect()
}

/// The family of an error status, as the error strings name it.
pub fn error_kind(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 405 | 409 | 413 | 415 => "400",
        403 => "403",
        404 => "404",
        429 => "429",
        503 => "503",
        _ => "500",
    }
}

/// The body of an error page (without the layout).
pub fn error_body(locale: Locale, status: StatusCode) -> String {
    #[derive(Serialize)]
    struct E<'a> {
        lang: &'a str,
        title: String,
        text: String,
        code: u16,
    }
    let kind = error_kind(status);
    templates::registry()
        .render(
            "error",
            &E {
                lang: locale.as_str(),
                title: i18n::t(locale, &format!("error-{kind}-title")),
                text: i18n::t(locale, &format!("error-{kind}-text")),
                code: status.as_u16(),
            },
        )
        .unwrap_or_default()
}

/// An error page for a request no page handled (unknown address, wrong
/// method, a panic): the reader's language from the request alone.
pub fn error_page(req_locale: Locale, status: StatusCode) -> Response {
    let body = error_body(req_locale, status);
    let title = i18n::t(req_locale, &format!("error-{}-title", error_kind(status)));
    let html = templates::registry()
        .render(
            "layout",
            &Layout {
                lang: req_locale.as_str(),
                title: &title,
                body: &body,
                css: assets::href("css"),
                js: assets::href("js"),
                csrf: "",
                signed_in: false,
                author: false,
                admin: false,
                here: "/",
                section: "error",
                flash: None,
                languages: languages(req_locale),
                oembed: None,
                unread: "",
            },
        )
        .unwrap_or_default();
    let mut resp = poem::web::Html(html).with_status(status).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}
