//! The public course catalogue: listing and outlines.

use agora_core::{
    catalogue::{self, CourseQuery, CourseSort, MAX_PER_PAGE},
    domain::{Level, Locale, Theme},
};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi, Tags, param::Header, param::Path, param::Query, payload::Json,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::lang_param::LangParam;
use super::{cached_json::CachedJson, error::ApiError, theme_param::ThemeParam};
use crate::http::{
    locale::{self, LocaleSource},
    version_tag,
};
use crate::state::AppState;

#[derive(Tags)]
enum ApiTags {
    /// Published courses, for learners and partner sites.
    Catalogue,
}

pub struct CatalogueApi;

/// Public catalogue reads may be cached briefly by browsers and proxies; the
/// `ETag` lets them revalidate cheaply.
pub const PUBLIC_CACHE: &str = "public, max-age=60, stale-while-revalidate=300";

#[derive(Debug, Object)]
struct Themes {
    /// Sustainable Development Goal numbers (1–17).
    sdgs: Vec<u8>,
    /// Sendai Framework priorities for action (1–4).
    sendai: Vec<u8>,
    /// Free tags.
    tags: Vec<String>,
}

impl From<&[String]> for Themes {
    fn from(themes: &[String]) -> Self {
        let mut t = Themes {
            sdgs: vec![],
            sendai: vec![],
            tags: vec![],
        };
        for theme in themes.iter().filter_map(|s| s.parse::<Theme>().ok()) {
            match theme {
                Theme::Sdg(n) => t.sdgs.push(n),
                Theme::Sendai(n) => t.sendai.push(n),
                Theme::Tag(s) => t.tags.push(s.to_string()),
            }
        }
        t
    }
}

/// A course as the catalogue lists it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
struct CourseSummary {
    slug: String,
    /// The locale of `title` and `summary`.
    #[oai(validator(pattern = "^(en|fr|es)$"))]
    locale: String,
    #[oai(validator(pattern = "^(en|fr|es)$"))]
    default_locale: String,
    /// Every locale the course is available in.
    available_locales: Vec<String>,
    title: String,
    summary: String,
    /// beginner, intermediate or advanced.
    level: String,
    /// Estimated learner time for the whole course.
    duration_minutes: u32,
    themes: Themes,
    module_count: u32,
    lesson_count: u32,
    enrolment_count: u64,
    published_at: Option<OffsetDateTime>,
    updated_at: OffsetDateTime,
    /// The course's cover image, when it has one.
    cover: Option<CoverImage>,
}

/// An image served by Agora at an address that never changes.
#[derive(Debug, Object)]
struct CoverImage {
    /// Relative to the site: `/media/{sha256}.{ext}`.
    url: String,
    /// Its text alternative, in the summary's locale where there is one.
    alt: String,
    /// In pixels.
    width: u32,
    height: u32,
}

impl From<&catalogue::CourseCard> for CourseSummary {
    fn from(c: &catalogue::CourseCard) -> Self {
        CourseSummary {
            slug: c.slug.clone(),
            locale: c.locale.to_string(),
            default_locale: c.default_locale.to_string(),
            available_locales: c.available_locales.iter().map(|l| l.to_string()).collect(),
            title: c.title.clone(),
            summary: c.summary.clone(),
            level: c.level.to_string(),
            duration_minutes: c.duration_minutes,
            themes: Themes::from(c.themes.as_slice()),
            module_count: c.module_count,
            lesson_count: c.lesson_count,
            enrolment_count: c.enrolment_count,
            published_at: c.published_at,
            updated_at: c.updated_at,
            cover: c.cover.as_ref().map(|v| CoverImage {
                url: v.url.clone(),
                alt: v.alt.clone(),
                width: v.width,
                height: v.height,
            }),
        }
    }
}

#[derive(Debug, Object)]
struct CourseList {
    items: Vec<CourseSummary>,
    page: u64,
    per_page: u64,
    /// Courses matching the filters, over all pages.
    total: u64,
    total_pages: u64,
}

#[derive(Debug, Object)]
struct LessonOutline {
    /// Stable lesson id.
    id: Uuid,
    /// Stable lesson key within the course.
    key: String,
    title: String,
    /// text, video, resource or quiz.
    kind: String,
    duration_minutes: u32,
}

#[derive(Debug, Object)]
struct ModuleOutline {
    key: String,
    title: String,
    summary: String,
    lessons: Vec<LessonOutline>,
}

