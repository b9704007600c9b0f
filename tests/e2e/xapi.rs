//! xAPI (issue 21): every learning event becomes one statement, written with
//! the event, read back through the learning record store at `/xapi/`, and
//! checked by an independent validator: Learning Locker's `xapi-validation`
//! from npm, run by node (`tests/xapi-validation/validate.js`).

use std::{path::PathBuf, process::Command, time::Duration};

use agora_core::entities::enrolment;
use agora_tests::{Learner, ServerOptions, TempDir, TestServer, run_agora, write_fixture_course};
use reqwest::Method;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

pub(super) const FIXTURE: &str = "/api/v1/courses/fixture-course";
pub(super) const V: &str = "http://adlnet.gov/expapi/verbs/";

/// Basic credentials of an LRS client.
pub(super) struct Creds {
    pub key: String,
    pub secret: String,
}

/// Issues credentials with `agora xapi create-client`.
pub(super) fn create_client(server: &TestServer, scopes: &str) -> Creds {
    let out = run_agora(
        &server.db,
        server.data.path(),
        &[
            "xapi",
            "create-client",
            "--name",
            "Analytics",
            "--scopes",
            scopes,
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap()
            .trim()
            .to_owned()
    };
    Creds {
        key: field("key"),
        secret: field("secret"),
    }
}

/// A request to the LRS with credentials and the version header.
pub(super) fn lrs(
    server: &TestServer,
    c: &Creds,
    method: Method,
    path: &str,
) -> reqwest::RequestBuilder {
    server
        .http
        .request(method, server.url(&format!("/xapi/{path}")))
        .basic_auth(&c.key, Some(&c.secret))
        .header("X-Experience-API-Version", "1.0.3")
}

/// Every statement the LRS holds, oldest first, following `more`.
pub(super) async fn all_statements(server: &TestServer, c: &Creds) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next = "statements?ascending=true&limit=20".to_owned();
    loop {
        let r = lrs(server, c, Method::GET, &next).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["x-experience-api-version"], "1.0.3");
        assert!(
            r.headers()
                .contains_key("x-experience-api-consistent-through")
        );
        let page: Value = r.json().await.unwrap();
        out.extend(page["statements"].as_array().unwrap().iter().cloned());
        match page["more"].as_str() {
            Some(m) if !m.is_empty() => next = m.strip_prefix("/xapi/").unwrap().to_owned(),
            _ => return out,
        }
    }
}

