//! `/metrics`: the operator's figures, read back with a real Prometheus
//! parser (`prometheus-client` from PyPI, which `scripts/test` installs),
//! on the api and on a worker that runs alone.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
};

use agora_tests::{
    ServerOptions, SmtpSink, TempDir, TestServer, test_python, worker_bin, write_fixture_course,
};
use reqwest::Method;
use serde_json::{Value, json};

/// The metrics token of the test servers (the authorisation matrix uses it too).
pub const TOKEN: &str = "metrics-token-for-the-tests-7c1e";

const FIXTURE: &str = "fixture-course";

/// One sample, as the parser read it.
#[derive(Debug, serde::Deserialize)]
pub struct Sample {
    pub family: String,
    pub kind: String,
    pub name: String,
    pub labels: std::collections::BTreeMap<String, String>,
    pub value: Option<f64>,
}

/// Parses exposition text with Python's `prometheus_client`: the
/// Prometheus text parser, or the strict OpenMetrics one.
pub fn parse(text: &str, openmetrics: bool) -> Vec<Sample> {
    let script = r#"
import json, math, sys
if sys.argv[1] == "openmetrics":
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
else:
    from prometheus_client.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    for s in f.samples:
        v = float(s.value)
        out.append({"family": f.name, "kind": f.type, "name": s.name,
                    "labels": dict(s.labels), "value": v if math.isfinite(v) else None})
print(json.dumps(out))
"#;
    use std::io::Write;
    let mut child = Command::new(test_python())
        .args([
            "-c",
            script,
            if openmetrics {
                "openmetrics"
            } else {
                "prometheus"
            },
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python with prometheus-client (scripts/test installs it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "prometheus_client could not parse:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The sum of the samples named `name` whose labels include `labels`.
pub fn total(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| s.name == name)
        .filter(|s| {
            labels
                .iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .filter_map(|s| s.value)
        .sum()
}

/// Scrapes `base`/metrics with the token and parses it.
pub async fn scrape(http: &reqwest::Client, base: &str) -> Vec<Sample> {
    let r = http
        .get(format!("{base}/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4"),
        "{:?}",
        r.headers()
    );
    parse(&r.text().await.unwrap(), false)
}

/// Scrapes until `done` holds of the figures (for work behind the
/// request); fails after 60 s, naming `what`.
async fn scrape_until(
    http: &reqwest::Client,
    base: &str,
    what: &str,
    done: impl Fn(&[Sample]) -> bool,
) -> Vec<Sample> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let s = scrape(http, base).await;
        if done(&s) {
            return s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what} in /metrics"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn server_with_mail(sink: &SmtpSink, courses: &TempDir) -> TestServer {
    TestServer::start_with(ServerOptions {
        courses_dir: Some(courses.path().to_owned()),
        env: vec![
            ("AGORA_SMTP_URL".into(), sink.url()),
            ("AGORA_METRICS_TOKEN".into(), TOKEN.into()),
        ],
    })
    .await
}

#[tokio::test]
async fn metrics_count_routes_jobs_mail_and_the_process() {
    let sink = SmtpSink::start();
    let courses = TempDir::new();
    write_fixture_course(courses.path(), FIXTURE);
    let server = server_with_mail(&sink, &courses).await;
    let before = scrape(&server.http, &server.base).await;
    let sign_ins = |s: &[Sample]| {
        total(
            s,
            "agora_http_requests_total",
            &[("route", "/api/v1/auth/sign-in"), ("status", "200")],
        )
    };

    // A learner registers (a mail), signs in, reads and completes the course
    // (a job, a certificate and another mail), searches, and misses twice.
    let ana = server.learner("ana@city.gov").await;
    let api = format!("/api/v1/courses/{FIXTURE}");
    let (status, body) = server
        .call(&ana, Method::POST, &format!("{api}/enrolment"), None)
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, _) = server
        .call(&ana, Method::GET, &format!("{api}/lessons/intro"), None)
        .await;
    assert_eq!(status, 200);
    let page = server
        .http
        .get(server.url(&format!("/courses/{FIXTURE}/lessons/intro")))
        .header("cookie", &ana.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    for lesson in ["intro", "sheet"] {
        let (status, _) = server
            .call(
                &ana,
                Method::POST,
                &format!("{api}/lessons/{lesson}/completion"),
                None,
            )
            .await;
        assert_eq!(status, 200);
    }
    let (status, r) = server
        .call(
            &ana,
            Method::POST,
            &format!("{api}/lessons/check/attempts"),
            Some(json!({ "answers": { "q1": ["b"], "q2": ["false"] } })),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(server.get("/no-such-page").await.status(), 404);
    assert_eq!(
        server.get("/api/v1/courses/no-such-course").await.status(),
        404
    );
    assert_eq!(server.get("/api/v1/no-such-endpoint").await.status(), 404);
    assert_eq!(server.get("/api/v1/search?q=fixture").await.status(), 200);

    let after = scrape_until(&server.http, &server.base, "the certificate job", |s| {
        total(
            s,
            "agora_job_runs_total",
            &[("kind", "course_completed"), ("outcome", "done")],
        ) >= 1.0
            && total(s, "agora_certificates_issued_total", &[("kind", "course")]) >= 1.0
    })
    .await;
    let s = &after;
    // Requests by route template, never by raw path.
    let lesson_route = [
        ("method", "GET"),
        ("route", "/api/v1/courses/:slug/lessons/:lesson"),
        ("status", "200"),
    ];
    let routes: std::collections::BTreeSet<String> = s
        .iter()
        .filter(|x| x.name == "agora_http_requests_total")
        .map(|x| {
            format!(
                "{} {} {}",
                x.labels["method"], x.labels["route"], x.labels["status"]
            )
        })
        .collect();
    assert!(
        total(s, "agora_http_requests_total", &lesson_route) >= 1.0,
        "{routes:#?}"
    );
    assert!(
        total(
            s,
            "agora_http_request_duration_seconds_count",
            &lesson_route
        ) >= 1.0
    );
    assert!(
        total(
            s,
            "agora_http_requests_total",
            &[("route", "/courses/:slug/lessons/:key"), ("status", "200")]
        ) >= 1.0
    );
    assert!(
        total(
            s,
            "agora_http_requests_total",
            &[("route", "(unmatched)"), ("status", "404")]
        ) >= 1.0,
        "{routes:#?}"
    );
    // The pages' catch-all answers unknown addresses with a page.
    assert!(
        total(
            s,
            "agora_http_requests_total",
            &[("route", "/:any"), ("status", "404")]
        ) >= 1.0,
        "{routes:#?}"
    );
    assert!(
        total(
            s,
            "agora_http_requests_total",
            &[("route", "/api/v1/courses/:slug"), ("status", "404")]
        ) >= 1.0
    );
    assert!(
        !s.iter()
            .any(|x| x.labels.values().any(|v| v.contains(FIXTURE))),
        "a raw path leaked into a label"
    );
    assert!(sign_ins(s) > sign_ins(&before), "sign-ins counted");
    // This very scrape is in flight.
    assert!(total(s, "agora_http_requests_in_flight", &[]) >= 1.0);
    // Mail through the real SMTP server: the verification and the certificate.
    sink.wait_for("ana@city.gov", 2).await;
    assert!(
        total(
            s,
            "agora_mails_total",
            &[("backend", "SMTP"), ("outcome", "sent")]
        ) >= 1.0
    );
    assert_eq!(total(s, "agora_mails_total", &[("outcome", "failed")]), 0.0);
    assert!(
        total(
            s,
            "agora_job_duration_seconds_count",
            &[("kind", "course_completed")]
        ) >= 1.0
    );
    assert!(total(s, "agora_search_queries_total", &[]) >= 1.0);
    assert!(total(s, "agora_cache_requests_total", &[("kind", "auth")]) >= 1.0);
    assert!(total(s, "process_resident_memory_bytes", &[]) > 0.0);
    assert!(total(s, "agora_uptime_seconds", &[]) > 0.0);
    assert_eq!(total(s, "agora_db_pool_max_connections", &[]), 16.0);
    assert!(total(s, "agora_db_pool_connections", &[]) >= 1.0);
    assert!(total(s, "agora_db_pool_acquire_seconds_count", &[]) >= 1.0);
    assert!(
        s.iter()
            .any(|x| x.family == "agora_jobs_oldest_due_seconds")
    );
    assert!(
        s.iter()
            .any(|x| x.family == "agora_http_request_duration_seconds" && x.kind == "histogram")
    );

    // A scraper that asks for OpenMetrics gets it, and the strict parser reads it.
    let r = server
        .http
        .get(server.url("/metrics"))
        .bearer_auth(TOKEN)
        .header("accept", "application/openmetrics-text; version=1.0.0")
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let om = parse(&r.text().await.unwrap(), true);
    assert!(total(&om, "agora_http_requests_total", &lesson_route) >= 1.0);
}

#[tokio::test]
async fn metrics_need_the_operators_token() {
    let server = TestServer::start_with(ServerOptions {
        env: vec![("AGORA_METRICS_TOKEN".into(), TOKEN.into())],
        ..Default::default()
    })
    .await;
    for auth in [None, Some("Bearer wrong-token-wrong-token"), Some(TOKEN)] {
        let mut r = server.http.get(server.url("/metrics"));
        if let Some(a) = auth {
            r = r.header("authorization", a);
        }
        let r = r.send().await.unwrap();
        assert_eq!(r.status(), 401, "{auth:?}");
        assert_eq!(r.headers()["www-authenticate"], "Bearer realm=\"metrics\"");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "unauthorized", "{body}");
    }
    // Without a token configured, there is nothing at /metrics.
    let off = TestServer::start().await;
    let (status, body) = off.get_json("/metrics").await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
}

#[tokio::test]
async fn a_worker_alone_serves_its_own_metrics() {
    let sink = SmtpSink::start();
    let courses = TempDir::new();
    write_fixture_course(courses.path(), FIXTURE);
    let server = TestServer::start_with(ServerOptions {
        courses_dir: Some(courses.path().to_owned()),
        env: vec![
            ("AGORA_SMTP_URL".into(), sink.url()),
            ("AGORA_RUN_WORKER".into(), "false".into()),
        ],
    })
    .await;
    let mut worker = Command::new(worker_bin())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AGORA_DATABASE_URL", &server.db.url)
        .env("AGORA_DATA_DIR", server.data.path())
        .env("AGORA_PUBLIC_URL", &server.base)
        .env("AGORA_SMTP_URL", sink.url())
        .env("AGORA_METRICS_TOKEN", TOKEN)
        .env("AGORA_WORKER_METRICS_BIND", "127.0.0.1:0")
        .env("AGORA_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start agora-worker");
    let mut lines = BufReader::new(worker.stdout.take().unwrap()).lines();
    let base = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("Agora worker metrics on ")
                .map(|u| u.trim().trim_end_matches("/metrics").to_owned())
        })
        .expect("the worker says where its metrics are");
    // The worker, not the server, sends the verification mail.
    let (status, _) = server.register("bo@city.gov").await;
    assert_eq!(status, 202);
    sink.wait_for("bo@city.gov", 1).await;
    let http = reqwest::Client::new();
    let s = scrape_until(&http, &base, "the mail job the worker ran", |s| {
        total(
            s,
            "agora_job_runs_total",
            &[("kind", "mail.verify_email"), ("outcome", "done")],
        ) >= 1.0
    })
    .await;
    assert!(total(&s, "agora_mails_total", &[("outcome", "sent")]) >= 1.0);
    assert!(total(&s, "process_resident_memory_bytes", &[]) > 0.0);
    // No HTTP figures: the worker answers no requests but this one.
    assert!(!s.iter().any(|x| x.family.starts_with("agora_http")));
    let r = http.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "unauthorized");
    let _ = worker.kill();
    let _ = worker.wait();
}
