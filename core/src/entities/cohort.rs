use sea_orm::entity::prelude::*;

/// A facilitated run of a published course.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cohorts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub course_id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    /// JSON object: locale -> title.
    pub titles: Json,
    /// JSON object: locale -> description (Markdown).
    pub descriptions: Json,
    pub starts_on: TimeDate,
    pub ends_on: TimeDate,
    pub capacity_organisations: i32,
    pub capacity_people: i32,
    /// `open`, `application` or `invitation`.
    pub admission: String,
    /// JSON list of locales.
    pub locales: Json,
    /// `draft`, `open` or `closed`.
    pub status: String,
    pub created_by: Option<Uuid>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
    /// JSON completion rule, see `cohorts::Completion`.
    pub completion: Option<Json>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
