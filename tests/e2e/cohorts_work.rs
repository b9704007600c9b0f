//! Helpers for cohort work over HTTP: files to hand in, an assignment with
//! a rubric, a filled-in rubric, handing in as a multipart form, a cohort
//! with two organisations inside, and fetching files back.

use std::io::Write;

use agora_tests::{Learner, TestServer};
use reqwest::Method;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{
    cohorts::{Cohorts, apply, at, decide, ok},
    cohorts_sessions::two_cohorts,
};

pub const PDF: &[u8] = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// A minimal DOCX: a zip with `word/document.xml`.
pub fn docx() -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in [
        ("[Content_Types].xml", "<Types/>"),
        ("word/document.xml", "<w:document/>"),
    ] {
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(data.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A rubric of two criteria with three levels each.
pub fn assignment_body(title: &str, due: OffsetDateTime, scope: &str, k: i32) -> Value {
    let levels = json!([
        { "points": 1, "title": "Not yet", "description": "Missing." },
        { "points": 2, "title": "Developing", "description": "Partly there." },
        { "points": 3, "title": "Ready", "description": "Complete." },
    ]);
    json!({
        "title": title,
        "instructions": "Hand in your **work plan**. <script>alert(1)</script>",
        "due_at": at(due),
        "module_key": "getting-started",
        "scope": scope,
        "peer_reviews": k,
        "exclude_own_organisation": true,
        "rubric": [
            { "key": "scope", "criterion": "Scope and mandate", "levels": levels },
            { "key": "team", "criterion": "Team and timeline", "levels": levels },
        ],
    })
}

pub fn scores(points: i32) -> Value {
    json!({
        "comment": "Clear and grounded.",
        "criteria": [
            { "criterion": "scope", "points": points, "comment": "Good mandate." },
            { "criterion": "team", "points": points },
        ],
    })
}

/// Hands in `text` and `files` as a multipart form; the status and body.
pub async fn submit(
    s: &TestServer,
    who: &Learner,
    path: &str,
    text: &str,
    files: &[(&str, &[u8])],
) -> (u16, Value) {
    let boundary = "agora-test-boundary-7f3a";
    let mut body = Vec::new();
    let mut part = |headers: String, data: &[u8]| {
        body.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n\r\n").as_bytes());
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    };
    part(
        "Content-Disposition: form-data; name=\"text\"".into(),
        text.as_bytes(),
    );
    for (name, data) in files {
        part(
            format!(
                "Content-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream"
            ),
            data,
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let r = s
        .as_learner(who, Method::PUT, path)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Cohort A with Lyon (two members) and Nairobi (one member) inside;
/// cohort B has Nairobi's administrator.
pub async fn two_organisations_in_a(c: &Cohorts) {
    let (w, s) = (&c.w, &c.w.s);
    two_cohorts(c).await;
    let n = apply(s, &w.nairobi_member, "vlr-a", "nairobi").await;
    decide(s, &c.facilitator, "vlr-a", &n, "accepted").await;
    for who in [&w.nairobi_member, &w.lyon_admin] {
        ok(
            s,
            who,
            Method::POST,
            "/api/v1/cohorts/vlr-a/join",
            None,
            200,
        )
        .await;
    }
}

pub async fn create_assignment(s: &TestServer, who: &Learner, body: Value) -> String {
    let a = ok(
        s,
        who,
        Method::POST,
        "/api/v1/cohorts/vlr-a/assignments",
        Some(body),
        201,
    )
    .await;
    a["id"].as_str().unwrap().to_owned()
}

pub async fn download(s: &TestServer, who: Option<&Learner>, path: &str) -> (u16, String, Vec<u8>) {
    let req = match who {
        Some(w) => s.as_learner(w, Method::GET, path),
        None => s.http.get(s.url(path)),
    };
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, r.bytes().await.unwrap().to_vec())
}
