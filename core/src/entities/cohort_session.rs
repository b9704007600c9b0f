use sea_orm::entity::prelude::*;

/// A live session of a cohort; times in UTC.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cohort_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cohort_id: Uuid,
    pub title: String,
    /// Markdown.
    pub agenda: String,
    pub starts_at: TimeDateTimeWithTimeZone,
    pub ends_at: TimeDateTimeWithTimeZone,
    pub join_url: Option<String>,
    /// JSON list of lesson keys.
    pub preparation: Json,
    /// iCalendar `SEQUENCE`.
    pub sequence: i32,
    pub cancelled: bool,
    pub notes: Option<String>,
    pub recording_url: Option<String>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
