//! How the isolation sweep calls every route: the API with a plausible
//! body per operation, the pages as a signed-in browser posting a form,
//! and each answer read as text, headers included.

use agora_tests::{Learner, TestServer};
use reqwest::Method;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{
    cohorts::session_body,
    cohorts_work::{PDF, assignment_body, scores, submit},
};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The page routes of `api/src/web/mod.rs`, read from the router source:
/// each `.at("…", get(…).post(…))` gives its path and methods.
pub(super) fn page_routes() -> Vec<(Method, String)> {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../api/src/web/mod.rs"
    ))
    .unwrap();
    let body = src
        .split("pub fn routes(route: Route) -> Route {")
        .nth(1)
        .expect("the page router")
        .split("\n}\n")
        .next()
        .unwrap();
    let mut routes = Vec::new();
    for chunk in body.split(".at(").skip(1) {
        let path = chunk.split('"').nth(1).expect("a route literal").to_owned();
        let handlers = chunk.split_once(',').map(|x| x.1).unwrap_or(chunk);
        let methods = if handlers.contains("get(") || handlers.contains("post(") {
            let mut m = Vec::new();
            if handlers.contains("get(") {
                m.push(Method::GET);
            }
            if handlers.contains("post(") {
                m.push(Method::POST);
            }
            m
        } else {
            vec![Method::GET] // a bare handler such as `not_found`
        };
        for m in methods {
            routes.push((m, path.clone()));
        }
    }
    routes
}

/// A plausible JSON body for an operation.
pub(super) fn body_for(method: &Method, template: &str, start: OffsetDateTime) -> Option<Value> {
    if *method == Method::GET || *method == Method::DELETE {
        return None;
    }
    let t = template.trim_start_matches("/api/v1");
    Some(match t {
        "/cohorts/{cohort}/sessions" | "/cohorts/{cohort}/sessions/{session}" => {
            session_body("Sweep", start, 60)
        }
        "/cohorts/{cohort}/assignments" | "/cohorts/{cohort}/assignments/{assignment}" => {
            assignment_body("Sweep", start, "individual", 0)
        }
        "/cohorts/{cohort}/announcements" => json!({ "title": "Sweep", "body": "Sweep" }),
        "/cohorts/{cohort}/applications" => {
            json!({ "organisation": "lyon", "answers": ["Sweep"] })
        }
        "/cohorts/{cohort}/applications/{application}/decision" => {
            json!({ "decision": "accepted", "message": "Sweep" })
        }
        "/cohorts/{cohort}/submissions/{submission}/feedback" => {
            json!({ "status": "accepted", "comment": "Sweep", "criteria": scores(3)["criteria"] })
        }
        "/cohorts/{cohort}/reviews/{review}" => scores(2),
        "/cohorts/{cohort}/sessions/{session}/attendance" => json!({ "present": [] }),
        "/cohorts/{cohort}/sessions/{session}/notes" => {
            json!({ "notes": "Sweep", "recording_url": "https://example.org/r" })
        }
        "/cohorts/{cohort}/dashboard/rules" => json!({ "inactive_days": 3, "missed_sessions": 1 }),
        "/cohorts/{cohort}" => super::cohorts::cohort_body("vlr-b", &[], 5, 10),
        _ => json!({}),
    })
}

pub(super) async fn api_call(
    s: &TestServer,
    who: &Learner,
    method: &Method,
    path: &str,
    body: Option<Value>,
) -> (u16, String) {
    if path.ends_with("/submission") && *method == Method::PUT {
        let (st, b) = submit(s, who, path, "Sweep", &[("sweep.pdf", PDF)]).await;
        return (st, b.to_string());
    }
    let mut req = client()
        .request(method.clone(), s.url(path))
        .bearer_auth(&who.token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    answer(req.send().await.unwrap()).await
}

/// The status, and the headers and body as text (bytes read lossily, so a
/// file's content is searched too).
async fn answer(r: reqwest::Response) -> (u16, String) {
    let status = r.status().as_u16();
    let mut text = String::new();
    for (k, v) in r.headers() {
        text.push_str(&format!("{k}: {}\n", String::from_utf8_lossy(v.as_bytes())));
    }
    text.push_str(&String::from_utf8_lossy(
        &r.bytes().await.unwrap_or_default(),
    ));
    (status, text)
}

pub(super) async fn page_call(
    s: &TestServer,
    who: &Learner,
    method: &Method,
    path: &str,
) -> (u16, String) {
    let cookie = who.cookie.split(';').next().unwrap().to_owned();
    let mut req = client()
        .request(method.clone(), s.url(path))
        .header("accept", "text/html")
        .header("cookie", cookie);
    if *method == Method::POST {
        req = req.form(&[
            ("csrf", who.csrf.as_str()),
            ("title", "Sweep"),
            ("body", "Sweep"),
            ("decision", "accepted"),
            ("organisation", "lyon"),
            ("answers", "Sweep"),
        ]);
    }
    answer(req.send().await.unwrap()).await
}
