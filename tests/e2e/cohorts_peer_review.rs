//! Peer review over HTTP: reviewers allocated as work arrives, never of
//! their own organisation's work, anonymous to those they review, named to
//! facilitators; organisation work is one submission per organisation.

use reqwest::Method;
use serde_json::json;
use time::OffsetDateTime;

use super::{
    cohorts::{cohorts_world, field_of, ok},
    cohorts_work::{
        PDF, assignment_body, create_assignment, download, scores, submit, two_organisations_in_a,
    },
};

async fn reviews_of(
    s: &agora_tests::TestServer,
    who: &agora_tests::Learner,
) -> (u16, serde_json::Value) {
    s.call(who, Method::GET, "/api/v1/cohorts/vlr-a/reviews", None)
        .await
}

#[tokio::test]
async fn peers_are_allocated_as_work_arrives_and_stay_anonymous() {
    let c = cohorts_world(vec![]).await;
    let (w, s) = (&c.w, &c.w.s);
    two_organisations_in_a(&c).await;
    let due = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() + time::Duration::days(7);
    let id = create_assignment(
        s,
        &c.facilitator,
        assignment_body("Stakeholders", due, "individual", 2),
    )
    .await;
    let path = format!("/api/v1/cohorts/vlr-a/assignments/{id}/submission");
    // Lyon's work: only Nairobi's member may review it (own organisation excluded).
    let (status, lyon) = submit(
        s,
        &w.lyon_member,
        &path,
        "Lyon's map of stakeholders",
        &[("map.pdf", PDF)],
    )
    .await;
    assert_eq!(
        (status, lyon["late"].as_bool()),
        (200, Some(false)),
        "{lyon}"
    );
    let (_, mine) = reviews_of(s, &w.nairobi_member).await;
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    let (_, none) = reviews_of(s, &w.lyon_admin).await;
    assert!(none.as_array().unwrap().is_empty(), "{none}");
    // Nairobi's work, arriving later, gets its two Lyon reviewers at once.
    let (status, _) = submit(s, &w.nairobi_member, &path, "Nairobi's plan", &[]).await;
    assert_eq!(status, 200);
    for who in [&w.lyon_member, &w.lyon_admin] {
        assert_eq!(reviews_of(s, who).await.1.as_array().unwrap().len(), 1);
    }
    // The reviewer sees the work, not its author, and may fetch its file.
    let task = &mine[0];
    assert!(task.get("author").is_none());
    assert_eq!(task["text"], "Lyon's map of stakeholders");
    let f = format!(
        "/api/v1/cohorts/vlr-a/submissions/{}/files/{}",
        task["submission_id"].as_str().unwrap(),
        task["files"][0]["id"].as_str().unwrap()
    );
    assert_eq!(download(s, Some(&w.nairobi_member), &f).await.2, PDF);
    let r = format!(
        "/api/v1/cohorts/vlr-a/reviews/{}",
        task["id"].as_str().unwrap()
    );
    let (status, b) = s
        .call(
            &w.nairobi_member,
            Method::PUT,
            &r,
            Some(json!({ "criteria": [] })),
        )
        .await;
    assert_eq!((status, field_of(&b)), (422, "criteria"));
    assert_eq!(
        s.call(&w.lyon_admin, Method::PUT, &r, Some(scores(2)))
            .await
            .0,
        404
    );
    ok(s, &w.nairobi_member, Method::PUT, &r, Some(scores(2)), 200).await;
    // Lyon reads the review, but nothing says who gave it.
    let me = ok(s, &w.nairobi_member, Method::GET, "/api/v1/me", None, 200).await;
    let got = ok(s, &w.lyon_member, Method::GET, &path, None, 200).await;
    assert_eq!(got["peer_reviews"].as_array().unwrap().len(), 1);
    assert_eq!(got["peer_reviews"][0]["review"]["criteria"][0]["points"], 2);
    assert!(got["peer_reviews"][0]["reviewer"].is_null());
    // (Test accounts share a display name, so the id is the tell.)
    let text = got.to_string();
    let reviewer_id = me["id"].as_str().unwrap();
    assert!(!text.contains(reviewer_id), "the reviewer leaks in {text}");
    // The facilitator sees who reviewed what.
    let all = ok(
        s,
        &c.facilitator,
        Method::GET,
        &format!("/api/v1/cohorts/vlr-a/assignments/{id}/submissions"),
        None,
        200,
    )
    .await;
    let lyon_row = all
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == lyon["id"])
        .unwrap();
    assert_eq!(lyon_row["peer_reviews"][0]["reviewer"]["user_id"], me["id"]);
}

