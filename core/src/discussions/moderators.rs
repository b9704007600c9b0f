//! The moderators an admin names per space, by email. A community or a
//! course space may have them; a cohort's space is moderated by its
//! facilitators only, so that naming nobody opens a private space.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Discussions, access::COHORT, moderation::audit, now};
use crate::{
    Error, Result,
    accounts::{Email, Principal, Role, require_signed_in},
    entities::{discussion_moderator, discussion_space, user},
};

/// A named moderator.
#[derive(Clone, Debug)]
pub struct ModeratorView {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub since: OffsetDateTime,
}

fn admins_only() -> Error {
    Error::Forbidden {
        reason: "only admins name a space's moderators",
    }
}

impl Discussions {
    /// The space, if the caller is an admin and it may have named moderators.
    async fn named_space(&self, who: &Principal, slug: &str) -> Result<discussion_space::Model> {
        if who.role != Role::Admin {
            return Err(admins_only());
        }
        let s = self.space(slug).await?;
        if s.kind == COHORT {
            return Err(Error::invalid(
                "email",
                "a cohort's space is moderated by its facilitators",
            ));
        }
        Ok(s)
    }

    /// A space's named moderators (admins).
    pub async fn moderators(
        &self,
        who: Option<&Principal>,
        slug: &str,
    ) -> Result<Vec<ModeratorView>> {
        let who = require_signed_in(who)?;
        if who.role != Role::Admin {
            return Err(admins_only());
        }
        let s = self.space(slug).await?;
        let rows = discussion_moderator::Entity::find()
            .filter(discussion_moderator::Column::SpaceId.eq(s.id))
            .order_by_asc(discussion_moderator::Column::CreatedAt)
            .all(&self.db)
            .await?;
        let users = self.users(rows.iter().map(|r| r.user_id).collect()).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                users.get(&r.user_id).map(|u| ModeratorView {
                    user_id: u.id,
                    name: u.display_name.clone(),
                    email: u.email.clone(),
                    since: r.created_at,
                })
            })
            .collect())
    }

    /// Names (`on`) or removes the moderator with this address (admins).
    pub async fn set_moderator(
        &self,
        who: Option<&Principal>,
        slug: &str,
        email: &str,
        on: bool,
    ) -> Result<()> {
        let who = require_signed_in(who)?;
        let s = self.named_space(who, slug).await?;
        let email = Email::parse(email.trim())
            .map_err(|_| Error::invalid("email", "give an email address"))?;
        let u = user::Entity::find()
            .filter(user::Column::Email.eq(email.as_str()))
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::invalid("email", "no account has this address"))?;
        let had = discussion_moderator::Entity::find_by_id((s.id, u.id))
            .one(&self.db)
            .await?
            .is_some();
        if had == on {
            return Ok(());
        }
        let txn = crate::db::begin_write(&self.db).await?;
        if on {
            discussion_moderator::ActiveModel {
                space_id: Set(s.id),
                user_id: Set(u.id),
                added_by: Set(Some(who.user_id)),
                created_at: Set(now()),
            }
            .insert(&txn)
            .await?;
        } else {
            discussion_moderator::Entity::delete_by_id((s.id, u.id))
                .exec(&txn)
                .await?;
        }
        audit(
            &txn,
            who.user_id,
            &s,
            if on {
                "discussion.moderator_add"
            } else {
                "discussion.moderator_remove"
            },
            serde_json::json!({ "user": u.id }),
        )
        .await?;
        txn.commit().await?;
        self.changed();
        Ok(())
    }
}
