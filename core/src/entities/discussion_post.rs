use sea_orm::entity::prelude::*;

/// A post of a thread: its opening post, a reply, or a reply to a reply.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "discussion_posts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub thread_id: Uuid,
    /// The top-level post this one replies to.
    pub parent_id: Option<Uuid>,
    pub opening: bool,
    pub author_id: Option<Uuid>,
    /// Markdown.
    pub body: String,
    pub deleted: bool,
    pub hidden: bool,
    pub helpful_count: i32,
    pub created_at: TimeDateTimeWithTimeZone,
    pub edited_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
