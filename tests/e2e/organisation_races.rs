//! An account deleted at the same moment as a colleague's membership is
//! edited, again and again: both requests succeed (PostgreSQL aborts
//! neither as a deadlock), and the roll-up the network report reads stays
//! equal to the report computed from scratch.

use reqwest::Method;
use serde_json::json;

use super::{
    organisation_reports::{COURSE, fixture, join_active, post, user_id},
    organisation_rollup::same_as_from_scratch,
};
use agora_tests::PASSWORD;

const ROUNDS: usize = 12;

#[tokio::test]
async fn an_account_deletion_and_a_colleagues_membership_edit_both_succeed() {
    let f = fixture().await;
    // Ben has an enrolment with a lesson done: hiding and sharing moves it.
    let ben = f.server.signed_in("ben@bristol.gov.uk").await;
    let ana = user_id(&f.conn, &f.member.email).await;
    let role = format!("/api/v1/organisations/bristol/members/{ana}/role");
    let mut leavers = Vec::new();
    for i in 0..ROUNDS {
        let l = f.server.learner(&format!("leaver{i}@bristol.gov.uk")).await;
        join_active(&f.conn, user_id(&f.conn, &l.email).await, f.bristol).await;
        post(&f.server, &l, &format!("{COURSE}/enrolment"), None).await;
        post(
            &f.server,
            &l,
            &format!("{COURSE}/lessons/intro/completion"),
            None,
        )
        .await;
        leavers.push(l);
    }
    let before = same_as_from_scratch(&f, "the leavers enrolled").await;
    let enrolments = before.totals.enrolments.value().unwrap();

    for (i, l) in leavers.iter().enumerate() {
        let hide = i % 2 == 0;
        let edit = json!({ "job_title": "Officer", "department": "Roads", "hide_progress": hide });
        let new_role = if hide { "admin" } else { "member" };
        let (deleted, edited, promoted) = tokio::join!(
            f.server.call(
                l,
                Method::DELETE,
                "/api/v1/me",
                Some(json!({ "password": PASSWORD }))
            ),
            f.server
                .call(&ben, Method::PUT, "/api/v1/me/organisation", Some(edit)),
            f.server.call(
                &f.org_admin,
                Method::PUT,
                &role,
                Some(json!({ "role": new_role }))
            ),
        );
        for (what, (status, body)) in [
            ("the deletion", deleted),
            ("Ben's edit", edited),
            ("Ana's role", promoted),
        ] {
            assert!(
                (200..300).contains(&status),
                "round {i}: {what} answered {status} {body}"
            );
        }
        let r = same_as_from_scratch(&f, &format!("round {i}")).await;
        // The leaver's enrolment went; Ben's counts only while he shares.
        let ben_counts = if hide { 0 } else { 1 };
        assert_eq!(
            r.totals.enrolments.value(),
            Some(enrolments - 1 - (i as u64 + 1) + ben_counts),
            "round {i}"
        );
    }
}
