//! Saving a course for offline (issue 23): what the service worker fetches.

use poem::web::Data;
use poem_openapi::{
    Object, OpenApi, Tags,
    param::{Header, Path, Query},
    payload::Json,
};

use super::{
    auth::{Auth, content_locales},
    error::ApiError,
};
use crate::state::AppState;

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
}

/// Everything saving a course for offline downloads.
#[derive(Object)]
struct OfflineCourse {
    slug: String,
    title: String,
    /// The content version: a saved copy older than this is saved again.
    generation: i64,
    lessons: u32,
    /// The sum of the items' sizes, to show before downloading.
    total_bytes: u64,
    /// The course page, every lesson page in your language, their images.
    items: Vec<OfflineItem>,
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
        lang: Query<Option<String>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> Result<Json<OfflineCourse>, ApiError> {
        if agora_core::domain::Slug::parse(&slug).is_err() {
            return Err(agora_core::Error::NotFound { what: "course" }.into());
        }
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
            lessons: c.lessons,
            total_bytes: c.total_bytes,
            items: c
                .items
                .into_iter()
                .map(|i| OfflineItem {
                    url: i.url,
                    bytes: i.bytes,
                })
                .collect(),
        }))
    }
}
