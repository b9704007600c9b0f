use sea_orm::entity::prelude::*;

/// A certificate of completing a cohort, naming it; one per member and cohort.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cohort_certificates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub code: String,
    pub cohort_id: Uuid,
    pub user_id: Uuid,
    pub course_id: Uuid,
    pub holder_name: String,
    pub cohort_title: String,
    pub course_title: String,
    pub locale: String,
    pub duration_minutes: i32,
    pub completed_at: TimeDateTimeWithTimeZone,
    pub issued_at: TimeDateTimeWithTimeZone,
    pub storage_key: String,
    pub stored_at: Option<TimeDateTimeWithTimeZone>,
    pub revoked_at: Option<TimeDateTimeWithTimeZone>,
    #[sea_orm(column_type = "Text", nullable)]
    pub revocation_reason: Option<String>,
    pub organisation_name: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
