use sea_orm::entity::prelude::*;

/// A discussion space: a course's, a cohort's, or a network-wide one.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "discussion_spaces")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    /// `course`, `cohort` or `community`.
    pub kind: String,
    pub course_id: Option<Uuid>,
    pub cohort_id: Option<Uuid>,
    /// `{locale: title}` (community spaces).
    pub titles: Json,
    /// `{locale: description}` (community spaces).
    pub descriptions: Option<Json>,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
