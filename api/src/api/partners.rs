//! Partners: their accounts, keys and collections for administrators, and
//! the public collection listings and statistics partners read.

use std::sync::Arc;

use agora_core::{
    accounts::{self, Role},
    domain::{Level, Locale, Slug, Theme},
    partners::{self, KeyHolder, Scope, Source},
};
use poem::{Request, web::Data};
use poem_openapi::{
    ApiResponse, Object, OpenApi, Tags,
    param::{Header, Path, Query},
    payload::Json,
    registry::{MetaSchemaRef, Registry},
};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    auth::{Auth, require_admin},
    error::ApiError,
};
use crate::{state::AppState, web::i18n};

#[derive(Tags)]
enum ApiTags {
    /// Partner accounts, keys and collections (administrators).
    PartnerAdmin,
    /// What partner sites read: collection listings and statistics.
    Partners,
}

pub struct PartnerAdminApi;
pub struct PartnersApi;

/// Collection listings may be kept a minute by browsers and proxies.
pub const LISTING_CACHE: &str = "public, max-age=60";

// ---------------------------------------------------------------------------
// Shapes.

#[derive(Object)]
struct PartnerBody {
    slug: String,
    name: String,
    /// Exact origins (`https://www.example.org`) whose pages may read the API from a browser.
    allowed_origins: Vec<String>,
}

#[derive(Object)]
struct PartnerUpdate {
    name: String,
    allowed_origins: Vec<String>,
}

#[derive(Object)]
struct PartnerInfo {
    slug: String,
    name: String,
    allowed_origins: Vec<String>,
    created_at: OffsetDateTime,
}

impl From<&partners::Partner> for PartnerInfo {
    fn from(p: &partners::Partner) -> Self {
        PartnerInfo {
            slug: p.slug.clone(),
            name: p.name.clone(),
            allowed_origins: p.allowed_origins.clone(),
            created_at: p.created_at,
        }
    }
}

#[derive(Object)]
struct NewKeyBody {
    /// What the key is for, e.g. "WordPress site".
    name: String,
    /// `catalogue:read`, `stats:read`.
    scopes: Vec<String>,
    /// When the key stops working; never when absent.
    expires_at: Option<OffsetDateTime>,
}

#[derive(Object)]
struct KeyInfo {
    id: Uuid,
    name: String,
    /// The key's first characters, to recognise it.
    prefix: String,
    scopes: Vec<String>,
    created_at: OffsetDateTime,
    expires_at: Option<OffsetDateTime>,
    revoked_at: Option<OffsetDateTime>,
    last_used_at: Option<OffsetDateTime>,
}

impl From<&partners::KeyInfo> for KeyInfo {
    fn from(k: &partners::KeyInfo) -> Self {
        KeyInfo {
            id: k.id,
            name: k.name.clone(),
            prefix: k.prefix.clone(),
            scopes: k.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            created_at: k.created_at,
            expires_at: k.expires_at,
            revoked_at: k.revoked_at,
            last_used_at: k.last_used_at,
        }
    }
}

/// A new key: `key` is shown this once and never again.
#[derive(Object)]
struct NewKey {
    key: String,
    #[oai(flatten)]
    info: KeyInfo,
}

#[derive(Object)]
struct Rule {
    /// Any of these themes (`sdg:11`, `sendai:2`, `tag:climate`); any theme when empty.
    #[oai(default)]
    themes: Vec<String>,
    /// Available in any of these languages; any when empty.
    #[oai(default)]
    languages: Vec<String>,
    /// Any of these levels; any when empty.
    #[oai(default)]
    levels: Vec<String>,
}

#[derive(Object)]
struct CollectionBody {
    title: String,
    /// Chosen courses, in order. Give either `courses` or `rule`.
    courses: Option<Vec<String>>,
    /// A rule that picks up courses as they are published.
    rule: Option<Rule>,
}