/// One document a course cites, so its facts can be checked.
#[derive(Debug, Object)]
pub(super) struct CourseSource {
    title: String,
    publisher: String,
    /// Year of publication.
    year: u16,
    /// Where to read it: an `http(s)` address.
    url: String,
}

impl From<&agora_core::course_source::Source> for CourseSource {
    fn from(s: &agora_core::course_source::Source) -> Self {
        CourseSource {
            title: s.title.clone(),
            publisher: s.publisher.clone(),
            year: s.year,
            url: s.url.clone(),
        }
    }
}

/// One course with its description and syllabus.
#[derive(Debug, Object)]
struct CourseDetail {
    #[oai(flatten)]
    summary: CourseSummary,
    /// Markdown source of the description.
    description: String,
    /// The description rendered to sanitised HTML.
    description_html: String,
    objectives: Vec<String>,
    modules: Vec<ModuleOutline>,
    /// The official documents the course's facts come from.
    sources: Vec<CourseSource>,
}

#[derive(ApiResponse)]
enum CourseListResponse {
    /// A page of published courses.
    #[oai(status = 200)]
    Ok(
        CachedJson<CourseList>,
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

// Built once per answer and moved out at once: boxing would only allocate.
#[allow(clippy::large_enum_variant)]
#[derive(ApiResponse)]
enum CourseDetailResponse {
    /// The course.
    #[oai(status = 200)]
    Ok(
        Json<CourseDetail>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Vary")] String,
        #[oai(header = "Content-Language")] String,
    ),
    /// The client's copy (`If-None-Match`) is current.
    #[oai(status = 304)]
    NotModified(
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Vary")] String,
    ),
}

/// The `ETag` of a catalogue answer: the published-content version and the
/// reader's locales. Computed before any work, so a `304` costs nothing.
fn catalogue_etag(state: &AppState, preferred: &[Locale]) -> String {
    let locales: Vec<&str> = preferred.iter().map(|l| l.as_str()).collect();
    version_tag::etag(
        state.learning.published().catalogue_version(),
        &locales.join("-"),
    )
}

/// The reader's locales, best first: `?lang=` then `Accept-Language`.
/// A malformed `lang` is an error; a well-formed one Agora lacks falls back.
pub fn preferred_locales(
    lang: Option<&str>,
    accept_language: Option<&str>,
) -> Result<Vec<Locale>, ApiError> {
    locale::preferred_locales(
        [
            lang.map(LocaleSource::Lang),
            accept_language.map(LocaleSource::AcceptLanguage),
        ]
        .into_iter()
        .flatten(),
    )
}

fn parse_param<T: std::str::FromStr<Err = String>>(
    field: &str,
    value: &str,
) -> Result<T, ApiError> {
    if value.len() > 100 {
        return Err(ApiError::bad_param(field, format!("`{field}` is too long")));
    }
    value.parse().map_err(|e| ApiError::bad_param(field, e))
}

#[OpenApi(tag = "ApiTags::Catalogue")]
impl CatalogueApi {
    /// List published courses
    ///
    /// Filters combine: every `theme` given must match (`sdg:11`, `sendai:2`,
    /// `tag:climate`). Titles come in the reader's locale (`lang`, then
    /// `Accept-Language`), falling back to each course's default locale.
    #[oai(path = "/courses", method = "get", operation_id = "list_courses")]
    #[allow(clippy::too_many_arguments)]
    async fn list_courses(
        &self,
        state: Data<&AppState>,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
        page: Query<Option<u64>>,
        /// Courses per page, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<u64>>,
        /// Theme filter, repeatable up to 10 times: `sdg:1`–`sdg:17`,
        /// `sendai:1`–`sendai:4`, `tag:<name>`.
        #[oai(validator(max_items = 10))]
        theme: Query<Vec<ThemeParam>>,
        /// Only courses available in this language: en, fr or es.
        #[oai(validator(pattern = "^(en|fr|es)$"))]
        language: Query<Option<String>>,
        /// beginner, intermediate or advanced.
        #[oai(validator(pattern = "^(beginner|intermediate|advanced)$"))]
        level: Query<Option<String>>,
        /// popular (default), title, newest, duration or -duration.
        #[oai(validator(pattern = "^(popular|title|newest|duration|-duration)$"))]
        sort: Query<Option<String>>,
        /// Preferred content locale, e.g. `fr`.
        lang: Query<Option<LangParam>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
        #[oai(name = "If-None-Match")] if_none_match: Header<Option<String>>,
    ) -> Result<CourseListResponse, ApiError> {
        let page = page.0.unwrap_or(1);
        if !(1..=100_000).contains(&page) {
            return Err(ApiError::bad_param(
                "page",
                "`page` must be between 1 and 100000",
            ));
        }
        let per_page = per_page.0.unwrap_or(20);
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(ApiError::bad_param(
                "per_page",
                format!("`per_page` must be between 1 and {MAX_PER_PAGE}"),
            ));
        }
        if theme.0.len() > 10 {
            return Err(ApiError::bad_param("theme", "at most 10 `theme` filters"));
        }
        let query = CourseQuery {
            page,
            per_page,
            themes: theme.0.into_iter().map(|t| t.0).collect(),
            language: language
                .0
                .as_deref()
                .map(|l| parse_param::<Locale>("language", l))
                .transpose()?,
            level: level
                .0
                .as_deref()
                .map(|l| parse_param::<Level>("level", l))
                .transpose()?,
            sort: sort
                .0
                .as_deref()
                .map(|s| parse_param::<CourseSort>("sort", s))
                .transpose()?
                .unwrap_or_default(),
            preferred: preferred_locales(lang.0.as_deref(), accept_language.0.as_deref())?,
        };
        let etag = catalogue_etag(&state, &query.preferred);
        if version_tag::matches(if_none_match.0.as_deref(), &etag) {
            return Ok(CourseListResponse::NotModified(
                etag,
                PUBLIC_CACHE.into(),
                "Accept-Language".into(),
            ));
        }
        // The answer is rendered once per version and query.
        let key = format!("{etag}|{query:?}");
        if let Some(body) = state.pages.answer(&key).await {
            return Ok(CourseListResponse::Ok(
                CachedJson::from_bytes(body),
                etag,
                PUBLIC_CACHE.into(),
                "Accept-Language".into(),
            ));
        }
        let result = state.learning.published().listing(&query).await?;
        let body = CourseList {
            items: result.items.iter().map(CourseSummary::from).collect(),
            page: result.page,
            per_page: result.per_page,
            total: result.total,
            total_pages: result.total.div_ceil(result.per_page),
        };
        let body = CachedJson::render(&body);
        state.pages.keep_answer(key, body.bytes().clone()).await;
        Ok(CourseListResponse::Ok(
            body,
            etag,
            PUBLIC_CACHE.into(),
            "Accept-Language".into(),
        ))
    }

    /// Get one published course with its modules and lessons
    #[oai(path = "/courses/:slug", method = "get", operation_id = "get_course")]
    async fn get_course(
        &self,
        state: Data<&AppState>,
        /// The course's URL name.
        slug: Path<String>,
        /// Preferred content locale, e.g. `fr`.
        lang: Query<Option<LangParam>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
        #[oai(name = "If-None-Match")] if_none_match: Header<Option<String>>,
    ) -> Result<CourseDetailResponse, ApiError> {
        // An id that cannot be a slug cannot name a course: 404, not 400, so
        // that guessing reveals nothing about the format.
        if agora_core::domain::Slug::parse(&slug.0).is_err() {
            return Err(agora_core::Error::NotFound { what: "course" }.into());
        }
        let preferred = preferred_locales(lang.0.as_deref(), accept_language.0.as_deref())?;
        let etag = catalogue_etag(&state, &preferred);
        if version_tag::matches(if_none_match.0.as_deref(), &etag) {
            return Ok(CourseDetailResponse::NotModified(
                etag,
                PUBLIC_CACHE.into(),
                "Accept-Language".into(),
            ));
        }
        let c = state
            .learning
            .published()
            .course_page(&slug.0, &preferred)
            .await?;
        let c = c.as_ref().clone();
        let locale = c.card.locale.to_string();
        let body = CourseDetail {
            summary: CourseSummary::from(&c.card),
            sources: c.card.sources.iter().map(CourseSource::from).collect(),
            description: c.description,
            description_html: c.description_html,
            objectives: c.objectives,
            modules: c
                .modules
                .into_iter()
                .map(|m| ModuleOutline {
                    key: m.key,
                    title: m.title,
                    summary: m.summary,
                    lessons: m
                        .lessons
                        .into_iter()
                        .map(|l| LessonOutline {
                            id: l.id,
                            key: l.key,
                            title: l.title,
                            kind: l.kind.to_string(),
                            duration_minutes: l.duration_minutes,
                        })
                        .collect(),
                })
                .collect(),
        };
        Ok(CourseDetailResponse::Ok(
            Json(body),
            etag,
            PUBLIC_CACHE.into(),
            "Accept-Language".into(),
            locale,
        ))
    }
}
