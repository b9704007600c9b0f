//! Static assets embedded in the binary, served under names that carry a
//! hash of their content, so browsers may keep them for a year.

use std::sync::OnceLock;

use poem::{
    Response, handler,
    http::{StatusCode, header},
    web::Path,
};
use sha2::{Digest, Sha256};

struct Asset {
    /// `app.3f9c2d1a7b.css`
    name: String,
    content_type: &'static str,
    bytes: &'static [u8],
}

const SOURCES: [(&str, &str, &str, &[u8]); 6] = [
    (
        "app",
        "css",
        "text/css; charset=utf-8",
        include_bytes!("../../../frontend/static/app.css"),
    ),
    (
        "app",
        "js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../frontend/static/app.js"),
    ),
    (
        "embed",
        "css",
        "text/css; charset=utf-8",
        include_bytes!("../../../frontend/static/embed.css"),
    ),
    (
        "embed-frame",
        "js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../frontend/static/embed-frame.js"),
    ),
    // The installable app's icons (drawn by `scripts/make-icons.py`).
    (
        "icon-192",
        "png",
        "image/png",
        include_bytes!("../../../frontend/static/icons/icon-192.png"),
    ),
    (
        "icon-512",
        "png",
        "image/png",
        include_bytes!("../../../frontend/static/icons/icon-512.png"),
    ),
];

/// The service worker's source, filled in by `web::offline`.
pub const SW_JS: &str = include_str!("../../../frontend/static/sw.js");

/// The partner embed script, at a stable address partners can paste.
pub const EMBED_JS: &[u8] = include_bytes!("../../../frontend/static/embed.js");

fn assets() -> &'static [Asset] {
    static A: OnceLock<Vec<Asset>> = OnceLock::new();
    A.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(stem, ext, content_type, bytes)| Asset {
                name: format!("{stem}.{}.{ext}", &hex::encode(Sha256::digest(bytes))[..10]),
                content_type,
                bytes,
            })
            .collect()
    })
}

/// The URL of an asset of the app, e.g. `href("css")` → `/static/app.3f9c2d1a7b.css`.
pub fn href(ext: &str) -> String {
    href_of("app", ext)
}

/// The URL of any asset by stem and extension.
pub fn href_of(stem: &str, ext: &str) -> String {
    assets()
        .iter()
        .find(|a| {
            a.name.starts_with(&format!("{stem}."))
                && a.name.ends_with(&format!(".{ext}"))
                && a.name.matches('.').count() == 2
        })
        .map(|a| format!("/static/{}", a.name))
        .unwrap_or_default()
}

/// `/embed.js`: the embed script under a name that never changes, so it is
/// kept only briefly and partners get fixes within minutes.
#[handler]
pub fn embed_script() -> Response {
    Response::builder()
        .header(header::CONTENT_TYPE, "text/javascript; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=300")
        .header("cross-origin-resource-policy", "cross-origin")
        .body(EMBED_JS)
}

/// `/static/:name`: only the current hashed names exist.
#[handler]
pub fn serve(Path(name): Path<String>) -> Response {
    match assets().iter().find(|a| a.name == name) {
        Some(a) => Response::builder()
            .header(header::CONTENT_TYPE, a.content_type)
            .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
            .body(a.bytes),
        None => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body("not found"),
    }
}
