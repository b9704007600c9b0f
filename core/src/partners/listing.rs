//! A collection's public listing: its published courses in the reader's
//! language, rendered once into the document partner sites read and kept a
//! few seconds. The renderer is given at start-up; core keeps the bytes.

use std::{collections::HashMap, sync::Arc, time::Duration};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};

use super::{
    Partners,
    collections::{Collection, Source},
};
use crate::{
    Error, Result,
    catalogue::{self, CourseCard, CourseQuery, CourseSort},
    domain::{Locale, Slug, Theme},
    entities::partner_collection,
};

/// The largest listing a collection answers.
pub const MAX_LIMIT: u64 = 100;
/// How many courses a listing shows when not told.
pub const DEFAULT_LIMIT: u64 = 12;

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

/// What a listing is asked for, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct ListingParams {
    pub partner: String,
    pub collection: String,
    /// The language asked for, when one was.
    pub lang: Option<Locale>,
    pub theme: Option<Theme>,
    pub limit: u64,
}

impl ListingParams {
    /// Validates `lang`, `theme` and `limit` as partner sites send them;
    /// the partner and collection are looked up later.
    pub fn parse(
        partner: &str,
        collection: &str,
        lang: Option<&str>,
        theme: Option<&str>,
        limit: Option<u64>,
    ) -> Result<Self> {
        let bad = |field: &str, reason: String| Error::BadParameter {
            field: field.into(),
            reason,
        };
        let lang = match lang {
            Some(l) => Some(l.parse::<Locale>().map_err(|e| bad("lang", e))?),
            None => None,
        };
        let theme = match theme {
            Some(t) if t.len() <= 100 => Some(t.parse::<Theme>().map_err(|e| bad("theme", e))?),
            Some(_) => return Err(bad("theme", "`theme` is too long".into())),
            None => None,
        };
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(bad(
                "limit",
                format!("`limit` must be between 1 and {MAX_LIMIT}"),
            ));
        }
        Ok(ListingParams {
            partner: partner.to_owned(),
            collection: collection.to_owned(),
            lang,
            theme,
            limit,
        })
    }

    /// Where its rendered listing is kept.
    fn key(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}\n{}",
            self.partner,
            self.collection,
            self.lang.map(Locale::as_str).unwrap_or(""),
            self.theme
                .as_ref()
                .map(Theme::to_string)
                .unwrap_or_default(),
            self.limit
        )
    }
}

/// Writes the document partner sites read from a listing, in `lang` when
/// one was asked for. The JSON API owns that document's shape and words.
pub trait ListingRenderer: Send + Sync {
    fn render(&self, listing: &Listing, lang: Option<Locale>) -> Vec<u8>;
}

/// A listing's document, rendered once and served as stored bytes.
#[derive(Debug)]
pub struct RenderedListing {
    pub body: bytes::Bytes,
    /// A strong validator of `body`, quoted as for an `ETag`.
    pub etag: String,
}

/// Rendered listings by their parameters, for a few seconds.
#[derive(Clone)]
pub(super) struct RenderedListings {
    cache: moka::future::Cache<String, Arc<RenderedListing>>,
    keep: bool,
    renderer: Arc<dyn ListingRenderer>,
}

impl RenderedListings {
    pub(super) fn new(renderer: Arc<dyn ListingRenderer>, keep_for: Duration) -> Self {
        RenderedListings {
            cache: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(keep_for.max(Duration::from_secs(1)))
                .build(),
            keep: !keep_for.is_zero(),
            renderer,
        }
    }

    pub(super) fn forget(&self) {
        self.cache.invalidate_all();
    }
}

impl Partners {
    /// The listing's document, from the short-lived store or rendered now.
    pub async fn rendered_listing(&self, params: &ListingParams) -> Result<Arc<RenderedListing>> {
        let key = params.key();
        if let Some(hit) = self.listings.cache.get(&key).await {
            return Ok(hit);
        }
        let listing = self.listing(params).await?;
        let body = bytes::Bytes::from(self.listings.renderer.render(&listing, params.lang));
        let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..32]);
        let rendered = Arc::new(RenderedListing { body, etag });
        if self.listings.keep {
            self.listings.cache.insert(key, rendered.clone()).await;
        }
        Ok(rendered)
    }

    /// A collection's published courses in the reader's locale, optionally
    /// narrowed to one theme, at most `limit`.
    async fn listing(&self, params: &ListingParams) -> Result<Listing> {
        let ListingParams {
            partner: partner_slug,
            collection: collection_slug,
            lang,
            theme,
            limit,
        } = params;
        let preferred: Vec<Locale> = lang.iter().copied().collect();
        let p = self.get(partner_slug).await?;
        if Slug::parse(collection_slug).is_err() {
            return Err(Error::NotFound { what: "collection" });
        }
        let c: Collection = partner_collection::Entity::find()
            .filter(partner_collection::Column::PartnerId.eq(p.id))
            .filter(partner_collection::Column::Slug.eq(collection_slug.as_str()))
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
                preferred,
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
        items.truncate((*limit).min(MAX_LIMIT) as usize);
        Ok(Listing {
            partner_slug: p.slug.clone(),
            partner_name: p.name.clone(),
            collection_slug: c.slug,
            collection_title: c.title,
            items,
            total,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(e: Error) -> String {
        match e {
            Error::BadParameter { field, .. } => field,
            e => panic!("unexpected {e:?}"),
        }
    }

    #[test]
    fn params_are_validated_in_order() {
        let p = ListingParams::parse("city", "all", None, None, None).unwrap();
        assert_eq!(p.limit, DEFAULT_LIMIT);
        assert_eq!(p.lang, None);
        let long = "x".repeat(101);
        for (lang, theme, limit, bad) in [
            (Some("xx"), Some("bogus theme"), Some(0), "lang"),
            (Some("fr"), Some(long.as_str()), Some(0), "theme"),
            (None, Some("sdg:11"), Some(0), "limit"),
            (None, None, Some(MAX_LIMIT + 1), "limit"),
        ] {
            let e = ListingParams::parse("city", "all", lang, theme, limit).unwrap_err();
            assert_eq!(field(e), bad);
        }
    }

    #[test]
    fn keys_differ_by_every_parameter() {
        let base =
            ListingParams::parse("city", "all", Some("fr"), Some("sdg:11"), Some(5)).unwrap();
        let others = [
            ListingParams::parse("town", "all", Some("fr"), Some("sdg:11"), Some(5)),
            ListingParams::parse("city", "some", Some("fr"), Some("sdg:11"), Some(5)),
            ListingParams::parse("city", "all", None, Some("sdg:11"), Some(5)),
            ListingParams::parse("city", "all", Some("fr"), None, Some(5)),
            ListingParams::parse("city", "all", Some("fr"), Some("sdg:11"), Some(6)),
        ];
        for o in others {
            assert_ne!(o.unwrap().key(), base.key());
        }
    }
}
