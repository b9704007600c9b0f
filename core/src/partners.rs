//! Partners that list Agora's courses on their own sites: accounts, API keys
//! (shown once, stored hashed, scoped, revocable, optionally expiring),
//! curated collections, and the visits and enrolments their embeds bring.

use std::{collections::HashMap, sync::Arc, time::Duration};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
    sea_query::{Expr, OnConflict},
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Error, Result,
    accounts::{new_token, token_hash},
    catalogue::{self, CourseCard, CourseQuery, CourseSort},
    domain::{CourseStatus, Level, Locale, Slug, Theme},
    entities::{course, partner, partner_collection, partner_event, partner_key},
};

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    /// Read the partner's collections (with the key's higher rate limit).
    CatalogueRead,
    /// Read the partner's visit and enrolment counts.
    StatsRead,
}

impl Scope {
    pub const ALL: [Scope; 2] = [Scope::CatalogueRead, Scope::StatsRead];
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::CatalogueRead => "catalogue:read",
            Scope::StatsRead => "stats:read",
        }
    }
}

impl std::str::FromStr for Scope {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "catalogue:read" => Ok(Scope::CatalogueRead),
            "stats:read" => Ok(Scope::StatsRead),
            _ => Err("expected catalogue:read or stats:read".into()),
        }
    }
}

/// An exact web origin, `scheme://host[:port]`, as browsers send it in `Origin`.
pub fn parse_origin(s: &str) -> Result<String, String> {
    let bad = || {
        format!(
            "`{}` is not an origin such as https://www.example.org (scheme, host and port only)",
            s.chars().take(100).collect::<String>()
        )
    };
    if s.len() > 200 {
        return Err(bad());
    }
    let url = url::Url::parse(s).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad());
    }
    let origin = url.origin().ascii_serialization();
    // Exactly the origin: no path, query, credentials or trailing slash.
    if origin != s {
        return Err(bad());
    }
    Ok(origin)
}

const MAX_ORIGINS: usize = 20;
const MAX_COLLECTION_COURSES: usize = 200;
/// The largest listing a collection answers.
pub const MAX_LIMIT: u64 = 100;

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

