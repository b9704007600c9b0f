//! The job queue and the worker, against the real test database.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use agora_core::{
    entities::job,
    jobs::{self, Job},
};
use agora_tests::{TempDir, TestDb, run_agora, wait_until};
use agora_worker::{Registry, Worker, WorkerOptions};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set, TransactionTrait};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

#[derive(Serialize, Deserialize)]
struct Record {
    n: u32,
}
impl Job for Record {
    const KIND: &'static str = "test.record";
}

#[derive(Serialize, Deserialize)]
struct Flaky {
    key: String,
}
impl Job for Flaky {
    const KIND: &'static str = "test.flaky";
    const MAX_ATTEMPTS: i32 = 2;
    fn dedup_key(&self) -> Option<String> {
        Some(format!("flaky:{}", self.key))
    }
}

async fn migrated() -> (TestDb, DatabaseConnection) {
    let db = TestDb::new().await;
    let conn = db.connect().await;
    agora_core::db::migrate(&conn).await.unwrap();
    (db, conn)
}

fn fast() -> WorkerOptions {
    WorkerOptions {
        concurrency: 4,
        batch: 4,
        lease: Duration::from_secs(30),
        poll_interval: Duration::from_millis(20),
        shutdown_grace: Duration::from_secs(5),
        first_retry: Duration::from_secs(5),
    }
}

