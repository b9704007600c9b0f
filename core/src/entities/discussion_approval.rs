use sea_orm::entity::prelude::*;

/// A new account's post waiting for a moderator (or rejected): seen only
/// by its author and the space's moderators.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "discussion_approvals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub post_id: Uuid,
    pub thread_id: Uuid,
    pub space_id: Uuid,
    pub author_id: Option<Uuid>,
    pub opening: bool,
    /// `pending` or `rejected`.
    pub status: String,
    pub created_at: TimeDateTimeWithTimeZone,
    pub decided_at: Option<TimeDateTimeWithTimeZone>,
    pub decided_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