fn parse_origins(origins: &[String]) -> Result<Vec<String>> {
    if origins.len() > MAX_ORIGINS {
        return Err(Error::invalid(
            "allowed_origins",
            format!("at most {MAX_ORIGINS} origins"),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for o in origins {
        let o = parse_origin(o.trim()).map_err(|e| Error::invalid("allowed_origins", e))?;
        if !out.contains(&o) {
            out.push(o);
        }
    }
    Ok(out)
}

fn json_strings(v: &serde_json::Value) -> Vec<String> {
    serde_json::from_value(v.clone()).unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Partners.

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

pub struct NewPartner<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub allowed_origins: &'a [String],
}

/// A key as listed: never the secret.
#[derive(Clone, Debug)]
pub struct KeyInfo {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<Scope>,
    pub created_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
    pub last_used_at: Option<OffsetDateTime>,
}

impl From<partner_key::Model> for KeyInfo {
    fn from(k: partner_key::Model) -> Self {
        KeyInfo {
            scopes: parse_scopes(&k.scopes),
            id: k.id,
            name: k.name,
            prefix: k.key_prefix,
            created_at: k.created_at,
            expires_at: k.expires_at,
            revoked_at: k.revoked_at,
            last_used_at: k.last_used_at,
        }
    }
}

fn parse_scopes(s: &str) -> Vec<Scope> {
    s.split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect()
}

/// A freshly made key: the only time its secret exists outside the caller.
pub struct NewKey {
    pub info: KeyInfo,
    pub key: String,
}

/// Who presented a valid key.
#[derive(Clone, Debug)]
pub struct KeyHolder {
    pub key_id: Uuid,
    pub partner_id: Uuid,
    pub partner_slug: String,
    pub scopes: Vec<Scope>,
    expires_at: Option<OffsetDateTime>,
}

impl KeyHolder {
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

/// Where a collection's courses come from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// These courses, in this order (unpublished ones are skipped).
    Courses(Vec<Slug>),
    /// Every published course that matches each non-empty list; new courses
    /// appear as they are published.
    Rule {
        themes: Vec<Theme>,
        languages: Vec<Locale>,
        levels: Vec<Level>,
    },
}

#[derive(Clone, Debug)]
pub struct Collection {
    pub slug: String,
    pub title: String,
    pub source: Source,
    pub updated_at: OffsetDateTime,
}

impl TryFrom<partner_collection::Model> for Collection {
    type Error = Error;
    fn try_from(c: partner_collection::Model) -> Result<Self> {
        let stored = |e: String| Error::Internal(format!("stored collection is invalid: {e}"));
        let courses = json_strings(&c.course_slugs);
        let source = if courses.is_empty() {
            Source::Rule {
                themes: json_strings(&c.rule_themes)
                    .iter()
                    .map(|t| t.parse())
                    .collect::<std::result::Result<_, _>>()
                    .map_err(stored)?,
                languages: json_strings(&c.rule_languages)
                    .iter()
                    .map(|t| t.parse())
                    .collect::<std::result::Result<_, _>>()
                    .map_err(stored)?,
                levels: json_strings(&c.rule_levels)
                    .iter()
                    .map(|t| t.parse())
                    .collect::<std::result::Result<_, _>>()
                    .map_err(stored)?,
            }
        } else {
            Source::Courses(
                courses
                    .iter()
                    .map(|s| Slug::parse(s))
                    .collect::<std::result::Result<_, _>>()
                    .map_err(stored)?,
            )
        };
        Ok(Collection {
            slug: c.slug,
            title: c.title,
            source,
            updated_at: c.updated_at,
        })
    }
}

/// A collection's courses, ready to show.
#[derive(Clone, Debug)]
pub struct Listing {
    pub partner_slug: String,
    pub partner_name: String,
    pub collection_slug: String,
    pub collection_title: String,
    pub items: Vec<CourseCard>,
    /// Courses in the collection (after the theme filter), before `limit`.
    pub total: u64,
}

#[derive(Clone, Debug, Default)]
pub struct CourseStats {
    pub slug: String,
    pub visits: u64,
    pub enrolments: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub visits: u64,
    pub enrolments: u64,
    pub courses: Vec<CourseStats>,
}

pub const VISIT: &str = "visit";
pub const ENROLMENT: &str = "enrolment";

/// How long a partner or key found in the database is trusted in process.
/// Changes made through this process are seen at once; other replicas see
/// them within this bound.
const LOOKUP_TTL: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct Partners {
    db: DatabaseConnection,
    by_slug: moka::future::Cache<String, Option<Arc<Partner>>>,
    keys: moka::future::Cache<String, Option<Arc<KeyHolder>>>,
}

impl Partners {
    pub fn new(db: DatabaseConnection) -> Self {
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

    pub async fn create(&self, p: NewPartner<'_>) -> Result<Partner> {
        let slug = parse_slug("slug", p.slug)?;
        let name = parse_name("name", p.name, 200)?;
        let origins = parse_origins(p.allowed_origins)?;
        if partner::Entity::find()
            .filter(partner::Column::Slug.eq(slug.as_str()))
            .one(&self.db)
            .await?
            .is_some()
        {
            return Err(Error::Conflict {
                field: "slug".into(),
                reason: "a partner with this slug exists".into(),
            });
        }
        let at = now();
        let model = partner::ActiveModel {
            id: Set(Uuid::new_v4()),
            slug: Set(slug.to_string()),
            name: Set(name),
            allowed_origins: Set(serde_json::json!(origins)),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&self.db)
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Error::Conflict {
                field: "slug".into(),
                reason: "a partner with this slug exists".into(),
            },
            _ => e.into(),
        })?;
        self.by_slug.invalidate(slug.as_str()).await;
        Ok(model.into())
    }

    /// Renames a partner and replaces its allowed origins.
    pub async fn update(&self, slug: &str, name: &str, origins: &[String]) -> Result<Partner> {
        let current = self.get(slug).await?;
        let name = parse_name("name", name, 200)?;
        let origins = parse_origins(origins)?;
        let model = partner::ActiveModel {
            id: Set(current.id),
            name: Set(name),
            allowed_origins: Set(serde_json::json!(origins)),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&self.db)
        .await?;
        self.by_slug.invalidate(slug).await;
        Ok(model.into())
    }

    pub async fn list(&self) -> Result<Vec<Partner>> {
        Ok(partner::Entity::find()
            .order_by_asc(partner::Column::Slug)
            .all(&self.db)
            .await?
            .into_iter()
            .map(Partner::from)
            .collect())
    }

    // -- Keys ---------------------------------------------------------------

    /// Makes a key; its secret is in the answer and nowhere else.
    pub async fn create_key(
        &self,
        partner_slug: &str,
        name: &str,
        scopes: &[String],
        expires_at: Option<OffsetDateTime>,
    ) -> Result<NewKey> {
        let p = self.get(partner_slug).await?;
        let name = parse_name("name", name, 100)?;
        if scopes.is_empty() || scopes.len() > 10 {
            return Err(Error::invalid(
                "scopes",
                "give at least one scope: catalogue:read, stats:read",
            ));
        }
        let mut parsed: Vec<Scope> = Vec::new();
        for s in scopes {
            let s: Scope = s.parse().map_err(|e: String| Error::invalid("scopes", e))?;
            if !parsed.contains(&s) {
                parsed.push(s);
            }
        }
        if let Some(at) = expires_at {
            if at <= now() {
                return Err(Error::invalid(
                    "expires_at",
                    "the expiry must be in the future",
                ));
            }
            if at > now() + time::Duration::days(3 * 366) {
                return Err(Error::invalid(
                    "expires_at",
                    "a key expires within three years, or never",
                ));
            }
        }
        let key = new_token("agp_");
        let model = partner_key::ActiveModel {
            id: Set(Uuid::new_v4()),
            partner_id: Set(p.id),
            name: Set(name),
            key_hash: Set(token_hash(&key)),
            key_prefix: Set(key.chars().take(10).collect()),
            scopes: Set(parsed
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ")),
            created_at: Set(now()),
            expires_at: Set(expires_at),
            revoked_at: Set(None),
            last_used_at: Set(None),
        }
        .insert(&self.db)
        .await?;
        Ok(NewKey {
            info: model.into(),
            key,
        })
    }

    pub async fn list_keys(&self, partner_slug: &str) -> Result<Vec<KeyInfo>> {
        let p = self.get(partner_slug).await?;
        Ok(partner_key::Entity::find()
            .filter(partner_key::Column::PartnerId.eq(p.id))
            .order_by_desc(partner_key::Column::CreatedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(KeyInfo::from)
            .collect())
    }

    pub async fn revoke_key(&self, partner_slug: &str, key_id: Uuid) -> Result<()> {
        let p = self.get(partner_slug).await?;
        let res = partner_key::Entity::update_many()
            .col_expr(partner_key::Column::RevokedAt, Expr::value(Some(now())))
            .filter(partner_key::Column::Id.eq(key_id))
            .filter(partner_key::Column::PartnerId.eq(p.id))
            .filter(partner_key::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(Error::NotFound { what: "key" });
        }
        if let Some(k) = partner_key::Entity::find_by_id(key_id)
            .one(&self.db)
            .await?
        {
            self.keys.invalidate(&k.key_hash).await;
        }
        Ok(())
    }

    /// The holder of a key; unknown, revoked and expired keys are refused alike.
    pub async fn authenticate(&self, key: &str) -> Result<Arc<KeyHolder>> {
        let refused = || Error::Unauthorized {
            reason: "the API key is unknown, revoked or expired",
        };
        if !key.starts_with("agp_") || key.len() > 200 {
            return Err(refused());
        }
        let hash = token_hash(key);
        let holder = match self.keys.get(&hash).await {
            Some(h) => h,
            None => {
                let found = key_with_partner(&self.db, &hash).await?;
                let h = found.map(|(k, p)| {
                    Arc::new(KeyHolder {
                        key_id: k.id,
                        partner_id: p.id,
                        partner_slug: p.slug,
                        scopes: parse_scopes(&k.scopes),
                        expires_at: k.expires_at,
                    })
                });
                if let Some(h) = &h {
                    // Recording use on a cache miss keeps reads cheap: at most
                    // one write per key per lookup period.
                    partner_key::Entity::update_many()
                        .col_expr(partner_key::Column::LastUsedAt, Expr::value(Some(now())))
                        .filter(partner_key::Column::Id.eq(h.key_id))
                        .exec(&self.db)
                        .await?;
                }
                self.keys.insert(hash, h.clone()).await;
                h
            }
        };
        match holder {
            Some(h) if h.expires_at.is_none_or(|at| at > now()) => Ok(h),
            _ => Err(refused()),
        }
    }

    // -- Collections --------------------------------------------------------

    /// Creates or replaces a collection; `true` when it is new.
    pub async fn put_collection(
        &self,
        partner_slug: &str,
        slug: &str,
        title: &str,
        source: Source,
    ) -> Result<bool> {
        let p = self.get(partner_slug).await?;
        let slug = parse_slug("slug", slug)?;
        let title = parse_name("title", title, 200)?;
        let strings = |v: Vec<String>| serde_json::json!(v);
        let (courses, themes, languages, levels) = match source {
            Source::Courses(c) => {
                if c.is_empty() || c.len() > MAX_COLLECTION_COURSES {
                    return Err(Error::invalid(
                        "courses",
                        format!("list 1 to {MAX_COLLECTION_COURSES} courses, or give a rule"),
                    ));
                }
                let mut seen: Vec<String> = Vec::new();
                for s in c {
                    if !seen.contains(&s.to_string()) {
                        seen.push(s.to_string());
                    }
                }
                (seen, vec![], vec![], vec![])
            }
            Source::Rule {
                themes,
                languages,
                levels,
            } => {
                if themes.len() > 20 {
                    return Err(Error::invalid("rule.themes", "at most 20 themes"));
                }
                (
                    vec![],
                    themes.iter().map(|t| t.to_string()).collect(),
                    languages.iter().map(|l| l.to_string()).collect(),
                    levels.iter().map(|l| l.to_string()).collect(),
                )
            }
        };
        let existing = partner_collection::Entity::find()
            .filter(partner_collection::Column::PartnerId.eq(p.id))
            .filter(partner_collection::Column::Slug.eq(slug.as_str()))
            .one(&self.db)
            .await?;
        let at = now();
        let created = existing.is_none();
        let mut model = partner_collection::ActiveModel {
            title: Set(title),
            course_slugs: Set(strings(courses)),
            rule_themes: Set(strings(themes)),
            rule_languages: Set(strings(languages)),
            rule_levels: Set(strings(levels)),
            updated_at: Set(at),
            ..Default::default()
        };
        match existing {
            Some(e) => {
                model.id = Set(e.id);
                model.update(&self.db).await?;
            }
            None => {
                model.id = Set(Uuid::new_v4());
                model.partner_id = Set(p.id);
                model.slug = Set(slug.to_string());
                model.created_at = Set(at);
                model
                    .insert(&self.db)
                    .await
                    .map_err(|e| match e.sql_err() {
                        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Error::Conflict {
                            field: "slug".into(),
                            reason: "the collection was created at the same time".into(),
                        },
                        _ => e.into(),
                    })?;
            }
        }
        Ok(created)
    }

    pub async fn delete_collection(&self, partner_slug: &str, slug: &str) -> Result<()> {
        let p = self.get(partner_slug).await?;
        let res = partner_collection::Entity::delete_many()
            .filter(partner_collection::Column::PartnerId.eq(p.id))
            .filter(partner_collection::Column::Slug.eq(slug))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(Error::NotFound { what: "collection" });
        }
        Ok(())
    }

    pub async fn collections(&self, partner_slug: &str) -> Result<Vec<Collection>> {
        let p = self.get(partner_slug).await?;
        partner_collection::Entity::find()
            .filter(partner_collection::Column::PartnerId.eq(p.id))
            .order_by_asc(partner_collection::Column::Slug)
            .all(&self.db)
            .await?
            .into_iter()
            .map(Collection::try_from)
            .collect()
    }

    /// A collection's published courses in the reader's locale, optionally
    /// narrowed to one theme, at most `limit`.
    pub async fn listing(
        &self,
        partner_slug: &str,
        collection_slug: &str,
        preferred: &[Locale],
        theme: Option<&Theme>,
        limit: u64,
    ) -> Result<Listing> {
        let p = self.get(partner_slug).await?;
        if Slug::parse(collection_slug).is_err() {
            return Err(Error::NotFound { what: "collection" });
        }
        let c: Collection = partner_collection::Entity::find()
            .filter(partner_collection::Column::PartnerId.eq(p.id))
            .filter(partner_collection::Column::Slug.eq(collection_slug))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "collection" })?
            .try_into()?;
        let everything = catalogue::list_courses(
            &self.db,
            &CourseQuery {
                page: 1,
                per_page: u32::MAX.into(),
                sort: CourseSort::Newest,
                preferred: preferred.to_vec(),
                ..Default::default()
            },
        )
        .await?
        .items;
        let has_theme =
            |card: &CourseCard, t: &Theme| card.themes.iter().any(|s| *s == t.to_string());
        let mut items: Vec<CourseCard> = match &c.source {
            Source::Courses(slugs) => {
                let mut by_slug: HashMap<&str, &CourseCard> =
                    everything.iter().map(|c| (c.slug.as_str(), c)).collect();
                slugs
                    .iter()
                    .filter_map(|s| by_slug.remove(s.as_str()).cloned())
                    .collect()
            }
            Source::Rule {
                themes,
                languages,
                levels,
            } => everything
                .into_iter()
                .filter(|card| themes.is_empty() || themes.iter().any(|t| has_theme(card, t)))
                .filter(|card| {
                    languages.is_empty()
                        || languages.iter().any(|l| card.available_locales.contains(l))
                })
                .filter(|card| levels.is_empty() || levels.contains(&card.level))
                .collect(),
        };
        if let Some(t) = theme {
            items.retain(|card| has_theme(card, t));
        }
        let total = items.len() as u64;
        items.truncate(limit.min(MAX_LIMIT) as usize);
        Ok(Listing {
            partner_slug: p.slug.clone(),
            partner_name: p.name.clone(),
            collection_slug: c.slug,
            collection_title: c.title,
            items,
            total,
        })
    }

    // -- Attribution --------------------------------------------------------

    /// Counts a visit to a published course that came through the partner's
    /// embed. Unknown partners or courses are ignored: a link is never an error.
    pub async fn record_visit(&self, partner_slug: &str, course_slug: &str) -> Result<bool> {
        let Ok(p) = self.get(partner_slug).await else {
            return Ok(false);
        };
        let Some(course_id) = published_course_id(&self.db, course_slug).await? else {
            return Ok(false);
        };
        partner_event::ActiveModel {
            id: Set(Uuid::new_v4()),
            partner_id: Set(p.id),
            course_id: Set(course_id),
            kind: Set(VISIT.into()),
            enrolment_id: Set(None),
            created_at: Set(now()),
        }
        .insert(&self.db)
        .await?;
        Ok(true)
    }

    /// Attributes a new enrolment to the partner whose embed brought the
    /// learner; once per enrolment.
    pub async fn record_enrolment(
        &self,
        partner_slug: &str,
        enrolment_id: Uuid,
        course_id: Uuid,
    ) -> Result<bool> {
        let Ok(p) = self.get(partner_slug).await else {
            return Ok(false);
        };
        let n = partner_event::Entity::insert(partner_event::ActiveModel {
            id: Set(Uuid::new_v4()),
            partner_id: Set(p.id),
            course_id: Set(course_id),
            kind: Set(ENROLMENT.into()),
            enrolment_id: Set(Some(enrolment_id)),
            created_at: Set(now()),
        })
        .on_conflict(
            OnConflict::column(partner_event::Column::EnrolmentId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        Ok(n == 1)
    }

    /// Visits and enrolments brought by the partner, in total and per course.
    pub async fn stats(&self, partner_slug: &str) -> Result<Stats> {
        let p = self.get(partner_slug).await?;
        let rows: Vec<(Uuid, String)> = partner_event::Entity::find()
            .select_only()
            .columns([partner_event::Column::CourseId, partner_event::Column::Kind])
            .filter(partner_event::Column::PartnerId.eq(p.id))
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut per: HashMap<Uuid, (u64, u64)> = HashMap::new();
        let mut stats = Stats::default();
        for (course_id, kind) in rows {
            let e = per.entry(course_id).or_default();
            if kind == VISIT {
                e.0 += 1;
                stats.visits += 1;
            } else if kind == ENROLMENT {
                e.1 += 1;
                stats.enrolments += 1;
            }
        }
        let slugs: HashMap<Uuid, String> = course::Entity::find()
            .select_only()
            .columns([course::Column::Id, course::Column::Slug])
            .filter(course::Column::Id.is_in(per.keys().copied().collect::<Vec<_>>()))
            .into_tuple::<(Uuid, String)>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        stats.courses = per
            .into_iter()
            .filter_map(|(id, (visits, enrolments))| {
                Some(CourseStats {
                    slug: slugs.get(&id)?.clone(),
                    visits,
                    enrolments,
                })
            })
            .collect();
        stats.courses.sort_by(|a, b| {
            b.enrolments
                .cmp(&a.enrolments)
                .then(b.visits.cmp(&a.visits))
                .then(a.slug.cmp(&b.slug))
        });
        Ok(stats)
    }
}

async fn published_course_id(db: &DatabaseConnection, slug: &str) -> Result<Option<Uuid>> {
    if Slug::parse(slug).is_err() {
        return Ok(None);
    }
    Ok(course::Entity::find()
        .select_only()
        .column(course::Column::Id)
        .filter(course::Column::Slug.eq(slug))
        .filter(course::Column::Status.eq(CourseStatus::Published.as_str()))
        .into_tuple::<Uuid>()
        .one(db)
        .await?)
}

/// An unrevoked key's row with its partner.
async fn key_with_partner(
    db: &DatabaseConnection,
    hash: &str,
) -> Result<Option<(partner_key::Model, partner::Model)>> {
    let Some(k) = partner_key::Entity::find()
        .filter(partner_key::Column::KeyHash.eq(hash))
        .filter(partner_key::Column::RevokedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let p = partner::Entity::find_by_id(k.partner_id).one(db).await?;
    Ok(p.map(|p| (k, p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_exact() {
        assert_eq!(
            parse_origin("https://www.city.example").unwrap(),
            "https://www.city.example"
        );
        assert_eq!(
            parse_origin("http://127.0.0.1:8081").unwrap(),
            "http://127.0.0.1:8081"
        );
        for bad in [
            "https://www.city.example/",
            "https://www.city.example/path",
            "https://user@www.city.example",
            "ftp://city.example",
            "javascript:alert(1)",
            "*",
            "null",
            "https://city.example?x=1",
            "HTTPS://CITY.EXAMPLE",
            "https://city.example:443",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scopes_round_trip() {
        for s in Scope::ALL {
            assert_eq!(s.as_str().parse::<Scope>().unwrap(), s);
        }
        assert_eq!(
            parse_scopes("catalogue:read bogus stats:read"),
            vec![Scope::CatalogueRead, Scope::StatsRead]
        );
    }
}
