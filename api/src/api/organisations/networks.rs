//! Networks of organisations: anyone reads them; the global admin creates
//! and edits them and names their coordinators.

use std::collections::BTreeMap;

use agora_core::organisations::{CoordinatorView, NetworkInput};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{ApiTags, Network, NoContent};
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct NetworksApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct NetworkBody {
    /// Lowercase letters, digits and hyphens; fixed once created.
    slug: String,
    /// The name in the default locale (English).
    name: String,
    /// Names in other locales, by locale (`fr`, `es`).
    #[oai(default)]
    names: BTreeMap<String, String>,
    /// An `http` or `https` address.
    website: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct NetworkUpdate {
    name: String,
    #[oai(default)]
    names: BTreeMap<String, String>,
    website: Option<String>,
}

#[derive(Object)]
struct CoordinatorBody {
    /// The address of an existing account.
    email: String,
}

#[derive(Object)]
struct Coordinator {
    user_id: Uuid,
    email: String,
    display_name: String,
    since: OffsetDateTime,
}

impl From<&CoordinatorView> for Coordinator {
    fn from(c: &CoordinatorView) -> Self {
        Coordinator {
            user_id: c.user_id,
            email: c.email.clone(),
            display_name: c.display_name.clone(),
            since: c.since,
        }
    }
}

#[derive(ApiResponse)]
enum NetworkCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<Network>),
}

#[OpenApi(tag = "ApiTags::Networks")]
impl NetworksApi {
    /// List networks
    #[oai(path = "/networks", method = "get", operation_id = "list_networks")]
    async fn list(&self, state: Data<&AppState>) -> Result<Json<Vec<Network>>, ApiError> {
        let all = state.organisations.networks().await?;
        Ok(Json(all.iter().map(Network::from).collect()))
    }

    /// Get a network
    #[oai(
        path = "/networks/:network",
        method = "get",
        operation_id = "get_network"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        network: Path<String>,
    ) -> Result<Json<Network>, ApiError> {
        Ok(Json(Network::from(
            &state.organisations.network(&network).await?,
        )))
    }

    /// Create a network (administrators)
    #[oai(path = "/networks", method = "post", operation_id = "create_network")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<NetworkBody>,
    ) -> Result<NetworkCreated, ApiError> {
        let n = state
            .organisations
            .create_network(
                Some(auth.principal()),
                NetworkInput {
                    slug: &body.slug,
                    name: &body.name,
                    names: &body.names,
                    website: body.website.as_deref(),
                },
            )
            .await?;
        Ok(NetworkCreated::Created(Json(Network::from(&n))))
    }

    /// Rename a network and set its website (administrators)
    #[oai(
        path = "/networks/:network",
        method = "put",
        operation_id = "update_network"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        network: Path<String>,
        body: Json<NetworkUpdate>,
    ) -> Result<Json<Network>, ApiError> {
        let n = state
            .organisations
            .update_network(
                Some(auth.principal()),
                &network,
                NetworkInput {
                    slug: &network,
                    name: &body.name,
                    names: &body.names,
                    website: body.website.as_deref(),
                },
            )
            .await?;
        Ok(Json(Network::from(&n)))
    }

    /// List a network's coordinators (administrators)
    #[oai(
        path = "/networks/:network/coordinators",
        method = "get",
        operation_id = "list_network_coordinators"
    )]
    async fn coordinators(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        network: Path<String>,
    ) -> Result<Json<Vec<Coordinator>>, ApiError> {
        let all = state
            .organisations
            .coordinators(Some(auth.principal()), &network)
            .await?;
        Ok(Json(all.iter().map(Coordinator::from).collect()))
    }

    /// Name a coordinator of a network (administrators)
    #[oai(
        path = "/networks/:network/coordinators",
        method = "post",
        operation_id = "add_network_coordinator"
    )]
    async fn add_coordinator(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        network: Path<String>,
        body: Json<CoordinatorBody>,
    ) -> Result<Json<Coordinator>, ApiError> {
        let c = state
            .organisations
            .add_coordinator(Some(auth.principal()), &network, &body.email)
            .await?;
        Ok(Json(Coordinator::from(&c)))
    }

    /// Remove a coordinator from a network (administrators)
    #[oai(
        path = "/networks/:network/coordinators/:user",
        method = "delete",
        operation_id = "remove_network_coordinator"
    )]
    async fn remove_coordinator(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        network: Path<String>,
        user: Path<Uuid>,
    ) -> Result<NoContent, ApiError> {
        state
            .organisations
            .remove_coordinator(Some(auth.principal()), &network, *user)
            .await?;
        Ok(NoContent::Done)
    }
}
