//! Course media on the web: published files at `/media/{sha256}.{ext}`
//! (content-addressed, cached for ever), a draft's files for its authors'
//! preview, and the authors' media section (upload, delete, cover).

use std::collections::BTreeMap;

use agora_core::{accounts::Principal, authoring::DraftMedia, domain::Locale, media};
use poem::{
    Body, Request, Response, handler,
    http::{StatusCode, header},
    web::{Multipart, Path},
};
use serde::Serialize;

use super::{author, author_of, form_revision, multipart, service};
use crate::http::locale::locale_name;
use crate::web::{Ctx, FieldErrors, Flash, FormData};

/// GET `/media/{sha256}.{ext}`: a published media file, from the storage
/// port. The address is the content's digest, so it never changes.
#[handler]
pub async fn serve(ctx: Ctx, Path(name): Path<String>, req: &Request) -> Response {
    if let Some(v) = media::parse_variant_name(&name) {
        return serve_variant(&ctx, &v, req).await;
    }
    let Some((sha, content_type)) = media::parse_public_name(&name) else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    let ext = name.rsplit('.').next().unwrap_or_default();
    match media::find_published(&ctx.state.db, sha).await {
        Ok(Some(_)) => {}
        Ok(None) => return ctx.error(StatusCode::NOT_FOUND),
        Err(e) => return ctx.fail(e),
    }
    let etag = format!("\"{sha}\"");
    if etag_matches(req, &etag) {
        return immutable(content_type, &etag, false)
            .status(StatusCode::NOT_MODIFIED)
            .finish();
    }
    match media::fetch(&ctx.state.storage, sha, ext).await {
        Ok(Some(bytes)) => immutable(content_type, &etag, false).body(bytes),
        Ok(None) => ctx.error(StatusCode::NOT_FOUND),
        Err(e) => ctx.fail(e),
    }
}

/// The headers of a content-addressed file: cached for ever under `etag`;
/// `negotiated` when its type follows the `Accept` header.
fn immutable(content_type: &str, etag: &str, negotiated: bool) -> poem::ResponseBuilder {
    let b = Response::builder()
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ETAG, etag)
        .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
        .header("x-content-type-options", "nosniff");
    if negotiated {
        b.header(header::VARY, "Accept")
    } else {
        b
    }
}

/// Whether the request's `If-None-Match` names `etag` (or `*`).
fn etag_matches(req: &Request, etag: &str) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

/// GET `/media/{sha256}-w{width}.{ext}`: a published image at one of the
/// widths its `srcset` offers, in WebP when the browser accepts it and that
/// copy is smaller. Made on first request, then cached for ever like the
/// original; `Vary: Accept` keeps shared caches honest.
async fn serve_variant(ctx: &Ctx, name: &media::VariantName<'_>, req: &Request) -> Response {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let webp = accept
        .split(',')
        .any(|t| t.trim().starts_with("image/webp"));
    match media::variant(&ctx.state.db, &ctx.state.storage, name, webp).await {
        Ok(Some(v)) => {
            let kind = v.content_type.rsplit('/').next().unwrap_or_default();
            let etag = format!("\"{}-w{}-{kind}\"", name.sha256, name.width);
            let b = immutable(v.content_type, &etag, v.negotiated);
            if etag_matches(req, &etag) {
                b.status(StatusCode::NOT_MODIFIED).finish()
            } else {
                b.body(v.bytes)
            }
        }
        Ok(None) => ctx.error(StatusCode::NOT_FOUND),
        Err(e) => ctx.fail(e),
    }
}

/// GET `/author/{slug}/media/{file}`: a draft's media file, for its
/// authors' preview only; never cached by anyone else.
#[handler]
pub async fn draft_file(ctx: Ctx, Path((slug, name)): Path<(String, String)>) -> Response {
    let who = match author(&ctx) {
        Ok(w) => w,
        Err(r) => return r,
    };
    match service(&ctx).draft_media_file(&who, &slug, &name).await {
        Ok((content_type, bytes)) => Response::builder()
            .header(header::CONTENT_TYPE, content_type)
            .header(header::CACHE_CONTROL, "private, no-cache")
            .header("x-content-type-options", "nosniff")
            .body(bytes),
        Err(e) => ctx.fail(e),
    }
}

#[derive(Serialize)]
struct ItemView {
    name: String,
    href: String,
    is_image: bool,
    is_cover: bool,
    kind: &'static str,
    size: String,
    width: Option<u32>,
    height: Option<u32>,
    snippet: String,
}

#[derive(Serialize)]
struct AltView {
    locale: &'static str,
    name: &'static str,
    value: String,
}

#[derive(Serialize)]
struct ImageChoice {
    name: String,
    selected: bool,
}

/// The media section of the author's course page.
#[derive(Serialize)]
pub struct MediaSection {
    slug: String,
    revision: i64,
    items: Vec<ItemView>,
    images: Vec<ImageChoice>,
    has_cover: bool,
    alts: Vec<AltView>,
    errors: FieldErrors,
}

