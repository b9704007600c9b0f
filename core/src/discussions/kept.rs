//! What every reader of a thread sees alike, kept in the process per
//! thread: the thread, its space and the space's title in each language,
//! the posts with their sanitised HTML, their authors' names, which of them
//! wait for approval, and their images. Reading a thread then costs only
//! the reader's own parts (`reading`): what they may do there, their
//! "helpful" marks, and whether they follow it.
//!
//! How fresh it is:
//! - every write of this service moves a generation on after its commit,
//!   and a kept thread of an older generation is loaded again: the replica
//!   that wrote shows the change to the next request;
//! - other replicas, and changes made elsewhere (an author renames their
//!   account), show within [`STALE_AT_MOST`]: a kept thread older than
//!   [`FRESH_FOR`] is still served while one request reads it again in the
//!   background (so readers never queue behind that read), and one older
//!   than `STALE_AT_MOST` is read again before it is served.
//!
//! Its `stamp` is a digest of what it shows, so a reload that finds nothing
//! changed keeps the same stamp, and pages rendered from it stay valid.

use std::{
    collections::BTreeSet,
    hash::{DefaultHasher, Hash, Hasher},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{Discussions, PostImageView, not_found, rendering::RenderKey};
use crate::{
    Error, Result,
    domain::Locale,
    entities::{discussion_post, discussion_space, discussion_thread},
};

/// How long a kept thread is used before it is read again.
pub const FRESH_FOR: Duration = Duration::from_secs(1);
/// The oldest kept thread ever served.
pub const STALE_AT_MOST: Duration = Duration::from_secs(2);

/// A thread as every reader sees it, at one generation of this replica's
/// writes.
pub struct KeptThread {
    /// A digest of everything below.
    pub stamp: u64,
    generation: u64,
    loaded: Instant,
    /// A request is reading it again in the background.
    refreshing: AtomicBool,
    pub(super) thread: discussion_thread::Model,
    pub(super) space: discussion_space::Model,
    /// The space's title, and its course's and cohort's slugs, in each of
    /// `Locale::ALL`.
    pub(super) titles: Vec<(String, Option<String>, Option<String>)>,
    /// Oldest first.
    pub(super) posts: Vec<KeptPost>,
    bytes: usize,
}

/// One post, with what showing it needs.
pub(super) struct KeptPost {
    pub model: discussion_post::Model,
    /// Empty for a deleted account.
    pub author_name: String,
    /// Its sanitised HTML; empty when deleted.
    pub html: Arc<str>,
    /// Its images (none when deleted).
    pub images: Vec<PostImageView>,
    /// `pending` or `rejected` while held from other readers.
    pub approval: Option<String>,
}

impl KeptThread {
    pub fn id(&self) -> Uuid {
        self.thread.id
    }

    /// The slug of the thread's space (its stable address names it).
    pub fn space_slug(&self) -> &str {
        &self.space.slug
    }

    /// Whether its opening post waits for approval (or was rejected): the
    /// thread then exists for its author and moderators only.
    pub(super) fn held(&self) -> bool {
        self.posts
            .iter()
            .any(|p| p.model.opening && p.approval.is_some())
    }

    pub(super) fn title_in(&self, locale: Locale) -> &(String, Option<String>, Option<String>) {
        let i = Locale::ALL.iter().position(|l| *l == locale).unwrap_or(0);
        &self.titles[i.min(self.titles.len().saturating_sub(1))]
    }
}

pub(super) type KeptThreads = moka::future::Cache<Uuid, Arc<KeptThread>>;

pub(super) fn kept_threads() -> KeptThreads {
    moka::future::Cache::builder()
        .weigher(|_: &Uuid, k: &Arc<KeptThread>| u32::try_from(k.bytes).unwrap_or(u32::MAX))
        // 64 MB of threads.
        .max_capacity(64 << 20)
        .time_to_live(STALE_AT_MOST)
        .build()
}

/// The generation of this replica's discussion writes.
#[derive(Clone, Default)]
pub(super) struct Generation(Arc<AtomicU64>);

impl Generation {
    pub(super) fn now(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }
    fn next(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

/// A shared error from a load other requests waited for, as this request's.
pub(super) fn unshare(e: Arc<Error>) -> Error {
    Arc::try_unwrap(e).unwrap_or_else(|shared| match &*shared {
        Error::NotFound { what } => Error::NotFound { what },
        Error::Backend { what, detail } => Error::Backend {
            what,
            detail: detail.clone(),
        },
        other => Error::Internal(other.to_string()),
    })
}

impl Discussions {
    /// Called after every commit of this service: kept threads are read
    /// again by the next request.
    pub(super) fn changed(&self) {
        self.generation.next();
    }

    /// The thread as every reader sees it; one load per thread at a time.
    pub(super) async fn kept(&self, id: Uuid) -> Result<Arc<KeptThread>> {
        let generation = self.generation.now();
        if let Some(k) = self.kept.get(&id).await {
            let age = k.loaded.elapsed();
            if k.generation >= generation && age < STALE_AT_MOST {
                if age >= FRESH_FOR && !k.refreshing.swap(true, Ordering::AcqRel) {
                    let this = self.clone();
                    tokio::spawn(async move {
                        match this.load_kept(id, generation).await {
                            Ok(fresh) => this.kept.insert(id, fresh).await,
                            // Gone or failing: the next request reads it itself.
                            Err(_) => this.kept.invalidate(&id).await,
                        }
                    });
                }
                return Ok(k);
            }
            self.kept.invalidate(&id).await;
        }
        let k = self
            .kept
            .try_get_with(id, self.load_kept(id, generation))
            .await
            .map_err(unshare)?;
        if k.generation >= generation {
            return Ok(k);
        }
        // It joined a load that began before a write this request must see.
        let k = self.load_kept(id, generation).await?;
        self.kept.insert(id, k.clone()).await;
        Ok(k)
    }

    async fn load_kept(&self, id: Uuid, generation: u64) -> Result<Arc<KeptThread>> {
        let thread = discussion_thread::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found("thread"))?;
        let space = discussion_space::Entity::find_by_id(thread.space_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found("thread"))?;
        let mut titles = Vec::with_capacity(Locale::ALL.len());
        for locale in Locale::ALL {
            titles.push(super::spaces::space_title(&self.db, &space, locale).await?);
        }
        let course = titles.first().and_then(|t| t.1.clone());
        let posts = discussion_post::Entity::find()
            .filter(discussion_post::Column::ThreadId.eq(id))
            .order_by_asc(discussion_post::Column::CreatedAt)
            .order_by_asc(discussion_post::Column::Id)
            .all(&self.db)
            .await?;
        let users = self
            .users(posts.iter().filter_map(|p| p.author_id).collect())
            .await?;
        let new_accounts = super::approvals::newcomers(&self.db, &users).await?;
        let mut held =
            super::approvals::held(&self.db, posts.iter().map(|p| p.id).collect()).await?;
        let mut images = self
            .images_by_post(posts.iter().filter(|p| !p.deleted).map(|p| p.id).collect())
            .await?;
        let mut kept = Vec::with_capacity(posts.len());
        for p in posts {
            let own = images.remove(&p.id).unwrap_or_default();
            let html: Arc<str> = if p.deleted {
                Arc::from("")
            } else {
                let new_account = p.author_id.is_none_or(|a| new_accounts.contains(&a));
                let key = RenderKey {
                    images: own.iter().map(|i| i.name.clone()).collect(),
                    post: p.id,
                    written_ms: (p.edited_at.unwrap_or(p.created_at).unix_timestamp_nanos()
                        / 1_000_000) as i64,
                    new_account,
                    course: course.clone(),
                };
                self.rendered
                    .get_with(key, async {
                        Arc::from(super::rendering::render(
                            &p.body,
                            course.as_deref(),
                            new_account,
                            &own,
                        ))
                    })
                    .await
            };
            kept.push(KeptPost {
                author_name: p
                    .author_id
                    .and_then(|a| users.get(&a))
                    .map(|u| u.display_name.clone())
                    .unwrap_or_default(),
                approval: held.remove(&p.id),
                html,
                images: own,
                model: p,
            });
        }
        Ok(Arc::new(KeptThread::new(
            generation, thread, space, titles, kept,
        )))
    }
}

impl KeptThread {
    fn new(
        generation: u64,
        thread: discussion_thread::Model,
        space: discussion_space::Model,
        titles: Vec<(String, Option<String>, Option<String>)>,
        posts: Vec<KeptPost>,
    ) -> Self {
        let mut h = DefaultHasher::new();
        let t = &thread;
        (
            t.id,
            t.space_id,
            &t.lesson_key,
            t.author_id,
            &t.title,
            t.question,
            t.answer_post_id,
            t.locked,
            t.reply_count,
            t.created_at,
        )
            .hash(&mut h);
        (
            &space.id,
            &space.slug,
            &space.kind,
            space.titles.to_string(),
        )
            .hash(&mut h);
        titles.hash(&mut h);
        let mut bytes = 512 + titles.iter().map(|t| t.0.len() + 64).sum::<usize>();
        for p in &posts {
            let m = &p.model;
            (
                m.id,
                m.parent_id,
                m.opening,
                m.author_id,
                &m.body,
                m.deleted,
                m.hidden,
                m.helpful_count,
                m.created_at,
                m.edited_at,
            )
                .hash(&mut h);
            (&p.author_name, &*p.html, &p.approval).hash(&mut h);
            for i in &p.images {
                (&i.name, &i.url, &i.alt, i.width, i.height, i.removed).hash(&mut h);
            }
            bytes += 256 + m.body.len() + p.html.len() + p.author_name.len() + 160 * p.images.len();
        }
        KeptThread {
            stamp: h.finish(),
            generation,
            loaded: Instant::now(),
            refreshing: AtomicBool::new(false),
            thread,
            space,
            titles,
            posts,
            bytes,
        }
    }
}

/// One reader's own parts of a thread, read per request.
pub struct ThreadReading {
    pub kept: Arc<KeptThread>,
    pub user_id: Uuid,
    pub access: super::Access,
    /// Suspended from posting in its space.
    pub suspended: bool,
    pub following: bool,
    /// The posts the reader marked "helpful".
    pub helpful: BTreeSet<Uuid>,
    /// The reader may mark the answer (a question's asker or a moderator).
    pub can_mark_answer: bool,
}
