//! My courses, and a course's draft: files, publication, translations,
//! versions, authors and audit log.

use agora_core::{
    accounts::Principal,
    authoring,
    domain::{CourseStatus, Locale},
};
use poem::{
    Body, IntoResponse, Response, handler,
    http::{StatusCode, header},
    web::{Multipart, Path},
};
use serde::Serialize;

use super::{author, author_of, field_error, multipart, problem_page, service};
use crate::{
    http::locale::locale_name,
    web::{Ctx, FieldErrors, Flash, FormData},
};

fn date(ctx: &Ctx, t: time::OffsetDateTime) -> String {
    format!(
        "{} {:02}:{:02} UTC",
        agora_core::certificates::pdf::format_date(ctx.locale, t.date()),
        t.hour(),
        t.minute()
    )
}

fn status_label(ctx: &Ctx, s: CourseStatus) -> String {
    ctx.t(&format!("author-status-{s}"))
}

#[derive(Serialize)]
struct ListItem {
    slug: String,
    title: String,
    status: String,
    access: String,
    updated: String,
}

#[derive(Serialize)]
struct LocaleChoice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Serialize, Default)]
struct NewCourseForm {
    slug: String,
    title: String,
    summary: String,
}

#[derive(Serialize)]
struct ListPage {
    courses: Vec<ListItem>,
    locales: Vec<LocaleChoice>,
    form: NewCourseForm,
    errors: FieldErrors,
}

async fn list_page(
    ctx: &Ctx,
    who: &Principal,
    status: StatusCode,
    form: NewCourseForm,
    errors: FieldErrors,
    locale: Locale,
) -> Response {
    let courses = match service(ctx).courses(who).await {
        Ok(c) => c,
        Err(e) => return ctx.fail(e),
    };
    let page = ListPage {
        courses: courses
            .into_iter()
            .map(|c| ListItem {
                status: status_label(ctx, c.status),
                access: ctx.t(&format!("author-access-{}", c.access.as_str())),
                updated: date(ctx, c.updated_at),
                slug: c.slug,
                title: c.title,
            })
            .collect(),
        locales: Locale::ALL
            .iter()
            .map(|l| LocaleChoice {
                value: l.as_str(),
                label: locale_name(*l),
                selected: *l == locale,
            })
            .collect(),
        form,
        errors,
    };
    ctx.page(status, "author_list", &ctx.t("author-title"), &page)
}

/// GET `/author`
#[handler]
pub async fn list(ctx: Ctx) -> Response {
    let who = match author(&ctx) {
        Ok(w) => w,
        Err(r) => return r,
    };
    list_page(
        &ctx,
        &who,
        StatusCode::OK,
        NewCourseForm::default(),
        FieldErrors::default(),
        ctx.locale,
    )
    .await
}

/// POST `/author/courses`: start a course.
#[handler]
pub async fn create(ctx: Ctx, body: Body) -> Response {
    let form = FormData::read(body).await;
    let who = match author_of(&ctx, &form) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let values = NewCourseForm {
        slug: form.get("slug").unwrap_or_default().trim().to_owned(),
        title: form.get("title").unwrap_or_default().to_owned(),
        summary: form.get("summary").unwrap_or_default().to_owned(),
    };
    let locale = form
        .get("default_locale")
        .and_then(|l| l.parse::<Locale>().ok())
        .unwrap_or(ctx.locale);
    match service(&ctx)
        .create(&who, &values.slug, locale, &values.title, &values.summary)
        .await
    {
        Ok(d) => ctx.redirect(
            &format!("/author/{}", d.slug),
            Some(Flash::Ok("flash-author-created")),
        ),
        Err(e) => {
            let mut errors = FieldErrors::default();
            if field_error(&mut errors, &e, &["slug", "title", "summary"]) {
                list_page(
                    &ctx,
                    &who,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    values,
                    errors,
                    locale,
                )
                .await
            } else {
                ctx.fail(e)
            }
        }
    }
}

