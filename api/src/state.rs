//! What every handler can reach.

use std::sync::Arc;

use agora_core::{
    authoring::Authoring,
    cache::Cache,
    config::Config,
    learning::Learning,
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
    /// Partner collection listings, rendered, for a few seconds.
    pub listings: ListingCache,
}

/// A partner collection's listing as JSON, rendered once and served as
/// stored bytes (see `parked::partner_listing`).
pub struct RenderedListing {
    pub body: bytes::Bytes,
    pub etag: String,
}

/// Rendered listings by their parameters, for a few seconds.
pub type ListingCache = moka::future::Cache<String, Arc<RenderedListing>>;
