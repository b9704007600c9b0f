//! Translations: per locale, which texts of the draft are missing or older
//! than their source in the default locale. "Older" compares the draft
//! revisions that last changed each file, never clocks: two saves in the
//! same millisecond are still two revisions.

use std::collections::BTreeMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::Authoring;
use crate::{Result, accounts::Principal, domain::Locale, entities::draft_file};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranslationItem {
    pub path: String,
    pub source_path: String,
    /// `missing`, `outdated` (older than its source) or `current`.
    pub state: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
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
        let revisions: BTreeMap<String, i64> = draft_file::Entity::find()
            .select_only()
            .columns([draft_file::Column::Path, draft_file::Column::Revision])
            .filter(draft_file::Column::CourseId.eq(c.id))
            .into_tuple::<(String, i64)>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        let default: Locale = c.default_locale.parse().unwrap_or(Locale::En);
        Ok(translation_status(default, &revisions))
    }
}

/// The state of each text of the default locale (resources aside) in every
/// locale, from the revision that last changed each file of the draft.
pub(crate) fn translation_status(
    default: Locale,
    revisions: &BTreeMap<String, i64>,
) -> Vec<TranslationStatus> {
    let prefix = format!("{default}/");
    let sources: Vec<(&str, &str, i64)> = revisions
        .iter()
        .filter_map(|(path, &rev)| {
            let rest = path.strip_prefix(&prefix)?;
            (!rest.starts_with("resources/")).then_some((path.as_str(), rest, rev))
        })
        .collect();
    Locale::ALL
        .iter()
        .map(|&locale| TranslationStatus {
            locale,
            is_default: locale == default,
            items: sources
                .iter()
                .map(|&(source_path, rest, source_revision)| {
                    let path = format!("{locale}/{rest}");
                    let state = if locale == default {
                        "current"
                    } else {
                        text_state(revisions.get(&path).copied(), source_revision)
                    };
                    TranslationItem {
                        source_path: source_path.to_owned(),
                        path,
                        state,
                    }
                })
                .collect(),
        })
        .collect()
}

/// A translation is missing, or outdated when its source changed in a later
/// revision than it did; changed in the same save, it is current.
fn text_state(translation: Option<i64>, source: i64) -> &'static str {
    match translation {
        None => "missing",
        Some(t) if t < source => "outdated",
        Some(_) => "current",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(files: &[(&str, i64)]) -> BTreeMap<(Locale, String), &'static str> {
        let revisions = files.iter().map(|(p, r)| ((*p).to_owned(), *r)).collect();
        translation_status(Locale::En, &revisions)
            .into_iter()
            .flat_map(|s| {
                s.items
                    .into_iter()
                    .map(move |i| ((s.locale, i.path), i.state))
            })
            .collect()
    }

    #[test]
    fn a_text_is_missing_outdated_or_current() {
        assert_eq!(text_state(None, 3), "missing");
        assert_eq!(text_state(Some(2), 3), "outdated");
        assert_eq!(text_state(Some(3), 3), "current");
        assert_eq!(text_state(Some(4), 3), "current");
    }

    #[test]
    fn translations_compare_revisions_per_file() {
        let s = status(&[
            ("course.yaml", 1),
            ("en/meta.yaml", 1),
            ("en/intro.md", 5),
            ("en/quiz.yaml", 2),
            ("en/resources/sheet.pdf", 9),
            ("fr/meta.yaml", 1),
            ("fr/intro.md", 4),
            ("fr/quiz.yaml", 2),
        ]);
        let fr = |p: &str| s[&(Locale::Fr, format!("fr/{p}"))];
        assert_eq!(fr("meta.yaml"), "current");
        assert_eq!(fr("intro.md"), "outdated");
        assert_eq!(fr("quiz.yaml"), "current");
        assert_eq!(s[&(Locale::Es, "es/intro.md".into())], "missing");
        // The default locale is its own source; resources are not texts.
        assert_eq!(s[&(Locale::En, "en/intro.md".into())], "current");
        assert!(!s.keys().any(|(_, p)| p.contains("resources/")));
        assert!(!s.keys().any(|(_, p)| p == "course.yaml"));
    }
}
