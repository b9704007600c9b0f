//! Cohort mail survives a worker killed mid-job. The first worker's SMTP
//! server lets one message through, then holds every later one before the
//! server sees it: the worker is caught in the middle of a session reminder
//! and an announcement, each mailing three members, and killed with
//! SIGKILL. Its replacement finishes both: every member receives each mail
//! exactly once, on the real SMTP server.

use std::time::{Duration, Instant};

use agora_core::entities::job;
use agora_tests::{SmtpGate, SmtpSink, TestServer, WorkerProcess};
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use time::OffsetDateTime;

use super::{
    cohorts::{cohorts_world, ok, session_body},
    cohorts_work::two_organisations_in_a,
};

const KINDS: [&str; 2] = ["mail.cohort_session_reminder", "mail.cohort_announcement"];

async fn wait_until<F: std::future::Future<Output = bool>>(
    what: &str,
    mut check: impl FnMut() -> F,
) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Jobs not yet done (any kind when `kinds` is empty) that are due.
async fn unfinished(s: &TestServer, kinds: &[&str]) -> u64 {
    let mut q = job::Entity::find()
        .filter(job::Column::Status.ne("done"))
        .filter(job::Column::RunAt.lte(agora_core::jobs::now_ms()));
    if !kinds.is_empty() {
        q = q.filter(job::Column::Kind.is_in(kinds.to_vec()));
    }
    q.count(&s.conn().await).await.unwrap()
}

#[tokio::test]
async fn reminders_and_announcements_go_once_after_a_worker_is_killed_mid_job() {
    let sink = SmtpSink::start();
    // The API alone: jobs are left to separate worker processes.
    let c = cohorts_world(vec![
        ("AGORA_RUN_WORKER".into(), "false".into()),
        ("AGORA_SMTP_URL".into(), sink.url()),
    ])
    .await;
    let (w, s) = (&c.w, &c.w.s);
    two_organisations_in_a(&c).await;
    // The mail of the setup (decisions, accounts) goes first, normally.
    {
        let _flush = WorkerProcess::start(s, &[("AGORA_SMTP_URL".into(), sink.url())]);
        wait_until("the setup's mail is sent", || async {
            unfinished(s, &[]).await == 0
        })
        .await;
    }
    let before = sink.messages().len();

    // A session half an hour away (its 1 h reminder is due at once) and an
    // announcement: two jobs, each mailing cohort A's three members.
    let start =
        OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() + time::Duration::minutes(30);
    ok(
        s,
        &c.facilitator,
        Method::POST,
        "/api/v1/cohorts/vlr-a/sessions",
        Some(session_body("Round-robin", start, 60)),
        201,
    )
    .await;
    ok(
        s,
        &c.facilitator,
        Method::POST,
        "/api/v1/cohorts/vlr-a/announcements",
        Some(json!({ "title": "Bring your indicators", "body": "See you soon." })),
        201,
    )
    .await;

    let gate = SmtpGate::start(sink.port, 1);
    let mut first = WorkerProcess::start(s, &[("AGORA_SMTP_URL".into(), gate.url())]);
    wait_until(
        "one mail is sent and both jobs are held mid-way",
        || async { gate.held() == 2 && sink.messages().len() == before + 1 },
    )
    .await;
    first.kill9();
    assert_eq!(unfinished(s, &KINDS).await, 2, "both jobs are unfinished");

    let _second = WorkerProcess::start(s, &[("AGORA_SMTP_URL".into(), sink.url())]);
    wait_until("both jobs are done", || async {
        unfinished(s, &KINDS).await == 0
    })
    .await;
    let mails = sink.messages();
    for who in [&w.lyon_member, &w.lyon_admin, &w.nairobi_member] {
        for subject in ["Round-robin", "Bring your indicators"] {
            let n = mails
                .iter()
                .filter(|m| m.to.eq_ignore_ascii_case(&who.email) && m.subject.contains(subject))
                .count();
            assert_eq!(n, 1, "{subject} to {}: {n} mails", who.email);
        }
    }
    assert_eq!(mails.len(), before + 6, "six mails in all");
    // The replacement also finishes whatever else the first one held.
    wait_until("no job is left", || async { unfinished(s, &[]).await == 0 }).await;
    // Cohort B's member was mailed neither.
    assert!(
        !mails
            .iter()
            .any(|m| m.to.eq_ignore_ascii_case(&w.nairobi_admin.email)
                && (m.subject.contains("Round-robin") || m.subject.contains("Bring your"))),
    );
}
