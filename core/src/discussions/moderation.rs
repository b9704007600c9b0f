//! What moderators do (admins everywhere, a course's authors in its space,
//! facilitators in their cohort's, people an admin named in theirs): lock
//! a thread, hide or restore a post (which settles its open reports).
//! Each action is one entry of the audit log, written with it and linked
//! to its space, whose moderation log it is.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
    sea_query::Expr,
};
use uuid::Uuid;

use super::{Discussions, now};
use crate::{
    Error, Result,
    accounts::{Principal, require_signed_in},
    entities::{audit_event, discussion_audit, discussion_report, discussion_space},
};

pub(super) fn refused() -> Error {
    Error::Forbidden {
        reason: "only the space's moderators may do this",
    }
}

/// Writes one audit event of `space`'s moderation (in the caller's
/// transaction).
pub(super) async fn audit(
    db: &impl ConnectionTrait,
    actor: Uuid,
    space: &discussion_space::Model,
    action: &str,
    mut detail: serde_json::Value,
) -> Result<Uuid> {
    if let Some(d) = detail.as_object_mut() {
        d.entry("space")
            .or_insert_with(|| serde_json::Value::from(space.slug.clone()));
    }
    let (id, at) = audit_event_row(db, actor, space.course_id, action, detail).await?;
    discussion_audit::ActiveModel {
        event_id: Set(id),
        space_id: Set(space.id),
        at: Set(at),
    }
    .insert(db)
    .await?;
    Ok(id)
}

/// Links an audit event to one more space's log (a move's destination).
pub(super) async fn also_in(
    db: &impl ConnectionTrait,
    event: Uuid,
    space: &discussion_space::Model,
) -> Result<()> {
    discussion_audit::ActiveModel {
        event_id: Set(event),
        space_id: Set(space.id),
        at: Set(now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Writes one audit event of no single space (a suspension everywhere).
pub(super) async fn audit_everywhere(
    db: &impl ConnectionTrait,
    actor: Uuid,
    action: &str,
    detail: serde_json::Value,
) -> Result<()> {
    audit_event_row(db, actor, None, action, detail).await?;
    Ok(())
}

async fn audit_event_row(
    db: &impl ConnectionTrait,
    actor: Uuid,
    course_id: Option<Uuid>,
    action: &str,
    detail: serde_json::Value,
) -> Result<(Uuid, time::OffsetDateTime)> {
    let (id, at) = (Uuid::new_v4(), now());
    audit_event::ActiveModel {
        id: Set(id),
        at: Set(at),
        actor_id: Set(Some(actor)),
        course_id: Set(course_id),
        action: Set(action.to_owned()),
        detail: Set(detail),
    }
    .insert(db)
    .await?;
    Ok((id, at))
}

/// Closes the open reports of a post as `status` (`resolved` or
/// `dismissed`); answers how many.
pub(super) async fn close_reports(
    db: &impl ConnectionTrait,
    post: Uuid,
    by: Uuid,
    status: &str,
) -> Result<u64> {
    Ok(discussion_report::Entity::update_many()
        .col_expr(discussion_report::Column::Status, Expr::value(status))
        .col_expr(
            discussion_report::Column::OpenKey,
            Expr::value(Option::<bool>::None),
        )
        .col_expr(discussion_report::Column::ClosedAt, Expr::value(now()))
        .col_expr(discussion_report::Column::ClosedBy, Expr::value(by))
        .filter(discussion_report::Column::PostId.eq(post))
        .filter(discussion_report::Column::Status.eq("open"))
        .exec(db)
        .await?
        .rows_affected)
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
            serde_json::json!({ "thread": t.id, "title": t.title }),
        )
        .await?;
        txn.commit().await?;
        self.changed();
        Ok(())
    }

    /// Hides or restores a post: a hidden post shows to moderators only.
    /// Either way its open reports are settled ("resolved").
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
        let reports = close_reports(&txn, post_id, who.user_id, "resolved").await?;
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
            serde_json::json!({ "thread": t.id, "post": post_id, "reports": reports }),
        )
        .await?;
        txn.commit().await?;
        self.changed();
        Ok(())
    }
}
