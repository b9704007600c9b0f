use sea_orm::entity::prelude::*;

/// A cohort's falling-behind rules for the facilitator dashboard.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cohort_behind_rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub cohort_id: Uuid,
    /// Behind after this many days without course activity.
    pub inactive_days: i32,
    /// Behind after this many recorded absences.
    pub missed_sessions: i32,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
