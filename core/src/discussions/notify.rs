//! Follows and in-app notifications. A post's notifications are rows
//! written in the posting transaction, one per person who can read the
//! space: a cohort's private space never reaches anyone outside it, then
//! or later (the list checks again). Those who hear of it by mail at once
//! get a mail job in the same transaction (see `mail`).

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
    sea_query::{Expr, OnConflict},
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Discussions, access::access_of, now};
use crate::{
    Result,
    accounts::{Principal, Role, require_signed_in},
    entities::{
        discussion_follow, discussion_post, discussion_space, discussion_thread, notification, user,
    },
};

/// The most notifications a list shows.
pub const LIST_LIMIT: u64 = 50;

/// One notification as its reader sees it.
#[derive(Clone, Debug)]
pub struct NotificationView {
    pub id: Uuid,
    /// `reply`, `mention`, `answer` or `thread`.
    pub kind: String,
    pub space: String,
    pub thread_id: Uuid,
    pub thread_title: String,
    pub post_id: Option<Uuid>,
    pub actor_name: String,
    pub created_at: OffsetDateTime,
    pub read: bool,
}

pub(super) async fn follow_in(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    target: Uuid,
    kind: &str,
) -> Result<()> {
    discussion_follow::Entity::insert(discussion_follow::ActiveModel {
        user_id: Set(user_id),
        target_id: Set(target),
        kind: Set(kind.to_owned()),
        created_at: Set(now()),
    })
    .on_conflict(
        OnConflict::columns([
            discussion_follow::Column::UserId,
            discussion_follow::Column::TargetId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .try_insert()
    .exec(db)
    .await?;
    Ok(())
}

async fn followers(db: &impl ConnectionTrait, target: Uuid) -> Result<Vec<Uuid>> {
    Ok(discussion_follow::Entity::find()
        .filter(discussion_follow::Column::TargetId.eq(target))
        .all(db)
        .await?
        .into_iter()
        .map(|f| f.user_id)
        .collect())
}

/// Writes the notifications of a new post (in its transaction): those it
/// mentions, then the space's followers (a new thread) or the thread's
/// (a reply); never its author, never anyone who cannot read the space.
pub(super) async fn after_post(
    db: &impl ConnectionTrait,
    space: &discussion_space::Model,
    t: &discussion_thread::Model,
    post: &discussion_post::Model,
    mentioned: &[Uuid],
    new_thread: bool,
) -> Result<()> {
    let mut to: Vec<(Uuid, &str)> = mentioned.iter().map(|u| (*u, "mention")).collect();
    let (target, kind) = if new_thread {
        (space.id, "thread")
    } else {
        (t.id, "reply")
    };
    for u in followers(db, target).await? {
        to.push((u, kind));
    }
    notify(db, space, t, Some(post.id), post.author_id, to).await
}

/// One notification per person (the first reason wins), to those who can
/// read the space, never to the actor.
pub(super) async fn notify(
    db: &impl ConnectionTrait,
    space: &discussion_space::Model,
    t: &discussion_thread::Model,
    post: Option<Uuid>,
    actor: Option<Uuid>,
    to: Vec<(Uuid, &str)>,
) -> Result<()> {
    let mut seen = BTreeSet::new();
    let ids: Vec<Uuid> = to.iter().map(|(u, _)| *u).collect();
    let people: BTreeMap<Uuid, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut rows = Vec::new();
    let mut mail = Vec::new();
    for (uid, kind) in to {
        if Some(uid) == actor || !seen.insert(uid) {
            continue;
        }
        let Some(u) = people.get(&uid) else { continue };
        let role = u.role.parse::<Role>().unwrap_or(Role::Learner);
        if !access_of(db, space, uid, role).await?.read {
            continue;
        }
        let id = Uuid::new_v4();
        mail.push((id, u, kind.to_owned()));
        rows.push(notification::ActiveModel {
            id: Set(id),
            user_id: Set(uid),
            kind: Set(kind.to_owned()),
            space_id: Set(space.id),
            thread_id: Set(t.id),
            post_id: Set(post),
            actor_id: Set(actor),
            read_at: Set(None),
            created_at: Set(now()),
        });
    }
    if !rows.is_empty() {
        super::unread::changed(mail.iter().map(|(_, u, _)| u.id));
        notification::Entity::insert_many(rows).exec(db).await?;
        super::unread::changed(mail.iter().map(|(_, u, _)| u.id));
        super::mail::enqueue_immediate(db, space, t, &mail).await?;
    }
    Ok(())
}

impl Discussions {
    pub(super) async fn follows(&self, user_id: Uuid, target: Uuid) -> Result<bool> {
        Ok(discussion_follow::Entity::find_by_id((user_id, target))
            .one(&self.db)
            .await?
            .is_some())
    }

    /// Follows (or stops following) a thread the caller can read.
    pub async fn follow_thread(&self, who: Option<&Principal>, id: Uuid, on: bool) -> Result<()> {
        let (t, _, _) = self.readable_thread(who, id).await?;
        let who = require_signed_in(who)?;
        self.set_follow(who.user_id, t.id, "thread", on).await
    }

    /// Follows (or stops following) a space the caller can read: every new
    /// thread in it notifies them.
    pub async fn follow_space(&self, who: Option<&Principal>, slug: &str, on: bool) -> Result<()> {
        let who = require_signed_in(who)?;
        let s = self.space(slug).await?;
        self.reader(Some(who), &s).await?;
        self.set_follow(who.user_id, s.id, "space", on).await
    }

    async fn set_follow(&self, user_id: Uuid, target: Uuid, kind: &str, on: bool) -> Result<()> {
        if on {
            follow_in(&self.db, user_id, target, kind).await
        } else {
            discussion_follow::Entity::delete_by_id((user_id, target))
                .exec(&self.db)
                .await?;
            Ok(())
        }
    }

    /// The caller's unread notifications, counted.
    pub async fn unread_count(&self, user_id: Uuid) -> Result<u64> {
        if let Some(n) = self.unread.get(user_id) {
            return Ok(n);
        }
        let at = super::unread::epoch(user_id);
        let n = notification::Entity::find()
            .filter(notification::Column::UserId.eq(user_id))
            .filter(notification::Column::ReadAt.is_null())
            .count(&self.db)
            .await?;
        self.unread.keep(user_id, at, n);
        Ok(n)
    }

    /// The caller's newest notifications, of spaces they can still read.
    pub async fn notifications(&self, who: Option<&Principal>) -> Result<Vec<NotificationView>> {
        let who = require_signed_in(who)?;
        let rows = notification::Entity::find()
            .filter(notification::Column::UserId.eq(who.user_id))
            .order_by_desc(notification::Column::CreatedAt)
            .limit(LIST_LIMIT)
            .all(&self.db)
            .await?;
        let mut spaces: BTreeMap<Uuid, Option<discussion_space::Model>> = BTreeMap::new();
        let mut threads: BTreeMap<Uuid, String> = BTreeMap::new();
        let actors = self
            .users(rows.iter().filter_map(|n| n.actor_id).collect())
            .await?;
        let mut out = Vec::new();
        for n in rows {
            let space = match spaces.get(&n.space_id) {
                Some(s) => s.clone(),
                None => {
                    let s = discussion_space::Entity::find_by_id(n.space_id)
                        .one(&self.db)
                        .await?;
                    let readable = match &s {
                        Some(s) => access_of(&self.db, s, who.user_id, who.role).await?.read,
                        None => false,
                    };
                    let s = s.filter(|_| readable);
                    spaces.insert(n.space_id, s.clone());
                    s
                }
            };
            let Some(space) = space else {
                continue;
            };
            let title = match threads.get(&n.thread_id) {
                Some(t) => t.clone(),
                None => {
                    let t = discussion_thread::Entity::find_by_id(n.thread_id)
                        .one(&self.db)
                        .await?
                        .map(|t| t.title)
                        .unwrap_or_default();
                    threads.insert(n.thread_id, t.clone());
                    t
                }
            };
            out.push(NotificationView {
                id: n.id,
                kind: n.kind,
                space: space.slug.clone(),
                thread_id: n.thread_id,
                thread_title: title,
                post_id: n.post_id,
                actor_name: n
                    .actor_id
                    .and_then(|a| actors.get(&a))
                    .map(|u| u.display_name.clone())
                    .unwrap_or_default(),
                created_at: n.created_at,
                read: n.read_at.is_some(),
            });
        }
        Ok(out)
    }

    /// Marks the caller's notifications read: those of `ids`, or all.
    pub async fn mark_read(&self, who: Option<&Principal>, ids: Option<&[Uuid]>) -> Result<u64> {
        let who = require_signed_in(who)?;
        let mut q = notification::Entity::update_many()
            .col_expr(notification::Column::ReadAt, Expr::value(now()))
            .filter(notification::Column::UserId.eq(who.user_id))
            .filter(notification::Column::ReadAt.is_null());
        if let Some(ids) = ids {
            if ids.len() > 200 {
                return Err(crate::Error::invalid("ids", "at most 200 at a time"));
            }
            q = q.filter(notification::Column::Id.is_in(ids.to_vec()));
        }
        let read = q.exec(&self.db).await?.rows_affected;
        super::unread::changed([who.user_id]);
        Ok(read)
    }
}
