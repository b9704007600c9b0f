//! Cohort live sessions over HTTP: scheduling, rescheduling and
//! cancelling, the `.ics` files and private feeds read back with Python's
//! `icalendar`, feed revocation, reminders on the real SMTP server, and a
//! member of one cohort seeing nothing of another's sessions.

use reqwest::Method;
use serde_json::json;
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use agora_tests::SmtpSink;

use super::{
    cohorts::{
        Cohorts, apply, at, cohort_body, cohorts_world, decide, field_of, get_text, jobs_settle,
        ok, session_body,
    },
    cohorts_ics::parse_ics,
};
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
        let later_ms = later.unix_timestamp() * 1000;
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