#[derive(Object)]
struct CollectionInfo {
    slug: String,
    title: String,
    courses: Option<Vec<String>>,
    rule: Option<Rule>,
    updated_at: OffsetDateTime,
}

impl From<&partners::Collection> for CollectionInfo {
    fn from(c: &partners::Collection) -> Self {
        let (courses, rule) = match &c.source {
            Source::Courses(s) => (Some(s.iter().map(|s| s.to_string()).collect()), None),
            Source::Rule {
                themes,
                languages,
                levels,
            } => (
                None,
                Some(Rule {
                    themes: themes.iter().map(|t| t.to_string()).collect(),
                    languages: languages.iter().map(|t| t.to_string()).collect(),
                    levels: levels.iter().map(|t| t.to_string()).collect(),
                }),
            ),
        };
        CollectionInfo {
            slug: c.slug.clone(),
            title: c.title.clone(),
            courses,
            rule,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Object)]
struct NameRef {
    slug: String,
    name: String,
}

/// A course card for partner sites.
#[derive(Object)]
struct PartnerCourse {
    slug: String,
    title: String,
    summary: String,
    /// The locale of `title` and `summary`.
    locale: String,
    available_locales: Vec<String>,
    level: String,
    duration_minutes: u32,
    themes: Vec<String>,
    /// Ready to show, in the listing's language.
    level_text: String,
    duration_text: String,
    languages_text: String,
    /// The course page, carrying the partner for attribution.
    url: String,
}

#[derive(Object)]
struct Labels {
    languages: String,
    open: String,
    empty: String,
}

/// A partner's collection, ready for its site.
#[derive(Object)]
struct CollectionListing {
    partner: NameRef,
    collection: NameRef,
    /// The language asked for, when one was.
    lang: Option<String>,
    items: Vec<PartnerCourse>,
    /// Courses in the collection (after the theme filter), before `limit`.
    total: u64,
    /// Interface words for the cards, in the listing's language.
    labels: Labels,
}

#[derive(Object)]
struct CourseCounts {
    slug: String,
    visits: u64,
    enrolments: u64,
}

/// What the partner's embeds brought.
#[derive(Object)]
struct PartnerStats {
    partner: String,
    visits: u64,
    enrolments: u64,
    courses: Vec<CourseCounts>,
}

/// A JSON body rendered once and served as stored bytes.
pub struct CachedJson<T>(bytes::Bytes, std::marker::PhantomData<T>);

impl<T: poem_openapi::types::Type + Send> poem_openapi::payload::Payload for CachedJson<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";
    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }
    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Send> poem::IntoResponse for CachedJson<T> {
    fn into_response(self) -> poem::Response {
        poem::Response::builder()
            .content_type("application/json; charset=utf-8")
            .body(self.0)
    }
}

#[derive(ApiResponse)]
enum ListingResponse {
    /// The collection's courses.
    #[oai(status = 200)]
    Ok(
        CachedJson<CollectionListing>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Vary")] String,
    ),
    /// The client's copy (`If-None-Match`) is current.
    #[oai(status = 304)]
    NotModified(
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Vary")] String,
    ),
}

#[derive(ApiResponse)]
enum PartnerCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<PartnerInfo>),
}

#[derive(ApiResponse)]
enum KeyCreated {
    /// Created: the key is in this answer and nowhere else.
    #[oai(status = 201)]
    Created(Json<NewKey>),
}

#[derive(ApiResponse)]
enum Put {
    /// Created.
    #[oai(status = 201)]
    Created(Json<CollectionInfo>),
    /// Replaced.
    #[oai(status = 200)]
    Replaced(Json<CollectionInfo>),
}

#[derive(ApiResponse)]
enum NoContent {
    #[oai(status = 204)]
    Done,
}

// ---------------------------------------------------------------------------
// Who is calling.

/// The partner key presented as `X-Api-Key`, or as `Authorization: Bearer agp_…`.
pub fn presented_key(req: &Request) -> Option<&str> {
    if let Some(k) = req.header("x-api-key") {
        return Some(k.trim());
    }
    req.header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| t.starts_with("agp_"))
}

