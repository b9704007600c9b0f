//! Assignments, submissions and peer review over HTTP, with files in a real
//! S3 server: work is judged by its content, fetched back through the
//! authorised endpoint only, marked late, open to resubmission until a
//! facilitator reviews it. The helpers are in `cohorts_work`.

use agora_tests::S3Server;
use reqwest::Method;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{
    cohorts::{cohorts_world, field_of, ok},
    cohorts_work::{
        PDF, assignment_body, create_assignment, docx, download, scores, submit,
        two_organisations_in_a,
    },
};

#[tokio::test]
async fn work_is_judged_by_content_kept_in_s3_and_closed_once_reviewed() {
    let s3 = S3Server::start();
    let c = cohorts_world(s3.env()).await;
    let (w, s) = (&c.w, &c.w.s);
    two_organisations_in_a(&c).await;
    let past = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() - time::Duration::days(1);
    let id = create_assignment(
        s,
        &c.facilitator,
        assignment_body("Work plan", past, "individual", 0),
    )
    .await;
    let a = ok(
        s,
        &w.lyon_member,
        Method::GET,
        &format!("/api/v1/cohorts/vlr-a/assignments/{id}"),
        None,
        200,
    )
    .await;
    assert!(!a["instructions_html"].as_str().unwrap().contains("<script"));
    assert_eq!(a["rubric"][1]["levels"][2]["title"], "Ready");
    let path = format!("/api/v1/cohorts/vlr-a/assignments/{id}/submission");

    // Disguised and oversized files are refused, named; nothing is kept.
    let mut big = PDF.to_vec();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    for (name, data, says) in [
        (
            "plan.pdf",
            b"MZ\x90\x00\x03 not a pdf".as_slice(),
            "plan.pdf: named .pdf",
        ),
        ("budget.docx", PDF, "budget.docx: named .docx but is a PDF"),
        ("huge.pdf", big.as_slice(), "huge.pdf: over 10 MiB"),
        ("tool.exe", PDF, "tool.exe: work must be"),
    ] {
        let (status, b) = submit(s, &w.lyon_member, &path, "", &[(name, data)]).await;
        assert_eq!(status, 422, "{name}: {b}");
        assert_eq!(field_of(&b), "files");
        assert!(b["message"].as_str().unwrap().contains(says), "{b}");
    }
    assert!(s3.objects("cohorts").is_empty());

    // Handed in after the due date: late, with both files in S3.
    let doc = docx();
    let (status, sub) = submit(
        s,
        &w.lyon_member,
        &path,
        "Our *plan*.",
        &[("Plan été.pdf", PDF), ("team.docx", doc.as_slice())],
    )
    .await;
    assert_eq!(status, 200, "{sub}");
    assert_eq!(sub["late"], true);
    assert_eq!(sub["status"], "submitted");
    assert_eq!(sub["files"].as_array().unwrap().len(), 2);
    assert_eq!(s3.objects("cohorts").len(), 2);
    let sid = sub["id"].as_str().unwrap();
    let file = |i: usize| {
        format!(
            "/api/v1/cohorts/vlr-a/submissions/{sid}/files/{}",
            sub["files"][i]["id"].as_str().unwrap()
        )
    };
    let (status, ct, bytes) = download(s, Some(&w.lyon_member), &file(0)).await;
    assert_eq!((status, ct.as_str()), (200, "application/pdf"));
    assert_eq!(bytes, PDF);
    let (status, _, bytes) = download(s, Some(&c.facilitator), &file(1)).await;
    assert_eq!((status, bytes), (200, doc.clone()));
    // Nobody else: not a fellow member, not cohort B, not signed out.
    for (who, want) in [
        (Some(&w.nairobi_member), 404),
        (Some(&w.lyon_admin), 404),
        (Some(&w.nairobi_admin), 404),
        (Some(&c.facilitator_b), 404),
        (Some(&w.learner), 404),
        (None, 401),
    ] {
        assert_eq!(download(s, who, &file(0)).await.0, want);
    }
    assert_eq!(
        s.call(
            &w.nairobi_admin,
            Method::GET,
            "/api/v1/cohorts/vlr-a/assignments",
            None
        )
        .await
        .0,
        404
    );

    // Resubmitting replaces the files; a review closes the work.
    let (status, sub) = submit(s, &w.lyon_member, &path, "Version 2", &[("plan.pdf", PDF)]).await;
    assert_eq!((status, sub["revision"].as_i64()), (200, Some(2)), "{sub}");
    assert_eq!(s3.objects("cohorts").len(), 1);
    let fb = format!("/api/v1/cohorts/vlr-a/submissions/{sid}/feedback");
    let mut bad = scores(2);
    bad["criteria"][0]["points"] = json!(7);
    let (status, b) = s
        .call(
            &c.facilitator,
            Method::PUT,
            &fb,
            Some(json!({ "status": "accepted", "comment": "", "criteria": bad["criteria"] })),
        )
        .await;
    assert_eq!((status, field_of(&b)), (422, "criteria"), "{b}");
    let mut body = scores(3);
    body["status"] = json!("accepted");
    ok(s, &c.facilitator, Method::PUT, &fb, Some(body), 200).await;
    let (status, b) = submit(s, &w.lyon_member, &path, "Version 3", &[]).await;
    assert_eq!(status, 409, "{b}");
    assert!(
        b["message"]
            .as_str()
            .unwrap()
            .contains("reviewed (accepted)"),
        "{b}"
    );
    let mut body = scores(2);
    body["status"] = json!("needs_revision");
    ok(s, &c.facilitator, Method::PUT, &fb, Some(body), 200).await;
    let (status, sub) = submit(s, &w.lyon_member, &path, "Version 3", &[]).await;
    assert_eq!(
        (status, sub["status"].as_str()),
        (200, Some("submitted")),
        "{sub}"
    );
    assert_eq!(sub["feedback"]["criteria"][0]["points"], 2);

    // A closed cohort takes no more work, and says so.
    let mut closed = super::cohorts::cohort_body("vlr-a", &["facilitator@agora.example"], 5, 10);
    closed["status"] = json!("closed");
    ok(
        s,
        &c.author,
        Method::PUT,
        "/api/v1/cohorts/vlr-a",
        Some(closed),
        200,
    )
    .await;
    let (status, b) = submit(s, &w.lyon_member, &path, "Version 4", &[]).await;
    assert_eq!(status, 409, "{b}");
    assert!(
        b["message"]
            .as_str()
            .unwrap()
            .contains("can no longer be handed in"),
        "{b}"
    );
}

