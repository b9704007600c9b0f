//! "Continue where you left off" is written behind the request: it shows at
//! once, survives a graceful restart, and a SIGKILL loses at most the last
//! flush interval of it, never a completion, an attempt or an enrolment.

use std::time::{Duration, Instant};

use agora_core::entities::{enrolment, lesson, lesson_progress, quiz_attempt};
use agora_tests::{Learner, ServerOptions, TempDir, TestServer, write_fixture_course};
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

const FIXTURE: &str = "/api/v1/courses/fixture-course";

/// A server on the fixture course writing visits every `flush_ms`, with no
/// worker: a SIGKILL must not catch a job half done.
async fn server(flush_ms: u64) -> (TestServer, TempDir) {
    let dir = TempDir::new();
    write_fixture_course(dir.path(), "fixture-course");
    let server = TestServer::start_with(ServerOptions {
        courses_dir: Some(dir.path().to_owned()),
        env: vec![
            ("AGORA_RESUME_FLUSH_MS".into(), flush_ms.to_string()),
            ("AGORA_RUN_WORKER".into(), "false".into()),
        ],
    })
    .await;
    for kind in [
        "search.index_course",
        "mail.verify_email",
        "mail.enrolled",
        "course_completed",
    ] {
        server.expect_jobs_left(kind, "the server runs no worker in this test");
    }
    (server, dir)
}

async fn enrolled(server: &TestServer, email: &str) -> Learner {
    let l = server.learner(email).await;
    let (status, body) = server
        .call(&l, Method::POST, &format!("{FIXTURE}/enrolment"), None)
        .await;
    assert_eq!(status, 201, "{body}");
    l
}

