//! The job queue: rows written in the same transaction as the change that
//! causes them, claimed by workers under a lease, retried with backoff, and
//! kept as `dead` with their last error when they keep failing.

use std::{collections::BTreeMap, time::Duration};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    Statement, sea_query::OnConflict,
};
use serde::{Serialize, de::DeserializeOwned};
use uuid::Uuid;

use crate::{Error, Result, entities::job, telemetry::origin};

pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const DEAD: &str = "dead";

/// A kind of background work. The payload is the struct itself, as JSON.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// Stable name stored in the `kind` column.
    const KIND: &'static str;
    /// Attempts before the job is marked dead.
    const MAX_ATTEMPTS: i32 = 8;
    /// Jobs with the same key are enqueued once (e.g. one certificate per enrolment).
    fn dedup_key(&self) -> Option<String> {
        None
    }
}

pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Enqueues a job on `conn`, which should be the transaction of the change
/// that causes it. Returns `false` when a job with the same dedup key exists.
pub async fn enqueue<J: Job>(conn: &impl ConnectionTrait, job: &J) -> Result<bool> {
    enqueue_at(conn, job, now_ms()).await
}

pub async fn enqueue_at<J: Job>(
    conn: &impl ConnectionTrait,
    job: &J,
    run_at_ms: i64,
) -> Result<bool> {
    let now = now_ms();
    let payload =
        serde_json::to_value(job).map_err(|e| Error::Internal(format!("job payload: {e}")))?;
    let row = job::ActiveModel {
        id: Set(Uuid::new_v4()),
        kind: Set(J::KIND.to_owned()),
        payload: Set(payload),
        dedup_key: Set(job.dedup_key()),
        status: Set(QUEUED.to_owned()),
        run_at: Set(run_at_ms),
        attempts: Set(0),
        max_attempts: Set(J::MAX_ATTEMPTS),
        last_error: Set(None),
        locked_by: Set(None),
        locked_until: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
        request_id: Set(origin::request_id()),
        traceparent: Set(origin::traceparent()),
    };
    let inserted = job::Entity::insert(row)
        .on_conflict(
            OnConflict::column(job::Column::DedupKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(inserted > 0)
}

/// A job a worker holds under lease.
#[derive(Clone, Debug, FromQueryResult)]
pub struct Claimed {
    pub id: Uuid,
    pub kind: String,
    pub payload: serde_json::Value,
    pub attempts: i32,
    pub max_attempts: i32,
    /// The request that enqueued the job, for its log lines.
    pub request_id: Option<String>,
    /// The trace context of the span that enqueued it; the job's span continues it.
    pub traceparent: Option<String>,
}

/// Claims the next due job of one of `kinds` (see [`claim_batch`]).
pub async fn claim(
    db: &DatabaseConnection,
    worker_id: &str,
    lease: Duration,
    kinds: &[&str],
) -> Result<Option<Claimed>> {
    Ok(claim_batch(db, worker_id, lease, kinds, 1).await?.pop())
}

/// Claims up to `limit` due jobs of `kinds` in one statement: queued ones
/// whose time has come, and running ones whose worker let its lease run out
/// (it died), oldest first. They share one lease, so the caller claims only
/// as many as it starts at once. A worker claims only the kinds it can run,
/// so a job waits, untouched, for a worker that knows it (during a rolling
/// upgrade, say).
///
/// On PostgreSQL any number of workers claim side by side: the ids are
/// picked once, `FOR UPDATE SKIP LOCKED`, in an `ARRAY(…)` sub-plan, so a
/// row another worker is claiming is skipped, never claimed twice. SQLite
/// has a single writer, so the one `UPDATE … WHERE id IN (SELECT …)` is
/// atomic.
pub async fn claim_batch(
    db: &DatabaseConnection,
    worker_id: &str,
    lease: Duration,
    kinds: &[&str],
    limit: usize,
) -> Result<Vec<Claimed>> {
    if kinds.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let now = now_ms();
    let until = now + lease.as_millis() as i64;
    let backend = db.get_database_backend();
    let postgres = backend == DatabaseBackend::Postgres;
    let param = |n: usize| {
        if postgres {
            format!("${n}")
        } else {
            format!("?{n}")
        }
    };
    let kind_list: Vec<String> = (0..kinds.len()).map(|i| param(i + 5)).collect();
    let due = format!(
        "SELECT id FROM jobs
           WHERE ((status = 'queued' AND run_at <= {p3}) OR (status = 'running' AND locked_until < {p3}))
             AND kind IN ({kinds})
           ORDER BY run_at LIMIT {p4}",
        p3 = param(3),
        p4 = param(4),
        kinds = kind_list.join(", "),
    );
    let picked = if postgres {
        format!("id = ANY(ARRAY({due} FOR UPDATE SKIP LOCKED))")
    } else {
        format!("id IN ({due})")
    };
    let sql = format!(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = {p1}, locked_until = {p2}, updated_at = {p3}
         WHERE {picked}
         RETURNING id, kind, payload, attempts, max_attempts, request_id, traceparent",
        p1 = param(1),
        p2 = param(2),
        p3 = param(3),
    );
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut values: Vec<sea_orm::Value> =
        vec![worker_id.into(), until.into(), now.into(), limit.into()];
    values.extend(kinds.iter().map(|k| (*k).into()));
    let stmt = Statement::from_sql_and_values(backend, sql, values);
    Ok(Claimed::find_by_statement(stmt).all(db).await?)
}

/// Marks a held job done. A worker whose lease ran out (and whose job was
/// reclaimed) changes nothing.
pub async fn complete(db: &DatabaseConnection, id: Uuid, worker_id: &str) -> Result<bool> {
    let now = now_ms();
    let res = job::Entity::update_many()
        .col_expr(job::Column::Status, DONE.into())
        .col_expr(job::Column::LockedBy, Option::<String>::None.into())
        .col_expr(job::Column::LockedUntil, Option::<i64>::None.into())
        .col_expr(job::Column::FinishedAt, Some(now).into())
        .col_expr(job::Column::UpdatedAt, now.into())
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::LockedBy.eq(worker_id))
        .filter(job::Column::Status.eq(RUNNING))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Queued again, to run at this time (epoch ms).
    Retry {
        at_ms: i64,
    },
    Dead,
    /// The lease had run out and another worker holds the job now.
    LostLease,
}

/// Exponential backoff from `first` (5 s by default), capped at an hour,
/// with ±25 % jitter so that jobs failing together do not retry together.
pub fn backoff(attempt: i32, first: Duration) -> Duration {
    let base = (first.as_millis() as u64)
        .saturating_mul(1u64 << (attempt.clamp(1, 20) - 1) as u32)
        .min(3_600_000);
    let jitter = (Uuid::new_v4().as_u128() % 1_000) as u64; // 0..1000 per mille
    Duration::from_millis(base * (750 + jitter / 2) / 1_000)
}

/// Records a failed attempt: retried later, or dead after the last attempt.
pub async fn fail(
    db: &DatabaseConnection,
    claimed: &Claimed,
    worker_id: &str,
    error: &str,
    first_retry: Duration,
) -> Result<Failure> {
    let now = now_ms();
    let dead = claimed.attempts >= claimed.max_attempts;
    let at_ms = now + backoff(claimed.attempts, first_retry).as_millis() as i64;
    let error: String = error.chars().take(4_000).collect();
    let res = job::Entity::update_many()
        .col_expr(job::Column::Status, if dead { DEAD } else { QUEUED }.into())
        .col_expr(job::Column::RunAt, at_ms.into())
        .col_expr(job::Column::LastError, Some(error).into())
        .col_expr(job::Column::LockedBy, Option::<String>::None.into())
        .col_expr(job::Column::LockedUntil, Option::<i64>::None.into())
        .col_expr(job::Column::UpdatedAt, now.into())
        .filter(job::Column::Id.eq(claimed.id))
        .filter(job::Column::LockedBy.eq(worker_id))
        .filter(job::Column::Status.eq(RUNNING))
        .exec(db)
        .await?;
    Ok(match (res.rows_affected, dead) {
        (0, _) => Failure::LostLease,
        (_, true) => Failure::Dead,
        (_, false) => Failure::Retry { at_ms },
    })
}

/// Hands back the jobs a stopping worker still holds, without counting the attempt.
pub async fn release(db: &DatabaseConnection, worker_id: &str) -> Result<u64> {
    let res = job::Entity::update_many()
        .col_expr(job::Column::Status, QUEUED.into())
        .col_expr(job::Column::Attempts, {
            use sea_orm::sea_query::ExprTrait;
            sea_orm::sea_query::Expr::col(job::Column::Attempts).sub(1)
        })
        .col_expr(job::Column::LockedBy, Option::<String>::None.into())
        .col_expr(job::Column::LockedUntil, Option::<i64>::None.into())
        .col_expr(job::Column::UpdatedAt, now_ms().into())
        .filter(job::Column::LockedBy.eq(worker_id))
        .filter(job::Column::Status.eq(RUNNING))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// How many jobs are in each state.
pub async fn counts(db: &DatabaseConnection) -> Result<BTreeMap<String, u64>> {
    let rows: Vec<(String, i64)> = job::Entity::find()
        .select_only()
        .column(job::Column::Status)
        .column_as(job::Column::Id.count(), "n")
        .group_by(job::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let mut out: BTreeMap<String, u64> = [QUEUED, RUNNING, DEAD, DONE]
        .iter()
        .map(|s| (s.to_string(), 0))
        .collect();
    for (status, n) in rows {
        out.insert(status, n.max(0) as u64);
    }
    Ok(out)
}

/// What `/metrics` reports of the queue.
pub struct QueueFigures {
    /// (kind, state, jobs) for the states that need an eye: queued,
    /// running and dead. Done jobs are counted by the workers as they finish.
    pub counts: Vec<(String, String, u64)>,
    /// How long the oldest due, queued job has waited (0 when none waits).
    pub oldest_due_seconds: f64,
}

pub async fn queue_figures(db: &DatabaseConnection) -> Result<QueueFigures> {
    let rows: Vec<(String, String, i64)> = job::Entity::find()
        .select_only()
        .column(job::Column::Kind)
        .column(job::Column::Status)
        .column_as(job::Column::Id.count(), "n")
        .filter(job::Column::Status.is_in([QUEUED, RUNNING, DEAD]))
        .group_by(job::Column::Kind)
        .group_by(job::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let now = now_ms();
    let oldest: Option<Option<i64>> = job::Entity::find()
        .select_only()
        .column_as(job::Column::RunAt.min(), "oldest")
        .filter(job::Column::Status.eq(QUEUED))
        .filter(job::Column::RunAt.lte(now))
        .into_tuple()
        .one(db)
        .await?;
    Ok(QueueFigures {
        counts: rows
            .into_iter()
            .map(|(kind, state, n)| (kind, state, n.max(0) as u64))
            .collect(),
        oldest_due_seconds: oldest
            .flatten()
            .map_or(0.0, |at| (now - at).max(0) as f64 / 1000.0),
    })
}

/// Jobs in one state, oldest first.
pub async fn list(db: &DatabaseConnection, status: &str, limit: u64) -> Result<Vec<job::Model>> {
    if ![QUEUED, RUNNING, DEAD, DONE].contains(&status) {
        return Err(Error::invalid(
            "status",
            "expected queued, running, dead or done",
        ));
    }
    Ok(job::Entity::find()
        .filter(job::Column::Status.eq(status))
        .order_by_asc(job::Column::RunAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// Puts a dead job back in the queue with a fresh set of attempts.
pub async fn retry_dead(db: &DatabaseConnection, id: Uuid) -> Result<()> {
    let job = job::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound { what: "job" })?;
    if job.status != DEAD {
        return Err(Error::Conflict {
            field: "status".into(),
            reason: format!("only dead jobs can be retried; this one is {}", job.status),
        });
    }
    let mut am: job::ActiveModel = job.into();
    am.status = Set(QUEUED.into());
    am.attempts = Set(0);
    am.run_at = Set(now_ms());
    am.updated_at = Set(now_ms());
    am.update(db).await?;
    Ok(())
}

/// The ids of the queued jobs of a kind, as committed now.
pub async fn queued_ids(db: &DatabaseConnection, kind: &str) -> Result<Vec<Uuid>> {
    Ok(job::Entity::find()
        .select_only()
        .column(job::Column::Id)
        .filter(job::Column::Kind.eq(kind))
        .filter(job::Column::Status.eq(QUEUED))
        .into_tuple()
        .all(db)
        .await?)
}

/// Marks done those of `ids` that are still queued, because their work was
/// done another way (a whole rebuild that read the database after they
/// were committed). A job a worker has claimed meanwhile is left to it.
pub async fn settle(db: &DatabaseConnection, ids: &[Uuid]) -> Result<u64> {
    let now = now_ms();
    let mut settled = 0;
    for chunk in ids.chunks(500) {
        settled += job::Entity::update_many()
            .col_expr(job::Column::Status, DONE.into())
            .col_expr(job::Column::FinishedAt, Some(now).into())
            .col_expr(job::Column::UpdatedAt, now.into())
            .filter(job::Column::Id.is_in(chunk.iter().copied()))
            .filter(job::Column::Status.eq(QUEUED))
            .exec(db)
            .await?
            .rows_affected;
    }
    Ok(settled)
}

/// Jobs of a kind, for tests and operators.
pub async fn count_kind(db: &DatabaseConnection, kind: &str) -> Result<u64> {
    Ok(job::Entity::find()
        .filter(job::Column::Kind.eq(kind))
        .count(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let five = Duration::from_secs(5);
        let first = backoff(1, five).as_millis();
        assert!((3_750..=6_250).contains(&first), "{first}");
        let fourth = backoff(4, five).as_millis();
        assert!((30_000..=50_000).contains(&fourth), "{fourth}");
        assert!(backoff(30, five).as_millis() <= 4_500_000);
        let quick = backoff(2, Duration::from_secs(1)).as_millis();
        assert!((1_500..=2_500).contains(&quick), "{quick}");
    }
}
