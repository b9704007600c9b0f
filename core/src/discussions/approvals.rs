//! A new account's first posts in network-wide (community) spaces wait for
//! a moderator. An account is new while it is younger than
//! `NEW_ACCOUNT_DAYS` days AND has fewer than `APPROVED_POSTS` posts others
//! can see (not waiting, not rejected, not hidden, not deleted). A waiting
//! post is seen only by its author ("awaiting approval") and the space's
//! moderators; its notifications go out when it is approved. The same
//! rule marks the links of new accounts `rel="nofollow ugc"`.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QuerySelect, Set,
    sea_query::{Expr, ExprTrait, Query},
};
use time::Duration;
use uuid::Uuid;

use super::{
    Access, Discussions, NEW_ACCOUNT_DAYS,
    access::COMMUNITY,
    mentions,
    moderation::{audit, refused},
    not_found, now,
};
use crate::{
    Result,
    accounts::{Principal, require_signed_in},
    entities::{discussion_approval, discussion_post, discussion_space, discussion_thread, user},
};

/// Fewer approved posts than this, with a young account: a new account.
pub const APPROVED_POSTS: u64 = 3;

pub(super) const PENDING: &str = "pending";
pub(super) const REJECTED: &str = "rejected";

/// The new accounts among `authors` (see the module's rule).
pub(super) async fn newcomers(
    db: &impl ConnectionTrait,
    authors: &BTreeMap<Uuid, user::Model>,
) -> Result<BTreeSet<Uuid>> {
    let young: Vec<Uuid> = authors
        .values()
        .filter(|u| now() - u.created_at < Duration::days(NEW_ACCOUNT_DAYS))
        .map(|u| u.id)
        .collect();
    // Only young accounts are counted: an old one is never new. One
    // grouped query for all of them (a thread page of 100 posts by young
    // authors made one query per author before).
    if young.is_empty() {
        return Ok(BTreeSet::new());
    }
    let counts: Vec<(Option<Uuid>, i64)> = discussion_post::Entity::find()
        .select_only()
        .column(discussion_post::Column::AuthorId)
        .column_as(discussion_post::Column::Id.count(), "n")
        .filter(discussion_post::Column::AuthorId.is_in(young.clone()))
        .filter(discussion_post::Column::Deleted.eq(false))
        .filter(discussion_post::Column::Hidden.eq(false))
        .filter(
            discussion_post::Column::Id.not_in_subquery(
                Query::select()
                    .column(discussion_approval::Column::PostId)
                    .from(discussion_approval::Entity)
                    .and_where(
                        Expr::col(discussion_approval::Column::AuthorId).is_in(young.clone()),
                    )
                    .to_owned(),
            ),
        )
        .group_by(discussion_post::Column::AuthorId)
        .into_tuple()
        .all(db)
        .await?;
    let established: BTreeSet<Uuid> = counts
        .into_iter()
        .filter(|(_, n)| *n as u64 >= APPROVED_POSTS)
        .filter_map(|(a, _)| a)
        .collect();
    Ok(young
        .into_iter()
        .filter(|id| !established.contains(id))
        .collect())
}

/// Whether a post by `who` in `space` must wait for a moderator.
pub(super) async fn must_wait(
    db: &impl ConnectionTrait,
    space: &discussion_space::Model,
    who: &Principal,
    access: Access,
) -> Result<bool> {
    if space.kind != COMMUNITY || access.moderate {
        return Ok(false);
    }
    let Some(u) = user::Entity::find_by_id(who.user_id).one(db).await? else {
        return Ok(true);
    };
    let authors = BTreeMap::from([(u.id, u)]);
    Ok(!newcomers(db, &authors).await?.is_empty())
}

