use sea_orm::entity::prelude::*;

/// A person's discussion mail default (absent: the documented default).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "discussion_mail_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    /// `immediate`, `daily`, `weekly` or `none`.
    pub mode: String,
    /// Mentions, replies to one's threads and answers come at once.
    pub direct: bool,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
