//! What a reader sees of a thread: its posts in order, replies under the
//! post they answer, deleted and hidden posts kept in place without their
//! words (moderators see hidden ones).

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Access, Discussions, PostImageView, SpaceView};
use crate::{
    Result,
    accounts::Principal,
    entities::{discussion_post, discussion_reaction, discussion_space, discussion_thread, user},
    markdown::{self, LinkTarget},
    media::CourseLinks,
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

/// No lessons to link to outside a course.
struct NoLinks;
impl LinkTarget for NoLinks {
    fn lesson(&self, _: &str) -> String {
        String::new()
    }
    fn resource(&self, _: &str) -> String {
        String::new()
    }
}

/// What a post's HTML depends on: the post, the version of its body (when
/// it was last written), whether its author's account was new (links get
/// `rel="nofollow ugc"`) and the course its space belongs to (lesson links).
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(super) struct RenderKey {
    post: Uuid,
    written_ms: i64,
    new_account: bool,
    course: Option<String>,
    /// Its images' names.
    images: Vec<String>,
}

/// Posts' sanitised HTML, kept in the process: a post's body changes only
/// when it is edited (its key changes then), so rendering and sanitising a
/// thread's Markdown happens once per post version, not once per reader.
pub(super) type RenderedPosts = moka::future::Cache<RenderKey, Arc<str>>;

pub(super) fn rendered_posts() -> RenderedPosts {
    moka::future::Cache::builder()
        .weigher(|_: &RenderKey, html: &Arc<str>| html.len().try_into().unwrap_or(u32::MAX))
        // 32 MB of HTML.
        .max_capacity(32 * 1024 * 1024)
        .build()
}

/// The post's sanitised HTML; `course` names the course space's course;
/// a new account's links are not endorsed (see `approvals`).
pub(super) fn render(
    body: &str,
    course: Option<&str>,
    new_account: bool,
    images: &[PostImageView],
) -> String {
    let uploads: Vec<markdown::Upload> = images.iter().map(PostImageView::upload).collect();
    match course {
        Some(slug) => markdown::render_post(body, &CourseLinks { slug }, new_account, &uploads),
        None => markdown::render_post(body, &NoLinks, new_account, &uploads),
    }
}

impl Discussions {
    pub(super) async fn users(&self, ids: BTreeSet<Uuid>) -> Result<BTreeMap<Uuid, user::Model>> {
        Ok(user::Entity::find()
            .filter(user::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect())
    }

    pub(super) async fn thread_view(
        &self,
        who: &Principal,
        t: discussion_thread::Model,
        space: &discussion_space::Model,
        access: Access,
    ) -> Result<ThreadView> {
        let space_view = self
            .space_view(space, access, who.user_id, who.locale)
            .await?;
        let posts = discussion_post::Entity::find()
            .filter(discussion_post::Column::ThreadId.eq(t.id))
            .order_by_asc(discussion_post::Column::CreatedAt)
            .order_by_asc(discussion_post::Column::Id)
            .all(&self.db)
            .await?;
        let ids: Vec<Uuid> = posts.iter().map(|p| p.id).collect();
        let mine: BTreeSet<Uuid> = discussion_reaction::Entity::find()
            .filter(discussion_reaction::Column::UserId.eq(who.user_id))
            .filter(discussion_reaction::Column::PostId.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| r.post_id)
            .collect();
        let users = self
            .users(posts.iter().filter_map(|p| p.author_id).collect())
            .await?;
        let new_accounts = super::approvals::newcomers(&self.db, &users).await?;
        let held = super::approvals::held(&self.db, posts.iter().map(|p| p.id).collect()).await?;
        // A waiting (or rejected) post shows to its author and moderators.
        let posts: Vec<discussion_post::Model> = posts
            .into_iter()
            .filter(|p| {
                access.moderate || p.author_id == Some(who.user_id) || !held.contains_key(&p.id)
            })
            .collect();
        let course = space_view.course.clone();
        let mut images = self
            .images_by_post(
                posts
                    .iter()
                    .filter(|p| !p.deleted && (!p.hidden || access.moderate))
                    .map(|p| p.id)
                    .collect(),
            )
            .await?;
        let mut html: BTreeMap<Uuid, Arc<str>> = BTreeMap::new();
        for p in &posts {
            if p.deleted || (p.hidden && !access.moderate) {
                continue;
            }
            let new_account = p.author_id.is_none_or(|a| new_accounts.contains(&a));
            let own = images.get(&p.id).map(Vec::as_slice).unwrap_or_default();
            let key = RenderKey {
                images: own.iter().map(|i| i.name.clone()).collect(),
                post: p.id,
                written_ms: (p.edited_at.unwrap_or(p.created_at).unix_timestamp_nanos() / 1_000_000)
                    as i64,
                new_account,
                course: course.clone(),
            };
            let rendered = self
                .rendered
                .get_with(key, async {
                    Arc::from(render(&p.body, course.as_deref(), new_account, own))
                })
                .await;
            html.insert(p.id, rendered);
        }
        let mut view = |p: discussion_post::Model| {
            let author = p.author_id.and_then(|a| users.get(&a));
            let approval = held.get(&p.id).map(String::as_str);
            let shown = !p.deleted && (!p.hidden || access.moderate);
            let body = if shown { p.body } else { String::new() };
            PostView {
                id: p.id,
                parent_id: p.parent_id,
                opening: p.opening,
                author_id: p.author_id,
                author_name: author.map(|u| u.display_name.clone()).unwrap_or_default(),
                body_html: if shown {
                    html.get(&p.id).map(|h| h.to_string()).unwrap_or_default()
                } else {
                    String::new()
                },
                images: if shown {
                    images.remove(&p.id).unwrap_or_default()
                } else {
                    Vec::new()
                },
                body,
                deleted: p.deleted,
                hidden: p.hidden,
                edited: p.edited_at.is_some(),
                helpful_count: p.helpful_count,
                helpful_by_me: mine.contains(&p.id),
                is_answer: t.answer_post_id == Some(p.id),
                created_at: p.created_at,
                mine: p.author_id == Some(who.user_id),
                awaiting_approval: approval == Some(super::approvals::PENDING),
                rejected: approval == Some(super::approvals::REJECTED),
                replies: Vec::new(),
            }
        };
        let mut top: Vec<PostView> = Vec::new();
        let mut replies: Vec<PostView> = Vec::new();
        for p in posts {
            if p.parent_id.is_some() {
                replies.push(view(p));
            } else {
                top.push(view(p));
            }
        }
        for r in replies {
            if let Some(parent) = top.iter_mut().find(|p| Some(p.id) == r.parent_id) {
                parent.replies.push(r);
            }
        }
        Ok(ThreadView {
            id: t.id,
            following: self.follows(who.user_id, t.id).await?,
            can_mark_answer: t.question && (access.moderate || t.author_id == Some(who.user_id)),
            space: space_view,
            title: t.title,
            lesson_key: t.lesson_key,
            question: t.question,
            answer_post_id: t.answer_post_id,
            locked: t.locked,
            reply_count: t.reply_count,
            created_at: t.created_at,
            posts: top,
        })
    }
}
