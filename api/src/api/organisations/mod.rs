//! Organisations, their members and invitations, and the networks they
//! belong to. Every rule (who may see or change what) is decided by the
//! core service; these handlers parse, call it and map the answer.

mod members;
mod networks;
mod profile;

use std::collections::BTreeMap;

use agora_core::{
    accounts::Principal,
    organisations::{self, Membership, NetworkView, OrganisationView},
};
use poem::Request;
use poem_openapi::{ApiResponse, Object, Tags};
use time::OffsetDateTime;
use uuid::Uuid;

pub use self::{members::OrgMembersApi, networks::NetworksApi, profile::OrganisationsApi};
use crate::{
    http::{
        caller::{self, Credential},
        error::ApiError,
    },
    state::AppState,
};

#[derive(Tags)]
enum ApiTags {
    /// Organisations: profiles, networks and email domains.
    Organisations,
    /// Belonging to an organisation: joining, members, invitations.
    OrganisationMembers,
    /// Networks of organisations and their coordinators.
    Networks,
}

/// The signed-in caller of a read anyone may make, if any. A credential
/// that is present but wrong is refused rather than ignored.
async fn optional_caller(state: &AppState, req: &Request) -> Result<Option<Principal>, ApiError> {
    match Credential::of(req) {
        None => Ok(None),
        Some(c) => Ok(Some(caller::user(state, c).await?)),
    }
}

#[derive(ApiResponse)]
enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct Network {
    slug: String,
    /// The name in the default locale (English).
    name: String,
    /// Names in other locales, by locale (`fr`, `es`).
    names: BTreeMap<String, String>,
    website: Option<String>,
}

impl From<&NetworkView> for Network {
    fn from(n: &NetworkView) -> Self {
        Network {
            slug: n.slug.clone(),
            name: n.name.clone(),
            names: n.names.clone(),
            website: n.website.clone(),
        }
    }
}

/// An organisation's profile. Its staff list is never part of it.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct Organisation {
    slug: String,
    /// The name in the default locale (English).
    name: String,
    /// Names in other locales, by locale (`fr`, `es`).
    names: BTreeMap<String, String>,
    /// `municipality`, `region`, `metropolitan`, `association` or `other`.
    kind: String,
    /// ISO 3166-1 alpha-2.
    country: String,
    /// UN M49 region code (three digits), from the country.
    m49_region: String,
    /// UN M49 sub-region code (three digits), from the country.
    m49_subregion: String,
    /// `under-10k`, `10k-50k`, `50k-100k`, `100k-500k`, `500k-1m`, `1m-5m` or `over-5m`.
    population_band: String,
    website: Option<String>,
    /// Whether anyone may see this profile.
    public: bool,
    /// Domain matches join without approval (shown to its administrators only).
    auto_approve: bool,
    networks: Vec<Network>,
    /// Declared email domains (shown to its administrators only).
    domains: Vec<String>,
    created_at: OffsetDateTime,
}

impl From<&OrganisationView> for Organisation {
    fn from(o: &OrganisationView) -> Self {
        Organisation {
            slug: o.slug.clone(),
            name: o.name.clone(),
            names: o.names.clone(),
            kind: o.kind.clone(),
            country: o.country.clone(),
            m49_region: o.m49_region.clone(),
            m49_subregion: o.m49_subregion.clone(),
            population_band: o.population_band.clone(),
            website: o.website.clone(),
            public: o.public,
            auto_approve: o.auto_approve,
            networks: o.networks.iter().map(Network::from).collect(),
            domains: o.domains.clone(),
            created_at: o.created_at,
        }
    }
}

/// The caller's own membership row.
#[derive(Object)]
struct MembershipOut {
    /// `pending` (waits for an administrator) or `active`.
    status: String,
    /// `member` or `admin`.
    role: String,
    job_title: String,
    department: String,
    /// The organisation does not see the learner's progress.
    hide_progress: bool,
}

impl From<&Membership> for MembershipOut {
    fn from(m: &Membership) -> Self {
        MembershipOut {
            status: m.status.as_str().into(),
            role: m.role.as_str().into(),
            job_title: m.job_title.clone(),
            department: m.department.clone(),
            hide_progress: m.hide_progress,
        }
    }
}

fn shared() -> Vec<String> {
    organisations::SHARED_WITH_ORGANISATION
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn uuid_of(s: &str, what: &'static str) -> Result<Uuid, ApiError> {
    // An id that cannot exist names nothing: not found, like any other.
    s.parse()
        .map_err(|_| agora_core::Error::NotFound { what }.into())
}
