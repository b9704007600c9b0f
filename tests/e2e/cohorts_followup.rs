//! After the sessions, over HTTP: attendance, notes (sanitised) and the
//! recording link; announcements mailed once to each member on the real
//! SMTP server, with the one-click opt-out; and the facilitator dashboard
//! with its rules and CSV. Cohort B's people see nothing of cohort A's.

use agora_tests::SmtpSink;
use reqwest::Method;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{
    cohorts::{Cohorts, cohorts_world, field_of, get_text, jobs_settle, ok, session_body},
    cohorts_sessions::two_cohorts,
};

/// A session of cohort A that began `hours_ago` and lasted an hour.
async fn past_session(c: &Cohorts, title: &str, hours_ago: i64) -> String {
    let start =
        OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() - time::Duration::hours(hours_ago);
    let s = ok(
        &c.w.s,
        &c.facilitator,
        Method::POST,
        "/api/v1/cohorts/vlr-a/sessions",
        Some(session_body(title, start, 60)),
        201,
    )
    .await;
    s["id"].as_str().unwrap().to_owned()
}

fn member_id(list: &Value) -> String {
    list[0]["user_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn attendance_notes_and_the_dashboard_follow_a_session() {
    let c = cohorts_world(vec![]).await;
    let (w, s) = (&c.w, &c.w.s);
    two_cohorts(&c).await;
    let sid = past_session(&c, "Stakeholders", 3).await;
    let a = format!("/api/v1/cohorts/vlr-a/sessions/{sid}");

    // Attendance: unrecorded, then recorded; strangers and future sessions refused.
    let list = ok(
        s,
        &c.facilitator,
        Method::GET,
        &format!("{a}/attendance"),
        None,
        200,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["present"], Value::Null);
    let lyon = member_id(&list);
    let b_members = ok(
        s,
        &c.facilitator_b,
        Method::GET,
        "/api/v1/cohorts/vlr-b/members",
        None,
        200,
    )
    .await;
    let stranger = member_id(&b_members);
    let (st, b) = s
        .call(
            &c.facilitator,
            Method::PUT,
            &format!("{a}/attendance"),
            Some(json!({ "present": [stranger] })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "present"), "{b}");
    let future = ok(
        s,
        &c.facilitator,
        Method::POST,
        "/api/v1/cohorts/vlr-a/sessions",
        Some(session_body(
            "Later",
            OffsetDateTime::now_utc() + time::Duration::days(20),
            60,
        )),
        201,
    )
    .await;
    let (st, b) = s
        .call(
            &c.facilitator,
            Method::PUT,
            &format!(
                "/api/v1/cohorts/vlr-a/sessions/{}/attendance",
                future["id"].as_str().unwrap()
            ),
            Some(json!({ "present": [] })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "present"), "{b}");
    s.expect_jobs_left(
        "mail.cohort_session_reminder",
        "the later session's reminders wait for their time",
    );
    let list = ok(
        s,
        &c.facilitator,
        Method::PUT,
        &format!("{a}/attendance"),
        Some(json!({ "present": [] })),
        200,
    )
    .await;
    assert_eq!(list[0]["present"], false, "{list}");
    let (st, _) = s
        .call(
            &w.lyon_member,
            Method::GET,
            &format!("{a}/attendance"),
            None,
        )
        .await;
    assert_eq!(st, 403, "members do not see the attendance");

    // Notes are sanitised; a recording link must be a web address.
    let (st, b) = s
        .call(
            &c.facilitator,
            Method::PUT,
            &format!("{a}/notes"),
            Some(json!({ "notes": "x", "recording_url": "javascript:alert(1)" })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "recording_url"), "{b}");
    ok(
        s,
        &c.facilitator,
        Method::PUT,
        &format!("{a}/notes"),
        Some(json!({
            "notes": "**Thanks** all <script>alert(1)</script>",
            "recording_url": "https://video.example.org/rec/1",
        })),
        200,
    )
    .await;
    let sessions = ok(
        s,
        &w.lyon_member,
        Method::GET,
        "/api/v1/cohorts/vlr-a/sessions",
        None,
        200,
    )
    .await;
    let mine = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == sid.as_str())
        .unwrap();
    let html = mine["notes_html"].as_str().unwrap();
    assert!(
        html.contains("<strong>Thanks</strong>") && !html.contains("<script"),
        "{html}"
    );
    assert_eq!(mine["recording_url"], "https://video.example.org/rec/1");

    // The dashboard: one recorded absence is behind by a rule of one.
    let rules = json!({ "inactive_days": 0, "missed_sessions": 1 });
    ok(
        s,
        &c.facilitator,
        Method::PUT,
        "/api/v1/cohorts/vlr-a/dashboard/rules",
        Some(rules),
        200,
    )
    .await;
    let d = ok(
        s,
        &c.facilitator,
        Method::GET,
        "/api/v1/cohorts/vlr-a/dashboard",
        None,
        200,
    )
    .await;
    assert_eq!(d["sessions_held"], 1, "{d}");
    let m = &d["members"][0];
    assert_eq!(m["user_id"], lyon.as_str());
    assert_eq!(
        (m["attended"].clone(), m["missed"].clone()),
        (json!(0), json!(1))
    );
    assert_eq!(m["behind"][0]["rule"], "missed_sessions", "{d}");
    assert_eq!(m["assignments"], json!([]));
    assert_eq!(d["organisations"][0]["behind"], 1, "{d}");
    assert_eq!(d["members"].as_array().unwrap().len(), 1, "only cohort A's");
    let (st, ct, csv) = get_text(
        s,
        Some(&c.facilitator),
        "/api/v1/cohorts/vlr-a/dashboard/csv",
    )
    .await;
    assert_eq!(st, 200);
    assert!(ct.starts_with("text/csv"), "{ct}");
    assert!(
        csv.starts_with("name,organisation,progress_percent"),
        "{csv}"
    );
    assert!(csv.contains("missed 1 sessions"), "{csv}");
    assert!(
        !csv.contains("nairobi") && !csv.contains("Nairobi"),
        "{csv}"
    );
    let (st, b) = s
        .call(
            &c.facilitator,
            Method::PUT,
            "/api/v1/cohorts/vlr-a/dashboard/rules",
            Some(json!({ "inactive_days": -1, "missed_sessions": 1 })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "inactive_days"), "{b}");
    for (who, want) in [(&c.facilitator_b, 404), (&w.lyon_member, 403)] {
        let (st, _) = s
            .call(who, Method::GET, "/api/v1/cohorts/vlr-a/dashboard", None)
            .await;
        assert_eq!(st, want);
        let (st, _, _) = get_text(s, Some(who), "/api/v1/cohorts/vlr-a/dashboard/csv").await;
        assert_eq!(st, want);
    }
}