#[tokio::test]
async fn an_organisation_hands_in_one_piece_of_work() {
    let c = cohorts_world(vec![]).await;
    let (w, s) = (&c.w, &c.w.s);
    two_organisations_in_a(&c).await;
    let due = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() + time::Duration::days(7);
    let id = create_assignment(
        s,
        &c.facilitator,
        assignment_body("Chapter", due, "organisation", 1),
    )
    .await;
    let path = format!("/api/v1/cohorts/vlr-a/assignments/{id}/submission");
    let (_, first) = submit(s, &w.lyon_member, &path, "Draft", &[]).await;
    let (status, second) = submit(s, &w.lyon_admin, &path, "Draft, revised", &[]).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(
        (second["id"].clone(), second["revision"].as_i64()),
        (first["id"].clone(), Some(2))
    );
    let seen = ok(s, &w.lyon_member, Method::GET, &path, None, 200).await;
    assert_eq!(seen["text"], "Draft, revised");
    assert_eq!(
        s.call(&w.nairobi_member, Method::GET, &path, None).await.0,
        404
    );
    // Its one reviewer is from the other organisation.
    let (_, tasks) = s
        .call(
            &w.nairobi_member,
            Method::GET,
            "/api/v1/cohorts/vlr-a/reviews",
            None,
        )
        .await;
    assert_eq!(tasks.as_array().unwrap().len(), 1);
    // Bad input is named.
    let mut bad = assignment_body("x", due, "team", 9);
    let (status, b) = s
        .call(
            &c.facilitator,
            Method::POST,
            "/api/v1/cohorts/vlr-a/assignments",
            Some(bad.clone()),
        )
        .await;
    assert_eq!((status, field_of(&b)), (422, "scope"));
    bad["scope"] = json!("individual");
    let (status, b) = s
        .call(
            &c.facilitator,
            Method::POST,
            "/api/v1/cohorts/vlr-a/assignments",
            Some(bad),
        )
        .await;
    assert_eq!((status, field_of(&b)), (422, "peer_reviews"));
    // Work handed in: the assignment stays.
    let (status, _) = s
        .call(
            &c.facilitator,
            Method::DELETE,
            &format!("/api/v1/cohorts/vlr-a/assignments/{id}"),
            None,
        )
        .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn work_arriving_at_once_is_kept_whole_and_reviewed_once_each() {
    let c = cohorts_world(vec![]).await;
    let (w, s) = (&c.w, &c.w.s);
    two_organisations_in_a(&c).await;
    let due = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() + time::Duration::days(7);
    let mut body = assignment_body("Indicators", due, "individual", 1);
    body["exclude_own_organisation"] = json!(false);
    let solo = create_assignment(s, &c.facilitator, body).await;
    let shared = create_assignment(
        s,
        &c.facilitator,
        assignment_body("Chapter", due, "organisation", 1),
    )
    .await;
    let path = |id: &str| format!("/api/v1/cohorts/vlr-a/assignments/{id}/submission");
    // Three members hand in at once; two of Lyon hand in its one piece at once.
    let (solo_path, shared_path) = (path(&solo), path(&shared));
    let people = [&w.lyon_member, &w.lyon_admin, &w.nairobi_member];
    let solo_all = futures::future::join_all(
        people
            .iter()
            .map(|who| submit(s, who, &solo_path, "Our indicators", &[])),
    );
    let shared_all = futures::future::join_all(
        [&w.lyon_member, &w.lyon_admin]
            .iter()
            .map(|who| submit(s, who, &shared_path, "Our chapter", &[])),
    );
    let (solo_all, shared_all) = tokio::join!(solo_all, shared_all);
    for (status, b) in solo_all.iter().chain(&shared_all) {
        assert_eq!(*status, 200, "{b}");
    }
    assert_eq!(shared_all[0].1["id"], shared_all[1].1["id"]);
    let list = ok(
        s,
        &c.facilitator,
        Method::GET,
        &format!("/api/v1/cohorts/vlr-a/assignments/{solo}/submissions"),
        None,
        200,
    )
    .await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3);
    let mut loads = std::collections::BTreeMap::new();
    for sub in list {
        let reviews = sub["peer_reviews"].as_array().unwrap();
        assert_eq!(reviews.len(), 1, "{sub}");
        let reviewer = reviews[0]["reviewer"]["user_id"].as_str().unwrap();
        assert_ne!(reviewer, sub["author"]["user_id"].as_str().unwrap());
        *loads.entry(reviewer.to_owned()).or_insert(0) += 1;
    }
    assert_eq!(loads.values().sum::<i32>(), 3);
}
