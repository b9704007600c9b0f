//! A partner's curated collections: a list of courses, or a rule that
//! picks published courses by theme, language and level.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Partners, json_strings, now, parse_name, parse_slug};
use crate::{
    Error, Result,
    domain::{Level, Locale, Slug, Theme},
    entities::partner_collection,
};

const MAX_COLLECTION_COURSES: usize = 200;

/// Where a collection's courses come from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// These courses, in this order (unpublished ones are skipped).
    Courses(Vec<Slug>),
    /// Every published course that matches each non-empty list; new courses
    /// appear as they are published.
    Rule {
        themes: Vec<Theme>,
        languages: Vec<Locale>,
        levels: Vec<Level>,
    },
}

#[derive(Clone, Debug)]
pub struct Collection {
    pub slug: String,
    pub title: String,
    pub source: Source,
    pub updated_at: OffsetDateTime,
}

impl TryFrom<partner_collection::Model> for Collection {
    type Error = Error;
    fn try_from(c: partner_collection::Model) -> Result<Self> {
        let stored = |e: String| Error::Internal(format!("stored collection is invalid: {e}"));
        let courses = json_strings(&c.course_slugs);
        let source = if courses.is_empty() {
            Source::Rule {
                themes: json_strings(&c.rule_themes)
                    .iter()
                    .map(|t| t.parse())
                    .collect::<std::result::Result<_, _>>()
                    .map_err(stored)?,
                languages: json_strings(&c.rule_languages)
                    .iter()
                    .map(|t| t.parse())
                    .collect::<std::result::Result<_, _>>()
                    .map_err(stored)?,
                levels: json_strings(&c.rule_levels)
                    .iter()
                    .map(|t| t.parse())
                    .collect::<std::result::Result<_, _>>()
                    .map_err(stored)?,
            }
        } else {
            Source::Courses(
                courses
                    .iter()
                    .map(|s| Slug::parse(s))
                    .collect::<std::result::Result<_, _>>()
                    .map_err(stored)?,
            )
        };
        Ok(Collection {
            slug: c.slug,
            title: c.title,
            source,
            updated_at: c.updated_at,
        })
    }
}

impl Partners {
    /// Creates or replaces a collection; `true` when it is new.
    pub async fn put_collection(
        &self,
        partner_slug: &str,
        slug: &str,
        title: &str,
        source: Source,
    ) -> Result<bool> {
        let p = self.get(partner_slug).await?;
        let slug = parse_slug("slug", slug)?;
        let title = parse_name("title", title, 200)?;
        let strings = |v: Vec<String>| serde_json::json!(v);
        let (courses, themes, languages, levels) = match source {
            Source::Courses(c) => {
                if c.is_empty() || c.len() > MAX_COLLECTION_COURSES {
                    return Err(Error::invalid(
                        "courses",
                        format!("list 1 to {MAX_COLLECTION_COURSES} courses, or give a rule"),
                    ));
                }
                let mut seen: Vec<String> = Vec::new();
                for s in c {
                    if !seen.contains(&s.to_string()) {
                        seen.push(s.to_string());
                    }
                }
                (seen, vec![], vec![], vec![])
            }
            Source::Rule {
                themes,
                languages,
                levels,
            } => {
                if themes.len() > 20 {
                    return Err(Error::invalid("rule.themes", "at most 20 themes"));
                }
                (
                    vec![],
                    themes.iter().map(|t| t.to_string()).collect(),
                    languages.iter().map(|l| l.to_string()).collect(),
                    levels.iter().map(|l| l.to_string()).collect(),
                )
            }
        };
        let existing = partner_collection::Entity::find()
            .filter(partner_collection::Column::PartnerId.eq(p.id))
            .filter(partner_collection::Column::Slug.eq(slug.as_str()))
            .one(&self.db)
            .await?;
        let at = now();
        let created = existing.is_none();
        let mut model = partner_collection::ActiveModel {
            title: Set(title),
            course_slugs: Set(strings(courses)),
            rule_themes: Set(strings(themes)),
            rule_languages: Set(strings(languages)),
            rule_levels: Set(strings(levels)),
            updated_at: Set(at),
            ..Default::default()
        };
        match existing {
            Some(e) => {
                model.id = Set(e.id);
                model.update(&self.db).await?;
            }
            None => {
                model.id = Set(Uuid::new_v4());
                model.partner_id = Set(p.id);
                model.slug = Set(slug.to_string());
                model.created_at = Set(at);
                model
                    .insert(&self.db)
                    .await
                    .map_err(|e| match e.sql_err() {
                        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Error::Conflict {
                            field: "slug".into(),
                            reason: "the collection was created at the same time".into(),
                        },
                        _ => e.into(),
                    })?;
            }
        }
        self.forget_listings();
        Ok(created)
    }

    pub async fn delete_collection(&self, partner_slug: &str, slug: &str) -> Result<()> {
        let p = self.get(partner_slug).await?;
        let res = partner_collection::Entity::delete_many()
            .filter(partner_collection::Column::PartnerId.eq(p.id))
            .filter(partner_collection::Column::Slug.eq(slug))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(Error::NotFound { what: "collection" });
        }
        self.forget_listings();
        Ok(())
    }

    pub async fn collections(&self, partner_slug: &str) -> Result<Vec<Collection>> {
        let p = self.get(partner_slug).await?;
        partner_collection::Entity::find()
            .filter(partner_collection::Column::PartnerId.eq(p.id))
            .order_by_asc(partner_collection::Column::Slug)
            .all(&self.db)
            .await?
            .into_iter()
            .map(Collection::try_from)
            .collect()
    }
}
