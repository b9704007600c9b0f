//! `/admin/xapi-clients`: administrators issue the Basic credentials of
//! learning record store clients (the secret shown once) and revoke them.

use agora_core::xapi::Scope;
use poem::{Body, Response, handler, http::StatusCode, web::Path};
use serde::Serialize;
use uuid::Uuid;

use super::{Ctx, Flash, FormData, admin::require_admin};

#[derive(Serialize)]
struct ClientRow {
    id: String,
    name: String,
    key: String,
    scopes: String,
    revoked: bool,
}

#[derive(Serialize)]
struct NewClient {
    key: String,
    secret: String,
}

#[derive(Serialize)]
struct XapiPage {
    admin: bool,
    tab: &'static str,
    endpoint: String,
    clients: Vec<ClientRow>,
    created: Option<NewClient>,
    error: Option<String>,
}

async fn render(
    ctx: &Ctx,
    status: StatusCode,
    created: Option<NewClient>,
    error: Option<String>,
) -> Response {
    let clients = match ctx.state.xapi.clients().await {
        Ok(c) => c,
        Err(e) => return ctx.fail(e),
    };
    let endpoint = format!(
        "{}/xapi/",
        ctx.state.config.public_url().as_str().trim_end_matches('/')
    );
    ctx.page(
        status,
        "admin_xapi_clients",
        &ctx.t("xapi-title"),
        &XapiPage {
            admin: true,
            tab: "xapi",
            endpoint,
            clients: clients
                .into_iter()
                .map(|c| ClientRow {
                    id: c.id.to_string(),
                    scopes: c
                        .scopes
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    name: c.name,
                    key: c.key,
                    revoked: c.revoked,
                })
                .collect(),
            created,
            error,
        },
    )
}

/// GET `/admin/xapi-clients`
#[handler]
pub async fn list_clients(ctx: Ctx) -> Response {
    if let Err(r) = require_admin(&ctx) {
        return r;
    }
    render(&ctx, StatusCode::OK, None, None).await
}

/// POST `/admin/xapi-clients`: new credentials, the secret shown on this page once.
#[handler]
pub async fn create_client(ctx: Ctx, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = require_admin(&ctx) {
        return r;
    }
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let scopes: Vec<Scope> = form
        .all()
        .iter()
        .filter(|(k, _)| k == "scope")
        .filter_map(|(_, v)| Scope::parse(v))
        .collect();
    let name = form.get("name").unwrap_or_default();
    match ctx.state.xapi.create_client(name, &scopes).await {
        Ok(c) => {
            let created = NewClient {
                key: c.client.key,
                secret: c.secret,
            };
            render(&ctx, StatusCode::OK, Some(created), None).await
        }
        Err(agora_core::Error::Invalid { field, reason }) => {
            render(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(format!("{field}: {reason}")),
            )
            .await
        }
        Err(e) => ctx.fail(e),
    }
}

/// POST `/admin/xapi-clients/{id}/revocation`
#[handler]
pub async fn revoke_client(ctx: Ctx, Path(id): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = require_admin(&ctx) {
        return r;
    }
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    match ctx.state.xapi.revoke_client(id).await {
        Ok(()) => ctx.redirect(
            "/admin/xapi-clients",
            Some(Flash::Ok("flash-xapi-client-revoked")),
        ),
        Err(e) => ctx.fail(e),
    }
}
