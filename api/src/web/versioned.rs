//! Pages of published content with a version `ETag`, for anonymous
//! readers: a revalidation is answered from memory with a `304`.

use poem::{
    Request, Response,
    http::{HeaderValue, StatusCode, header},
};
use sha2::{Digest, Sha256};

use super::Ctx;
use crate::http::version_tag;

/// Pages with a version tag: kept by the browser only, and revalidated.
const PAGE_REVALIDATE: &str = "private, no-cache";

impl Ctx {
    /// The version `ETag` of a page of published content (catalogue, home,
    /// course page) for an anonymous reader: the content version, the
    /// page's language and the reader's CSRF token, which the page carries.
    /// None for a signed-in reader (the page shows who they are and what
    /// they follow), a reader without a CSRF cookie yet (the answer sets
    /// one) or with a message to show once: those pages are not revalidated.
    pub fn public_page_tag(&self, v: agora_core::published::CatalogueVersion) -> Option<String> {
        if self.user.is_some() || self.new_csrf || self.flash.is_some() {
            return None;
        }
        let token = hex::encode(Sha256::digest(self.csrf.as_bytes()));
        Some(version_tag::etag(
            v,
            &format!("{}.{}", self.locale, &token[..16]),
        ))
    }

    /// `304 Not Modified` when the reader's copy carries `tag`: answered
    /// before any work.
    pub fn not_modified(&self, req: &Request, tag: Option<&str>) -> Option<Response> {
        let tag = tag?;
        version_tag::matches(req.header(header::IF_NONE_MATCH), tag).then(|| {
            Response::builder()
                .status(StatusCode::NOT_MODIFIED)
                .header(header::ETAG, tag)
                .header(header::CACHE_CONTROL, PAGE_REVALIDATE)
                .header(header::VARY, "Cookie, Accept-Language")
                .finish()
        })
    }

    /// Marks a page with its version tag: the browser keeps it, and asks
    /// (`If-None-Match`) before showing it again.
    pub fn tagged(&self, mut resp: Response, tag: Option<String>) -> Response {
        if let Some(tag) = tag
            && resp.status() == StatusCode::OK
            && let Ok(v) = HeaderValue::from_str(&tag)
        {
            let h = resp.headers_mut();
            h.insert(header::ETAG, v);
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static(PAGE_REVALIDATE),
            );
        }
        resp
    }
}
