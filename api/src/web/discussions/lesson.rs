//! The discussion under a lesson: the threads about it and the form to
//! ask about it, rendered per request into the lesson page (kept or not).

use std::{
    hash::{DefaultHasher, Hash, Hasher},
    sync::{Arc, OnceLock},
};

use agora_core::{discussions::ThreadSummary, learning::LessonView};
use poem::{Response, http::StatusCode};
use serde::Serialize;

use super::{Draft, thread_href};
use crate::{
    http::{
        frame::push_escaped,
        parts::{Part, cut, weight},
    },
    web::{Ctx, FieldErrors},
};

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
    let Ok(found) = found else {
        return String::new();
    };
    // A title carrying a marker's control character is never kept (there
    // is no such title unless someone forged one): rendered per reader.
    let keep = !found.0.iter().any(|t| t.title.contains('\u{1}'));
    let id = digest(ctx, course, &read.key, &found);
    if keep && let Some(kept) = kept_fragments().get(&id) {
        return with_token(&kept, &ctx.csrf);
    }
    let token = if keep {
        crate::web::NO_TOKEN
    } else {
        ctx.csrf.as_str()
    };
    let draft = Draft::default();
    let Some(rendered) = show_with(
        ctx,
        course,
        &read.key,
        found,
        draft,
        FieldErrors::default(),
        token,
    ) else {
        return String::new();
    };
    if !keep {
        return rendered;
    }
    let parts: Arc<[Part]> = cut(&rendered, &[crate::web::NO_TOKEN.to_owned()]).into();
    kept_fragments().insert(id, parts.clone());
    with_token(&parts, &ctx.csrf)
}

/// The fragment as rendered for everyone who reads the same list in the
/// same language, cut where the reader's CSRF token goes. Keyed by a digest
/// of everything it shows, so an entry is never stale: a changed list has
/// another key, and the old entry ages out.
fn kept_fragments() -> &'static moka::sync::Cache<u64, Arc<[Part]>> {
    static KEPT: OnceLock<moka::sync::Cache<u64, Arc<[Part]>>> = OnceLock::new();
    KEPT.get_or_init(|| {
        moka::sync::Cache::builder()
            .weigher(|_: &u64, p: &Arc<[Part]>| {
                weight(
                    p.iter()
                        .map(|p| match p {
                            Part::Text(t) => t.len(),
                            Part::Slot(_) => 0,
                        })
                        .sum(),
                )
            })
            // 8 MB of fragments.
            .max_capacity(8 << 20)
            .time_to_idle(std::time::Duration::from_secs(600))
            .build()
    })
}

fn digest(ctx: &Ctx, course: &str, key: &str, (threads, more): &(Vec<ThreadSummary>, bool)) -> u64 {
    let mut h = DefaultHasher::new();
    (course, key, ctx.locale.as_str(), more).hash(&mut h);
    for t in threads {
        (t.id, &t.title, t.question, t.answered, t.reply_count).hash(&mut h);
    }
    h.finish()
}

fn with_token(parts: &[Part], csrf: &str) -> String {
    let mut out = String::with_capacity(
        parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.len(),
                Part::Slot(_) => 2 * csrf.len(),
            })
            .sum(),
    );
    for p in parts {
        match p {
            Part::Text(t) => out.push_str(t),
            Part::Slot(_) => push_escaped(&mut out, csrf),
        }
    }
    out
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
    found: (Vec<ThreadSummary>, bool),
    draft: Draft,
    errors: FieldErrors,
) -> Option<String> {
    show_with(ctx, course, key, found, draft, errors, &ctx.csrf)
}

/// The fragment with `csrf` in its form.
fn show_with(
    ctx: &Ctx,
    course: &str,
    key: &str,
    (threads, more): (Vec<ThreadSummary>, bool),
    draft: Draft,
    errors: FieldErrors,
    csrf: &str,
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
    ctx.body_with_token("lesson_discussion", &data, csrf)
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