/// Checks a presented key: valid, of this partner, with this scope.
async fn key_for(
    state: &AppState,
    key: &str,
    partner: &str,
    scope: Scope,
) -> Result<Arc<KeyHolder>, ApiError> {
    let holder = state.partners.authenticate(key).await?;
    if holder.partner_slug != partner {
        return Err(agora_core::Error::Forbidden {
            reason: "this key belongs to another partner",
        }
        .into());
    }
    if !holder.has(scope) {
        return Err(agora_core::Error::Forbidden {
            reason: "this key lacks the scope this needs",
        }
        .into());
    }
    Ok(holder)
}

/// An administrator signed in with a user token or session (no key).
async fn admin_by_token(state: &AppState, req: &Request) -> Result<(), ApiError> {
    let bearer = req
        .header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let principal = match bearer {
        Some(t) => accounts::authenticate(&state.db, &state.cache, t, false).await?,
        None => match cookie(req, super::auth::SESSION_COOKIE) {
            Some(c) => accounts::authenticate(&state.db, &state.cache, c, true).await?,
            None => {
                return Err(agora_core::Error::Unauthorized {
                    reason: "send a partner key with the stats:read scope",
                }
                .into());
            }
        },
    };
    if principal.role != Role::Admin {
        return Err(agora_core::Error::Forbidden {
            reason: "only the partner's keys and administrators may read this",
        }
        .into());
    }
    Ok(())
}

fn cookie<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers()
        .get_all(poem::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn not_found(what: &'static str) -> ApiError {
    agora_core::Error::NotFound { what }.into()
}

fn parse_source(body: CollectionBody) -> Result<(String, Source), ApiError> {
    let invalid = |field: &str, reason: String| -> ApiError {
        agora_core::Error::invalid(field, reason).into()
    };
    let source = match (body.courses, body.rule) {
        (Some(courses), None) => Source::Courses(
            courses
                .iter()
                .map(|s| Slug::parse(s).map_err(|e| invalid("courses", e)))
                .collect::<Result<_, _>>()?,
        ),
        (None, Some(rule)) => {
            if rule.languages.len() > 3 || rule.levels.len() > 3 {
                return Err(invalid("rule", "too many languages or levels".into()));
            }
            Source::Rule {
                themes: rule
                    .themes
                    .iter()
                    .map(|t| t.parse::<Theme>().map_err(|e| invalid("rule.themes", e)))
                    .collect::<Result<_, _>>()?,
                languages: rule
                    .languages
                    .iter()
                    .map(|t| {
                        t.parse::<Locale>()
                            .map_err(|e| invalid("rule.languages", e))
                    })
                    .collect::<Result<_, _>>()?,
                levels: rule
                    .levels
                    .iter()
                    .map(|t| t.parse::<Level>().map_err(|e| invalid("rule.levels", e)))
                    .collect::<Result<_, _>>()?,
            }
        }
        _ => {
            return Err(invalid(
                "courses",
                "give either `courses` (a list of course slugs) or a `rule`".into(),
            ));
        }
    };
    Ok((body.title, source))
}

// ---------------------------------------------------------------------------
// Listings, rendered once per parameters and reused briefly.

pub struct RenderedListing {
    pub body: bytes::Bytes,
    pub etag: String,
}

/// Parameters of a listing, already validated.
pub struct ListingParams<'a> {
    pub partner: &'a str,
    pub collection: &'a str,
    pub lang: Option<Locale>,
    pub theme: Option<Theme>,
    pub limit: u64,
}

pub const DEFAULT_LIMIT: u64 = 12;

