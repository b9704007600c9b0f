//! The pages the "Contact this city" mail links to. The message's token is
//! the proof, so these forms need no CSRF token. A GET only asks (a mail
//! scanner following links changes nothing); the POST acts, which is also
//! the RFC 8058 one-click request a mail client sends for the refusal.

use poem::{Body, Request, Response, handler, http::StatusCode};
use serde::Serialize;

use crate::{
    http::locale::query_param,
    web::{Ctx, FormData, auth_message},
};

#[derive(Serialize)]
struct ConfirmPage {
    heading: String,
    text: String,
    action: String,
    token: String,
    button: String,
}

fn confirm(ctx: &Ctx, req: &Request, kind: &str) -> Response {
    let token = query_param(req, "token").unwrap_or_default();
    let heading = ctx.t(&format!("practice-{kind}-title"));
    ctx.page(
        StatusCode::OK,
        "practice_confirm",
        &heading.clone(),
        &ConfirmPage {
            heading,
            text: ctx.t(&format!("practice-{kind}-text")),
            action: format!("/practice-messages/{kind}"),
            token,
            button: ctx.t(&format!("practice-{kind}-button")),
        },
    )
}

async fn act(mut ctx: Ctx, req: &Request, body: Body, kind: &str) -> Response {
    let form = FormData::read(body).await;
    let token = query_param(req, "token")
        .or_else(|| form.get("token").map(str::to_owned))
        .unwrap_or_default();
    let done = if kind == "refusal" {
        ctx.state.practices.refuse_contact(&token).await
    } else {
        ctx.state.practices.reveal_address(&token).await
    };
    match done {
        Ok(locale) => {
            if ctx.user.is_none() && query_param(req, "lang").is_none() {
                ctx.locale = locale;
            }
            auth_message(
                &ctx,
                StatusCode::OK,
                &format!("practice-{kind}-done"),
                "/practices",
                "practices-title",
            )
        }
        Err(agora_core::Error::NotFound { .. }) => auth_message(
            &ctx,
            StatusCode::NOT_FOUND,
            "practice-link-failed",
            "/practices",
            "practices-title",
        ),
        Err(e) => ctx.fail(e),
    }
}

/// GET `/practice-messages/refusal?token=…`: asks to confirm.
#[handler]
pub async fn refusal_form(ctx: Ctx, req: &Request) -> Response {
    confirm(&ctx, req, "refusal")
}

/// POST `/practice-messages/refusal`: no more messages from this sender.
#[handler]
pub async fn refuse(ctx: Ctx, req: &Request, body: Body) -> Response {
    act(ctx, req, body, "refusal").await
}

/// GET `/practice-messages/reveal?token=…`: asks to confirm.
#[handler]
pub async fn reveal_form(ctx: Ctx, req: &Request) -> Response {
    confirm(&ctx, req, "reveal")
}

/// POST `/practice-messages/reveal`: mail the sender my address.
#[handler]
pub async fn reveal(ctx: Ctx, req: &Request, body: Body) -> Response {
    act(ctx, req, body, "reveal").await
}
