//! Reading the library (anyone), starting a practice, and writing to a
//! practice's contact. Both operations of `/practices` live here: the
//! OpenAPI document keeps one path item per path and API, so splitting a
//! path's methods across two APIs would drop one of them from the document.

use agora_core::practices::{Facet as CoreFacet, Library as CoreLibrary, LibraryQuery};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
};

use super::{ApiTags, Input, Practice, Record};
use crate::{
    api::{auth::Auth, catalogue::preferred_locales, error::ApiError},
    state::AppState,
};

pub struct PracticesApi;

/// One value of a facet and how many practices have it.
#[derive(Object)]
#[oai(rename = "PracticeFacetValue")]
struct FacetValue {
    value: String,
    /// The country's or region's name; empty for the other facets.
    label: String,
    count: u64,
    selected: bool,
}

/// A facet: `country`, `region`, `kind`, `sdg`, `sendai` or `population_band`.
#[derive(Object)]
#[oai(rename = "PracticeFacet")]
struct Facet {
    name: String,
    values: Vec<FacetValue>,
}

/// A practice in the library's list.
#[derive(Object)]
#[oai(rename = "PracticeSummary")]
struct Summary {
    slug: String,
    url: String,
    title: String,
    summary: String,
    city: String,
    country_name: String,
    organisation_name: String,
    organisation_kind: String,
    sdgs: Vec<u8>,
    locale: String,
}

/// A page of the library.
#[derive(Object)]
#[oai(rename = "PracticeLibrary")]
struct Library {
    total: u64,
    page: u64,
    has_more: bool,
    facets: Vec<Facet>,
    practices: Vec<Summary>,
}

impl From<CoreFacet> for Facet {
    fn from(f: CoreFacet) -> Self {
        Facet {
            name: f.name.to_owned(),
            values: f
                .values
                .into_iter()
                .map(|v| FacetValue {
                    value: v.value,
                    label: v.label,
                    count: v.count as u64,
                    selected: v.selected,
                })
                .collect(),
        }
    }
}

impl From<CoreLibrary> for Library {
    fn from(l: CoreLibrary) -> Self {
        Library {
            total: l.total as u64,
            page: l.page as u64,
            has_more: l.has_more,
            facets: l.facets.into_iter().map(Facet::from).collect(),
            practices: l
                .practices
                .into_iter()
                .map(|p| Summary {
                    url: agora_core::links::practice(&p.slug),
                    slug: p.slug,
                    title: p.title,
                    summary: p.summary,
                    city: p.city,
                    country_name: p.country_name,
                    organisation_name: p.organisation_name,
                    organisation_kind: p.organisation_kind,
                    sdgs: p.sdgs,
                    locale: p.locale.as_str().to_owned(),
                })
                .collect(),
        }
    }
}

/// A message to a practice's contact.
#[derive(Object)]
#[oai(rename = "PracticeMessage")]
struct Message {
    /// Plain text, 1 to 4,000 characters. Your address is not shown.
    body: String,
}

#[derive(ApiResponse)]
enum Sent {
    /// Accepted: the mail is on its way.
    #[oai(status = 202)]
    Accepted,
}

#[derive(ApiResponse)]
enum Created {
    /// The draft, for its authors.
    #[oai(status = 201)]
    Record(Json<Record>),
}

#[OpenApi(tag = "ApiTags::Practices")]
impl PracticesApi {
    /// Start a practice of your organisation, as a draft
    #[oai(path = "/practices", method = "post", operation_id = "create_practice")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<Input>,
    ) -> Result<Created, ApiError> {
        let r = state
            .practices
            .create(Some(auth.principal()), &body.0.into())
            .await?;
        Ok(Created::Record(Json(r.into())))
    }

    /// The published library, filtered by facets and words, with counts per facet value
    #[oai(path = "/practices", method = "get", operation_id = "list_practices")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        /// Words that must all appear, in any language.
        q: Query<Option<String>>,
        /// ISO 3166-1 alpha-2 codes (any of them).
        country: Query<Vec<String>>,
        /// UN M49 region codes such as `150` (Europe).
        region: Query<Vec<String>>,
        /// Organisation kinds: `municipality`, `region`, `metropolitan`, `association`, `other`.
        kind: Query<Vec<String>>,
        /// Goal numbers, 1 to 17.
        sdg: Query<Vec<String>>,
        /// `sendai:1`…`sendai:4`, `sendai-target:a`…`g`.
        sendai: Query<Vec<String>>,
        population_band: Query<Vec<String>>,
        /// From 1; 20 practices a page.
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<u64>>,
        /// The reader's language (`en`, `fr`, `es`), before `Accept-Language`.
        #[oai(validator(pattern = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$", max_length = 35))]
        lang: Query<Option<String>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> Result<Json<Library>, ApiError> {
        let preferred = preferred_locales(lang.0.as_deref(), accept_language.0.as_deref())?;
        let query = LibraryQuery {
            q: q.0.filter(|q| !q.trim().is_empty()),
            country: country
                .0
                .iter()
                .map(|c| c.trim().to_ascii_uppercase())
                .collect(),
            region: region.0,
            kind: kind.0,
            sdg: sdg.0,
            sendai: sendai.0,
            population_band: population_band.0,
            page: usize::try_from(page.0.unwrap_or(1)).unwrap_or(0),
        };
        let l = state.practices.library(&query, &preferred).await?;
        Ok(Json(l.into()))
    }

    /// A published practice, in the reader's language (else its main one)
    #[oai(
        path = "/practices/:slug",
        method = "get",
        operation_id = "get_practice"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        slug: Path<String>,
        /// The reader's language (`en`, `fr`, `es`), before `Accept-Language`.
        #[oai(validator(pattern = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$", max_length = 35))]
        lang: Query<Option<String>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> Result<Json<Practice>, ApiError> {
        let preferred = preferred_locales(lang.0.as_deref(), accept_language.0.as_deref())?;
        let p = state.practices.published(&slug, &preferred).await?;
        Ok(Json(p.into()))
    }

    /// Write to the practice's contact through Agora's mail; neither address is shown
    #[oai(
        path = "/practices/:slug/messages",
        method = "post",
        operation_id = "contact_practice"
    )]
    async fn contact(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        body: Json<Message>,
    ) -> Result<Sent, ApiError> {
        state
            .practices
            .contact(Some(auth.principal()), &slug, &body.body)
            .await?;
        Ok(Sent::Accepted)
    }
}
