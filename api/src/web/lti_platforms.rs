//! `/admin/lti`: administrators register the LMSs (LTI 1.3 platforms) that
//! may launch Agora, and read the addresses to give each LMS in return.

use agora_core::lti::{Platform, PlatformInput, ToolUrls};
use poem::{Body, Response, handler, http::StatusCode, web::Path};
use serde::Serialize;
use uuid::Uuid;

use super::{Ctx, Flash, FormData, admin::require_admin};

#[derive(Serialize)]
struct PlatformRow {
    id: String,
    name: String,
    issuer: String,
    client_id: String,
    deployment_ids: String,
    auth_endpoint: String,
    jwks_url: String,
    token_endpoint: String,
}

impl From<&Platform> for PlatformRow {
    fn from(p: &Platform) -> Self {
        PlatformRow {
            id: p.id.to_string(),
            name: p.name.clone(),
            issuer: p.issuer.clone(),
            client_id: p.client_id.clone(),
            deployment_ids: p.deployment_ids.join("\n"),
            auth_endpoint: p.auth_endpoint.clone(),
            jwks_url: p.jwks_url.clone(),
            token_endpoint: p.token_endpoint.clone(),
        }
    }
}

#[derive(Serialize)]
struct LtiPage {
    admin: bool,
    tab: &'static str,
    tool: ToolUrls,
    platforms: Vec<PlatformRow>,
    /// The platform being edited, or the form as submitted.
    form: Option<PlatformRow>,
    editing: Option<String>,
    error: Option<String>,
}

fn input_of(form: &FormData) -> PlatformInput {
    let f = |k: &str| form.get(k).unwrap_or_default().to_owned();
    PlatformInput {
        name: f("name"),
        issuer: f("issuer"),
        client_id: f("client_id"),
        deployment_ids: f("deployment_ids"),
        auth_endpoint: f("auth_endpoint"),
        jwks_url: f("jwks_url"),
        token_endpoint: f("token_endpoint"),
    }
}

fn row_of(i: &PlatformInput) -> PlatformRow {
    PlatformRow {
        id: String::new(),
        name: i.name.clone(),
        issuer: i.issuer.clone(),
        client_id: i.client_id.clone(),
        deployment_ids: i.deployment_ids.clone(),
        auth_endpoint: i.auth_endpoint.clone(),
        jwks_url: i.jwks_url.clone(),
        token_endpoint: i.token_endpoint.clone(),
    }
}

async fn render(
    ctx: &Ctx,
    status: StatusCode,
    editing: Option<Uuid>,
    form: Option<PlatformRow>,
    error: Option<String>,
) -> Response {
    let platforms = match ctx.state.lti.platforms().await {
        Ok(p) => p,
        Err(e) => return ctx.fail(e),
    };
    let form = match (form, editing) {
        (Some(f), _) => Some(f),
        (None, Some(id)) => match platforms.iter().find(|p| p.id == id) {
            Some(p) => Some(p.into()),
            None => return ctx.error(StatusCode::NOT_FOUND),
        },
        (None, None) => None,
    };
    ctx.page(
        status,
        "admin_lti",
        &ctx.t("lti-admin-title"),
        &LtiPage {
            admin: true,
            tab: "lti",
            tool: ctx.state.lti.tool_urls(),
            platforms: platforms.iter().map(PlatformRow::from).collect(),
            form,
            editing: editing.map(|id| id.to_string()),
            error,
        },
    )
}

fn refused(e: &agora_core::Error) -> Option<String> {
    match e {
        agora_core::Error::Invalid { field, reason }
        | agora_core::Error::Conflict { field, reason } => Some(format!("{field}: {reason}")),
        _ => None,
    }
}

/// GET `/admin/lti`
#[handler]
pub async fn list(ctx: Ctx) -> Response {
    if let Err(r) = require_admin(&ctx) {
        return r;
    }
    render(&ctx, StatusCode::OK, None, None, None).await
}

/// POST `/admin/lti`: registers a platform.
#[handler]
pub async fn create(ctx: Ctx, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = require_admin(&ctx) {
        return r;
    }
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let input = input_of(&form);
    match ctx.state.lti.register_platform(&input).await {
        Ok(p) => ctx.redirect(
            &format!("/admin/lti/{}", p.id),
            Some(Flash::Ok("flash-lti-registered")),
        ),
        Err(e) => match refused(&e) {
            Some(msg) => {
                render(
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    Some(row_of(&input)),
                    Some(msg),
                )
                .await
            }
            None => ctx.fail(e),
        },
    }
}

fn platform_id(id: &str) -> Option<Uuid> {
    Uuid::parse_str(id).ok()
}

/// GET `/admin/lti/{id}`: one platform, to edit.
#[handler]
pub async fn show(ctx: Ctx, Path(id): Path<String>) -> Response {
    if let Err(r) = require_admin(&ctx) {
        return r;
    }
    let Some(id) = platform_id(&id) else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    render(&ctx, StatusCode::OK, Some(id), None, None).await
}

/// POST `/admin/lti/{id}`: saves a platform's registration.
#[handler]
pub async fn update(ctx: Ctx, Path(id): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = require_admin(&ctx) {
        return r;
    }
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let Some(id) = platform_id(&id) else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    let input = input_of(&form);
    match ctx.state.lti.update_platform(id, &input).await {
        Ok(_) => ctx.redirect(
            &format!("/admin/lti/{id}"),
            Some(Flash::Ok("flash-lti-saved")),
        ),
        Err(agora_core::Error::NotFound { .. }) => ctx.error(StatusCode::NOT_FOUND),
        Err(e) => match refused(&e) {
            Some(msg) => {
                render(
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(id),
                    Some(row_of(&input)),
                    Some(msg),
                )
                .await
            }
            None => ctx.fail(e),
        },
    }
}

/// POST `/admin/lti/{id}/deletion`
#[handler]
pub async fn delete(ctx: Ctx, Path(id): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = require_admin(&ctx) {
        return r;
    }
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let Some(id) = platform_id(&id) else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    match ctx.state.lti.remove_platform(id).await {
        Ok(()) => ctx.redirect("/admin/lti", Some(Flash::Ok("flash-lti-removed"))),
        Err(agora_core::Error::NotFound { .. }) => ctx.error(StatusCode::NOT_FOUND),
        Err(e) => ctx.fail(e),
    }
}
