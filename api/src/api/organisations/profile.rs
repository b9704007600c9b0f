//! Organisations' profiles: reading (public ones to anyone), creating
//! (administrators and network coordinators), editing (the organisation's
//! administrators), networks and email domains.

use std::collections::BTreeMap;

use agora_core::organisations::OrganisationInput;
use poem::{Request, web::Data};
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};

use super::{ApiTags, Organisation, optional_caller};
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct OrganisationsApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ProfileBody {
    /// The name in the default locale (English).
    name: String,
    /// Names in other locales, by locale (`fr`, `es`).
    #[oai(default)]
    names: BTreeMap<String, String>,
    /// `municipality`, `region`, `metropolitan`, `association` or `other`.
    kind: String,
    /// ISO 3166-1 alpha-2, e.g. `FR`.
    country: String,
    /// `under-10k`, `10k-50k`, `50k-100k`, `100k-500k`, `500k-1m`, `1m-5m` or `over-5m`.
    population_band: String,
    /// An `http` or `https` address.
    website: Option<String>,
    /// Anyone may see the profile (never the staff list).
    #[oai(default)]
    public: bool,
    /// Learners whose verified address matches a declared domain join without approval.
    #[oai(default)]
    auto_approve: bool,
}

impl ProfileBody {
    fn input(&self) -> OrganisationInput<'_> {
        OrganisationInput {
            name: &self.name,
            names: &self.names,
            kind: &self.kind,
            country: &self.country,
            population_band: &self.population_band,
            website: self.website.as_deref(),
            public: self.public,
            auto_approve: self.auto_approve,
        }
    }
}

#[derive(Object)]
struct NewOrganisationBody {
    /// Lowercase letters, digits and hyphens; fixed once created.
    slug: String,
    #[oai(flatten)]
    profile: ProfileBody,
    /// Slugs of the networks it belongs to (a coordinator names at least one of theirs).
    #[oai(default)]
    networks: Vec<String>,
    /// The address of the account that becomes its first administrator.
    admin_email: String,
}

#[derive(Object)]
struct NetworksBody {
    /// Slugs of every network the organisation belongs to.
    networks: Vec<String>,
}

#[derive(Object)]
struct DomainBody {
    /// An email domain such as `bristol.gov.uk`.
    domain: String,
}

#[derive(ApiResponse)]
enum Created {
    /// Created.
    #[oai(status = 201)]
    Created(Json<Organisation>),
}

#[OpenApi(tag = "ApiTags::Organisations")]
impl OrganisationsApi {
    /// List organisations (public ones; every one for administrators)
    #[oai(
        path = "/organisations",
        method = "get",
        operation_id = "list_organisations"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        req: &Request,
    ) -> Result<Json<Vec<Organisation>>, ApiError> {
        let who = optional_caller(&state, req).await?;
        let all = state.organisations.list(who.as_ref()).await?;
        Ok(Json(all.iter().map(Organisation::from).collect()))
    }

    /// Get an organisation (public ones, or the caller's)
    #[oai(
        path = "/organisations/:organisation",
        method = "get",
        operation_id = "get_organisation"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        req: &Request,
        organisation: Path<String>,
    ) -> Result<Json<Organisation>, ApiError> {
        let who = optional_caller(&state, req).await?;
        let o = state.organisations.get(who.as_ref(), &organisation).await?;
        Ok(Json(Organisation::from(&o)))
    }

    /// Create an organisation (administrators and network coordinators)
    #[oai(
        path = "/organisations",
        method = "post",
        operation_id = "create_organisation"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<NewOrganisationBody>,
    ) -> Result<Created, ApiError> {
        let o = state
            .organisations
            .create(
                Some(auth.principal()),
                &body.slug,
                body.profile.input(),
                &body.networks,
                &body.admin_email,
            )
            .await?;
        Ok(Created::Created(Json(Organisation::from(&o))))
    }

    /// Edit an organisation's profile (its administrators)
    #[oai(
        path = "/organisations/:organisation",
        method = "put",
        operation_id = "update_organisation"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        organisation: Path<String>,
        body: Json<ProfileBody>,
    ) -> Result<Json<Organisation>, ApiError> {
        let o = state
            .organisations
            .update(Some(auth.principal()), &organisation, body.input())
            .await?;
        Ok(Json(Organisation::from(&o)))
    }

    /// Set the networks an organisation belongs to (administrators; coordinators for their networks)
    #[oai(
        path = "/organisations/:organisation/networks",
        method = "put",
        operation_id = "set_organisation_networks"
    )]
    async fn set_networks(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        organisation: Path<String>,
        body: Json<NetworksBody>,
    ) -> Result<Json<Organisation>, ApiError> {
        let o = state
            .organisations
            .set_networks(Some(auth.principal()), &organisation, &body.networks)
            .await?;
        Ok(Json(Organisation::from(&o)))
    }

    /// Declare an email domain (its administrators); a domain belongs to one organisation
    #[oai(
        path = "/organisations/:organisation/domains",
        method = "post",
        operation_id = "add_organisation_domain"
    )]
    async fn add_domain(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        organisation: Path<String>,
        body: Json<DomainBody>,
    ) -> Result<Json<Vec<String>>, ApiError> {
        Ok(Json(
            state
                .organisations
                .add_domain(Some(auth.principal()), &organisation, &body.domain)
                .await?,
        ))
    }

    /// Remove an email domain (its administrators)
    #[oai(
        path = "/organisations/:organisation/domains/:domain",
        method = "delete",
        operation_id = "remove_organisation_domain"
    )]
    async fn remove_domain(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        organisation: Path<String>,
        domain: Path<String>,
    ) -> Result<Json<Vec<String>>, ApiError> {
        Ok(Json(
            state
                .organisations
                .remove_domain(Some(auth.principal()), &organisation, &domain)
                .await?,
        ))
    }
}
