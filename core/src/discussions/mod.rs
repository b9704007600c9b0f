//! Discussions (issue 19): spaces, threads, posts, follows and in-app
//! notifications.
//!
//! Who may do what in a space, decided here and nowhere else:
//! - a course's space (`course-<slug>`, made on demand for a published
//!   course): read and written by its enrolled learners, its authors, the
//!   facilitators of its cohorts and admins; moderated by admins and its
//!   authors. Anyone else signed in is refused (the course is public).
//! - a cohort's space (`cohort-<slug>`, made on demand): its members, its
//!   facilitators and admins only; moderated by admins and facilitators.
//!   To anyone else it does not exist ("not found"), in every answer and
//!   every notification.
//! - a community space (created by admins): every signed-in person;
//!   moderated by admins.
//!
//! - `spaces`: finding, making and listing spaces;
//! - `threads`: starting threads and reading them, sorted and paged;
//! - `kept`: what every reader of a thread sees alike, kept in the process;
//! - `posts`: replies, edits with history, deletion, "helpful", answers;
//! - `images`: the images people attach to their posts, and who sees them;
//! - `mentions`: `@name` in a body, and who it names;
//! - `notify`: follows and notifications, written in the posting transaction;
//! - `moderation`: locking threads, hiding posts, each in the audit log;
//! - `reports`, `queue`, `approvals`, `suspensions`, `moderators`,
//!   `moving`: reports and the moderators' queue, new accounts' posts
//!   awaiting approval, suspensions, named moderators, moving threads;
//! - `space_admin`: the admins' form for community spaces;
//! - `prefs`: who gets which mail (immediate, daily, weekly, none);
//! - `mail`: a mail at once about one notification, through the job outbox;
//! - `digest`: daily and weekly digests, sent once per person and period;
//! - `search`: discussion search through the search port.
//!
//! Moderation: admins everywhere; a course's authors in its space; a
//! cohort's facilitators in its space; people an admin names in a
//! community or course space (`moderators`).

mod access;
mod approvals;
mod digest;
mod images;
mod kept;
mod lesson_lists;
mod mail;
mod mentions;
mod moderation;
mod moderators;
mod moving;
mod notify;
mod posts;
mod prefs;
mod queue;
mod rendering;
mod reports;
mod search;
mod space_admin;
mod spaces;
mod suspensions;
mod threads;
mod unread;
mod views;

use std::sync::Arc;

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use time::OffsetDateTime;
use uuid::Uuid;

pub use self::{
    access::Access,
    approvals::APPROVED_POSTS,
    digest::{Cadence, DigestMail, DigestScan, enqueue_scans, grace_ms, scan_digests, send_digest},
    images::{MAX_IMAGES, NewImage, PostImageView},
    kept::{FRESH_FOR, KeptThread, STALE_AT_MOST, ThreadReading},
    mail::{DiscussionMail, send_activity},
    mentions::mention_names,
    moderators::ModeratorView,
    moving::widens,
    notify::NotificationView,
    prefs::{
        DEFAULT_DIRECT, DEFAULT_MODE, MailMode, MailPrefs, SpaceMail, Unsubscribed, holder,
        unsubscribe,
    },
    queue::{LogEntry, QueueItem, ReportNote},
    reports::{MAX_NOTE, REPORT_REASONS},
    search::{SEARCH_PAGE, SearchHitView, SearchResultsView},
    space_admin::{MAX_DESCRIPTION, SpaceInput},
    spaces::{SEEDED_SPACES, SpaceView, seed_community_spaces},
    suspensions::{MAX_REASON, SuspensionView},
    threads::{Sort, ThreadList, ThreadSummary},
    views::{PostView, RevisionView, ThreadView},
};
use crate::{Error, entities::user, rate_limit::PostLimits, storage::Storage};

/// The longest title, in characters.
pub const MAX_TITLE: usize = 200;
/// The longest body, in characters.
pub const MAX_BODY: usize = 20_000;
/// Threads per page of a space.
pub const PAGE_SIZE: u64 = 20;
/// An account younger than this, with fewer than `APPROVED_POSTS` posts
/// others can see, is new: its first posts in community spaces wait for a
/// moderator, and its links get `rel="nofollow ugc"`.
pub const NEW_ACCOUNT_DAYS: i64 = 7;

/// The kind of a network-wide community space (`discussion_spaces.kind`).
pub const COMMUNITY_KIND: &str = access::COMMUNITY;

/// The discussions service, built once at start-up.
#[derive(Clone)]
pub struct Discussions {
    db: DatabaseConnection,
    limits: Arc<PostLimits>,
    /// Posts' images (`images`).
    storage: Storage,
    /// Posts' sanitised HTML, per post and version (see `rendering`).
    rendered: rendering::RenderedPosts,
    /// Threads as every reader sees them, and the generation of this
    /// replica's writes that keeps them fresh (see `kept`).
    kept: kept::KeptThreads,
    generation: kept::Generation,
    /// The threads under each lesson (see `lesson_lists`).
    lesson_lists: lesson_lists::LessonLists,
    /// Unread notification counts (see `unread`).
    unread: unread::UnreadCounts,
}

impl Discussions {
    pub fn new(db: DatabaseConnection, limits: Arc<PostLimits>, storage: Storage) -> Self {
        Discussions {
            db,
            limits,
            storage,
            rendered: rendering::rendered_posts(),
            kept: kept::kept_threads(),
            generation: Default::default(),
            lesson_lists: lesson_lists::lesson_lists(),
            unread: Default::default(),
        }
    }
}

impl Discussions {
    /// The accounts of `ids` (authors, editors, actors), by id.
    async fn users(&self, ids: BTreeSet<Uuid>) -> crate::Result<BTreeMap<Uuid, user::Model>> {
        Ok(user::Entity::find()
            .filter(user::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect())
    }
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn not_found(what: &'static str) -> Error {
    Error::NotFound { what }
}

fn check_title(title: &str) -> crate::Result<String> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE {
        return Err(Error::invalid(
            "title",
            format!("give a title of 1 to {MAX_TITLE} characters"),
        ));
    }
    Ok(title.to_owned())
}

fn check_body(body: &str) -> crate::Result<String> {
    let body = body.trim();
    if body.is_empty() || body.chars().count() > MAX_BODY {
        return Err(Error::invalid(
            "body",
            format!("write a message of 1 to {MAX_BODY} characters"),
        ));
    }
    Ok(body.to_owned())
}

fn locked() -> Error {
    Error::Conflict {
        field: "body".into(),
        reason: "this thread is locked: no one can post in it".into(),
    }
}
