//! "My learning": courses in progress, where to continue, certificates.
//!
//! Kept rendered per learner (see `http::learner_pages`): the page's frame
//! under a stamp of its certificates and colleagues' courses, each course
//! card under a stamp of its progress. Courses come from the progress
//! cache and certificates from the cache port, so a request that finds
//! both stamps unchanged reads no database and runs no template.

use std::sync::Arc;

use agora_core::{
    certificates::{self, Verification, pdf::format_date},
    learning::MyCourse,
    reports::ColleagueCourse,
};
use poem::{Response, handler, http::StatusCode};
use serde::Serialize;
use uuid::Uuid;

use super::{Ctx, ProgressView, lesson_href, progress_view};
use crate::{
    http::{
        i18n::t_args,
        learner_pages::{Stamped, stamp},
        page_cache::{Part, cut},
    },
    web::SPLICE,
};

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
    /// Whether there are any: the cards themselves are spliced in.
    pub(super) courses: bool,
    pub(super) cards: &'static str,
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
        Ok(u) => u.user_id,
        Err(r) => return r,
    };
    let courses = match ctx.state.learning.my_learning(user, &ctx.preferred()).await {
        Ok(c) => c,
        Err(e) => return ctx.fail(e),
    };
    let certs = match certificates::held_by(&ctx.state.db, &ctx.state.cache, user).await {
        Ok(c) => c,
        Err(e) => return ctx.fail(e),
    };
    let colleagues = match colleagues(&ctx, user, &courses).await {
        Ok(c) => c,
        Err(e) => return ctx.fail(e),
    };
    let kept = &ctx.state.pages.mine;
    let mut cards = Vec::with_capacity(courses.len());
    for c in &courses {
        let s = card_stamp(c);
        let id = c.progress.enrolment_id;
        let card = match kept.card(id, ctx.locale, s).await {
            Some(k) => k,
            None => {
                let Some(html) = ctx.body_with_token("my_course_card", &card_view(&ctx, c), "")
                else {
                    return ctx.error(StatusCode::INTERNAL_SERVER_ERROR);
                };
                let k = Arc::new(Stamped {
                    stamp: s,
                    value: html.into_boxed_str(),
                });
                kept.keep_card(id, ctx.locale, k.clone()).await;
                k
            }
        };
        cards.push(card);
    }
    let s = shell_stamp(courses.is_empty(), &certs, &colleagues);
    let shell = match kept.shell(user, ctx.locale, s).await {
        Some(k) => k,
        None => {
            let page = MyLearningPage {
                courses: !courses.is_empty(),
                cards: SPLICE,
                certificates: certs
                    .into_iter()
                    .map(|v| certificate_view(&ctx, v))
                    .collect(),
                colleagues: colleagues.iter().map(|c| colleague_view(&ctx, c)).collect(),
            };
            let Some(body) = ctx.body_with_token("my_learning", &page, "") else {
                return ctx.error(StatusCode::INTERNAL_SERVER_ERROR);
            };
            let k = Arc::new(Stamped {
                stamp: s,
                value: (
                    ctx.t("my-title").into_boxed_str(),
                    cut(&body, &[SPLICE.to_owned()]),
                ),
            });
            kept.keep_shell(user, ctx.locale, k.clone()).await;
            k
        }
    };
    let (title, body) = &shell.value;
    let mut parts: Vec<&str> = Vec::with_capacity(body.len() + cards.len());
    for p in body {
        match p {
            Part::Text(t) => parts.push(t.as_ref()),
            Part::Slot(_) => parts.extend(cards.iter().map(|c| &*c.value)),
        }
    }
    ctx.layout(StatusCode::OK, title, "my_learning", &parts, None)
}

/// Courses popular with the learner's colleagues, reused for a few seconds
/// (see `COLLEAGUES_FOR`), without those the learner is enrolled in now.
async fn colleagues(
    ctx: &Ctx,
    user: Uuid,
    courses: &[MyCourse],
) -> agora_core::Result<Arc<Vec<ColleagueCourse>>> {
    let kept = &ctx.state.pages.mine;
    let found = match kept.colleagues(user, ctx.locale).await {
        Some(f) => f,
        None => {
            let f = Arc::new(
                agora_core::reports::popular_with_colleagues(&ctx.state.db, user, &ctx.preferred())
                    .await?,
            );
            kept.keep_colleagues(user, ctx.locale, f.clone()).await;
            f
        }
    };
    if found
        .iter()
        .any(|f| courses.iter().any(|c| c.slug == f.slug))
    {
        return Ok(Arc::new(
            found
                .iter()
                .filter(|f| courses.iter().all(|c| c.slug != f.slug))
                .cloned()
                .collect(),
        ));
    }
    Ok(found)
}

/// What a course card shows, in the reader's language (part of its key).
fn card_stamp(c: &MyCourse) -> u64 {
    let p = &c.progress;
    stamp((
        &c.slug,
        &c.title,
        p.version,
        p.completed_lessons,
        p.total_lessons,
        p.percent,
        &p.resume_lesson_key,
        p.completed_at.is_some(),
        p.last_activity_at.date(),
    ))
}

/// What the page around the cards shows.
fn shell_stamp(no_courses: bool, certs: &[Verification], colleagues: &[ColleagueCourse]) -> u64 {
    stamp((
        no_courses,
        certs
            .iter()
            .map(|v| {
                (
                    &v.code,
                    &v.course_title,
                    v.completed_at.date(),
                    v.ready,
                    v.revoked_at.is_some(),
                )
            })
            .collect::<Vec<_>>(),
        colleagues
            .iter()
            .map(|c| (&c.slug, &c.title, c.colleagues))
            .collect::<Vec<_>>(),
    ))
}

fn card_view(ctx: &Ctx, c: &MyCourse) -> MyCourseView {
    MyCourseView {
        continue_href: c
            .progress
            .resume_lesson_key
            .as_ref()
            .filter(|_| c.progress.completed_at.is_none())
            .map(|k| lesson_href(&c.slug, k)),
        href: format!("/courses/{}", c.slug),
        completed: c.progress.completed_at.is_some(),
        progress: progress_view(ctx, &c.progress),
        last_activity: t_args(
            ctx.locale,
            "my-last-activity",
            &[(
                "date",
                format_date(ctx.locale, c.progress.last_activity_at.date()).into(),
            )],
        ),
        title: c.title.clone(),
    }
}

fn certificate_view(ctx: &Ctx, v: Verification) -> CertificateView {
    CertificateView {
        completed_on: format_date(ctx.locale, v.completed_at.date()),
        valid: v.is_valid(),
        ready: v.ready,
        download_href: format!("/certificates/{}/pdf", v.code),
        public_href: format!("/certificates/{}", v.code),
        course_title: v.course_title,
        code: v.code,
    }
}

fn colleague_view(ctx: &Ctx, c: &ColleagueCourse) -> ColleagueCourseView {
    ColleagueCourseView {
        href: format!("/courses/{}", c.slug),
        colleagues: t_args(
            ctx.locale,
            "my-colleagues-count",
            &[("count", (c.colleagues as f64).into())],
        ),
        title: c.title.clone(),
    }
}
