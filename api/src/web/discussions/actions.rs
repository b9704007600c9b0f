//! The forms of a thread's page: reply, "helpful", mark the answer, delete
//! one's post, follow, and the moderators' lock and hide. Each comes back
//! to the thread's page.

use poem::{Body, Response, handler, http::StatusCode, web::Path};
use uuid::Uuid;

use super::{
    checked, form_error, post_form,
    thread::{Refused, thread_page},
    thread_href,
};
use crate::web::{Ctx, Flash, FormData};

/// Checks the form, then runs `act` on the thread and comes back to it.
async fn act<F, Fut>(
    ctx: Ctx,
    space: String,
    id: String,
    body: Body,
    flash: &'static str,
    act: F,
) -> Response
where
    F: FnOnce(Ctx, Uuid, FormData) -> Fut,
    Fut: std::future::Future<Output = (Ctx, agora_core::Result<()>)>,
{
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let Ok(id) = id.parse::<Uuid>() else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    // The thread must be of this space: one address per thread.
    match ctx.state.discussions.thread(ctx.user.as_ref(), id).await {
        Ok(t) if t.space.slug == space => {}
        Ok(_) => return ctx.error(StatusCode::NOT_FOUND),
        Err(e) => return ctx.fail(e),
    }
    let (ctx, result) = act(ctx, id, form).await;
    match result {
        Ok(()) => ctx.redirect(&thread_href(&space, id), Some(Flash::Ok(flash))),
        Err(e) => ctx.fail(e),
    }
}

fn post_id(form: &FormData) -> agora_core::Result<Uuid> {
    form.get("post")
        .and_then(|p| p.parse().ok())
        .ok_or(agora_core::Error::NotFound { what: "post" })
}

