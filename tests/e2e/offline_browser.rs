//! Offline learning (issue 23) in a real browser: Debian's Chromium driven
//! by npm's `playwright-core` (`tests/offline-browser/journey.mjs`). Save a
//! course, go offline, read every lesson, complete 30 and answer the quiz
//! 20 times offline (and once more, refused), then come back online twice,
//! the first sync cut off midway: 50 events, 0 lost, 0 doubled, and the
//! course completes once, with one certificate and one mail.

use std::{path::PathBuf, process::Command, time::Duration};

use agora_core::entities::{certificate, client_event, lesson_progress, quiz_attempt};
use agora_tests::{PASSWORD, ServerOptions, SmtpSink, TempDir, TestServer};
use reqwest::Method;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use super::offline_sync::{SLUG, TEXT_LESSONS, write_offline_course};

/// Where the journey runs: beside its installed packages (scripts/test
/// caches them outside the clone), else in the source folder.
pub(super) fn journey_dir() -> PathBuf {
    let source = agora_tests::root().join("tests/offline-browser");
    let Some(modules) = std::env::var_os("AGORA_TEST_OFFLINE_BROWSER_MODULES") else {
        return source;
    };
    let dir = PathBuf::from(modules).parent().unwrap().to_owned();
    std::fs::copy(source.join("journey.mjs"), dir.join("journey.mjs")).unwrap();
    dir
}

#[tokio::test]
async fn a_course_saved_offline_is_read_and_completed_offline_and_syncs_once() {
    let dir = journey_dir();
    assert!(
        dir.join("node_modules/playwright-core").is_dir(),
        "playwright-core is missing: `npm ci` in {} (scripts/test does it)",
        dir.display()
    );
    let sink = SmtpSink::start();
    let courses = TempDir::new();
    write_offline_course(courses.path());
    let server = TestServer::start_with(ServerOptions {
        courses_dir: Some(courses.path().to_owned()),
        env: vec![("AGORA_SMTP_URL".into(), sink.url())],
    })
    .await;
    let ana = server.learner("ana@city.gov").await;
    let base = format!("/api/v1/courses/{SLUG}");
    let (status, _) = server
        .call(&ana, Method::POST, &format!("{base}/enrolment"), None)
        .await;
    assert_eq!(status, 201);

    let run = {
        let dir = dir.clone();
        let url = server.url("");
        tokio::task::spawn_blocking(move || {
            Command::new("node")
                .current_dir(&dir)
                // Lets the journey cut the service worker's requests off.
                .env("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")
                .arg("journey.mjs")
                .arg(url.trim_end_matches('/'))
                .arg("ana@city.gov")
                .arg(PASSWORD)
                .arg(SLUG)
                .output()
                .expect("node (installed by scripts/test)")
        })
    };
    let out = run.await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the journey failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_str(stdout.trim().lines().last().unwrap_or(""))
        .unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let lessons = TEXT_LESSONS as u64 + 1;
    assert_eq!(r["errors"], json!([]), "{r}");
    assert_eq!(r["saved"], true, "{r}");
    assert_eq!(r["saved_listed"].as_u64(), Some(1), "{r}");
    assert_eq!(r["axe"], json!([]), "axe-core on the offline pages: {r}");
    assert_eq!(r["lessons"].as_u64(), Some(lessons), "{r}");
    assert_eq!(
        r["read_offline"].as_u64(),
        Some(lessons),
        "every lesson opens offline: {r}"
    );
    assert_eq!(
        r["offline_page"], true,
        "an unsaved page shows the offline page: {r}"
    );
    assert_eq!(
        r["waiting_shown"].as_u64(),
        Some(TEXT_LESSONS as u64),
        "{r}"
    );
    let attempts = super::offline_sync::ATTEMPTS as u64;
    assert_eq!(
        r["attempts_waiting"].as_u64(),
        Some(attempts + 1),
        "each quiz answer offline waits to sync: {r}"
    );
    let events = TEXT_LESSONS as u64 + attempts + 1;
    assert_eq!(r["queued"].as_u64(), Some(events), "{r}");
    assert!(
        r["sent_first"].as_u64().unwrap_or(0) >= 40,
        "the first sync was cut off after 40 requests: {r}"
    );
    let left = r["left_after_first"].as_u64().unwrap_or(0);
    assert!(
        left > 0 && left < events,
        "the first sync stopped midway: {r}"
    );
    assert_eq!(
        r["left_after_sync"].as_u64(),
        Some(0),
        "the queue synced: {r}"
    );
    // The server's feedback for every attempt; the refusal with its reason.
    assert_eq!(
        r["scored"],
        json!({ "pass": 1, "fail": attempts - 1, "refused": 1 }),
        "{r}"
    );
    assert!(
        r["refused_reason"]
            .as_str()
            .is_some_and(|t| t.contains("attempts at this quiz are used")),
        "{r}"
    );
    assert_eq!(r["saved_page_refused"].as_u64(), Some(1), "{r}");

    // The server holds each event once: 50 events, 0 lost, 0 doubled; the
    // refused attempt records nothing.
    let conn = server.conn().await;
    assert_eq!(
        client_event::Entity::find().count(&conn).await.unwrap(),
        TEXT_LESSONS as u64 + attempts
    );
    assert_eq!(
        quiz_attempt::Entity::find().count(&conn).await.unwrap(),
        attempts
    );
    assert_eq!(
        lesson_progress::Entity::find().count(&conn).await.unwrap(),
        TEXT_LESSONS as u64 + 1,
        "every lesson and the quiz are complete"
    );
    let (status, body) = server
        .call(&ana, Method::GET, &format!("{base}/progress"), None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["completed_at"].is_string(),
        "the course completed: {body}"
    );
    // One certificate and one mail, as if it had all happened online.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !sink
        .messages()
        .iter()
        .any(|m| m.subject.starts_with("Congratulations"))
    {
        assert!(std::time::Instant::now() < deadline, "no completion mail");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        sink.messages()
            .iter()
            .filter(|m| m.subject.starts_with("Congratulations"))
            .count(),
        1
    );
    assert_eq!(certificate::Entity::find().count(&conn).await.unwrap(), 1);
}
