//! Enrolment, the lesson player (content, video and transcript, resources,
//! quizzes with feedback, progress) and "my learning".

mod kept;
mod player;

pub mod my_learning;

pub(crate) use self::player::draft_preview;
use self::player::*;
use std::collections::BTreeMap;

use poem::{
    Body, IntoResponse, Response, handler,
    http::{StatusCode, header},
    web::{Json, Path, Query},
};
use serde::Serialize;

use super::{Ctx, Flash, FormData};

/// [`super::SPLICE`], shared.
fn splice_marker() -> std::sync::Arc<str> {
    static M: std::sync::OnceLock<std::sync::Arc<str>> = std::sync::OnceLock::new();
    M.get_or_init(|| super::SPLICE.into()).clone()
}

fn lesson_href(slug: &str, key: &str) -> String {
    format!("/courses/{slug}/lessons/{key}")
}

/// POST `/courses/{slug}/enrolment`: enrol, then start (or resume) the course.
#[handler]
pub async fn enrol(
    ctx: Ctx,
    Path(slug): Path<String>,
    req: &poem::Request,
    body: Body,
) -> Response {
    let form = FormData::read(body).await;
    let user = match ctx.require_user() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    if agora_core::domain::Slug::parse(&slug).is_err() {
        return ctx.error(StatusCode::NOT_FOUND);
    }
    let via = crate::http::cookies::cookie(req, crate::http::cookies::VIA_COOKIE);
    match ctx.state.learning.enrol(user.user_id, &slug, via).await {
        Ok(e) => {
            let to = match &e.summary.resume_lesson_key {
                Some(k) => lesson_href(&slug, k),
                None => format!("/courses/{slug}"),
            };
            ctx.redirect(&to, Some(Flash::Ok("flash-enrolled")))
        }
        Err(e) => ctx.fail(e),
    }
}

fn not_enrolled(ctx: &Ctx, slug: &str, e: agora_core::Error) -> Response {
    match e {
        agora_core::Error::Forbidden { .. } => ctx.redirect(
            &format!("/courses/{slug}"),
            Some(Flash::Error("flash-enrol-first")),
        ),
        e => ctx.fail(e),
    }
}

/// The form's client event id (a hidden field): a form sent twice is one event.
fn form_event(form: &FormData) -> Option<uuid::Uuid> {
    form.get("client_event_id")
        .and_then(|id| uuid::Uuid::parse_str(id).ok())
}

fn valid_path(slug: &str, key: &str) -> bool {
    agora_core::domain::Slug::parse(slug).is_ok() && !key.is_empty() && key.len() <= 80
}

/// `?player=1`: with the data saver on, show a video lesson's player.
#[derive(serde::Deserialize)]
pub struct LessonQuery {
    player: Option<String>,
}

/// GET `/courses/{slug}/lessons/{key}`: the lesson player.
#[handler]
pub async fn lesson(
    ctx: Ctx,
    Path((slug, key)): Path<(String, String)>,
    Query(q): Query<LessonQuery>,
) -> Response {
    let user = match ctx.require_user() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    if !valid_path(&slug, &key) {
        return ctx.error(StatusCode::NOT_FOUND);
    }
    // Read before the lesson: what is kept is never older than its tag.
    let generation = ctx.state.learning.published().generation();
    let v = match ctx
        .state
        .learning
        .lesson(user.user_id, &slug, &key, &ctx.preferred())
        .await
    {
        Ok(v) => v,
        Err(e) => return not_enrolled(&ctx, &slug, e),
    };
    // Data saver: the page is the reader's own (no player, lazy images).
    let data_saver = ctx.data_saver && q.player.is_none();
    if v.quiz.is_none() && !data_saver {
        return kept::page(&ctx, &slug, &key, generation, v).await;
    }
    let title = v.outline.card.title.clone();
    let mut page = lesson_page(&ctx, &slug, title, v, None, BTreeMap::new());
    page.data_saver = data_saver && page.is_video;
    page.discussion_html = super::discussions::lesson::fragment(&ctx, &slug, &key).await;
    let html = std::mem::replace(&mut page.html, splice_marker());
    let html: std::borrow::Cow<str> = if data_saver {
        html.replace("<img ", "<img loading=\"lazy\" ").into()
    } else {
        (*html).into()
    };
    let mut resp = ctx.page_spliced(StatusCode::OK, "lesson", &page.title, &page, &html);
    crate::http::security::allow_video_frames(&mut resp);
    resp
}

#[derive(Serialize)]
struct Completed {
    completed: bool,
    percent: u8,
    percent_text: String,
    label: String,
    next_href: Option<String>,
    course_completed: bool,
}

