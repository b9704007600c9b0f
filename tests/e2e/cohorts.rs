//! Cohorts over HTTP, on the real SMTP server: a cohort is created, two
//! organisations apply and are decided on (each decision mails the
//! applicant once, in their language), and staff join up to the capacity.
//! The helpers here serve `cohorts_sessions` and `cohorts_matrix` too.

use std::time::{Duration, Instant};

use agora_tests::{Learner, SmtpSink, TestServer};
use reqwest::Method;
use serde_json::{Value, json};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use super::organisations::{World, world_with};

pub async fn ok(
    s: &TestServer,
    who: &Learner,
    method: Method,
    path: &str,
    body: Option<Value>,
    want: u16,
) -> Value {
    let (status, b) = s.call(who, method.clone(), path, body).await;
    assert_eq!(status, want, "{method} {path}: {b}");
    b
}

pub fn field_of(b: &Value) -> &str {
    b["field"].as_str().unwrap_or_default()
}

/// A cohort of the Voluntary Local Review course, by application.
pub fn cohort_body(slug: &str, facilitators: &[&str], orgs: i32, people: i32) -> Value {
    json!({
        "course": "voluntary-local-review",
        "slug": slug,
        "titles": { "en": format!("VLR cohort {slug}"), "fr": format!("Cohorte RLV {slug}") },
        "descriptions": { "en": "Six live sessions. <script>alert(1)</script>**Bring** your data." },
        "starts_on": "2027-01-15",
        "ends_on": "2027-06-30",
        "capacity_organisations": orgs,
        "capacity_people": people,
        "admission": "application",
        "locales": ["en", "fr"],
        "status": "open",
        "facilitators": facilitators,
        "questions": ["Why does your city want to write a VLR?"],
    })
}

pub fn at(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap()
}

pub fn session_body(title: &str, starts: OffsetDateTime, minutes: i64) -> Value {
    json!({
        "title": title,
        "agenda": "1. Welcome\n2. *Stakeholders*",
        "starts_at": at(starts),
        "ends_at": at(starts + time::Duration::minutes(minutes)),
        "join_url": "https://meet.example.org/vlr",
    })
}

/// Waits until no job of `kind` is queued or running.
pub async fn jobs_settle(s: &TestServer, kind: &str) {
    use agora_core::entities::job;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let conn = s.conn().await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let due = job::Entity::find()
            .filter(job::Column::Kind.eq(kind))
            .filter(job::Column::Status.is_in(["queued", "running"]))
            .filter(job::Column::RunAt.lte(agora_core::jobs::now_ms()))
            .count(&conn)
            .await
            .unwrap();
        if due == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "{kind} jobs never finished");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn get_text(s: &TestServer, who: Option<&Learner>, path: &str) -> (u16, String, String) {
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
    (status, ct, r.text().await.unwrap())
}

/// The world of the organisations tests, with the cohort's people added:
/// an author, two facilitators (of cohort A and of cohort B).
pub struct Cohorts {
    pub w: World,
    pub author: Learner,
    pub facilitator: Learner,
    pub facilitator_b: Learner,
}

pub async fn cohorts_world(env: Vec<(String, String)>) -> Cohorts {
    let w = world_with(env).await;
    let author = w.s.author("author@agora.example").await;
    let facilitator = w.s.learner("facilitator@agora.example").await;
    let facilitator_b = w.s.learner("facilitator-b@agora.example").await;
    Cohorts {
        w,
        author,
        facilitator,
        facilitator_b,
    }
}

/// Applies for `org` as `who`; answers the one question.
pub async fn apply(s: &TestServer, who: &Learner, cohort: &str, org: &str) -> Value {
    ok(
        s,
        who,
        Method::POST,
        &format!("/api/v1/cohorts/{cohort}/applications"),
        Some(json!({ "organisation": org, "answers": ["To report on the SDGs locally."] })),
        201,
    )
    .await
}

