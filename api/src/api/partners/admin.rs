//! Partner administration: partners, their keys and their collections.

use agora_core::{
    domain::{Level, Locale, Slug, Theme},
    partners::{self, Source},
};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};
use time::OffsetDateTime;
use uuid::Uuid;

use super::ApiTags;
use crate::{
    api::{
        auth::{Auth, require_admin},
        error::ApiError,
    },
    state::AppState,
};

pub struct PartnerAdminApi;

#[derive(Object)]
struct PartnerBody {
    slug: String,
    /// 1–200 characters, without control characters.
    #[oai(validator(
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    ))]
    name: String,
    /// Exact origins (`https://www.example.org`) whose pages may read the API from a browser.
    #[oai(validator(max_items = 20))]
    allowed_origins: Vec<String>,
}

#[derive(Object)]
struct PartnerUpdate {
    /// 1–200 characters, without control characters.
    #[oai(validator(
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    ))]
    name: String,
    #[oai(validator(max_items = 20))]
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
#[oai(skip_serializing_if_is_none)]
struct NewKeyBody {
    /// What the key is for, e.g. "WordPress site": 1–100 characters, without control characters.
    #[oai(validator(
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    ))]
    name: String,
    /// `catalogue:read`, `stats:read`: one or both.
    #[oai(validator(
        min_items = 1,
        max_items = 10,
        pattern = "^(catalogue:read|stats:read)$"
    ))]
    scopes: Vec<String>,
    /// When the key stops working; never when absent.
    expires_at: Option<OffsetDateTime>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
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
#[oai(skip_serializing_if_is_none)]
struct CollectionBody {
    title: String,
    /// Chosen courses, in order. Give either `courses` or `rule`.
    courses: Option<Vec<String>>,
    /// A rule that picks up courses as they are published.
    rule: Option<Rule>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
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
        Ok(NoContent::Done)
    }
}
