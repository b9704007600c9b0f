//! Published content, rendered once per content generation and kept in
//! process: course structure, lesson HTML and quiz questions (without
//! answers), course outlines, course pages and catalogue listings.
//!
//! Published content only changes when a course is published, unpublished,
//! archived or imported. Each of those bumps the *content generation*, a
//! one-row table, in the same transaction as the change ([`bump`]).
//!
//! - The replica that made the change drops its rendered content at once
//!   ([`Published::advance`]) after the commit.
//! - Every `agora serve` and worker polls the generation every
//!   [`POLL_EVERY`] ([`Published::watch`]) and drops its rendered content when
//!   it moved, so other replicas follow within a second.
//!
//! Why a polled row rather than a Redis key or publish/subscribe message:
//! the bump commits with the change itself (a change never lands without
//! its bump, and a bump is never seen before the change is readable), it
//! works the same on SQLite, PostgreSQL, with and without Redis, and a
//! replica that missed a message (Redis restarted, a reconnect) still sees
//! the number. One primary-key read every 250 ms per process is nothing.
//!
//! Everything rendered lives in a [`Snapshot`] that carries the generation
//! it belongs to. A change replaces the whole snapshot; a build that started
//! before the change finishes into the old snapshot, which nobody reads any
//! more, so stale content is never served after the new generation is seen.

mod pages;
mod quiz;
mod render;
mod structure;

use std::{
    sync::{Arc, RwLock},
    time::Duration,
};

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait},
};
use tokio::sync::watch;
use uuid::Uuid;

use crate::{
    Result,
    catalogue::{CourseOutline, CoursePage},
    domain::Locale,
    entities::content_generation,
};

pub use pages::{COUNTS_WINDOW, CatalogueVersion};
pub use quiz::{OptionView, QuestionView, QuizQuestions};
pub(crate) use quiz::{passing_score_of, question_text};
pub use render::{RenderedLesson, ResourceLink};
pub(crate) use structure::{CourseTitles, OrderedLesson, ordered_lessons};
pub use structure::{LessonEntry, PublishedCourse};

/// How often every process reads the content generation.
pub const POLL_EVERY: Duration = Duration::from_millis(250);

/// Moves the content generation on, inside the transaction that changes
/// published content; returns the new generation, for [`Published::advance`]
/// once the transaction has committed.
pub async fn bump(txn: &impl ConnectionTrait) -> Result<i64> {
    let rows = content_generation::Entity::update_many()
        .col_expr(
            content_generation::Column::Generation,
            Expr::col(content_generation::Column::Generation).add(1),
        )
        .filter(content_generation::Column::Id.eq(1))
        .exec_with_returning(txn)
        .await?;
    Ok(rows.first().map(|r| r.generation).unwrap_or_default())
}

/// The content generation as the database has it now.
pub async fn current(db: &impl ConnectionTrait) -> Result<i64> {
    let g: Option<i64> = content_generation::Entity::find_by_id(1)
        .select_only()
        .column(content_generation::Column::Generation)
        .into_tuple()
        .one(db)
        .await?;
    Ok(g.unwrap_or_default())
}

/// What is rendered for one content generation.
pub struct Snapshot {
    pub generation: i64,
    courses: moka::future::Cache<String, Arc<PublishedCourse>>,
    orders: moka::future::Cache<Uuid, Arc<Vec<OrderedLesson>>>,
    titles: moka::future::Cache<Uuid, Arc<CourseTitles>>,
    lessons: moka::future::Cache<(Uuid, Locale), Arc<RenderedLesson>>,
    outlines: moka::future::Cache<(String, Locale), Arc<CourseOutline>>,
    /// Course pages and catalogue listings carry enrolment counts, so their
    /// keys also name the counts window they were built in.
    course_pages: moka::future::Cache<String, Arc<CourseOutline>>,
    listings: moka::future::Cache<String, Arc<CoursePage>>,
}

