use sea_orm::entity::prelude::*;

/// A member's (or an organisation's) work for an assignment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cohort_submissions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub assignment_id: Uuid,
    /// `user:<id>` or `organisation:<id>`; unique per assignment.
    pub owner: String,
    pub author_id: Uuid,
    pub organisation_id: Option<Uuid>,
    /// Markdown.
    pub body: String,
    /// `submitted`, `needs_revision` or `accepted`.
    pub status: String,
    pub revision: i32,
    pub submitted_at: TimeDateTimeWithTimeZone,
    pub late: bool,
    /// JSON feedback, see `cohorts::Assessment`.
    pub feedback: Option<Json>,
    pub feedback_by: Option<Uuid>,
    pub feedback_at: Option<TimeDateTimeWithTimeZone>,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
