//! What a reader sees of a thread: its posts in order, replies under the
//! post they answer, deleted and hidden posts kept in place without their
//! words (moderators see hidden ones).

use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Query};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    Access, Discussions, PostImageView, SpaceView,
    kept::{KeptPost, KeptThread},
};
use crate::{
    Result,
    accounts::Principal,
    domain::Locale,
    entities::{discussion_post, discussion_reaction},
};

/// One post as the reader sees it.
#[derive(Clone, Debug)]
pub struct PostView {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub opening: bool,
    pub author_id: Option<Uuid>,
    /// Empty for a deleted account.
    pub author_name: String,
    /// Markdown; empty when deleted, or hidden from this reader.
    pub body: String,
    /// Sanitised HTML of `body`, with its images (those it does not place
    /// show after its text).
    pub body_html: String,
    /// Its images; none when its words are not shown to this reader.
    pub images: Vec<PostImageView>,
    pub deleted: bool,
    pub hidden: bool,
    pub edited: bool,
    pub helpful_count: i32,
    pub helpful_by_me: bool,
    pub is_answer: bool,
    pub created_at: OffsetDateTime,
    /// The reader wrote it (and may edit or delete it).
    pub mine: bool,
    /// A new account's post waiting for a moderator (shown to its author
    /// and moderators only).
    pub awaiting_approval: bool,
    /// Rejected by a moderator (shown to its author and moderators only).
    pub rejected: bool,
    /// Replies to this post (top-level posts only).
    pub replies: Vec<PostView>,
}

/// A thread with its posts.
#[derive(Clone, Debug)]
pub struct ThreadView {
    pub id: Uuid,
    pub space: SpaceView,
    pub title: String,
    pub lesson_key: Option<String>,
    pub question: bool,
    pub answer_post_id: Option<Uuid>,
    pub locked: bool,
    pub reply_count: i32,
    pub created_at: OffsetDateTime,
    pub following: bool,
    /// The reader may mark the answer (a question's asker or a moderator).
    pub can_mark_answer: bool,
    /// The opening post, then the top-level replies, oldest first.
    pub posts: Vec<PostView>,
}

/// One former body of a post (moderators).
#[derive(Clone, Debug)]
pub struct RevisionView {
    pub body: String,
    pub editor_name: String,
    /// When this body was replaced.
    pub replaced_at: OffsetDateTime,
}

impl Discussions {
    /// The thread as `who` sees it, with `access` to its space.
    pub(super) async fn thread_view(
        &self,
        who: &Principal,
        kept: &KeptThread,
        access: Access,
    ) -> Result<ThreadView> {
        let space = self
            .space_view(&kept.space, access, who.user_id, who.locale)
            .await?;
        let helpful = self.helpful_marks(who.user_id, kept.id()).await?;
        let following = self.follows(who.user_id, kept.id()).await?;
        Ok(view(kept, space, Some(who.user_id), &helpful, following))
    }

    /// The posts of a thread that `user` marked "helpful".
    pub(super) async fn helpful_marks(&self, user: Uuid, thread: Uuid) -> Result<BTreeSet<Uuid>> {
        Ok(discussion_reaction::Entity::find()
            .filter(discussion_reaction::Column::UserId.eq(user))
            .filter(
                discussion_reaction::Column::PostId.in_subquery(
                    Query::select()
                        .column(discussion_post::Column::Id)
                        .from(discussion_post::Entity)
                        .and_where(discussion_post::Column::ThreadId.eq(thread))
                        .to_owned(),
                ),
            )
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| r.post_id)
            .collect())
    }
}

impl KeptThread {
    /// The view every reader with `access` shares, in `locale`: no post is
    /// the reader's, none is marked "helpful", and posts held for approval
    /// are kept (flagged) for a page to show to their authors alone.
    pub fn shared_view(&self, locale: Locale, access: Access) -> ThreadView {
        let (title, course, cohort) = self.title_in(locale).clone();
        let space = SpaceView {
            slug: self.space.slug.clone(),
            kind: self.space.kind.clone(),
            title,
            course,
            cohort,
            access,
            following: false,
            description: String::new(),
            suspension: None,
            mail: None,
        };
        view(self, space, None, &BTreeSet::new(), false)
    }
}

/// The thread for `reader` (`None`: for every reader, see `shared_view`).
fn view(
    kept: &KeptThread,
    space: SpaceView,
    reader: Option<Uuid>,
    helpful: &BTreeSet<Uuid>,
    following: bool,
) -> ThreadView {
    let access = space.access;
    let t = &kept.thread;
    let view = |k: &KeptPost| {
        let p = &k.model;
        let approval = k.approval.as_deref();
        let shown = !p.deleted && (!p.hidden || access.moderate);
        PostView {
            id: p.id,
            parent_id: p.parent_id,
            opening: p.opening,
            author_id: p.author_id,
            author_name: k.author_name.clone(),
            body_html: if shown {
                k.html.to_string()
            } else {
                String::new()
            },
            images: if shown { k.images.clone() } else { Vec::new() },
            body: if shown { p.body.clone() } else { String::new() },
            deleted: p.deleted,
            hidden: p.hidden,
            edited: p.edited_at.is_some(),
            helpful_count: p.helpful_count,
            helpful_by_me: helpful.contains(&p.id),
            is_answer: t.answer_post_id == Some(p.id),
            created_at: p.created_at,
            mine: reader.is_some() && p.author_id == reader,
            awaiting_approval: approval == Some(super::approvals::PENDING),
            rejected: approval == Some(super::approvals::REJECTED),
            replies: Vec::new(),
        }
    };
    // A waiting (or rejected) post shows to its author and moderators.
    let visible = |k: &&KeptPost| {
        reader.is_none() || access.moderate || k.model.author_id == reader || k.approval.is_none()
    };
    let mut top: Vec<PostView> = Vec::new();
    let mut replies: Vec<PostView> = Vec::new();
    for k in kept.posts.iter().filter(visible) {
        if k.model.parent_id.is_some() {
            replies.push(view(k));
        } else {
            top.push(view(k));
        }
    }
    for r in replies {
        if let Some(parent) = top.iter_mut().find(|p| Some(p.id) == r.parent_id) {
            parent.replies.push(r);
        }
    }
    ThreadView {
        id: t.id,
        following,
        can_mark_answer: t.question
            && (access.moderate || (reader.is_some() && t.author_id == reader)),
        space,
        title: t.title.clone(),
        lesson_key: t.lesson_key.clone(),
        question: t.question,
        answer_post_id: t.answer_post_id,
        locked: t.locked,
        reply_count: t.reply_count,
        created_at: t.created_at,
        posts: top,
    }
}
