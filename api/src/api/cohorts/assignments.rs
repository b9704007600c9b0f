//! Assignments of a cohort and their rubrics.

use agora_core::cohorts::{AssignmentInput, AssignmentView, Criterion, Level};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{ApiTags, NoContent, uuid_of};
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct CohortAssignmentsApi;

/// One level of a criterion, from low to high points.
#[derive(Object)]
#[oai(rename = "RubricLevel")]
pub(super) struct RubricLevel {
    points: i32,
    title: String,
    description: String,
}

/// A criterion of a rubric, with its levels.
#[derive(Object)]
#[oai(rename = "RubricCriterion")]
pub(super) struct RubricCriterion {
    /// Stable id within the assignment: lowercase a-z, 0-9 and hyphens.
    key: String,
    criterion: String,
    levels: Vec<RubricLevel>,
}

impl From<Criterion> for RubricCriterion {
    fn from(c: Criterion) -> Self {
        RubricCriterion {
            key: c.key,
            criterion: c.criterion,
            levels: c
                .levels
                .into_iter()
                .map(|l| RubricLevel {
                    points: l.points,
                    title: l.title,
                    description: l.description,
                })
                .collect(),
        }
    }
}

impl From<RubricCriterion> for Criterion {
    fn from(c: RubricCriterion) -> Self {
        Criterion {
            key: c.key,
            criterion: c.criterion,
            levels: c
                .levels
                .into_iter()
                .map(|l| Level {
                    points: l.points,
                    title: l.title,
                    description: l.description,
                })
                .collect(),
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(rename = "CohortAssignment")]
pub(super) struct Assignment {
    id: Uuid,
    key: Option<String>,
    title: String,
    /// Markdown.
    instructions: String,
    /// The instructions as sanitised HTML.
    instructions_html: String,
    /// UTC.
    due_at: OffsetDateTime,
    /// The module of the course it follows.
    module_key: Option<String>,
    /// `individual`, or `organisation` (one submission per organisation).
    scope: String,
    /// Peer reviews each submission gets (0 to 5).
    peer_reviews: i32,
    /// Peers never review their own organisation's work.
    exclude_own_organisation: bool,
    rubric: Vec<RubricCriterion>,
}

impl From<AssignmentView> for Assignment {
    fn from(a: AssignmentView) -> Self {
        Assignment {
            id: a.id,
            key: a.key,
            title: a.title,
            instructions: a.instructions,
            instructions_html: a.instructions_html,
            due_at: a.due_at,
            module_key: a.module_key,
            scope: a.scope,
            peer_reviews: a.peer_reviews,
            exclude_own_organisation: a.exclude_own_organisation,
            rubric: a.rubric.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(rename = "CohortAssignmentBody")]
struct AssignmentBody {
    /// A stable id, unique in the cohort.
    key: Option<String>,
    title: String,
    /// Markdown.
    #[oai(default)]
    instructions: String,
    /// RFC 3339; stored in UTC.
    due_at: OffsetDateTime,
    module_key: Option<String>,
    /// `individual` or `organisation`.
    scope: String,
    #[oai(default)]
    peer_reviews: i32,
    /// Always true for organisation submissions.
    #[oai(default)]
    exclude_own_organisation: bool,
    rubric: Vec<RubricCriterion>,
}

impl From<AssignmentBody> for AssignmentInput {
    fn from(b: AssignmentBody) -> Self {
        AssignmentInput {
            key: b.key,
            title: b.title,
            instructions: b.instructions,
            due_at: b.due_at,
            module_key: b.module_key,
            scope: b.scope,
            peer_reviews: b.peer_reviews,
            exclude_own_organisation: b.exclude_own_organisation,
            rubric: b.rubric.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(ApiResponse)]
enum AssignmentCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<Assignment>),
}

#[OpenApi(tag = "ApiTags::CohortAssignments")]
impl CohortAssignmentsApi {
    /// The cohort's assignments, by due date (the cohort's people)
    #[oai(
        path = "/cohorts/:cohort/assignments",
        method = "get",
        operation_id = "list_cohort_assignments"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
    ) -> Result<Json<Vec<Assignment>>, ApiError> {
        let list = state
            .cohorts
            .assignments(Some(auth.principal()), &cohort)
            .await?;
        Ok(Json(list.into_iter().map(Assignment::from).collect()))
    }

    /// Set an assignment (those who run the cohort)
    #[oai(
        path = "/cohorts/:cohort/assignments",
        method = "post",
        operation_id = "create_cohort_assignment"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        body: Json<AssignmentBody>,
    ) -> Result<AssignmentCreated, ApiError> {
        let a = state
            .cohorts
            .create_assignment(Some(auth.principal()), &cohort, body.0.into())
            .await?;
        Ok(AssignmentCreated::Created(Json(a.into())))
    }

    /// One assignment with its rubric (the cohort's people)
    #[oai(
        path = "/cohorts/:cohort/assignments/:assignment",
        method = "get",
        operation_id = "get_cohort_assignment"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        assignment: Path<String>,
    ) -> Result<Json<Assignment>, ApiError> {
        let id = uuid_of(&assignment, "assignment")?;
        let a = state
            .cohorts
            .assignment(Some(auth.principal()), &cohort, id)
            .await?;
        Ok(Json(a.into()))
    }

    /// Change an assignment (those who run the cohort)
    #[oai(
        path = "/cohorts/:cohort/assignments/:assignment",
        method = "put",
        operation_id = "update_cohort_assignment"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        assignment: Path<String>,
        body: Json<AssignmentBody>,
    ) -> Result<Json<Assignment>, ApiError> {
        let id = uuid_of(&assignment, "assignment")?;
        let a = state
            .cohorts
            .update_assignment(Some(auth.principal()), &cohort, id, body.0.into())
            .await?;
        Ok(Json(a.into()))
    }

    /// Remove an assignment nobody has handed work in for
    #[oai(
        path = "/cohorts/:cohort/assignments/:assignment",
        method = "delete",
        operation_id = "delete_cohort_assignment"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        assignment: Path<String>,
    ) -> Result<NoContent, ApiError> {
        let id = uuid_of(&assignment, "assignment")?;
        state
            .cohorts
            .delete_assignment(Some(auth.principal()), &cohort, id)
            .await?;
        Ok(NoContent::Done)
    }
}
