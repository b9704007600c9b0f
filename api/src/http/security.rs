//! Security headers: the content policy of pages and embeds.

use poem::{Response, http::HeaderValue};

/// Pages under `/embed/` are made to be framed by any site.
pub const EMBED_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors *";

/// Content-Security-Policy of every page: our own scripts and styles only.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' https:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Security headers on everything outside the JSON API (whose explorer
/// needs inline scripts of its own).
pub fn security_headers(path: &str, resp: &mut Response) {
    let h = resp.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    if path.starts_with("/api/") {
        return;
    }
    // Embeds are framed by partner sites: no X-Frame-Options, and a policy
    // that lets any page frame them.
    let embed = path.starts_with("/embed/");
    if embed {
        h.insert(
            "content-security-policy",
            HeaderValue::from_static(EMBED_CSP),
        );
    }
    for (name, value) in [
        ("content-security-policy", CSP),
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
        ("cross-origin-opener-policy", "same-origin"),
    ] {
        if embed && name == "x-frame-options" {
            continue;
        }
        if !h.contains_key(name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
}

/// The policy of pages showing authored Markdown: like every page's, plus
/// the allow-listed video players.
pub fn allow_video_frames(resp: &mut Response) {
    let csp = format!("{CSP}; frame-src {}", agora_core::embed::EMBED_FRAME_SRC);
    if let Ok(v) = HeaderValue::from_str(&csp) {
        resp.headers_mut().insert("content-security-policy", v);
    }
}