/// The listing's JSON, from the short-lived cache or rendered now.
pub async fn rendered_listing(
    state: &AppState,
    p: &ListingParams<'_>,
) -> Result<Arc<RenderedListing>, agora_core::Error> {
    let key = format!(
        "{}\n{}\n{}\n{}\n{}",
        p.partner,
        p.collection,
        p.lang.map(Locale::as_str).unwrap_or(""),
        p.theme.as_ref().map(Theme::to_string).unwrap_or_default(),
        p.limit
    );
    if let Some(hit) = state.listings.get(&key).await {
        return Ok(hit);
    }
    let listing = listing_body(state, p).await?;
    let json = poem_openapi::types::ToJSON::to_json(&listing)
        .unwrap_or(serde_json::Value::Null)
        .to_string();
    let etag = format!(
        "\"{}\"",
        &hex::encode(Sha256::digest(json.as_bytes()))[..32]
    );
    let rendered = Arc::new(RenderedListing {
        body: bytes::Bytes::from(json),
        etag,
    });
    if state.config.partner_cache_seconds > 0 {
        state.listings.insert(key, rendered.clone()).await;
    }
    Ok(rendered)
}

async fn listing_body(
    state: &AppState,
    p: &ListingParams<'_>,
) -> Result<CollectionListing, agora_core::Error> {
    let preferred: Vec<Locale> = p.lang.into_iter().collect();
    let l = state
        .partners
        .listing(
            p.partner,
            p.collection,
            &preferred,
            p.theme.as_ref(),
            p.limit,
        )
        .await?;
    let ui = p.lang.unwrap_or(Locale::En);
    let public = state.config.public_url();
    let items = l
        .items
        .iter()
        .map(|c| {
            let mut url = public.clone();
            url.set_path(&format!("/courses/{}", c.slug));
            url.query_pairs_mut()
                .append_pair("via", &l.partner_slug)
                .append_pair("lang", c.locale.as_str());
            PartnerCourse {
                slug: c.slug.clone(),
                title: c.title.clone(),
                summary: c.summary.clone(),
                locale: c.locale.to_string(),
                available_locales: c.available_locales.iter().map(|l| l.to_string()).collect(),
                level: c.level.to_string(),
                duration_minutes: c.duration_minutes,
                themes: c.themes.clone(),
                level_text: i18n::t(ui, &format!("level-{}", c.level)),
                duration_text: i18n::format_minutes(ui, c.duration_minutes),
                languages_text: c
                    .available_locales
                    .iter()
                    .map(|l| crate::web::locale_name(*l))
                    .collect::<Vec<_>>()
                    .join(", "),
                url: url.to_string(),
            }
        })
        .collect();
    Ok(CollectionListing {
        partner: NameRef {
            slug: l.partner_slug,
            name: l.partner_name,
        },
        collection: NameRef {
            slug: l.collection_slug,
            name: l.collection_title,
        },
        lang: p.lang.map(|l| l.to_string()),
        items,
        total: l.total,
        labels: Labels {
            languages: i18n::t(ui, "course-languages"),
            open: i18n::t(ui, "embed-open"),
            empty: i18n::t(ui, "embed-empty"),
        },
    })
}

/// Validates `lang`, `theme` and `limit` as the API and the embed page take them.
pub fn listing_params<'a>(
    partner: &'a str,
    collection: &'a str,
    lang: Option<&str>,
    theme: Option<&str>,
    limit: Option<u64>,
) -> Result<ListingParams<'a>, ApiError> {
    let lang = match lang {
        Some(l) => Some(
            l.parse::<Locale>()
                .map_err(|e| ApiError::bad_param("lang", e))?,
        ),
        None => None,
    };
    let theme = match theme {
        Some(t) if t.len() <= 100 => Some(
            t.parse::<Theme>()
                .map_err(|e| ApiError::bad_param("theme", e))?,
        ),
        Some(_) => return Err(ApiError::bad_param("theme", "`theme` is too long")),
        None => None,
    };
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=partners::MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_param(
            "limit",
            format!("`limit` must be between 1 and {}", partners::MAX_LIMIT),
        ));
    }
    Ok(ListingParams {
        partner,
        collection,
        lang,
        theme,
        limit,
    })
}

