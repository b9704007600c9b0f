use sea_orm::entity::prelude::*;

/// One organisation's application to a cohort.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cohort_applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cohort_id: Uuid,
    pub organisation_id: Uuid,
    pub applicant_id: Uuid,
    /// JSON list of `{question, answer}`.
    pub answers: Json,
    /// `pending`, `accepted`, `waitlisted` or `declined`.
    pub state: String,
    pub message: Option<String>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<TimeDateTimeWithTimeZone>,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
