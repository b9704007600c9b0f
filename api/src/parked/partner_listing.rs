//! A partner collection's listing, rendered to JSON once per parameters
//! and kept briefly: the JSON API serves the bytes, the iframe embed reads
//! the same cards. A rule waiting to move into core with the partners
//! service; until then both sides call it here.

use std::sync::Arc;

use agora_core::{
    domain::{Locale, Theme},
    partners,
};
use poem_openapi::Object;
use sha2::{Digest, Sha256};

use crate::{
    http::{error::ApiError, i18n, locale::locale_name},
    state::{AppState, RenderedListing},
};

/// Collection listings may be kept a minute by browsers and proxies.
pub const LISTING_CACHE: &str = "public, max-age=60";

#[derive(Object)]
pub struct NameRef {
    slug: String,
    name: String,
}

/// A course card for partner sites.
#[derive(Object)]
pub struct PartnerCourse {
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
pub struct Labels {
    languages: String,
    open: String,
    empty: String,
}

/// A partner's collection, ready for its site.
#[derive(Object)]
pub struct CollectionListing {
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

/// The listing as partner sites read it, in its language.
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
                    .map(|l| locale_name(*l))
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