async fn status_of(conn: &DatabaseConnection, kind: &str) -> Vec<job::Model> {
    use sea_orm::{ColumnTrait, QueryFilter};
    job::Entity::find()
        .filter(job::Column::Kind.eq(kind))
        .all(conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn jobs_are_written_with_their_transaction_and_deduplicated() {
    let (_db, conn) = migrated().await;
    let txn = conn.begin().await.unwrap();
    jobs::enqueue(&txn, &Record { n: 1 }).await.unwrap();
    txn.rollback().await.unwrap();
    assert_eq!(
        jobs::count_kind(&conn, Record::KIND).await.unwrap(),
        0,
        "a rolled-back change leaves no job"
    );

    let txn = conn.begin().await.unwrap();
    assert!(
        jobs::enqueue(&txn, &Flaky { key: "a".into() })
            .await
            .unwrap()
    );
    assert!(
        !jobs::enqueue(&txn, &Flaky { key: "a".into() })
            .await
            .unwrap(),
        "same dedup key: not enqueued twice"
    );
    assert!(
        jobs::enqueue(&txn, &Flaky { key: "b".into() })
            .await
            .unwrap()
    );
    txn.commit().await.unwrap();
    assert_eq!(jobs::count_kind(&conn, Flaky::KIND).await.unwrap(), 2);
}

#[tokio::test]
async fn concurrent_workers_run_every_job_exactly_once() {
    let (_db, conn) = migrated().await;
    for n in 0..200 {
        jobs::enqueue(&conn, &Record { n }).await.unwrap();
    }
    let runs: Arc<Mutex<HashMap<u32, u32>>> = Arc::default();
    let (stop, stopped) = watch::channel(false);
    let mut workers = Vec::new();
    for _ in 0..3 {
        let mut registry = Registry::default();
        let runs = runs.clone();
        registry.register(move |job: Record| {
            let runs = runs.clone();
            async move {
                *runs.lock().unwrap().entry(job.n).or_default() += 1;
                Ok(())
            }
        });
        let worker_conn = agora_core::db::connect(&_db.url.parse().unwrap(), 8)
            .await
            .unwrap();
        workers.push(tokio::spawn(
            Worker::new(worker_conn, registry, fast()).run(stopped.clone()),
        ));
    }
    wait_until("all 200 jobs are done", || async {
        jobs::counts(&conn).await.unwrap()[jobs::DONE] == 200
    })
    .await;
    stop.send(true).unwrap();
    for w in workers {
        w.await.unwrap();
    }
    let runs = runs.lock().unwrap();
    assert_eq!(runs.len(), 200);
    assert!(runs.values().all(|&n| n == 1), "a job ran twice: {runs:?}");
}

#[tokio::test]
async fn failures_back_off_then_die_and_can_be_retried() {
    let (db, conn) = migrated().await;
    jobs::enqueue(&conn, &Flaky { key: "x".into() })
        .await
        .unwrap();
    let attempts = Arc::new(Mutex::new(0));
    let mut registry = Registry::default();
    let seen = attempts.clone();
    registry.register(move |_: Flaky| {
        let seen = seen.clone();
        async move {
            let mut n = seen.lock().unwrap();
            *n += 1;
            if *n <= 2 {
                Err(format!("SMTP refused, attempt {n}"))
            } else {
                Ok(())
            }
        }
    });
    let (stop, stopped) = watch::channel(false);
    let worker = tokio::spawn(Worker::new(conn.clone(), registry, fast()).run(stopped));

    wait_until("the first failure is recorded", || async {
        status_of(&conn, Flaky::KIND).await[0].last_error.is_some()
    })
    .await;
    let row = status_of(&conn, Flaky::KIND).await.remove(0);
    assert_eq!(row.status, jobs::QUEUED);
    assert_eq!(row.attempts, 1);
    assert_eq!(row.last_error.as_deref(), Some("SMTP refused, attempt 1"));
    let delay = row.run_at - jobs::now_ms();
    assert!((2_000..=6_500).contains(&delay), "backoff of {delay} ms");

    // Let the clock "pass" instead of waiting for the backoff.
    let mut am: job::ActiveModel = row.into();
    am.run_at = Set(jobs::now_ms());
    am.update(&conn).await.unwrap();
    wait_until("the job is dead", || async {
        status_of(&conn, Flaky::KIND).await[0].status == jobs::DEAD
    })
    .await;
    let dead = status_of(&conn, Flaky::KIND).await.remove(0);
    assert_eq!(dead.attempts, 2);
    assert_eq!(dead.last_error.as_deref(), Some("SMTP refused, attempt 2"));

    // An operator sees it and retries it from the command line.
    let data = TempDir::new();
    let out = run_agora(&db, data.path(), &["jobs", "list", "--status", "dead"]);
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(
        listing.contains(&dead.id.to_string()) && listing.contains("SMTP refused, attempt 2"),
        "{listing}"
    );
    let out = run_agora(&db, data.path(), &["jobs", "retry", &dead.id.to_string()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = run_agora(&db, data.path(), &["jobs", "retry", &dead.id.to_string()]);
    assert!(!again.status.success(), "only dead jobs can be retried");
    wait_until("the retried job is done", || async {
        status_of(&conn, Flaky::KIND).await[0].status == jobs::DONE
    })
    .await;
    assert_eq!(*attempts.lock().unwrap(), 3);
    stop.send(true).unwrap();
    worker.await.unwrap();
}

#[tokio::test]
async fn jobs_whose_worker_died_are_reclaimed_after_their_lease() {
    let (_db, conn) = migrated().await;
    for n in 0..5 {
        jobs::enqueue(&conn, &Record { n }).await.unwrap();
    }
    // Worker A claims a batch and then "dies": it never completes them.
    let lease = Duration::from_secs(1);
    let batch = jobs::claim_batch(&conn, "dead-worker", lease, &[Record::KIND], 3)
        .await
        .unwrap();
    let mut held: Vec<_> = batch.iter().map(|j| j.id).collect();
    held.sort();
    held.dedup();
    assert_eq!(held.len(), 3, "three distinct jobs in one claim");
    let rest = jobs::claim_batch(&conn, "worker-b", lease, &[Record::KIND], 10)
        .await
        .unwrap();
    assert_eq!(
        rest.len(),
        2,
        "the batch is held under lease; the rest is free"
    );
    assert!(rest.iter().all(|j| !held.contains(&j.id)));
    for j in &rest {
        assert!(jobs::complete(&conn, j.id, "worker-b").await.unwrap());
    }
    let started = Instant::now();
    let reclaimed = loop {
        let again = jobs::claim_batch(&conn, "worker-b", lease, &[Record::KIND], 10)
            .await
            .unwrap();
        if !again.is_empty() {
            break again;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "never reclaimed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let mut ids: Vec<_> = reclaimed.iter().map(|j| j.id).collect();
    ids.sort();
    assert_eq!(
        ids, held,
        "the whole batch comes back once its lease ran out"
    );
    assert!(reclaimed.iter().all(|j| j.attempts == 2));
    // The dead worker's late report changes nothing; the new holder's counts.
    assert!(!jobs::complete(&conn, held[0], "dead-worker").await.unwrap());
    for id in held {
        assert!(jobs::complete(&conn, id, "worker-b").await.unwrap());
    }
    assert_eq!(jobs::counts(&conn).await.unwrap()[jobs::DONE], 5);
}

#[tokio::test]
async fn shutdown_releases_jobs_still_running_after_the_grace_period() {
    let (_db, conn) = migrated().await;
    jobs::enqueue(&conn, &Record { n: 1 }).await.unwrap();
    let mut registry = Registry::default();
    registry.register(|_: Record| async {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Ok(())
    });
    let options = WorkerOptions {
        shutdown_grace: Duration::from_millis(200),
        ..fast()
    };
    let (stop, stopped) = watch::channel(false);
    let worker = tokio::spawn(Worker::new(conn.clone(), registry, options).run(stopped));
    wait_until("the job is running", || async {
        status_of(&conn, Record::KIND).await[0].status == jobs::RUNNING
    })
    .await;
    stop.send(true).unwrap();
    worker.await.unwrap();
    let row = status_of(&conn, Record::KIND).await.remove(0);
    assert_eq!(row.status, jobs::QUEUED, "released, not lost");
    assert_eq!(row.attempts, 0, "an interrupted attempt does not count");
    assert!(row.locked_by.is_none());
}

#[tokio::test]
async fn serve_runs_the_worker_in_process_and_jobs_reports_counts() {
    let mut server = agora_tests::TestServer::start().await;
    server.expect_jobs_left(
        "search.index_course",
        "the server stops before its worker indexes the courses imported at start-up",
    );
    server.expect_jobs_left(
        "reminders.scan",
        "the server stops before its worker runs the first reminder scan",
    );
    server.expect_jobs_left(
        "digests.scan",
        "the server stops before its worker runs the digest scans queued at start",
    );
    assert!(
        server.logs().contains("worker       in process"),
        "{}",
        server.logs()
    );
    assert!(
        server.logs().contains("worker started"),
        "{}",
        server.logs()
    );
    assert!(server.terminate().success());
    assert!(
        server.logs().contains("worker stopped"),
        "{}",
        server.logs()
    );
    let out = run_agora(&server.db, server.data.path(), &["jobs"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("queued") && text.contains("dead"), "{text}");
}

#[tokio::test]
async fn the_standalone_worker_leaves_unknown_kinds_alone_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let (db, conn) = migrated().await;
    let data = TempDir::new();
    // A kind this build has no handler for: it waits, untouched, for a worker that knows it.
    jobs::enqueue(&conn, &Record { n: 1 }).await.unwrap();
    let mut child = std::process::Command::new(agora_tests::worker_bin())
        .env_clear()
        .env("AGORA_DATABASE_URL", &db.url)
        .env("AGORA_DATA_DIR", data.path())
        .env("AGORA_LOG_FORMAT", "json")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !lines.iter().any(|l: &String| l.contains("worker started")) {
        assert!(Instant::now() < deadline, "{lines:#?}");
        if let Ok(l) = rx.recv_timeout(Duration::from_millis(100)) {
            lines.push(l);
        }
    }
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    while let Ok(l) = rx.recv_timeout(Duration::from_secs(2)) {
        lines.push(l);
    }
    assert!(
        lines.iter().any(|l| l.contains("worker stopped")),
        "{lines:#?}"
    );
    let row = status_of(&conn, Record::KIND).await.remove(0);
    assert_eq!((row.status.as_str(), row.attempts), (jobs::QUEUED, 0));
    assert!(row.last_error.is_none());
}

#[tokio::test]
async fn workers_claim_only_the_kinds_they_know() {
    let (_db, conn) = migrated().await;
    // The unknown kind is older, so it would be claimed first if it were eligible.
    jobs::enqueue(
        &conn,
        &Flaky {
            key: "later".into(),
        },
    )
    .await
    .unwrap();
    jobs::enqueue(&conn, &Record { n: 1 }).await.unwrap();
    let mut registry = Registry::default();
    registry.register(|_: Record| async { Ok(()) });
    let (stop, stopped) = watch::channel(false);
    let worker = tokio::spawn(Worker::new(conn.clone(), registry, fast()).run(stopped));
    wait_until("the known job is done", || async {
        status_of(&conn, Record::KIND).await[0].status == jobs::DONE
    })
    .await;
    stop.send(true).unwrap();
    worker.await.unwrap();
    let other = status_of(&conn, Flaky::KIND).await.remove(0);
    assert_eq!((other.status.as_str(), other.attempts), (jobs::QUEUED, 0));
}
