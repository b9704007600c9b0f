//! The moderation forms of a thread's page: anyone reports a post (a
//! reason and a note), a moderator moves the thread. A refusal shows the
//! page again with the message next to the field.

use poem::{Body, Response, handler, http::StatusCode, web::Path};
use uuid::Uuid;

use super::{
    checked,
    thread::{RefusedModeration, moderated_thread_page},
    thread_href,
};
use crate::web::{Ctx, Flash, FormData};

/// The message for a refused report.
fn report_message(ctx: &Ctx, e: &agora_core::Error) -> Option<(StatusCode, String)> {
    use agora_core::Error as E;
    Some(match e {
        E::Invalid { field, .. } if field == "note" => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ctx.t("discussion-report-error-note"),
        ),
        E::Invalid { field, .. } if field == "reason" => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ctx.t("discussion-report-error-reason"),
        ),
        E::Invalid { field, .. } if field == "post" => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ctx.t("discussion-report-error-own"),
        ),
        E::Conflict { .. } => (StatusCode::CONFLICT, ctx.t("discussion-report-error-twice")),
        E::RateLimited { .. } => (
            StatusCode::TOO_MANY_REQUESTS,
            ctx.t("discussion-report-error-rate"),
        ),
        _ => return None,
    })
}

/// POST `/discussions/:space/threads/:id/reports`: `post`, `reason`, `note`.
#[handler]
pub async fn report(ctx: Ctx, Path((space, id)): Path<(String, String)>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let (Ok(id), Some(post)) = (
        id.parse::<Uuid>(),
        form.get("post").and_then(|p| p.parse::<Uuid>().ok()),
    ) else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    let d = &ctx.state.discussions;
    match d.thread_of_post(ctx.user.as_ref(), post).await {
        Ok(t) if t == id => {}
        Ok(_) => return ctx.error(StatusCode::NOT_FOUND),
        Err(e) => return ctx.fail(e),
    }
    let reason = form.get("reason").unwrap_or_default();
    let note = form.get("note");
    match d.report_post(ctx.user.as_ref(), post, reason, note).await {
        Ok(()) => ctx.redirect(
            &format!("{}#post-{post}", thread_href(&space, id)),
            Some(Flash::Ok("flash-discussion-reported")),
        ),
        Err(e) => match report_message(&ctx, &e) {
            Some((status, message)) => {
                let refused = RefusedModeration {
                    report: Some((post, message)),
                    moved: None,
                };
                moderated_thread_page(&ctx, &space, id, status, None, refused).await
            }
            None => ctx.fail(e),
        },
    }
}

/// POST `/discussions/:space/threads/:id/move`: `to`, and `widen` to
/// confirm a move that shows the thread to more people.
#[handler]
pub async fn move_thread(
    ctx: Ctx,
    Path((space, id)): Path<(String, String)>,
    body: Body,
) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let Ok(id) = id.parse::<Uuid>() else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    let d = &ctx.state.discussions;
    match d.thread(ctx.user.as_ref(), id).await {
        Ok(t) if t.space.slug == space => {}
        Ok(_) => return ctx.error(StatusCode::NOT_FOUND),
        Err(e) => return ctx.fail(e),
    }
    let to = form.get("to").unwrap_or_default();
    let widen = form.get("widen").is_some();
    match d.move_thread(ctx.user.as_ref(), id, to, widen).await {
        Ok(t) => ctx.redirect(
            &thread_href(&t.space.slug, t.id),
            Some(Flash::Ok("flash-discussion-moved")),
        ),
        Err(agora_core::Error::Invalid { field, .. }) => {
            let key = if field == "widen" {
                "discussion-move-error-widen"
            } else {
                "discussion-move-error-space"
            };
            let refused = RefusedModeration {
                report: None,
                moved: Some(ctx.t(key)),
            };
            moderated_thread_page(
                &ctx,
                &space,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                refused,
            )
            .await
        }
        Err(e) => ctx.fail(e),
    }
}
