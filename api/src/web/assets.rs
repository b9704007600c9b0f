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

const SOURCES: [(&str, &str, &str, &[u8]); 2] = [
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
];

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

/// The URL of an asset, e.g. `href("css")` → `/static/app.3f9c2d1a7b.css`.
pub fn href(ext: &str) -> String {
    assets()
        .iter()
        .find(|a| a.name.ends_with(&format!(".{ext}")))
        .map(|a| format!("/static/{}", a.name))
        .unwrap_or_default()
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
