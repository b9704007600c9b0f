use sea_orm::entity::prelude::*;

/// A course's `cohort-template.yaml`, stored at import.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cohort_templates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub course_id: Uuid,
    pub source: String,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
