//! The discussion under a lesson: the threads about it and the form to
//! ask about it, rendered per request into the lesson page (kept or not).

use agora_core::{discussions::ThreadSummary, learning::LessonView};
use poem::{Response, http::StatusCode};
use serde::Serialize;

use super::{Draft, thread_href};
use crate::web::{Ctx, FieldErrors};

#[derive(Serialize)]
struct LessonThread {
    href: String,
    title: String,
    question: bool,
    answered: bool,
    replies: String,
}

#[derive(Serialize)]
struct Fragment<'a> {
    space: String,
    lesson: &'a str,
    space_href: String,
    threads: Vec<LessonThread>,
    more: bool,
    draft: Draft,
    errors: FieldErrors,
    image_fields: super::ImageFields,
}

/// The threads about the lesson (the newest 10) and the form to ask; empty
/// when the reader cannot see the course's space.
pub async fn fragment(ctx: &Ctx, course: &str, key: &str) -> String {
    render(ctx, course, key, Draft::default(), FieldErrors::default())
        .await
        .unwrap_or_default()
}

/// The same for the learner `read` was read for (the lesson player, after
/// `Learning::lesson` answered): their enrolment lets them read the
/// course's space, so the threads take one query and no access check.
pub async fn fragment_of(ctx: &Ctx, course: &str, read: &LessonView) -> String {
    let found = ctx
        .state
        .discussions
        .lesson_threads_of(read, course, LISTED)
        .await;
    match found {
        Ok(found) => show(
            ctx,
            course,
            &read.key,
            found,
            Draft::default(),
            FieldErrors::default(),
        )
        .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// How many threads the lesson page lists.
const LISTED: u64 = 10;

async fn render(
    ctx: &Ctx,
    course: &str,
    key: &str,
    draft: Draft,
    errors: FieldErrors,
) -> Option<String> {
    let found = ctx
        .state
        .discussions
        .lesson_threads(ctx.user.as_ref(), course, key, LISTED)
        .await
        .ok()?;
    show(ctx, course, key, found, draft, errors)
}

fn show(
    ctx: &Ctx,
    course: &str,
    key: &str,
    (threads, more): (Vec<ThreadSummary>, bool),
    draft: Draft,
    errors: FieldErrors,
) -> Option<String> {
    let space = format!("course-{course}");
    let data = Fragment {
        space_href: format!("/discussions/{space}"),
        threads: threads
            .iter()
            .map(|t| LessonThread {
                href: thread_href(&space, t.id),
                title: t.title.clone(),
                question: t.question,
                answered: t.answered,
                replies: crate::http::i18n::t_args(
                    ctx.locale,
                    "discussion-replies",
                    &[("count", t.reply_count.into())],
                ),
            })
            .collect(),
        more,
        space,
        lesson: key,
        image_fields: super::ImageFields::new("ask", &draft.alt, &errors),
        draft,
        errors,
    };
    ctx.body_with_token("lesson_discussion", &data, &ctx.csrf)
}

/// The form again, with the message next to the field, when a question
/// asked under a lesson is refused.
pub async fn refused(
    ctx: &Ctx,
    course: &str,
    key: &str,
    status: StatusCode,
    draft: Draft,
    errors: FieldErrors,
) -> Response {
    match render(ctx, course, key, draft, errors).await {
        Some(html) => ctx.page(
            status,
            "discussion_ask",
            &ctx.t("discussion-ask-title"),
            &serde_json::json!({ "fragment": html }),
        ),
        None => ctx.error(StatusCode::NOT_FOUND),
    }
}
