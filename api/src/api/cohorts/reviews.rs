//! Peer reviews: the ones allocated to you, and giving them.

use agora_core::cohorts::ReviewTaskView;
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Path, payload::Json};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    ApiTags,
    assignments::RubricCriterion,
    submissions::{RubricAssessment, SubmissionFile},
    uuid_of,
};
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct CohortReviewsApi;

/// A peer review to give: the work (its author unnamed) and the rubric.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(rename = "PeerReviewTask")]
struct ReviewTask {
    id: Uuid,
    assignment_id: Uuid,
    assignment_title: String,
    submission_id: Uuid,
    /// Markdown.
    text: String,
    text_html: String,
    files: Vec<SubmissionFile>,
    rubric: Vec<RubricCriterion>,
    /// Your review, once given.
    review: Option<RubricAssessment>,
    submitted_at: Option<OffsetDateTime>,
}

impl From<ReviewTaskView> for ReviewTask {
    fn from(t: ReviewTaskView) -> Self {
        ReviewTask {
            id: t.id,
            assignment_id: t.assignment_id,
            assignment_title: t.assignment_title,
            submission_id: t.submission_id,
            text: t.text,
            text_html: t.text_html,
            files: t.files.into_iter().map(Into::into).collect(),
            rubric: t.rubric.into_iter().map(Into::into).collect(),
            review: t.review.map(Into::into),
            submitted_at: t.submitted_at,
        }
    }
}

#[OpenApi(tag = "ApiTags::CohortReviews")]
impl CohortReviewsApi {
    /// The peer reviews allocated to you in this cohort
    #[oai(
        path = "/cohorts/:cohort/reviews",
        method = "get",
        operation_id = "list_my_cohort_reviews"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
    ) -> Result<Json<Vec<ReviewTask>>, ApiError> {
        let list = state
            .cohorts
            .my_reviews(Some(auth.principal()), &cohort)
            .await?;
        Ok(Json(list.into_iter().map(ReviewTask::from).collect()))
    }

    /// Give (or change) a peer review allocated to you: a level per criterion
    #[oai(
        path = "/cohorts/:cohort/reviews/:review",
        method = "put",
        operation_id = "give_cohort_peer_review"
    )]
    async fn give(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        review: Path<String>,
        body: Json<RubricAssessment>,
    ) -> Result<Json<ReviewTask>, ApiError> {
        let id = uuid_of(&review, "review")?;
        let t = state
            .cohorts
            .give_review(Some(auth.principal()), &cohort, id, body.0.into())
            .await?;
        Ok(Json(t.into()))
    }
}
