//! Where each member's work stands, assignment by assignment: an
//! organisation-scope assignment answers the organisation's submission;
//! past due without a submission is overdue.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use time::OffsetDateTime;
use uuid::Uuid;

use super::work::{SubmissionStatus, owner_of};
use crate::{
    Result,
    entities::{cohort, cohort_assignment, cohort_member, cohort_submission},
};

/// Where one member's (or organisation's) work for one assignment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkState {
    NotSubmitted,
    Submitted,
    Late,
    NeedsRevision,
    Accepted,
}

impl WorkState {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkState::NotSubmitted => "not_submitted",
            WorkState::Submitted => "submitted",
            WorkState::Late => "late",
            WorkState::NeedsRevision => "needs_revision",
            WorkState::Accepted => "accepted",
        }
    }

    /// A submission's state: late only while it awaits feedback.
    pub fn of(status: &str, late: bool) -> WorkState {
        match SubmissionStatus::parse(status) {
            Some(SubmissionStatus::Accepted) => WorkState::Accepted,
            Some(SubmissionStatus::NeedsRevision) => WorkState::NeedsRevision,
            _ if late => WorkState::Late,
            _ => WorkState::Submitted,
        }
    }
}

/// The state of one assignment for one member or organisation.
#[derive(Clone, Debug)]
pub struct AssignmentState {
    pub assignment_id: Uuid,
    pub assignment: String,
    /// `individual` or `organisation`.
    pub scope: String,
    pub state: WorkState,
    /// Past due and not submitted.
    pub overdue: bool,
}

/// Each member's state of each of the cohort's assignments, in the
/// cohort's order; an organisation-scope assignment answers the
/// organisation's submission.
pub(super) async fn assignment_states(
    db: &impl ConnectionTrait,
    cohort: &cohort::Model,
    members: &[cohort_member::Model],
    at: OffsetDateTime,
) -> Result<HashMap<Uuid, Vec<AssignmentState>>> {
    let assignments = cohort_assignment::Entity::find()
        .filter(cohort_assignment::Column::CohortId.eq(cohort.id))
        .order_by_asc(cohort_assignment::Column::Position)
        .all(db)
        .await?;
    let mut out: HashMap<Uuid, Vec<AssignmentState>> = HashMap::new();
    if assignments.is_empty() {
        return Ok(out);
    }
    let ids: Vec<Uuid> = assignments.iter().map(|a| a.id).collect();
    let submissions: HashMap<(Uuid, String), WorkState> = cohort_submission::Entity::find()
        .filter(cohort_submission::Column::AssignmentId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|s| ((s.assignment_id, s.owner), WorkState::of(&s.status, s.late)))
        .collect();
    for m in members {
        let states = assignments
            .iter()
            .map(|a| {
                let state = submissions
                    .get(&(a.id, owner_of(a, m)))
                    .copied()
                    .unwrap_or(WorkState::NotSubmitted);
                AssignmentState {
                    assignment_id: a.id,
                    assignment: a.title.clone(),
                    scope: a.scope.clone(),
                    state,
                    overdue: state == WorkState::NotSubmitted && a.due_at <= at,
                }
            })
            .collect();
        out.insert(m.user_id, states);
    }
    Ok(out)
}
