//! The job guard: a test fails when it leaves the queue in a state nobody
//! asked for. At the end of every test server (its drop), once the worker
//! has had the chance to drain what is due, these are left-overs:
//! - a dead job;
//! - a job that failed and waits for its retry;
//! - a job that is due (or running) and was never done.
//!
//! A job scheduled for later and never tried yet (the popularity refresh at
//! the close of its window) is the queue working as designed, not a
//! left-over. A test that leaves jobs on purpose says so, with its reason:
//! `server.expect_jobs_left(kind, why)`.

use std::time::{Duration, Instant};

use agora_core::{entities::job, jobs};
use sea_orm::{ColumnTrait, Database, EntityTrait, QueryFilter, QueryOrder};

/// How long the guard waits for the worker to finish what is due.
const DRAIN: Duration = Duration::from_secs(30);

/// A job kind a test leaves behind on purpose, and why.
#[derive(Clone, Debug)]
pub struct Expected {
    pub kind: String,
    pub why: String,
}

fn is_left_over(j: &job::Model, now: i64) -> bool {
    match j.status.as_str() {
        jobs::DEAD | jobs::RUNNING => true,
        jobs::QUEUED => j.attempts > 0 || j.run_at <= now,
        _ => false,
    }
}

/// Checks the queue of the database at `url`; with `worker_running`, waits
/// first for it to run what is due. The error describes every left-over.
pub fn check(url: &str, expected: &[Expected], worker_running: bool) -> Result<(), String> {
    let url = url.to_owned();
    let expected = expected.to_vec();
    // A drop may run inside a runtime, which cannot be blocked: a thread of its own.
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("the job guard has no runtime: {e}"))?;
        rt.block_on(check_queue(&url, &expected, worker_running))
    })
    .join()
    .unwrap_or_else(|_| Err("the job guard panicked".into()))
}

async fn check_queue(url: &str, expected: &[Expected], worker_running: bool) -> Result<(), String> {
    let conn = Database::connect(url)
        .await
        .map_err(|e| format!("the job guard cannot connect: {e}"))?;
    let deadline = Instant::now() + DRAIN;
    loop {
        let now = jobs::now_ms();
        let left: Vec<job::Model> = job::Entity::find()
            .filter(job::Column::Status.ne(jobs::DONE))
            .order_by_asc(job::Column::CreatedAt)
            .all(&conn)
            .await
            .map_err(|e| format!("the job guard cannot read the queue: {e}"))?
            .into_iter()
            .filter(|j| is_left_over(j, now))
            .filter(|j| !expected.iter().any(|e| e.kind == j.kind))
            .collect();
        if left.is_empty() {
            conn.close().await.ok();
            return Ok(());
        }
        // Worth waiting for: the worker may still run (or retry) these in time.
        let remaining = deadline.saturating_duration_since(Instant::now());
        let may_still_run = worker_running
            && !remaining.is_zero()
            && left
                .iter()
                .all(|j| j.status != jobs::DEAD && j.run_at <= now + remaining.as_millis() as i64);
        if !may_still_run {
            conn.close().await.ok();
            return Err(report(&left, expected));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn report(left: &[job::Model], expected: &[Expected]) -> String {
    let mut out = String::from("the test left jobs behind:\n");
    for j in left {
        out.push_str(&format!(
            "  {} ({}, {} attempt(s), due in {} ms){}\n",
            j.kind,
            j.status,
            j.attempts,
            j.run_at - jobs::now_ms(),
            j.last_error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        ));
    }
    for e in expected {
        out.push_str(&format!(
            "  (let be, as the test expects: {}, {})\n",
            e.kind, e.why
        ));
    }
    out.push_str("if the test leaves them on purpose, say so: server.expect_jobs_left(kind, why)");
    out
}
