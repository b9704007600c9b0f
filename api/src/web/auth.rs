//! Sign up, sign in and out, email verification, forgotten and reset passwords.

use agora_core::{accounts, domain::Locale};
use poem::{Body, Response, handler, http::StatusCode, web::Query};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{CSRF_COOKIE, Ctx, FieldErrors, Flash, FormData, safe_next};
use crate::http::{caller::client_address, cookies::SESSION_COOKIE};

/// The localized message for a field the core refused.
fn field_message(ctx: &Ctx, field: &str) -> String {
    ctx.t(match field {
        "email" => "form-error-email",
        "password" => "form-error-password",
        "display_name" => "form-error-name",
        "locale" => "form-error-locale",
        _ => "form-error-generic",
    })
}

fn rate_limited(ctx: &Ctx, errors: &mut FieldErrors, retry_after_secs: u64) {
    let minutes = retry_after_secs.div_ceil(60).max(1);
    errors.add(
        "form",
        crate::http::i18n::t_args(
            ctx.locale,
            "form-error-rate-limited",
            &[("minutes", (minutes as f64).into())],
        ),
    );
}

#[derive(Serialize, Default)]
struct SignUpPage {
    email: String,
    display_name: String,
    locale: String,
    errors: FieldErrors,
}

fn sign_up_page(ctx: &Ctx, status: StatusCode, p: SignUpPage) -> Response {
    ctx.page(status, "sign_up", &ctx.t("sign-up-title"), &p)
}

#[handler]
pub async fn sign_up_form(ctx: Ctx) -> Response {
    if ctx.user.is_some() {
        return ctx.redirect("/my-learning", None);
    }
    let locale = ctx.locale.as_str().to_owned();
    sign_up_page(
        &ctx,
        StatusCode::OK,
        SignUpPage {
            locale,
            ..Default::default()
        },
    )
}

#[handler]
pub async fn sign_up(ctx: Ctx, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let mut p = SignUpPage {
        email: form.get("email").unwrap_or_default().trim().to_owned(),
        display_name: form.get("display_name").unwrap_or_default().to_owned(),
        locale: form.get("locale").unwrap_or("en").to_owned(),
        errors: FieldErrors::default(),
    };
    let Ok(locale) = p.locale.parse::<Locale>() else {
        p.errors.add("locale", field_message(&ctx, "locale"));
        return sign_up_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, p);
    };
    let password = form.get("password").unwrap_or_default();
    match accounts::register(
        &ctx.state.db,
        accounts::Registration {
            email: &p.email,
            password,
            display_name: &p.display_name,
            locale,
        },
    )
    .await
    {
        Ok(()) => ctx.redirect("/sign-in", Some(Flash::Ok("flash-check-inbox"))),
        Err(agora_core::Error::Invalid { field, .. }) => {
            let message = field_message(&ctx, &field);
            p.errors.add(&field, message);
            sign_up_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, p)
        }
        Err(e) => ctx.fail(e),
    }
}

