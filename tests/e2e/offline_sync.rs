//! Offline learning (issue 23), server side: completions and quiz attempts
//! sent with a client event id count once however often, and however
//! concurrently, a device sends them; refusals say why.

use std::time::{Duration, Instant};

use agora_core::entities::{certificate, client_event, lesson_progress, quiz_attempt};
use agora_tests::{Learner, ServerOptions, SmtpSink, TempDir, TestServer, write_fixture_course};
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

pub(super) const SLUG: &str = "offline-course";
const BASE: &str = "/api/v1/courses/offline-course";
pub(super) const TEXT_LESSONS: usize = 30;
pub(super) const ATTEMPTS: usize = 20;

/// A course of 30 text lessons and a quiz allowing 20 attempts.
pub(super) fn write_offline_course(dir: &std::path::Path) {
    let c = dir.join(SLUG);
    std::fs::create_dir_all(c.join("en")).unwrap();
    let mut yaml = format!(
        "slug: {SLUG}\ndefault_locale: en\nlevel: beginner\nduration_minutes: 60\nthemes:\n  sdgs: [11]\n  sendai: [1]\n  tags: [test]\nmodules:\n  - id: only\n    lessons:\n"
    );
    for i in 0..TEXT_LESSONS {
        yaml.push_str(&format!(
            "      - id: l{i:02}\n        kind: text\n        duration_minutes: 1\n"
        ));
        std::fs::write(
            c.join(format!("en/l{i:02}.md")),
            format!("---\ntitle: Lesson {i}\n---\nText of lesson {i}.\n"),
        )
        .unwrap();
    }
    yaml.push_str(&format!(
        "      - id: check\n        kind: quiz\n        passing_score: 100\n        max_attempts: {ATTEMPTS}\n        questions:\n          - id: q1\n            kind: single\n            options: [a, b]\n            correct: [b]\n"
    ));
    std::fs::write(c.join("course.yaml"), yaml).unwrap();
    std::fs::write(
        c.join("en/meta.yaml"),
        "title: Offline course\nsummary: A course to take offline.\ndescription: Thirty short lessons and a quiz.\nobjectives: [Learn]\nmodules:\n  only: { title: The module, summary: The only module. }\n",
    )
    .unwrap();
    std::fs::write(
        c.join("en/check.yaml"),
        "title: Check\nquestions:\n  q1:\n    prompt: Pick b\n    options:\n      a: { text: A, explanation: No. }\n      b: { text: B, explanation: Yes. }\n",
    )
    .unwrap();
}

/// One event a device queued: where it goes and what it carries.
struct Event {
    id: Uuid,
    path: String,
    body: Option<Value>,
}

fn events() -> Vec<Event> {
    let mut out: Vec<Event> = (0..TEXT_LESSONS)
        .map(|i| Event {
            id: Uuid::new_v4(),
            path: format!("{BASE}/lessons/l{i:02}/completion"),
            body: None,
        })
        .collect();
    // Nineteen wrong answers and one right: whatever order they arrive
    // in, all twenty fit the limit and exactly one passes.
    for i in 0..ATTEMPTS {
        let answer = if i == ATTEMPTS - 1 { "b" } else { "a" };
        out.push(Event {
            id: Uuid::new_v4(),
            path: format!("{BASE}/lessons/check/attempts"),
            body: Some(json!({ "answers": { "q1": [answer] } })),
        });
    }
    out
}

async fn send(server: &TestServer, l: &Learner, e: &Event) -> (u16, Value) {
    let path = format!("{}?client_event_id={}", e.path, e.id);
    server.call(l, Method::POST, &path, e.body.clone()).await
}

/// The answer without the progress, which moves on as other events land.
fn result_of(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("progress");
    }
    v
}

