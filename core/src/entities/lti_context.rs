use sea_orm::entity::prelude::*;

/// An LMS context (course) Agora was launched from, with the roster
/// (NRPS) address the platform sent for it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lti_contexts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub platform_id: Uuid,
    pub deployment_id: String,
    pub context_id: String,
    pub title: Option<String>,
    pub memberships_url: Option<String>,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
