//! The threads under each lesson, kept in the process: every signed-in
//! lesson page lists them, and they change only when someone writes in
//! the course's space.
//!
//! As fresh as kept threads (see `kept`): every write of this service moves
//! the generation on, and a list of an older generation is read again, so
//! the replica that wrote shows the change to the next request; writes on
//! other replicas show within [`FRESH_FOR`], how long a list is kept at all.

use std::sync::Arc;

use uuid::Uuid;

use super::{
    Discussions,
    kept::{FRESH_FOR, unshare},
    threads::ThreadSummary,
};
use crate::Result;

/// The threads about one lesson, newest activity first, and whether there
/// are more than were listed.
pub(super) struct KeptList {
    generation: u64,
    threads: Vec<ThreadSummary>,
    more: bool,
}

/// (course, lesson key, how many listed).
type ListKey = (Uuid, String, u64);

pub(super) type LessonLists = moka::future::Cache<ListKey, Arc<KeptList>>;

pub(super) fn lesson_lists() -> LessonLists {
    moka::future::Cache::builder()
        // A list is at most a few kilobytes.
        .max_capacity(20_000)
        .time_to_live(FRESH_FOR)
        .build()
}

impl Discussions {
    /// The threads about a lesson of a published course: kept, or read
    /// with one query (one read at a time per lesson).
    pub(super) async fn lesson_list(
        &self,
        course: &str,
        course_id: Uuid,
        key: &str,
        limit: u64,
    ) -> Result<(Vec<ThreadSummary>, bool)> {
        let id: ListKey = (course_id, key.to_owned(), limit);
        let generation = self.generation.now();
        if let Some(k) = self.lesson_lists.get(&id).await {
            if k.generation >= generation {
                return Ok((k.threads.clone(), k.more));
            }
            self.lesson_lists.invalidate(&id).await;
        }
        let load = self.read_list(course, course_id, key, limit, generation);
        let mut k = self
            .lesson_lists
            .try_get_with(id.clone(), load)
            .await
            .map_err(unshare)?;
        if k.generation < generation {
            // It joined a read that began before a write this request must see.
            k = self
                .read_list(course, course_id, key, limit, generation)
                .await?;
            self.lesson_lists.insert(id, k.clone()).await;
        }
        Ok((k.threads.clone(), k.more))
    }

    /// The list read from the database, as of `generation`.
    async fn read_list(
        &self,
        course: &str,
        course_id: Uuid,
        key: &str,
        limit: u64,
        generation: u64,
    ) -> Result<Arc<KeptList>> {
        let (threads, more) = self
            .read_lesson_threads(course, course_id, key, limit)
            .await?;
        Ok(Arc::new(KeptList {
            generation,
            threads,
            more,
        }))
    }
}