/// Anonymous reads are limited per client address, keyed reads per key.
async fn admit_catalogue_read(
    state: &AppState,
    req: &Request,
    partner: &str,
) -> Result<(), ApiError> {
    match presented_key(req) {
        Some(key) => {
            let holder = key_for(state, key, partner, Scope::CatalogueRead).await?;
            state.partner_limits.key(holder.key_id)?;
        }
        None => state
            .partner_limits
            .anonymous(&super::accounts::client_address(req))?,
    }
    Ok(())
}

/// One listing request, whichever route it came by.
#[allow(clippy::too_many_arguments)]
async fn answer_listing(
    state: &AppState,
    req: &Request,
    partner: &str,
    collection: &str,
    lang: Option<&str>,
    theme: Option<&str>,
    limit: Option<u64>,
    if_none_match: Option<&str>,
) -> Result<ListingResponse, ApiError> {
    let params = listing_params(partner, collection, lang, theme, limit)?;
    admit_catalogue_read(state, req, partner).await?;
    let r = rendered_listing(state, &params).await?;
    let fresh = if_none_match.is_some_and(|inm| {
        inm.split(',')
            .map(str::trim)
            .any(|t| t == "*" || t.trim_start_matches("W/") == r.etag)
    });
    Ok(if fresh {
        ListingResponse::NotModified(r.etag.clone(), LISTING_CACHE.into(), "Origin".into())
    } else {
        ListingResponse::Ok(
            CachedJson(r.body.clone(), std::marker::PhantomData),
            r.etag.clone(),
            LISTING_CACHE.into(),
            "Origin".into(),
        )
    })
}

/// The same listing as a plain poem route mounted ahead of the OpenAPI
/// service (which still documents it): partner sites call it most, and the
/// OpenAPI layer's per-request work halved its throughput (bench/README.md).
#[poem::handler]
pub async fn listing_route(
    req: &Request,
    poem::web::Path((partner, collection)): poem::web::Path<(String, String)>,
) -> poem::Response {
    use poem::IntoResponse;
    let Some(state) = req.data::<AppState>() else {
        return poem::http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let (mut lang, mut theme, mut limit) = (None, None, None);
    for (k, v) in url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "lang" => lang = Some(v.into_owned()),
            "theme" => theme = Some(v.into_owned()),
            "limit" => limit = Some(v.into_owned()),
            _ => {}
        }
    }
    let limit = match limit.map(|l| l.parse::<u64>()) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => {
            return ApiError::bad_param("limit", "parameter `limit` is invalid").into_response();
        }
    };
    match answer_listing(
        state,
        req,
        &partner,
        &collection,
        lang.as_deref(),
        theme.as_deref(),
        limit,
        req.header(poem::http::header::IF_NONE_MATCH),
    )
    .await
    {
        Ok(r) => r.into_response(),
        Err(e) => e.into_response(),
    }
}

#[OpenApi(tag = "ApiTags::Partners")]
impl PartnersApi {
    /// List a partner's collection of courses
    ///
    /// Public: without a key, reads are limited per client address; with a
    /// key (`X-Api-Key`, scope `catalogue:read`) the limit is the key's.
    /// Browsers may read it only from the partner's allowed origins (CORS).
    #[oai(
        path = "/partners/:partner/collections/:collection",
        method = "get",
        operation_id = "list_partner_collection"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn collection(
        &self,
        state: Data<&AppState>,
        req: &Request,
        partner: Path<String>,
        collection: Path<String>,
        /// Language of the cards: en, fr or es (each course falls back to its own default).
        lang: Query<Option<String>>,
        /// Only courses with this theme, e.g. `sdg:11`.
        theme: Query<Option<String>>,
        /// How many courses, 1–100 (default 12).
        limit: Query<Option<u64>>,
        #[oai(name = "If-None-Match")] if_none_match: Header<Option<String>>,
    ) -> Result<ListingResponse, ApiError> {
        answer_listing(
            &state,
            req,
            &partner,
            &collection,
            lang.0.as_deref(),
            theme.0.as_deref(),
            limit.0,
            if_none_match.0.as_deref(),
        )
        .await
    }

