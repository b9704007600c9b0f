//! What moderators do (admins everywhere, a course's authors in its space,
//! facilitators in their cohort's): lock a thread, hide or restore a post.
//! Each action is one entry of the audit log, written with it.

use sea_orm::{ActiveModelTrait, ConnectionTrait, IntoActiveModel, Set};
use uuid::Uuid;

use super::{Discussions, now};
use crate::{
    Error, Result,
    accounts::{Principal, require_signed_in},
    entities::{audit_event, discussion_space},
};

fn refused() -> Error {
    Error::Forbidden {
        reason: "only the space's moderators may do this",
    }
}

async fn audit(
    db: &impl ConnectionTrait,
    actor: Uuid,
    space: &discussion_space::Model,
    action: &str,
    detail: serde_json::Value,
) -> Result<()> {
    audit_event::ActiveModel {
        id: Set(Uuid::new_v4()),
        at: Set(now()),
        actor_id: Set(Some(actor)),
        course_id: Set(space.course_id),
        action: Set(action.to_owned()),
        detail: Set(detail),
    }
    .insert(db)
    .await?;
    Ok(())
}

impl Discussions {
    /// Locks or unlocks a thread: no one posts in a locked thread.
    pub async fn lock_thread(&self, who: Option<&Principal>, id: Uuid, locked: bool) -> Result<()> {
        let (t, space, access) = self.readable_thread(who, id).await?;
        let who = require_signed_in(who)?;
        if !access.moderate {
            return Err(refused());
        }
        let txn = crate::db::begin_write(&self.db).await?;
        let mut row = t.clone().into_active_model();
        row.locked = Set(locked);
        row.update(&txn).await?;
        audit(
            &txn,
            who.user_id,
            &space,
            if locked {
                "discussion.lock"
            } else {
                "discussion.unlock"
            },
            serde_json::json!({ "space": space.slug, "thread": t.id }),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Hides or restores a post: a hidden post shows to moderators only.
    pub async fn hide_post(&self, who: Option<&Principal>, id: Uuid, hidden: bool) -> Result<()> {
        let (p, t, space, access) = self.readable_post(who, id).await?;
        let who = require_signed_in(who)?;
        if !access.moderate {
            return Err(refused());
        }
        let txn = crate::db::begin_write(&self.db).await?;
        let post_id = p.id;
        let mut row = p.into_active_model();
        row.hidden = Set(hidden);
        row.update(&txn).await?;
        crate::search::enqueue_thread_index(&txn, t.id).await?;
        audit(
            &txn,
            who.user_id,
            &space,
            if hidden {
                "discussion.hide"
            } else {
                "discussion.restore"
            },
            serde_json::json!({ "space": space.slug, "thread": t.id, "post": post_id }),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
