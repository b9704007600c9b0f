//! OpenTelemetry traces, read back by a real OTLP/HTTP receiver (decoding
//! with the official `opentelemetry-proto` package): a request's server span
//! named by its route template, the job it enqueues in the same trace with
//! the same request id (in process and in `agora-worker`), the caller's
//! `traceparent` honoured, and no secret in any span.

use std::process::{Command, Stdio};

use agora_core::entities::job;
use agora_tests::{
    OtlpReceiver, PASSWORD, ReceivedSpan, ServerOptions, SmtpSink, TempDir, TestServer, wait_until,
    worker_bin, write_fixture_course,
};
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

/// A caller's trace context (the W3C example).
const CALLER_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Registers `email` (which enqueues the verification mail), with `headers`;
/// answers the response's request id.
async fn register(server: &TestServer, email: &str, headers: &[(&str, &str)]) -> String {
    let mut req = server
        .http
        .post(server.url("/api/v1/accounts"))
        .json(&json!({
            "email": email, "password": PASSWORD, "display_name": "Ana Silva"
        }));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.expect("request");
    assert_eq!(r.status(), 202);
    r.headers()["x-request-id"].to_str().unwrap().to_owned()
}

fn one<'a>(
    spans: &'a [ReceivedSpan],
    what: &str,
    f: impl Fn(&ReceivedSpan) -> bool,
) -> &'a ReceivedSpan {
    let found: Vec<_> = spans.iter().filter(|s| f(s)).collect();
    assert_eq!(found.len(), 1, "expected one {what} among {spans:#?}");
    found[0]
}

/// The server span of the registration, and the job span of its mail.
fn request_and_job<'a>(
    spans: &'a [ReceivedSpan],
    request_id: &str,
) -> (&'a ReceivedSpan, &'a ReceivedSpan) {
    let mine = |s: &&ReceivedSpan| s.attr("request_id").as_deref() == Some(request_id);
    let server = one(spans, "server span", |s| {
        mine(&s) && s.kind == "SPAN_KIND_SERVER"
    });
    let job = one(spans, "job span", |s| {
        mine(&s) && s.name == "job mail.verify_email"
    });
    assert_eq!(server.name, "POST /api/v1/accounts");
    assert_eq!(
        server.attr("http.route").as_deref(),
        Some("/api/v1/accounts")
    );
    assert_eq!(server.attr("http.request.method").as_deref(), Some("POST"));
    assert_eq!(
        server.attr("http.response.status_code").as_deref(),
        Some("202")
    );
    assert_eq!(server.status, "STATUS_CODE_UNSET");
    assert_eq!(job.kind, "SPAN_KIND_CONSUMER");
    assert_eq!(job.attr("job.kind").as_deref(), Some("mail.verify_email"));
    assert_eq!(job.status, "STATUS_CODE_UNSET", "the job succeeded");
    // The job continues the request's trace, as a child of its span.
    assert_eq!(job.trace_id, server.trace_id);
    assert_eq!(job.parent_span_id, server.span_id);
    (server, job)
}

/// Fails when any of `secrets` appears anywhere in a span: its name,
/// attributes, events, links or resource.
fn assert_no_secret(spans: &[ReceivedSpan], secrets: &[&str]) {
    assert!(!spans.is_empty());
    for s in spans {
        let all = format!(
            "{} {:?} {:?} {:?} {:?} {}",
            s.name, s.attributes, s.events, s.links, s.resource, s.status_message
        );
        for secret in secrets {
            assert!(
                !all.to_lowercase().contains(&secret.to_lowercase()),
                "`{secret}` leaked into a span: {s:#?}"
            );
        }
        for key in s.attributes.keys() {
            assert!(
                !["path", "url.path", "url.query", "url.full", "http.target"]
                    .contains(&key.as_str()),
                "a span carries the raw address ({key}): {s:#?}"
            );
        }
    }
}

#[tokio::test]
async fn a_request_and_its_job_in_process_are_one_trace_that_continues_the_callers() {
    let sink = SmtpSink::start();
    let otlp = OtlpReceiver::start();
    // The default batch delay (5 s) outlasts the test: the spans arrive
    // because a graceful stop sends what is queued.
    let mut server = TestServer::start_with(ServerOptions {
        env: env(&[
            ("AGORA_SMTP_URL", &sink.url()),
            ("AGORA_OTLP_ENDPOINT", &otlp.endpoint()),
        ]),
        ..Default::default()
    })
    .await;
    let email = "ana.traces@city.gov";
    let traceparent = format!("00-{CALLER_TRACE}-{CALLER_SPAN}-01");
    let request_id = register(&server, email, &[("traceparent", &traceparent)]).await;
    sink.wait_for(email, 1).await;
    let token = server
        .mail_token("mail.verify_email", email)
        .await
        .expect("the verification job");
    assert!(server.terminate().success());
    let spans = otlp.spans();
    let (req, job) = request_and_job(&spans, &request_id);
    assert_eq!(
        req.trace_id, CALLER_TRACE,
        "the caller's trace is continued"
    );
    assert_eq!(req.parent_span_id, CALLER_SPAN);
    assert_eq!(req.service.as_deref(), Some("agora-api"));
    assert_eq!(
        job.service.as_deref(),
        Some("agora-api"),
        "the worker runs in process"
    );
    // The worker's log lines for the job carry the request id.
    let logs = server.logs();
    assert!(
        logs.lines()
            .any(|l| l.contains("job done") && l.contains(&format!("request_id={request_id}"))),
        "no `job done` line with the request id:\n{logs}"
    );
    assert_no_secret(&spans, &[email, PASSWORD, &token]);
}

