//! A digest through the pages in headless Chromium, with axe-core on every
//! page, in English and then in French: a person chooses the daily digest
//! in their settings and follows a community space, a peer starts a thread
//! there, the digest arrives on the real SMTP server in the person's
//! language, and its unsubscribe link, opened in the browser, stops it.

use agora_tests::{
    Learner, SmtpSink, TestServer,
    browser::{Browser, axe_source},
    wait_until,
};
use reqwest::Method;
use serde_json::json;

use super::{
    cohorts::ok,
    cohorts_browser::{EN, Run, Words},
    community::named,
    community_moderation::established,
};

pub(super) const FR: Words = Words {
    lang: "fr",
    saved: "Vos choix de messages sont enregistrés.",
    applied: "",
    decided: "",
    joined: "",
    announced: "",
};

const SPACE: &str = "learning-cities";

/// What each language's journey expects to read.
struct Expect {
    saved: &'static str,
    subject: &'static str,
    unsubscribed: &'static str,
}

async fn journey(run: &Run, sink: &SmtpSink, who: &Learner, title: &str, e: &Expect) {
    let peer = run
        .s
        .learner(&format!("peer-{}@porto.example", run.w.lang))
        .await;
    // An established account: a new one's first posts in a community
    // space wait for a moderator, and notify no one until approved.
    established(&run.s, &[&peer]).await;
    run.sign_in(&who.email).await;

    // The person chooses the daily digest for every space, and follows one.
    run.visit("/account", "account").await;
    let link = run.b.find("a[href='/account/discussion-mail']").await;
    run.b.click(&link).await;
    run.check("discussion-mail").await;
    let daily = run.b.find("#mode-daily").await;
    run.b.click(&daily).await;
    run.b
        .submit("form[action='/account/discussion-mail'] > button")
        .await;
    run.check("discussion-mail-saved").await;
    let flash = run.flash().await;
    assert!(flash.contains(e.saved), "{flash}");
    run.visit(&format!("/discussions/{SPACE}"), "space").await;
    run.b
        .submit(&format!(
            "form[action='/discussions/{SPACE}/following'] button"
        ))
        .await;
    run.check("space-followed").await;

    // A peer starts a thread there; the digest arrives when the day closes.
    let path = format!("/api/v1/discussions/spaces/{SPACE}/threads");
    let body = json!({ "title": title, "body": "Our learning festival drew 4,000 people." });
    ok(&run.s, &peer, Method::POST, &path, Some(body), 201).await;
    let digest = || {
        sink.messages()
            .into_iter()
            .find(|m| m.to.eq_ignore_ascii_case(&who.email) && m.subject.starts_with(e.subject))
    };
    wait_until("the digest arrives", || async { digest().is_some() }).await;
    let digest = digest().expect("the digest");
    assert!(digest.text.contains(title), "{}", digest.text);
    let unsubscribe = digest
        .links()
        .into_iter()
        .find(|l| l.contains("/unsubscribe/discussions?token="))
        .expect("an unsubscribe link");

    // Its link, opened in the browser: one button, and it is done.
    run.b.goto(&unsubscribe).await;
    run.check("unsubscribe").await;
    run.b.submit("main form button").await;
    run.check("unsubscribed").await;
    let said = run.b.text("h1").await;
    assert!(said.contains(e.unsubscribed), "{said}");
    let me = ok(
        &run.s,
        who,
        Method::GET,
        "/api/v1/me/discussion-mail",
        None,
        200,
    )
    .await;
    assert_eq!(me["mode"], "none", "{me}");
    run.sign_out().await;
}

#[tokio::test]
async fn a_daily_digest_arrives_and_its_link_unsubscribes_in_english_and_french() {
    let sink = SmtpSink::start();
    let s = TestServer::start_with(agora_tests::ServerOptions {
        env: vec![
            ("AGORA_SMTP_URL".into(), sink.url()),
            ("AGORA_DIGEST_DAY_SECONDS".into(), "3".into()),
        ],
        ..Default::default()
    })
    .await;
    let amina = named(&s, "amina@lyon.example", "Amina Diallo").await;
    let claire = named(&s, "claire@lyon.example", "Claire Martin").await;
    let run = Run {
        b: Browser::start(true, "en").await,
        axe: axe_source(),
        s,
        w: &EN,
    };
    journey(
        &run,
        &sink,
        &amina,
        "Our learning festival",
        &Expect {
            saved: "Your mail choices are saved.",
            subject: "Your daily discussion digest",
            unsubscribed: "You are unsubscribed",
        },
    )
    .await;
    let Run { s, b, .. } = run;
    drop(b);
    // Claire reads Agora in French: her mail comes in French too.
    ok(
        &s,
        &claire,
        Method::PATCH,
        "/api/v1/me",
        Some(json!({ "locale": "fr" })),
        200,
    )
    .await;
    let run = Run {
        b: Browser::start(true, "fr").await,
        axe: axe_source(),
        s,
        w: &FR,
    };
    journey(
        &run,
        &sink,
        &claire,
        "Notre fête de l’apprentissage",
        &Expect {
            saved: FR.saved,
            subject: "Votre résumé quotidien des discussions",
            unsubscribed: "Vous êtes désabonné",
        },
    )
    .await;
}
