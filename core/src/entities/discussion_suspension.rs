use sea_orm::entity::prelude::*;

/// Someone suspended from posting in a space (or everywhere) until a date.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "discussion_suspensions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// `None`: every space.
    pub space_id: Option<Uuid>,
    pub until: TimeDateTimeWithTimeZone,
    pub reason: String,
    pub created_by: Option<Uuid>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub lifted_at: Option<TimeDateTimeWithTimeZone>,
    pub lifted_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
