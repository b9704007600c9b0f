//! A cohort by invitation, over HTTP and the pages, on the real SMTP
//! server: nobody applies; staff of an organisation not invited are
//! refused with a message that says why; the facilitator invites an
//! organisation (its administrator is mailed once), and its staff join.

use agora_tests::SmtpSink;
use reqwest::Method;
use serde_json::json;

use super::{
    cohorts::{cohort_body, cohorts_world, field_of, jobs_settle, ok},
    cohorts_pages::{form, page},
};

#[tokio::test]
async fn only_staff_of_invited_organisations_join_a_cohort_by_invitation() {
    let sink = SmtpSink::start();
    let c = cohorts_world(vec![("AGORA_SMTP_URL".into(), sink.url())]).await;
    let (w, s) = (&c.w, &c.w.s);
    let mut body = cohort_body("vlr-inv", &["facilitator@agora.example"], 5, 10);
    body["admission"] = json!("invitation");
    ok(
        s,
        &c.author,
        Method::POST,
        "/api/v1/cohorts",
        Some(body),
        201,
    )
    .await;
    let api = "/api/v1/cohorts/vlr-inv";

    // Nobody applies, and staff of an organisation not invited cannot join.
    let (st, b) = s
        .call(
            &w.lyon_member,
            Method::POST,
            &format!("{api}/applications"),
            Some(json!({ "organisation": "lyon", "answers": ["x"] })),
        )
        .await;
    assert_eq!(st, 403, "{b}");
    assert!(b.to_string().contains("invitation only"), "{b}");
    let (st, b) = s
        .call(&w.lyon_member, Method::POST, &format!("{api}/join"), None)
        .await;
    assert_eq!(st, 403, "{b}");
    assert!(
        b.to_string()
            .contains("ask its facilitators to invite yours"),
        "{b}"
    );
    // The page says so, and offers no application.
    let (st, html) = page(s, Some(&w.lyon_member), "/cohorts/vlr-inv").await;
    assert_eq!(st, 200);
    assert!(html.contains("by invitation only"), "{html}");
    assert!(!html.contains("/cohorts/vlr-inv/apply"), "{html}");
    let (st, _, _) = form(s, Some(&w.lyon_member), "/cohorts/vlr-inv/join", &[]).await;
    assert_eq!(st, 403);

    // Only the facilitator invites; an unknown organisation is named.
    let invite = format!("{api}/invitations");
    let lyon = Some(json!({ "organisation": "lyon", "message": "Welcome, Lyon." }));
    // (outsiders learn nothing; the author runs the cohort but does not decide)
    for (who, want) in [
        (&w.lyon_member, 404),
        (&c.facilitator_b, 404),
        (&c.author, 403),
    ] {
        let st = s.call(who, Method::POST, &invite, lyon.clone()).await.0;
        assert_eq!(st, want, "{}", who.email);
    }
    let (st, b) = s
        .call(
            &c.facilitator,
            Method::POST,
            &invite,
            Some(json!({ "organisation": "atlantis" })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "organisation"), "{b}");
    // Through the page: Lyon is invited, accepted at once.
    let (st, to, html) = form(
        s,
        Some(&c.facilitator),
        "/cohorts/vlr-inv/invitations",
        &[("organisation", "lyon"), ("message", "Welcome, Lyon.")],
    )
    .await;
    assert_eq!(
        (st / 100, to.as_str()),
        (3, "/cohorts/vlr-inv/applications"),
        "{html}"
    );
    let apps = ok(
        s,
        &c.facilitator,
        Method::GET,
        &format!("{api}/applications"),
        None,
        200,
    )
    .await;
    assert_eq!(apps.as_array().unwrap().len(), 1, "{apps}");
    assert_eq!(apps[0]["organisation"], "lyon");
    assert_eq!(apps[0]["state"], "accepted");
    assert_eq!(apps[0]["message"], "Welcome, Lyon.");
    // Inviting again changes nothing and mails no more.
    let again = ok(s, &c.facilitator, Method::POST, &invite, lyon, 201).await;
    assert_eq!(again["id"], apps[0]["id"]);

    // Lyon's administrator hears of it once; its staff join.
    jobs_settle(s, "mail.cohort_decision").await;
    let mails: Vec<_> = sink
        .messages()
        .into_iter()
        .filter(|m| m.to.eq_ignore_ascii_case(&w.lyon_admin.email))
        .filter(|m| m.subject.contains("vlr-inv"))
        .collect();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].subject.contains("is accepted into"), "{mails:?}");
    assert!(mails[0].text.contains("Welcome, Lyon."), "{mails:?}");
    let (_, html) = page(s, Some(&w.lyon_member), "/cohorts/vlr-inv").await;
    assert!(html.contains("/cohorts/vlr-inv/join"), "{html}");
    assert!(!html.contains("by invitation only"), "{html}");
    ok(
        s,
        &w.lyon_member,
        Method::POST,
        &format!("{api}/join"),
        None,
        200,
    )
    .await;
    let members = ok(
        s,
        &w.lyon_member,
        Method::GET,
        &format!("{api}/members"),
        None,
        200,
    )
    .await;
    assert_eq!(members.as_array().unwrap().len(), 1, "{members}");
    // Nairobi, not invited, still cannot.
    let (st, b) = s
        .call(
            &w.nairobi_member,
            Method::POST,
            &format!("{api}/join"),
            None,
        )
        .await;
    assert_eq!(st, 403, "{b}");
}
