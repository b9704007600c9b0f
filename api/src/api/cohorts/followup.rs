//! After a live session: attendance, and the notes and recording link.

use agora_core::cohorts::AttendanceView;
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use super::{ApiTags, sessions::Session, uuid_of};
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct CohortFollowUpApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(rename = "CohortAttendance")]
struct Attendance {
    user_id: Uuid,
    name: String,
    organisation_name: String,
    /// Absent until attendance is recorded.
    present: Option<bool>,
}

impl From<AttendanceView> for Attendance {
    fn from(a: AttendanceView) -> Self {
        Attendance {
            user_id: a.user_id,
            name: a.name,
            organisation_name: a.organisation_name,
            present: a.present,
        }
    }
}

#[derive(Object)]
#[oai(rename = "CohortAttendanceBody")]
struct AttendanceBody {
    /// The members who attended; every other member did not.
    present: Vec<Uuid>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(rename = "CohortSessionNotesBody")]
struct NotesBody {
    /// Markdown; empty unpublishes.
    notes: Option<String>,
    /// A link to the recording; empty unpublishes.
    recording_url: Option<String>,
}

#[OpenApi(tag = "ApiTags::CohortSessions")]
impl CohortFollowUpApi {
    /// Each member's attendance of a session (those who run the cohort)
    #[oai(
        path = "/cohorts/:cohort/sessions/:session/attendance",
        method = "get",
        operation_id = "get_cohort_session_attendance"
    )]
    async fn attendance(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        session: Path<String>,
    ) -> Result<Json<Vec<Attendance>>, ApiError> {
        let id = uuid_of(&session, "session")?;
        let list = state
            .cohorts
            .attendance(Some(auth.principal()), &cohort, id)
            .await?;
        Ok(Json(list.into_iter().map(Attendance::from).collect()))
    }

    /// Record who attended a session that has begun (replaces the earlier record)
    #[oai(
        path = "/cohorts/:cohort/sessions/:session/attendance",
        method = "put",
        operation_id = "record_cohort_session_attendance"
    )]
    async fn record(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        session: Path<String>,
        body: Json<AttendanceBody>,
    ) -> Result<Json<Vec<Attendance>>, ApiError> {
        let id = uuid_of(&session, "session")?;
        let list = state
            .cohorts
            .record_attendance(Some(auth.principal()), &cohort, id, &body.present)
            .await?;
        Ok(Json(list.into_iter().map(Attendance::from).collect()))
    }

    /// Publish a session's notes (Markdown, sanitised) and recording link
    #[oai(
        path = "/cohorts/:cohort/sessions/:session/notes",
        method = "put",
        operation_id = "publish_cohort_session_notes"
    )]
    async fn notes(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        session: Path<String>,
        body: Json<NotesBody>,
    ) -> Result<Json<Session>, ApiError> {
        let id = uuid_of(&session, "session")?;
        let s = state
            .cohorts
            .publish_notes(
                Some(auth.principal()),
                &cohort,
                id,
                body.notes.as_deref(),
                body.recording_url.as_deref(),
            )
            .await?;
        Ok(Json(s.into()))
    }
}