fn announcement_mails(sink: &SmtpSink, to: &str, title: &str) -> Vec<agora_tests::Mail> {
    sink.messages()
        .into_iter()
        .filter(|m| m.to.eq_ignore_ascii_case(to) && m.subject.contains(title))
        .collect()
}

#[tokio::test]
async fn an_announcement_is_mailed_once_to_each_member_who_did_not_opt_out() {
    let sink = SmtpSink::start();
    let c = cohorts_world(vec![("AGORA_SMTP_URL".into(), sink.url())]).await;
    let (w, s) = (&c.w, &c.w.s);
    two_cohorts(&c).await;
    let (st, b) = s
        .call(
            &c.facilitator,
            Method::POST,
            "/api/v1/cohorts/vlr-a/announcements",
            Some(json!({ "title": " ", "body": "x" })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "title"), "{b}");
    let (st, _) = s
        .call(
            &w.lyon_member,
            Method::POST,
            "/api/v1/cohorts/vlr-a/announcements",
            Some(json!({ "title": "Hi", "body": "x" })),
        )
        .await;
    assert_eq!(st, 403, "members do not announce");
    let posted = ok(
        s,
        &c.facilitator,
        Method::POST,
        "/api/v1/cohorts/vlr-a/announcements",
        Some(json!({
            "title": "Bring your data",
            "body": "Please **prepare** your indicators. <script>alert(1)</script>",
        })),
        201,
    )
    .await;
    assert!(!posted["body_html"].as_str().unwrap().contains("<script"));
    jobs_settle(s, "mail.cohort_announcement").await;
    let mails = announcement_mails(&sink, &w.lyon_member.email, "Bring your data");
    assert_eq!(mails.len(), 1, "one mail to the member");
    assert!(mails[0].text.contains("prepare"), "{}", mails[0].text);
    assert!(!mails[0].html.contains("<script"), "{}", mails[0].html);
    assert!(
        announcement_mails(&sink, &w.nairobi_admin.email, "Bring your data").is_empty(),
        "cohort B's member is not mailed"
    );
    // Members read it; cohort B's member cannot.
    let list = ok(
        s,
        &w.lyon_member,
        Method::GET,
        "/api/v1/cohorts/vlr-a/announcements",
        None,
        200,
    )
    .await;
    assert_eq!(list[0]["title"], "Bring your data");
    let (st, _) = s
        .call(
            &w.nairobi_admin,
            Method::GET,
            "/api/v1/cohorts/vlr-a/announcements",
            None,
        )
        .await;
    assert_eq!(st, 404);

    // Running the job again (as after a worker killed mid-job) mails no one twice.
    {
        use agora_core::entities::job;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        let conn = s.conn().await;
        let key = format!("cohort_announcement:{}", posted["id"].as_str().unwrap());
        let n = job::Entity::update_many()
            .col_expr(job::Column::Status, Expr::value("queued"))
            .col_expr(job::Column::RunAt, Expr::value(agora_core::jobs::now_ms()))
            .filter(job::Column::DedupKey.eq(key))
            .exec(&conn)
            .await
            .unwrap();
        assert_eq!(n.rows_affected, 1);
    }
    jobs_settle(s, "mail.cohort_announcement").await;
    assert_eq!(
        announcement_mails(&sink, &w.lyon_member.email, "Bring your data").len(),
        1,
        "still once"
    );

    // One click opts out of such mail; the next announcement skips them.
    let link = mails[0]
        .text
        .split_whitespace()
        .find(|w| w.contains("/unsubscribe?token="))
        .expect("an unsubscribe link")
        .to_owned();
    let path = &link[link.find("/unsubscribe").unwrap()..];
    let r = s.get(path).await;
    assert_eq!(r.status().as_u16(), 200);
    ok(
        s,
        &c.facilitator,
        Method::POST,
        "/api/v1/cohorts/vlr-a/announcements",
        Some(json!({ "title": "Second notice", "body": "Room change." })),
        201,
    )
    .await;
    jobs_settle(s, "mail.cohort_announcement").await;
    assert!(announcement_mails(&sink, &w.lyon_member.email, "Second notice").is_empty());
}
