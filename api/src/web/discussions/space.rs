//! A space's page: its threads by latest activity, unanswered or most
//! helpful, 20 a page, and the form to start a thread.

use agora_core::discussions::{Sort, ThreadList};
use poem::{
    Body, Response, handler,
    http::StatusCode,
    web::{Path, Query},
};
use serde::{Deserialize, Serialize};

use super::{Draft, checked, form_error, thread_href, when};
use crate::web::{Ctx, FieldErrors, Flash, FormData, cohorts::reader_zone};

#[derive(Deserialize)]
pub struct ListQuery {
    sort: Option<String>,
    page: Option<String>,
}

#[derive(Serialize)]
struct ThreadItem {
    href: String,
    title: String,
    question: bool,
    answered: bool,
    locked: bool,
    replies: String,
    helpful: String,
    author: String,
    last_activity: String,
}

#[derive(Serialize)]
struct SortLink {
    label: String,
    href: String,
    current: bool,
}

#[derive(Serialize)]
struct SpacePage {
    slug: String,
    title: String,
    following: bool,
    can_post: bool,
    mail_choices: Vec<super::mail::Choice>,
    sorts: Vec<SortLink>,
    threads: Vec<ThreadItem>,
    previous_href: Option<String>,
    next_href: Option<String>,
    page_label: String,
    draft: Draft,
    errors: FieldErrors,
    image_fields: super::ImageFields,
}

/// The space's page; `draft` and `errors` refill a refused form.
async fn space_page(
    ctx: &Ctx,
    slug: &str,
    sort: Sort,
    page: u64,
    status: StatusCode,
    draft: Draft,
    errors: FieldErrors,
) -> Response {
    let list: ThreadList = match ctx
        .state
        .discussions
        .threads(ctx.user.as_ref(), slug, sort, page, None)
        .await
    {
        Ok(l) => l,
        Err(e) => return ctx.fail(e),
    };
    let zone = reader_zone(ctx).await;
    // A suspended reader is told why, next to the field, before writing.
    let mut errors = errors;
    if let Some((until, reason)) = &list.space.suspension {
        errors.add("body", super::suspended_notice(ctx, &zone, *until, reason));
    }
    let href = |s: Sort, p: u64| format!("/discussions/{slug}?sort={}&page={p}", s.as_str());
    let data = SpacePage {
        slug: slug.to_owned(),
        title: list.space.title.clone(),
        following: list.space.following,
        can_post: list.space.access.post,
        mail_choices: super::mail::space_choices(ctx, list.space.mail),
        sorts: [Sort::Latest, Sort::Unanswered, Sort::Helpful]
            .into_iter()
            .map(|s| SortLink {
                label: ctx.t(&format!("discussion-sort-{}", s.as_str())),
                href: href(s, 1),
                current: s == sort,
            })
            .collect(),
        threads: list
            .threads
            .iter()
            .map(|t| ThreadItem {
                href: thread_href(slug, t.id),
                title: t.title.clone(),
                question: t.question,
                answered: t.answered,
                locked: t.locked,
                replies: crate::http::i18n::t_args(
                    ctx.locale,
                    "discussion-replies",
                    &[("count", t.reply_count.into())],
                ),
                helpful: crate::http::i18n::t_args(
                    ctx.locale,
                    "discussion-helpful-count",
                    &[("count", t.helpful_count.into())],
                ),
                author: t.author_name.clone(),
                last_activity: when(&zone, t.last_activity_at),
            })
            .collect(),
        previous_href: (page > 1).then(|| href(sort, page - 1)),
        next_href: list.has_more.then(|| href(sort, page + 1)),
        page_label: crate::http::i18n::t_args(
            ctx.locale,
            "discussion-page",
            &[("page", page.into())],
        ),
        image_fields: super::ImageFields::new("thread", &draft.alt, &errors),
        draft,
        errors,
    };
    ctx.page(status, "discussion_space", &list.space.title, &data)
}

/// GET `/discussions/:space`
#[handler]
pub async fn show(ctx: Ctx, Path(slug): Path<String>, Query(q): Query<ListQuery>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    let Some(sort) = Sort::parse(q.sort.as_deref().unwrap_or("latest")) else {
        return ctx.error(StatusCode::BAD_REQUEST);
    };
    let page = match q.page.as_deref().map(str::parse::<u64>) {
        None => 1,
        Some(Ok(p)) if (1..=10_000).contains(&p) => p,
        Some(_) => return ctx.error(StatusCode::BAD_REQUEST),
    };
    space_page(
        &ctx,
        &slug,
        sort,
        page,
        StatusCode::OK,
        Draft::default(),
        FieldErrors::default(),
    )
    .await
}

/// POST `/discussions/:space/threads`: title, body, question, and the
/// lesson when started under one (then back to the lesson on a refusal);
/// multipart, it may carry an `image` with its `alt` text.
#[handler]
pub async fn start(
    ctx: Ctx,
    req: &poem::Request,
    Path(slug): Path<String>,
    body: Body,
) -> Response {
    let (form, image) = super::post_form(req, body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let draft = Draft {
        title: form.get("title").unwrap_or_default().to_owned(),
        body: form.get("body").unwrap_or_default().to_owned(),
        question: form.get("question").is_some(),
        alt: form.get("alt").unwrap_or_default().to_owned(),
    };
    let lesson = form.get("lesson").filter(|l| !l.is_empty());
    match ctx
        .state
        .discussions
        .start_thread(
            ctx.user.as_ref(),
            &slug,
            &draft.title,
            &draft.body,
            draft.question,
            lesson,
            image.into_iter().collect(),
        )
        .await
    {
        Ok(t) => ctx.redirect(
            &thread_href(&slug, t.id),
            Some(Flash::Ok("flash-discussion-posted")),
        ),
        Err(e) => match form_error(&ctx, &e) {
            Some((status, field, msg)) => {
                let mut errors = FieldErrors::default();
                errors.add(field, msg);
                match (lesson, slug.strip_prefix("course-")) {
                    (Some(key), Some(course)) => {
                        super::lesson::refused(&ctx, course, key, status, draft, errors).await
                    }
                    _ => space_page(&ctx, &slug, Sort::Latest, 1, status, draft, errors).await,
                }
            }
            None => ctx.fail(e),
        },
    }
}

/// POST `/discussions/:space/following`: `on` (`1` or `0`).
#[handler]
pub async fn follow(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let on = form.get("on") == Some("1");
    match ctx
        .state
        .discussions
        .follow_space(ctx.user.as_ref(), &slug, on)
        .await
    {
        Ok(()) => ctx.redirect(
            &format!("/discussions/{slug}"),
            Some(Flash::Ok(if on {
                "flash-discussion-following"
            } else {
                "flash-discussion-unfollowed"
            })),
        ),
        Err(e) => ctx.fail(e),
    }
}
