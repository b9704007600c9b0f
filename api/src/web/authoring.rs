//! Authoring pages: my courses, a course's draft (files, publication,
//! translations, versions, authors, audit log) and the file editor with a
//! server-rendered preview. Forms work without JavaScript.

use agora_core::{
    accounts::Principal,
    authoring::{self, Authoring},
    domain::{CourseStatus, Locale},
};
use poem::{
    Body, IntoResponse, Response, handler,
    http::{StatusCode, header},
    web::{Multipart, Path},
};
use serde::Serialize;

use super::{Ctx, FieldErrors, Flash, FormData, catalogue::locale_name};

/// The authoring service, built once at start-up.
pub(super) fn service(ctx: &Ctx) -> &Authoring {
    &ctx.state.authoring
}

#[allow(clippy::result_large_err)]
/// The signed-in author or administrator; learners get a 403.
pub(super) fn author(ctx: &Ctx) -> Result<Principal, Response> {
    let u = ctx.require_user()?.clone();
    if u.role == agora_core::accounts::Role::Learner {
        return Err(ctx.error(StatusCode::FORBIDDEN));
    }
    Ok(u)
}

/// The author of a posted form, once its CSRF token checks out.
#[allow(clippy::result_large_err)]
pub(super) fn author_of(ctx: &Ctx, form: &FormData) -> Result<Principal, Response> {
    let who = author(ctx)?;
    ctx.check_csrf(form)?;
    Ok(who)
}

/// The draft revision a form was filled from; a missing one is 0, which
/// every save refuses as a conflict.
pub(super) fn form_revision(form: &FormData) -> i64 {
    form.get("revision")
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

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

/// Maps a core validation error onto the form field it names.
pub(super) fn field_error(
    errors: &mut FieldErrors,
    e: &agora_core::Error,
    fields: &[&str],
) -> bool {
    use agora_core::Error as E;
    match e {
        E::Invalid { field, reason } | E::Conflict { field, reason } => {
            let key = if fields.contains(&field.as_str()) {
                field.as_str()
            } else {
                "form"
            };
            let text = if key == "form" {
                format!("{field}: {reason}")
            } else {
                reason.clone()
            };
            errors.add(key, text);
            true
        }
        _ => false,
    }
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

/// Reads a multipart form: its text fields and one file.
pub(super) async fn multipart(mut form: Multipart) -> (FormData, Option<(String, Vec<u8>)>) {
    let mut fields = Vec::new();
    let mut file = None;
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file_name) => {
                if let Ok(bytes) = field.bytes().await {
                    file = Some((file_name, bytes));
                }
            }
            None => {
                if let Ok(text) = field.text().await {
                    fields.push((name, text));
                }
            }
        }
    }
    (FormData::from_pairs(fields), file)
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
struct ProblemPage {
    field: String,
    reason: String,
    back: String,
}

/// A refused upload or action: what is wrong, and the way back.
pub(super) fn problem_page(ctx: &Ctx, e: agora_core::Error, back: &str) -> Response {
    use agora_core::Error as E;
    let (status, field, reason) = match e {
        E::Invalid { field, reason } => (StatusCode::UNPROCESSABLE_ENTITY, field, reason),
        E::Conflict { field, reason } => (StatusCode::CONFLICT, field, reason),
        other => return ctx.fail(other),
    };
    ctx.page(
        status,
        "author_problem",
        &ctx.t("author-problem-title"),
        &ProblemPage {
            field,
            reason,
            back: back.to_owned(),
        },
    )
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
                size: super::i18n::format_count(l, f.size),
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
    super::media::allow_video_frames(&mut resp);
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
            size: super::i18n::format_count(ctx.locale, bytes.len() as u64),
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
        size: super::i18n::format_count(ctx.locale, content.len() as u64),
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
