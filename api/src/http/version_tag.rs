//! `ETag`s that name a content version instead of hashing a body: a
//! conditional request is answered before any work, from memory.
//!
//! A tag is the published-content version (content generation and counts
//! window, see `agora_core::published`), what the answer varies by (the
//! reader's locales, and for a page the reader's CSRF token it carries),
//! and the build id: another build may render the same content otherwise.

use std::sync::OnceLock;

use agora_core::published::CatalogueVersion;
use sha2::{Digest, Sha256};

use super::{assets, templates};

/// This build's id: what else shapes a page or a JSON answer than the
/// content (templates, strings, assets, the version of the code).
pub fn build_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let mut h = Sha256::new();
        h.update(env!("CARGO_PKG_VERSION"));
        for (name, src) in templates::PAGES {
            h.update(name);
            h.update(src);
        }
        for strings in [
            include_str!("../../../frontend/locales/en/main.ftl"),
            include_str!("../../../frontend/locales/fr/main.ftl"),
            include_str!("../../../frontend/locales/es/main.ftl"),
        ] {
            h.update(strings);
        }
        h.update(assets::href("css"));
        h.update(assets::href("js"));
        hex::encode(h.finalize())[..12].to_owned()
    })
}

/// The strong `ETag` of an answer at content version `v` that varies by `variant`.
pub fn etag(v: CatalogueVersion, variant: &str) -> String {
    format!("\"{v}.{variant}.{}\"", build_id())
}

/// Whether the client's `If-None-Match` names `etag` (weak comparison, as
/// RFC 9110 asks): the one check for every tag, version tags and the body
/// hashes of `middleware::conditional_get` alike.
pub fn matches(if_none_match: Option<&str>, etag: &str) -> bool {
    if_none_match.is_some_and(|inm| {
        inm.split(',')
            .map(str::trim)
            .any(|t| t == "*" || t.trim_start_matches("W/") == etag)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_names_the_version_and_the_variant() {
        let v = CatalogueVersion {
            generation: 7,
            window: 3,
        };
        let t = etag(v, "fr");
        assert!(t.starts_with("\"g7.w3.fr.") && t.ends_with('"'), "{t}");
        assert_ne!(t, etag(CatalogueVersion { generation: 8, ..v }, "fr"));
        assert_ne!(t, etag(v, "en"));
        assert!(matches(Some(&format!("\"x\", W/{t}")), &t));
        assert!(matches(Some("*"), &t));
        assert!(!matches(Some("\"g6.w3.fr\""), &t));
        assert!(!matches(None, &t));
    }
}
