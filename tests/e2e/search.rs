//! `GET /api/v1/search` through the real binary, and search indexing jobs.

use agora_tests::{ServerOptions, TempDir, TestServer, copy_dir, root, run_agora, wait_until};
use serde_json::Value;

fn slugs(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {body}"))
        .iter()
        .map(|i| i["slug"].as_str().unwrap().to_owned())
        .collect()
}

async fn search(server: &TestServer, query: &str) -> Value {
    let (status, body) = server.get_json(&format!("/api/v1/search?{query}")).await;
    assert_eq!(status, 200, "{query}: {body}");
    body
}

#[tokio::test]
async fn search_finds_courses_in_the_readers_locale() {
    let server = TestServer::start().await;

    // "disaster risk", read in Spanish.
    let body = search(&server, "q=disaster+risk&lang=es").await;
    assert_eq!(slugs(&body)[0], "localizing-sendai-framework", "{body}");
    let first = &body["items"][0];
    assert_eq!(first["locale"], "es");
    assert!(
        first["title"]
            .as_str()
            .unwrap()
            .contains("Riesgo de Desastres")
    );
    assert_eq!(first["highlight"]["snippet_locale"], "en");
    assert!(
        first["highlight"]["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>Disaster</mark> <mark>Risk</mark>"),
        "{first}"
    );
    // The locale falls back like the catalogue: Accept-Language, then the default.
    let r = server
        .http
        .get(server.url("/api/v1/search?q=sendai"))
        .header("Accept-Language", "fr-CA,fr;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["vary"], "Accept-Language");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["items"][0]["locale"], "fr");
    let body = search(&server, "q=sendai&lang=de").await;
    assert_eq!(body["items"][0]["locale"], "en");

    // VLR, a typo, a prefix.
    let body = search(&server, "q=VLR").await;
    assert_eq!(slugs(&body)[0], "voluntary-local-review");
    let body = search(&server, "q=resilence").await;
    assert!(
        slugs(&body).contains(&"localizing-sendai-framework".to_string()),
        "{body}"
    );
    let body = search(&server, "q=loca").await;
    assert!(body["total"].as_u64().unwrap() >= 3, "{body}");
    assert!(slugs(&body).contains(&"localizing-the-sdgs".to_string()));

    // Highlights are escaped HTML with marks.
    let body = search(&server, "q=voluntary+local+review&lang=en").await;
    let title = body["items"][0]["highlight"]["title"].as_str().unwrap();
    assert_eq!(
        title,
        "Preparing a <mark>Voluntary</mark> <mark>Local</mark> <mark>Review</mark>"
    );

    // Facets with counts, and filters.
    let body = search(&server, "q=local").await;
    let total = body["total"].as_u64().unwrap();
    assert!(total >= 4, "{body}");
    let facets = &body["facets"];
    for name in ["sdg", "sendai", "language", "level", "duration"] {
        assert!(facets[name].is_array(), "{name} in {facets}");
    }
    assert_eq!(
        facets["language"],
        serde_json::json!([
            { "value": "en", "count": total },
            { "value": "fr", "count": total },
            { "value": "es", "count": total }
        ])
    );
    let body = search(&server, "q=local&facets=level,duration").await;
    assert!(body["facets"]["sdg"].is_null() && body["facets"]["level"].is_array());
    let body = search(&server, "q=local&level=intermediate&sdg=13").await;
    let mut found = slugs(&body);
    found.sort();
    assert_eq!(
        found,
        ["localizing-sendai-framework", "mcr2030-ten-essentials"]
    );
    let body = search(&server, "sdg=16&sdg=4&language=fr&duration=3_6h").await;
    assert_eq!(body["total"], 4, "{body}");
    let body = search(&server, "q=local&duration=under_1h").await;
    assert_eq!(body["total"], 0);
    assert_eq!(body["items"], serde_json::json!([]));

    // Pagination.
    let shipped = agora_tests::shipped_courses().len();
    let all = search(&server, "language=en").await;
    assert_eq!(all["total"], shipped);
    let mut paged = Vec::new();
    let pages = shipped.div_ceil(2);
    for p in 1..=pages {
        let body = search(&server, &format!("language=en&per_page=2&page={p}")).await;
        assert_eq!(body["total_pages"], pages);
        paged.extend(slugs(&body));
    }
    assert_eq!(paged, slugs(&all));
}

#[tokio::test]
async fn bad_search_input_is_a_400_in_the_common_shape() {
    let server = TestServer::start().await;
    let long = "a".repeat(513);
    let cases: Vec<(String, &str)> = vec![
        ("".into(), "q"),
        ("q=".into(), "q"),
        ("q=%20%20".into(), "q"),
        ("q=%21%3F".into(), "q"),
        (format!("q={long}"), "q"),
        ("q=risk%07".into(), "q"),
        ("q=risk%0A".into(), "q"),
        ("q=risk&colour=red".into(), "colour"),
        ("q=risk&facets=sdg,colour".into(), "facets"),
        ("q=risk&sdg=18".into(), "sdg"),
        ("q=risk&sdg=eleven".into(), "sdg"),
        ("q=risk&sendai=0".into(), "sendai"),
        ("q=risk&level=expert".into(), "level"),
        ("q=risk&language=de".into(), "language"),
        ("q=risk&duration=2h".into(), "duration"),
        ("q=risk&sdg=".into(), "sdg"),
        ("q=risk&per_page=101".into(), "per_page"),
        ("q=risk&per_page=0".into(), "per_page"),
        ("q=risk&page=0".into(), "page"),
        ("q=risk&page=abc".into(), "page"),
        ("q=local&page=99".into(), "page"),
        ("q=risk&lang=%3Cscript%3E".into(), "lang"),
    ];
    for (query, field) in cases {
        let (status, body) = server.get_json(&format!("/api/v1/search?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["code"], "invalid_parameter", "{query}: {body}");
        assert_eq!(body["field"], field, "{query}: {body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // The page past the end says how many pages there are.
    let (_, body) = server.get_json("/api/v1/search?q=local&page=99").await;
    assert!(
        body["message"].as_str().unwrap().contains("page(s)"),
        "{body}"
    );
    // 512 characters are fine, and a query that matches nothing is an empty page.
    let q = format!("{}xy", "xylophone+".repeat(51));
    let (status, body) = server.get_json(&format!("/api/v1/search?q={q}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 0);
}

#[tokio::test]
async fn a_dead_search_backend_is_a_503_and_nothing_else_breaks() {
    // Nothing listens on port 9: Meilisearch is "down".
    let server = TestServer::start_with(ServerOptions {
        env: vec![("AGORA_MEILI_URL".into(), "http://127.0.0.1:9".into())],
        ..Default::default()
    })
    .await;
    server.expect_jobs_left(
        "search.index_course",
        "the search backend stays down, so indexing jobs wait for their retry",
    );
    let (status, body) = server.get_json("/api/v1/search?q=disaster").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "unavailable");
    let message = body["message"].as_str().unwrap();
    assert!(
        !message.contains("127.0.0.1") && !message.to_lowercase().contains("meili"),
        "{message}"
    );
    // Bad input is still a 400, not a 503.
    let (status, _) = server.get_json("/api/v1/search?q=").await;
    assert_eq!(status, 400);
    let (status, body) = server.get_json("/api/v1/courses").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], agora_tests::shipped_courses().len());
    let (status, _) = server.get_json("/api/v1/courses/localizing-the-sdgs").await;
    assert_eq!(status, 200);
    // The indexing jobs written by the first import keep retrying, not dead.
    let conn = server.conn().await;
    wait_until("an indexing job has failed once", || async {
        agora_core::jobs::list(&conn, agora_core::jobs::QUEUED, 100)
            .await
            .unwrap()
            .iter()
            .any(|j| j.kind == "search.index_course" && j.last_error.is_some())
    })
    .await;
    let dead = agora_core::jobs::list(&conn, agora_core::jobs::DEAD, 100)
        .await
        .unwrap();
    assert!(dead.is_empty());
}

#[tokio::test]
async fn imports_enqueue_indexing_in_their_transaction_and_the_index_converges() {
    let courses = TempDir::new();
    copy_dir(&root().join("courses"), courses.path());
    let server = TestServer::start_with(ServerOptions {
        courses_dir: Some(courses.path().to_owned()),
        ..Default::default()
    })
    .await;
    let conn = server.conn().await;
    let shipped = agora_tests::shipped_courses().len();
    // The first import wrote one job per course, with the courses.
    assert_eq!(
        agora_core::jobs::count_kind(&conn, "search.index_course")
            .await
            .unwrap() as usize,
        shipped
    );
    wait_until("the first indexing jobs are done", || async {
        agora_core::jobs::list(&conn, agora_core::jobs::DONE, 100)
            .await
            .unwrap()
            .iter()
            .filter(|j| j.kind == "search.index_course")
            .count()
            == shipped
    })
    .await;
    // The index was empty at start, so the server rebuilt it from the
    // database, which covers those jobs: they are settled, not run again.
    let settled = agora_core::jobs::list(&conn, agora_core::jobs::DONE, 100)
        .await
        .unwrap();
    assert!(
        settled
            .iter()
            .filter(|j| j.kind == "search.index_course")
            .all(|j| j.attempts == 0),
        "{settled:?}"
    );

    // Edit a course: the re-import enqueues one job, and search follows.
    let meta = courses.path().join("voluntary-local-review/en/meta.yaml");
    let text = std::fs::read_to_string(&meta).unwrap();
    std::fs::write(
        &meta,
        text.replacen(
            "title: Preparing a Voluntary Local Review",
            "title: Preparing a Voluntary Local Review with zanzibarite",
            1,
        ),
    )
    .unwrap();
    let out = run_agora(
        &server.db,
        server.data.path(),
        &["import", courses.path().to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        agora_core::jobs::count_kind(&conn, "search.index_course")
            .await
            .unwrap() as usize,
        shipped + 1
    );
    wait_until("the edit is searchable", || async {
        let (_, body) = server.get_json("/api/v1/search?q=zanzibarite").await;
        body["total"] == 1
    })
    .await;

    // Unpublish it: it leaves the search results.
    let course = courses.path().join("voluntary-local-review/course.yaml");
    let text = std::fs::read_to_string(&course).unwrap();
    std::fs::write(
        &course,
        text.replacen("status: published", "status: draft", 1),
    )
    .unwrap();
    let out = run_agora(
        &server.db,
        server.data.path(),
        &["import", courses.path().to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    wait_until("the draft is out of the index", || async {
        let (_, body) = server.get_json("/api/v1/search?q=zanzibarite").await;
        body["total"] == 0
    })
    .await;

    // A failed import writes no job at all.
    std::fs::write(
        courses.path().join("localizing-the-sdgs/course.yaml"),
        "slug: [broken",
    )
    .unwrap();
    let out = run_agora(
        &server.db,
        server.data.path(),
        &["import", courses.path().to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert_eq!(
        agora_core::jobs::count_kind(&conn, "search.index_course")
            .await
            .unwrap() as usize,
        shipped + 2,
        "the edit and the unpublishing wrote one job each; the failed import none"
    );
}

#[tokio::test]
async fn reindex_rebuilds_a_deleted_index_with_a_progress_bar() {
    let mut server = TestServer::start().await;
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
    assert_eq!(
        slugs(&search(&server, "q=VLR").await)[0],
        "voluntary-local-review"
    );
    server.terminate();
    let index_dir = server.data.path().join("search");
    assert!(index_dir.is_dir());
    std::fs::remove_dir_all(&index_dir).unwrap();
    let out = run_agora(&server.db, server.data.path(), &["search", "reindex"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let shipped = agora_tests::shipped_courses().len();
    assert!(
        stdout.contains(&format!("indexed {shipped} published course(s)")),
        "{stdout}"
    );

    // The rebuilt index is complete.
    let config = agora_core::config::Config::parse_from([
        "agora".to_owned(),
        "--data-dir".to_owned(),
        server.data.path().display().to_string(),
    ])
    .unwrap();
    let index = agora_core::search::SearchIndex::from_config(&config).unwrap();
    assert_eq!(index.count().await.unwrap() as usize, shipped);
}

#[tokio::test]
async fn enrolments_refresh_popularity_once_their_window_closes() {
    use agora_core::entities::job;
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
    let server = TestServer::start().await;
    let conn = server.conn().await;
    let path = "/api/v1/courses/planning-sdgs-locally/enrolment";
    for email in ["ana@example.org", "ben@example.org"] {
        let learner = server.learner(email).await;
        let (status, body) = server
            .call(&learner, reqwest::Method::POST, path, None)
            .await;
        assert!((200..300).contains(&status), "{body}");
    }
    // Enrolments collapse into one job per course per five-minute window,
    // due when the window closes.
    let window = 300_000;
    let now = agora_core::jobs::now_ms();
    let pending: Vec<job::Model> = job::Entity::find()
        .filter(job::Column::Kind.eq("search.index_course"))
        .filter(job::Column::RunAt.gt(now))
        .all(&conn)
        .await
        .unwrap();
    assert!(
        (1..=2).contains(&pending.len()),
        "one job, or two if a window closed between the enrolments: {pending:?}"
    );
    for j in &pending {
        assert_eq!(j.run_at % window, 0);
        assert!(j.run_at - now <= window);
    }
    // Let the window close now instead of waiting: the index learns the count.
    for j in pending {
        let mut am: job::ActiveModel = j.into();
        am.run_at = Set(agora_core::jobs::now_ms());
        am.update(&conn).await.unwrap();
    }
    wait_until("the index has the new enrolment count", || async {
        let (_, body) = server.get_json("/api/v1/search?q=planning").await;
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["slug"] == "planning-sdgs-locally" && i["enrolment_count"] == 2)
    })
    .await;
}
