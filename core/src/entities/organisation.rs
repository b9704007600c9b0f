use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organisations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    /// The name in the default locale.
    pub name: String,
    /// locale -> name, for the other locales.
    pub names: Json,
    /// `municipality`, `region`, `metropolitan`, `association` or `other`.
    pub kind: String,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
    /// UN M49 region and sub-region codes, derived from the country.
    pub m49_region: String,
    pub m49_subregion: String,
    pub population_band: String,
    pub website: Option<String>,
    pub public: bool,
    pub auto_approve: bool,
    /// When a member first enrolled: the organisation joined through learning.
    pub first_enrolment_at: Option<TimeDateTimeWithTimeZone>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
