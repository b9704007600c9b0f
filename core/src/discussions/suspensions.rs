//! Suspending someone from posting in a space (its moderators), or in
//! every space (admins), until a date and for a reason; lifting it early.
//! A suspended person still reads; every post, reply and edit is refused.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set, sea_query::Condition,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{
    Discussions,
    moderation::{audit, audit_everywhere, refused},
    not_found, now,
};
use crate::{
    Error, Result,
    accounts::{Principal, Role, require_signed_in},
    entities::{discussion_space, discussion_suspension, user},
};

/// The longest reason, in characters.
pub const MAX_REASON: usize = 1000;
/// The longest suspension, in days.
pub const MAX_SUSPENSION_DAYS: i64 = 3650;

/// A suspension as moderators (and the suspended person) see it.
#[derive(Clone, Debug)]
pub struct SuspensionView {
    pub id: Uuid,
    pub user_id: Uuid,
    pub user_name: String,
    /// `None`: every space.
    pub space: Option<String>,
    pub until: OffsetDateTime,
    pub reason: String,
}

/// The refusal for a suspended person.
pub(super) fn suspended() -> Error {
    Error::Forbidden {
        reason: "you are suspended from posting in this space",
    }
}

/// The suspension that stops `user` posting in `space` now, if any.
pub(super) async fn active(
    db: &impl ConnectionTrait,
    user: Uuid,
    space: Uuid,
) -> Result<Option<discussion_suspension::Model>> {
    Ok(discussion_suspension::Entity::find()
        .filter(discussion_suspension::Column::UserId.eq(user))
        .filter(discussion_suspension::Column::LiftedAt.is_null())
        .filter(discussion_suspension::Column::Until.gt(now()))
        .filter(
            Condition::any()
                .add(discussion_suspension::Column::SpaceId.eq(space))
                .add(discussion_suspension::Column::SpaceId.is_null()),
        )
        .order_by_desc(discussion_suspension::Column::Until)
        .one(db)
        .await?)
}

/// Refuses a suspended person.
pub(super) async fn ensure_may_post(
    db: &impl ConnectionTrait,
    user: Uuid,
    space: Uuid,
) -> Result<()> {
    match active(db, user, space).await? {
        Some(_) => Err(suspended()),
        None => Ok(()),
    }
}

impl Discussions {
    /// Suspends `user_id` from posting until `until`: in the space named
    /// `space` (its moderators), or with `None` everywhere (admins).
    pub async fn suspend(
        &self,
        who: Option<&Principal>,
        space: Option<&str>,
        user_id: Uuid,
        until: OffsetDateTime,
        reason: &str,
    ) -> Result<SuspensionView> {
        let who = require_signed_in(who)?;
        let space = match space {
            Some(slug) => {
                let s = self.space(slug).await?;
                if !self.reader(Some(who), &s).await?.moderate {
                    return Err(refused());
                }
                Some(s)
            }
            None if who.role == Role::Admin => None,
            None => {
                return Err(Error::Forbidden {
                    reason: "only admins suspend someone everywhere",
                });
            }
        };
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REASON {
            return Err(Error::invalid(
                "reason",
                format!("give a reason of 1 to {MAX_REASON} characters"),
            ));
        }
        if until <= now() || until > now() + Duration::days(MAX_SUSPENSION_DAYS) {
            return Err(Error::invalid("until", "choose a date in the future"));
        }
        let target = user::Entity::find_by_id(user_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::invalid("user_id", "no such account"))?;
        if target.id == who.user_id {
            return Err(Error::invalid("user_id", "you cannot suspend yourself"));
        }
        let txn = crate::db::begin_write(&self.db).await?;
        let row = discussion_suspension::ActiveModel {
            id: Set(Uuid::new_v4()),
            user_id: Set(target.id),
            space_id: Set(space.as_ref().map(|s| s.id)),
            until: Set(until),
            reason: Set(reason.to_owned()),
            created_by: Set(Some(who.user_id)),
            created_at: Set(now()),
            lifted_at: Set(None),
            lifted_by: Set(None),
        }
        .insert(&txn)
        .await?;
        let detail = serde_json::json!({
            "user": target.id, "until": until.unix_timestamp(), "reason": reason, "suspension": row.id,
        });
        match &space {
            Some(s) => drop(audit(&txn, who.user_id, s, "discussion.suspend", detail).await?),
            None => audit_everywhere(&txn, who.user_id, "discussion.suspend", detail).await?,
        }
        txn.commit().await?;
        self.changed();
        Ok(SuspensionView {
            id: row.id,
            user_id: target.id,
            user_name: target.display_name,
            space: space.map(|s| s.slug),
            until,
            reason: row.reason,
        })
    }

    /// Lifts a suspension early (the space's moderators; admins for one
    /// that covers every space).
    pub async fn lift_suspension(&self, who: Option<&Principal>, id: Uuid) -> Result<()> {
        let who = require_signed_in(who)?;
        let row = discussion_suspension::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .filter(|s| s.lifted_at.is_none())
            .ok_or_else(|| not_found("suspension"))?;
        let space = match row.space_id {
            Some(sid) => {
                let s = discussion_space::Entity::find_by_id(sid)
                    .one(&self.db)
                    .await?
                    .ok_or_else(|| not_found("suspension"))?;
                let a = self
                    .reader(Some(who), &s)
                    .await
                    .map_err(|_| not_found("suspension"))?;
                if !a.moderate {
                    return Err(refused());
                }
                Some(s)
            }
            None if who.role == Role::Admin => None,
            None => return Err(refused()),
        };
        let txn = crate::db::begin_write(&self.db).await?;
        let user = row.user_id;
        let mut m = row.into_active_model();
        m.lifted_at = Set(Some(now()));
        m.lifted_by = Set(Some(who.user_id));
        m.update(&txn).await?;
        let detail = serde_json::json!({ "user": user, "suspension": id });
        match &space {
            Some(s) => drop(audit(&txn, who.user_id, s, "discussion.lift", detail).await?),
            None => audit_everywhere(&txn, who.user_id, "discussion.lift", detail).await?,
        }
        txn.commit().await?;
        self.changed();
        Ok(())
    }

    /// The suspensions in force in a space (its moderators), with those
    /// that cover every space.
    pub async fn suspensions(
        &self,
        who: Option<&Principal>,
        slug: &str,
    ) -> Result<Vec<SuspensionView>> {
        let who = require_signed_in(who)?;
        let s = self.space(slug).await?;
        if !self.reader(Some(who), &s).await?.moderate {
            return Err(refused());
        }
        let rows = discussion_suspension::Entity::find()
            .filter(discussion_suspension::Column::LiftedAt.is_null())
            .filter(discussion_suspension::Column::Until.gt(now()))
            .filter(
                Condition::any()
                    .add(discussion_suspension::Column::SpaceId.eq(s.id))
                    .add(discussion_suspension::Column::SpaceId.is_null()),
            )
            .order_by_asc(discussion_suspension::Column::Until)
            .all(&self.db)
            .await?;
        let users = self.users(rows.iter().map(|r| r.user_id).collect()).await?;
        Ok(rows
            .into_iter()
            .map(|r| SuspensionView {
                id: r.id,
                user_id: r.user_id,
                user_name: users
                    .get(&r.user_id)
                    .map(|u| u.display_name.clone())
                    .unwrap_or_default(),
                space: r.space_id.map(|_| s.slug.clone()),
                until: r.until,
                reason: r.reason,
            })
            .collect())
    }
}
