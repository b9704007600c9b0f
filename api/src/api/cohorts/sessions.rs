//! Live sessions, their `.ics` files, and the members' private calendar feeds.

use agora_core::cohorts::{SessionInput, SessionView};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::Path,
    payload::{Json, PlainText},
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{ApiTags, NoContent, uuid_of};
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct CohortSessionsApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(rename = "CohortSession")]
pub(super) struct Session {
    id: Uuid,
    title: String,
    /// Markdown.
    agenda: String,
    /// The agenda as sanitised HTML.
    agenda_html: String,
    /// UTC.
    starts_at: OffsetDateTime,
    /// UTC.
    ends_at: OffsetDateTime,
    join_url: Option<String>,
    /// Lesson keys of the course to prepare.
    preparation: Vec<String>,
    /// The iCalendar `SEQUENCE`: raised by every change.
    sequence: i32,
    cancelled: bool,
    /// Markdown, published after the session.
    notes: Option<String>,
    /// The notes as sanitised HTML.
    notes_html: Option<String>,
    recording_url: Option<String>,
}

impl From<SessionView> for Session {
    fn from(s: SessionView) -> Self {
        Session {
            id: s.id,
            title: s.title,
            agenda: s.agenda,
            agenda_html: s.agenda_html,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            join_url: s.join_url,
            preparation: s.preparation,
            sequence: s.sequence,
            cancelled: s.cancelled,
            notes: s.notes,
            notes_html: s.notes_html,
            recording_url: s.recording_url,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(rename = "CohortSessionBody")]
struct SessionBody {
    title: String,
    /// Markdown.
    #[oai(default)]
    agenda: String,
    /// RFC 3339; stored in UTC.
    starts_at: OffsetDateTime,
    ends_at: OffsetDateTime,
    /// A link to any video meeting.
    join_url: Option<String>,
    /// Lesson keys of the course to prepare.
    #[oai(default)]
    preparation: Vec<String>,
}

impl From<SessionBody> for SessionInput {
    fn from(b: SessionBody) -> Self {
        SessionInput {
            title: b.title,
            agenda: b.agenda,
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            join_url: b.join_url,
            preparation: b.preparation,
        }
    }
}

#[derive(Object)]
#[oai(rename = "CalendarFeed")]
struct Feed {
    /// The secret, shown this once.
    token: String,
    /// The feed's address for calendar programs.
    url: String,
}

#[derive(ApiResponse)]
enum SessionCreated {
    /// Created; reminders are queued.
    #[oai(status = 201)]
    Created(Json<Session>),
}

#[derive(ApiResponse)]
enum FeedCreated {
    /// Created; any earlier feed of yours for this cohort is revoked.
    #[oai(status = 201)]
    Created(Json<Feed>),
}

#[derive(ApiResponse)]
enum Ics {
    /// An iCalendar file (RFC 5545).
    #[oai(status = 200, content_type = "text/calendar; charset=utf-8")]
    File(
        PlainText<String>,
        #[oai(header = "Content-Disposition")] String,
        #[oai(header = "Cache-Control")] String,
    ),
}

fn ics(body: String, name: &str) -> Ics {
    Ics::File(
        PlainText(body),
        format!("inline; filename=\"{name}.ics\""),
        "private, no-store".into(),
    )
}

#[OpenApi(tag = "ApiTags::CohortSessions")]
impl CohortSessionsApi {
    /// The cohort's live sessions, by start (the cohort's people)
    #[oai(
        path = "/cohorts/:cohort/sessions",
        method = "get",
        operation_id = "list_cohort_sessions"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
    ) -> Result<Json<Vec<Session>>, ApiError> {
        let list = state
            .cohorts
            .sessions(Some(auth.principal()), &cohort)
            .await?;
        Ok(Json(list.into_iter().map(Session::from).collect()))
    }

    /// Schedule a live session (those who run the cohort)
    #[oai(
        path = "/cohorts/:cohort/sessions",
        method = "post",
        operation_id = "create_cohort_session"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        body: Json<SessionBody>,
    ) -> Result<SessionCreated, ApiError> {
        let s = state
            .cohorts
            .create_session(Some(auth.principal()), &cohort, body.0.into())
            .await?;
        Ok(SessionCreated::Created(Json(s.into())))
    }

    /// Change or reschedule a session; raises its `SEQUENCE`
    #[oai(
        path = "/cohorts/:cohort/sessions/:session",
        method = "put",
        operation_id = "update_cohort_session"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        session: Path<String>,
        body: Json<SessionBody>,
    ) -> Result<Json<Session>, ApiError> {
        let id = uuid_of(&session, "session")?;
        let s = state
            .cohorts
            .update_session(Some(auth.principal()), &cohort, id, body.0.into())
            .await?;
        Ok(Json(s.into()))
    }

    /// Cancel a session: calendars show it as cancelled
    #[oai(
        path = "/cohorts/:cohort/sessions/:session/cancel",
        method = "post",
        operation_id = "cancel_cohort_session"
    )]
    async fn cancel(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        session: Path<String>,
    ) -> Result<Json<Session>, ApiError> {
        let id = uuid_of(&session, "session")?;
        let s = state
            .cohorts
            .cancel_session(Some(auth.principal()), &cohort, id)
            .await?;
        Ok(Json(s.into()))
    }

    /// One session as an iCalendar file
    #[oai(
        path = "/cohorts/:cohort/sessions/:session/ics",
        method = "get",
        operation_id = "get_cohort_session_ics"
    )]
    async fn session_ics(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        session: Path<String>,
    ) -> Result<Ics, ApiError> {
        let id = uuid_of(&session, "session")?;
        let body = state
            .cohorts
            .session_ics(Some(auth.principal()), &cohort, id)
            .await?;
        Ok(ics(body, "session"))
    }

    /// Make your private calendar feed of the cohort (revokes the earlier one)
    #[oai(
        path = "/cohorts/:cohort/calendar-feed",
        method = "post",
        operation_id = "create_cohort_calendar_feed"
    )]
    async fn create_feed(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
    ) -> Result<FeedCreated, ApiError> {
        let f = state
            .cohorts
            .create_feed(Some(auth.principal()), &cohort)
            .await?;
        let base = state.config.public_url();
        let url = format!("{}{}", base.as_str().trim_end_matches('/'), f.path);
        Ok(FeedCreated::Created(Json(Feed {
            token: f.token,
            url,
        })))
    }

    /// Revoke your calendar feed of the cohort
    #[oai(
        path = "/cohorts/:cohort/calendar-feed",
        method = "delete",
        operation_id = "revoke_cohort_calendar_feed"
    )]
    async fn revoke_feed(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
    ) -> Result<NoContent, ApiError> {
        state
            .cohorts
            .revoke_feed(Some(auth.principal()), &cohort)
            .await?;
        Ok(NoContent::Done)
    }

    /// A private calendar feed, for calendar programs: the token is the key
    #[oai(
        path = "/calendar-feeds/:token",
        method = "get",
        operation_id = "get_calendar_feed"
    )]
    async fn feed(&self, state: Data<&AppState>, token: Path<String>) -> Result<Ics, ApiError> {
        let body = state.cohorts.feed(&token).await?;
        Ok(ics(body, "cohort"))
    }
}
