//! Pages of published content with a version `ETag`, for anonymous
//! readers: a revalidation is answered from memory with a `304`.

use poem::{
    IntoResponse, Request, Response,
    http::{HeaderValue, StatusCode, header},
};
use sha2::{Digest, Sha256};

use super::Ctx;
use crate::http::{page_cache::cut, version_tag};

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

/// Where an anonymous reader's page of published content is kept (see
/// `http::page_cache`): its address and the version it was asked at.
pub struct KeepAs {
    version: agora_core::published::CatalogueVersion,
}

/// A kept body must not carry a CSRF token (the frame carries the
/// reader's): one rendered with this marker that does is not kept.
use super::NO_TOKEN;

impl Ctx {
    /// Whether this reader's page at content version `v` can be kept for
    /// (and served from) the page cache: anonymous readers without a
    /// message to show once. Read the version before the content.
    pub fn keep_as(&self, v: agora_core::published::CatalogueVersion) -> Option<KeepAs> {
        (self.user.is_none() && self.flash.is_none()).then_some(KeepAs { version: v })
    }

    /// The kept page for this reader, with their CSRF token, if there is
    /// one of the version.
    pub async fn kept(&self, keep: Option<&KeepAs>) -> Option<Response> {
        let k = keep?;
        let p = self
            .state
            .pages
            .get(&self.here, self.locale, k.version)
            .await?;
        let resp = poem::web::Html(p.with_token(&self.csrf)).into_response();
        // `keep_as` holds: no message to show, nothing to clear.
        Some(self.finish(resp, None, false))
    }

    /// Renders a page like [`Ctx::page_with_oembed`], and keeps it whole,
    /// cut at the CSRF token, when `keep` says it may be.
    pub async fn page_kept<T: serde::Serialize>(
        &self,
        keep: Option<KeepAs>,
        template: &str,
        title: &str,
        data: &T,
        oembed: Option<&str>,
    ) -> Response {
        let Some(k) = keep else {
            return self.page_with_oembed(StatusCode::OK, template, title, data, oembed);
        };
        let Some(body) = self.body_with_token(template, data, NO_TOKEN) else {
            return self.error(StatusCode::INTERNAL_SERVER_ERROR);
        };
        // A form in the body, or a title or link that could pass for the
        // marker: this page is rendered per reader.
        if body.contains(NO_TOKEN)
            || title.contains('\u{1}')
            || oembed.is_some_and(|o| o.contains('\u{1}'))
        {
            return self.page_with_oembed(StatusCode::OK, template, title, data, oembed);
        }
        let framed = self.framed(title, template, &[&body], oembed, NO_TOKEN);
        let kept = crate::http::page_cache::KeptPage {
            version: k.version,
            page: cut(&framed, &[NO_TOKEN.to_owned()]),
        };
        let resp = poem::web::Html(kept.with_token(&self.csrf)).into_response();
        self.state.pages.keep(&self.here, self.locale, kept).await;
        self.finish(resp, None, false)
    }
}
