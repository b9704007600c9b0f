use sea_orm::entity::prelude::*;

/// An assignment of a cohort, with its rubric.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cohort_assignments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cohort_id: Uuid,
    pub key: Option<String>,
    pub position: i32,
    pub title: String,
    /// Markdown.
    pub instructions: String,
    pub due_at: TimeDateTimeWithTimeZone,
    pub module_key: Option<String>,
    /// `individual` or `organisation`.
    pub scope: String,
    pub peer_reviews: i32,
    pub exclude_own_organisation: bool,
    /// JSON list of criteria, see `cohorts::Criterion`.
    pub rubric: Json,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
