use sea_orm::entity::prelude::*;

/// A peer's review of a submission: allocated when the submission arrives,
/// given later.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cohort_peer_reviews")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub submission_id: Uuid,
    pub assignment_id: Uuid,
    pub reviewer_id: Uuid,
    /// JSON review, see `cohorts::Assessment`.
    pub review: Option<Json>,
    pub assigned_at: TimeDateTimeWithTimeZone,
    pub submitted_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
