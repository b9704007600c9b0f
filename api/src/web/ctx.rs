//! Who is reading a page, in which language, and the CSRF token their
//! forms carry; the layout around every page, redirects with a message
//! shown once, and error pages.

use agora_core::{
    accounts::{self, Principal},
    domain::Locale,
};
use poem::{
    FromRequest, IntoResponse, Request, RequestBody, Response,
    http::{HeaderValue, StatusCode, header},
};
use serde::Serialize;

use super::form::FormData;
use crate::{
    http::{
        caller,
        cookies::cookie,
        frame::{self, Frame},
        i18n,
        locale::page_locale,
        page::{FlashView, error_body, error_kind},
        templates,
    },
    state::AppState,
};

pub use crate::http::cookies::CSRF_COOKIE;
pub const FLASH_COOKIE: &str = "agora_flash";
/// The data saver setting (issue 23): `on` or `off`.
pub const DATA_SAVER_COOKIE: &str = "agora_data_saver";

/// Where [`Ctx::page_spliced`] puts its fragment: a control character no
/// template, string or escaped value contains.
pub const SPLICE: &str = "\u{1}splice\u{1}";

/// The CSRF token a kept body is rendered with: see `versioned` and
/// `learning::kept`.
pub(crate) const NO_TOKEN: &str = "\u{1}csrf\u{1}";

/// A short-lived message shown once on the next page. The cookie holds only
/// the key of one of our own strings, so a forged cookie can show nothing else.
#[derive(Clone, Copy)]
pub enum Flash {
    Ok(&'static str),
    Error(&'static str),
}

fn flash_from_cookie(v: &str) -> Option<(String, &'static str)> {
    let (kind, key) = v.split_once('.')?;
    let kind = match kind {
        "ok" => "ok",
        "error" => "error",
        _ => return None,
    };
    (key.starts_with("flash-")
        && key.len() < 60
        && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
    .then(|| (key.to_owned(), kind))
}

/// Who is reading, in which language, and the CSRF token their forms carry.
pub struct Ctx {
    pub state: AppState,
    pub locale: Locale,
    pub user: Option<Principal>,
    /// The token every form of this page carries.
    pub csrf: String,
    /// Set when the reader had no CSRF cookie yet.
    pub(super) new_csrf: bool,
    pub(super) flash: Option<(String, &'static str)>,
    /// Path and query of this page (for "back here after signing in").
    pub here: String,
    /// The time zone `Accept-Language` suggests, for readers who chose none.
    pub zone_hint: Option<&'static str>,
    /// Data saver: the reader's setting, or their browser's `Save-Data: on`.
    pub data_saver: bool,
    /// The signed-in reader's unread notifications.
    pub unread: u64,
    secure: bool,
}

impl<'a> FromRequest<'a> for Ctx {
    async fn from_request(req: &'a Request, _: &mut RequestBody) -> poem::Result<Self> {
        let state = req
            .data::<AppState>()
            .cloned()
            .ok_or_else(|| poem::Error::from_status(StatusCode::INTERNAL_SERVER_ERROR))?;
        let user = caller::session_user(&state, req).await;
        let unread = match &user {
            Some(u) => state
                .discussions
                .unread_count(u.user_id)
                .await
                .unwrap_or_default(),
            None => 0,
        };
        let locale = page_locale(req, user.as_ref().map(|u| u.locale));
        let (csrf, new_csrf) = match cookie(req, CSRF_COOKIE) {
            Some(c) if c.len() <= 100 => (c.to_owned(), false),
            _ => (accounts::new_token(""), true),
        };
        // This page's address without `lang`, so that the switcher's choice
        // is not overridden on the way back.
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
                    .filter(|(k, _)| k != "lang"),
            )
            .finish();
        let here = match query.as_str() {
            "" => req.uri().path().to_owned(),
            q => format!("{}?{q}", req.uri().path()),
        };
        Ok(Ctx {
            secure: state.config.public_url().scheme() == "https",
            state,
            locale,
            user,
            csrf,
            new_csrf,
            flash: cookie(req, FLASH_COOKIE).and_then(flash_from_cookie),
            data_saver: cookie(req, DATA_SAVER_COOKIE) == Some("on")
                || req
                    .headers()
                    .get("save-data")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("on")),
            here,
            unread,
            zone_hint: req
                .headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(agora_core::time_zones::guess),
        })
    }
}

/// A page's own data, with the language at the root for `{{t}}`.
#[derive(Serialize)]
struct PageData<'a, T: Serialize> {
    lang: &'a str,
    csrf: &'a str,
    #[serde(flatten)]
    page: &'a T,
}

impl Ctx {
    /// A page reached from a mail's link speaks the language of that mail
    /// (`mail_locale`), unless the reader is signed in or asked for another
    /// with `?lang=`.
    pub fn speak_mail_locale(&mut self, req: &poem::Request, mail_locale: Locale) {
        if self.user.is_none() && !req.uri().query().unwrap_or("").contains("lang=") {
            self.locale = mail_locale;
        }
    }