/// POST `/author/archives`: create or replace a course from a zip.
#[handler]
pub async fn upload(ctx: Ctx, form: Multipart) -> Response {
    let (fields, file) = multipart(form).await;
    let who = match author_of(&ctx, &fields) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let revision = fields.get("revision").and_then(|r| r.parse().ok());
    let back = fields
        .get("back")
        .filter(|b| b.starts_with("/author/"))
        .unwrap_or("/author")
        .to_owned();
    let Some((_, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return ctx.redirect(&back, Some(Flash::Error("flash-author-no-file")));
    };
    match service(&ctx).upload(&who, &bytes, revision).await {
        Ok(d) => ctx.redirect(
            &format!("/author/{}", d.slug),
            Some(Flash::Ok("flash-author-uploaded")),
        ),
        Err(e) => problem_page(&ctx, e, &back),
    }
}

#[derive(Serialize)]
struct FileRow {
    path: String,
    size: String,
    updated: String,
}

#[derive(Serialize)]
struct TranslationRow {
    locale: &'static str,
    name: &'static str,
    is_default: bool,
    missing: Vec<String>,
    outdated: Vec<String>,
    complete: bool,
}

#[derive(Serialize)]
struct VersionRow {
    number: i32,
    published: String,
    by: String,
}

#[derive(Serialize)]
struct AuditRow {
    at: String,
    actor: String,
    action: String,
    detail: String,
}

#[derive(Serialize)]
struct AuthorRow {
    user_id: String,
    name: String,
    email: String,
    role: String,
    removable: bool,
}

#[derive(Serialize)]
struct CoursePage {
    slug: String,
    title: String,
    status: String,
    published: bool,
    archived: bool,
    revision: i64,
    unpublished_changes: bool,
    latest_version: Option<i32>,
    files: Vec<FileRow>,
    warnings: Vec<String>,
    translations: Vec<TranslationRow>,
    versions: Vec<VersionRow>,
    audit: Vec<AuditRow>,
    authors: Vec<AuthorRow>,
    manages_authors: bool,
    learner_link: String,
    media: Option<super::media::MediaSection>,
}

/// GET `/author/{slug}`
#[handler]
pub async fn course(ctx: Ctx, Path(slug): Path<String>) -> Response {
    let who = match author(&ctx) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let s = service(&ctx);
    let d = match s.draft(&who, &slug).await {
        Ok(d) => d,
        Err(e) => return ctx.fail(e),
    };
    let (translations, versions, audit) = match tokio::try_join!(
        s.translations(&who, &slug),
        s.versions(&who, &slug),
        s.audit_log(&who, &slug)
    ) {
        Ok(t) => t,
        Err(e) => return ctx.fail(e),
    };
    let l = ctx.locale;
    let page = CoursePage {
        title: d.title.clone(),
        status: status_label(&ctx, d.status),
        published: d.status == CourseStatus::Published,
        archived: d.status == CourseStatus::Archived,
        revision: d.revision,
        unpublished_changes: d.unpublished_changes,
        latest_version: d.latest_version,
        files: d
            .files
            .iter()
            .map(|f| FileRow {
                path: f.path.clone(),
                size: crate::http::i18n::format_count(l, f.size),
                updated: date(&ctx, f.updated_at),
            })
            .collect(),
        warnings: d.warnings.iter().map(|p| p.to_string()).collect(),
        translations: translations
            .into_iter()
            .map(|t| {
                let pick = |state: &str| {
                    t.items
                        .iter()
                        .filter(|i| i.state == state)
                        .map(|i| i.path.clone())
                        .collect::<Vec<_>>()
                };
                let missing = pick("missing");
                let outdated = pick("outdated");
                TranslationRow {
                    locale: t.locale.as_str(),
                    name: locale_name(t.locale),
                    is_default: t.is_default,
                    complete: missing.is_empty() && outdated.is_empty(),
                    missing,
                    outdated,
                }
            })
            .collect(),
        versions: versions
            .into_iter()
            .map(|v| VersionRow {
                number: v.number,
                published: date(&ctx, v.published_at),
                by: v.published_by.unwrap_or_default(),
            })
            .collect(),
        audit: audit
            .into_iter()
            .take(30)
            .map(|a| AuditRow {
                at: date(&ctx, a.at),
                actor: a.actor.unwrap_or_default(),
                action: a.action,
                detail: a.detail.to_string(),
            })
            .collect(),
        authors: d
            .authors
            .iter()
            .map(|a| AuthorRow {
                user_id: a.user_id.to_string(),
                name: a.display_name.clone(),
                email: a.email.clone(),
                role: ctx.t(&format!("author-access-{}", a.role.as_str())),
                removable: d.access.manages_authors() && a.role == authoring::AuthorRole::CoAuthor,
            })
            .collect(),
        manages_authors: d.access.manages_authors(),
        learner_link: format!("/courses/{}", d.slug),
        media: super::media::section(&ctx, &who, &d.slug).await,
        slug: d.slug,
    };
    ctx.page(StatusCode::OK, "author_course", &page.title.clone(), &page)
}

/// POST `/author/{slug}/publication`
#[handler]
pub async fn publish(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    let who = match author_of(&ctx, &form) {
        Ok(w) => w,
        Err(r) => return r,
    };
    match service(&ctx).publish(&who, &slug).await {
        Ok(_) => ctx.redirect(
            &format!("/author/{slug}"),
            Some(Flash::Ok("flash-author-published")),
        ),
        Err(e) => problem_page(&ctx, e, &format!("/author/{slug}")),
    }
}

/// POST `/author/{slug}/status`: unpublish (`draft`) or archive.
#[handler]
pub async fn set_status(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    let who = match author_of(&ctx, &form) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let (status, flash) = match form.get("status") {
        Some("draft") => (CourseStatus::Draft, "flash-author-unpublished"),
        Some("archived") => (CourseStatus::Archived, "flash-author-archived"),
        _ => return ctx.error(StatusCode::BAD_REQUEST),
    };
    match service(&ctx).set_status(&who, &slug, status).await {
        Ok(_) => ctx.redirect(&format!("/author/{slug}"), Some(Flash::Ok(flash))),
        Err(e) => problem_page(&ctx, e, &format!("/author/{slug}")),
    }
}

/// GET `/author/{slug}/archive`: the draft as a zip.
#[handler]
pub async fn download(ctx: Ctx, Path(slug): Path<String>) -> Response {
    let who = match author(&ctx) {
        Ok(w) => w,
        Err(r) => return r,
    };
    match service(&ctx).download(&who, &slug).await {
        Ok(bytes) => Response::builder()
            .header(header::CONTENT_TYPE, "application/zip")
            .header(
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{slug}.zip\""),
            )
            .header(header::CACHE_CONTROL, "private, no-store")
            .body(bytes)
            .into_response(),
        Err(e) => ctx.fail(e),
    }
}

/// POST `/author/{slug}/authors`: add or remove a co-author.
#[handler]
pub async fn authors(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    let who = match author_of(&ctx, &form) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let s = service(&ctx);
    let back = format!("/author/{slug}");
    let result = match (form.get("remove"), form.get("email")) {
        (Some(id), _) => match id.parse() {
            Ok(id) => s.remove_author(&who, &slug, id).await,
            Err(_) => return ctx.error(StatusCode::BAD_REQUEST),
        },
        (None, Some(email)) => s.add_author(&who, &slug, email).await,
        _ => return ctx.error(StatusCode::BAD_REQUEST),
    };
    match result {
        Ok(()) => ctx.redirect(&back, Some(Flash::Ok("flash-author-authors-saved"))),
        Err(e) => problem_page(&ctx, e, &back),
    }
}
