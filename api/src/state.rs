//! What every handler can reach.

use std::sync::Arc;

use agora_core::{
    authoring::Authoring,
    cache::Cache,
    cohorts::Cohorts,
    config::Config,
    credentials::Credentials,
    discussions::Discussions,
    learning::Learning,
    organisations::Organisations,
    partners::Partners,
    rate_limit::{AuthLimits, PartnerLimits},
    reports::Reports,
    search::SearchIndex,
    storage::Storage,
};
use sea_orm::DatabaseConnection;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    /// For readiness probes of HTTP backends.
    pub http: reqwest::Client,
    pub learning: Learning,
    /// Drafts, publication and co-authors; publishes media to `storage`.
    pub authoring: Authoring,
    /// Course reports, their figures cached for a short while.
    pub reports: Reports,
    pub cache: Cache,
    pub limits: Arc<AuthLimits>,
    /// Certificates and media.
    pub storage: Storage,
    pub search: SearchIndex,
    pub partners: Partners,
    pub partner_limits: Arc<PartnerLimits>,
    /// Anonymous readers' pages of published content, kept rendered.
    pub pages: crate::http::page_cache::PageCache,
    /// Organisations, networks, members and invitations.
    pub organisations: Organisations,
    /// Cohorts, their applications, members, sessions and calendars.
    pub cohorts: Cohorts,
    /// Open Badges credentials: issuing keys, status lists, verification.
    pub credentials: Credentials,
    /// LTI 1.3: platforms, launches, deep linking, grades.
    pub lti: agora_core::lti::Lti,
    /// Discussion spaces, threads, posts and notifications.
    pub discussions: Discussions,
    /// The xAPI learning record store and its client credentials.
    pub xapi: agora_core::xapi::Lrs,
    /// The practice library: submissions, reviews, facets, "Contact this city".
    pub practices: agora_core::practices::Practices,
}