#[tokio::test]
async fn the_dashboard_shows_each_assignment_state_and_overdue_work() {
    let s3 = S3Server::start();
    let c = cohorts_world(s3.env()).await;
    let (w, s) = (&c.w, &c.w.s);
    two_organisations_in_a(&c).await;
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let plan = create_assignment(
        s,
        &c.facilitator,
        assignment_body("Work plan", now - time::Duration::days(1), "individual", 0),
    )
    .await;
    let charter = create_assignment(
        s,
        &c.facilitator,
        assignment_body("Charter", now + time::Duration::days(7), "organisation", 0),
    )
    .await;
    let path = |id: &str| format!("/api/v1/cohorts/vlr-a/assignments/{id}/submission");
    let (st, sub) = submit(s, &w.lyon_member, &path(&plan), "Plan", &[]).await;
    assert_eq!(st, 200, "{sub}");
    let (st, b) = submit(s, &w.lyon_admin, &path(&charter), "Charter", &[]).await;
    assert_eq!(st, 200, "{b}");
    let dashboard = || async {
        ok(
            s,
            &c.facilitator,
            Method::GET,
            "/api/v1/cohorts/vlr-a/dashboard",
            None,
            200,
        )
        .await
    };
    let states = |m: &Value| -> Vec<(String, String)> {
        m["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["assignment"].as_str().unwrap().to_owned(),
                    a["state"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    let d = dashboard().await;
    let members = d["members"].as_array().unwrap().clone();
    assert_eq!(members.len(), 3, "{d}");
    let nairobi: Vec<&Value> = members
        .iter()
        .filter(|m| m["organisation"] == "nairobi")
        .collect();
    assert_eq!(nairobi.len(), 1, "{d}");
    assert_eq!(
        states(nairobi[0]),
        vec![
            pair("Work plan", "not_submitted"),
            pair("Charter", "not_submitted")
        ]
    );
    assert_eq!(nairobi[0]["assignments"][0]["overdue"], true, "{d}");
    assert_eq!(nairobi[0]["assignments"][1]["overdue"], false, "{d}");
    assert_eq!(nairobi[0]["behind"][0]["rule"], "overdue_work", "{d}");
    assert_eq!(nairobi[0]["behind"][0]["count"], 1, "{d}");
    let lyon: Vec<Vec<(String, String)>> = members
        .iter()
        .filter(|m| m["organisation"] != "nairobi")
        .map(states)
        .collect();
    // The charter is Lyon's, handed in by one for both; the plan is each one's.
    assert!(
        lyon.contains(&vec![
            pair("Work plan", "late"),
            pair("Charter", "submitted")
        ]),
        "{d}"
    );
    assert!(
        lyon.contains(&vec![
            pair("Work plan", "not_submitted"),
            pair("Charter", "submitted")
        ]),
        "{d}"
    );
    let orgs = d["organisations"].as_array().unwrap();
    for o in orgs {
        let want = if o["slug"] == "nairobi" {
            "not_submitted"
        } else {
            "submitted"
        };
        assert_eq!(states(o), vec![pair("Charter", want)], "{d}");
    }

    // Feedback moves the state on: needs revision, then accepted.
    let sid = sub["id"].as_str().unwrap();
    let fb = format!("/api/v1/cohorts/vlr-a/submissions/{sid}/feedback");
    let mut body = scores(2);
    body["status"] = json!("needs_revision");
    ok(s, &c.facilitator, Method::PUT, &fb, Some(body), 200).await;
    let d = dashboard().await;
    assert!(d.to_string().contains("needs_revision"), "{d}");
    let mut body = scores(3);
    body["status"] = json!("accepted");
    ok(s, &c.facilitator, Method::PUT, &fb, Some(body), 200).await;
    let d = dashboard().await;
    assert!(
        d["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| states(m)[0] == pair("Work plan", "accepted")),
        "{d}"
    );

    // The CSV and the page say the same.
    let (st, _, csv) = super::cohorts::get_text(
        s,
        Some(&c.facilitator),
        "/api/v1/cohorts/vlr-a/dashboard/csv",
    )
    .await;
    assert_eq!(st, 200);
    assert!(csv.starts_with("name,organisation,progress_percent,completed,last_activity_at,attended,missed,assignments,behind\r\n"), "{csv}");
    assert!(
        csv.contains("Work plan: accepted; Charter: submitted"),
        "{csv}"
    );
    assert!(csv.contains("overdue work 1"), "{csv}");
    let (st, html) =
        super::cohorts_pages::page(s, Some(&c.facilitator), "/cohorts/vlr-a/dashboard").await;
    assert_eq!(st, 200);
    assert!(html.contains("Work plan: accepted"), "{html}");
    assert!(
        html.contains("Work plan: not submitted (overdue)"),
        "{html}"
    );
    assert!(html.contains("1 overdue assignments"), "{html}");
}
