//! The worker claims jobs in batches. A worker killed in the middle of a
//! batch loses nothing: its jobs come back when their lease runs out, and
//! every message reaches the real SMTP server (aiosmtpd) exactly once.

use agora_core::entities::{job, mail_delivery};
use agora_tests::{ServerOptions, SmtpGate, SmtpSink, TestServer, WorkerProcess, wait_until};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

const KIND: &str = "mail.verify_email";

async fn mail_jobs(conn: &DatabaseConnection) -> Vec<job::Model> {
    job::Entity::find()
        .filter(job::Column::Kind.eq(KIND))
        .all(conn)
        .await
        .unwrap()
}

fn with_status(jobs: &[job::Model], status: &str) -> usize {
    jobs.iter().filter(|j| j.status == status).count()
}

#[tokio::test]
async fn a_worker_killed_mid_batch_is_replaced_and_every_mail_arrives_once() {
    let sink = SmtpSink::start();
    // The API alone: the jobs are left to separate worker processes.
    let server = TestServer::start_with(ServerOptions {
        env: vec![
            ("AGORA_RUN_WORKER".into(), "false".into()),
            ("AGORA_SMTP_URL".into(), sink.url()),
        ],
        ..Default::default()
    })
    .await;
    let addresses: Vec<String> = (1..=12).map(|n| format!("b{n}@city.gov")).collect();
    for a in &addresses {
        assert_eq!(server.register(a).await.0, 202);
    }
    let conn = server.conn().await;
    assert_eq!(mail_jobs(&conn).await.len(), 12);

    // The first worker runs six at a time and claims as many jobs as it has
    // free slots in one statement (e2e::jobs checks the claim itself). Its
    // server lets three messages through, then holds every later one before
    // the server sees it: six jobs are caught mid-way.
    let gate = SmtpGate::start(sink.port, 3);
    let mut first = WorkerProcess::start(
        &server,
        &[
            ("AGORA_SMTP_URL".into(), gate.url()),
            ("AGORA_WORKER_CONCURRENCY".into(), "6".into()),
            // Long enough that no job gives up on its own before the kill.
            ("AGORA_JOB_LEASE_SECONDS".into(), "10".into()),
        ],
    );
    wait_until("three are sent and six are stuck mid-batch", || async {
        let jobs = mail_jobs(&conn).await;
        gate.held() == 6 && with_status(&jobs, "done") == 3 && with_status(&jobs, "running") == 6
    })
    .await;
    assert_eq!(sink.messages().len(), 3);
    first.kill9();

    // A second worker, straight to the server, takes the queued jobs at once
    // and the dead worker's when their lease runs out.
    let _second = WorkerProcess::start(&server, &[("AGORA_SMTP_URL".into(), sink.url())]);
    wait_until("every mail job is done", || async {
        with_status(&mail_jobs(&conn).await, "done") == 12
    })
    .await;
    for a in &addresses {
        assert_eq!(sink.wait_for(a, 1).await.len(), 1, "{a} got one message");
    }
    assert_eq!(sink.messages().len(), 12, "nothing was sent twice");
    let jobs = mail_jobs(&conn).await;
    assert_eq!(
        jobs.iter().filter(|j| j.attempts == 2).count(),
        6,
        "the six held jobs were reclaimed after their lease: {jobs:?}"
    );
    assert!(jobs.iter().all(|j| j.last_error.is_none()));
    let sent = mail_delivery::Entity::find()
        .filter(mail_delivery::Column::Status.eq("sent"))
        .count(&conn)
        .await
        .unwrap();
    assert_eq!(sent, 12);
}
