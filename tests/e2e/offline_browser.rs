//! Offline learning (issue 23) in a real browser: Debian's Chromium driven
//! by npm's `playwright-core` (`tests/offline-browser/journey.mjs`). Save a
//! course, go offline, read every lesson and complete them offline, then
//! come back online: 0 lost, 0 doubled, and the course completes once.

use std::{path::PathBuf, process::Command, time::Duration};

use agora_core::entities::{certificate, client_event, lesson_progress};
use agora_tests::{PASSWORD, ServerOptions, SmtpSink, TempDir, TestServer};
use reqwest::Method;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use super::offline_sync::{SLUG, TEXT_LESSONS, write_offline_course};

/// Where the journey runs: beside its installed packages (scripts/test
/// caches them outside the clone), else in the source folder.
fn journey_dir() -> PathBuf {
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
    assert_eq!(r["queued"].as_u64(), Some(TEXT_LESSONS as u64), "{r}");
    assert_eq!(
        r["left_after_sync"].as_u64(),
        Some(0),
        "the queue synced: {r}"
    );

    // The server holds each completion once: 0 lost, 0 doubled.
    let conn = server.conn().await;
    assert_eq!(
        lesson_progress::Entity::find().count(&conn).await.unwrap(),
        TEXT_LESSONS as u64
    );
    assert_eq!(
        client_event::Entity::find().count(&conn).await.unwrap(),
        TEXT_LESSONS as u64
    );
    // The quiz, online, completes the course: one certificate, one mail.
    let (status, body) = server
        .call(
            &ana,
            Method::POST,
            &format!(
                "{base}/lessons/check/attempts?client_event_id={}",
                uuid::Uuid::new_v4()
            ),
            Some(json!({ "answers": { "q1": ["b"] } })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["progress"]["completed_at"].is_string(), "{body}");
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
