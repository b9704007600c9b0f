//! Administrators issue and revoke the Basic credentials of xAPI clients
//! (the learning record store at `/xapi/`).

use agora_core::xapi::{Client, Scope};
use poem::web::Data;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, Tags, param::Path, payload::Json};
use uuid::Uuid;

use super::{
    auth::{Auth, require_admin},
    error::ApiError,
};
use crate::state::AppState;

#[derive(Tags)]
enum ApiTags {
    /// Administration.
    Admin,
}

pub struct XapiClientsApi;

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
enum ScopeName {
    /// Read every statement and document.
    Read,
    /// Store statements and documents.
    Write,
    /// Read only the statements these credentials stored.
    Own,
}

impl From<ScopeName> for Scope {
    fn from(s: ScopeName) -> Self {
        match s {
            ScopeName::Read => Scope::Read,
            ScopeName::Write => Scope::Write,
            ScopeName::Own => Scope::Own,
        }
    }
}

impl From<Scope> for ScopeName {
    fn from(s: Scope) -> Self {
        match s {
            Scope::Read => ScopeName::Read,
            Scope::Write => ScopeName::Write,
            Scope::Own => ScopeName::Own,
        }
    }
}

#[derive(Object)]
struct NewXapiClient {
    /// A name for the client: shown to admins, and the authority of what it stores.
    #[oai(validator(min_length = 1, max_length = 100, pattern = r"\S"))]
    name: String,
    #[oai(validator(min_items = 1, max_items = 3))]
    scopes: Vec<ScopeName>,
}

#[derive(Object)]
struct XapiClient {
    id: Uuid,
    name: String,
    /// The Basic user name.
    key: String,
    scopes: Vec<ScopeName>,
    created_at_ms: i64,
    revoked: bool,
}

impl From<Client> for XapiClient {
    fn from(c: Client) -> Self {
        Self {
            id: c.id,
            name: c.name,
            key: c.key,
            scopes: c.scopes.into_iter().map(Into::into).collect(),
            created_at_ms: c.created_ms,
            revoked: c.revoked,
        }
    }
}

#[derive(Object)]
struct XapiClientCreated {
    client: XapiClient,
    /// The Basic password, shown this once.
    secret: String,
}

#[derive(ApiResponse)]
enum Created {
    /// Issued; keep the secret, it is not shown again.
    #[oai(status = 201)]
    Created(Json<XapiClientCreated>),
}

#[derive(ApiResponse)]
enum Revoked {
    /// Revoked: the credentials no longer work.
    #[oai(status = 204)]
    NoContent,
}

#[OpenApi(tag = "ApiTags::Admin")]
impl XapiClientsApi {
    /// List the xAPI clients
    #[oai(
        path = "/admin/xapi-clients",
        method = "get",
        operation_id = "list_xapi_clients"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<XapiClient>>, ApiError> {
        require_admin(&auth)?;
        let list = state.xapi.clients().await?;
        Ok(Json(list.into_iter().map(Into::into).collect()))
    }

    /// Issue credentials for an xAPI client
    #[oai(
        path = "/admin/xapi-clients",
        method = "post",
        operation_id = "create_xapi_client"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<NewXapiClient>,
    ) -> Result<Created, ApiError> {
        require_admin(&auth)?;
        let scopes: Vec<Scope> = body.0.scopes.iter().map(|s| (*s).into()).collect();
        let c = state.xapi.create_client(&body.0.name, &scopes).await?;
        Ok(Created::Created(Json(XapiClientCreated {
            client: c.client.into(),
            secret: c.secret,
        })))
    }

    /// Revoke an xAPI client's credentials
    #[oai(
        path = "/admin/xapi-clients/:id",
        method = "delete",
        operation_id = "revoke_xapi_client"
    )]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Revoked, ApiError> {
        require_admin(&auth)?;
        state.xapi.revoke_client(id.0).await?;
        Ok(Revoked::NoContent)
    }
}
