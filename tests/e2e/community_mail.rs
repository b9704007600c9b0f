//! Discussion mail, on both databases, with the real SMTP sink and two
//! workers side by side (the server's and an `agora-worker`): a mail at
//! once for those who chose it, a daily digest in the reader's language
//! sent exactly once (even when its job runs again after a worker died
//! between sending and recording), RFC 8058 one-click unsubscribe without
//! signing in, and a cohort's private space never in anyone else's mail,
//! nor in the mail of someone removed from the cohort.

use std::time::Duration;

use agora_core::{
    discussions::DigestScan,
    entities::{cohort, cohort_member, discussion_digest, job, mail_delivery, notification, user},
    jobs,
};
use agora_tests::{Mail, ServerOptions, SmtpSink, TestServer, WorkerProcess, wait_until};
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr};
use serde_json::json;

use super::{
    cohorts::{cohorts_world, ok},
    cohorts_sessions::two_cohorts,
    community::{id, named, reply, start},
    community_moderation::established,
};

/// A digest "day" in this test, in seconds.
const DAY: u64 = 4;
const SPACE: &str = "cohort-vlr-a";

fn env(sink: &SmtpSink) -> Vec<(String, String)> {
    vec![
        ("AGORA_SMTP_URL".into(), sink.url()),
        ("AGORA_DIGEST_DAY_SECONDS".into(), DAY.to_string()),
    ]
}

fn to(sink: &SmtpSink, who: &str) -> Vec<Mail> {
    sink.messages()
        .into_iter()
        .filter(|m| m.to.eq_ignore_ascii_case(who))
        .collect()
}

fn mentioning(sink: &SmtpSink, who: &str, words: &str) -> usize {
    to(sink, who)
        .iter()
        .filter(|m| m.subject.contains(words) || m.text.contains(words))
        .count()
}

/// Waits for the start of a digest period, so that what follows happens
/// well inside one.
async fn fresh_period() {
    let day_ms = (DAY * 1000) as i64;
    let into = jobs::now_ms().rem_euclid(day_ms);
    tokio::time::sleep(Duration::from_millis((day_ms - into + 100) as u64)).await;
}

