//! Replies (one level deep), edits that keep their history, deleting one's
//! own post, "helpful" reactions and a question's answer.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use super::{
    Access, Discussions, RevisionView, ThreadView, check_body, locked, mentions, not_found, now,
};
use crate::{
    Error, Result,
    accounts::{Principal, require_signed_in},
    entities::{
        discussion_post, discussion_post_image, discussion_post_revision, discussion_reaction,
        discussion_space, discussion_thread,
    },
};

type Found = (
    discussion_post::Model,
    discussion_thread::Model,
    discussion_space::Model,
    Access,
);

async fn bump(
    db: &impl ConnectionTrait,
    thread: Uuid,
    col: discussion_thread::Column,
    by: i32,
) -> Result<()> {
    discussion_thread::Entity::update_many()
        .col_expr(col, Expr::col(col).add(by))
        .filter(discussion_thread::Column::Id.eq(thread))
        .exec(db)
        .await?;
    Ok(())
}

impl Discussions {
    /// A post the caller can read, with its thread and space.
    pub(super) async fn readable_post(&self, who: Option<&Principal>, id: Uuid) -> Result<Found> {
        require_signed_in(who)?;
        let p = discussion_post::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found("post"))?;
        let (t, s, a) = self
            .readable_thread(who, p.thread_id)
            .await
            .map_err(|e| match e {
                Error::NotFound { .. } => not_found("post"),
                e => e,
            })?;
        let user = require_signed_in(who)?.user_id;
        if !self.approval_visible(&p, user, a).await? {
            return Err(not_found("post"));
        }
        Ok((p, t, s, a))
    }

    /// Replies in a thread: to the thread, or to one of its posts (a reply
    /// to a reply joins its parent's replies).
    pub async fn reply(
        &self,
        who: Option<&Principal>,
        thread_id: Uuid,
        parent: Option<Uuid>,
        body: &str,
        images: Vec<super::NewImage>,
    ) -> Result<ThreadView> {
        let (t, space, access) = self.readable_thread(who, thread_id).await?;
        let who = require_signed_in(who)?;
        if !access.post {
            return Err(Error::Forbidden {
                reason: "you may not post in this space",
            });
        }
        if t.locked {
            return Err(locked());
        }
        let body = check_body(body)?;
        let images = super::images::check_all(images, 0)?;
        let parent = match parent {
            None => None,
            Some(id) => {
                let p = discussion_post::Entity::find_by_id(id)
                    .one(&self.db)
                    .await?
                    .filter(|p| p.thread_id == t.id)
                    .ok_or_else(|| Error::invalid("parent", "no post of this thread"))?;
                match (p.opening, p.parent_id) {
                    (true, _) => None,
                    (false, Some(top)) => Some(top),
                    (false, None) => Some(p.id),
                }
            }
        };
        let mentioned = mentions::resolve(&self.db, &space, &body).await?;
        super::suspensions::ensure_may_post(&self.db, who.user_id, space.id).await?;
        self.limits.post(who.user_id).await?;
        let wait = super::approvals::must_wait(&self.db, &space, who, access).await?;
        self.store_images(&images).await?;
        let at = now();
        let txn = crate::db::begin_write(&self.db).await?;
        let post = discussion_post::ActiveModel {
            id: Set(Uuid::new_v4()),
            thread_id: Set(t.id),
            parent_id: Set(parent),
            opening: Set(false),
            author_id: Set(Some(who.user_id)),
            body: Set(body),
            deleted: Set(false),
            hidden: Set(false),
            helpful_count: Set(0),
            created_at: Set(at),
            edited_at: Set(None),
        }
        .insert(&txn)
        .await?;
        for image in images {
            super::images::insert_image(&txn, post.id, image).await?;
        }
        if wait {
            // Counted, and its notifications sent, when it is approved.
            super::approvals::hold(&txn, &post, space.id).await?;
        } else {
            discussion_thread::Entity::update_many()
                .col_expr(
                    discussion_thread::Column::ReplyCount,
                    Expr::col(discussion_thread::Column::ReplyCount).add(1),
                )
                .col_expr(discussion_thread::Column::LastActivityAt, Expr::value(at))
                .filter(discussion_thread::Column::Id.eq(t.id))
                .exec(&txn)
                .await?;
            super::notify::after_post(&txn, &space, &t, &post, &mentioned, false).await?;
        }
        super::notify::follow_in(&txn, who.user_id, t.id, "thread").await?;
        crate::search::enqueue_thread_index(&txn, t.id).await?;
        txn.commit().await?;
        self.changed();
        self.thread(Some(who), t.id).await
    }

    /// Edits one's own post; the former body is kept for moderators.
    pub async fn edit_post(&self, who: Option<&Principal>, id: Uuid, body: &str) -> Result<()> {
        let (p, t, space, _) = self.readable_post(who, id).await?;
        let who = require_signed_in(who)?;
        if p.author_id != Some(who.user_id) || p.deleted {
            return Err(Error::Forbidden {
                reason: "only its author may edit a post",
            });
        }
        if t.locked {
            return Err(locked());
        }
        let body = check_body(body)?;
        if body == p.body {
            // Nothing to keep: no revision, not "edited".
            return Ok(());
        }
        mentions::resolve(&self.db, &space, &body).await?;
        super::suspensions::ensure_may_post(&self.db, who.user_id, space.id).await?;
        self.limits.post(who.user_id).await?;
        let txn = crate::db::begin_write(&self.db).await?;
        discussion_post_revision::ActiveModel {
            id: Set(Uuid::new_v4()),
            post_id: Set(p.id),
            body: Set(p.body.clone()),
            edited_by: Set(Some(who.user_id)),
            created_at: Set(now()),
        }
        .insert(&txn)
        .await?;
        let mut row = p.into_active_model();
        row.body = Set(body);
        row.edited_at = Set(Some(now()));
        row.update(&txn).await?;
        crate::search::enqueue_thread_index(&txn, t.id).await?;
        txn.commit().await?;
        self.changed();
        Ok(())
    }

    /// Deletes one's own post: gone when nothing answers it, else left in
    /// place as "deleted", without its words. A thread whose opening post
    /// goes with nothing under it goes too.
    pub async fn delete_post(&self, who: Option<&Principal>, id: Uuid) -> Result<()> {
        let (p, t, _, _) = self.readable_post(who, id).await?;
        let who = require_signed_in(who)?;
        if p.author_id != Some(who.user_id) {
            return Err(Error::Forbidden {
                reason: "only its author may delete a post",
            });
        }
        if p.deleted {
            return Ok(());
        }
        let answers = if p.opening {
            discussion_post::Entity::find()
                .filter(discussion_post::Column::ThreadId.eq(t.id))
                .filter(discussion_post::Column::Opening.eq(false))
                .count(&self.db)
                .await?
        } else {
            discussion_post::Entity::find()
                .filter(discussion_post::Column::ParentId.eq(p.id))
                .count(&self.db)
                .await?
        };
        let held = !super::approvals::held(&self.db, vec![p.id])
            .await?
            .is_empty();
        let txn = crate::db::begin_write(&self.db).await?;
        if t.answer_post_id == Some(p.id) {
            let mut row = t.clone().into_active_model();
            row.answer_post_id = Set(None);
            row.update(&txn).await?;
        }
        if answers > 0 {
            // Its history and its images go with its words.
            discussion_post_revision::Entity::delete_many()
                .filter(discussion_post_revision::Column::PostId.eq(p.id))
                .exec(&txn)
                .await?;
            discussion_post_image::Entity::delete_many()
                .filter(discussion_post_image::Column::PostId.eq(p.id))
                .exec(&txn)
                .await?;
            let mut row = p.into_active_model();
            row.deleted = Set(true);
            row.body = Set(String::new());
            row.update(&txn).await?;
        } else if p.opening {
            discussion_thread::Entity::delete_by_id(t.id)
                .exec(&txn)
                .await?;
        } else if held {
            // A waiting reply was never counted.
            discussion_post::Entity::delete_by_id(p.id)
                .exec(&txn)
                .await?;
        } else {
            bump(&txn, t.id, discussion_thread::Column::ReplyCount, -1).await?;
            bump(
                &txn,
                t.id,
                discussion_thread::Column::HelpfulCount,
                -p.helpful_count,
            )
            .await?;
            discussion_post::Entity::delete_by_id(p.id)
                .exec(&txn)
                .await?;
        }
        crate::search::enqueue_thread_index(&txn, t.id).await?;
        txn.commit().await?;
        self.changed();
        Ok(())
    }

    /// Turns the caller's "helpful" on a post on or off: one per person,
    /// never on one's own post. Answers whether it is now on.
    pub async fn toggle_helpful(&self, who: Option<&Principal>, id: Uuid) -> Result<(bool, i32)> {
        let (p, t, _, _) = self.readable_post(who, id).await?;
        let who = require_signed_in(who)?;
        if p.author_id == Some(who.user_id) {
            return Err(Error::invalid(
                "post",
                "you cannot find your own post helpful",
            ));
        }
        if p.deleted || p.hidden {
            return Err(not_found("post"));
        }
        let txn = crate::db::begin_write(&self.db).await?;
        let had = discussion_reaction::Entity::find_by_id((p.id, who.user_id))
            .one(&txn)
            .await?
            .is_some();
        let by = if had {
            discussion_reaction::Entity::delete_by_id((p.id, who.user_id))
                .exec(&txn)
                .await?;
            -1
        } else {
            discussion_reaction::ActiveModel {
                post_id: Set(p.id),
                user_id: Set(who.user_id),
                created_at: Set(now()),
            }
            .insert(&txn)
            .await?;
            1
        };
        discussion_post::Entity::update_many()
            .col_expr(
                discussion_post::Column::HelpfulCount,
                Expr::col(discussion_post::Column::HelpfulCount).add(by),
            )
            .filter(discussion_post::Column::Id.eq(p.id))
            .exec(&txn)
            .await?;
        bump(&txn, t.id, discussion_thread::Column::HelpfulCount, by).await?;
        txn.commit().await?;
        self.changed();
        Ok((!had, p.helpful_count + by))
    }

    /// Marks (or with `None` unmarks) a question's answer: its asker or a
    /// moderator. The answer's author is notified.
    pub async fn mark_answer(
        &self,
        who: Option<&Principal>,
        thread_id: Uuid,
        post: Option<Uuid>,
    ) -> Result<()> {
        let (t, space, access) = self.readable_thread(who, thread_id).await?;
        let who = require_signed_in(who)?;
        if !(access.moderate || t.author_id == Some(who.user_id)) {
            return Err(Error::Forbidden {
                reason: "only the asker or a moderator marks the answer",
            });
        }
        if !t.question {
            return Err(Error::invalid("post_id", "this thread is not a question"));
        }
        let answer = match post {
            None => None,
            Some(id) => Some(
                discussion_post::Entity::find_by_id(id)
                    .one(&self.db)
                    .await?
                    .filter(|p| p.thread_id == t.id && !p.opening && !p.deleted && !p.hidden)
                    .ok_or_else(|| Error::invalid("post_id", "no reply of this thread"))?,
            ),
        };
        let txn = crate::db::begin_write(&self.db).await?;
        let mut row = t.clone().into_active_model();
        row.answer_post_id = Set(answer.as_ref().map(|a| a.id));
        row.update(&txn).await?;
        if let Some(a) = &answer
            && t.answer_post_id != Some(a.id)
            && let Some(author) = a.author_id
        {
            super::notify::notify(
                &txn,
                &space,
                &t,
                Some(a.id),
                Some(who.user_id),
                vec![(author, "answer")],
            )
            .await?;
        }
        txn.commit().await?;
        self.changed();
        Ok(())
    }

    /// A post's former bodies, newest first: moderators only.
    pub async fn history(&self, who: Option<&Principal>, id: Uuid) -> Result<Vec<RevisionView>> {
        let (p, _, _, access) = self.readable_post(who, id).await?;
        if !access.moderate {
            return Err(Error::Forbidden {
                reason: "only moderators see a post's history",
            });
        }
        let rows = discussion_post_revision::Entity::find()
            .filter(discussion_post_revision::Column::PostId.eq(p.id))
            .order_by_desc(discussion_post_revision::Column::CreatedAt)
            .all(&self.db)
            .await?;
        let users = self
            .users(rows.iter().filter_map(|r| r.edited_by).collect())
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| RevisionView {
                editor_name: r
                    .edited_by
                    .and_then(|u| users.get(&u))
                    .map(|u| u.display_name.clone())
                    .unwrap_or_default(),
                body: r.body,
                replaced_at: r.created_at,
            })
            .collect())
    }
}
