use sea_orm::entity::prelude::*;

/// A city's practice in the library: one row, its words per locale in `texts`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "practices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub organisation_id: Uuid,
    pub author_id: Option<Uuid>,
    /// `draft`, `submitted`, `changes_requested`, `published` or `unpublished`.
    pub status: String,
    pub city: String,
    pub country: String,
    pub m49_region: String,
    pub m49_subregion: String,
    pub population_band: String,
    /// `["sdg:11", "sdg:11.5", "sendai:1", "sendai-target:b"]`.
    pub codes: Json,
    pub budget_range: Option<String>,
    pub started_year: Option<i32>,
    pub duration_months: Option<i32>,
    pub default_locale: String,
    /// locale -> the practice's words in it.
    pub texts: Json,
    /// `[{url, title}]`.
    pub sources: Json,
    pub contact_user_id: Option<Uuid>,
    pub review_note: Option<String>,
    /// `[{sha256, ext, name, content_type, size, alt, width, height}]`.
    pub files: Json,
    pub shipped: bool,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
    pub submitted_at: Option<TimeDateTimeWithTimeZone>,
    pub published_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
