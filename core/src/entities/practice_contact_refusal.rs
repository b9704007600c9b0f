use sea_orm::entity::prelude::*;

/// A recipient refused further messages from a sender.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "practice_contact_refusals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub recipient_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub sender_id: Uuid,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
