//! The module editor.

use agora_core::{Error, course_edit::Edit, course_source::CourseSource, domain::Locale};
use poem::{Body, Response, handler, http::StatusCode, web::Path};
use serde::Serialize;

use super::{LocaleTab, edit_locale, errors_of, open, open_form, reload, tabs, text_of};
use crate::{
    http::locale::locale_name,
    web::{
        Ctx, FieldErrors, Flash,
        author::{form_revision, service},
    },
};

#[derive(Serialize)]
pub(super) struct ModulePage {
    pub(super) slug: String,
    pub(super) key: String,
    pub(super) revision: i64,
    pub(super) locale: &'static str,
    pub(super) locale_name: &'static str,
    pub(super) tabs: Vec<LocaleTab>,
    pub(super) source_title: String,
    pub(super) title: String,
    pub(super) summary: String,
    pub(super) errors: FieldErrors,
    pub(super) conflict: Option<String>,
}

/// GET `/author/{slug}/modules/{key}?locale=…`
#[handler]
pub async fn edit_module(
    ctx: Ctx,
    Path((slug, key)): Path<(String, String)>,
    req: &poem::Request,
) -> Response {
    let (_, source, revision) = match open(&ctx, &slug).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    if !source.modules.iter().any(|m| m.key.as_str() == key) {
        return ctx.error(StatusCode::NOT_FOUND);
    }
    let locale = edit_locale(
        crate::http::locale::query_param(req, "locale").as_deref(),
        &source,
    );
    let t = source
        .texts
        .get(&locale)
        .and_then(|t| t.modules.get(&key))
        .cloned()
        .unwrap_or_default();
    module_page(
        &ctx,
        StatusCode::OK,
        &source,
        revision,
        locale,
        key,
        t.title,
        t.summary,
        FieldErrors::default(),
        None,
    )
}

#[allow(clippy::too_many_arguments)]
pub(super) fn module_page(
    ctx: &Ctx,
    status: StatusCode,
    source: &CourseSource,
    revision: i64,
    locale: Locale,
    key: String,
    title: String,
    summary: String,
    errors: FieldErrors,
    conflict: Option<String>,
) -> Response {
    let source_title = source
        .texts
        .get(&source.default_locale)
        .and_then(|t| t.modules.get(&key))
        .map(|m| m.title.clone())
        .unwrap_or_default();
    let page = ModulePage {
        slug: source.slug.to_string(),
        revision,
        locale: locale.as_str(),
        locale_name: locale_name(locale),
        tabs: tabs(source, locale),
        source_title: source_title.clone(),
        key,
        title,
        summary,
        errors,
        conflict,
    };
    let heading = format!("{} · {}", ctx.t("editor-module"), source_title);
    ctx.page(status, "author_module", &heading, &page)
}

/// POST `/author/{slug}/modules/{key}?locale=…`
#[handler]
pub async fn save_module(
    ctx: Ctx,
    Path((slug, key)): Path<(String, String)>,
    req: &poem::Request,
    body: Body,
) -> Response {
    let (form, who, source, _) = match open_form(&ctx, &slug, body).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let s = service(&ctx);
    let locale = edit_locale(
        crate::http::locale::query_param(req, "locale").as_deref(),
        &source,
    );
    let title = form.get("title").unwrap_or_default().to_owned();
    let summary = text_of(&form, "summary");
    let edit = Edit::ModuleText {
        module: key.clone(),
        locale,
        title: title.clone(),
        summary: summary.clone(),
    };
    match s.edit(&who, &slug, form_revision(&form), edit).await {
        Ok(_) => ctx.redirect(
            &format!("/author/{slug}/course?locale={locale}#module-{key}"),
            Some(Flash::Ok("flash-author-saved")),
        ),
        Err(e @ (Error::Invalid { .. } | Error::Conflict { .. })) => {
            let (source, revision) = match reload(&ctx, &who, &slug).await {
                Ok(d) => d,
                Err(r) => return r,
            };
            let (status, errors, conflict) = match &e {
                Error::Conflict { .. } => (
                    StatusCode::CONFLICT,
                    FieldErrors::default(),
                    Some(ctx.t("editor-conflict")),
                ),
                _ => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    errors_of(&e, &["title", "summary"]),
                    None,
                ),
            };
            module_page(
                &ctx, status, &source, revision, locale, key, title, summary, errors, conflict,
            )
        }
        Err(e) => ctx.fail(e),
    }
}