#[tokio::test]
async fn discussion_mail_comes_at_once_or_in_one_digest_and_stops_in_one_click() {
    let sink = SmtpSink::start();
    let c = cohorts_world(env(&sink)).await;
    let (w, s) = (&c.w, &c.w.s);
    // A second worker, with its own clocks, claims the same jobs.
    let _second = WorkerProcess::start(s, &env(&sink));
    two_cohorts(&c).await;
    let conn = s.conn().await;
    let (member, facilitator, admin) = (&w.lyon_member, &c.facilitator, &w.admin);
    // Lyon's administrator joins the cohort too, and will be removed from it.
    ok(
        s,
        &w.lyon_admin,
        Method::POST,
        "/api/v1/cohorts/vlr-a/join",
        None,
        200,
    )
    .await;

    // The defaults, documented: daily digests, direct mail at once.
    let mine = ok(
        s,
        admin,
        Method::GET,
        "/api/v1/me/discussion-mail",
        None,
        200,
    )
    .await;
    assert_eq!(
        (mine["mode"].as_str(), mine["direct"].as_bool()),
        (Some("daily"), Some(true))
    );
    // Another cohort's member cannot choose anything about the space.
    let (st, _) = s
        .call(
            &w.nairobi_admin,
            Method::PUT,
            &format!("/api/v1/discussions/spaces/{SPACE}/mail"),
            Some(json!({ "mode": "immediate" })),
        )
        .await;
    assert_eq!(st, 404);
    // The facilitator wants this space's mail at once; the admin reads French.
    let chosen = ok(
        s,
        facilitator,
        Method::PUT,
        &format!("/api/v1/discussions/spaces/{SPACE}/mail"),
        Some(json!({ "mode": "immediate" })),
        200,
    )
    .await;
    assert_eq!(chosen["mode"], "immediate");
    ok(
        s,
        admin,
        Method::PATCH,
        "/api/v1/me",
        Some(json!({ "locale": "fr" })),
        200,
    )
    .await;
    let daily = json!({ "mode": "daily", "direct": true });
    ok(
        s,
        admin,
        Method::PUT,
        "/api/v1/me/discussion-mail",
        Some(daily),
        200,
    )
    .await;
    for who in [facilitator, admin, &w.lyon_admin] {
        ok(
            s,
            who,
            Method::PUT,
            &format!("/api/v1/discussions/spaces/{SPACE}/following"),
            Some(json!({ "on": true })),
            204,
        )
        .await;
    }

    // A space followed is listed with its choice, even when not one's own.
    let mine = ok(
        s,
        admin,
        Method::GET,
        "/api/v1/me/discussion-mail",
        None,
        200,
    )
    .await;
    assert!(mine["spaces"].to_string().contains(SPACE), "{mine}");

    fresh_period().await;
    let title = "Census tables for the review";
    let t = start(
        s,
        member,
        SPACE,
        json!({ "title": title, "body": "Which census should we use?" }),
    )
    .await;
    // Removed from the cohort before the digest is built: nothing of it reaches them.
    let lyon_admin_id = user_id(&conn, "chef@lyon.example").await;
    let vlr_a = cohort::Entity::find()
        .filter(cohort::Column::Slug.eq("vlr-a"))
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    cohort_member::Entity::delete_by_id((vlr_a.id, lyon_admin_id))
        .exec(&conn)
        .await
        .unwrap();

    // At once, for the facilitator: the new thread, with one-click unsubscribe.
    let thread_mail = || {
        to(&sink, "facilitator@agora.example")
            .into_iter()
            .find(|m| m.subject.contains(title))
    };
    wait_until("the new thread's mail", || async {
        thread_mail().is_some()
    })
    .await;
    let at_once = thread_mail().expect("the new thread's mail");
    assert!(
        at_once.subject.starts_with("New thread in"),
        "{}",
        at_once.subject
    );
    assert!(
        at_once.text.contains("Which census should we use?"),
        "{}",
        at_once.text
    );
    let unsubscribe = at_once
        .links()
        .into_iter()
        .find(|l| l.contains("/unsubscribe/discussions?token="))
        .expect("an unsubscribe link");
    assert!(
        unsubscribe.contains(&format!("space={SPACE}")),
        "{unsubscribe}"
    );
    assert_eq!(
        at_once.header("List-Unsubscribe").as_deref(),
        Some(format!("<{unsubscribe}>").as_str())
    );
    assert_eq!(
        at_once.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    // The thread's author hears of a reply at once (a reply in their thread).
    reply(
        s,
        facilitator,
        &id(&t),
        json!({ "body": "The 2020 census, table 4." }),
    )
    .await;
    wait_until("the reply's mail to its thread's author", || async {
        to(&sink, "agent@elsewhere.example")
            .iter()
            .any(|m| m.subject.contains("replied") && m.text.contains("table 4"))
    })
    .await;

    // The RFC 8058 POST, as a mail client sends it: no session, no CSRF.
    let anonymous = reqwest::Client::new();
    let page = anonymous.get(&unsubscribe).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let r = anonymous
        .post(&unsubscribe)
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let prefs = ok(
        s,
        facilitator,
        Method::GET,
        "/api/v1/me/discussion-mail",
        None,
        200,
    )
    .await;
    let space = prefs["spaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["space"] == SPACE)
        .unwrap()
        .clone();
    assert_eq!(space["mode"], "none", "{prefs}");
    let bad = anonymous
        .post(s.url("/unsubscribe/discussions?token=unsub-nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 404);

    // The admin's daily digest, in French, once the period closes.
    let digests = |sink: &SmtpSink| -> Vec<Mail> {
        to(sink, "admin@agora.example")
            .into_iter()
            .filter(|m| m.subject.starts_with("Votre résumé quotidien"))
            .collect()
    };
    wait_until("the admin's digest", || async {
        !digests(&sink).is_empty()
    })
    .await;
    let digest = digests(&sink).remove(0);
    assert!(digest.subject.ends_with("1 fil"), "{}", digest.subject);
    assert!(digest.text.contains(title), "{}", digest.text);
    assert!(
        digest
            .text
            .contains(&format!("/discussions/{SPACE}/threads/{}", id(&t))),
        "{}",
        digest.text
    );
    let all_off = digest
        .links()
        .into_iter()
        .find(|l| l.contains("/unsubscribe/discussions?token=") && !l.contains("space="))
        .expect("the digest's unsubscribe link");
    assert_eq!(
        digest.header("List-Unsubscribe").as_deref(),
        Some(format!("<{all_off}>").as_str())
    );

    // Once: a rerun of the digest's job after a worker died between sending
    // and recording it sends nothing, and records it; a second scan of the
    // period is refused by its key.
    // The worker records the digest after the SMTP server has taken it, so
    // the record may come a moment after the mail.
    let admin_id = user_id(&conn, "admin@agora.example").await;
    let recorded = || async {
        discussion_digest::Entity::find()
            .filter(discussion_digest::Column::UserId.eq(admin_id))
            .filter(discussion_digest::Column::Items.gt(0))
            .one(&conn)
            .await
            .unwrap()
    };
    wait_until("the digest is recorded", || async {
        recorded().await.is_some()
    })
    .await;
    let row = recorded().await.expect("the digest is recorded");
    let key = format!("mail.digest:daily:{admin_id}:{}", row.period);
    discussion_digest::Entity::delete_by_id((admin_id, "daily".to_owned(), row.period))
        .exec(&conn)
        .await
        .unwrap();
    job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(jobs::RUNNING))
        .col_expr(
            job::Column::LockedUntil,
            Expr::value(Some(jobs::now_ms() - 1)),
        )
        .filter(job::Column::DedupKey.eq(key.clone()))
        .exec(&conn)
        .await
        .unwrap();
    let rescan = DigestScan {
        cadence: "daily".into(),
        period: row.period,
    };
    assert!(
        !jobs::enqueue(&conn, &rescan).await.unwrap(),
        "one scan per period"
    );
    wait_until("the digest's job ran again", || async {
        discussion_digest::Entity::find_by_id((admin_id, "daily".to_owned(), row.period))
            .one(&conn)
            .await
            .unwrap()
            .is_some()
    })
    .await;
    let attempts = job::Entity::find()
        .filter(job::Column::DedupKey.eq(key))
        .one(&conn)
        .await
        .unwrap()
        .unwrap()
        .attempts;
    assert!(attempts >= 2, "the job ran again ({attempts})");
    assert_eq!(
        digests(&sink).len(),
        1,
        "one digest, however often its job runs"
    );
    let deliveries = mail_delivery::Entity::find()
        .filter(mail_delivery::Column::Key.starts_with("digest:daily:"))
        .filter(mail_delivery::Column::UserId.eq(admin_id))
        .count(&conn)
        .await
        .unwrap();
    assert_eq!(deliveries, 1);

    // The private space reached no one outside it, nor Lyon's removed administrator.
    for outsider in [
        "chief@nairobi.example",
        "chef@lyon.example",
        "solo@elsewhere.example",
    ] {
        assert_eq!(mentioning(&sink, outsider, title), 0, "{outsider}");
    }
    assert_eq!(
        discussion_digest::Entity::find()
            .filter(discussion_digest::Column::UserId.eq(lyon_admin_id))
            .filter(discussion_digest::Column::Items.gt(0))
            .count(&conn)
            .await
            .unwrap(),
        0
    );

    // The digest's link stops all discussion mail, in one click.
    let r = anonymous
        .post(&all_off)
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("désabonné"));
    let prefs = ok(
        s,
        admin,
        Method::GET,
        "/api/v1/me/discussion-mail",
        None,
        200,
    )
    .await;
    assert_eq!(
        (prefs["mode"].as_str(), prefs["direct"].as_bool()),
        (Some("none"), Some(false))
    );
}

/// A post whose transaction began just before a period closed, and
/// committed only after that period's scan had run, still reaches the
/// reader's first digest: a first digest reaches back to when the reader's
/// mail choices last changed, not only to its own period's start.
#[tokio::test]
async fn a_post_committed_after_its_periods_scan_still_reaches_a_first_digest() {
    let sink = SmtpSink::start();
    let s = TestServer::start_with(ServerOptions {
        env: env(&sink),
        ..Default::default()
    })
    .await;
    let reader = named(&s, "ines@braga.example", "Inês Costa").await;
    let peer = s.learner("peer@porto.example").await;
    established(&s, &[&peer]).await;
    let space = "learning-cities";
    let daily = json!({ "mode": "daily", "direct": true });
    ok(
        &s,
        &reader,
        Method::PUT,
        "/api/v1/me/discussion-mail",
        Some(daily),
        200,
    )
    .await;
    let following = format!("/api/v1/discussions/spaces/{space}/following");
    let on = Some(json!({ "on": true }));
    ok(&s, &reader, Method::PUT, &following, on, 204).await;
    let chosen = jobs::now_ms();

    // The next period, once the scan of the closed one (where the choice
    // was made, and nothing else happened) has run.
    fresh_period().await;
    let grace = agora_core::discussions::grace_ms((DAY * 1000) as i64);
    tokio::time::sleep(Duration::from_millis(grace as u64 + 500)).await;
    let title = "Festival de aprendizagem";
    let body = json!({ "title": title, "body": "Four thousand people came." });
    let path = format!("/api/v1/discussions/spaces/{space}/threads");
    ok(&s, &peer, Method::POST, &path, Some(body), 201).await;
    // Its notification carries a stamp from the closed period, as it would
    // had its transaction begun there and committed after the scan.
    let conn = s.conn().await;
    let reader_id = user_id(&conn, &reader.email).await;
    let late = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(chosen + 1) * 1_000_000)
        .unwrap();
    let moved = notification::Entity::update_many()
        .col_expr(notification::Column::CreatedAt, Expr::value(late))
        .filter(notification::Column::UserId.eq(reader_id))
        .exec(&conn)
        .await
        .unwrap();
    assert_eq!(moved.rows_affected, 1);

    let digest = || {
        to(&sink, &reader.email)
            .into_iter()
            .find(|m| m.subject.starts_with("Your daily discussion digest"))
    };
    wait_until("the digest arrives", || async { digest().is_some() }).await;
    let digest = digest().expect("the digest");
    assert!(digest.text.contains(title), "{}", digest.text);
}

async fn user_id(conn: &sea_orm::DatabaseConnection, email: &str) -> uuid::Uuid {
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(conn)
        .await
        .unwrap()
        .unwrap()
        .id
}
