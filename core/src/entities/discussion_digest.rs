use sea_orm::entity::prelude::*;

/// A digest that went out (or had nothing to say): one per person,
/// cadence and period.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "discussion_digests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    /// `daily` or `weekly`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub cadence: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub period: i64,
    pub window_start: TimeDateTimeWithTimeZone,
    pub window_end: TimeDateTimeWithTimeZone,
    pub items: i32,
    pub sent_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
