//! Writing practices (members of an organisation) and reviewing them.

use agora_core::practices::Decision;
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Path, payload::Json};
use time::OffsetDateTime;

use super::{ApiTags, Input, Record};
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct PracticeSubmissionsApi;

/// A practice in your list, or in the reviewers' queue.
#[derive(Object)]
#[oai(rename = "PracticeSubmission")]
struct Submission {
    slug: String,
    title: String,
    city: String,
    status: String,
    organisation_name: String,
    updated_at: OffsetDateTime,
}

/// A reviewer's decision.
#[derive(Object)]
#[oai(rename = "PracticeReview")]
struct Review {
    /// `request_changes` (a note is required), `publish` or `unpublish`.
    #[oai(validator(pattern = "^(request_changes|publish|unpublish)$"))]
    decision: String,
    /// Shown to the practice's authors.
    note: Option<String>,
}

#[OpenApi(tag = "ApiTags::Practices")]
impl PracticeSubmissionsApi {
    /// Your organisation's practices and, for reviewers, every one submitted
    #[oai(
        path = "/practice-submissions",
        method = "get",
        operation_id = "list_practice_submissions"
    )]
    async fn submissions(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<Submission>>, ApiError> {
        let list = state.practices.submissions(Some(auth.principal())).await?;
        Ok(Json(
            list.into_iter()
                .map(|s| Submission {
                    slug: s.slug,
                    title: s.title,
                    city: s.city,
                    status: s.status,
                    organisation_name: s.organisation_name,
                    updated_at: s.updated_at,
                })
                .collect(),
        ))
    }

    /// A practice with its review state (its authors, its organisation, reviewers)
    #[oai(
        path = "/practices/:slug/draft",
        method = "get",
        operation_id = "get_practice_draft"
    )]
    async fn draft(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
    ) -> Result<Json<Record>, ApiError> {
        let r = state
            .practices
            .record(Some(auth.principal()), &slug)
            .await?;
        Ok(Json(r.into()))
    }

    /// Save a practice (its author or organisation's administrators, while not published)
    #[oai(
        path = "/practices/:slug/draft",
        method = "put",
        operation_id = "update_practice_draft"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        body: Json<Input>,
    ) -> Result<Json<Record>, ApiError> {
        let r = state
            .practices
            .update(Some(auth.principal()), &slug, &body.0.into())
            .await?;
        Ok(Json(r.into()))
    }

    /// Send a practice to review
    #[oai(
        path = "/practices/:slug/submission",
        method = "post",
        operation_id = "submit_practice"
    )]
    async fn submit(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
    ) -> Result<Json<Record>, ApiError> {
        let r = state
            .practices
            .submit(Some(auth.principal()), &slug)
            .await?;
        Ok(Json(r.into()))
    }

    /// Request changes, publish or unpublish (reviewers); an entry of the audit log
    #[oai(
        path = "/practices/:slug/review",
        method = "post",
        operation_id = "review_practice"
    )]
    async fn review(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        body: Json<Review>,
    ) -> Result<Json<Record>, ApiError> {
        let decision = Decision::parse(&body.decision).ok_or_else(|| {
            ApiError::from(agora_core::Error::invalid(
                "decision",
                "give request_changes, publish or unpublish",
            ))
        })?;
        let r = state
            .practices
            .review(
                Some(auth.principal()),
                &slug,
                decision,
                body.note.as_deref(),
            )
            .await?;
        Ok(Json(r.into()))
    }
}
