use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub email: String,
    pub email_verified_at: Option<TimeDateTimeWithTimeZone>,
    pub password_hash: String,
    pub display_name: String,
    pub locale: String,
    pub role: String,
    pub reminders_opt_out: bool,
    pub unsubscribe_token: Option<String>,
    /// IANA time zone name, e.g. `Europe/Paris`.
    pub time_zone: Option<String>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
