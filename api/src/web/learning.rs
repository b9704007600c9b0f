//! Enrolment, the lesson player (content, video and transcript, resources,
//! quizzes with feedback, progress) and "my learning".

use std::collections::BTreeMap;

use agora_core::{
    catalogue,
    certificates::{self, pdf::format_date},
    domain::{LessonKind, QuestionKind},
    learning::{LessonView, ProgressSummary, QuizResult},
};
use poem::{
    Body, IntoResponse, Response, handler,
    http::{StatusCode, header},
    web::{Json, Path},
};
use serde::Serialize;

use super::{Ctx, Flash, FormData};
use crate::http::i18n::{format_percent, t_args};

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
    match ctx.state.learning.enrol(user.user_id, &slug).await {
        Ok(e) => {
            if e.created
                && let Some(via) =
                    crate::http::cookies::cookie(req, crate::http::cookies::VIA_COOKIE)
            {
                crate::parked::attribution::attribute(&ctx.state, via, &e.enrolment).await;
            }
            let to = match &e.summary.resume_lesson_key {
                Some(k) => lesson_href(&slug, k),
                None => format!("/courses/{slug}"),
            };
            ctx.redirect(&to, Some(Flash::Ok("flash-enrolled")))
        }
        Err(e) => ctx.fail(e),
    }
}

#[derive(Serialize)]
struct ProgressView {
    value: u8,
    percent: String,
    label: String,
}

fn progress_view(ctx: &Ctx, p: &ProgressSummary) -> ProgressView {
    ProgressView {
        value: p.percent,
        percent: format_percent(ctx.locale, p.percent.into()),
        label: t_args(
            ctx.locale,
            "progress-lessons",
            &[
                ("done", f64::from(p.completed_lessons).into()),
                ("total", f64::from(p.total_lessons).into()),
            ],
        ),
    }
}

#[derive(Serialize)]
struct OptionView {
    key: String,
    text: String,
    checked: bool,
    /// Feedback after an attempt.
    correct: bool,
    explanation: String,
}

#[derive(Serialize)]
struct QuestionView {
    key: String,
    number: usize,
    prompt: String,
    multiple: bool,
    options: Vec<OptionView>,
    error: Option<String>,
    /// After an attempt: whether this answer was right.
    answered: bool,
    correct: bool,
}

#[derive(Serialize)]
struct QuizView {
    passing: String,
    attempts: String,
    can_attempt: bool,
    passed: bool,
    best: Option<String>,
    questions: Vec<QuestionView>,
    result: Option<String>,
    result_passed: bool,
    form_error: Option<String>,
}

#[derive(Serialize)]
struct LessonPage {
    slug: String,
    course_title: String,
    title: String,
    content_lang: &'static str,
    kind: String,
    is_video: bool,
    video_url: Option<String>,
    /// A file the browser plays itself; other addresses (a video site) are links.
    video_file: bool,
    video_placeholder: bool,
    /// The player of a YouTube or Vimeo `video_url`; the link stays as a fallback.
    video_embed: Option<String>,
    html: String,
    resource_href: Option<String>,
    resource_name: Option<String>,
    quiz: Option<QuizView>,
    previous_href: Option<String>,
    next_href: Option<String>,
    completed: bool,
    completable: bool,
    complete_action: String,
    quiz_action: String,
    progress: ProgressView,
}

