//! Starting a cohort from the cohort template shipped with the Voluntary
//! Local Review course.

use reqwest::Method;
use serde_json::json;

use super::cohorts::{cohorts_world, field_of, ok};

#[tokio::test]
async fn a_cohort_starts_from_its_course_template() {
    let c = cohorts_world(vec![]).await;
    let (w, s) = (&c.w, &c.w.s);
    let body = json!({
        "course": "voluntary-local-review",
        "slug": "vlr-2027",
        "starts_on": "2027-02-01",
        "locales": ["es", "en"],
        "facilitators": ["facilitator@agora.example"],
        "status": "open",
        "join_url": "https://meet.example.org/vlr",
    });
    let path = "/api/v1/cohorts/from-template";
    assert_eq!(
        s.call(&w.learner, Method::POST, path, Some(body.clone()))
            .await
            .0,
        403
    );
    let cohort = ok(s, &c.author, Method::POST, path, Some(body.clone()), 201).await;
    s.expect_jobs_left(
        "mail.cohort_session_reminder",
        "the template's sessions are months ahead",
    );
    assert_eq!(cohort["ends_on"], "2027-08-02");
    assert_eq!(cohort["capacity_organisations"], 20);
    assert!(
        cohort["titles"]["es"]
            .as_str()
            .unwrap()
            .starts_with("Cómo preparar")
    );
    assert!(cohort["titles"].get("fr").is_none());
    let sessions = ok(
        s,
        &c.facilitator,
        Method::GET,
        "/api/v1/cohorts/vlr-2027/sessions",
        None,
        200,
    )
    .await;
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 6);
    assert_eq!(sessions[0]["starts_at"], "2027-02-01T13:00:00Z");
    assert_eq!(sessions[5]["starts_at"], "2027-07-12T13:00:00Z");
    assert!(
        sessions[0]["title"]
            .as_str()
            .unwrap()
            .starts_with("Introducción")
    );
    let list = ok(
        s,
        &c.facilitator,
        Method::GET,
        "/api/v1/cohorts/vlr-2027/assignments",
        None,
        200,
    )
    .await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 6);
    assert_eq!(list[0]["key"], "vlr-work-plan");
    assert_eq!(list[0]["due_at"], "2027-02-22T23:59:00Z");
    assert_eq!(list[0]["scope"], "organisation");
    assert_eq!(list[5]["peer_reviews"], 0);
    assert!(
        list.iter()
            .all(|a| a["rubric"].as_array().unwrap().len() >= 2)
    );
    // The id is taken now.
    let (status, b) = s.call(&c.author, Method::POST, path, Some(body)).await;
    assert_eq!((status, field_of(&b)), (409, "slug"));
}