#[derive(Serialize, Default)]
struct SignInPage {
    email: String,
    next: String,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[handler]
pub async fn sign_in_form(ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    // Without `next`, signing in leads to "my learning".
    let next = q
        .next
        .as_deref()
        .map(|n| safe_next(Some(n)))
        .unwrap_or_default();
    if ctx.user.is_some() {
        return ctx.redirect(
            if next.is_empty() {
                "/my-learning"
            } else {
                &next
            },
            None,
        );
    }
    ctx.page(
        StatusCode::OK,
        "sign_in",
        &ctx.t("sign-in-title"),
        &SignInPage {
            next,
            ..Default::default()
        },
    )
}

#[handler]
pub async fn sign_in(ctx: Ctx, req: &poem::Request, body: Body) -> Response {
    let client = client_address(req);
    let form = FormData::read(body).await;
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let email = form.get("email").unwrap_or_default().trim().to_owned();
    let password = form.get("password").unwrap_or_default();
    let next = match form.get("next") {
        Some(n) if !n.is_empty() => safe_next(Some(n)),
        _ => "/my-learning".into(),
    };
    let mut p = SignInPage {
        email: email.clone(),
        next: next.clone(),
        errors: FieldErrors::default(),
    };
    if let Err(agora_core::Error::RateLimited { retry_after_secs }) =
        ctx.state.limits.sign_in(&email, &client).await
    {
        rate_limited(&ctx, &mut p.errors, retry_after_secs);
        let title = ctx.t("sign-in-title");
        return ctx.page(StatusCode::TOO_MANY_REQUESTS, "sign_in", &title, &p);
    }
    match accounts::sign_in(&ctx.state.db, &email, password).await {
        Ok(session) => {
            let max_age = (session.expires_at - OffsetDateTime::now_utc()).whole_seconds();
            let mut resp = ctx.redirect(&next, Some(Flash::Ok("flash-signed-in")));
            for c in [
                ctx.cookie(SESSION_COOKIE, &session.token, max_age),
                // Forms now carry the session's own CSRF token.
                ctx.cookie(CSRF_COOKIE, &session.csrf_token, max_age),
            ] {
                if let Ok(v) = c.parse() {
                    resp.headers_mut().append(poem::http::header::SET_COOKIE, v);
                }
            }
            resp
        }
        Err(agora_core::Error::Unauthorized { .. }) => {
            p.errors.add("form", ctx.t("form-error-sign-in"));
            let title = ctx.t("sign-in-title");
            ctx.page(StatusCode::UNPROCESSABLE_ENTITY, "sign_in", &title, &p)
        }
        Err(e) => ctx.fail(e),
    }
}

#[handler]
pub async fn sign_out(ctx: Ctx, body: Body) -> Response {
    let form = FormData::read(body).await;
    let Some(user) = ctx.user.clone() else {
        return ctx.redirect("/", None);
    };
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    if let Err(e) =
        accounts::revoke_token(&ctx.state.db, &ctx.state.cache, user.user_id, user.token_id).await
    {
        return ctx.fail(e);
    }
    let mut resp = ctx.redirect("/", Some(Flash::Ok("flash-signed-out")));
    for c in [
        ctx.cookie(SESSION_COOKIE, "", 0),
        ctx.cookie(CSRF_COOKIE, "", 0),
    ] {
        if let Ok(v) = c.parse() {
            resp.headers_mut().append(poem::http::header::SET_COOKIE, v);
        }
    }
    resp
}

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

#[derive(Serialize)]
pub struct MessagePage {
    pub heading: String,
    pub message: String,
    pub link: String,
    pub link_text: String,
}

pub fn message(ctx: &Ctx, status: StatusCode, key: &str, link: &str, link_key: &str) -> Response {
    let heading = ctx.t(&format!("{key}-title"));
    ctx.page(
        status,
        "message",
        &heading.clone(),
        &MessagePage {
            heading,
            message: ctx.t(&format!("{key}-text")),
            link: link.into(),
            link_text: ctx.t(link_key),
        },
    )
}

/// The link in the verification mail.
#[handler]
pub async fn verify_email(ctx: Ctx, Query(q): Query<TokenQuery>) -> Response {
    let token = q.token.unwrap_or_default();
    match accounts::verify_email(&ctx.state.db, &token).await {
        Ok(()) => {
            let (link, link_key) = if ctx.user.is_some() {
                ("/courses", "link-catalogue")
            } else {
                ("/sign-in", "link-sign-in")
            };
            message(&ctx, StatusCode::OK, "verified", link, link_key)
        }
        Err(agora_core::Error::Invalid { .. } | agora_core::Error::NotFound { .. }) => message(
            &ctx,
            StatusCode::BAD_REQUEST,
            "verify-failed",
            "/sign-in",
            "link-sign-in",
        ),
        Err(e) => ctx.fail(e),
    }
}

#[derive(Serialize, Default)]
struct ForgotPage {
    email: String,
    errors: FieldErrors,
}

#[handler]
pub async fn forgot_form(ctx: Ctx) -> Response {
    ctx.page(
        StatusCode::OK,
        "forgot",
        &ctx.t("forgot-title"),
        &ForgotPage::default(),
    )
}

#[handler]
pub async fn forgot(ctx: Ctx, req: &poem::Request, body: Body) -> Response {
    let client = client_address(req);
    let form = FormData::read(body).await;
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let email = form.get("email").unwrap_or_default().trim().to_owned();
    let mut p = ForgotPage {
        email: email.clone(),
        errors: FieldErrors::default(),
    };
    if accounts::Email::parse(&email).is_err() {
        p.errors.add("email", field_message(&ctx, "email"));
        let title = ctx.t("forgot-title");
        return ctx.page(StatusCode::UNPROCESSABLE_ENTITY, "forgot", &title, &p);
    }
    if let Err(agora_core::Error::RateLimited { retry_after_secs }) =
        ctx.state.limits.password_reset(&email, &client).await
    {
        rate_limited(&ctx, &mut p.errors, retry_after_secs);
        let title = ctx.t("forgot-title");
        return ctx.page(StatusCode::TOO_MANY_REQUESTS, "forgot", &title, &p);
    }
    match accounts::request_password_reset(&ctx.state.db, &email).await {
        Ok(()) => ctx.redirect("/sign-in", Some(Flash::Ok("flash-reset-sent"))),
        Err(e) => ctx.fail(e),
    }
}

#[derive(Serialize, Default)]
struct ResetPage {
    token: String,
    errors: FieldErrors,
}

#[handler]
pub async fn reset_form(ctx: Ctx, Query(q): Query<TokenQuery>) -> Response {
    let token = q.token.unwrap_or_default();
    if token.is_empty() || token.len() > 200 {
        return message(
            &ctx,
            StatusCode::BAD_REQUEST,
            "reset-failed",
            "/forgot-password",
            "link-forgot",
        );
    }
    ctx.page(
        StatusCode::OK,
        "reset",
        &ctx.t("reset-title"),
        &ResetPage {
            token,
            errors: FieldErrors::default(),
        },
    )
}

#[handler]
pub async fn reset(ctx: Ctx, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let token = form.get("token").unwrap_or_default().to_owned();
    let password = form.get("password").unwrap_or_default();
    match accounts::reset_password(&ctx.state.db, &ctx.state.cache, &token, password).await {
        Ok(()) => {
            let mut resp = ctx.redirect("/sign-in", Some(Flash::Ok("flash-password-changed")));
            // Every session was revoked, this browser's included.
            if let Ok(v) = ctx.cookie(SESSION_COOKIE, "", 0).parse() {
                resp.headers_mut().append(poem::http::header::SET_COOKIE, v);
            }
            resp
        }
        Err(agora_core::Error::Invalid { field, .. }) if field == "password" => {
            let mut errors = FieldErrors::default();
            errors.add("password", field_message(&ctx, "password"));
            let title = ctx.t("reset-title");
            ctx.page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "reset",
                &title,
                &ResetPage { token, errors },
            )
        }
        Err(agora_core::Error::Invalid { .. } | agora_core::Error::NotFound { .. }) => message(
            &ctx,
            StatusCode::BAD_REQUEST,
            "reset-failed",
            "/forgot-password",
            "link-forgot",
        ),
        Err(e) => ctx.fail(e),
    }
}