    /// Visits and enrolments that came through the partner's embeds
    ///
    /// For the partner's keys with the `stats:read` scope, and administrators.
    #[oai(
        path = "/partners/:partner/stats",
        method = "get",
        operation_id = "partner_stats"
    )]
    async fn stats(
        &self,
        state: Data<&AppState>,
        req: &Request,
        partner: Path<String>,
    ) -> Result<Json<PartnerStats>, ApiError> {
        match presented_key(req) {
            Some(key) => {
                let holder = key_for(&state, key, &partner, Scope::StatsRead).await?;
                state.partner_limits.key(holder.key_id)?;
            }
            None => admin_by_token(&state, req).await?,
        }
        let s = state.partners.stats(&partner).await?;
        Ok(Json(PartnerStats {
            partner: partner.0,
            visits: s.visits,
            enrolments: s.enrolments,
            courses: s
                .courses
                .into_iter()
                .map(|c| CourseCounts {
                    slug: c.slug,
                    visits: c.visits,
                    enrolments: c.enrolments,
                })
                .collect(),
        }))
    }
}

#[OpenApi(tag = "ApiTags::PartnerAdmin")]
impl PartnerAdminApi {
    /// Create a partner
    #[oai(
        path = "/admin/partners",
        method = "post",
        operation_id = "create_partner"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<PartnerBody>,
    ) -> Result<PartnerCreated, ApiError> {
        require_admin(&auth)?;
        let p = state
            .partners
            .create(partners::NewPartner {
                slug: &body.slug,
                name: &body.name,
                allowed_origins: &body.allowed_origins,
            })
            .await?;
        tracing::info!(partner = %p.slug, admin = %auth.principal().user_id, "partner created");
        Ok(PartnerCreated::Created(Json(PartnerInfo::from(&p))))
    }

    /// List partners
    #[oai(
        path = "/admin/partners",
        method = "get",
        operation_id = "list_partners"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<PartnerInfo>>, ApiError> {
        require_admin(&auth)?;
        Ok(Json(
            state
                .partners
                .list()
                .await?
                .iter()
                .map(PartnerInfo::from)
                .collect(),
        ))
    }

    /// Get a partner
    #[oai(
        path = "/admin/partners/:partner",
        method = "get",
        operation_id = "get_partner"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        partner: Path<String>,
    ) -> Result<Json<PartnerInfo>, ApiError> {
        require_admin(&auth)?;
        let p = state.partners.get(&partner).await?;
        Ok(Json(PartnerInfo::from(p.as_ref())))
    }

    /// Rename a partner and replace its allowed origins
    #[oai(
        path = "/admin/partners/:partner",
        method = "put",
        operation_id = "update_partner"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        partner: Path<String>,
        body: Json<PartnerUpdate>,
    ) -> Result<Json<PartnerInfo>, ApiError> {
        require_admin(&auth)?;
        let p = state
            .partners
            .update(&partner, &body.name, &body.allowed_origins)
            .await?;
        state.listings.invalidate_all();
        Ok(Json(PartnerInfo::from(&p)))
    }

    /// Make an API key for a partner; the key is in this answer only
    #[oai(
        path = "/admin/partners/:partner/keys",
        method = "post",
        operation_id = "create_partner_key"
    )]
    async fn create_key(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        partner: Path<String>,
        body: Json<NewKeyBody>,
    ) -> Result<KeyCreated, ApiError> {
        require_admin(&auth)?;
        let k = state
            .partners
            .create_key(&partner, &body.name, &body.scopes, body.expires_at)
            .await?;
        // The key itself is never logged.
        tracing::info!(partner = %partner.0, key_id = %k.info.id, admin = %auth.principal().user_id, "partner key created");
        Ok(KeyCreated::Created(Json(NewKey {
            key: k.key,
            info: KeyInfo::from(&k.info),
        })))
    }

    /// List a partner's keys (never their secrets)
    #[oai(
        path = "/admin/partners/:partner/keys",
        method = "get",
        operation_id = "list_partner_keys"
    )]
    async fn keys(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        partner: Path<String>,
    ) -> Result<Json<Vec<KeyInfo>>, ApiError> {
        require_admin(&auth)?;
        Ok(Json(
            state
                .partners
                .list_keys(&partner)
                .await?
                .iter()
                .map(KeyInfo::from)
                .collect(),
        ))
    }

    /// Revoke a partner's key, at once
    #[oai(
        path = "/admin/partners/:partner/keys/:id",
        method = "delete",
        operation_id = "revoke_partner_key"
    )]
    async fn revoke_key(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        partner: Path<String>,
        id: Path<String>,
    ) -> Result<NoContent, ApiError> {
        require_admin(&auth)?;
        let id = Uuid::parse_str(&id).map_err(|_| not_found("key"))?;
        state.partners.revoke_key(&partner, id).await?;
        tracing::info!(partner = %partner.0, key_id = %id, admin = %auth.principal().user_id, "partner key revoked");
        Ok(NoContent::Done)
    }

    /// List a partner's collections
    #[oai(
        path = "/admin/partners/:partner/collections",
        method = "get",
        operation_id = "list_partner_collections"
    )]
    async fn collections(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        partner: Path<String>,
    ) -> Result<Json<Vec<CollectionInfo>>, ApiError> {
        require_admin(&auth)?;
        Ok(Json(
            state
                .partners
                .collections(&partner)
                .await?
                .iter()
                .map(CollectionInfo::from)
                .collect(),
        ))
    }

    /// Create or replace a collection: chosen courses, or a rule
    #[oai(
        path = "/admin/partners/:partner/collections/:collection",
        method = "put",
        operation_id = "put_partner_collection"
    )]
    async fn put_collection(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        partner: Path<String>,
        collection: Path<String>,
        body: Json<CollectionBody>,
    ) -> Result<Put, ApiError> {
        require_admin(&auth)?;
        let (title, source) = parse_source(body.0)?;
        let created = state
            .partners
            .put_collection(&partner, &collection, &title, source)
            .await?;
        state.listings.invalidate_all();
        let saved = state
            .partners
            .collections(&partner)
            .await?
            .into_iter()
            .find(|c| c.slug == collection.0)
            .ok_or_else(|| not_found("collection"))?;
        let info = CollectionInfo::from(&saved);
        Ok(if created {
            Put::Created(Json(info))
        } else {
            Put::Replaced(Json(info))
        })
    }

    /// Delete a collection
    #[oai(
        path = "/admin/partners/:partner/collections/:collection",
        method = "delete",
        operation_id = "delete_partner_collection"
    )]
    async fn delete_collection(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        partner: Path<String>,
        collection: Path<String>,
    ) -> Result<NoContent, ApiError> {
        require_admin(&auth)?;
        state
            .partners
            .delete_collection(&partner, &collection)
            .await?;
        state.listings.invalidate_all();
        Ok(NoContent::Done)
    }
}

/// Counts a new enrolment for the partner that brought the learner. Never
/// fails the enrolment: an unknown partner is ignored, an error is logged.
pub async fn attribute(
    state: &AppState,
    partner: &str,
    enrolment: &agora_core::learning::EnrolmentView,
) {
    if Slug::parse(partner).is_err() {
        return;
    }
    if let Err(e) = state
        .partners
        .record_enrolment(partner, enrolment.id, enrolment.course_id)
        .await
    {
        tracing::warn!(error = %e, "an enrolment was not attributed to its partner");
    }
}