pub async fn decide(s: &TestServer, who: &Learner, cohort: &str, app: &Value, decision: &str) {
    ok(
        s,
        who,
        Method::POST,
        &format!(
            "/api/v1/cohorts/{cohort}/applications/{}/decision",
            app["id"].as_str().unwrap()
        ),
        Some(json!({ "decision": decision, "message": "See you on 15 January." })),
        200,
    )
    .await;
}

fn decision_mails(sink: &SmtpSink, to: &str) -> Vec<agora_tests::Mail> {
    sink.messages()
        .into_iter()
        .filter(|m| m.to.eq_ignore_ascii_case(to) && m.subject.contains("vlr-a"))
        .collect()
}

#[tokio::test]
async fn organisations_apply_are_decided_once_by_mail_and_join_up_to_capacity() {
    let sink = SmtpSink::start();
    let c = cohorts_world(vec![("AGORA_SMTP_URL".into(), sink.url())]).await;
    let (w, s) = (&c.w, &c.w.s);
    // Bad input names the field.
    for (change, field) in [
        (json!({ "capacity_people": 0 }), "capacity_people"),
        (json!({ "locales": ["xx"] }), "locales"),
        (json!({ "ends_on": "2026-01-01" }), "ends_on"),
        (json!({ "admission": "lottery" }), "admission"),
        (json!({ "slug": "Not A Slug" }), "slug"),
        (json!({ "course": "no-such-course" }), "course"),
        (
            json!({ "facilitators": ["nobody@nowhere.example"] }),
            "facilitators",
        ),
    ] {
        let mut body = cohort_body("vlr-a", &["facilitator@agora.example"], 2, 2);
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (st, b) = s
            .call(&c.author, Method::POST, "/api/v1/cohorts", Some(body))
            .await;
        assert_eq!((st, field_of(&b)), (422, field), "{b}");
    }
    let created = ok(
        s,
        &c.author,
        Method::POST,
        "/api/v1/cohorts",
        Some(cohort_body("vlr-a", &["facilitator@agora.example"], 2, 2)),
        201,
    )
    .await;
    assert_eq!(created["your_role"], "author");
    assert_eq!(created["facilitators"][0]["name"], "Ana Silva");
    let html = created["descriptions_html"]["en"].as_str().unwrap();
    assert!(
        html.contains("<strong>Bring</strong>") && !html.contains("<script"),
        "{html}"
    );
    let (st, b) = s
        .call(
            &c.author,
            Method::POST,
            "/api/v1/cohorts",
            Some(cohort_body("vlr-a", &[], 2, 2)),
        )
        .await;
    assert_eq!((st, field_of(&b)), (409, "slug"));

    // The Nairobi applicant reads Agora in French.
    ok(
        s,
        &w.nairobi_member,
        Method::PATCH,
        "/api/v1/me",
        Some(json!({ "locale": "fr" })),
        200,
    )
    .await;
    // Applying: for one's own organisation only, once, answering every question.
    let (st, b) = s
        .call(
            &w.lyon_member,
            Method::POST,
            "/api/v1/cohorts/vlr-a/applications",
            Some(json!({ "organisation": "nairobi", "answers": ["x"] })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "organisation"));
    let (st, b) = s
        .call(
            &w.lyon_member,
            Method::POST,
            "/api/v1/cohorts/vlr-a/applications",
            Some(json!({ "organisation": "lyon", "answers": ["  "] })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "answers[0]"));
    let lyon = apply(s, &w.lyon_member, "vlr-a", "lyon").await;
    assert_eq!(lyon["state"], "pending");
    assert_eq!(
        lyon["answers"][0]["answer"],
        "To report on the SDGs locally."
    );
    let (st, b) = s
        .call(
            &w.lyon_admin,
            Method::POST,
            "/api/v1/cohorts/vlr-a/applications",
            Some(json!({ "organisation": "lyon", "answers": ["again"] })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (409, "organisation"));
    let nairobi = apply(s, &w.nairobi_member, "vlr-a", "nairobi").await;

    // Not accepted yet: nobody joins.
    let (st, _) = s
        .call(
            &w.lyon_member,
            Method::POST,
            "/api/v1/cohorts/vlr-a/join",
            None,
        )
        .await;
    assert_eq!(st, 403);

    // Facilitators decide; the author does not.
    let list = ok(
        s,
        &c.facilitator,
        Method::GET,
        "/api/v1/cohorts/vlr-a/applications",
        None,
        200,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let (st, b) = s
        .call(
            &c.facilitator,
            Method::POST,
            &format!(
                "/api/v1/cohorts/vlr-a/applications/{}/decision",
                lyon["id"].as_str().unwrap()
            ),
            Some(json!({ "decision": "maybe" })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "decision"));
    decide(s, &c.facilitator, "vlr-a", &lyon, "accepted").await;
    decide(s, &c.facilitator, "vlr-a", &nairobi, "waitlisted").await;
    // The same decision again edits the message and mails nothing more.
    decide(s, &c.facilitator, "vlr-a", &lyon, "accepted").await;
    decide(s, &c.facilitator, "vlr-a", &nairobi, "accepted").await;
    let mine = ok(
        s,
        &w.nairobi_admin,
        Method::GET,
        "/api/v1/cohorts/vlr-a/applications/mine",
        None,
        200,
    )
    .await;
    assert_eq!(mine["state"], "accepted");

    jobs_settle(s, "mail.cohort_decision").await;
    let to_lyon = decision_mails(&sink, &w.lyon_member.email);
    assert_eq!(to_lyon.len(), 1, "one mail per decision");
    assert!(
        to_lyon[0].subject.contains("is accepted into"),
        "{}",
        to_lyon[0].subject
    );
    assert!(
        to_lyon[0].text.contains("See you on 15 January."),
        "{}",
        to_lyon[0].text
    );
    let mut to_nairobi: Vec<String> = decision_mails(&sink, &w.nairobi_member.email)
        .into_iter()
        .map(|m| m.subject)
        .collect();
    to_nairobi.sort();
    assert_eq!(to_nairobi.len(), 2, "{to_nairobi:?}");
    assert!(
        to_nairobi.iter().any(|m| m.contains("est admise dans")),
        "{to_nairobi:?}"
    );
    assert!(
        to_nairobi.iter().any(|m| m.contains("liste d’attente")),
        "{to_nairobi:?}"
    );

    // Staff join up to the capacity in people (two).
    let m = ok(
        s,
        &w.lyon_member,
        Method::POST,
        "/api/v1/cohorts/vlr-a/join",
        None,
        200,
    )
    .await;
    assert_eq!(m["organisation"], "lyon");
    ok(
        s,
        &w.lyon_member,
        Method::POST,
        "/api/v1/cohorts/vlr-a/join",
        None,
        200,
    )
    .await;
    ok(
        s,
        &w.nairobi_member,
        Method::POST,
        "/api/v1/cohorts/vlr-a/join",
        None,
        200,
    )
    .await;
    let (st, b) = s
        .call(
            &w.nairobi_admin,
            Method::POST,
            "/api/v1/cohorts/vlr-a/join",
            None,
        )
        .await;
    assert_eq!((st, field_of(&b)), (409, "capacity_people"));
    let (st, _) = s
        .call(&w.learner, Method::POST, "/api/v1/cohorts/vlr-a/join", None)
        .await;
    assert_eq!(st, 403);
    let members = ok(
        s,
        &w.lyon_member,
        Method::GET,
        "/api/v1/cohorts/vlr-a/members",
        None,
        200,
    )
    .await;
    let names: Vec<&str> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["organisation"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["lyon", "nairobi"]);
    // The organisation capacity (two) is reached: a third is wait-listed, not accepted.
    let cohort = ok(
        s,
        &c.author,
        Method::GET,
        "/api/v1/cohorts/vlr-a",
        None,
        200,
    )
    .await;
    assert_eq!(
        (
            cohort["accepted_organisations"].as_u64(),
            cohort["members"].as_u64()
        ),
        (Some(2), Some(2))
    );
}