/// Records that a new post waits (in its transaction).
pub(super) async fn hold(
    db: &impl ConnectionTrait,
    post: &discussion_post::Model,
    space: Uuid,
) -> Result<()> {
    discussion_approval::ActiveModel {
        post_id: Set(post.id),
        thread_id: Set(post.thread_id),
        space_id: Set(space),
        author_id: Set(post.author_id),
        opening: Set(post.opening),
        status: Set(PENDING.into()),
        created_at: Set(post.created_at),
        decided_at: Set(None),
        decided_by: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The waiting or rejected posts among `ids`, with their status.
pub(super) async fn held(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<BTreeMap<Uuid, String>> {
    Ok(discussion_approval::Entity::find()
        .filter(discussion_approval::Column::PostId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.post_id, a.status))
        .collect())
}

/// The threads of a community space that `user` must not see in lists:
/// those whose opening post waits (or was rejected) and is not theirs.
pub(super) fn hidden_threads(user: Uuid) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(discussion_approval::Column::ThreadId)
        .from(discussion_approval::Entity)
        .and_where(Expr::col(discussion_approval::Column::Opening).eq(true))
        .and_where(
            Expr::col(discussion_approval::Column::AuthorId)
                .is_null()
                .or(Expr::col(discussion_approval::Column::AuthorId).ne(user)),
        )
        .to_owned()
}

impl Discussions {
    /// Whether the caller may see a post that may be waiting: its author
    /// and moderators may.
    pub(super) async fn approval_visible(
        &self,
        p: &discussion_post::Model,
        user: Uuid,
        access: Access,
    ) -> Result<bool> {
        if access.moderate || p.author_id == Some(user) {
            return Ok(true);
        }
        Ok(discussion_approval::Entity::find_by_id(p.id)
            .one(&self.db)
            .await?
            .is_none())
    }

    /// Whether a thread's opening post waits, and the caller may not see it.
    pub(super) async fn thread_held_from(
        &self,
        t: &discussion_thread::Model,
        user: Uuid,
        access: Access,
    ) -> Result<bool> {
        if access.moderate || t.author_id == Some(user) {
            return Ok(false);
        }
        Ok(discussion_approval::Entity::find()
            .filter(discussion_approval::Column::ThreadId.eq(t.id))
            .filter(discussion_approval::Column::Opening.eq(true))
            .count(&self.db)
            .await?
            > 0)
    }

    /// Approves (shown to all, its notifications sent) or rejects (kept
    /// from all but its author) a waiting post; its author is notified.
    pub async fn decide_post(
        &self,
        who: Option<&Principal>,
        id: Uuid,
        approve: bool,
    ) -> Result<()> {
        let (p, t, space, access) = self.readable_post(who, id).await?;
        let who = require_signed_in(who)?;
        if !access.moderate {
            return Err(refused());
        }
        let held = discussion_approval::Entity::find_by_id(p.id)
            .one(&self.db)
            .await?
            .filter(|a| a.status == PENDING)
            .ok_or_else(|| not_found("post awaiting approval"))?;
        let mentioned = if approve {
            mentions::resolve(&self.db, &space, &p.body)
                .await
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let txn = crate::db::begin_write(&self.db).await?;
        if approve {
            discussion_approval::Entity::delete_by_id(p.id)
                .exec(&txn)
                .await?;
            if !p.opening {
                discussion_thread::Entity::update_many()
                    .col_expr(
                        discussion_thread::Column::ReplyCount,
                        Expr::col(discussion_thread::Column::ReplyCount).add(1),
                    )
                    .col_expr(
                        discussion_thread::Column::LastActivityAt,
                        Expr::value(now()),
                    )
                    .filter(discussion_thread::Column::Id.eq(t.id))
                    .exec(&txn)
                    .await?;
            }
            super::notify::after_post(&txn, &space, &t, &p, &mentioned, p.opening).await?;
            // Approved, the post can be found.
            crate::search::enqueue_thread_index(&txn, t.id).await?;
        } else {
            let mut row = held.into_active_model();
            row.status = Set(REJECTED.into());
            row.decided_at = Set(Some(now()));
            row.decided_by = Set(Some(who.user_id));
            row.update(&txn).await?;
        }
        if let Some(author) = p.author_id {
            let kind = if approve { "approved" } else { "rejected" };
            super::notify::notify(
                &txn,
                &space,
                &t,
                Some(p.id),
                Some(who.user_id),
                vec![(author, kind)],
            )
            .await?;
        }
        audit(
            &txn,
            who.user_id,
            &space,
            if approve {
                "discussion.approve"
            } else {
                "discussion.reject"
            },
            serde_json::json!({ "thread": t.id, "post": p.id, "author": p.author_id }),
        )
        .await?;
        txn.commit().await?;
        self.changed();
        Ok(())
    }
}
