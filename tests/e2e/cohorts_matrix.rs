//! Every cohort endpoint, as each role of the authorisation matrix: who may
//! call it, and what the others get (401 signed out, 403 inside the cohort
//! without the right, 404 outside it, so other cohorts' people learn
//! nothing).

use reqwest::Method;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{
    cohorts::{apply, cohort_body, cohorts_world, ok, session_body},
    cohorts_sessions::two_cohorts,
    cohorts_work::{PDF, assignment_body, create_assignment, scores, submit},
};

/// The roles of the matrix, in order.
pub const ROLES: [&str; 9] = [
    "anonymous",
    "learner",
    "applicant",
    "member",
    "other cohort's member",
    "facilitator",
    "other cohort's facilitator",
    "author",
    "admin",
];

#[tokio::test]
async fn every_cohort_endpoint_answers_each_role_as_the_matrix_says() {
    let c = cohorts_world(vec![]).await;
    let (w, s) = (&c.w, &c.w.s);
    two_cohorts(&c).await;
    // Nairobi applies to cohort A too, and stays pending: its member is the applicant.
    apply(s, &w.nairobi_member, "vlr-a", "nairobi").await;
    let mut draft = cohort_body("vlr-draft", &[], 1, 1);
    draft["status"] = json!("draft");
    ok(
        s,
        &c.author,
        Method::POST,
        "/api/v1/cohorts",
        Some(draft),
        201,
    )
    .await;
    let apps = ok(
        s,
        &c.facilitator,
        Method::GET,
        "/api/v1/cohorts/vlr-a/applications",
        None,
        200,
    )
    .await;
    let lyon_app = apps
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["organisation"] == "lyon")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let start = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() + time::Duration::days(10);
    let session = ok(
        s,
        &c.facilitator,
        Method::POST,
        "/api/v1/cohorts/vlr-a/sessions",
        Some(session_body("Publishing", start, 60)),
        201,
    )
    .await;
    let sid = session["id"].as_str().unwrap().to_owned();
    let cancelled = ok(
        s,
        &c.facilitator,
        Method::POST,
        "/api/v1/cohorts/vlr-a/sessions",
        Some(session_body("Dropped", start, 60)),
        201,
    )
    .await;
    let cid = cancelled["id"].as_str().unwrap().to_owned();
    ok(
        s,
        &c.facilitator,
        Method::POST,
        &format!("/api/v1/cohorts/vlr-a/sessions/{cid}/cancel"),
        None,
        200,
    )
    .await;
    s.expect_jobs_left(
        "mail.cohort_session_reminder",
        "reminders of sessions days ahead wait for their time",
    );
    let mut bad_session = session_body("x", start, 60);
    bad_session["ends_at"] = json!(super::cohorts::at(start - time::Duration::hours(1)));
    let mut bad_cohort = cohort_body("vlr-c", &[], 0, 1);
    bad_cohort["capacity_organisations"] = json!(0);

    let aid = create_assignment(
        s,
        &c.facilitator,
        assignment_body("Work plan", start, "individual", 0),
    )
    .await;
    let work = format!("/api/v1/cohorts/vlr-a/assignments/{aid}/submission");
    let (status, sub) = submit(s, &w.lyon_member, &work, "Plan", &[("plan.pdf", PDF)]).await;
    assert_eq!(status, 200, "{sub}");
    let sub_id = sub["id"].as_str().unwrap().to_owned();
    let file_id = sub["files"][0]["id"].as_str().unwrap().to_owned();
    let mut bad_assignment = assignment_body("Work plan", start, "team", 0);
    bad_assignment["rubric"] = json!([]);

    let people = [
        None,
        Some(&w.learner),
        Some(&w.nairobi_member),
        Some(&w.lyon_member),
        Some(&w.nairobi_admin),
        Some(&c.facilitator),
        Some(&c.facilitator_b),
        Some(&c.author),
        Some(&w.admin),
    ];
    type Row = (Method, String, Option<Value>, [u16; 9]);
    let a = "/api/v1/cohorts/vlr-a";
    let rows: Vec<Row> = vec![
        (Method::GET, "/api/v1/cohorts".into(), None, [200; 9]),
        (
            Method::POST,
            "/api/v1/cohorts".into(),
            Some(bad_cohort),
            [401, 403, 403, 403, 403, 403, 403, 422, 422],
        ),
        (Method::GET, a.into(), None, [200; 9]),
        (
            Method::GET,
            "/api/v1/cohorts/vlr-draft".into(),
            None,
            [404, 404, 404, 404, 404, 404, 404, 200, 200],
        ),
        (
            Method::PUT,
            a.into(),
            Some(cohort_body("vlr-a", &["facilitator@agora.example"], 5, 10)),
            [401, 404, 404, 403, 404, 403, 404, 200, 200],
        ),
        (
            Method::POST,
            format!("{a}/applications"),
            Some(json!({ "organisation": "nowhere", "answers": ["x"] })),
            [401, 422, 422, 422, 422, 422, 422, 422, 422],
        ),
        (
            Method::GET,
            format!("{a}/applications"),
            None,
            [401, 404, 404, 403, 404, 200, 404, 200, 200],
        ),
        (
            Method::GET,
            format!("{a}/applications/mine"),
            None,
            [401, 404, 200, 200, 200, 404, 404, 404, 404],
        ),
        (
            Method::POST,
            format!("{a}/applications/{lyon_app}/decision"),
            Some(json!({ "decision": "accepted" })),
            [401, 404, 404, 403, 404, 200, 404, 403, 200],
        ),
        (
            Method::POST,
            format!("{a}/invitations"),
            Some(json!({ "organisation": "nowhere" })),
            [401, 404, 404, 403, 404, 422, 404, 403, 422],
        ),
        (
            Method::POST,
            format!("{a}/join"),
            None,
            [401, 403, 403, 200, 403, 403, 403, 403, 403],
        ),
        (
            Method::GET,
            format!("{a}/members"),
            None,
            [401, 404, 404, 200, 404, 200, 404, 200, 200],
        ),
        (
            Method::GET,
            format!("{a}/completion"),
            None,
            [401, 404, 404, 200, 404, 403, 404, 403, 403],
        ),
        (
            Method::GET,
            format!("{a}/sessions"),
            None,
            [401, 404, 404, 200, 404, 200, 404, 200, 200],
        ),
        (
            Method::POST,
            format!("{a}/sessions"),
            Some(bad_session.clone()),
            [401, 404, 404, 403, 404, 422, 404, 422, 422],
        ),
        (
            Method::PUT,
            format!("{a}/sessions/{sid}"),
            Some(bad_session),
            [401, 404, 404, 403, 404, 422, 404, 422, 422],
        ),
        (
            Method::POST,
            format!("{a}/sessions/{cid}/cancel"),
            None,
            [401, 404, 404, 403, 404, 200, 404, 200, 200],
        ),
        (
            Method::GET,
            format!("{a}/sessions/{sid}/ics"),
            None,
            [401, 404, 404, 200, 404, 200, 404, 200, 200],
        ),
        (
            Method::POST,
            format!("{a}/calendar-feed"),
            None,
            [401, 404, 404, 201, 404, 201, 404, 201, 201],
        ),
        (
            Method::DELETE,
            format!("{a}/calendar-feed"),
            None,
            [401, 404, 404, 204, 404, 204, 404, 204, 204],
        ),
        (
            Method::GET,
            format!("{a}/sessions/{sid}/attendance"),
            None,
            [401, 404, 404, 403, 404, 200, 404, 200, 200],
        ),
        (
            Method::PUT,
            format!("{a}/sessions/{sid}/attendance"),
            Some(json!({ "present": [] })),
            [401, 404, 404, 403, 404, 422, 404, 422, 422],
        ),
        (
            Method::PUT,
            format!("{a}/sessions/{sid}/notes"),
            Some(json!({ "recording_url": "javascript:alert(1)" })),
            [401, 404, 404, 403, 404, 422, 404, 422, 422],
        ),
        (
            Method::GET,
            format!("{a}/announcements"),
            None,
            [401, 404, 404, 200, 404, 200, 404, 200, 200],
        ),
        (
            Method::POST,
            format!("{a}/announcements"),
            Some(json!({ "title": "", "body": "x" })),
            [401, 404, 404, 403, 404, 422, 404, 422, 422],
        ),
        (
            Method::GET,
            format!("{a}/dashboard"),
            None,
            [401, 404, 404, 403, 404, 200, 404, 200, 200],
        ),
        (
            Method::GET,
            format!("{a}/dashboard/csv"),
            None,
            [401, 404, 404, 403, 404, 200, 404, 200, 200],
        ),
        (
            Method::PUT,
            format!("{a}/dashboard/rules"),
            Some(json!({ "inactive_days": -1, "missed_sessions": 2 })),
            [401, 404, 404, 403, 404, 422, 404, 422, 422],
        ),
        (
            Method::GET,
            "/api/v1/calendar-feeds/agc_not-a-token".into(),
            None,
            [404; 9],
        ),
        (
            Method::POST,
            "/api/v1/cohorts/from-template".into(),
            Some(json!({
                "course": "voluntary-local-review",
                "slug": "Not a slug!",
                "starts_on": "2027-02-01",
                "locales": ["en"],
            })),
            [401, 403, 403, 403, 403, 403, 403, 422, 422],
        ),
        (
            Method::GET,
            format!("{a}/assignments"),
            None,
            [401, 404, 404, 200, 404, 200, 404, 200, 200],
        ),
        (
            Method::POST,
            format!("{a}/assignments"),
            Some(bad_assignment.clone()),
            [401, 404, 404, 403, 404, 422, 404, 422, 422],
        ),
        (
            Method::GET,
            format!("{a}/assignments/{aid}"),
            None,
            [401, 404, 404, 200, 404, 200, 404, 200, 200],
        ),
        (
            Method::PUT,
            format!("{a}/assignments/{aid}"),
            Some(bad_assignment),
            [401, 404, 404, 403, 404, 422, 404, 422, 422],
        ),
        (
            Method::DELETE,
            format!("{a}/assignments/{aid}"),
            None,
            [401, 404, 404, 403, 404, 409, 404, 409, 409],
        ),
        (
            Method::GET,
            work.clone(),
            None,
            [401, 404, 404, 200, 404, 403, 404, 403, 403],
        ),
        (
            Method::GET,
            format!("{a}/assignments/{aid}/submissions"),
            None,
            [401, 404, 404, 403, 404, 200, 404, 200, 200],
        ),
        (
            Method::GET,
            format!("{a}/submissions/{sub_id}/files/{file_id}"),
            None,
            [401, 404, 404, 200, 404, 200, 404, 200, 200],
        ),
        (
            Method::PUT,
            format!("{a}/submissions/{sub_id}/feedback"),
            Some(json!({ "status": "great", "criteria": [] })),
            [401, 404, 404, 403, 404, 422, 404, 422, 422],
        ),
        (
            Method::GET,
            format!("{a}/reviews"),
            None,
            [401, 404, 404, 200, 404, 200, 404, 200, 200],
        ),
        (
            Method::PUT,
            format!("{a}/reviews/{}", uuid::Uuid::new_v4()),
            Some(scores(2)),
            [401, 404, 404, 404, 404, 404, 404, 404, 404],
        ),
        (
            Method::PATCH,
            "/api/v1/me".into(),
            Some(json!({ "time_zone": "Mars/Olympus" })),
            [401, 422, 422, 422, 422, 422, 422, 422, 422],
        ),
    ];
    let mut failures = Vec::new();
    for (method, path, body, want) in &rows {
        for (i, who) in people.iter().enumerate() {
            let status = match who {
                Some(who) => s.call(who, method.clone(), path, body.clone()).await.0,
                None => {
                    let mut req = s.http.request(method.clone(), s.url(path));
                    if let Some(b) = body {
                        req = req.json(b);
                    }
                    req.send().await.unwrap().status().as_u16()
                }
            };
            if status != want[i] {
                failures.push(format!(
                    "{method} {path} as {}: {status}, expected {}",
                    ROLES[i], want[i]
                ));
            }
        }
    }
    // Handing in work is a multipart form.
    let want = [401, 404, 404, 200, 404, 403, 404, 403, 403];
    for (i, who) in people.iter().enumerate() {
        let status = match who {
            Some(who) => submit(s, who, &work, "Plan, revised", &[]).await.0,
            None => s
                .http
                .put(s.url(&work))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        };
        if status != want[i] {
            failures.push(format!(
                "PUT {work} as {}: {status}, expected {}",
                ROLES[i], want[i]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
