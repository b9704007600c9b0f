//! The roll-up the network report reads (migration 000017) stays equal to
//! the report computed straight from the enrolments and memberships,
//! through enrolments, completions (the one-statement lesson completion
//! and a quiz), hiding and sharing progress again, leaving, approval,
//! removal, account deletion and certificates being issued; and equal to
//! the roll-up rebuilt from scratch at the end.

use agora_core::{
    accounts::{Principal, Role, TokenKind},
    domain::Locale,
    entities::{certificate, organisation_member},
    reports::{NetworkReport, OrgReports},
};
use agora_tests::{Learner, PASSWORD};
use reqwest::Method;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

use super::organisation_reports::{
    COURSE, Fixture, fixture, join_active, post, rebuild_rollup, user_id,
};

const NET_REPORT: &str = "/api/v1/networks/uclg/report";

/// The network report from the roll-up, checked against the one computed
/// from scratch; returned for further checks.
pub(super) async fn same_as_from_scratch(f: &Fixture, step: &str) -> NetworkReport {
    let reports = OrgReports::new(f.conn.clone());
    let admin = Principal {
        user_id: user_id(&f.conn, &f.global_admin.email).await,
        role: Role::Admin,
        token_id: Uuid::nil(),
        kind: TokenKind::Api,
        csrf_hash: None,
        locale: Locale::En,
        email_verified: true,
        time_zone: None,
    };
    let network = reports
        .readable_network(Some(&admin), "uclg")
        .await
        .unwrap();
    let rolled = reports.network_report(&network).await.unwrap();
    let mut scratch = reports.network_report_recomputed(&network).await.unwrap();
    scratch.generated_at = rolled.generated_at;
    assert_eq!(rolled, scratch, "after {step}");
    rolled
}

fn completions(r: &NetworkReport) -> Option<u64> {
    r.totals.completions.value()
}

async fn call(f: &Fixture, who: &Learner, method: Method, path: &str, body: Option<Value>) {
    let (status, body) = f.server.call(who, method, path, body).await;
    assert!((200..300).contains(&status), "{path}: {status} {body}");
}

/// The quiz first, then the lessons: the last step is the one-statement
/// lesson completion on PostgreSQL.
async fn complete_ending_with_a_lesson(f: &Fixture, l: &Learner) {
    let answers = json!({ "answers": { "q1": ["b"], "q2": ["false"] } });
    post(
        &f.server,
        l,
        &format!("{COURSE}/lessons/check/attempts"),
        Some(answers),
    )
    .await;
    for lesson in ["intro", "sheet"] {
        post(
            &f.server,
            l,
            &format!("{COURSE}/lessons/{lesson}/completion"),
            None,
        )
        .await;
    }
}

async fn set_hidden(f: &Fixture, l: &Learner, hide: bool) {
    call(
        f,
        l,
        Method::PUT,
        "/api/v1/me/organisation",
        Some(json!({ "job_title": "Officer", "department": "Housing", "hide_progress": hide })),
    )
    .await;
}

