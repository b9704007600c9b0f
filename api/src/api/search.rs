//! Catalogue search: full text, typo-tolerant, with facets and filters.

use agora_core::search::{self, Facet, RawSearch, SearchRequest};
use poem::{Request, web::Data};
use poem_openapi::{ApiResponse, Object, OpenApi, Tags, param::Header, param::Query};

use serde::Serialize;

use super::lang_param::LangParam;
use super::{
    cached_json::CachedJson,
    catalogue::{PUBLIC_CACHE, preferred_locales},
    error::ApiError,
};
use crate::state::AppState;

#[derive(Tags)]
enum ApiTags {
    /// Full-text search of published courses.
    Search,
}

pub struct SearchApi;

/// Every parameter `/search` knows; any other is an error, so that a
/// misspelt filter never silently widens the results.
const PARAMETERS: [&str; 10] = [
    "q", "lang", "page", "per_page", "sdg", "sendai", "language", "level", "duration", "facets",
];

#[derive(Debug, Object, Serialize)]
struct SearchThemes {
    /// Sustainable Development Goal numbers (1–17).
    sdgs: Vec<u8>,
    /// Sendai Framework priorities for action (1–4).
    sendai: Vec<u8>,
    tags: Vec<String>,
}

/// Matches in `<mark>`; the text around them is HTML-escaped, so each field
/// may be inserted into a page as it is.
#[derive(Debug, Object, Serialize)]
#[oai(skip_serializing_if_is_none)]
struct SearchHighlight {
    /// The title with matching words marked.
    title: String,
    /// The summary with matching words marked.
    summary: String,
    /// A passage where the course matches, when neither title nor summary does.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<String>,
    /// The locale of `snippet`: a course may match in another of its locales.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet_locale: Option<String>,
}

/// A course found.
#[derive(Debug, Object, Serialize)]
struct SearchItem {
    slug: String,
    /// The locale of `title` and `summary`: the reader's, else the course's default.
    #[oai(validator(pattern = "^(en|fr|es)$"))]
    locale: String,
    #[oai(validator(pattern = "^(en|fr|es)$"))]
    default_locale: String,
    available_locales: Vec<String>,
    title: String,
    summary: String,
    /// beginner, intermediate or advanced.
    level: String,
    duration_minutes: u32,
    /// under_1h, 1_3h, 3_6h or over_6h.
    duration_band: String,
    themes: SearchThemes,
    /// Enrolments: among equally relevant courses, the more popular comes first.
    enrolment_count: u64,
    highlight: SearchHighlight,
}

/// A facet value and how many of the matching courses have it.
#[derive(Debug, Object, Serialize)]
struct FacetCount {
    value: String,
    count: u64,
}

/// Counts for the courses matching the query and filters; only the facets
/// asked for (all by default), only values with at least one course.
#[derive(Debug, Object, Default, Serialize)]
#[oai(skip_serializing_if_is_none)]
struct SearchFacets {
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    sdg: Option<Vec<FacetCount>>,
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    sendai: Option<Vec<FacetCount>>,
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<Vec<FacetCount>>,
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<Vec<FacetCount>>,
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    duration: Option<Vec<FacetCount>>,
}

#[derive(Debug, Object, Serialize)]
struct SearchResults {
    items: Vec<SearchItem>,
    page: u64,
    per_page: u64,
    /// Courses matching, over all pages.
    total: u64,
    total_pages: u64,
    facets: SearchFacets,
}

#[derive(ApiResponse)]
enum SearchResponse {
    /// A page of matching courses, best first, with facet counts.
    #[oai(status = 200)]
    Ok(
        CachedJson<SearchResults>,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Vary")] String,
    ),
}

fn reject_unknown_parameters(req: &Request) -> Result<(), ApiError> {
    for pair in req.uri().query().unwrap_or("").split('&') {
        let name = pair.split('=').next().unwrap_or("");
        if !name.is_empty() && !PARAMETERS.contains(&name) {
            let shown: String = name.chars().take(40).collect();
            return Err(ApiError::bad_param(
                &shown,
                format!(
                    "unknown parameter `{shown}`: expected q, lang, page, per_page, facets, or a filter (sdg, sendai, language, level, duration)"
                ),
            ));
        }
    }
    Ok(())
}

