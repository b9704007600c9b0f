//! Cohorts over HTTP, on the real SMTP server: a cohort is created, two
//! organisations apply and are decided on (each decision mails the
//! applicant once, in their language), staff join up to the capacity,
//! live sessions are scheduled, rescheduled and cancelled, their `.ics`
//! and the members' private feeds are read back with Python's `icalendar`,
//! feeds are revoked, and a member of one cohort sees nothing of another.

use std::time::{Duration, Instant};

use agora_tests::{Learner, SmtpSink, TestServer, test_python};
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

/// The events of an iCalendar text as Python's `icalendar` decodes them.
pub fn parse_ics(text: &str) -> Vec<Value> {
    let script = r#"
import json, sys, datetime
from icalendar import Calendar
cal = Calendar.from_ical(sys.stdin.read())
out = []
for e in cal.walk("VEVENT"):
    start = e.decoded("DTSTART")
    out.append({
        "uid": str(e["UID"]),
        "summary": str(e["SUMMARY"]),
        "start": start.isoformat(),
        "aware": isinstance(start, datetime.datetime) and start.tzinfo is not None
                 and start.utcoffset() == datetime.timedelta(0),
        "sequence": int(e.decoded("SEQUENCE")),
        "status": str(e.get("STATUS", "")),
    })
print(json.dumps(out))
"#;
    use std::io::Write;
    let mut child = std::process::Command::new(test_python())
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python with icalendar (scripts/test installs it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "icalendar could not parse:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap()
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

/// Cohort A (Lyon's member joined) and cohort B (Nairobi's member joined),
/// each with its own facilitator.
pub async fn two_cohorts(c: &Cohorts) {
    let (w, s) = (&c.w, &c.w.s);
    ok(
        s,
        &c.author,
        Method::POST,
        "/api/v1/cohorts",
        Some(cohort_body("vlr-a", &["facilitator@agora.example"], 5, 10)),
        201,
    )
    .await;
    ok(
        s,
        &w.admin,
        Method::POST,
        "/api/v1/cohorts",
        Some(cohort_body(
            "vlr-b",
            &["facilitator-b@agora.example"],
            5,
            10,
        )),
        201,
    )
    .await;
    let a = apply(s, &w.lyon_member, "vlr-a", "lyon").await;
    decide(s, &c.facilitator, "vlr-a", &a, "accepted").await;
    let b = apply(s, &w.nairobi_admin, "vlr-b", "nairobi").await;
    decide(s, &c.facilitator_b, "vlr-b", &b, "accepted").await;
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
        &w.nairobi_admin,
        Method::POST,
        "/api/v1/cohorts/vlr-b/join",
        None,
        200,
    )
    .await;
}

#[tokio::test]
async fn sessions_reach_calendars_as_icalendar_and_feeds_are_private() {
    let sink = SmtpSink::start();
    let c = cohorts_world(vec![("AGORA_SMTP_URL".into(), sink.url())]).await;
    let (w, s) = (&c.w, &c.w.s);
    two_cohorts(&c).await;
    let start = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() + time::Duration::days(3);
    for (change, field) in [
        (
            json!({ "ends_at": at(start - time::Duration::hours(1)) }),
            "ends_at",
        ),
        (json!({ "join_url": "javascript:alert(1)" }), "join_url"),
        (json!({ "preparation": ["no-such-lesson"] }), "preparation"),
        (json!({ "title": " " }), "title"),
    ] {
        let mut body = session_body("Introduction", start, 90);
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (st, b) = s
            .call(
                &c.facilitator,
                Method::POST,
                "/api/v1/cohorts/vlr-a/sessions",
                Some(body),
            )
            .await;
        assert_eq!((st, field_of(&b)), (422, field), "{b}");
    }
    let session = ok(
        s,
        &c.facilitator,
        Method::POST,
        "/api/v1/cohorts/vlr-a/sessions",
        Some(session_body("Introduction", start, 90)),
        201,
    )
    .await;
    assert_eq!(session["sequence"], 0);
    let id = session["id"].as_str().unwrap().to_owned();
    let ics_path = format!("/api/v1/cohorts/vlr-a/sessions/{id}/ics");

    // The member's .ics: timezone-aware UTC start, a stable UID.
    let (st, ct, text) = get_text(s, Some(&w.lyon_member), &ics_path).await;
    assert_eq!(st, 200);
    assert!(ct.starts_with("text/calendar"), "{ct}");
    assert!(
        text.contains(&format!(
            "DTSTART:{}",
            start
                .format(time::macros::format_description!(
                    "[year][month][day]T[hour][minute][second]Z"
                ))
                .unwrap()
        )),
        "{text}"
    );
    let first = parse_ics(&text);
    assert_eq!(first.len(), 1);
    assert_eq!(first[0]["aware"], true, "{first:?}");
    assert_eq!(first[0]["sequence"], 0);
    assert!(
        first[0]["uid"]
            .as_str()
            .unwrap()
            .starts_with(&format!("session-{id}@"))
    );
    let again = parse_ics(&get_text(s, Some(&w.lyon_member), &ics_path).await.2);
    assert_eq!(again[0]["uid"], first[0]["uid"]);

    // Reschedule: SEQUENCE goes up, the start moves.
    let later = start + time::Duration::days(1);
    let moved = ok(
        s,
        &c.facilitator,
        Method::PUT,
        &format!("/api/v1/cohorts/vlr-a/sessions/{id}"),
        Some(session_body("Introduction", later, 90)),
        200,
    )
    .await;
    assert_eq!(moved["sequence"], 1);
    let ev = parse_ics(&get_text(s, Some(&w.lyon_member), &ics_path).await.2);
    assert_eq!(
        (ev[0]["sequence"].as_i64(), ev[0]["uid"].clone()),
        (Some(1), first[0]["uid"].clone())
    );
    let parsed = OffsetDateTime::parse(ev[0]["start"].as_str().unwrap(), &Rfc3339).unwrap();
    assert_eq!(parsed, later);
    // Both reminders are queued for the new start (24 h and 1 h before).
    {
        use agora_core::entities::job;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let conn = s.conn().await;
        let jobs = job::Entity::find()
            .filter(job::Column::Kind.eq("mail.cohort_session_reminder"))
            .all(&conn)
            .await
            .unwrap();
        let later_ms = (later.unix_timestamp() * 1000) as i64;
        let mut for_later: Vec<i64> = jobs
            .iter()
            .filter(|j| j.payload["starts_at_ms"] == json!(later_ms))
            .map(|j| (later_ms - j.run_at) / 3_600_000)
            .collect();
        for_later.sort();
        assert_eq!(for_later, [1, 24]);
        assert_eq!(jobs.len(), 4, "two for each start");
    }
    s.expect_jobs_left(
        "mail.cohort_session_reminder",
        "reminders of sessions days ahead wait for their time",
    );

    // The private feed: anyone holding the token reads it; re-creating revokes the old one.
    let feed = ok(
        s,
        &w.lyon_member,
        Method::POST,
        "/api/v1/cohorts/vlr-a/calendar-feed",
        None,
        201,
    )
    .await;
    let token = feed["token"].as_str().unwrap().to_owned();
    assert!(
        feed["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/api/v1/calendar-feeds/{token}"))
    );
    let feed_path = format!("/api/v1/calendar-feeds/{token}");
    let (st, _, text) = get_text(s, None, &feed_path).await;
    assert_eq!(st, 200);
    let events = parse_ics(&text);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["uid"], first[0]["uid"]);

    // Cancel: STATUS:CANCELLED, SEQUENCE up again, in the feed too.
    let cancelled = ok(
        s,
        &c.facilitator,
        Method::POST,
        &format!("/api/v1/cohorts/vlr-a/sessions/{id}/cancel"),
        None,
        200,
    )
    .await;
    assert_eq!(
        (
            cancelled["cancelled"].as_bool(),
            cancelled["sequence"].as_i64()
        ),
        (Some(true), Some(2))
    );
    let events = parse_ics(&get_text(s, None, &feed_path).await.2);
    assert_eq!(
        (events[0]["status"].as_str(), events[0]["sequence"].as_i64()),
        (Some("CANCELLED"), Some(2))
    );

    let renewed = ok(
        s,
        &w.lyon_member,
        Method::POST,
        "/api/v1/cohorts/vlr-a/calendar-feed",
        None,
        201,
    )
    .await;
    let new_path = format!(
        "/api/v1/calendar-feeds/{}",
        renewed["token"].as_str().unwrap()
    );
    assert_eq!(get_text(s, None, &feed_path).await.0, 404);
    assert_eq!(get_text(s, None, &new_path).await.0, 200);
    ok(
        s,
        &w.lyon_member,
        Method::DELETE,
        "/api/v1/cohorts/vlr-a/calendar-feed",
        None,
        204,
    )
    .await;
    assert_eq!(get_text(s, None, &new_path).await.0, 404);

    // Isolation: cohort B's people find nothing of cohort A.
    for who in [&w.nairobi_admin, &c.facilitator_b] {
        for path in [
            "/api/v1/cohorts/vlr-a/sessions".to_owned(),
            "/api/v1/cohorts/vlr-a/members".to_owned(),
            "/api/v1/cohorts/vlr-a/applications".to_owned(),
            ics_path.clone(),
        ] {
            let (st, _, body) = get_text(s, Some(who), &path).await;
            assert_eq!(st, 404, "{path}: {body}");
        }
        let (st, _) = s
            .call(
                who,
                Method::POST,
                "/api/v1/cohorts/vlr-a/sessions",
                Some(session_body("x", start, 30)),
            )
            .await;
        assert_eq!(st, 404);
        let (st, _) = s
            .call(
                who,
                Method::POST,
                "/api/v1/cohorts/vlr-a/calendar-feed",
                None,
            )
            .await;
        assert_eq!(st, 404);
    }
    let b_sessions = ok(
        s,
        &w.nairobi_admin,
        Method::GET,
        "/api/v1/cohorts/vlr-b/sessions",
        None,
        200,
    )
    .await;
    assert_eq!(b_sessions.as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_session_within_the_hour_is_reminded_once_in_the_members_time_zone() {
    let sink = SmtpSink::start();
    let c = cohorts_world(vec![("AGORA_SMTP_URL".into(), sink.url())]).await;
    let (w, s) = (&c.w, &c.w.s);
    two_cohorts(&c).await;
    let (st, b) = s
        .call(
            &w.lyon_member,
            Method::PATCH,
            "/api/v1/me",
            Some(json!({ "time_zone": "Mars/Olympus" })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "time_zone"));
    let me = ok(
        s,
        &w.lyon_member,
        Method::PATCH,
        "/api/v1/me",
        Some(json!({ "time_zone": "America/Bogota" })),
        200,
    )
    .await;
    assert_eq!(me["time_zone"], "America/Bogota");
    let start =
        OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() + time::Duration::minutes(40);
    ok(
        s,
        &c.facilitator,
        Method::POST,
        "/api/v1/cohorts/vlr-a/sessions",
        Some(session_body("Round-robin", start, 60)),
        201,
    )
    .await;
    jobs_settle(s, "mail.cohort_session_reminder").await;
    let mails: Vec<_> = sink
        .messages()
        .into_iter()
        .filter(|m| {
            m.to.eq_ignore_ascii_case(&w.lyon_member.email) && m.subject.contains("Round-robin")
        })
        .collect();
    assert_eq!(mails.len(), 1, "only the 1 h reminder, once");
    assert!(mails[0].subject.contains("1 h"), "{}", mails[0].subject);
    assert!(
        mails[0].text.contains("America/Bogota"),
        "{}",
        mails[0].text
    );
    assert!(
        mails[0].text.contains("https://meet.example.org/vlr"),
        "{}",
        mails[0].text
    );
    // Cohort B's member is not reminded of cohort A's session.
    assert!(
        !sink
            .messages()
            .iter()
            .any(|m| m.to.eq_ignore_ascii_case(&w.nairobi_admin.email)
                && m.subject.contains("Round-robin"))
    );
}
