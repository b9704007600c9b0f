//! A thread's page (`/discussions/:space/threads/:id`, a stable address):
//! the opening post, the replies with theirs, and the forms on them.

use poem::{Response, handler, http::StatusCode, web::Path};
use uuid::Uuid;

pub use super::thread_items::{Refused, RefusedModeration};
use super::{
    ImageFields,
    moderation::Choice,
    thread_items::{ThreadPage, item},
};
use crate::web::{Ctx, cohorts::reader_zone};

/// The thread's page; `refused` puts a refused reply back in its form.
pub async fn thread_page(
    ctx: &Ctx,
    space: &str,
    id: Uuid,
    status: StatusCode,
    refused: Option<Refused>,
) -> Response {
    moderated_thread_page(
        ctx,
        space,
        id,
        status,
        refused,
        RefusedModeration::default(),
    )
    .await
}

/// The thread's page with a refused report or move in its form.
pub async fn moderated_thread_page(
    ctx: &Ctx,
    space: &str,
    id: Uuid,
    status: StatusCode,
    refused: Option<Refused>,
    moderation: RefusedModeration,
) -> Response {
    let plain = refused.is_none() && moderation.report.is_none() && moderation.moved.is_none();
    if plain && status == StatusCode::OK {
        // Most readers: the page kept rendered for their class of readers.
        match ctx.state.discussions.reading(ctx.user.as_ref(), id).await {
            Ok(r) if r.kept.space_slug() != space => return ctx.error(StatusCode::NOT_FOUND),
            Ok(r) if !r.access.moderate && !r.suspended => {
                if let Some(page) = super::thread_kept::page(ctx, &r).await {
                    return page;
                }
            }
            Ok(_) => {}
            Err(e) => return ctx.fail(e),
        }
    }
    let t = match ctx.state.discussions.thread(ctx.user.as_ref(), id).await {
        Ok(t) if t.space.slug == space => t,
        Ok(_) => return ctx.error(StatusCode::NOT_FOUND),
        Err(e) => return ctx.fail(e),
    };
    let zone = reader_zone(ctx).await;
    let mut posts = t.posts.clone();
    let opening = (!posts.is_empty() && posts[0].opening).then(|| posts.remove(0));
    let main_error = refused
        .as_ref()
        .filter(|r| r.parent.is_none() && r.edit.is_none());
    let suspended = t
        .space
        .suspension
        .as_ref()
        .map(|(until, reason)| super::suspended_notice(ctx, &zone, *until, reason));
    let move_spaces = if t.space.access.moderate {
        match ctx
            .state
            .discussions
            .spaces_moderated(ctx.user.as_ref(), ctx.locale)
            .await
        {
            Ok(list) => list
                .into_iter()
                .filter(|(slug, _)| slug != space)
                .map(|(value, label)| Choice { value, label })
                .collect(),
            Err(e) => return ctx.fail(e),
        }
    } else {
        Vec::new()
    };
    let data = ThreadPage {
        opening: opening.map(|p| item(ctx, &zone, &t, p, true, refused.as_ref(), &moderation)),
        replies: posts
            .into_iter()
            .map(|p| item(ctx, &zone, &t, p, true, refused.as_ref(), &moderation))
            .collect(),
        error: Refused::body_error(main_error).or_else(|| suspended.clone()),
        draft: main_error.map(|r| r.draft.clone()).unwrap_or_default(),
        image_fields: ImageFields::new(
            "reply",
            main_error.map(|r| r.alt.as_str()).unwrap_or_default(),
            &Refused::errors(main_error),
        ),
        suspended,
        move_spaces,
        move_error: moderation.moved,
        ..ThreadPage::of(&t, space, super::moderation::report_reasons(ctx))
    };
    ctx.page(status, "discussion_thread", &t.title, &data)
}

/// GET `/discussions/:space/threads/:id`
#[handler]
pub async fn show(ctx: Ctx, Path((space, id)): Path<(String, String)>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    let Ok(id) = id.parse::<Uuid>() else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    thread_page(&ctx, &space, id, StatusCode::OK, None).await
}
