//! LTI 1.3 platforms (LMSs), for administrators: register one, read what
//! to enter in it, change or remove it.

use agora_core::lti::{Platform, PlatformInput};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags, param::Path, payload::Json};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    auth::{Auth, require_admin},
    error::ApiError,
};
use crate::state::AppState;

#[derive(Tags)]
enum ApiTags {
    /// LTI 1.3: the LMSs that may launch Agora.
    Lti,
}

pub struct LtiApi;

#[derive(Object)]
struct PlatformBody {
    /// A name for the LMS, 1–200 characters.
    #[oai(validator(
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    ))]
    name: String,
    /// The platform's issuer (`iss`), as the LMS shows it.
    #[oai(validator(
        max_length = 1000,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    ))]
    issuer: String,
    /// The client id the LMS gave Agora.
    #[oai(validator(
        max_length = 255,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    ))]
    client_id: String,
    /// The deployment ids Agora accepts launches from (1 to 100).
    #[oai(validator(min_items = 1, max_items = 100))]
    deployment_ids: Vec<String>,
    /// The platform's OIDC authorization endpoint (absolute http(s) address).
    #[oai(validator(max_length = 1000))]
    auth_endpoint: String,
    /// The platform's public key set (JWKS) address.
    #[oai(validator(max_length = 1000))]
    jwks_url: String,
    /// The platform's access token address (for grades).
    #[oai(validator(max_length = 1000))]
    token_endpoint: String,
}

impl From<PlatformBody> for PlatformInput {
    fn from(b: PlatformBody) -> Self {
        PlatformInput {
            name: b.name,
            issuer: b.issuer,
            client_id: b.client_id,
            deployment_ids: b.deployment_ids.join("\n"),
            auth_endpoint: b.auth_endpoint,
            jwks_url: b.jwks_url,
            token_endpoint: b.token_endpoint,
        }
    }
}

/// Agora's addresses, to enter in the LMS.
#[derive(Object)]
struct ToolInfo {
    /// OIDC login initiation URL.
    login_url: String,
    /// Launch (redirect) URL.
    launch_url: String,
    /// Agora's public key set (JWKS) URL.
    jwks_url: String,
    /// Deep Linking URL.
    deep_linking_url: String,
}

#[derive(Object)]
struct PlatformInfo {
    id: Uuid,
    name: String,
    issuer: String,
    client_id: String,
    deployment_ids: Vec<String>,
    auth_endpoint: String,
    jwks_url: String,
    token_endpoint: String,
    created_at: OffsetDateTime,
    /// What to enter in the LMS.
    tool: ToolInfo,
}

fn info(state: &AppState, p: Platform) -> PlatformInfo {
    let t = state.lti.tool_urls();
    PlatformInfo {
        id: p.id,
        name: p.name,
        issuer: p.issuer,
        client_id: p.client_id,
        deployment_ids: p.deployment_ids,
        auth_endpoint: p.auth_endpoint,
        jwks_url: p.jwks_url,
        token_endpoint: p.token_endpoint,
        created_at: p.created_at,
        tool: ToolInfo {
            login_url: t.login,
            launch_url: t.launch,
            jwks_url: t.jwks,
            deep_linking_url: t.deep_linking,
        },
    }
}

#[derive(ApiResponse)]
enum Created {
    /// Registered.
    #[oai(status = 201)]
    Created(Json<PlatformInfo>),
}

#[derive(ApiResponse)]
enum NoContent {
    /// Removed, with its users' links (their Agora accounts stay).
    #[oai(status = 204)]
    Done,
}

#[OpenApi(tag = "ApiTags::Lti")]
impl LtiApi {
    /// List the registered LMSs
    #[oai(
        path = "/admin/lti/platforms",
        method = "get",
        operation_id = "list_lti_platforms"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<PlatformInfo>>, ApiError> {
        require_admin(&auth)?;
        let all = state.lti.platforms().await?;
        Ok(Json(all.into_iter().map(|p| info(&state, p)).collect()))
    }

    /// Register an LMS
    #[oai(
        path = "/admin/lti/platforms",
        method = "post",
        operation_id = "register_lti_platform"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<PlatformBody>,
    ) -> Result<Created, ApiError> {
        require_admin(&auth)?;
        let p = state.lti.register_platform(&body.0.into()).await?;
        Ok(Created::Created(Json(info(&state, p))))
    }

    /// One registered LMS, with what to enter in it
    #[oai(
        path = "/admin/lti/platforms/:id",
        method = "get",
        operation_id = "get_lti_platform"
    )]
    async fn show(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Json<PlatformInfo>, ApiError> {
        require_admin(&auth)?;
        let p = state.lti.platform(id.0).await?;
        Ok(Json(info(&state, p)))
    }

    /// Change an LMS's registration
    #[oai(
        path = "/admin/lti/platforms/:id",
        method = "put",
        operation_id = "update_lti_platform"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<PlatformBody>,
    ) -> Result<Json<PlatformInfo>, ApiError> {
        require_admin(&auth)?;
        let p = state.lti.update_platform(id.0, &body.0.into()).await?;
        Ok(Json(info(&state, p)))
    }

    /// Remove an LMS
    #[oai(
        path = "/admin/lti/platforms/:id",
        method = "delete",
        operation_id = "remove_lti_platform"
    )]
    async fn remove(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<NoContent, ApiError> {
        require_admin(&auth)?;
        state.lti.remove_platform(id.0).await?;
        Ok(NoContent::Done)
    }
}
