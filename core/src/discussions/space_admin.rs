//! The admins' form for network-wide (community) spaces: slug, and title
//! and description in each language. Creating and editing are entries of
//! the space's moderation log.

use std::collections::BTreeMap;

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};

use super::{
    Discussions, MAX_TITLE, SpaceView,
    access::{COMMUNITY, access_of},
    moderation::audit,
    not_found, now,
};
use crate::{
    Error, Result,
    accounts::{Principal, Role, require_signed_in},
    domain::{Locale, Slug},
    entities::discussion_space,
};

/// The longest description, in characters.
pub const MAX_DESCRIPTION: usize = 2000;

/// What the form holds.
#[derive(Clone, Debug, Default)]
pub struct SpaceInput {
    pub slug: String,
    /// `{locale: title}`; at least one.
    pub titles: BTreeMap<String, String>,
    /// `{locale: description}`; may be empty.
    pub descriptions: BTreeMap<String, String>,
}

fn admins_only() -> Error {
    Error::Forbidden {
        reason: "only admins create and edit community spaces",
    }
}

/// The input, trimmed and checked: blank entries dropped.
fn checked(input: &SpaceInput) -> Result<SpaceInput> {
    let slug = input.slug.trim();
    // `search` is the discussions' search page (`/discussions/search`).
    if Slug::parse(slug).is_err()
        || slug.starts_with("course-")
        || slug.starts_with("cohort-")
        || slug == "search"
    {
        return Err(Error::invalid(
            "slug",
            "lower-case letters, digits and dashes, not starting with course- or cohort-, and not search",
        ));
    }
    let clean = |m: &BTreeMap<String, String>, field: &str, max: usize| {
        let mut out = BTreeMap::new();
        for (l, t) in m {
            let t = t.trim();
            if l.parse::<Locale>().is_err() || t.chars().count() > max {
                return Err(Error::invalid(
                    field,
                    format!("at most {max} characters, in en, fr or es"),
                ));
            }
            if !t.is_empty() {
                out.insert(l.clone(), t.to_owned());
            }
        }
        Ok(out)
    };
    let titles = clean(&input.titles, "titles", MAX_TITLE)?;
    if titles.is_empty() {
        return Err(Error::invalid(
            "titles",
            format!("give a title of 1 to {MAX_TITLE} characters in en, fr or es"),
        ));
    }
    Ok(SpaceInput {
        slug: slug.to_owned(),
        titles,
        descriptions: clean(&input.descriptions, "descriptions", MAX_DESCRIPTION)?,
    })
}

impl Discussions {
    /// Creates (`slug` `None`) or edits the community space named `slug`.
    pub async fn save_community_space(
        &self,
        who: Option<&Principal>,
        slug: Option<&str>,
        input: &SpaceInput,
        locale: Locale,
    ) -> Result<SpaceView> {
        let who = require_signed_in(who)?;
        if who.role != Role::Admin {
            return Err(admins_only());
        }
        let existing = match slug {
            None => None,
            Some(s) => Some(
                discussion_space::Entity::find()
                    .filter(discussion_space::Column::Slug.eq(s))
                    .filter(discussion_space::Column::Kind.eq(COMMUNITY))
                    .one(&self.db)
                    .await?
                    .ok_or_else(|| not_found("discussion space"))?,
            ),
        };
        let input = checked(input)?;
        let taken = discussion_space::Entity::find()
            .filter(discussion_space::Column::Slug.eq(input.slug.as_str()))
            .one(&self.db)
            .await?
            .is_some_and(|s| Some(s.id) != existing.as_ref().map(|e| e.id));
        if taken {
            return Err(Error::Conflict {
                field: "slug".into(),
                reason: "a space has this slug".into(),
            });
        }
        let titles = serde_json::to_value(&input.titles).unwrap_or_default();
        let descriptions = serde_json::to_value(&input.descriptions).ok();
        let txn = crate::db::begin_write(&self.db).await?;
        let (s, action) = match existing {
            None => (
                discussion_space::ActiveModel {
                    id: Set(uuid::Uuid::new_v4()),
                    slug: Set(input.slug.clone()),
                    kind: Set(COMMUNITY.into()),
                    course_id: Set(None),
                    cohort_id: Set(None),
                    titles: Set(titles),
                    descriptions: Set(descriptions),
                    created_at: Set(now()),
                }
                .insert(&txn)
                .await?,
                "discussion.space_create",
            ),
            Some(e) => {
                let mut row = e.into_active_model();
                row.slug = Set(input.slug.clone());
                row.titles = Set(titles);
                row.descriptions = Set(descriptions);
                (row.update(&txn).await?, "discussion.space_edit")
            }
        };
        audit(
            &txn,
            who.user_id,
            &s,
            action,
            serde_json::json!({ "slug": s.slug }),
        )
        .await?;
        txn.commit().await?;
        self.changed();
        let a = access_of(&self.db, &s, who.user_id, who.role).await?;
        self.space_view(&s, a, who.user_id, locale).await
    }

    /// A community space's form, filled (admins).
    pub async fn community_space_input(
        &self,
        who: Option<&Principal>,
        slug: &str,
    ) -> Result<SpaceInput> {
        let who = require_signed_in(who)?;
        if who.role != Role::Admin {
            return Err(admins_only());
        }
        let s = discussion_space::Entity::find()
            .filter(discussion_space::Column::Slug.eq(slug))
            .filter(discussion_space::Column::Kind.eq(COMMUNITY))
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found("discussion space"))?;
        Ok(SpaceInput {
            slug: s.slug,
            titles: serde_json::from_value(s.titles).unwrap_or_default(),
            descriptions: s
                .descriptions
                .and_then(|d| serde_json::from_value(d).ok())
                .unwrap_or_default(),
        })
    }
}