fn lesson_page(
    ctx: &Ctx,
    slug: &str,
    course_title: String,
    v: LessonView,
    attempt: Option<(&QuizResult, &BTreeMap<String, Vec<String>>)>,
    form_errors: BTreeMap<String, String>,
) -> LessonPage {
    let l = ctx.locale;
    let quiz = v.quiz.as_ref().map(|q| {
        let result = attempt.map(|(r, _)| r);
        let chosen = attempt.map(|(_, a)| a);
        let can_attempt = !q.passed && q.max_attempts.is_none_or(|m| q.attempts_used < m);
        QuizView {
            passing: t_args(
                l,
                "quiz-passing",
                &[("score", format_percent(l, q.passing_score).into())],
            ),
            attempts: match q.max_attempts {
                Some(m) => t_args(
                    l,
                    "quiz-attempts-of",
                    &[
                        ("used", f64::from(q.attempts_used).into()),
                        ("max", f64::from(m).into()),
                    ],
                ),
                None => t_args(
                    l,
                    "quiz-attempts",
                    &[("used", f64::from(q.attempts_used).into())],
                ),
            },
            can_attempt,
            passed: q.passed,
            best: q.best_score.map(|b| format_percent(l, b)),
            result: result.map(|r| {
                t_args(
                    l,
                    if r.passed {
                        "quiz-passed"
                    } else {
                        "quiz-failed"
                    },
                    &[
                        ("score", format_percent(l, r.score).into()),
                        ("passing", format_percent(l, r.passing_score).into()),
                    ],
                )
            }),
            result_passed: result.is_some_and(|r| r.passed),
            form_error: form_errors.get("form").cloned(),
            questions: q
                .questions
                .iter()
                .enumerate()
                .map(|(i, question)| {
                    let feedback =
                        result.and_then(|r| r.questions.iter().find(|f| f.key == question.key));
                    let picked = chosen.and_then(|c| c.get(&question.key));
                    QuestionView {
                        key: question.key.clone(),
                        number: i + 1,
                        prompt: question.prompt.clone(),
                        multiple: question.kind == QuestionKind::Multiple,
                        error: form_errors.get(&question.key).cloned(),
                        answered: feedback.is_some(),
                        correct: feedback.is_some_and(|f| f.correct),
                        options: question
                            .options
                            .iter()
                            .map(|o| {
                                let fb = feedback
                                    .and_then(|f| f.options.iter().find(|x| x.key == o.key));
                                let checked = picked.is_some_and(|p| p.contains(&o.key));
                                // Known only once revealed (see `Learning::submit_quiz`),
                                // or for a chosen option of a question answered right.
                                let correct = feedback.is_some_and(|f| {
                                    f.correct_options.contains(&o.key) || (checked && f.correct)
                                });
                                OptionView {
                                    key: o.key.clone(),
                                    text: o.text.clone(),
                                    checked,
                                    correct,
                                    // Explain what was chosen and what was right.
                                    explanation: fb
                                        .filter(|_| checked || correct)
                                        .map(|f| f.explanation.clone())
                                        .unwrap_or_default(),
                                }
                            })
                            .collect(),
                    }
                })
                .collect(),
        }
    });
    LessonPage {
        course_title,
        title: v.title,
        content_lang: v.locale.as_str(),
        kind: ctx.t(&format!("kind-{}", v.kind)),
        is_video: v.kind == LessonKind::Video,
        video_file: v.video_url.as_deref().is_some_and(|u| {
            let path = u.split(['?', '#']).next().unwrap_or_default();
            [".mp4", ".webm", ".ogv"].iter().any(|e| path.ends_with(e))
        }),
        video_embed: v
            .video_url
            .as_deref()
            .and_then(agora_core::embed::embed_for_video_url),
        video_url: v.video_url,
        video_placeholder: v.video_placeholder,
        html: v.html,
        resource_href: v
            .resource
            .as_ref()
            .map(|_| format!("/courses/{slug}/lessons/{}/resource", v.key)),
        resource_name: v.resource.map(|r| r.file_name),
        previous_href: v.previous_key.map(|k| lesson_href(slug, &k)),
        next_href: v.next_key.map(|k| lesson_href(slug, &k)),
        completed: v.completed,
        completable: v.kind != LessonKind::Quiz,
        complete_action: format!("/courses/{slug}/lessons/{}/completion", v.key),
        quiz_action: format!("/courses/{slug}/lessons/{}/attempts", v.key),
        progress: progress_view(ctx, &v.progress),
        quiz,
        slug: slug.to_owned(),
    }
}

#[derive(Serialize)]
struct DraftPreview {
    #[serde(flatten)]
    page: LessonPage,
    preview_note: String,
    preview_back: String,
}

/// A lesson of a draft in the lesson player, as a learner would see it:
/// links stay in the preview, and nothing can be completed or submitted.
pub(super) fn draft_preview(
    ctx: &Ctx,
    slug: &str,
    course_title: String,
    v: agora_core::learning::LessonView,
) -> Response {
    let key = v.key.clone();
    let locale = v.locale;
    let href = |k: &str| format!("/author/{slug}/preview/{k}?locale={locale}");
    let previous = v.previous_key.as_deref().map(href);
    let next = v.next_key.as_deref().map(href);
    let mut page = lesson_page(ctx, slug, course_title, v, None, BTreeMap::new());
    page.previous_href = previous;
    page.next_href = next;
    page.completable = false;
    page.complete_action = String::new();
    page.quiz_action = String::new();
    if let Some(q) = page.quiz.as_mut() {
        q.can_attempt = false;
    }
    let title = format!("{} · {}", ctx.t("author-preview"), page.title);
    let mut resp = ctx.page(
        StatusCode::OK,
        "lesson",
        &title,
        &DraftPreview {
            page,
            preview_note: ctx.t("preview-note"),
            preview_back: format!("/author/{slug}/lessons/{key}?locale={locale}"),
        },
    );
    crate::http::security::allow_video_frames(&mut resp);
    resp
}