/// POST `…/completion`: mark done, then on to the next lesson. With
/// `Accept: application/json` (the script's enhancement) it answers the
/// new progress instead of a redirect.
#[handler]
pub async fn complete(
    ctx: Ctx,
    req: &poem::Request,
    Path((slug, key)): Path<(String, String)>,
    body: Body,
) -> Response {
    let json = req
        .header(header::ACCEPT)
        .is_some_and(|a| a.starts_with("application/json"));
    let form = FormData::read(body).await;
    let user = match ctx.require_user() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    if !valid_path(&slug, &key) {
        return ctx.error(StatusCode::NOT_FOUND);
    }
    let (summary, next) = match ctx
        .state
        .learning
        .complete_lesson(user.user_id, &slug, &key, form_event(&form))
        .await
    {
        Ok(done) => (done.progress, done.next_key),
        Err(e) => return not_enrolled(&ctx, &slug, e),
    };
    // The next lesson in course order.
    let next = next.map(|k| lesson_href(&slug, &k));
    let course_completed = summary.completed_at.is_some();
    if json {
        let p = progress_view(&ctx, &summary);
        return Json(Completed {
            completed: true,
            percent: summary.percent,
            percent_text: p.percent,
            label: p.label,
            next_href: next,
            course_completed,
        })
        .with_header(header::CACHE_CONTROL, "no-store")
        .into_response();
    }
    if course_completed {
        return ctx.redirect("/my-learning", Some(Flash::Ok("flash-course-complete")));
    }
    let to = next.unwrap_or_else(|| format!("/courses/{slug}"));
    ctx.redirect(&to, Some(Flash::Ok("flash-lesson-complete")))
}

/// POST `…/attempts`: score the quiz and show the feedback on the lesson.
///
/// The feedback page is the answer to the POST itself (the attempt is
/// already recorded, so reloading only asks the browser to resend).
#[handler]
pub async fn submit_quiz(
    ctx: Ctx,
    Path((slug, key)): Path<(String, String)>,
    body: Body,
) -> Response {
    let form = FormData::read(body).await;
    let user = match ctx.require_user() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    if !valid_path(&slug, &key) {
        return ctx.error(StatusCode::NOT_FOUND);
    }
    let mut answers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in form.all() {
        if let Some(q) = k.strip_prefix("q.")
            && answers.len() < 200
            && !answers.get(q).is_some_and(|a| a.contains(v))
        {
            answers.entry(q.to_owned()).or_default().push(v.clone());
        }
    }
    let preferred = ctx.preferred();
    let view = |ctx: &Ctx| {
        let user_id = user.user_id;
        let slug = slug.clone();
        let key = key.clone();
        let preferred = preferred.clone();
        let learning = ctx.state.learning.clone();
        async move { learning.lesson(user_id, &slug, &key, &preferred).await }
    };
    let result = ctx
        .state
        .learning
        .submit_quiz(
            user.user_id,
            &slug,
            &key,
            &answers,
            &preferred,
            form_event(&form),
        )
        .await;
    let mut errors = BTreeMap::new();
    let result = match result {
        Ok(r) => Some(r),
        Err(agora_core::Error::Invalid { field, .. }) => {
            match field.strip_prefix("answers.") {
                Some(q) => errors.insert(q.to_owned(), ctx.t("quiz-error-answer")),
                None => errors.insert("form".into(), ctx.t("quiz-error-answer")),
            };
            None
        }
        Err(agora_core::Error::Conflict { field, .. }) if field == "attempts" => {
            errors.insert("form".into(), ctx.t("quiz-error-no-attempts"));
            None
        }
        Err(e) => return not_enrolled(&ctx, &slug, e),
    };
    let v = match view(&ctx).await {
        Ok(v) => v,
        Err(e) => return ctx.fail(e),
    };
    let title = v.outline.card.title.clone();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut page = lesson_page(
        &ctx,
        &slug,
        title,
        v,
        result.as_ref().map(|r| (r, &answers)),
        errors,
    );
    page.discussion_html = super::discussions::lesson::fragment(&ctx, &slug, &key).await;
    let t = page.title.clone();
    let mut resp = ctx.page(status, "lesson", &t, &page);
    crate::http::security::allow_video_frames(&mut resp);
    resp
}

/// GET `…/resource`: the lesson's file.
#[handler]
pub async fn resource(ctx: Ctx, Path((slug, key)): Path<(String, String)>) -> Response {
    let user = match ctx.require_user() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    if !valid_path(&slug, &key) {
        return ctx.error(StatusCode::NOT_FOUND);
    }
    match ctx
        .state
        .learning
        .resource(user.user_id, &slug, &key, &ctx.preferred())
        .await
    {
        Ok(f) => download(f),
        Err(e) => not_enrolled(&ctx, &slug, e),
    }
}

/// GET `/courses/{slug}/resources/{file}`: a file a lesson links to.
#[handler]
pub async fn resource_file(ctx: Ctx, Path((slug, file)): Path<(String, String)>) -> Response {
    let user = match ctx.require_user() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    if !valid_path(&slug, &file) {
        return ctx.error(StatusCode::NOT_FOUND);
    }
    match ctx
        .state
        .learning
        .resource_file(user.user_id, &slug, &file, &ctx.preferred())
        .await
    {
        Ok(f) => download(f),
        Err(e) => not_enrolled(&ctx, &slug, e),
    }
}

fn download(f: agora_core::learning::ResourceFile) -> Response {
    Response::builder()
        .header(header::CONTENT_TYPE, f.content_type)
        .header(
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{}\"",
                f.file_name.replace(['"', '\\', '\r', '\n'], "_")
            ),
        )
        .header(header::CACHE_CONTROL, "private, no-store")
        .body(f.data)
}
