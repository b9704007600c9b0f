//! Announcements to a cohort's members: posted by those who run it, mailed
//! once to each member.

use agora_core::cohorts::AnnouncementView;
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};
use time::OffsetDateTime;
use uuid::Uuid;

use super::ApiTags;
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct CohortAnnouncementsApi;

#[derive(Object)]
#[oai(rename = "CohortAnnouncement")]
struct Announcement {
    id: Uuid,
    title: String,
    /// Markdown.
    body: String,
    /// The body as sanitised HTML.
    body_html: String,
    author_name: String,
    created_at: OffsetDateTime,
}

impl From<AnnouncementView> for Announcement {
    fn from(a: AnnouncementView) -> Self {
        Announcement {
            id: a.id,
            title: a.title,
            body: a.body,
            body_html: a.body_html,
            author_name: a.author_name,
            created_at: a.created_at,
        }
    }
}

#[derive(Object)]
#[oai(rename = "CohortAnnouncementBody")]
struct AnnouncementBody {
    title: String,
    /// Markdown.
    body: String,
}

#[derive(ApiResponse)]
enum Posted {
    /// Posted; each member is mailed once.
    #[oai(status = 201)]
    Created(Json<Announcement>),
}

#[OpenApi(tag = "ApiTags::Cohorts")]
impl CohortAnnouncementsApi {
    /// The cohort's announcements, newest first (the cohort's people)
    #[oai(
        path = "/cohorts/:cohort/announcements",
        method = "get",
        operation_id = "list_cohort_announcements"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
    ) -> Result<Json<Vec<Announcement>>, ApiError> {
        let list = state
            .cohorts
            .announcements(Some(auth.principal()), &cohort)
            .await?;
        Ok(Json(list.into_iter().map(Announcement::from).collect()))
    }

    /// Post an announcement, mailed once to each member (those who run the cohort)
    #[oai(
        path = "/cohorts/:cohort/announcements",
        method = "post",
        operation_id = "post_cohort_announcement"
    )]
    async fn post(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        body: Json<AnnouncementBody>,
    ) -> Result<Posted, ApiError> {
        let a = state
            .cohorts
            .post_announcement(Some(auth.principal()), &cohort, &body.title, &body.body)
            .await?;
        Ok(Posted::Created(Json(a.into())))
    }
}