async fn wait_until<F: std::future::Future<Output = bool>>(
    what: &str,
    server: &TestServer,
    mut check: impl FnMut() -> F,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !check().await {
        assert!(
            Instant::now() < deadline,
            "timed out waiting until {what}:\n{}",
            server.logs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn replayed_events_count_once_and_complete_the_course_once() {
    let sink = SmtpSink::start();
    let dir = TempDir::new();
    write_offline_course(dir.path());
    let server = TestServer::start_with(ServerOptions {
        courses_dir: Some(dir.path().to_owned()),
        env: vec![("AGORA_SMTP_URL".into(), sink.url())],
    })
    .await;
    let ana = server.learner("ana@city.gov").await;
    let (status, body) = server
        .call(&ana, Method::POST, &format!("{BASE}/enrolment"), None)
        .await;
    assert_eq!(status, 201, "{body}");
    let events = events();

    // The first sync: every event at once.
    let first = futures::future::join_all(events.iter().map(|e| send(&server, &ana, e))).await;
    for ((status, body), e) in first.iter().zip(&events) {
        assert_eq!(*status, 200, "{}: {body}", e.path);
    }
    // The answers were lost: the device sends everything again, twice
    // over and concurrently.
    let again = futures::future::join_all(
        events
            .iter()
            .chain(events.iter())
            .map(|e| send(&server, &ana, e)),
    )
    .await;
    for (i, (status, body)) in again.iter().enumerate() {
        let n = i % events.len();
        assert_eq!(*status, 200, "{}: {body}", events[n].path);
        if events[n].body.is_some() {
            assert_eq!(
                result_of(body.clone()),
                result_of(first[n].1.clone()),
                "a replayed attempt answers the original result"
            );
        }
    }

    // 0 lost, 0 doubled.
    let conn = server.conn().await;
    let (_, progress) = server
        .call(&ana, Method::GET, &format!("{BASE}/progress"), None)
        .await;
    assert_eq!(
        progress["completed_lessons"],
        TEXT_LESSONS + 1,
        "{progress}"
    );
    assert!(progress["completed_at"].is_string(), "{progress}");
    assert_eq!(
        lesson_progress::Entity::find().count(&conn).await.unwrap(),
        (TEXT_LESSONS + 1) as u64
    );
    assert_eq!(
        quiz_attempt::Entity::find().count(&conn).await.unwrap(),
        ATTEMPTS as u64
    );
    assert_eq!(
        quiz_attempt::Entity::find()
            .filter(quiz_attempt::Column::Passed.eq(true))
            .count(&conn)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        client_event::Entity::find().count(&conn).await.unwrap(),
        events.len() as u64
    );
    assert_eq!(
        agora_core::jobs::count_kind(&conn, "course_completed")
            .await
            .unwrap(),
        1
    );

    // Exactly one certificate and one completion mail, from the real
    // worker and SMTP server.
    wait_until("the completion mail arrives", &server, || async {
        sink.messages()
            .iter()
            .any(|m| m.subject.starts_with("Congratulations"))
    })
    .await;
    wait_until("the certificate is ready", &server, || async {
        let (_, certs) = server
            .call(&ana, Method::GET, "/api/v1/me/certificates", None)
            .await;
        certs[0]["ready"] == true
    })
    .await;
    // Replays after the completion change nothing either.
    for e in &events {
        assert_eq!(send(&server, &ana, e).await.0, 200);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let completion_mails = sink
        .messages()
        .into_iter()
        .filter(|m| m.subject.starts_with("Congratulations"))
        .count();
    assert_eq!(completion_mails, 1, "one completion mail");
    assert_eq!(certificate::Entity::find().count(&conn).await.unwrap(), 1);
    let (_, certs) = server
        .call(&ana, Method::GET, "/api/v1/me/certificates", None)
        .await;
    assert_eq!(certs.as_array().map(Vec::len), Some(1), "{certs}");
}

#[tokio::test]
async fn refused_events_say_why_and_record_nothing() {
    let dir = TempDir::new();
    write_offline_course(dir.path());
    write_fixture_course(dir.path(), "fixture-course");
    let server = TestServer::start_with(ServerOptions {
        courses_dir: Some(dir.path().to_owned()),
        ..Default::default()
    })
    .await;
    let ana = server.learner("ana@city.gov").await;
    for slug in [SLUG, "fixture-course"] {
        let (status, body) = server
            .call(
                &ana,
                Method::POST,
                &format!("/api/v1/courses/{slug}/enrolment"),
                None,
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let conn = server.conn().await;

    // Not a UUID: the one error shape, naming the field. The document
    // states the pattern, so it is a malformed parameter (400), as the API
    // answers every parameter that breaks its declared shape.
    let (status, err) = server
        .call(
            &ana,
            Method::POST,
            &format!("{BASE}/lessons/l00/completion?client_event_id=nope"),
            None,
        )
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (400, Some("client_event_id"))
    );

    // An id used for one event cannot stand for another.
    let id = Uuid::new_v4();
    let done = |lesson: &str| format!("{BASE}/lessons/{lesson}/completion?client_event_id={id}");
    assert_eq!(
        server.call(&ana, Method::POST, &done("l00"), None).await.0,
        200
    );
    let (status, err) = server.call(&ana, Method::POST, &done("l01"), None).await;
    assert_eq!(
        (status, err["field"].as_str()),
        (409, Some("client_event_id")),
        "{err}"
    );
    // Another learner's ids are their own.
    let ben = server.learner("ben@city.gov").await;
    server
        .call(&ben, Method::POST, &format!("{BASE}/enrolment"), None)
        .await;
    assert_eq!(
        server.call(&ben, Method::POST, &done("l01"), None).await.0,
        200
    );

    // Attempts run out: the event after the last one is refused with the
    // reason and records nothing; the last one still replays.
    let attempt = |id: Uuid| format!("{BASE}/lessons/check/attempts?client_event_id={id}");
    let wrong = json!({ "answers": { "q1": ["a"] } });
    let mut last = (Uuid::nil(), Value::Null);
    for _ in 0..ATTEMPTS {
        let id = Uuid::new_v4();
        let (status, body) = server
            .call(&ana, Method::POST, &attempt(id), Some(wrong.clone()))
            .await;
        assert_eq!(status, 200, "{body}");
        last = (id, body);
    }
    assert_eq!(last.1["questions"][0]["correct_options"], json!(["b"]));
    let (status, err) = server
        .call(
            &ana,
            Method::POST,
            &attempt(Uuid::new_v4()),
            Some(wrong.clone()),
        )
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (409, Some("attempts")),
        "{err}"
    );
    assert!(
        err["message"]
            .as_str()
            .unwrap_or_default()
            .contains("attempts"),
        "{err}"
    );
    let (status, replay) = server
        .call(&ana, Method::POST, &attempt(last.0), Some(wrong))
        .await;
    assert_eq!(status, 200, "{replay}");
    assert_eq!(result_of(replay), result_of(last.1));
    let events_before = client_event::Entity::find().count(&conn).await.unwrap();

    // The course is archived while a completion waits on the device.
    let queued = Uuid::new_v4();
    let sent = Uuid::new_v4();
    let fixture = |lesson: &str, id: Uuid| {
        format!("/api/v1/courses/fixture-course/lessons/{lesson}/completion?client_event_id={id}")
    };
    assert_eq!(
        server
            .call(&ana, Method::POST, &fixture("intro", sent), None)
            .await
            .0,
        200
    );
    let admin = server.admin("admin@city.gov").await;
    let (status, body) = server
        .call(
            &admin,
            Method::PUT,
            "/api/v1/authoring/courses/fixture-course/status",
            Some(json!({ "status": "archived" })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, err) = server
        .call(&ana, Method::POST, &fixture("sheet", queued), None)
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (409, Some("course")),
        "{err}"
    );
    assert!(
        err["message"]
            .as_str()
            .unwrap_or_default()
            .contains("archived"),
        "{err}"
    );
    // An event recorded before the archiving still answers its result.
    let (status, p) = server
        .call(&ana, Method::POST, &fixture("intro", sent), None)
        .await;
    assert_eq!(
        (status, p["completed_lessons"].as_u64()),
        (200, Some(1)),
        "{p}"
    );
    assert_eq!(
        client_event::Entity::find().count(&conn).await.unwrap(),
        events_before + 1,
        "refusals record nothing"
    );
}
