//! Translations: per locale, which texts of the draft are missing or older
//! than their source in the default locale.

use std::collections::BTreeMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use time::OffsetDateTime;

use super::Authoring;
use crate::{Result, accounts::Principal, domain::Locale, entities::draft_file};

#[derive(Clone, Debug)]
pub struct TranslationItem {
    pub path: String,
    pub source_path: String,
    /// `missing`, `outdated` (older than its source) or `current`.
    pub state: &'static str,
}

#[derive(Clone, Debug)]
pub struct TranslationStatus {
    pub locale: Locale,
    pub is_default: bool,
    pub items: Vec<TranslationItem>,
}

impl Authoring {
    /// Per locale, which texts are missing or older than their source in the
    /// default locale.
    pub async fn translations(
        &self,
        who: &Principal,
        slug: &str,
    ) -> Result<Vec<TranslationStatus>> {
        let (c, _) = self.access(who, slug).await?;
        self.ensure_draft(&c).await?;
        let rows = draft_file::Entity::find()
            .filter(draft_file::Column::CourseId.eq(c.id))
            .all(&self.db)
            .await?;
        let default: Locale = c.default_locale.parse().unwrap_or(Locale::En);
        let when: BTreeMap<&str, OffsetDateTime> = rows
            .iter()
            .map(|r| (r.path.as_str(), r.updated_at))
            .collect();
        let prefix = format!("{default}/");
        let sources: Vec<(&str, &str)> = rows
            .iter()
            .filter_map(|r| {
                r.path
                    .strip_prefix(&prefix)
                    .map(|rest| (r.path.as_str(), rest))
            })
            .filter(|(_, rest)| !rest.starts_with("resources/"))
            .collect();
        Ok(Locale::ALL
            .iter()
            .map(|&locale| TranslationStatus {
                locale,
                is_default: locale == default,
                items: sources
                    .iter()
                    .map(|(source_path, rest)| {
                        let path = format!("{locale}/{rest}");
                        let state = match when.get(path.as_str()) {
                            _ if locale == default => "current",
                            None => "missing",
                            Some(t) if *t < when[source_path] => "outdated",
                            Some(_) => "current",
                        };
                        TranslationItem {
                            source_path: (*source_path).to_owned(),
                            path,
                            state,
                        }
                    })
                    .collect(),
            })
            .collect())
    }
}
