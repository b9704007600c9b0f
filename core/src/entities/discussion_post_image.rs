use sea_orm::entity::prelude::*;

/// An image attached to a post; `removed_at` once its author removed it
/// (kept for moderators).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "discussion_post_images")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub post_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub sha256: String,
    pub ext: String,
    pub content_type: String,
    pub size: i64,
    pub alt: String,
    pub width: i32,
    pub height: i32,
    pub created_at: TimeDateTimeWithTimeZone,
    pub removed_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