/// POST `/discussions/:space/threads/:id/posts`: `body`, and `parent` for
/// a reply to a post; multipart, an `image` with its `alt` text. A refusal
/// shows the form again with the message next to the field.
#[handler]
pub async fn reply(
    ctx: Ctx,
    req: &poem::Request,
    Path((space, id)): Path<(String, String)>,
    body: Body,
) -> Response {
    let (form, image) = post_form(req, body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let Ok(id) = id.parse::<Uuid>() else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    let parent = form.get("parent").and_then(|p| p.parse::<Uuid>().ok());
    let text = form.get("body").unwrap_or_default();
    match ctx
        .state
        .discussions
        .reply(
            ctx.user.as_ref(),
            id,
            parent,
            text,
            image.into_iter().collect(),
        )
        .await
    {
        Ok(t) if t.space.slug == space => ctx.redirect(
            &thread_href(&space, id),
            Some(Flash::Ok("flash-discussion-posted")),
        ),
        Ok(_) => ctx.error(StatusCode::NOT_FOUND),
        Err(e) => match form_error(&ctx, &e) {
            Some((status, field, message)) => {
                let refused = Refused {
                    parent,
                    edit: None,
                    field,
                    message,
                    draft: text.to_owned(),
                    alt: form.get("alt").unwrap_or_default().to_owned(),
                };
                thread_page(&ctx, &space, id, status, Some(refused)).await
            }
            None => ctx.fail(e),
        },
    }
}

/// POST `…/helpful`: `post`.
#[handler]
pub async fn helpful(ctx: Ctx, Path((space, id)): Path<(String, String)>, body: Body) -> Response {
    act(
        ctx,
        space,
        id,
        body,
        "flash-discussion-saved",
        |ctx, _, f| async move {
            let r = match post_id(&f) {
                Ok(p) => ctx
                    .state
                    .discussions
                    .toggle_helpful(ctx.user.as_ref(), p)
                    .await
                    .map(drop),
                Err(e) => Err(e),
            };
            (ctx, r)
        },
    )
    .await
}

/// POST `…/answer`: `post` (empty to unmark).
#[handler]
pub async fn answer(ctx: Ctx, Path((space, id)): Path<(String, String)>, body: Body) -> Response {
    act(
        ctx,
        space,
        id,
        body,
        "flash-discussion-answer",
        |ctx, id, f| async move {
            let post = f.get("post").filter(|p| !p.is_empty());
            let r = match post.map(str::parse::<Uuid>).transpose() {
                Ok(p) => {
                    ctx.state
                        .discussions
                        .mark_answer(ctx.user.as_ref(), id, p)
                        .await
                }
                Err(_) => Err(agora_core::Error::NotFound { what: "post" }),
            };
            (ctx, r)
        },
    )
    .await
}

/// POST `…/deletion`: `post`, one's own.
#[handler]
pub async fn delete(ctx: Ctx, Path((space, id)): Path<(String, String)>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let (Ok(id), Ok(post)) = (id.parse::<Uuid>(), post_id(&form)) else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    match ctx
        .state
        .discussions
        .delete_post(ctx.user.as_ref(), post)
        .await
    {
        // The thread may have gone with its only post.
        Ok(()) => match ctx.state.discussions.thread(ctx.user.as_ref(), id).await {
            Ok(_) => ctx.redirect(
                &thread_href(&space, id),
                Some(Flash::Ok("flash-discussion-deleted")),
            ),
            Err(_) => ctx.redirect(
                &format!("/discussions/{space}"),
                Some(Flash::Ok("flash-discussion-deleted")),
            ),
        },
        Err(e) => ctx.fail(e),
    }
}

/// POST `…/following`: `on` (`1` or `0`).
#[handler]
pub async fn follow(ctx: Ctx, Path((space, id)): Path<(String, String)>, body: Body) -> Response {
    act(
        ctx,
        space,
        id,
        body,
        "flash-discussion-saved",
        |ctx, id, f| async move {
            let on = f.get("on") == Some("1");
            let r = ctx
                .state
                .discussions
                .follow_thread(ctx.user.as_ref(), id, on)
                .await;
            (ctx, r)
        },
    )
    .await
}

/// POST `…/lock`: `locked` (`1` or `0`), moderators.
#[handler]
pub async fn lock(ctx: Ctx, Path((space, id)): Path<(String, String)>, body: Body) -> Response {
    act(
        ctx,
        space,
        id,
        body,
        "flash-discussion-saved",
        |ctx, id, f| async move {
            let locked = f.get("locked") == Some("1");
            let r = ctx
                .state
                .discussions
                .lock_thread(ctx.user.as_ref(), id, locked)
                .await;
            (ctx, r)
        },
    )
    .await
}

/// POST `…/visibility`: `post` and `hidden` (`1` or `0`), moderators.
#[handler]
pub async fn visibility(
    ctx: Ctx,
    Path((space, id)): Path<(String, String)>,
    body: Body,
) -> Response {
    act(
        ctx,
        space,
        id,
        body,
        "flash-discussion-saved",
        |ctx, _, f| async move {
            let hidden = f.get("hidden") == Some("1");
            let r = match post_id(&f) {
                Ok(p) => {
                    ctx.state
                        .discussions
                        .hide_post(ctx.user.as_ref(), p, hidden)
                        .await
                }
                Err(e) => Err(e),
            };
            (ctx, r)
        },
    )
    .await
}

/// POST `…/edit`: `post` (one's own) and its new `body`; multipart, an
/// `image` to add with its `alt` text. A refusal shows the edit form again
/// with the message next to the field.
#[handler]
pub async fn edit(
    ctx: Ctx,
    req: &poem::Request,
    Path((space, id)): Path<(String, String)>,
    body: Body,
) -> Response {
    let (form, image) = post_form(req, body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let (Ok(id), Ok(post)) = (id.parse::<Uuid>(), post_id(&form)) else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    match ctx.state.discussions.thread(ctx.user.as_ref(), id).await {
        Ok(t) if t.space.slug == space => {}
        Ok(_) => return ctx.error(StatusCode::NOT_FOUND),
        Err(e) => return ctx.fail(e),
    }
    if !matches!(ctx.state.discussions.thread_of_post(ctx.user.as_ref(), post).await, Ok(t) if t == id)
    {
        return ctx.error(StatusCode::NOT_FOUND);
    }
    let text = form.get("body").unwrap_or_default();
    let d = &ctx.state.discussions;
    let added = match image {
        Some(image) => d.add_image(ctx.user.as_ref(), post, image).await.map(drop),
        None => Ok(()),
    };
    if let Err(e) = added {
        return refused_edit(&ctx, &space, id, post, text, &form, e).await;
    }
    match d.edit_post(ctx.user.as_ref(), post, text).await {
        Ok(()) => ctx.redirect(
            &format!("{}#post-{post}", thread_href(&space, id)),
            Some(Flash::Ok("flash-discussion-edited")),
        ),
        Err(e) => refused_edit(&ctx, &space, id, post, text, &form, e).await,
    }
}

/// The edit form again, with the message next to its field.
async fn refused_edit(
    ctx: &Ctx,
    space: &str,
    id: Uuid,
    post: Uuid,
    text: &str,
    form: &FormData,
    e: agora_core::Error,
) -> Response {
    match form_error(ctx, &e) {
        Some((status, field, message)) => {
            let refused = Refused {
                parent: None,
                edit: Some(post),
                field,
                message,
                draft: text.to_owned(),
                alt: form.get("alt").unwrap_or_default().to_owned(),
            };
            thread_page(ctx, space, id, status, Some(refused)).await
        }
        None => ctx.fail(e),
    }
}

/// POST `…/images/removal`: `post` (one's own) and the image's `name`.
#[handler]
pub async fn remove_image(
    ctx: Ctx,
    Path((space, id)): Path<(String, String)>,
    body: Body,
) -> Response {
    act(
        ctx,
        space,
        id,
        body,
        "flash-discussion-image-removed",
        |ctx, id, f| async move {
            let name = f.get("name").unwrap_or_default().to_owned();
            let r = match post_id(&f) {
                Ok(p) => match ctx
                    .state
                    .discussions
                    .thread_of_post(ctx.user.as_ref(), p)
                    .await
                {
                    Ok(t) if t == id => {
                        ctx.state
                            .discussions
                            .remove_image(ctx.user.as_ref(), p, &name)
                            .await
                    }
                    Ok(_) => Err(agora_core::Error::NotFound { what: "post" }),
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            };
            (ctx, r)
        },
    )
    .await
}
