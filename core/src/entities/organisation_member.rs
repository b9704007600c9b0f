use sea_orm::entity::prelude::*;

/// One row per learner: a pending request or an active membership.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organisation_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub organisation_id: Uuid,
    /// `pending` or `active`.
    pub status: String,
    /// `member` or `admin`.
    pub role: String,
    /// `request`, `domain`, `invitation` or `admin`.
    pub via: String,
    pub job_title: String,
    pub department: String,
    pub hide_progress: bool,
    pub requested_at: TimeDateTimeWithTimeZone,
    pub joined_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
