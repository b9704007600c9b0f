//! Partners that list Agora's courses on their own sites: accounts, API keys
//! (shown once, stored hashed, scoped, revocable, optionally expiring),
//! curated collections, and the visits and enrolments their embeds bring.
//!
//! - `admin`: partner accounts and their allowed origins;
//! - `keys`: API keys, their scopes, and who holds a key;
//! - `collections`: curated collections and their sources;
//! - `listing`: a collection's public listing, rendered and kept briefly;
//! - `attribution`: visits and enrolments brought by a partner, and their counts.

mod admin;
mod attribution;
mod collections;
mod keys;
mod listing;

use std::{sync::Arc, time::Duration};

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use time::OffsetDateTime;
use uuid::Uuid;

pub(crate) use self::attribution::attribute_enrolment;
use self::listing::RenderedListings;
pub use self::{
    admin::{NewPartner, parse_origin},
    attribution::{CourseStats, ENROLMENT, Stats, VISIT},
    collections::{Collection, Source},
    keys::{KeyHolder, KeyInfo, NewKey, Scope},
    listing::{DEFAULT_LIMIT, Listing, ListingParams, ListingRenderer, MAX_LIMIT, RenderedListing},
};
use crate::{Error, Result, domain::Slug, entities::partner};

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn parse_name(field: &str, s: &str, max: usize) -> Result<String> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > max || s.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            format!("give 1 to {max} characters, without control characters"),
        ));
    }
    Ok(s.to_owned())
}

fn parse_slug(field: &str, s: &str) -> Result<Slug> {
    Slug::parse(s).map_err(|e| Error::invalid(field, e))
}

fn json_strings(v: &serde_json::Value) -> Vec<String> {
    serde_json::from_value(v.clone()).unwrap_or_default()
}

// ---------------------------------------------------------------------------

/// A partner as the rest of the code sees it.
#[derive(Clone, Debug)]
pub struct Partner {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub allowed_origins: Vec<String>,
    pub created_at: OffsetDateTime,
}

impl From<partner::Model> for Partner {
    fn from(p: partner::Model) -> Self {
        Partner {
            allowed_origins: json_strings(&p.allowed_origins),
            id: p.id,
            slug: p.slug,
            name: p.name,
            created_at: p.created_at,
        }
    }
}

impl Partner {
    pub fn allows(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|o| o == origin)
    }
}

/// How long a partner or key found in the database is trusted in process.
/// Changes made through this process are seen at once; other replicas see
/// them within this bound.
const LOOKUP_TTL: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct Partners {
    db: DatabaseConnection,
    by_slug: moka::future::Cache<String, Option<Arc<Partner>>>,
    keys: moka::future::Cache<String, Option<Arc<KeyHolder>>>,
    listings: RenderedListings,
}

impl Partners {
    /// `renderer` writes the listing partner sites read; rendered listings
    /// are kept `keep_listings` (none are kept when it is zero).
    pub fn new(
        db: DatabaseConnection,
        renderer: Arc<dyn ListingRenderer>,
        keep_listings: Duration,
    ) -> Self {
        Partners {
            db,
            by_slug: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(LOOKUP_TTL)
                .build(),
            keys: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(LOOKUP_TTL)
                .build(),
            listings: RenderedListings::new(renderer, keep_listings),
        }
    }

    /// A partner by its slug, `NotFound` when there is none.
    pub async fn get(&self, slug: &str) -> Result<Arc<Partner>> {
        if Slug::parse(slug).is_err() {
            return Err(Error::NotFound { what: "partner" });
        }
        if let Some(p) = self.by_slug.get(slug).await {
            return p.ok_or(Error::NotFound { what: "partner" });
        }
        let p = partner::Entity::find()
            .filter(partner::Column::Slug.eq(slug))
            .one(&self.db)
            .await?
            .map(|p| Arc::new(Partner::from(p)));
        self.by_slug.insert(slug.to_owned(), p.clone()).await;
        p.ok_or(Error::NotFound { what: "partner" })
    }

    /// Forgets every rendered listing, after a partner or collection changed.
    fn forget_listings(&self) {
        self.listings.forget();
    }
}
