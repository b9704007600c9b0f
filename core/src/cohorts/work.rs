//! What a piece of work is, for every cohort module that handles it: whom
//! it belongs to, its status, its files.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    Result,
    entities::{cohort_assignment, cohort_member, cohort_submission_file},
};

/// `submitted`, `needs_revision` or `accepted`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubmissionStatus {
    Submitted,
    NeedsRevision,
    Accepted,
}

impl SubmissionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionStatus::Submitted => "submitted",
            SubmissionStatus::NeedsRevision => "needs_revision",
            SubmissionStatus::Accepted => "accepted",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "submitted" => Some(SubmissionStatus::Submitted),
            "needs_revision" => Some(SubmissionStatus::NeedsRevision),
            "accepted" => Some(SubmissionStatus::Accepted),
            _ => None,
        }
    }
}

/// Who a submission belongs to: the member, or their organisation.
pub(super) fn owner_of(a: &cohort_assignment::Model, m: &cohort_member::Model) -> String {
    if a.scope == super::Scope::Organisation.as_str() {
        format!("organisation:{}", m.organisation_id)
    } else {
        format!("user:{}", m.user_id)
    }
}

pub(super) async fn files_of(
    db: &impl ConnectionTrait,
    submission: Uuid,
) -> Result<Vec<cohort_submission_file::Model>> {
    Ok(cohort_submission_file::Entity::find()
        .filter(cohort_submission_file::Column::SubmissionId.eq(submission))
        .order_by_asc(cohort_submission_file::Column::Position)
        .all(db)
        .await?)
}
