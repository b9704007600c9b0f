//! A session's forms besides editing: cancel it, record who attended, and
//! publish its notes and recording link.

use poem::{Body, Response, handler, http::StatusCode, web::Path};
use uuid::Uuid;

use super::{checked, form_error, sessions::session_page};
use crate::web::{Ctx, Flash, FormData};

/// Checks the form, runs `act` on the session and comes back to its page.
async fn act<F, Fut>(ctx: Ctx, slug: String, id: String, body: Body, act: F) -> Response
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
    let (ctx, result) = act(ctx, id, form).await;
    match result {
        Ok(()) => ctx.redirect(
            &format!("/cohorts/{slug}/sessions/{id}"),
            Some(Flash::Ok("flash-cohort-session-saved")),
        ),
        Err(e) => match form_error(&ctx, &e) {
            Some((status, msg)) => session_page(&ctx, &slug, id, status, None, Some(msg)).await,
            None => ctx.fail(e),
        },
    }
}

/// POST `/cohorts/:slug/sessions/:id/cancel`
#[handler]
pub async fn cancel(ctx: Ctx, Path((slug, id)): Path<(String, String)>, body: Body) -> Response {
    let s = slug.clone();
    act(ctx, slug, id, body, |ctx, id, _| async move {
        let r = ctx
            .state
            .cohorts
            .cancel_session(ctx.user.as_ref(), &s, id)
            .await
            .map(drop);
        (ctx, r)
    })
    .await
}

/// POST `/cohorts/:slug/sessions/:id/attendance`: a checkbox `present`
/// per member who attended.
#[handler]
pub async fn attendance(
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    body: Body,
) -> Response {
    let s = slug.clone();
    act(ctx, slug, id, body, |ctx, id, f| async move {
        let present: Vec<Uuid> = f
            .all()
            .iter()
            .filter(|(k, _)| k == "present")
            .filter_map(|(_, v)| v.parse().ok())
            .collect();
        let r = ctx
            .state
            .cohorts
            .record_attendance(ctx.user.as_ref(), &s, id, &present)
            .await
            .map(drop);
        (ctx, r)
    })
    .await
}

/// POST `/cohorts/:slug/sessions/:id/notes`: notes (Markdown) and recording link.
#[handler]
pub async fn notes(ctx: Ctx, Path((slug, id)): Path<(String, String)>, body: Body) -> Response {
    let s = slug.clone();
    act(ctx, slug, id, body, |ctx, id, f| async move {
        let r = ctx
            .state
            .cohorts
            .publish_notes(
                ctx.user.as_ref(),
                &s,
                id,
                f.get("notes"),
                f.get("recording_url"),
            )
            .await
            .map(drop);
        (ctx, r)
    })
    .await
}
