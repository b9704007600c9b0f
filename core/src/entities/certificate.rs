use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub code: String,
    #[sea_orm(unique)]
    pub enrolment_id: Uuid,
    pub user_id: Uuid,
    pub course_id: Uuid,
    pub holder_name: String,
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
    /// The holder's organisation at issue time, when they shared their progress with it.
    pub organisation_name: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
