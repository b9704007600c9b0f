//! Enrolment, lessons, quizzes and progress, through the API.

use agora_tests::{Learner, ServerOptions, TempDir, TestServer, write_fixture_course};
use reqwest::Method;
use serde_json::{Value, json};

const FIXTURE: &str = "/api/v1/courses/fixture-course";

async fn fixture_server() -> (TestServer, TempDir) {
    let dir = TempDir::new();
    write_fixture_course(dir.path(), "fixture-course");
    // A draft course too, which nobody may enrol in.
    write_fixture_course(dir.path(), "draft-course");
    let yaml = std::fs::read_to_string(dir.path().join("draft-course/course.yaml")).unwrap();
    std::fs::write(
        dir.path().join("draft-course/course.yaml"),
        yaml.replace("level: beginner", "level: beginner\nstatus: draft"),
    )
    .unwrap();
    let server = TestServer::start_with(ServerOptions {
        courses_dir: Some(dir.path().to_owned()),
        ..Default::default()
    })
    .await;
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

#[tokio::test]
async fn enrolment_is_idempotent_and_survives_leaving() {
    let (server, _dir) = fixture_server().await;
    let ana = server.learner("ana@city.gov").await;
    let (status, first) = server
        .call(&ana, Method::POST, &format!("{FIXTURE}/enrolment"), None)
        .await;
    assert_eq!(status, 201, "{first}");
    let (status, again) = server
        .call(&ana, Method::POST, &format!("{FIXTURE}/enrolment"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(again["enrolment_id"], first["enrolment_id"]);
    let (_, course) = server.get_json(FIXTURE).await;
    assert_eq!(course["enrolment_count"], 1, "counted once");
    let conn = server.conn().await;
    assert_eq!(
        agora_core::jobs::count_kind(&conn, "mail.enrolled")
            .await
            .unwrap(),
        1
    );

    let (status, _) = server
        .call(
            &ana,
            Method::POST,
            &format!("{FIXTURE}/lessons/intro/completion"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = server
        .call(&ana, Method::DELETE, &format!("{FIXTURE}/enrolment"), None)
        .await;
    assert_eq!(status, 204);
    let (_, mine) = server
        .call(&ana, Method::GET, "/api/v1/me/learning", None)
        .await;
    assert_eq!(mine, json!([]), "a course left is not in my learning");
    let (status, _) = server
        .call(&ana, Method::GET, &format!("{FIXTURE}/lessons/intro"), None)
        .await;
    assert_eq!(status, 403);
    let (status, back) = server
        .call(&ana, Method::POST, &format!("{FIXTURE}/enrolment"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(back["enrolment_id"], first["enrolment_id"]);
    assert_eq!(back["completed_lessons"], 1, "progress resumes");

    for (path, expected) in [
        ("/api/v1/courses/draft-course/enrolment", 404),
        ("/api/v1/courses/no-such-course/enrolment", 404),
        ("/api/v1/courses/Not%20a%20slug/enrolment", 404),
    ] {
        let (status, body) = server.call(&ana, Method::POST, path, None).await;
        assert_eq!(status, expected, "{path}: {body}");
        assert_eq!(body["code"], "not_found");
    }
    let (status, body) = server
        .post_json(&format!("{FIXTURE}/enrolment"), json!({}))
        .await;
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")));
}

#[tokio::test]
async fn lessons_are_served_to_enrolled_learners_in_their_locale() {
    let (server, _dir) = fixture_server().await;
    let ana = server.learner("ana@city.gov").await;
    let (status, body) = server
        .call(&ana, Method::GET, &format!("{FIXTURE}/lessons/intro"), None)
        .await;
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
    server
        .call(&ana, Method::POST, &format!("{FIXTURE}/enrolment"), None)
        .await;

    let (status, intro) = server
        .call(
            &ana,
            Method::GET,
            &format!("{FIXTURE}/lessons/intro?lang=fr"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{intro}");
    assert_eq!(intro["locale"], "fr");
    assert_eq!(intro["title"], "Introduction (fr)");
    assert_eq!(intro["previous_key"], Value::Null);
    assert_eq!(intro["next_key"], "sheet");
    // The worksheet has no French text: English is served.
    let (_, sheet) = server
        .call(
            &ana,
            Method::GET,
            &format!("{FIXTURE}/lessons/sheet?lang=fr"),
            None,
        )
        .await;
    assert_eq!(sheet["locale"], "en");
    assert_eq!(sheet["previous_key"], "intro");
    let download = sheet["resource"]["download_path"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = server
        .as_learner(&ana, Method::GET, &download)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/markdown")
    );
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("sheet.md")
    );
    assert!(r.text().await.unwrap().contains("# Worksheet"));
    // Links inside lessons point at the course's pages.
    let (_, intro_en) = server
        .call(&ana, Method::GET, &format!("{FIXTURE}/lessons/intro"), None)
        .await;
    assert!(
        intro_en["html"]
            .as_str()
            .unwrap()
            .contains("/courses/fixture-course/resources/sheet.md"),
        "{intro_en}"
    );

    // The quiz comes without its answers.
    let (_, quiz) = server
        .call(&ana, Method::GET, &format!("{FIXTURE}/lessons/check"), None)
        .await;
    assert_eq!(quiz["kind"], "quiz");
    let text = quiz["quiz"].to_string();
    assert!(
        !text.contains("correct") && !text.contains("explanation") && !text.contains("Yes."),
        "{text}"
    );
    assert_eq!(quiz["quiz"]["questions"][0]["options"][1]["text"], "B");

    // A lesson by id works; a lesson of another course does not.
    let by_id = format!("{FIXTURE}/lessons/{}", intro["id"].as_str().unwrap());
    assert_eq!(server.call(&ana, Method::GET, &by_id, None).await.0, 200);
    let conn = server.conn().await;
    let other = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let draft = agora_core::entities::course::Entity::find()
            .filter(agora_core::entities::course::Column::Slug.eq("draft-course"))
            .one(&conn)
            .await
            .unwrap()
            .unwrap();
        agora_core::entities::lesson::Entity::find()
            .filter(agora_core::entities::lesson::Column::CourseId.eq(draft.id))
            .one(&conn)
            .await
            .unwrap()
            .unwrap()
    };
    for path in [
        format!("{FIXTURE}/lessons/{}", other.id),
        format!("{FIXTURE}/lessons/{}/completion", other.id),
        format!("{FIXTURE}/lessons/nope"),
        format!("{FIXTURE}/lessons/{}", "x".repeat(500)),
    ] {
        let method = if path.ends_with("completion") {
            Method::POST
        } else {
            Method::GET
        };
        let (status, body) = server.call(&ana, method, &path, None).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
}

#[tokio::test]
async fn video_lessons_carry_their_transcript() {
    let server = TestServer::start().await;
    let ana = server.learner("ana@city.gov").await;
    server
        .call(
            &ana,
            Method::POST,
            "/api/v1/courses/localizing-the-sdgs/enrolment",
            None,
        )
        .await;
    let (status, video) = server
        .call(
            &ana,
            Method::GET,
            "/api/v1/courses/localizing-the-sdgs/lessons/talk-why-goals-are-local?lang=es",
            None,
        )
        .await;
    assert_eq!(status, 200, "{video}");
    assert_eq!(video["kind"], "video");
    assert_eq!(video["locale"], "es");
    assert_eq!(video["video_placeholder"], true);
    assert!(
        video["html"].as_str().unwrap().split_whitespace().count() > 150,
        "a full transcript"
    );
}

#[tokio::test]
async fn quizzes_are_scored_on_the_server_with_feedback_and_limits() {
    let (server, _dir) = fixture_server().await;
    let ana = enrolled(&server, "ana@city.gov").await;
    let attempts = format!("{FIXTURE}/lessons/check/attempts");
    let bad = [
        (json!({ "answers": { "q1": ["b"] } }), "answers.q2"),
        (
            json!({ "answers": { "q1": ["z"], "q2": ["false"] } }),
            "answers.q1",
        ),
        (
            json!({ "answers": { "q1": ["a", "b"], "q2": ["false"] } }),
            "answers.q1",
        ),
        (
            json!({ "answers": { "q1": ["b"], "q2": [] } }),
            "answers.q2",
        ),
        (
            json!({ "answers": { "q1": ["b"], "q2": ["false"], "q9": ["a"] } }),
            "answers.q9",
        ),
    ];
    for (body, field) in bad {
        let (status, err) = server
            .call(&ana, Method::POST, &attempts, Some(body.clone()))
            .await;
        assert_eq!(status, 422, "{body}: {err}");
        assert_eq!(err["field"], field, "{err}");
    }
    let (status, err) = server
        .call(
            &ana,
            Method::POST,
            &attempts,
            Some(json!({ "answers": "b" })),
        )
        .await;
    assert_eq!((status, err["code"].as_str()), (400, Some("invalid_body")));

    let (status, fail) = server
        .call(
            &ana,
            Method::POST,
            &attempts,
            Some(json!({ "answers": { "q1": ["a"], "q2": ["false"] } })),
        )
        .await;
    assert_eq!(status, 200, "{fail}");
    assert_eq!(fail["score"], 50);
    assert_eq!(fail["passed"], false);
    assert_eq!(fail["questions"][0]["correct"], false);
    assert_eq!(fail["questions"][0]["options"][0]["explanation"], "No.");
    // A failed attempt with attempts left keeps the right answers hidden.
    assert_eq!(fail["questions"][0]["correct_options"], json!([]));
    assert_eq!(fail["questions"][0]["options"][1]["explanation"], "");
    assert_eq!(fail["progress"]["completed_lessons"], 0);

    let (_, pass) = server
        .call(
            &ana,
            Method::POST,
            &attempts,
            Some(json!({ "answers": { "q1": ["b"], "q2": ["false"] } })),
        )
        .await;
    assert_eq!(
        (pass["score"].as_u64(), pass["passed"].as_bool()),
        (Some(100), Some(true))
    );
    assert_eq!(pass["progress"]["completed_lessons"], 1);
    let (_, quiz) = server
        .call(&ana, Method::GET, &format!("{FIXTURE}/lessons/check"), None)
        .await;
    assert_eq!(quiz["quiz"]["attempts_used"], 2);
    assert_eq!(quiz["quiz"]["best_score"], 100);
    assert_eq!(quiz["completed"], true);
    // Quizzes are completed by passing them, not by marking them.
    let (status, _) = server
        .call(
            &ana,
            Method::POST,
            &format!("{FIXTURE}/lessons/check/completion"),
            None,
        )
        .await;
    assert_eq!(status, 409);

    // Every attempt is recorded with its answers.
    let conn = server.conn().await;
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        agora_core::entities::quiz_attempt::Entity::find()
            .count(&conn)
            .await
            .unwrap(),
        2
    );
}

#[tokio::test]
async fn the_attempt_limit_is_enforced() {
    let dir = TempDir::new();
    write_fixture_course(dir.path(), "fixture-course");
    let yaml = std::fs::read_to_string(dir.path().join("fixture-course/course.yaml")).unwrap();
    std::fs::write(
        dir.path().join("fixture-course/course.yaml"),
        yaml.replace(
            "passing_score: 70",
            "passing_score: 70\n        max_attempts: 2",
        ),
    )
    .unwrap();
    let server = TestServer::start_with(ServerOptions {
        courses_dir: Some(dir.path().to_owned()),
        ..Default::default()
    })
    .await;
    let ana = enrolled(&server, "ana@city.gov").await;
    let attempts = format!("{FIXTURE}/lessons/check/attempts");
    let wrong = json!({ "answers": { "q1": ["a"], "q2": ["true"] } });
    // The first wrong attempt hides the right answers; the last reveals them.
    for (attempt, revealed) in [(1, json!([])), (2, json!(["b"]))] {
        let (status, body) = server
            .call(&ana, Method::POST, &attempts, Some(wrong.clone()))
            .await;
        assert_eq!(status, 200, "attempt {attempt}: {body}");
        assert_eq!(
            body["questions"][0]["correct_options"], revealed,
            "attempt {attempt}"
        );
    }
    let (status, body) = server
        .call(&ana, Method::POST, &attempts, Some(wrong))
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["field"], "attempts");
}

#[tokio::test]
async fn completing_every_lesson_completes_the_course_once() {
    let (server, _dir) = fixture_server().await;
    let ana = enrolled(&server, "ana@city.gov").await;
    for _ in 0..3 {
        let (status, p) = server
            .call(
                &ana,
                Method::POST,
                &format!("{FIXTURE}/lessons/intro/completion"),
                None,
            )
            .await;
        assert_eq!(
            (status, p["completed_lessons"].as_u64()),
            (200, Some(1)),
            "idempotent"
        );
    }
    let (_, p) = server
        .call(
            &ana,
            Method::POST,
            &format!("{FIXTURE}/lessons/sheet/completion"),
            None,
        )
        .await;
    assert_eq!(
        (p["percent"].as_u64(), p["resume_lesson_key"].as_str()),
        (Some(66), Some("check"))
    );
    assert_eq!(p["completed_at"], Value::Null);
    let (_, r) = server
        .call(
            &ana,
            Method::POST,
            &format!("{FIXTURE}/lessons/check/attempts"),
            Some(json!({ "answers": { "q1": ["b"], "q2": ["false"] } })),
        )
        .await;
    assert_eq!(r["progress"]["percent"], 100);
    assert!(r["progress"]["completed_at"].is_string(), "{r}");
    // Passing again changes nothing.
    server
        .call(
            &ana,
            Method::POST,
            &format!("{FIXTURE}/lessons/check/attempts"),
            Some(json!({ "answers": { "q1": ["b"], "q2": ["false"] } })),
        )
        .await;
    let conn = server.conn().await;
    assert_eq!(
        agora_core::jobs::count_kind(&conn, "course_completed")
            .await
            .unwrap(),
        1
    );

    let (_, mine) = server
        .call(&ana, Method::GET, "/api/v1/me/learning", None)
        .await;
    assert_eq!(mine[0]["slug"], "fixture-course");
    assert_eq!(mine[0]["progress"]["percent"], 100);
    let (status, progress) = server
        .call(&ana, Method::GET, &format!("{FIXTURE}/progress"), None)
        .await;
    assert_eq!(
        (status, progress["completed_lessons"].as_u64()),
        (200, Some(3))
    );
}

#[tokio::test]
async fn my_learning_says_where_to_continue() {
    let server = TestServer::start().await;
    let ana = server.learner("ana@city.gov").await;
    for slug in ["localizing-the-sdgs", "building-a-learning-city"] {
        server
            .call(
                &ana,
                Method::POST,
                &format!("/api/v1/courses/{slug}/enrolment"),
                None,
            )
            .await;
    }
    let (_, first) = server.get_json("/api/v1/courses/localizing-the-sdgs").await;
    let lessons: Vec<String> = first["modules"][0]["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["key"].as_str().unwrap().to_owned())
        .collect();
    server
        .call(
            &ana,
            Method::POST,
            &format!(
                "/api/v1/courses/localizing-the-sdgs/lessons/{}/completion",
                lessons[0]
            ),
            None,
        )
        .await;
    let (status, mine) = server
        .call(&ana, Method::GET, "/api/v1/me/learning?lang=fr", None)
        .await;
    assert_eq!(status, 200, "{mine}");
    let sdgs = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == "localizing-the-sdgs")
        .unwrap();
    assert_eq!(sdgs["locale"], "fr");
    assert_eq!(sdgs["title"], "Localiser les ODD : une introduction");
    assert_eq!(sdgs["progress"]["completed_lessons"], 1);
    assert_eq!(sdgs["progress"]["resume_lesson_key"], lessons[1].as_str());
    assert_eq!(
        sdgs["continue_path"],
        format!("/api/v1/courses/localizing-the-sdgs/lessons/{}", lessons[1]).as_str()
    );
    // Most recent activity first.
    assert_eq!(mine[0]["slug"], "localizing-the-sdgs");
}

/// Concurrency: many completions of one lesson leave one record; concurrent
/// completions of the last two lessons complete the course exactly once.
#[tokio::test]
async fn concurrent_completions_never_double_count() {
    let (server, _dir) = fixture_server().await;
    let ana = enrolled(&server, "ana@city.gov").await;
    let path = format!("{FIXTURE}/lessons/intro/completion");
    let calls = (0..100).map(|_| server.call(&ana, Method::POST, &path, None));
    let results = futures::future::join_all(calls).await;
    assert!(
        results.iter().all(|(s, _)| *s == 200),
        "{:?}",
        results.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    let conn = server.conn().await;
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        agora_core::entities::lesson_progress::Entity::find()
            .count(&conn)
            .await
            .unwrap(),
        1
    );

    // Many learners, each racing their last two lessons.
    let mut learners = Vec::new();
    for i in 0..8 {
        let l = enrolled(&server, &format!("learner{i}@city.gov")).await;
        server
            .call(
                &l,
                Method::POST,
                &format!("{FIXTURE}/lessons/check/attempts"),
                Some(json!({ "answers": { "q1": ["b"], "q2": ["false"] } })),
            )
            .await;
        learners.push(l);
    }
    let (intro, sheet) = (
        format!("{FIXTURE}/lessons/intro/completion"),
        format!("{FIXTURE}/lessons/sheet/completion"),
    );
    let server_ref = &server;
    let races = learners.iter().map(|l| {
        let (intro, sheet) = (&intro, &sheet);
        async move {
            let a = server_ref.call(l, Method::POST, intro, None);
            let b = server_ref.call(l, Method::POST, sheet, None);
            let (a, b) = tokio::join!(a, b);
            assert_eq!((a.0, b.0), (200, 200));
        }
    });
    futures::future::join_all(races).await;
    assert_eq!(
        agora_core::jobs::count_kind(&conn, "course_completed")
            .await
            .unwrap(),
        8,
        "one completion job per learner"
    );
    for l in &learners {
        let (_, p) = server
            .call(l, Method::GET, &format!("{FIXTURE}/progress"), None)
            .await;
        if !p["completed_at"].is_string() {
            use sea_orm::EntityTrait;
            let id = uuid::Uuid::parse_str(p["enrolment_id"].as_str().unwrap()).unwrap();
            let row = agora_core::entities::enrolment::Entity::find_by_id(id)
                .one(&conn)
                .await
                .unwrap();
            panic!("stale progress summary {p}\nthe database holds {row:?}");
        }
    }
}

/// A transaction never waits for a second connection: with a pool of two,
/// concurrent learners on a cold cache still all succeed.
#[tokio::test]
async fn a_small_pool_never_deadlocks() {
    let dir = TempDir::new();
    write_fixture_course(dir.path(), "fixture-course");
    let server = TestServer::start_with(ServerOptions {
        courses_dir: Some(dir.path().to_owned()),
        env: vec![
            ("AGORA_DATABASE_MAX_CONNECTIONS".into(), "2".into()),
            ("AGORA_RUN_WORKER".into(), "false".into()),
        ],
    })
    .await;
    for kind in ["search.index_course", "mail.verify_email", "mail.enrolled"] {
        server.expect_jobs_left(kind, "the server runs no worker in this test");
    }
    let mut learners = Vec::new();
    for i in 0..8 {
        learners.push(enrolled(&server, &format!("pool{i}@city.gov")).await);
    }
    let path = format!("{FIXTURE}/lessons/intro/completion");
    let calls = learners.iter().flat_map(|l| {
        [
            server.call(l, Method::POST, &path, None),
            server.call(l, Method::GET, "/api/v1/me/learning", None),
        ]
    });
    let results = futures::future::join_all(calls).await;
    assert!(
        results.iter().all(|(s, _)| *s == 200),
        "{:?}",
        results.iter().map(|r| r.0).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn learners_cannot_act_on_courses_they_are_not_enrolled_in() {
    let (server, _dir) = fixture_server().await;
    let ana = server.learner("ana@city.gov").await;
    for (method, path, body) in [
        (
            Method::POST,
            format!("{FIXTURE}/lessons/intro/completion"),
            None,
        ),
        (
            Method::POST,
            format!("{FIXTURE}/lessons/check/attempts"),
            Some(json!({ "answers": { "q1": ["b"], "q2": ["false"] } })),
        ),
        (
            Method::GET,
            format!("{FIXTURE}/lessons/sheet/resource"),
            None,
        ),
    ] {
        let (status, err) = server.call(&ana, method, &path, body).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (403, Some("forbidden")),
            "{path}"
        );
    }
    let conn = server.conn().await;
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        agora_core::entities::lesson_progress::Entity::find()
            .count(&conn)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        agora_core::entities::quiz_attempt::Entity::find()
            .count(&conn)
            .await
            .unwrap(),
        0
    );
}

/// "My learning" is kept rendered per learner, and follows every change at
/// once: a completion, a new enrolment, the certificate's issue and its
/// revocation.
#[tokio::test]
async fn the_my_learning_page_follows_each_change_at_once() {
    let dir = TempDir::new();
    for slug in ["fixture-course", "other-course"] {
        write_fixture_course(dir.path(), slug);
    }
    let server = TestServer::start_with(ServerOptions {
        courses_dir: Some(dir.path().to_owned()),
        ..Default::default()
    })
    .await;
    let ana = enrolled(&server, "ana@city.gov").await;
    let (s, a) = (&server, &ana);
    let page = move || async move {
        let r = s
            .http
            .get(s.url("/my-learning"))
            .header("accept", "text/html")
            .header("cookie", a.cookie.split(';').next().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.text().await.unwrap()
    };
    let html = page().await;
    assert!(html.contains("0 of 3 lessons completed"), "{html}");
    assert!(
        html.contains("Complete a course to receive a certificate."),
        "{html}"
    );

    let complete = |key: &'static str| {
        let (server, ana) = (&server, &ana);
        async move {
            let (status, _) = server
                .call(
                    ana,
                    Method::POST,
                    &format!("{FIXTURE}/lessons/{key}/completion"),
                    None,
                )
                .await;
            assert_eq!(status, 200);
        }
    };
    complete("intro").await;
    let html = page().await;
    assert!(html.contains("1 of 3 lessons completed"), "{html}");
    assert!(
        html.contains("/courses/fixture-course/lessons/sheet"),
        "{html}"
    );

    // Another course: its card appears at once.
    let (status, _) = server
        .call(
            &ana,
            Method::POST,
            "/api/v1/courses/other-course/enrolment",
            None,
        )
        .await;
    assert_eq!(status, 201);
    let html = page().await;
    assert_eq!(html.matches("<li class=\"card\">").count(), 2, "{html}");

    // Completing the course: the certificate is prepared, then ready.
    complete("sheet").await;
    let (_, r) = server
        .call(
            &ana,
            Method::POST,
            &format!("{FIXTURE}/lessons/check/attempts"),
            Some(json!({ "answers": { "q1": ["b"], "q2": ["false"] } })),
        )
        .await;
    assert_eq!(r["progress"]["percent"], 100, "{r}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let html = loop {
        let html = page().await;
        if html.contains("Download the certificate") {
            break html;
        }
        assert!(std::time::Instant::now() < deadline, "{html}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(html.contains("Course completed."), "{html}");
    assert!(!html.contains("Complete a course to receive"), "{html}");
    assert!(!html.contains("Revoked certificate"), "{html}");
    let code = html
        .split("/certificates/")
        .nth(1)
        .and_then(|s| s.split(['/', '"']).next())
        .expect("a certificate link")
        .to_owned();

    // Revoked by an admin: shown at once.
    let admin = server.admin("admin@city.gov").await;
    let (status, body) = server
        .call(
            &admin,
            Method::POST,
            &format!("/api/v1/admin/certificates/{code}/revocation"),
            Some(json!({ "reason": "Issued in error" })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let html = page().await;
    assert!(html.contains("Revoked certificate"), "{html}");
}