fn cache<K, V>(capacity: u64) -> moka::future::Cache<K, V>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    moka::future::Cache::builder()
        .max_capacity(capacity)
        .time_to_idle(Duration::from_secs(3600))
        .build()
}

/// For what carries enrolment counts: gone once its counts window is past.
fn windowed<K, V>() -> moka::future::Cache<K, V>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    moka::future::Cache::builder()
        .max_capacity(5_000)
        .time_to_live(COUNTS_WINDOW * 2)
        .build()
}

impl Snapshot {
    fn new(generation: i64) -> Self {
        Self {
            generation,
            courses: cache(10_000),
            orders: cache(10_000),
            titles: cache(10_000),
            lessons: cache(50_000),
            outlines: cache(10_000),
            course_pages: windowed(),
            listings: windowed(),
        }
    }
}

/// The published-content store, shared by every service of a process.
#[derive(Clone)]
pub struct Published {
    db: DatabaseConnection,
    snapshot: Arc<RwLock<Arc<Snapshot>>>,
}

impl Published {
    /// An empty store; it learns the generation on its first poll or build.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            snapshot: Arc::new(RwLock::new(Arc::new(Snapshot::new(-1)))),
        }
    }

    /// The snapshot requests read from now.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.read().expect("not poisoned").clone()
    }

    /// The content generation this process serves; `-1` before it knows.
    pub fn generation(&self) -> i64 {
        self.snapshot().generation
    }

    /// Drops everything rendered when `generation` is newer than what this
    /// process serves. Returns whether it was.
    pub fn advance(&self, generation: i64) -> bool {
        let mut s = self.snapshot.write().expect("not poisoned");
        if generation <= s.generation {
            return false;
        }
        *s = Arc::new(Snapshot::new(generation));
        true
    }

    /// Reads the generation once and follows it.
    pub async fn poll(&self) -> Result<bool> {
        Ok(self.advance(current(&self.db).await?))
    }

    /// Follows the content generation every [`POLL_EVERY`] until `stop`
    /// turns true. A failed read is logged and retried at the next tick.
    pub fn watch(&self, mut stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(POLL_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stop.changed() => {}
                }
                if *stop.borrow() {
                    return;
                }
                match this.poll().await {
                    Ok(true) => tracing::info!(
                        generation = this.generation(),
                        "published content changed: rendered content dropped"
                    ),
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot read the content generation"),
                }
            }
        })
    }

    /// The snapshot to build into: before the first poll, the generation is
    /// read first, so that what is built is never older than its snapshot.
    async fn current_snapshot(&self) -> Result<Arc<Snapshot>> {
        let s = self.snapshot();
        if s.generation >= 0 {
            return Ok(s);
        }
        self.poll().await?;
        Ok(self.snapshot())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_a_newer_generation_replaces_what_is_rendered() {
        let p = Published::new(DatabaseConnection::default());
        assert_eq!(p.generation(), -1);
        assert!(p.advance(3));
        let old = p.snapshot();
        old.titles
            .insert(
                Uuid::nil(),
                Arc::new(CourseTitles {
                    slug: "a".into(),
                    default_locale: Locale::En,
                    titles: vec![],
                }),
            )
            .await;
        // The same or an older generation (a late poll) keeps the snapshot.
        assert!(!p.advance(3));
        assert!(!p.advance(2));
        assert!(p.snapshot().titles.get(&Uuid::nil()).await.is_some());
        // A newer one starts afresh; a build still finishing into the old
        // snapshot is not seen.
        assert!(p.advance(4));
        assert_eq!(p.generation(), 4);
        assert!(p.snapshot().titles.get(&Uuid::nil()).await.is_none());
        old.titles
            .insert(
                Uuid::nil(),
                Arc::new(CourseTitles {
                    slug: "stale".into(),
                    default_locale: Locale::En,
                    titles: vec![],
                }),
            )
            .await;
        assert!(p.snapshot().titles.get(&Uuid::nil()).await.is_none());
    }
}