    pub fn t(&self, key: &str) -> String {
        i18n::t(self.locale, key)
    }

    pub fn cookie(&self, name: &str, value: &str, max_age: i64) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
    }

    pub(super) fn finish(
        &self,
        mut resp: Response,
        flash: Option<Flash>,
        shown_flash: bool,
    ) -> Response {
        let h = resp.headers_mut();
        // A page carries its reader's CSRF token: never in a shared cache.
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
        h.insert(
            header::VARY,
            HeaderValue::from_static("Cookie, Accept-Language"),
        );
        let mut cookies = Vec::new();
        if self.new_csrf {
            cookies.push(self.cookie(CSRF_COOKIE, &self.csrf, 30 * 24 * 3600));
        }
        match flash {
            Some(Flash::Ok(k)) => cookies.push(self.cookie(FLASH_COOKIE, &format!("ok.{k}"), 60)),
            Some(Flash::Error(k)) => {
                cookies.push(self.cookie(FLASH_COOKIE, &format!("error.{k}"), 60))
            }
            None if shown_flash => cookies.push(self.cookie(FLASH_COOKIE, "", 0)),
            None => {}
        }
        for c in cookies {
            if let Ok(v) = HeaderValue::from_str(&c) {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
        }
        resp
    }

    /// Renders `template` with `data` inside the layout.
    pub fn page<T: Serialize>(
        &self,
        status: StatusCode,
        template: &str,
        title: &str,
        data: &T,
    ) -> Response {
        self.page_with_oembed(status, template, title, data, None)
    }

    /// A page with an oEmbed discovery link in its head.
    pub fn page_with_oembed<T: Serialize>(
        &self,
        status: StatusCode,
        template: &str,
        title: &str,
        data: &T,
        oembed: Option<&str>,
    ) -> Response {
        match self.body(template, data) {
            Some(body) => self.layout(status, title, template, &[&body], oembed),
            None => self.error(StatusCode::INTERNAL_SERVER_ERROR),
        }
    }

    /// A page whose data carries [`SPLICE`] where `fragment` (large, shared
    /// HTML such as a lesson body) goes: the fragment is put in place once,
    /// into the finished page, instead of passing through the template.
    pub fn page_spliced<T: Serialize>(
        &self,
        status: StatusCode,
        template: &str,
        title: &str,
        data: &T,
        fragment: &str,
    ) -> Response {
        let Some(body) = self.body(template, data) else {
            return self.error(StatusCode::INTERNAL_SERVER_ERROR);
        };
        match body.split_once(SPLICE) {
            Some((before, after)) => {
                self.layout(status, title, template, &[before, fragment, after], None)
            }
            None => self.layout(status, title, template, &[&body], None),
        }
    }

    /// `template` rendered with `data`, without the layout.
    fn body<T: Serialize>(&self, template: &str, data: &T) -> Option<String> {
        self.body_with_token(template, data, &self.csrf)
    }

    pub(super) fn body_with_token<T: Serialize>(
        &self,
        template: &str,
        data: &T,
        csrf: &str,
    ) -> Option<String> {
        templates::registry()
            .render(
                template,
                &PageData {
                    lang: self.locale.as_str(),
                    csrf,
                    page: data,
                },
            )
            .map_err(|e| tracing::error!(error = %e, template, "a page did not render"))
            .ok()
    }

    pub(super) fn layout(
        &self,
        status: StatusCode,
        title: &str,
        section: &str,
        body: &[&str],
        oembed: Option<&str>,
    ) -> Response {
        let html = self.framed(title, section, body, oembed, &self.csrf);
        let resp = poem::web::Html(html).with_status(status).into_response();
        self.finish(resp, None, self.flash.is_some())
    }

    /// `body` inside the layout, for this reader but with `csrf` as the
    /// forms' token.
    pub(super) fn framed(
        &self,
        title: &str,
        section: &str,
        body: &[&str],
        oembed: Option<&str>,
        csrf: &str,
    ) -> String {
        let flash = self.flash.as_ref().map(|(key, kind)| FlashView {
            kind,
            text: self.t(key),
        });
        let unread = match self.unread {
            0 => String::new(),
            n => format!(" ({n})"),
        };
        frame::render(&Frame {
            locale: self.locale,
            title,
            body,
            csrf,
            signed_in: self.user.is_some(),
            author: self
                .user
                .as_ref()
                .is_some_and(|u| u.role != agora_core::accounts::Role::Learner),
            admin: self
                .user
                .as_ref()
                .is_some_and(|u| u.role == agora_core::accounts::Role::Admin),
            here: &self.here,
            section,
            flash,
            oembed,
            unread: &unread,
        })
        .unwrap_or_else(|| {
            "<!DOCTYPE html><title>Agora</title><p>Something went wrong on our side.</p>".into()
        })
    }

    /// 303 See Other to `to`, with a message for the next page.
    pub fn redirect(&self, to: &str, flash: Option<Flash>) -> Response {
        let resp = Response::builder()
            .status(StatusCode::SEE_OTHER)
            .header(header::LOCATION, to)
            .finish();
        self.finish(resp, flash, false)
    }

    /// A readable error page in the reader's language.
    pub fn error(&self, status: StatusCode) -> Response {
        let body = error_body(self.locale, status);
        let title = self.t(&format!("error-{}-title", error_kind(status)));
        self.layout(status, &title, "error", &[&body], None)
    }

    /// The signed-in reader, or a redirect to the sign-in page and back here.
    // The `Err` is the page to answer instead, built once per request:
    // boxing it would only add an allocation.
    #[allow(clippy::result_large_err)]
    pub fn require_user(&self) -> Result<&Principal, Response> {
        self.user.as_ref().ok_or_else(|| {
            let next: String = url::form_urlencoded::byte_serialize(self.here.as_bytes()).collect();
            self.redirect(&format!("/sign-in?next={next}"), None)
        })
    }

    /// A form's CSRF token must match: the session's for a signed-in
    /// reader, the cookie's (double submit) for anyone else.
    #[allow(clippy::result_large_err)]
    pub fn check_csrf(&self, form: &FormData) -> Result<(), Response> {
        let sent = form.get("csrf").unwrap_or_default();
        let ok = match &self.user {
            Some(u) => u.csrf_hash.as_deref() == Some(accounts::token_hash(sent).as_str()),
            None => !self.new_csrf && !sent.is_empty() && constant_eq(sent, &self.csrf),
        };
        if ok {
            Ok(())
        } else {
            Err(self.error(StatusCode::FORBIDDEN))
        }
    }

    /// Maps a core error to a page. Form errors are handled by the forms.
    pub fn fail(&self, e: agora_core::Error) -> Response {
        use agora_core::Error as E;
        match e {
            E::NotFound { .. } => self.error(StatusCode::NOT_FOUND),
            E::Forbidden { .. } => self.error(StatusCode::FORBIDDEN),
            E::Unauthorized { .. } => match self.require_user() {
                Err(r) => r,
                Ok(_) => self.error(StatusCode::FORBIDDEN),
            },
            E::RateLimited { .. } => self.error(StatusCode::TOO_MANY_REQUESTS),
            E::Invalid { .. } | E::BadParameter { .. } => self.error(StatusCode::BAD_REQUEST),
            E::Conflict { .. } => self.error(StatusCode::CONFLICT),
            E::Unavailable { .. } => self.error(StatusCode::SERVICE_UNAVAILABLE),
            E::Backend { what, ref detail } => {
                tracing::warn!(backend = what, error = %detail, "backend failed");
                self.error(StatusCode::SERVICE_UNAVAILABLE)
            }
            E::Database(ref cause) => {
                tracing::error!(error = %cause, "database error");
                self.error(StatusCode::INTERNAL_SERVER_ERROR)
            }
            E::Internal(ref cause) => {
                tracing::error!(error = %cause, "internal error");
                self.error(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }

    /// The content locales for this reader, best first.
    pub fn preferred(&self) -> Vec<Locale> {
        let mut out = vec![self.locale];
        for l in Locale::ALL {
            if !out.contains(&l) {
                out.push(l);
            }
        }
        out
    }
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flash_cookies_name_only_our_messages() {
        assert!(flash_from_cookie("ok.flash-signed-in").is_some());
        assert!(flash_from_cookie("ok.<script>").is_none());
        assert!(flash_from_cookie("weird.flash-signed-in").is_none());
        assert!(flash_from_cookie("ok.error-404-title").is_none());
    }
}
