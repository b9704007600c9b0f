//! LTI's pages: the layout every page shares, and the page that says why a
//! launch was refused (a 4xx, in the reader's language, nothing signed in).

use agora_core::{domain::Locale, lti::Rejection};
use poem::{
    IntoResponse, Request, Response,
    http::{HeaderValue, StatusCode, header},
};
use serde::Serialize;

use crate::http::{
    assets, i18n,
    page::{Layout, error_page, languages},
    templates,
};

/// `template`, with `data`, inside the layout.
pub fn page<T: Serialize>(
    locale: Locale,
    status: StatusCode,
    template: &str,
    title: &str,
    data: &T,
) -> Response {
    let Ok(body) = templates::registry().render(template, data) else {
        return error_page(locale, StatusCode::INTERNAL_SERVER_ERROR);
    };
    let html = templates::registry()
        .render(
            "layout",
            &Layout {
                lang: locale.as_str(),
                title,
                body: &body,
                css: assets::href("css"),
                js: assets::href("js"),
                csrf: "",
                signed_in: false,
                author: false,
                admin: false,
                here: "/",
                section: "lti",
                flash: None,
                languages: languages(locale),
                oembed: None,
                unread: "",
            },
        )
        .unwrap_or_default();
    let mut resp = poem::web::Html(html).with_status(status).into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    resp
}

#[derive(Serialize)]
struct RejectedPage {
    lang: &'static str,
    code: &'static str,
    title: String,
    text: String,
}

/// Why the launch was refused, as a page.
pub fn rejected(locale: Locale, r: Rejection) -> Response {
    tracing::info!(code = r.code(), "LTI launch refused");
    let title = i18n::t(locale, "lti-rejected-title");
    page(
        locale,
        StatusCode::from_u16(r.status()).unwrap_or(StatusCode::BAD_REQUEST),
        "lti_rejected",
        &title,
        &RejectedPage {
            lang: locale.as_str(),
            code: r.code(),
            title: title.clone(),
            text: i18n::t(locale, &format!("lti-rejected-{}", r.code())),
        },
    )
}

/// A failure of Agora's own (logged), as the error page.
pub fn failure(locale: Locale, e: agora_core::Error) -> Response {
    let status = match e {
        agora_core::Error::Backend { .. } | agora_core::Error::Unavailable { .. } => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        agora_core::Error::NotFound { .. } => StatusCode::NOT_FOUND,
        agora_core::Error::Invalid { .. } | agora_core::Error::Conflict { .. } => {
            StatusCode::BAD_REQUEST
        }
        ref other => {
            tracing::error!(error = %other, "LTI request failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    error_page(locale, status)
}

/// A form's or a query's fields.
pub async fn fields(req: &Request, body: poem::Body) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    if req.method() == poem::http::Method::POST
        && let Ok(bytes) = body.into_bytes_limit(64 * 1024).await
    {
        out.extend(url::form_urlencoded::parse(&bytes).into_owned());
    }
    out
}

/// The first value of field `name`.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A cookie for this site: `Secure` when the public address is https;
/// `SameSite=None` too when it must come back on the platform's
/// cross-site form post (the login state).
pub fn cookie(
    https: bool,
    name: &str,
    value: &str,
    path: &str,
    max_age: i64,
    cross_site: bool,
) -> String {
    let same_site = match (cross_site, https) {
        (true, true) => "; SameSite=None; Secure",
        // Without https, SameSite=None is refused: browsers then treat a
        // cookie without the attribute as Lax, allowing a top-level POST
        // for its first two minutes (enough for a login).
        (true, false) => "",
        (false, true) => "; SameSite=Lax; Secure",
        (false, false) => "; SameSite=Lax",
    };
    format!("{name}={value}; Path={path}; HttpOnly; Max-Age={max_age}{same_site}")
}

/// Adds a `Set-Cookie`.
pub fn set_cookie(resp: &mut Response, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::cookie;

    /// The e2e tests run over http, so the https attributes are checked
    /// here: behind https, the login state must come back on the platform's
    /// cross-site form post (`SameSite=None; Secure`), and nothing else is
    /// sent cross-site.
    #[test]
    fn https_cookies_are_secure_and_only_the_login_state_crosses_sites() {
        let state = cookie(true, "lti_state", "v", "/lti", 600, true);
        assert!(state.ends_with("; SameSite=None; Secure"), "{state}");
        assert!(state.contains("HttpOnly"), "{state}");
        let session = cookie(true, "agora_session", "v", "/", 3600, false);
        assert!(session.ends_with("; SameSite=Lax; Secure"), "{session}");
        // Over http, browsers refuse SameSite=None without Secure: the
        // state cookie carries no SameSite (Lax by default, with the
        // two-minute allowance for a top-level POST).
        let plain = cookie(false, "lti_state", "v", "/lti", 600, true);
        assert!(!plain.contains("SameSite"), "{plain}");
        assert!(!plain.contains("Secure"), "{plain}");
        assert_eq!(
            cookie(false, "agora_session", "v", "/", 60, false),
            "agora_session=v; Path=/; HttpOnly; Max-Age=60; SameSite=Lax"
        );
    }
}
