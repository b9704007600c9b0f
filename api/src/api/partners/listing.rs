//! The collection listing partner sites read, as the JSON API documents it:
//! its shape and its words. Core keeps the rendered bytes and their ETag; the
//! iframe embed reads the same document.

use agora_core::{
    domain::Locale,
    partners::{Listing, ListingRenderer},
};
use poem_openapi::Object;

use crate::api::catalogue::CourseSource;
use crate::http::{i18n, locale::locale_name};

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
    #[oai(validator(pattern = "^(en|fr|es)$"))]
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
    /// The official documents the course's facts come from.
    sources: Vec<CourseSource>,
}

#[derive(Object)]
pub struct Labels {
    languages: String,
    open: String,
    empty: String,
}

/// A partner's collection, ready for its site.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
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

/// Renders listings as [`CollectionListing`] JSON, with course links on
/// this site carrying the partner for attribution.
pub struct ListingJson {
    public: url::Url,
}

impl ListingJson {
    pub fn new(public: url::Url) -> Self {
        ListingJson { public }
    }
}

impl ListingRenderer for ListingJson {
    fn render(&self, listing: &Listing, lang: Option<Locale>) -> Vec<u8> {
        let document = collection_listing(&self.public, listing, lang);
        poem_openapi::types::ToJSON::to_json(&document)
            .unwrap_or(serde_json::Value::Null)
            .to_string()
            .into_bytes()
    }
}

/// The listing as partner sites read it, in its language.
fn collection_listing(public: &url::Url, l: &Listing, lang: Option<Locale>) -> CollectionListing {
    let ui = lang.unwrap_or(Locale::En);
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
                sources: c.sources.iter().map(CourseSource::from).collect(),
            }
        })
        .collect();
    CollectionListing {
        partner: NameRef {
            slug: l.partner_slug.clone(),
            name: l.partner_name.clone(),
        },
        collection: NameRef {
            slug: l.collection_slug.clone(),
            name: l.collection_title.clone(),
        },
        lang: lang.map(|l| l.to_string()),
        items,
        total: l.total,
        labels: Labels {
            languages: i18n::t(ui, "course-languages"),
            open: i18n::t(ui, "embed-open"),
            empty: i18n::t(ui, "embed-empty"),
        },
    }
}
