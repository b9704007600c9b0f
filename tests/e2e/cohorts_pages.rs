//! Every cohort page and form, as each role of the authorisation matrix
//! (303 to sign in when signed out, 403 inside the cohort without the
//! right, 404 outside it), and what cohort B's member sees of cohort A's
//! page: its public profile only, no session, member or announcement.

use agora_tests::{Learner, TestServer};
use reqwest::Method;
use serde_json::json;
use time::OffsetDateTime;

use super::{
    cohorts::{apply, cohort_body, cohorts_world, ok, session_body},
    cohorts_matrix::ROLES,
    cohorts_sessions::two_cohorts,
    cohorts_work::{PDF, assignment_body, create_assignment, submit},
};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A page as `who` (or signed out): the status and the page.
pub async fn page(s: &TestServer, who: Option<&Learner>, path: &str) -> (u16, String) {
    let mut req = client().get(s.url(path)).header("accept", "text/html");
    if let Some(who) = who {
        req = req.header("cookie", who.cookie.split(';').next().unwrap());
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Posts a page form as `who` (or signed out) with their CSRF token.
pub async fn form(
    s: &TestServer,
    who: Option<&Learner>,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let mut fields = fields.to_vec();
    let mut req = client().post(s.url(path)).header("accept", "text/html");
    if let Some(who) = who {
        fields.push(("csrf", who.csrf.as_str()));
        req = req.header("cookie", who.cookie.split(';').next().unwrap());
    }
    let r = req.form(&fields).send().await.unwrap();
    let status = r.status().as_u16();
    let to = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, to, r.text().await.unwrap())
}

/// A form's address, its fields, and the status each role gets.
type Post<'a> = (String, Vec<(&'a str, &'a str)>, [u16; 9]);

#[tokio::test]
async fn every_cohort_page_answers_each_role_as_the_matrix_says() {
    let c = cohorts_world(vec![]).await;
    let (w, s) = (&c.w, &c.w.s);
    two_cohorts(&c).await;
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
    let app = apps[0]["id"].as_str().unwrap().to_owned();
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
    s.expect_jobs_left(
        "mail.cohort_session_reminder",
        "reminders of sessions days ahead wait for their time",
    );
    let sid = session["id"].as_str().unwrap().to_owned();
    ok(
        s,
        &c.facilitator,
        Method::POST,
        "/api/v1/cohorts/vlr-a/announcements",
        Some(json!({ "title": "Private notice", "body": "For members." })),
        201,
    )
    .await;
    let aid = create_assignment(
        s,
        &c.facilitator,
        assignment_body("Work plan", start, "individual", 0),
    )
    .await;
    let work = format!("/api/v1/cohorts/vlr-a/assignments/{aid}/submission");
    let (st, sub) = submit(s, &w.lyon_member, &work, "Plan", &[("plan.pdf", PDF)]).await;
    assert_eq!(st, 200, "{sub}");
    let sub_id = sub["id"].as_str().unwrap().to_owned();
    let file_id = sub["files"][0]["id"].as_str().unwrap().to_owned();

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
    let a = "/cohorts/vlr-a";
    let gets: Vec<(String, [u16; 9])> = vec![
        ("/cohorts".into(), [200; 9]),
        (a.into(), [200; 9]),
        (
            "/cohorts/vlr-draft".into(),
            [404, 404, 404, 404, 404, 404, 404, 200, 200],
        ),
        (
            "/cohorts/new".into(),
            [303, 403, 403, 403, 403, 403, 403, 200, 200],
        ),
        (
            "/cohorts/new-from-template".into(),
            [303, 403, 403, 403, 403, 403, 403, 200, 200],
        ),
        (
            format!("{a}/apply"),
            [303, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            format!("{a}/edit"),
            [303, 404, 404, 403, 404, 403, 404, 200, 200],
        ),
        (
            format!("{a}/applications"),
            [303, 404, 404, 403, 404, 200, 404, 200, 200],
        ),
        (
            format!("{a}/sessions"),
            [303, 404, 404, 403, 404, 200, 404, 200, 200],
        ),
        (
            format!("{a}/sessions/{sid}"),
            [303, 404, 404, 403, 404, 200, 404, 200, 200],
        ),
        (
            format!("{a}/sessions/{sid}/ics"),
            [303, 404, 404, 200, 404, 200, 404, 200, 200],
        ),
        (
            format!("{a}/work"),
            [303, 404, 404, 200, 404, 200, 404, 200, 200],
        ),
        (
            format!("{a}/assignments/{aid}/submissions"),
            [303, 404, 404, 403, 404, 200, 404, 200, 200],
        ),
        (
            format!("{a}/submissions/{sub_id}/files/{file_id}"),
            [303, 404, 404, 200, 404, 200, 404, 200, 200],
        ),
        (
            format!("{a}/dashboard"),
            [303, 404, 404, 403, 404, 200, 404, 200, 200],
        ),
        (
            format!("{a}/dashboard.csv"),
            [303, 404, 404, 403, 404, 200, 404, 200, 200],
        ),
    ];
    let posts: Vec<Post> = vec![
        (
            "/cohorts/new-from-template".into(),
            vec![("course", "voluntary-local-review"), ("slug", "")],
            [303, 403, 403, 403, 403, 403, 403, 422, 422],
        ),
        (
            format!("{a}/announcements"),
            vec![("title", ""), ("body", "x")],
            [303, 404, 404, 403, 404, 303, 404, 303, 303],
        ),
        (
            format!("{a}/sessions/{sid}/attendance"),
            vec![],
            [303, 404, 404, 403, 404, 422, 404, 422, 422],
        ),
        (
            format!("{a}/sessions/{sid}/notes"),
            vec![("recording_url", "javascript:alert(1)")],
            [303, 404, 404, 403, 404, 422, 404, 422, 422],
        ),
        (
            format!("{a}/sessions"),
            vec![("title", "x"), ("starts_at", "soon")],
            [303, 404, 404, 403, 404, 422, 404, 422, 422],
        ),
        (
            format!("{a}/dashboard/rules"),
            vec![("inactive_days", "-1"), ("missed_sessions", "2")],
            [303, 404, 404, 403, 404, 422, 404, 422, 422],
        ),
        (
            format!("{a}/submissions/{sub_id}/feedback"),
            vec![("assignment", aid.as_str()), ("status", "maybe")],
            [303, 404, 404, 403, 404, 422, 404, 422, 422],
        ),
        (
            format!("{a}/reviews/{}", uuid::Uuid::new_v4()),
            vec![("points_scope", "3")],
            [303, 404, 404, 404, 404, 404, 404, 404, 404],
        ),
        (
            format!("{a}/invitations"),
            vec![("organisation", "nowhere")],
            [303, 404, 404, 403, 404, 422, 404, 403, 422],
        ),
        (
            format!("{a}/applications/{app}/decision"),
            vec![("decision", "maybe")],
            [303, 404, 404, 403, 404, 422, 404, 403, 422],
        ),
        (
            format!("{a}/edit"),
            vec![("locale_en", "on"), ("title_en", "")],
            [303, 404, 404, 403, 404, 403, 404, 422, 422],
        ),
    ];
    let mut failures = Vec::new();
    for (path, want) in &gets {
        for (i, who) in people.iter().enumerate() {
            let (status, _) = page(s, *who, path).await;
            if status != want[i] {
                failures.push(format!(
                    "GET {path} as {}: {status}, expected {}",
                    ROLES[i], want[i]
                ));
            }
        }
    }
    for (path, fields, want) in &posts {
        for (i, who) in people.iter().enumerate() {
            let (status, _, _) = form(s, *who, path, fields).await;
            if status != want[i] {
                failures.push(format!(
                    "POST {path} as {}: {status}, expected {}",
                    ROLES[i], want[i]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Isolation: cohort A's page shows its members what it hides from others.
    let (_, inside) = page(s, Some(&w.lyon_member), a).await;
    for private in ["Publishing", "Private notice", "/calendar-feed"] {
        assert!(inside.contains(private), "members see {private}");
    }
    for outsider in [&w.nairobi_admin, &w.learner, &c.facilitator_b] {
        let (_, outside) = page(s, Some(outsider), a).await;
        for private in [
            "Publishing",
            "Private notice",
            "/calendar-feed",
            "members-heading",
        ] {
            assert!(
                !outside.contains(private),
                "{} sees {private}",
                outsider.email
            );
        }
    }
}
