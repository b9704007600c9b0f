use sea_orm::entity::prelude::*;

/// Someone's report of a post, with one of the fixed reasons.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "discussion_reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub post_id: Uuid,
    pub space_id: Uuid,
    pub reporter_id: Uuid,
    pub reason: String,
    pub note: Option<String>,
    /// `open`, `dismissed` or `resolved`.
    pub status: String,
    /// `Some(true)` while open, else `None` (one open report per person).
    pub open_key: Option<bool>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub closed_at: Option<TimeDateTimeWithTimeZone>,
    pub closed_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