#[tokio::test]
async fn the_rollup_equals_the_report_from_scratch_after_every_change() {
    let f = fixture().await;
    let start = same_as_from_scratch(&f, "the fixture").await;
    assert_eq!(completions(&start), Some(7));

    // Cora (Bristol) enrols, then completes with a lesson last.
    let cora = f.server.signed_in("cora@bristol.gov.uk").await;
    post(&f.server, &cora, &format!("{COURSE}/enrolment"), None).await;
    let r = same_as_from_scratch(&f, "Cora enrolled").await;
    assert_eq!(r.totals.enrolments.value(), Some(9));
    complete_ending_with_a_lesson(&f, &cora).await;
    let r = same_as_from_scratch(&f, "Cora completed").await;
    assert_eq!(completions(&r), Some(8));

    // Ben hides his progress, completes the course (a quiz last), then
    // shares again: his completion comes with him.
    let ben = f.server.signed_in("ben@bristol.gov.uk").await;
    set_hidden(&f, &ben, true).await;
    let r = same_as_from_scratch(&f, "Ben hid his progress").await;
    assert_eq!(r.totals.learners.value(), Some(8));
    post(
        &f.server,
        &ben,
        &format!("{COURSE}/lessons/sheet/completion"),
        None,
    )
    .await;
    post(
        &f.server,
        &ben,
        &format!("{COURSE}/lessons/check/attempts"),
        Some(json!({ "answers": { "q1": ["b"], "q2": ["false"] } })),
    )
    .await;
    let r = same_as_from_scratch(&f, "Ben completed while hidden").await;
    assert_eq!(completions(&r), Some(8));
    set_hidden(&f, &ben, false).await;
    let r = same_as_from_scratch(&f, "Ben shared again").await;
    assert_eq!(completions(&r), Some(9));

    // Ana (completed, with a certificate) leaves Bristol.
    call(
        &f,
        &f.member,
        Method::DELETE,
        "/api/v1/me/organisation",
        None,
    )
    .await;
    let r = same_as_from_scratch(&f, "Ana left").await;
    assert_eq!(completions(&r), Some(8));
    assert_eq!(r.totals.enrolments.value(), Some(8));

    // Nia enrols before belonging anywhere, asks to join Lyon and is
    // approved: her enrolment comes with her.
    let nia = f.server.learner("nia@lyon.fr").await;
    post(&f.server, &nia, &format!("{COURSE}/enrolment"), None).await;
    let nia_id = user_id(&f.conn, &nia.email).await;
    let now = OffsetDateTime::now_utc();
    organisation_member::ActiveModel {
        user_id: Set(nia_id),
        organisation_id: Set(f.lyon),
        status: Set("pending".into()),
        role: Set("member".into()),
        via: Set("request".into()),
        job_title: Set(String::new()),
        department: Set(String::new()),
        hide_progress: Set(false),
        requested_at: Set(now),
        joined_at: Set(None),
    }
    .insert(&f.conn)
    .await
    .unwrap();
    let r = same_as_from_scratch(&f, "Nia asked to join").await;
    assert_eq!(r.totals.enrolments.value(), Some(8));
    call(
        &f,
        &f.other_admin,
        Method::POST,
        &format!("/api/v1/organisations/lyon/members/{nia_id}/approve"),
        None,
    )
    .await;
    let r = same_as_from_scratch(&f, "Nia approved").await;
    assert_eq!(r.totals.enrolments.value(), Some(9));

    // Luc (Lyon) enrols, then Lyon's admin removes him.
    post(
        &f.server,
        &f.other_member,
        &format!("{COURSE}/enrolment"),
        None,
    )
    .await;
    let r = same_as_from_scratch(&f, "Luc enrolled").await;
    assert_eq!(r.totals.enrolments.value(), Some(10));
    let luc = user_id(&f.conn, &f.other_member.email).await;
    call(
        &f,
        &f.other_admin,
        Method::DELETE,
        &format!("/api/v1/organisations/lyon/members/{luc}"),
        None,
    )
    .await;
    let r = same_as_from_scratch(&f, "Luc removed").await;
    assert_eq!(r.totals.enrolments.value(), Some(9));

    // Nia deletes her account.
    call(
        &f,
        &nia,
        Method::DELETE,
        "/api/v1/me",
        Some(json!({ "password": PASSWORD })),
    )
    .await;
    let r = same_as_from_scratch(&f, "Nia deleted her account").await;
    assert_eq!(r.totals.enrolments.value(), Some(8));

    // The worker issues Cora's and Ben's certificates: no figure moves.
    let ids = [
        user_id(&f.conn, &cora.email).await,
        user_id(&f.conn, &ben.email).await,
    ];
    for _ in 0..400 {
        let issued = certificate::Entity::find()
            .filter(certificate::Column::UserId.is_in(ids))
            .all(&f.conn)
            .await
            .unwrap()
            .len();
        if issued == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let r = same_as_from_scratch(&f, "certificates issued").await;
    assert_eq!(completions(&r), Some(8));

    // The roll-up rebuilt from scratch answers the same JSON.
    let (status, mut kept) = f
        .server
        .call(&f.coordinator, Method::GET, NET_REPORT, None)
        .await;
    assert_eq!(status, 200, "{kept}");
    rebuild_rollup(&f.conn).await;
    let (_, mut rebuilt) = f
        .server
        .call(&f.coordinator, Method::GET, NET_REPORT, None)
        .await;
    for r in [&mut kept, &mut rebuilt] {
        r.as_object_mut().unwrap().remove("generated_at");
    }
    assert_eq!(kept, rebuilt);
}

/// Deleting an account while its organisation's administrator removes it
/// and the learner edits their membership: every request answers (no
/// deadlock between the deletion's cascade and the membership's row lock,
/// which PostgreSQL would report as a 500), and the roll-up stays equal to
/// the report from scratch.
#[tokio::test]
async fn account_deletion_racing_membership_changes_never_deadlocks() {
    let f = fixture().await;
    let mut racers = Vec::new();
    for i in 0..6 {
        let l = f.server.learner(&format!("race{i}@bristol.gov.uk")).await;
        join_active(&f.conn, user_id(&f.conn, &l.email).await, f.bristol).await;
        post(&f.server, &l, &format!("{COURSE}/enrolment"), None).await;
        racers.push(l);
    }
    same_as_from_scratch(&f, "the racers enrolled").await;
    let races = racers.iter().map(|l| async {
        let id = user_id(&f.conn, &l.email).await;
        let remove = format!("/api/v1/organisations/bristol/members/{id}");
        let body = json!({ "job_title": "Officer", "department": "Roads", "hide_progress": true });
        let (deleted, removed, edited) = tokio::join!(
            f.server.call(
                l,
                Method::DELETE,
                "/api/v1/me",
                Some(json!({ "password": PASSWORD }))
            ),
            f.server.call(&f.org_admin, Method::DELETE, &remove, None),
            f.server
                .call(l, Method::PUT, "/api/v1/me/organisation", Some(body)),
        );
        (deleted, removed, edited)
    });
    for ((deleted, removed, edited), l) in futures::future::join_all(races)
        .await
        .into_iter()
        .zip(&racers)
    {
        assert!(
            (200..300).contains(&deleted.0),
            "{}: deletion {deleted:?}",
            l.email
        );
        for (what, (status, body)) in [("removal", removed), ("edit", edited)] {
            assert!(status < 500, "{}: {what} answered {status} {body}", l.email);
        }
    }
    let r = same_as_from_scratch(&f, "the racers deleted their accounts").await;
    assert_eq!(r.totals.enrolments.value(), Some(8));
}
