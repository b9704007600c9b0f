use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lessons")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub course_id: Uuid,
    pub module_id: Uuid,
    pub key: String,
    pub position: i32,
    pub kind: String,
    pub duration_minutes: i32,
    pub video_url: Option<String>,
    pub resource_file: Option<String>,
    pub passing_score: Option<i32>,
    pub max_attempts: Option<i32>,
    pub removed: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