async fn read(server: &TestServer, l: &Learner, key: &str) -> Value {
    let (status, body) = server
        .call(l, Method::GET, &format!("{FIXTURE}/lessons/{key}"), None)
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn lesson_id(server: &TestServer, key: &str) -> Uuid {
    lesson::Entity::find()
        .filter(lesson::Column::Key.eq(key))
        .one(&server.conn().await)
        .await
        .unwrap()
        .expect("the lesson exists")
        .id
}

/// The enrolment row as the database holds it.
async fn persisted(server: &TestServer, enrolment_id: &Value) -> enrolment::Model {
    let id = Uuid::parse_str(enrolment_id.as_str().expect("an enrolment id")).unwrap();
    enrolment::Entity::find_by_id(id)
        .one(&server.conn().await)
        .await
        .unwrap()
        .expect("the enrolment is kept")
}

/// Waits until the database holds `lesson` as the enrolment's last lesson.
async fn wait_persisted(server: &TestServer, enrolment_id: &Value, lesson: Uuid) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while persisted(server, enrolment_id).await.last_lesson_id != Some(lesson) {
        assert!(Instant::now() < deadline, "the visit was never written");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_resume_position_shows_at_once_and_survives_a_graceful_restart() {
    // A flush interval longer than the test: only the graceful stop writes.
    let (mut server, _dir) = server(60_000).await;
    let ana = enrolled(&server, "ana@city.gov").await;
    let sheet = lesson_id(&server, "sheet").await;
    read(&server, &ana, "intro").await;
    let lesson = read(&server, &ana, "sheet").await;
    assert_eq!(lesson["progress"]["last_lesson_id"], json!(sheet));
    let enrolment_id = lesson["progress"]["enrolment_id"].clone();

    // "My learning" and the progress read the cached summary: at once.
    let (status, mine) = server
        .call(&ana, Method::GET, "/api/v1/me/learning", None)
        .await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine[0]["progress"]["last_lesson_id"], json!(sheet));
    let (_, progress) = server
        .call(&ana, Method::GET, &format!("{FIXTURE}/progress"), None)
        .await;
    assert_eq!(progress["last_lesson_id"], json!(sheet));
    // The read wrote nothing in the request.
    assert_eq!(persisted(&server, &enrolment_id).await.last_lesson_id, None);

    assert!(server.terminate().success(), "{}", server.logs());
    let row = persisted(&server, &enrolment_id).await;
    assert_eq!(
        row.last_lesson_id,
        Some(sheet),
        "written at the graceful stop"
    );
    assert!(row.last_activity_at > row.enrolled_at);

    server.restart().await;
    let (_, progress) = server
        .call(&ana, Method::GET, &format!("{FIXTURE}/progress"), None)
        .await;
    assert_eq!(progress["last_lesson_id"], json!(sheet), "{progress}");
}

#[tokio::test]
async fn a_sigkill_loses_at_most_the_last_flush_interval_of_resume_positions() {
    let (mut server, _dir) = server(200).await;
    let ana = enrolled(&server, "ana@city.gov").await;
    let (intro, sheet, check) = (
        lesson_id(&server, "intro").await,
        lesson_id(&server, "sheet").await,
        lesson_id(&server, "check").await,
    );
    let (status, body) = server
        .call(
            &ana,
            Method::POST,
            &format!("{FIXTURE}/lessons/intro/completion"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = server
        .call(
            &ana,
            Method::POST,
            &format!("{FIXTURE}/lessons/check/attempts"),
            Some(json!({ "answers": { "q1": ["b"], "q2": ["false"] } })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let enrolment_id = body["progress"]["enrolment_id"].clone();

    // A burst of reads, ending on the worksheet, reaches the database within
    // the flush interval.
    for _ in 0..10 {
        for key in ["intro", "check", "sheet"] {
            read(&server, &ana, key).await;
        }
    }
    wait_persisted(&server, &enrolment_id, sheet).await;

    // One more read, then SIGKILL at once: that visit may be lost, the
    // earlier one may not, and no completion or attempt may be.
    let last = read(&server, &ana, "check").await;
    assert_eq!(last["progress"]["last_lesson_id"], json!(check));
    server.kill();

    let row = persisted(&server, &enrolment_id).await;
    assert!(
        row.last_lesson_id == Some(sheet) || row.last_lesson_id == Some(check),
        "the resume position went back further than one flush: {row:?}"
    );
    let conn = server.conn().await;
    let mut done: Vec<Uuid> = lesson_progress::Entity::find()
        .filter(lesson_progress::Column::EnrolmentId.eq(row.id))
        .all(&conn)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.lesson_id)
        .collect();
    done.sort();
    let mut expected = vec![intro, check];
    expected.sort();
    assert_eq!(done, expected, "every completion is kept");
    assert_eq!(
        quiz_attempt::Entity::find()
            .filter(quiz_attempt::Column::EnrolmentId.eq(row.id))
            .count(&conn)
            .await
            .unwrap(),
        1,
        "the attempt is kept"
    );

    server.restart().await;
    let (_, progress) = server
        .call(&ana, Method::GET, &format!("{FIXTURE}/progress"), None)
        .await;
    assert_eq!(progress["completed_lessons"], 2, "{progress}");
    assert_eq!(progress["last_lesson_id"], json!(row.last_lesson_id));
}

#[tokio::test]
async fn no_progress_record_is_lost_when_reads_and_completions_race_a_sigkill() {
    let (mut server, _dir) = server(1000).await;
    let mut learners = Vec::new();
    for i in 0..4 {
        learners.push(enrolled(&server, &format!("learner{i}@city.gov")).await);
    }
    let server_ref = &server;
    let journeys = learners.iter().map(|l| async move {
        let mut enrolment_id = Value::Null;
        for key in ["intro", "sheet"] {
            read(server_ref, l, key).await;
            let (status, body) = server_ref
                .call(
                    l,
                    Method::POST,
                    &format!("{FIXTURE}/lessons/{key}/completion"),
                    None,
                )
                .await;
            assert_eq!(status, 200, "{body}");
            enrolment_id = body["enrolment_id"].clone();
            read(server_ref, l, "check").await;
        }
        enrolment_id
    });
    let enrolments = futures::future::join_all(journeys).await;
    server.kill();

    let conn = server.conn().await;
    assert_eq!(
        lesson_progress::Entity::find().count(&conn).await.unwrap(),
        8,
        "every acknowledged completion is kept"
    );
    let sheet = lesson_id(&server, "sheet").await;
    let check = lesson_id(&server, "check").await;
    for id in &enrolments {
        let row = persisted(&server, id).await;
        // The completion of the worksheet was written in its request; only
        // the read after it may be lost.
        assert!(
            row.last_lesson_id == Some(sheet) || row.last_lesson_id == Some(check),
            "{row:?}"
        );
    }
    server.restart().await;
    for l in &learners {
        let (_, p) = server
            .call(l, Method::GET, &format!("{FIXTURE}/progress"), None)
            .await;
        assert_eq!(p["completed_lessons"], 2, "{p}");
    }
}
