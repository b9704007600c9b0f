//! The installable app (issue 23): the web app manifest in the reader's
//! language, the service worker at the root scope, and the offline page it
//! shows for pages not saved on the device. All of it is an enhancement:
//! every page works without it.

use poem::{
    Body, Response, handler,
    http::{StatusCode, header},
};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Ctx, FormData, ctx::DATA_SAVER_COOKIE};
use crate::http::assets::{SW_JS, href, href_of};

/// The app's colour (the header's teal in `app.css`).
pub const THEME: &str = "#14545b";

/// GET `/manifest.webmanifest`: name, icons, colours and start page, in the
/// reader's language (the layout links it with `?lang=`).
#[handler]
pub fn manifest(ctx: Ctx) -> Response {
    let lang = ctx.locale.as_str();
    let body = json!({
        "name": "Agora",
        "short_name": "Agora",
        "description": ctx.t("app-description"),
        "lang": lang,
        "dir": "ltr",
        "id": "/",
        "start_url": format!("/my-learning?lang={lang}"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME,
        "background_color": "#f5f7f7",
        "icons": [
            { "src": href_of("icon-192", "png"), "sizes": "192x192", "type": "image/png", "purpose": "any maskable" },
            { "src": href_of("icon-512", "png"), "sizes": "512x512", "type": "image/png", "purpose": "any maskable" },
        ],
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "application/manifest+json")
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        .header(header::VARY, "Accept-Language, Cookie")
        .body(body.to_string())
}

/// The service worker with this build's assets filled in; its version is
/// their hash, so a new build installs a new worker.
fn service_worker_source(lang: &str) -> String {
    let assets = [href("css"), href("js"), href_of("icon-192", "png")];
    let list = serde_json::to_string(&assets).unwrap_or_else(|_| "[]".into());
    let version = hex::encode(&Sha256::digest(format!("{SW_JS}{list}"))[..5]);
    SW_JS
        .replace("__VERSION__", &format!("{version}-{lang}"))
        .replace("__ASSETS__", &list)
        .replace("__OFFLINE__", &format!("/offline?lang={lang}"))
}

/// GET `/sw.js`: the service worker, whose scope is the whole site. The
/// page registers it with `?lang=`, the language of its offline page.
#[handler]
pub fn service_worker(ctx: Ctx) -> Response {
    Response::builder()
        .header(header::CONTENT_TYPE, "text/javascript; charset=utf-8")
        // Browsers check for a new worker at most daily anyway; never older.
        .header(header::CACHE_CONTROL, "no-cache")
        .body(service_worker_source(ctx.locale.as_str()))
}

#[derive(serde::Serialize)]
struct OfflinePage {
    data_saver: bool,
}

/// GET `/offline`: what the service worker shows for a page not saved on
/// the device, in the reader's language.
#[handler]
pub fn offline_page(ctx: Ctx) -> Response {
    let title = ctx.t("offline-title");
    ctx.page(
        StatusCode::OK,
        "offline",
        &title,
        &OfflinePage { data_saver: false },
    )
}

/// GET `/offline/saved`: the courses saved on this device and the events
/// waiting to be sent. The device knows them, not the server: the page's
/// script lists them (without it, nothing is saved).
#[handler]
pub fn saved_page(ctx: Ctx) -> Response {
    let title = ctx.t("offline-saved-title");
    let page = OfflinePage {
        data_saver: ctx.data_saver,
    };
    ctx.page(StatusCode::OK, "offline_saved", &title, &page)
}

/// POST `/offline/data-saver`: the data saver setting (`on=on|off`), kept
/// in a cookie for a year; anyone may set it for their own browser.
#[handler]
pub async fn data_saver(ctx: Ctx, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let value = match form.get("on") {
        Some("on") => "on",
        _ => "off",
    };
    let mut resp = ctx.redirect("/offline/saved", None);
    if let Ok(v) = ctx
        .cookie(DATA_SAVER_COOKIE, value, 365 * 24 * 3600)
        .parse()
    {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worker_names_its_version_assets_and_offline_page() {
        let js = service_worker_source("fr");
        for placeholder in ["__VERSION__", "__ASSETS__", "__OFFLINE__"] {
            assert!(!js.contains(placeholder), "{placeholder} is filled: {js}");
        }
        assert!(js.contains("\"/offline?lang=fr\""));
        assert!(js.contains(&href("css")));
        assert_ne!(service_worker_source("en"), js, "one worker per language");
    }
}
