//! Cohorts: facilitated runs of a course, their applications, members,
//! live sessions and calendars. Every rule (who may see or change what) is
//! decided by the core service; these handlers parse, call it and map the
//! answer.

mod announcements;
mod applications;
mod assignments;
mod dashboard;
mod followup;
mod manage;
mod reviews;
mod sessions;
mod submissions;
mod templates;

use agora_core::accounts::Principal;
use poem::Request;
use poem_openapi::{ApiResponse, Tags};
use uuid::Uuid;

pub use self::{
    announcements::CohortAnnouncementsApi, applications::CohortApplicationsApi,
    assignments::CohortAssignmentsApi, dashboard::CohortDashboardApi, followup::CohortFollowUpApi,
    manage::CohortsApi, reviews::CohortReviewsApi, sessions::CohortSessionsApi,
    submissions::CohortSubmissionsApi, templates::CohortTemplatesApi,
};
use crate::{
    http::{
        caller::{self, Credential},
        error::ApiError,
    },
    state::AppState,
};

#[derive(Tags)]
enum ApiTags {
    /// Cohorts: facilitated runs of a course.
    Cohorts,
    /// Applying to a cohort for an organisation, decisions, joining.
    CohortApplications,
    /// Live sessions and calendars.
    CohortSessions,
    /// Assignments and their rubrics.
    CohortAssignments,
    /// Work handed in, its files, facilitator feedback.
    CohortSubmissions,
    /// Peer reviews.
    CohortReviews,
}

/// The signed-in caller of a read anyone may make, if any. A credential
/// that is present but wrong is refused rather than ignored.
async fn optional_caller(state: &AppState, req: &Request) -> Result<Option<Principal>, ApiError> {
    match Credential::of(req) {
        None => Ok(None),
        Some(c) => Ok(Some(caller::user(state, c).await?)),
    }
}

#[derive(ApiResponse)]
enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

fn uuid_of(s: &str, what: &'static str) -> Result<Uuid, ApiError> {
    // An id that cannot exist names nothing: not found, like any other.
    s.parse()
        .map_err(|_| agora_core::Error::NotFound { what }.into())
}
