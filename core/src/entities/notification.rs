use sea_orm::entity::prelude::*;

/// An in-app notification: a reply, a mention, an answer, a new thread.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// `reply`, `mention`, `answer` or `thread`.
    pub kind: String,
    pub space_id: Uuid,
    pub thread_id: Uuid,
    pub post_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub read_at: Option<TimeDateTimeWithTimeZone>,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
