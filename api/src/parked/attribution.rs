//! Attributing an enrolment to the partner whose embed brought the learner.
//! A rule waiting to move into the enrolment's own transaction in core;
//! until then the API and the enrolment page both call it here.

use agora_core::domain::Slug;

use crate::state::AppState;

/// Counts a new enrolment for the partner that brought the learner. Never
/// fails the enrolment: an unknown partner is ignored, an error is logged.
pub async fn attribute(
    state: &AppState,
    partner: &str,
    enrolment: &agora_core::learning::EnrolmentView,
) {
    if Slug::parse(partner).is_err() {
        return;
    }
    if let Err(e) = state
        .partners
        .record_enrolment(partner, enrolment.id, enrolment.course_id)
        .await
    {
        tracing::warn!(error = %e, "an enrolment was not attributed to its partner");
    }
}