#[OpenApi(tag = "ApiTags::Search")]
impl SearchApi {
    /// Search published courses
    ///
    /// Searches titles, summaries, module and lesson titles and lesson text
    /// in every locale a course has, forgiving typos (one from 5 letters,
    /// two from 9), matching the last word as a prefix, and applying the
    /// field's synonyms (SDG, DRR, VLR and their French and Spanish forms).
    /// Every word must match. Results come in the reader's locale (`lang`,
    /// then `Accept-Language`), falling back to each course's default.
    ///
    /// Filters: values of one filter are alternatives (`sdg=11&sdg=13` or
    /// `sdg=11,13`), different filters must all match. Without `q`, filters
    /// alone browse the catalogue, most popular first; without either, the
    /// request is a 400. A page past the last one is a 400 that tells how
    /// many pages there are. Unknown parameters are a 400.
    #[oai(path = "/search", method = "get", operation_id = "search_courses")]
    #[allow(clippy::too_many_arguments)]
    async fn search(
        &self,
        state: Data<&AppState>,
        req: &Request,
        /// What to look for, up to 512 characters; the first 10 words count.
        q: Query<Option<String>>,
        /// Page number, 1–10000.
        #[oai(validator(minimum(value = "1"), maximum(value = "10000")))]
        page: Query<Option<u64>>,
        /// Results per page, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<u64>>,
        /// Sustainable Development Goal, 1–17 (repeatable).
        sdg: Query<Vec<String>>,
        /// Sendai Framework priority for action, 1–4 (repeatable).
        sendai: Query<Vec<String>>,
        /// Courses available in en, fr or es (repeatable).
        language: Query<Vec<String>>,
        /// beginner, intermediate or advanced (repeatable).
        level: Query<Vec<String>>,
        /// under_1h, 1_3h, 3_6h or over_6h (repeatable).
        duration: Query<Vec<String>>,
        /// Facets to count, comma-separated: sdg, sendai, language, level, duration (default: all).
        facets: Query<Option<String>>,
        /// Preferred content locale, e.g. `es`.
        lang: Query<Option<LangParam>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> Result<SearchResponse, ApiError> {
        reject_unknown_parameters(req)?;
        let preferred = preferred_locales(lang.0.as_deref(), accept_language.0.as_deref())?;
        let request = SearchRequest::parse(
            RawSearch {
                q: q.0,
                page: page.0,
                per_page: per_page.0,
                sdg: sdg.0,
                sendai: sendai.0,
                language: language.0,
                level: level.0,
                duration: duration.0,
                facets: facets.0,
            },
            preferred,
        )?;
        // Moved out when this request holds the only copy (the answer cache
        // is off, or did not keep it), copied when the cache shares it.
        let found = std::sync::Arc::unwrap_or_clone(search::search(&state.search, &request).await?);
        let mut facets = SearchFacets::default();
        for (facet, values) in found.facets {
            let values = Some(
                values
                    .into_iter()
                    .map(|v| FacetCount {
                        value: v.value,
                        count: v.count,
                    })
                    .collect(),
            );
            match facet {
                Facet::Sdg => facets.sdg = values,
                Facet::Sendai => facets.sendai = values,
                Facet::Language => facets.language = values,
                Facet::Level => facets.level = values,
                Facet::Duration => facets.duration = values,
            }
        }
        let body = SearchResults {
            items: found
                .hits
                .into_iter()
                .map(|h| SearchItem {
                    slug: h.slug,
                    locale: h.locale.to_string(),
                    default_locale: h.default_locale.to_string(),
                    available_locales: h.available_locales.iter().map(|l| l.to_string()).collect(),
                    title: h.title,
                    summary: h.summary,
                    level: h.level.to_string(),
                    duration_minutes: h.duration_minutes,
                    duration_band: h.duration_band.to_string(),
                    themes: SearchThemes {
                        sdgs: h.sdgs,
                        sendai: h.sendai,
                        tags: h.tags,
                    },
                    enrolment_count: h.enrolment_count,
                    highlight: SearchHighlight {
                        title: h.highlight.title,
                        summary: h.highlight.summary,
                        snippet: h.highlight.snippet,
                        snippet_locale: h.highlight.snippet_locale.map(|l| l.to_string()),
                    },
                })
                .collect(),
            page: found.page,
            per_page: found.per_page,
            total: found.total,
            total_pages: found.total.div_ceil(found.per_page),
            facets,
        };
        // Straight to bytes: poem-openapi's `Json` builds a `serde_json::Value`
        // tree of the whole answer first, which cost more than the search.
        let body = CachedJson::serialize(&body);
        Ok(SearchResponse::Ok(
            body,
            PUBLIC_CACHE.into(),
            "Accept-Language".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::types::ToJSON;

    use super::*;

    /// The answer is written with serde: it must be the JSON the schema says.
    #[test]
    fn results_serialise_as_poem_openapi_would() {
        let item = |snippet: Option<String>| SearchItem {
            slug: "s".into(),
            locale: "fr".into(),
            default_locale: "en".into(),
            available_locales: vec!["en".into(), "fr".into()],
            title: "T <b>".into(),
            summary: "S".into(),
            level: "beginner".into(),
            duration_minutes: 90,
            duration_band: "1_3h".into(),
            themes: SearchThemes {
                sdgs: vec![11, 13],
                sendai: vec![],
                tags: vec!["water".into()],
            },
            enrolment_count: 12,
            highlight: SearchHighlight {
                title: "<mark>T</mark>".into(),
                summary: "S".into(),
                snippet_locale: snippet.as_ref().map(|_| "es".into()),
                snippet,
            },
        };
        let results = SearchResults {
            items: vec![item(None), item(Some("…x…".into()))],
            page: 2,
            per_page: 20,
            total: 41,
            total_pages: 3,
            facets: SearchFacets {
                sdg: Some(vec![FacetCount {
                    value: "11".into(),
                    count: 4,
                }]),
                level: Some(vec![]),
                ..Default::default()
            },
        };
        assert_eq!(
            serde_json::to_value(&results).unwrap(),
            results.to_json().unwrap()
        );
    }
}