#[tokio::test]
async fn a_worker_alone_continues_the_trace_with_the_request_id() {
    let sink = SmtpSink::start();
    let otlp = OtlpReceiver::start();
    let fast = ("OTEL_BSP_SCHEDULE_DELAY", "100");
    let server = TestServer::start_with(ServerOptions {
        env: env(&[
            ("AGORA_SMTP_URL", &sink.url()),
            ("AGORA_RUN_WORKER", "false"),
            ("AGORA_OTLP_ENDPOINT", &otlp.endpoint()),
            fast,
        ]),
        ..Default::default()
    })
    .await;
    let logs = TempDir::new();
    let log_file = logs.path().join("worker.log");
    // The worker finds the collector through the standard variable.
    let mut worker = Command::new(worker_bin())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AGORA_DATABASE_URL", &server.db.url)
        .env("AGORA_DATA_DIR", server.data.path())
        .env("AGORA_PUBLIC_URL", &server.base)
        .env("AGORA_SMTP_URL", sink.url())
        .env("AGORA_LOG", "info")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.endpoint())
        .env(fast.0, fast.1)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log_file).unwrap())
        .spawn()
        .expect("start agora-worker");
    let email = "bo.traces@city.gov";
    let request_id = "client-chosen-id-0042";
    let answered = register(&server, email, &[("x-request-id", request_id)]).await;
    assert_eq!(answered, request_id, "the caller's request id is kept");
    sink.wait_for(email, 1).await;
    // Exported while running, every 100 ms: no stop needed.
    let spans = otlp
        .wait_for("the request's and the job's spans", |spans| {
            spans
                .iter()
                .filter(|s| s.attr("request_id").as_deref() == Some(request_id))
                .count()
                >= 2
        })
        .await;
    let (req, job) = request_and_job(&spans, request_id);
    assert!(
        req.parent_span_id.is_empty(),
        "no caller trace: the request starts one"
    );
    assert_eq!(req.service.as_deref(), Some("agora-api"));
    assert_eq!(job.service.as_deref(), Some("agora-worker"));
    // The worker also indexes the shipped courses: let it finish, then stop it.
    let conn = server.conn().await;
    wait_until("the worker drained the queue", || async {
        let counts = agora_core::jobs::counts(&conn).await.unwrap();
        counts["queued"] + counts["running"] == 0
    })
    .await;
    let _ = Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status();
    assert!(worker.wait().unwrap().success());
    let logs = std::fs::read_to_string(&log_file).unwrap();
    assert!(
        logs.lines()
            .any(|l| l.contains("job done") && l.contains(&format!("request_id={request_id}"))),
        "no `job done` line with the request id:\n{logs}"
    );
    let token = server
        .mail_token("mail.verify_email", email)
        .await
        .expect("the verification job");
    assert_no_secret(&spans, &[email, PASSWORD, &token]);
}