fn section_view(ctx: &Ctx, slug: &str, m: DraftMedia, errors: FieldErrors) -> MediaSection {
    let images = m
        .items
        .iter()
        .filter(|i| i.is_image())
        .map(|i| ImageChoice {
            name: i.name.clone(),
            selected: m.cover.as_deref() == Some(i.name.as_str()),
        })
        .collect();
    MediaSection {
        slug: slug.to_owned(),
        revision: m.revision,
        has_cover: m.cover.is_some(),
        items: m
            .items
            .iter()
            .map(|i| ItemView {
                href: format!("/author/{slug}/media/{}", i.name),
                is_image: i.is_image(),
                is_cover: i.is_cover,
                kind: match i.content_type.as_str() {
                    "application/pdf" => "PDF",
                    t if t.starts_with("text/vtt") => "WebVTT",
                    "image/png" => "PNG",
                    "image/jpeg" => "JPEG",
                    "image/webp" => "WebP",
                    _ => "?",
                },
                size: crate::http::i18n::format_count(ctx.locale, i.size),
                width: i.width,
                height: i.height,
                snippet: i.snippet(),
                name: i.name.clone(),
            })
            .collect(),
        images,
        alts: m
            .cover_alt
            .iter()
            .map(|(l, v)| AltView {
                locale: l.as_str(),
                name: locale_name(*l),
                value: v.clone(),
            })
            .collect(),
        errors,
    }
}

/// The media section for the course page; empty when it cannot be read
/// (the page shows the draft's own problems then).
pub async fn section(ctx: &Ctx, who: &Principal, slug: &str) -> Option<MediaSection> {
    let m = service(ctx).draft_media(who, slug).await.ok()?;
    Some(section_view(ctx, slug, m, FieldErrors::default()))
}

#[derive(Serialize)]
struct MediaPage {
    slug: String,
    media: MediaSection,
}

/// The media section on a page of its own, with what went wrong next to
/// the field at fault.
async fn media_page(
    ctx: &Ctx,
    who: &Principal,
    slug: &str,
    status: StatusCode,
    errors: FieldErrors,
) -> Response {
    let m = match service(ctx).draft_media(who, slug).await {
        Ok(m) => m,
        Err(e) => return ctx.fail(e),
    };
    let page = MediaPage {
        slug: slug.to_owned(),
        media: section_view(ctx, slug, m, errors),
    };
    let title = format!("{} · {slug}", ctx.t("author-media"));
    ctx.page(status, "author_media", &title, &page)
}

/// GET `/author/{slug}/media`
#[handler]
pub async fn media_home(ctx: Ctx, Path(slug): Path<String>) -> Response {
    let who = match author(&ctx) {
        Ok(w) => w,
        Err(r) => return r,
    };
    media_page(&ctx, &who, &slug, StatusCode::OK, FieldErrors::default()).await
}

/// A refused change: validation errors go next to `field`, conflicts and
/// the rest to the form; other errors are error pages.
async fn refused(
    ctx: &Ctx,
    who: &Principal,
    slug: &str,
    field: &str,
    e: agora_core::Error,
) -> Response {
    use agora_core::Error as E;
    let mut errors = FieldErrors::default();
    let status = match &e {
        E::Invalid { field: f, reason } => {
            let text = if f == "file" || f.starts_with("alt_") || f == "cover" {
                reason.clone()
            } else {
                format!("{f}: {reason}")
            };
            let key = if f.starts_with("alt_") {
                f.as_str()
            } else {
                field
            };
            errors.add(key, text);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        E::Conflict { reason, .. } => {
            errors.add(field, reason.clone());
            StatusCode::CONFLICT
        }
        E::NotFound { .. } => {
            errors.add(field, ctx.t("error-404-title"));
            StatusCode::NOT_FOUND
        }
        _ => return ctx.fail(e),
    };
    media_page(ctx, who, slug, status, errors).await
}

/// POST `/author/{slug}/media`: add a media file (multipart).
#[handler]
pub async fn upload(ctx: Ctx, Path(slug): Path<String>, form: Multipart) -> Response {
    let (fields, file) = multipart(form).await;
    let who = match author_of(&ctx, &fields) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let mut errors = FieldErrors::default();
        errors.add("file", ctx.t("flash-author-no-file"));
        return media_page(&ctx, &who, &slug, StatusCode::UNPROCESSABLE_ENTITY, errors).await;
    };
    let revision = form_revision(&fields);
    match service(&ctx)
        .upload_media(&who, &slug, revision, &file_name, bytes)
        .await
    {
        Ok(_) => ctx.redirect(
            &format!("/author/{slug}#media-heading"),
            Some(Flash::Ok("flash-author-media-saved")),
        ),
        Err(e) => refused(&ctx, &who, &slug, "file", e).await,
    }
}

/// POST `/author/{slug}/media/deletion`
#[handler]
pub async fn delete(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    let who = match author_of(&ctx, &form) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let revision = form_revision(&form);
    let name = form.get("name").unwrap_or_default().to_owned();
    match service(&ctx)
        .delete_media(&who, &slug, revision, &name)
        .await
    {
        Ok(_) => ctx.redirect(
            &format!("/author/{slug}#media-heading"),
            Some(Flash::Ok("flash-author-media-deleted")),
        ),
        Err(e) => refused(&ctx, &who, &slug, "delete", e).await,
    }
}

/// POST `/author/{slug}/cover`: set (a media image, alt text per locale) or clear.
#[handler]
pub async fn cover(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    let who = match author_of(&ctx, &form) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let revision = form_revision(&form);
    let cover = form
        .get("cover")
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    let alts: BTreeMap<Locale, String> = Locale::ALL
        .iter()
        .filter_map(|l| {
            form.get(&format!("alt_{l}"))
                .map(|v| (*l, v.replace("\r\n", " ").replace('\n', " ")))
        })
        .collect();
    match service(&ctx)
        .set_cover(&who, &slug, revision, cover.as_deref(), &alts)
        .await
    {
        Ok(_) => ctx.redirect(
            &format!("/author/{slug}#media-heading"),
            Some(Flash::Ok("flash-author-cover-saved")),
        ),
        Err(e) => refused(&ctx, &who, &slug, "cover", e).await,
    }
}
