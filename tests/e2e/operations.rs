//! Operating the server: health, readiness, logs with request ids, secrets, shutdown.

use agora_tests::{ServerOptions, TestServer};

#[tokio::test]
async fn health_and_ready() {
    let server = TestServer::start_with(ServerOptions {
        env: vec![("AGORA_REDIS_URL".into(), "redis://127.0.0.1:6379".into())],
        ..Default::default()
    })
    .await;
    let (status, body) = server.get_json("/health").await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    let (status, body) = server.get_json("/ready").await;
    assert_eq!(status, 200, "{body}");
    let names: Vec<&str> = body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["database", "redis"]);
}

#[tokio::test]
async fn ready_fails_when_a_configured_backend_is_down_and_secrets_stay_out_of_logs() {
    let secret = "s3cr3t-pa55word";
    let server = TestServer::start_with(ServerOptions {
        env: vec![
            // Nothing listens on port 9: the cache backend is unreachable.
            (
                "AGORA_REDIS_URL".into(),
                format!("redis://:{secret}@127.0.0.1:9"),
            ),
            (
                "AGORA_SMTP_URL".into(),
                format!("smtp://user:{secret}@127.0.0.1:9"),
            ),
            ("AGORA_MEILI_KEY".into(), secret.into()),
        ],
        ..Default::default()
    })
    .await;
    let (status, body) = server.get_json("/ready").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "unavailable");
    let redis = body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "redis")
        .unwrap();
    assert_eq!(redis["ok"], false);
    assert!(!body.to_string().contains(secret));
    // The catalogue keeps working without the cache.
    assert_eq!(server.get("/api/v1/courses").await.status(), 200);
    let logs = server.logs();
    assert!(
        logs.contains("Redis (redis://:redacted@127.0.0.1:9)"),
        "{logs}"
    );
    assert!(!logs.contains(secret), "a secret reached the logs:\n{logs}");
}

#[tokio::test]
async fn every_log_line_of_a_request_carries_its_id_in_json() {
    let server = TestServer::start_with(ServerOptions {
        env: vec![("AGORA_LOG_FORMAT".into(), "json".into())],
        ..Default::default()
    })
    .await;
    let r = server
        .http
        .get(server.url("/api/v1/courses"))
        .header("X-Request-Id", "test-request-0001")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "test-request-0001");
    let generated = server.get("/health").await.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(uuid::Uuid::parse_str(&generated).is_ok());
    // A request's log line is written as its answer leaves: wait for it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !(server.logs().contains(&generated) && server.logs().contains("test-request-0001"))
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let logs = server.logs();
    let request_lines: Vec<serde_json::Value> = logs
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("every log line is JSON"))
        .filter(|v: &serde_json::Value| v["span"]["name"] == "request")
        .collect();
    assert!(
        request_lines
            .iter()
            .any(|v| v["span"]["request_id"] == "test-request-0001"),
        "{logs}"
    );
    assert!(
        request_lines
            .iter()
            .any(|v| v["span"]["request_id"] == generated.as_str()),
        "{logs}"
    );
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly() {
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
    assert_eq!(server.get("/health").await.status(), 200);
    let status = server.terminate();
    assert!(
        status.success(),
        "exit status {status:?}:\n{}",
        server.logs()
    );
    assert!(server.logs().contains("shutting down"), "{}", server.logs());
}
