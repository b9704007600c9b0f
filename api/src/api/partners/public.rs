//! What partner sites read: a collection's listing (also served ahead of
//! the OpenAPI service, see [`listing_route`]) and the partner's statistics.

use agora_core::{
    accounts::Role,
    partners::{KeyHolder, ListingParams, Scope},
};
use poem::{Request, web::Data};
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
};

use super::{
    ApiTags,
    listing::{CollectionListing, LISTING_CACHE},
};
use crate::{
    api::{cached_json::CachedJson, error::ApiError},
    http::{
        caller::{self, Caller, Credential, client_address},
        version_tag,
    },
    state::AppState,
};

pub struct PartnersApi;

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
    /// Organisations whose staff enrolled through the partner (members who
    /// share their progress only).
    organisations: u64,
    courses: Vec<CourseCounts>,
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

/// A key must be this partner's and carry `scope`.
fn check_key(holder: &KeyHolder, partner: &str, scope: Scope) -> Result<(), ApiError> {
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
    Ok(())
}

/// Anonymous reads are limited per client address, keyed reads per key.
async fn admit_catalogue_read(
    state: &AppState,
    req: &Request,
    partner: &str,
) -> Result<(), ApiError> {
    match Credential::of(req) {
        Some(Credential::PartnerKey(key)) => {
            let holder = caller::partner(state, key).await?;
            check_key(&holder, partner, Scope::CatalogueRead)?;
            state.partner_limits.key(holder.key_id).await?;
        }
        _ => state.partner_limits.anonymous(&client_address(req)).await?,
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
    let params = ListingParams::parse(partner, collection, lang, theme, limit)?;
    admit_catalogue_read(state, req, partner).await?;
    let r = state.partners.rendered_listing(&params).await?;
    let fresh = version_tag::matches(if_none_match, &r.etag);
    Ok(if fresh {
        ListingResponse::NotModified(r.etag.clone(), LISTING_CACHE.into(), "Origin".into())
    } else {
        ListingResponse::Ok(
            CachedJson::from_bytes(r.body.clone()),
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
        #[oai(validator(pattern = "^(en|fr|es)$"))]
        lang: Query<Option<String>>,
        /// Only courses with this theme, e.g. `sdg:11`.
        #[oai(validator(
            pattern = "^(sdg:([1-9]|1[0-7])|sendai:[1-4]|tag:[a-z0-9]+(-[a-z0-9]+)*)$",
            max_length = 84
        ))]
        theme: Query<Option<String>>,
        /// How many courses, 1–100 (default 12).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
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
        let Some(credential) = Credential::of(req) else {
            return Err(agora_core::Error::Unauthorized {
                reason: "send a partner key with the stats:read scope",
            }
            .into());
        };
        match caller::authenticate(&state, credential).await? {
            Caller::Partner(holder) => {
                check_key(&holder, &partner, Scope::StatsRead)?;
                state.partner_limits.key(holder.key_id).await?;
            }
            Caller::User(p) if p.role == Role::Admin => {}
            Caller::User(_) => {
                return Err(agora_core::Error::Forbidden {
                    reason: "only the partner's keys and administrators may read this",
                }
                .into());
            }
        }
        let s = state.partners.stats(&partner).await?;
        Ok(Json(PartnerStats {
            partner: partner.0,
            visits: s.visits,
            enrolments: s.enrolments,
            organisations: s.organisations,
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
