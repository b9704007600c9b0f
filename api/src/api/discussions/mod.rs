//! Discussions: spaces, threads, posts, follows and notifications. Every
//! rule (who may read, post or moderate where) is the core service's;
//! these handlers parse, call it and map the answer.

mod images;
mod mail;
mod moderation;
mod notifications;
mod posts;
mod search;
mod spaces;
mod stewards;
mod threads;

use agora_core::discussions::{PostView, SpaceView, ThreadView};
use poem_openapi::{ApiResponse, Object, Tags};
use time::OffsetDateTime;
use uuid::Uuid;

pub use self::{
    images::DiscussionImagesApi, mail::DiscussionMailApi, moderation::DiscussionModerationApi,
    notifications::NotificationsApi, posts::DiscussionPostsApi, search::DiscussionSearchApi,
    spaces::DiscussionSpacesApi, stewards::DiscussionStewardsApi, threads::DiscussionThreadsApi,
};
use crate::http::error::ApiError;

#[derive(Tags)]
enum ApiTags {
    /// Discussion spaces: a course's, a cohort's (private), the community's.
    Discussions,
    /// In-app notifications.
    Notifications,
}

#[derive(ApiResponse)]
enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

fn uuid_of(s: &str, what: &'static str) -> Result<Uuid, ApiError> {
    // An id that cannot exist names nothing: not found, like any other.
    s.parse()
        .map_err(|_| agora_core::Error::NotFound { what }.into())
}

/// A discussion space.
#[derive(Object)]
#[oai(rename = "DiscussionSpace")]
#[oai(skip_serializing_if_is_none)]
struct Space {
    /// `course-<course>`, `cohort-<cohort>`, or a community space's slug.
    slug: String,
    /// `course`, `cohort` or `community`.
    kind: String,
    /// In the reader's language.
    title: String,
    course: Option<String>,
    cohort: Option<String>,
    can_post: bool,
    can_moderate: bool,
    following: bool,
    /// A community space's description, in the reader's language.
    description: String,
    /// You may not post here until then (suspended).
    suspended_until: Option<OffsetDateTime>,
    /// Why you are suspended.
    suspension_reason: Option<String>,
}

impl From<SpaceView> for Space {
    fn from(s: SpaceView) -> Self {
        Space {
            slug: s.slug,
            kind: s.kind,
            title: s.title,
            course: s.course,
            cohort: s.cohort,
            can_post: s.access.post,
            can_moderate: s.access.moderate,
            following: s.following,
            description: s.description,
            suspended_until: s.suspension.as_ref().map(|x| x.0),
            suspension_reason: s.suspension.map(|x| x.1),
        }
    }
}

/// A post as the reader sees it.
#[derive(Object)]
#[oai(rename = "DiscussionPost")]
#[oai(skip_serializing_if_is_none)]
struct Post {
    id: Uuid,
    parent_id: Option<Uuid>,
    /// The thread's opening post.
    opening: bool,
    /// Empty for a deleted account.
    author_name: String,
    /// Markdown; empty when deleted, or hidden from this reader.
    body: String,
    /// The body as sanitised HTML, with its images (those the text does
    /// not place show after it).
    body_html: String,
    /// Its images; none when its words are hidden from you.
    images: Vec<images::Image>,
    deleted: bool,
    hidden: bool,
    edited: bool,
    helpful_count: i32,
    helpful_by_me: bool,
    is_answer: bool,
    /// The reader wrote it.
    mine: bool,
    /// A new account's post waiting for a moderator (its author and
    /// moderators see it).
    awaiting_approval: bool,
    /// Rejected by a moderator (its author and moderators see it).
    rejected: bool,
    created_at: OffsetDateTime,
    /// Replies to this post, oldest first (one level deep).
    replies: Vec<Post>,
}

impl From<PostView> for Post {
    fn from(p: PostView) -> Self {
        Post {
            id: p.id,
            parent_id: p.parent_id,
            opening: p.opening,
            author_name: p.author_name,
            body: p.body,
            body_html: p.body_html,
            images: p.images.into_iter().map(images::Image::from).collect(),
            deleted: p.deleted,
            hidden: p.hidden,
            edited: p.edited,
            helpful_count: p.helpful_count,
            helpful_by_me: p.helpful_by_me,
            is_answer: p.is_answer,
            mine: p.mine,
            awaiting_approval: p.awaiting_approval,
            rejected: p.rejected,
            created_at: p.created_at,
            replies: p.replies.into_iter().map(Post::from).collect(),
        }
    }
}

/// A thread with its posts.
#[derive(Object)]
#[oai(rename = "DiscussionThread")]
#[oai(skip_serializing_if_is_none)]
struct Thread {
    id: Uuid,
    space: Space,
    title: String,
    /// The lesson of the course it is about.
    lesson: Option<String>,
    question: bool,
    answer_post_id: Option<Uuid>,
    locked: bool,
    reply_count: i32,
    following: bool,
    can_mark_answer: bool,
    created_at: OffsetDateTime,
    /// The opening post, then the replies, oldest first.
    posts: Vec<Post>,
}

impl From<ThreadView> for Thread {
    fn from(t: ThreadView) -> Self {
        Thread {
            id: t.id,
            space: t.space.into(),
            title: t.title,
            lesson: t.lesson_key,
            question: t.question,
            answer_post_id: t.answer_post_id,
            locked: t.locked,
            reply_count: t.reply_count,
            following: t.following,
            can_mark_answer: t.can_mark_answer,
            created_at: t.created_at,
            posts: t.posts.into_iter().map(Post::from).collect(),
        }
    }
}

/// Turn something on or off.
#[derive(Object)]
#[oai(rename = "FollowSwitch")]
struct Switch {
    on: bool,
}
