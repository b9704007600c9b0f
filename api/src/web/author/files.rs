//! The file editor of a draft, with a server-rendered preview, and the
//! upload of one file.

use agora_core::authoring;
use poem::{
    Body, Response, handler,
    http::StatusCode,
    web::{Multipart, Path},
};
use serde::Serialize;

use super::{author, author_of, form_revision, multipart, problem_page, service};
use crate::web::{Ctx, Flash, FormData};

#[derive(Serialize)]
struct EditPage {
    slug: String,
    path: String,
    revision: i64,
    /// False for binary files (resources), which are replaced by upload.
    text: bool,
    content: String,
    exists: bool,
    preview: Option<String>,
    error: Option<String>,
    conflict: bool,
    size: String,
}

fn edit_page(ctx: &Ctx, status: StatusCode, page: EditPage) -> Response {
    let title = format!("{} · {}", page.path, page.slug);
    // The preview shows authored Markdown, with its allow-listed players.
    let mut resp = ctx.page(status, "author_edit", &title, &page);
    crate::http::security::allow_video_frames(&mut resp);
    resp
}

fn query_path(req: &poem::Request) -> Option<String> {
    url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "path")
        .map(|(_, v)| v.into_owned())
}

/// The Markdown of a lesson file without its front matter.
fn body_of(content: &str) -> &str {
    content
        .strip_prefix("---")
        .and_then(|rest| rest.split_once("\n---").map(|(_, body)| body))
        .unwrap_or(content)
}

/// GET `/author/{slug}/edit?path=…`
#[handler]
pub async fn edit(ctx: Ctx, Path(slug): Path<String>, req: &poem::Request) -> Response {
    let who = match author(&ctx) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let Some(path) = query_path(req) else {
        return ctx.error(StatusCode::BAD_REQUEST);
    };
    let s = service(&ctx);
    let d = match s.draft(&who, &slug).await {
        Ok(d) => d,
        Err(e) => return ctx.fail(e),
    };
    if let Err(e) = authoring::check_path(&path) {
        return problem_page(&ctx, e, &format!("/author/{slug}"));
    }
    let (exists, bytes) = match s.file(&who, &slug, &path).await {
        Ok(b) => (true, b),
        Err(agora_core::Error::NotFound { .. }) => (false, Vec::new()),
        Err(e) => return ctx.fail(e),
    };
    let text = !path.contains("/resources/") || std::str::from_utf8(&bytes).is_ok();
    edit_page(
        &ctx,
        StatusCode::OK,
        EditPage {
            size: crate::http::i18n::format_count(ctx.locale, bytes.len() as u64),
            content: if text {
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                String::new()
            },
            slug,
            path,
            revision: d.revision,
            text,
            exists,
            preview: None,
            error: None,
            conflict: false,
        },
    )
}

/// POST `/author/{slug}/edit?path=…`: preview, save or delete.
#[handler]
pub async fn save(ctx: Ctx, Path(slug): Path<String>, req: &poem::Request, body: Body) -> Response {
    let form = FormData::read(body).await;
    let who = match author_of(&ctx, &form) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let Some(path) = query_path(req) else {
        return ctx.error(StatusCode::BAD_REQUEST);
    };
    let revision: i64 = form_revision(&form);
    // Browsers send CRLF line ends from text areas; files keep LF.
    let content = form
        .get("content")
        .unwrap_or_default()
        .replace("\r\n", "\n");
    let s = service(&ctx);
    let mut page = EditPage {
        slug: slug.clone(),
        path: path.clone(),
        revision,
        text: true,
        size: crate::http::i18n::format_count(ctx.locale, content.len() as u64),
        content: content.clone(),
        exists: true,
        preview: None,
        error: None,
        conflict: false,
    };
    let change = match form.get("action") {
        Some("preview") => {
            if let Err(e) = s.access(&who, &slug).await {
                return ctx.fail(e);
            }
            match authoring::preview(&slug, body_of(&content)) {
                Ok(html) => page.preview = Some(html),
                Err(e) => page.error = Some(e.to_string()),
            }
            return edit_page(&ctx, StatusCode::OK, page);
        }
        Some("delete") => None,
        _ => Some(content.into_bytes()),
    };
    let deleting = change.is_none();
    match s
        .save(&who, &slug, revision, vec![(path.clone(), change)])
        .await
    {
        Ok(_) if deleting => ctx.redirect(
            &format!("/author/{slug}"),
            Some(Flash::Ok("flash-author-deleted")),
        ),
        Ok(_) => {
            let q: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
            ctx.redirect(
                &format!("/author/{slug}/edit?path={q}"),
                Some(Flash::Ok("flash-author-saved")),
            )
        }
        Err(agora_core::Error::Conflict { .. }) => {
            // Keep the author's text: they reload in another tab and merge.
            page.conflict = true;
            page.error = Some(ctx.t("author-conflict"));
            edit_page(&ctx, StatusCode::CONFLICT, page)
        }
        Err(agora_core::Error::Invalid { field, reason }) => {
            page.error = Some(format!("{field}: {reason}"));
            edit_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(e) => ctx.fail(e),
    }
}

/// POST `/author/{slug}/files`: upload one file (a resource, say).
#[handler]
pub async fn upload_file(ctx: Ctx, Path(slug): Path<String>, form: Multipart) -> Response {
    let (fields, file) = multipart(form).await;
    let who = match author_of(&ctx, &fields) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let back = format!("/author/{slug}");
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return ctx.redirect(&back, Some(Flash::Error("flash-author-no-file")));
    };
    let folder = fields.get("folder").unwrap_or("en/resources");
    let path = format!(
        "{}/{}",
        folder.trim_end_matches('/'),
        file_name.to_lowercase()
    );
    let revision = form_revision(&fields);
    match service(&ctx)
        .save(&who, &slug, revision, vec![(path, Some(bytes))])
        .await
    {
        Ok(_) => ctx.redirect(&back, Some(Flash::Ok("flash-author-saved"))),
        Err(e) => problem_page(&ctx, e, &back),
    }
}
