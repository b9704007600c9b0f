//! Who may author: authors and administrators, a course's owner and its
//! co-authors, and the owner's management of co-authors.

use std::collections::BTreeMap;

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
use uuid::Uuid;

use super::{Access, AuthorInfo, AuthorRole, Authoring, CourseListItem, invalid, now};
use crate::{
    Error, Result,
    accounts::{Principal, Role},
    domain::CourseStatus,
    entities::{course, course_author, course_draft, course_translation, user},
};

impl Authoring {
    pub(super) fn require_author(who: &Principal) -> Result<()> {
        match who.role {
            Role::Author | Role::Admin => Ok(()),
            Role::Learner => Err(Error::Forbidden {
                reason: "only authors and administrators may author courses",
            }),
        }
    }

    /// The course and what the caller may do with it.
    pub async fn access(&self, who: &Principal, slug: &str) -> Result<(course::Model, Access)> {
        Self::require_author(who)?;
        let c = course::Entity::find()
            .filter(course::Column::Slug.eq(slug))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "course" })?;
        if who.role == Role::Admin {
            return Ok((c, Access::Admin));
        }
        let row = course_author::Entity::find_by_id((c.id, who.user_id))
            .one(&self.db)
            .await?;
        match row.map(|r| r.role) {
            Some(r) if r == AuthorRole::Owner.as_str() => Ok((c, Access::Owner)),
            Some(_) => Ok((c, Access::CoAuthor)),
            None => Err(Error::Forbidden {
                reason: "you are not an author of this course",
            }),
        }
    }
    /// The courses the caller may edit (every course for an admin).
    pub async fn courses(&self, who: &Principal) -> Result<Vec<CourseListItem>> {
        Self::require_author(who)?;
        let mut q = course::Entity::find().order_by_asc(course::Column::Slug);
        let mut roles: BTreeMap<Uuid, Access> = BTreeMap::new();
        if who.role != Role::Admin {
            for r in course_author::Entity::find()
                .filter(course_author::Column::UserId.eq(who.user_id))
                .all(&self.db)
                .await?
            {
                let a = if r.role == AuthorRole::Owner.as_str() {
                    Access::Owner
                } else {
                    Access::CoAuthor
                };
                roles.insert(r.course_id, a);
            }
            q = q.filter(course::Column::Id.is_in(roles.keys().copied().collect::<Vec<_>>()));
        }
        let courses = q.all(&self.db).await?;
        let drafts: BTreeMap<Uuid, course_draft::Model> = course_draft::Entity::find()
            .filter(course_draft::Column::CourseId.is_in(courses.iter().map(|c| c.id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|d| (d.course_id, d))
            .collect();
        let mut out = Vec::new();
        for c in courses {
            let title = self.title(&c).await?;
            let d = drafts.get(&c.id);
            out.push(CourseListItem {
                title,
                status: c.status.parse().unwrap_or(CourseStatus::Draft),
                access: roles.get(&c.id).copied().unwrap_or(Access::Admin),
                revision: d.map(|d| d.revision).unwrap_or(0),
                updated_at: d.map(|d| d.updated_at).unwrap_or(c.updated_at),
                slug: c.slug,
            });
        }
        Ok(out)
    }

    pub(super) async fn title(&self, c: &course::Model) -> Result<String> {
        let ts = course_translation::Entity::find()
            .filter(course_translation::Column::CourseId.eq(c.id))
            .all(&self.db)
            .await?;
        Ok(ts
            .iter()
            .find(|t| t.locale == c.default_locale)
            .or(ts.first())
            .map(|t| t.title.clone())
            .unwrap_or_else(|| c.slug.clone()))
    }
    pub(super) async fn authors(&self, course_id: Uuid) -> Result<Vec<AuthorInfo>> {
        let rows = course_author::Entity::find()
            .filter(course_author::Column::CourseId.eq(course_id))
            .order_by_asc(course_author::Column::AddedAt)
            .all(&self.db)
            .await?;
        let users: BTreeMap<Uuid, user::Model> = user::Entity::find()
            .filter(user::Column::Id.is_in(rows.iter().map(|r| r.user_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let u = users.get(&r.user_id)?;
                Some(AuthorInfo {
                    user_id: r.user_id,
                    email: u.email.clone(),
                    display_name: u.display_name.clone(),
                    role: if r.role == AuthorRole::Owner.as_str() {
                        AuthorRole::Owner
                    } else {
                        AuthorRole::CoAuthor
                    },
                })
            })
            .collect())
    }

    /// Adds a co-author by email: an existing author or admin account.
    pub async fn add_author(&self, who: &Principal, slug: &str, email: &str) -> Result<()> {
        let (c, access) = self.access(who, slug).await?;
        if !access.manages_authors() {
            return Err(Error::Forbidden {
                reason: "only the course's owner or an administrator may change its authors",
            });
        }
        let email = crate::accounts::Email::parse(email)?;
        let u = user::Entity::find()
            .filter(user::Column::Email.eq(email.as_str()))
            .one(&self.db)
            .await?
            .filter(|u| u.role == Role::Author.as_str() || u.role == Role::Admin.as_str())
            .ok_or_else(|| invalid("email", "no author account has this address"))?;
        let txn = crate::db::begin_write(&self.db).await?;
        if course_author::Entity::find_by_id((c.id, u.id))
            .one(&txn)
            .await?
            .is_some()
        {
            return Err(Error::Conflict {
                field: "email".into(),
                reason: "this person is already an author of the course".into(),
            });
        }
        course_author::ActiveModel {
            course_id: Set(c.id),
            user_id: Set(u.id),
            role: Set(AuthorRole::CoAuthor.as_str().into()),
            added_at: Set(now()),
        }
        .insert(&txn)
        .await?;
        self.audit(
            &txn,
            who,
            Some(c.id),
            "author.added",
            json!({ "email": u.email }),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn remove_author(&self, who: &Principal, slug: &str, user_id: Uuid) -> Result<()> {
        let (c, access) = self.access(who, slug).await?;
        if !access.manages_authors() {
            return Err(Error::Forbidden {
                reason: "only the course's owner or an administrator may change its authors",
            });
        }
        let row = course_author::Entity::find_by_id((c.id, user_id))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "author" })?;
        if row.role == AuthorRole::Owner.as_str() {
            return Err(Error::Conflict {
                field: "author".into(),
                reason: "the owner cannot be removed".into(),
            });
        }
        let txn = crate::db::begin_write(&self.db).await?;
        course_author::Entity::delete_by_id((c.id, user_id))
            .exec(&txn)
            .await?;
        self.audit(
            &txn,
            who,
            Some(c.id),
            "author.removed",
            json!({ "user_id": user_id }),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
