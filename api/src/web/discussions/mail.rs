//! Discussion mail pages: the choices in the account settings
//! (`/account/discussion-mail`), one space's choice from its page, and the
//! one-click unsubscribe reached from every discussion mail.

use agora_core::discussions::{self, MailMode, MailPrefs};
use poem::{
    Body, Response, handler,
    http::StatusCode,
    web::{Path, Query},
};
use serde::{Deserialize, Serialize};

use super::checked;
use crate::web::{Ctx, FieldErrors, Flash, FormData};

#[derive(Serialize)]
pub struct Choice {
    value: &'static str,
    label: String,
    selected: bool,
}

fn choices(ctx: &Ctx, current: Option<MailMode>, with_default: bool) -> Vec<Choice> {
    let mut out = Vec::new();
    if with_default {
        out.push(Choice {
            value: "default",
            label: ctx.t("discussion-mail-default"),
            selected: current.is_none(),
        });
    }
    for m in MailMode::ALL {
        out.push(Choice {
            value: m.as_str(),
            label: ctx.t(&format!("discussion-mail-{}", m.as_str())),
            selected: current == Some(m),
        });
    }
    out
}

/// The `<select>` of one space's mail on its page.
pub fn space_choices(ctx: &Ctx, current: Option<MailMode>) -> Vec<Choice> {
    choices(ctx, current, true)
}

#[derive(Serialize)]
struct SpaceRow {
    slug: String,
    title: String,
    choices: Vec<Choice>,
}

#[derive(Serialize)]
struct MailPage {
    modes: Vec<Choice>,
    direct: bool,
    spaces: Vec<SpaceRow>,
    errors: FieldErrors,
}

fn mail_page(ctx: &Ctx, status: StatusCode, prefs: MailPrefs, errors: FieldErrors) -> Response {
    let data = MailPage {
        modes: choices(ctx, Some(prefs.mode), false),
        direct: prefs.direct,
        spaces: prefs
            .spaces
            .into_iter()
            .map(|s| SpaceRow {
                choices: choices(ctx, s.mode, true),
                slug: s.slug,
                title: s.title,
            })
            .collect(),
        errors,
    };
    ctx.page(
        status,
        "discussion_mail",
        &ctx.t("discussion-mail-title"),
        &data,
    )
}

/// GET `/account/discussion-mail`
#[handler]
pub async fn settings(ctx: Ctx) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    match ctx
        .state
        .discussions
        .mail_prefs(ctx.user.as_ref(), ctx.locale)
        .await
    {
        Ok(p) => mail_page(&ctx, StatusCode::OK, p, FieldErrors::default()),
        Err(e) => ctx.fail(e),
    }
}

/// POST `/account/discussion-mail`: `mode`, `direct`, and `space-<slug>`
/// for each space.
#[handler]
pub async fn save(ctx: Ctx, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let spaces: Vec<(String, String)> = form
        .all()
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("space-")?.to_owned(), v.clone())))
        .collect();
    let saved = ctx
        .state
        .discussions
        .save_mail_prefs(
            ctx.user.as_ref(),
            form.get("mode").unwrap_or_default(),
            form.get("direct").is_some(),
            &spaces,
        )
        .await;
    match saved {
        Ok(()) => ctx.redirect(
            "/account/discussion-mail",
            Some(Flash::Ok("flash-discussion-mail-saved")),
        ),
        Err(agora_core::Error::Invalid { field, .. }) => {
            let mut errors = FieldErrors::default();
            let (field, key) = if field == "mode" {
                ("mode", "discussion-mail-error-mode")
            } else {
                ("spaces", "discussion-mail-error-space")
            };
            errors.add(field, ctx.t(key));
            match ctx
                .state
                .discussions
                .mail_prefs(ctx.user.as_ref(), ctx.locale)
                .await
            {
                Ok(p) => mail_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, p, errors),
                Err(e) => ctx.fail(e),
            }
        }
        Err(e) => ctx.fail(e),
    }
}

/// POST `/discussions/:space/mail`: `mode` (`default` or a mode).
#[handler]
pub async fn space(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    match ctx
        .state
        .discussions
        .set_space_mail(
            ctx.user.as_ref(),
            &slug,
            form.get("mode").unwrap_or_default(),
        )
        .await
    {
        Ok(_) => ctx.redirect(
            &format!("/discussions/{slug}"),
            Some(Flash::Ok("flash-discussion-mail-saved")),
        ),
        Err(agora_core::Error::Invalid { .. }) => ctx.error(StatusCode::BAD_REQUEST),
        Err(e) => ctx.fail(e),
    }
}

#[derive(Deserialize)]
pub struct UnsubscribeQuery {
    token: Option<String>,
    space: Option<String>,
}

#[derive(Serialize)]
struct UnsubscribePage {
    action: String,
    text: String,
}

fn failed(ctx: &Ctx) -> Response {
    crate::web::auth::message(
        ctx,
        StatusCode::NOT_FOUND,
        "unsubscribe-failed",
        "/account/discussion-mail",
        "discussion-mail-title",
    )
}

/// GET `/unsubscribe/discussions?token=…[&space=…]`: a page with the one
/// button that unsubscribes (a link opened by a mail scanner changes
/// nothing).
#[handler]
pub async fn unsubscribe_page(
    mut ctx: Ctx,
    req: &poem::Request,
    Query(q): Query<UnsubscribeQuery>,
) -> Response {
    let token = q.token.unwrap_or_default();
    match discussions::holder(&ctx.state.db, &token).await {
        Ok(u) => {
            ctx.speak_mail_locale(
                req,
                u.locale.parse().unwrap_or(agora_core::domain::Locale::En),
            );
            let text = ctx.t(if q.space.is_some() {
                "discussion-unsubscribe-space"
            } else {
                "discussion-unsubscribe-all"
            });
            let action = match &q.space {
                Some(s) => agora_core::links::discussion_unsubscribe(&token, Some(s)),
                None => agora_core::links::discussion_unsubscribe(&token, None),
            };
            ctx.page(
                StatusCode::OK,
                "discussion_unsubscribe",
                &ctx.t("discussion-unsubscribe-title"),
                &UnsubscribePage { action, text },
            )
        }
        Err(agora_core::Error::NotFound { .. }) => failed(&ctx),
        Err(e) => ctx.fail(e),
    }
}

/// POST `/unsubscribe/discussions?token=…[&space=…]`: the RFC 8058
/// one-click POST a mail client sends, or the page's button. The token is
/// the proof, so it needs neither a session nor a CSRF token.
#[handler]
pub async fn unsubscribe(
    mut ctx: Ctx,
    req: &poem::Request,
    Query(q): Query<UnsubscribeQuery>,
) -> Response {
    let token = q.token.unwrap_or_default();
    match discussions::unsubscribe(&ctx.state.db, &token, q.space.as_deref()).await {
        Ok(done) => {
            ctx.speak_mail_locale(req, done.locale);
            let key = if done.space.is_some() {
                "discussion-unsubscribed-space"
            } else {
                "discussion-unsubscribed-all"
            };
            crate::web::auth::message(
                &ctx,
                StatusCode::OK,
                key,
                "/account/discussion-mail",
                "discussion-mail-title",
            )
        }
        Err(agora_core::Error::NotFound { .. }) => failed(&ctx),
        Err(e) => ctx.fail(e),
    }
}
