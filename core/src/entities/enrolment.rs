use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enrolments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub course_id: Uuid,
    pub status: String,
    pub enrolled_at: TimeDateTimeWithTimeZone,
    pub last_lesson_id: Option<Uuid>,
    pub last_activity_at: TimeDateTimeWithTimeZone,
    pub completed_at: Option<TimeDateTimeWithTimeZone>,
    pub progress_version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
