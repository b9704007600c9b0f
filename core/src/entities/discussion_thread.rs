use sea_orm::entity::prelude::*;

/// A thread of a discussion space; its body is its opening post.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "discussion_threads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub space_id: Uuid,
    /// The lesson a course space's thread is about.
    pub lesson_key: Option<String>,
    pub author_id: Option<Uuid>,
    pub title: String,
    pub question: bool,
    pub answer_post_id: Option<Uuid>,
    pub locked: bool,
    /// Visible replies (every post but the opening one).
    pub reply_count: i32,
    /// "Helpful" reactions on all its posts.
    pub helpful_count: i32,
    pub last_activity_at: TimeDateTimeWithTimeZone,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
