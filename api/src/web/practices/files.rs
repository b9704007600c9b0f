//! A practice's files on the pages: served to whoever may read the
//! practice, added (multipart, with the image's text alternative) and
//! removed from the edit page by its authors.

use poem::{
    Body, Response, handler,
    http::{StatusCode, header},
    web::{Multipart, Path},
};

use super::practice_href;
use crate::web::{Ctx, Flash, FormData, author::multipart};

/// GET `/practices/:slug/files/:name`: `sha256.ext`. PDFs download; images
/// show. Never sniffed by the browser; private until the practice is public.
#[handler]
pub async fn serve(ctx: Ctx, Path((slug, name)): Path<(String, String)>) -> Response {
    match ctx
        .state
        .practices
        .file(ctx.user.as_ref(), &slug, &name)
        .await
    {
        Ok((file, bytes)) => {
            let disposition = if file.is_image() {
                "inline".to_owned()
            } else {
                format!("attachment; filename=\"{}\"", file.name)
            };
            Response::builder()
                .header(header::CONTENT_TYPE, file.content_type.as_str())
                .header(header::CONTENT_DISPOSITION, disposition)
                .header(header::CACHE_CONTROL, "private, max-age=300")
                .header("x-content-type-options", "nosniff")
                .header("content-security-policy", "default-src 'none'; sandbox")
                .body(bytes)
        }
        Err(e) => ctx.fail(e),
    }
}

fn edit_href(slug: &str) -> String {
    format!("{}/edit#files-heading", practice_href(slug))
}

/// POST `/practices/:slug/files`: `file` and `alt` (multipart).
#[handler]
pub async fn upload(ctx: Ctx, Path(slug): Path<String>, form: Multipart) -> Response {
    let (fields, file) = multipart(form).await;
    if let Err(r) = super::checked(&ctx, &fields) {
        return r;
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return super::edit::refused_file(&ctx, &slug, "file", StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    };
    let alt = fields.get("alt").unwrap_or_default().to_owned();
    match ctx
        .state
        .practices
        .add_file(ctx.user.as_ref(), &slug, &name, bytes, &alt)
        .await
    {
        Ok(_) => ctx.redirect(
            &edit_href(&slug),
            Some(Flash::Ok("flash-practice-file-added")),
        ),
        Err(agora_core::Error::Invalid { field, .. }) => {
            let field = if field == "alt" { "alt" } else { "file" };
            super::edit::refused_file(&ctx, &slug, field, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(agora_core::Error::Conflict { .. }) => {
            super::edit::refused_file(&ctx, &slug, "file", StatusCode::CONFLICT).await
        }
        Err(e) => ctx.fail(e),
    }
}

/// POST `/practices/:slug/files/deletion`: `sha256`.
#[handler]
pub async fn delete(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = super::checked(&ctx, &form) {
        return r;
    }
    let sha = form.get("sha256").unwrap_or_default().to_owned();
    match ctx
        .state
        .practices
        .remove_file(ctx.user.as_ref(), &slug, &sha)
        .await
    {
        Ok(_) => ctx.redirect(
            &edit_href(&slug),
            Some(Flash::Ok("flash-practice-file-removed")),
        ),
        Err(e) => ctx.fail(e),
    }
}
