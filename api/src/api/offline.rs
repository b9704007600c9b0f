//! Saving a course for offline (issue 23): what the service worker fetches.

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi, Tags,
    param::{Header, Path, Query},
    payload::{Binary, Json},
};

use super::{
    auth::{Auth, content_locales},
    error::ApiError,
};
use crate::{http::i18n, state::AppState};
use agora_core::{domain::Locale, learning::ArchiveLabels};

#[derive(Tags)]
enum ApiTags {
    /// Enrolment, lessons, quizzes and progress.
    Learning,
}

pub struct OfflineApi;

/// An address to save, and about how many bytes it is.
#[derive(Object)]
struct OfflineItem {
    /// A path on this site: a page or an image.
    url: String,
    bytes: u64,
    /// A resource lesson's file, saved only up to the size the learner chooses.
    resource: bool,
}

/// Everything saving a course for offline downloads.
#[derive(Object)]
struct OfflineCourse {
    slug: String,
    title: String,
    /// The content version: a saved copy older than this is saved again.
    generation: i64,
    /// This course's published version: a saved copy of another version is
    /// out of date (the device saves it again when next online).
    version: String,
    lessons: u32,
    /// The pages' and images' sizes, without the resource files (each item
    /// has its size), to show before downloading.
    total_bytes: u64,
    /// The course page, every lesson page in your language, their images,
    /// then the resource files.
    items: Vec<OfflineItem>,
}

#[derive(ApiResponse)]
enum Archive {
    /// The course as a zip of static HTML pages.
    #[oai(status = 200, content_type = "application/zip")]
    Zip(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

fn check_slug(slug: &str) -> Result<(), ApiError> {
    agora_core::domain::Slug::parse(slug)
        .map(drop)
        .map_err(|_| agora_core::Error::NotFound { what: "course" }.into())
}

#[OpenApi(tag = "ApiTags::Learning")]
impl OfflineApi {
    /// What saving a course for offline downloads, for an enrolled learner
    ///
    /// The pages come in `lang`, then your saved locale, then
    /// `Accept-Language`, like the lessons themselves.
    #[oai(
        path = "/courses/:slug/offline",
        method = "get",
        operation_id = "offline_course"
    )]
    async fn offline(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        #[oai(validator(pattern = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$", max_length = 35))]
        lang: Query<Option<String>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> Result<Json<OfflineCourse>, ApiError> {
        check_slug(&slug)?;
        let p = auth.principal();
        let preferred = content_locales(lang.0.as_deref(), p, accept_language.0.as_deref())?;
        let c = state
            .learning
            .offline_course(p.user_id, &slug, &preferred)
            .await?;
        Ok(Json(OfflineCourse {
            slug: c.slug,
            title: c.title,
            generation: c.generation,
            version: c.version,
            lessons: c.lessons,
            total_bytes: c.total_bytes,
            items: c
                .items
                .into_iter()
                .map(|i| OfflineItem {
                    url: i.url,
                    bytes: i.bytes,
                    resource: i.resource,
                })
                .collect(),
        }))
    }

    /// Download a course as one file, for an enrolled learner
    ///
    /// A zip of static HTML pages that open with no server (from a USB
    /// stick, say): the course page, every lesson in your language with its
    /// transcript and quiz questions (not their answers), the images and
    /// the resource files. Links between them are relative.
    #[oai(
        path = "/courses/:slug/archive",
        method = "get",
        operation_id = "course_archive"
    )]
    async fn archive(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        #[oai(validator(pattern = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$", max_length = 35))]
        lang: Query<Option<String>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> Result<Archive, ApiError> {
        check_slug(&slug)?;
        let p = auth.principal();
        let preferred = content_locales(lang.0.as_deref(), p, accept_language.0.as_deref())?;
        let locale = preferred.first().copied().unwrap_or(Locale::En);
        let t = |key: &str| i18n::t(locale, key);
        let labels = ArchiveLabels {
            lang: locale.as_str().to_owned(),
            contents: t("course-syllabus"),
            previous: t("lesson-previous"),
            next: t("lesson-next"),
            back_to_course: t("lesson-back-to-course"),
            transcript: t("lesson-transcript"),
            watch: t("lesson-watch"),
            download: t("lesson-download"),
            quiz_note: t("archive-quiz-note"),
            note: t("archive-note"),
        };
        let a = state
            .learning
            .course_archive(&state.storage, p.user_id, &slug, &preferred, &labels)
            .await?;
        Ok(Archive::Zip(
            Binary(a.bytes),
            format!("attachment; filename=\"{}\"", a.file_name),
        ))
    }
}