async fn course_title(ctx: &Ctx, slug: &str) -> String {
    catalogue::course_outline(&ctx.state.db, slug, &ctx.preferred())
        .await
        .map(|o| o.card.title)
        .unwrap_or_else(|_| slug.to_owned())
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

fn valid_path(slug: &str, key: &str) -> bool {
    agora_core::domain::Slug::parse(slug).is_ok() && !key.is_empty() && key.len() <= 80
}

/// GET `/courses/{slug}/lessons/{key}`: the lesson player.
#[handler]
pub async fn lesson(ctx: Ctx, Path((slug, key)): Path<(String, String)>) -> Response {
    let user = match ctx.require_user() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    if !valid_path(&slug, &key) {
        return ctx.error(StatusCode::NOT_FOUND);
    }
    let v = match ctx
        .state
        .learning
        .lesson(user.user_id, &slug, &key, &ctx.preferred())
        .await
    {
        Ok(v) => v,
        Err(e) => return not_enrolled(&ctx, &slug, e),
    };
    let title = course_title(&ctx, &slug).await;
    let page = lesson_page(&ctx, &slug, title, v, None, BTreeMap::new());
    let t = page.title.clone();
    let mut resp = ctx.page(StatusCode::OK, "lesson", &t, &page);
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
    let summary = match ctx
        .state
        .learning
        .complete_lesson(user.user_id, &slug, &key)
        .await
    {
        Ok(s) => s,
        Err(e) => return not_enrolled(&ctx, &slug, e),
    };
    // The next lesson in course order.
    let next = ctx
        .state
        .learning
        .lesson(user.user_id, &slug, &key, &ctx.preferred())
        .await
        .ok()
        .and_then(|v| v.next_key)
        .map(|k| lesson_href(&slug, &k));
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
        .submit_quiz(user.user_id, &slug, &key, &answers, &preferred)
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
    let title = course_title(&ctx, &slug).await;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = lesson_page(
        &ctx,
        &slug,
        title,
        v,
        result.as_ref().map(|r| (r, &answers)),
        errors,
    );
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

fn download(f: agora_core::entities::lesson_resource::Model) -> Response {
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

#[derive(Serialize)]
struct MyCourseView {
    title: String,
    href: String,
    continue_href: Option<String>,
    completed: bool,
    progress: ProgressView,
    last_activity: String,
}

#[derive(Serialize)]
struct CertificateView {
    course_title: String,
    completed_on: String,
    code: String,
    ready: bool,
    valid: bool,
    download_href: String,
    public_href: String,
}

#[derive(Serialize)]
struct MyLearningPage {
    courses: Vec<MyCourseView>,
    certificates: Vec<CertificateView>,
}

/// `/my-learning`: courses in progress, where to continue, certificates.
#[handler]
pub async fn my_learning(ctx: Ctx) -> Response {
    let user = match ctx.require_user() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    let courses = match ctx
        .state
        .learning
        .my_learning(user.user_id, &ctx.preferred())
        .await
    {
        Ok(c) => c,
        Err(e) => return ctx.fail(e),
    };
    let certs = match certificates::for_user(&ctx.state.db, user.user_id).await {
        Ok(c) => c,
        Err(e) => return ctx.fail(e),
    };
    let page = MyLearningPage {
        courses: courses
            .into_iter()
            .map(|c| MyCourseView {
                continue_href: c
                    .progress
                    .resume_lesson_key
                    .as_ref()
                    .filter(|_| c.progress.completed_at.is_none())
                    .map(|k| lesson_href(&c.slug, k)),
                href: format!("/courses/{}", c.slug),
                completed: c.progress.completed_at.is_some(),
                progress: progress_view(&ctx, &c.progress),
                last_activity: t_args(
                    ctx.locale,
                    "my-last-activity",
                    &[(
                        "date",
                        format_date(ctx.locale, c.progress.last_activity_at.date()).into(),
                    )],
                ),
                title: c.title,
            })
            .collect(),
        certificates: certs
            .into_iter()
            .map(|v| CertificateView {
                completed_on: format_date(ctx.locale, v.completed_at.date()),
                valid: v.is_valid(),
                ready: v.ready,
                download_href: format!("/certificates/{}/pdf", v.code),
                public_href: format!("/certificates/{}", v.code),
                course_title: v.course_title,
                code: v.code,
            })
            .collect(),
    };
    ctx.page(StatusCode::OK, "my_learning", &ctx.t("my-title"), &page)
}
