//! From the database to discussion search documents: the job written with
//! every change to a thread (a post written, edited, hidden, restored or
//! deleted; the thread moved or deleted; a waiting post approved), and the
//! full rebuild. Hidden, deleted and waiting posts are never indexed; which spaces a reader may search is
//! decided at search time, by the discussions service.

use std::collections::BTreeMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{PostDocument, SearchIndex, text};
use crate::{
    Result,
    entities::{discussion_approval, discussion_post, discussion_thread},
    jobs::{self, Job},
};

/// Brings one thread's posts in the search index in line with the database.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IndexThread {
    pub thread_id: Uuid,
    /// When the change was enqueued (ms): every change gets a job of its
    /// own, as the queue's dedup keys stay taken by done jobs.
    pub version: i64,
}

impl Job for IndexThread {
    const KIND: &'static str = "search.index_thread";
    const MAX_ATTEMPTS: i32 = 30;
    fn dedup_key(&self) -> Option<String> {
        Some(format!(
            "{}:{}:{}",
            Self::KIND,
            self.thread_id,
            self.version
        ))
    }
}

/// Enqueues the indexing of a thread on `conn`, the transaction of the change.
pub async fn enqueue_thread_index(conn: &impl ConnectionTrait, thread_id: Uuid) -> Result<()> {
    jobs::enqueue(
        conn,
        &IndexThread {
            thread_id,
            version: jobs::now_ms(),
        },
    )
    .await?;
    Ok(())
}

fn ms(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

fn document(t: &discussion_thread::Model, p: discussion_post::Model) -> PostDocument {
    PostDocument {
        id: p.id,
        thread_id: t.id,
        space_id: t.space_id,
        title: t.title.clone(),
        body: text::strip_markdown(&p.body),
        opening: p.opening,
        created_ms: ms(p.created_at),
    }
}

/// Posts others can read: not hidden, not deleted, and not a new account's
/// post waiting for a moderator (or rejected: see `discussions::approvals`).
fn visible() -> sea_orm::Condition {
    let held = sea_orm::sea_query::Query::select()
        .column(discussion_approval::Column::PostId)
        .from(discussion_approval::Entity)
        .to_owned();
    sea_orm::Condition::all()
        .add(discussion_post::Column::Hidden.eq(false))
        .add(discussion_post::Column::Deleted.eq(false))
        .add(discussion_post::Column::Id.not_in_subquery(held))
}

/// The documents of one thread's visible posts (none when it is gone).
pub async fn load_thread_posts(
    db: &impl ConnectionTrait,
    thread: Uuid,
) -> Result<Vec<PostDocument>> {
    let Some(t) = discussion_thread::Entity::find_by_id(thread)
        .one(db)
        .await?
    else {
        return Ok(Vec::new());
    };
    Ok(discussion_post::Entity::find()
        .filter(discussion_post::Column::ThreadId.eq(t.id))
        .filter(visible())
        .order_by_asc(discussion_post::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|p| document(&t, p))
        .collect())
}

/// The job's work: the thread's posts, as they are now.
pub async fn index_thread(
    db: &DatabaseConnection,
    index: &SearchIndex,
    thread: Uuid,
) -> Result<()> {
    let docs = load_thread_posts(db, thread).await?;
    index.index_thread(thread, docs).await
}

/// Rebuilds the discussion index from the database. Returns the number of
/// posts indexed. The thread jobs queued before the read are covered by it.
pub async fn reindex_discussions(db: &DatabaseConnection, index: &SearchIndex) -> Result<u64> {
    let covered = jobs::queued_ids(db, IndexThread::KIND).await?;
    let threads: BTreeMap<Uuid, discussion_thread::Model> = discussion_thread::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let docs: Vec<PostDocument> = discussion_post::Entity::find()
        .filter(visible())
        .all(db)
        .await?
        .into_iter()
        .filter_map(|p| Some(document(threads.get(&p.thread_id)?, p)))
        .collect();
    let n = docs.len() as u64;
    index.replace_all_posts(docs).await?;
    jobs::settle(db, &covered).await?;
    Ok(n)
}
