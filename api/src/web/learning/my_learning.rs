//! "My learning": courses in progress, where to continue, certificates.

use agora_core::certificates::{self, pdf::format_date};
use poem::{Response, handler, http::StatusCode};
use serde::Serialize;

use super::{Ctx, ProgressView, lesson_href, progress_view};
use crate::http::i18n::t_args;

#[derive(Serialize)]
pub(super) struct MyCourseView {
    pub(super) title: String,
    pub(super) href: String,
    pub(super) continue_href: Option<String>,
    pub(super) completed: bool,
    pub(super) progress: ProgressView,
    pub(super) last_activity: String,
}

#[derive(Serialize)]
pub(super) struct CertificateView {
    pub(super) course_title: String,
    pub(super) completed_on: String,
    pub(super) code: String,
    pub(super) ready: bool,
    pub(super) valid: bool,
    pub(super) download_href: String,
    pub(super) public_href: String,
}

#[derive(Serialize)]
pub(super) struct MyLearningPage {
    pub(super) courses: Vec<MyCourseView>,
    pub(super) certificates: Vec<CertificateView>,
    /// Courses popular with colleagues who share their progress (issue 17).
    pub(super) colleagues: Vec<ColleagueCourseView>,
}

#[derive(Serialize)]
pub(super) struct ColleagueCourseView {
    pub(super) title: String,
    pub(super) href: String,
    pub(super) colleagues: String,
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
    let colleagues = match agora_core::reports::popular_with_colleagues(
        &ctx.state.db,
        user.user_id,
        &ctx.preferred(),
    )
    .await
    {
        Ok(c) => c,
        Err(e) => return ctx.fail(e),
    };
    let page = MyLearningPage {
        colleagues: colleagues
            .into_iter()
            .map(|c| ColleagueCourseView {
                href: format!("/courses/{}", c.slug),
                colleagues: t_args(
                    ctx.locale,
                    "my-colleagues-count",
                    &[("count", (c.colleagues as f64).into())],
                ),
                title: c.title,
            })
            .collect(),
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