#[tokio::test]
async fn spans_name_routes_by_template_and_carry_no_secret() {
    let otlp = OtlpReceiver::start();
    let server = TestServer::start_with(ServerOptions {
        env: env(&[
            ("AGORA_OTLP_ENDPOINT", &otlp.endpoint()),
            ("OTEL_BSP_SCHEDULE_DELAY", "100"),
        ]),
        ..Default::default()
    })
    .await;
    let feed = "feedsecret7c1e9a2b44d0";
    let query = "querysecret51f0c3a8";
    let bearer = "bearersecret0d9e8f7a";
    let cookie = "cookiesecret3b2a1c0d";
    let password = "passwordsecret 9f8e7d";
    let r = server
        .http
        .get(server.url(&format!("/api/v1/calendar-feeds/{feed}?token={query}")))
        .bearer_auth(bearer)
        .header("cookie", format!("agora_session={cookie}"))
        .send()
        .await
        .unwrap();
    let feed_status = r.status().as_u16();
    let feed_id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let r = server
        .http
        .post(server.url(&format!("/api/v1/auth/sign-in?next={query}")))
        .json(&json!({ "email": "nobody.traces@city.gov", "password": password }))
        .send()
        .await
        .unwrap();
    let sign_in_status = r.status().as_u16();
    let sign_in_id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let r = server
        .http
        .get(server.url(&format!("/verify-email?token={query}")))
        .send()
        .await
        .unwrap();
    let page_id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let r = server.get(&format!("/api/v1/no/such/{feed}")).await;
    assert_eq!(r.status(), 404);
    let unmatched_id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let ids = [&feed_id, &sign_in_id, &page_id, &unmatched_id];
    let spans = otlp
        .wait_for("the four requests' spans", |spans| {
            ids.iter().all(|id| {
                spans
                    .iter()
                    .any(|s| s.attr("request_id").as_deref() == Some(id))
            })
        })
        .await;
    let of = |id: &str| one(&spans, id, |s| s.attr("request_id").as_deref() == Some(id));
    let feed_span = of(&feed_id);
    assert_eq!(feed_span.name, "GET /api/v1/calendar-feeds/:token");
    assert_eq!(
        feed_span.attr("http.response.status_code"),
        Some(feed_status.to_string())
    );
    let sign_in = of(&sign_in_id);
    assert_eq!(sign_in.name, "POST /api/v1/auth/sign-in");
    assert_eq!(
        sign_in.attr("http.response.status_code"),
        Some(sign_in_status.to_string())
    );
    assert_eq!(of(&page_id).name, "GET /verify-email");
    // No route: the method alone, as the conventions say.
    let unmatched = of(&unmatched_id);
    assert_eq!(unmatched.name, "GET");
    assert_eq!(unmatched.attr("http.route"), None);
    assert_eq!(
        unmatched.attr("http.response.status_code").as_deref(),
        Some("404")
    );
    assert_no_secret(
        &spans,
        &[
            feed,
            query,
            bearer,
            cookie,
            password,
            "nobody.traces@city.gov",
        ],
    );
}

#[tokio::test]
async fn a_course_completed_by_its_last_lesson_hands_its_request_to_the_certificate_job() {
    // On PostgreSQL the completion is one statement that enqueues the job
    // itself; on SQLite it goes through the queue's `enqueue`: both carry it.
    let courses = TempDir::new();
    write_fixture_course(courses.path(), "fixture-course");
    let otlp = OtlpReceiver::start();
    let server = TestServer::start_with(ServerOptions {
        courses_dir: Some(courses.path().to_owned()),
        env: env(&[
            ("AGORA_OTLP_ENDPOINT", &otlp.endpoint()),
            ("OTEL_BSP_SCHEDULE_DELAY", "100"),
        ]),
    })
    .await;
    let l = server.learner("cy.traces@city.gov").await;
    let course = "/api/v1/courses/fixture-course";
    let (status, body) = server
        .call(&l, Method::POST, &format!("{course}/enrolment"), None)
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, _) = server
        .call(
            &l,
            Method::POST,
            &format!("{course}/lessons/intro/completion"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, r) = server
        .call(
            &l,
            Method::POST,
            &format!("{course}/lessons/check/attempts"),
            Some(json!({ "answers": { "q1": ["b"], "q2": ["false"] } })),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    assert!(
        r["progress"]["completed_at"].is_null(),
        "one lesson to go: {r}"
    );
    let r = server
        .as_learner(
            &l,
            Method::POST,
            &format!("{course}/lessons/sheet/completion"),
        )
        .header("traceparent", format!("00-{CALLER_TRACE}-{CALLER_SPAN}-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let request_id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["completed_at"].is_string(), "{body}");
    let conn = server.conn().await;
    let completed = job::Entity::find()
        .filter(job::Column::Kind.eq("course_completed"))
        .all(&conn)
        .await
        .unwrap();
    assert_eq!(completed.len(), 1);
    assert_eq!(
        completed[0].request_id.as_deref(),
        Some(request_id.as_str())
    );
    let traceparent = completed[0].traceparent.clone().expect("a traceparent");
    assert!(
        traceparent.starts_with(&format!("00-{CALLER_TRACE}-")),
        "{traceparent}"
    );
    let spans = otlp
        .wait_for(
            "the completion's and the certificate job's spans",
            |spans| {
                spans.iter().any(|s| {
                    s.name == "job course_completed"
                        && s.attr("request_id").as_deref() == Some(&request_id)
                })
            },
        )
        .await;
    let req = one(&spans, "completion span", |s| {
        s.kind == "SPAN_KIND_SERVER" && s.attr("request_id").as_deref() == Some(&request_id)
    });
    assert_eq!(
        req.name,
        "POST /api/v1/courses/:slug/lessons/:lesson/completion"
    );
    assert_eq!(req.trace_id, CALLER_TRACE);
    let job = one(&spans, "certificate job span", |s| {
        s.name == "job course_completed"
    });
    assert_eq!(job.trace_id, CALLER_TRACE);
    assert_eq!(job.parent_span_id, req.span_id);
    assert_eq!(job.attr("request_id").as_deref(), Some(request_id.as_str()));
    assert_eq!(traceparent, format!("00-{CALLER_TRACE}-{}-01", req.span_id));
    assert_no_secret(&spans, &[&l.token, PASSWORD, "cy.traces@city.gov"]);
}