/// The independent validator's errors for each statement (none: empty).
pub(super) fn npm_validate(statements: &[Value]) -> Vec<Value> {
    let source = agora_tests::root().join("tests/xapi-validation");
    let dir = match std::env::var_os("AGORA_TEST_XAPI_VALIDATION_MODULES") {
        Some(m) => PathBuf::from(m).parent().unwrap().to_owned(),
        None => source.clone(),
    };
    assert!(
        dir.join("node_modules/xapi-validation").is_dir(),
        "xapi-validation is missing: `npm ci` in {} (scripts/test does it)",
        dir.display()
    );
    std::fs::copy(source.join("validate.js"), dir.join("validate.js")).ok();
    let tmp = TempDir::new();
    let input = tmp.path().join("statements.json");
    std::fs::write(&input, serde_json::to_vec(statements).unwrap()).unwrap();
    let out = Command::new("node")
        .current_dir(&dir)
        .arg("validate.js")
        .arg(&input)
        .output()
        .expect("node (installed by scripts/test)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<Value>>(&out.stdout).expect("one JSON line")
}

pub(super) async fn fixture_server(extra: Vec<(String, String)>) -> (TestServer, TempDir) {
    let dir = TempDir::new();
    write_fixture_course(dir.path(), "fixture-course");
    let mut env = vec![("AGORA_RESUME_FLUSH_MS".into(), "100".into())];
    env.extend(extra);
    let server = TestServer::start_with(ServerOptions {
        courses_dir: Some(dir.path().to_owned()),
        env,
    })
    .await;
    (server, dir)
}

/// Ana's whole journey: sign up, enrol, open and complete lessons, fail
/// then pass the quiz (completing the course), get the certificate.
pub(super) async fn journey(server: &TestServer, email: &str) -> Learner {
    let ana = server.learner(email).await;
    let call = |m: Method, p: String, b: Option<Value>| {
        let ana = &ana;
        async move {
            let (s, body) = server.call(ana, m, &p, b).await;
            assert!(s < 300, "{p}: {s} {body}");
        }
    };
    call(Method::POST, format!("{FIXTURE}/enrolment"), None).await;
    call(Method::GET, format!("{FIXTURE}/lessons/intro"), None).await;
    call(
        Method::POST,
        format!("{FIXTURE}/lessons/intro/completion"),
        None,
    )
    .await;
    call(
        Method::POST,
        format!("{FIXTURE}/lessons/sheet/completion"),
        None,
    )
    .await;
    let attempts = format!("{FIXTURE}/lessons/check/attempts");
    let wrong = json!({ "answers": { "q1": ["a"], "q2": ["false"] } });
    let right = json!({ "answers": { "q1": ["b"], "q2": ["false"] } });
    call(Method::POST, attempts.clone(), Some(wrong)).await;
    call(Method::POST, attempts, Some(right)).await;
    ana
}

fn verbs(statements: &[Value]) -> Vec<String> {
    statements
        .iter()
        .map(|s| {
            let v = s["verb"]["id"].as_str().unwrap();
            v.rsplit('/').next().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test]
async fn each_learning_event_is_one_valid_statement_in_the_lrs() {
    let (server, _dir) = fixture_server(vec![]).await;
    let ana = journey(&server, "ana@city.gov").await;
    let reader = create_client(&server, "read");
    // The lesson opened is written by the visit flush; the certificate by the worker.
    let mut statements = Vec::new();
    for _ in 0..100 {
        statements = all_statements(&server, &reader).await;
        if verbs(&statements).contains(&"earned".to_owned()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut got = verbs(&statements);
    got.sort();
    let mut expected = vec![
        "registered", // the account
        "registered", // the enrolment
        "experienced",
        "completed", // intro
        "completed", // sheet
        "answered",
        "answered",
        "failed",
        "answered",
        "answered",
        "passed",
        "completed", // the quiz lesson, by passing it
        "completed", // the course
        "earned",
    ];
    expected.sort();
    assert_eq!(got, expected, "{statements:#?}");

    // The independent validator finds nothing wrong with any of them.
    let errors = npm_validate(&statements);
    assert!(errors.is_empty(), "xapi-validation: {errors:#?}");

    let conn = server.conn().await;
    let e = enrolment::Entity::find().one(&conn).await.unwrap().unwrap();
    let home = server.url("/");
    for s in &statements {
        // The account, never the address.
        assert_eq!(s["actor"]["account"]["homePage"], home.as_str(), "{s}");
        assert_eq!(s["actor"]["account"]["name"], e.user_id.to_string());
        assert!(s["actor"].get("mbox").is_none());
        assert!(s["object"]["id"].as_str().unwrap().starts_with(&home));
        assert_eq!(s["authority"]["account"]["name"], "agora");
        let verb = s["verb"]["id"].as_str().unwrap();
        let course_level = s["object"]["id"] == json!(server.url("/courses/fixture-course"))
            || s["object"]["definition"]["type"]
                .as_str()
                .unwrap()
                .ends_with("/application");
        if s["object"]["id"] == json!(home) {
            continue; // the account: no enrolment yet
        }
        assert_eq!(s["context"]["registration"], e.id.to_string(), "{verb}");
        assert_eq!(s["context"]["language"], "en");
        if !course_level {
            assert_eq!(
                s["context"]["contextActivities"]["parent"][0]["id"],
                json!(server.url("/courses/fixture-course")),
                "{s}"
            );
        }
    }
    let passed = statements
        .iter()
        .find(|s| s["verb"]["id"] == json!(format!("{V}passed")))
        .unwrap();
    assert_eq!(passed["result"]["score"]["scaled"], json!(1.0));
    assert_eq!(passed["result"]["success"], json!(true));
    let response: Value =
        serde_json::from_str(passed["result"]["response"].as_str().unwrap()).unwrap();
    assert_eq!(response, json!({ "q1": ["b"], "q2": ["false"] }));
    let failed = statements
        .iter()
        .find(|s| s["verb"]["id"] == json!(format!("{V}failed")))
        .unwrap();
    assert_eq!(failed["result"]["score"]["raw"], json!(50));

    // The learner's own filter finds them all; one registration too.
    let agent =
        json!({ "account": { "homePage": home, "name": e.user_id.to_string() } }).to_string();
    let q = format!(
        "statements?agent={}&registration={}",
        urlencode(&agent),
        e.id
    );
    let page: Value = lrs(&server, &reader, Method::GET, &q)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        page["statements"].as_array().unwrap().len(),
        statements.len() - 1
    );
    // Completing a lesson again changes nothing, and writes nothing.
    let (status, _) = server
        .call(
            &ana,
            Method::POST,
            &format!("{FIXTURE}/lessons/intro/completion"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let again = all_statements(&server, &reader).await;
    assert_eq!(again.len(), statements.len());
}

pub(super) fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
