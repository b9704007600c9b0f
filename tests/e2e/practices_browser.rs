//! The practice library through the pages in headless Chromium, with
//! axe-core on every page, in English and in French: a city's member
//! shares a practice (the XSS corpus in its fields) and sends it for
//! review, a moderator publishes it, and another learner finds it by facet
//! and writes to the city, whose contact receives the mail on the real
//! SMTP server. No script of the corpus ever runs.

use agora_tests::{
    SmtpSink,
    browser::{Browser, axe_source},
};
use serde_json::json;

use super::{
    authoring::XSS,
    cohorts::jobs_settle,
    cohorts_browser::{Run, Words},
    practices::practices_world,
};

const EN: Words = Words {
    lang: "en",
    saved: "The practice is saved.",
    applied: "The practice is sent for review.",
    decided: "The decision is recorded.",
    joined: "Your message is on its way.",
    announced: "",
};

const FR: Words = Words {
    lang: "fr",
    saved: "La pratique est enregistrée.",
    applied: "La pratique est envoyée en relecture.",
    decided: "La décision est enregistrée.",
    joined: "Votre message est parti.",
    announced: "",
};

async fn no_script_ran(run: &Run) {
    let ran = run
        .b
        .script("return window.__xss === undefined;", json!([]))
        .await;
    assert_eq!(ran, json!(true), "a script of the corpus ran");
}

async fn a_city_shares_a_practice_that_another_finds_and_contacts(w: &'static Words) {
    let sink = SmtpSink::start();
    let world = practices_world(&sink).await;
    let (city, admin, reader) = (
        world.lyon_member.email.clone(),
        world.admin.email.clone(),
        world.learner.email.clone(),
    );
    let run = Run {
        b: Browser::start(true, w.lang).await,
        axe: axe_source(),
        s: world.s,
        w,
    };

    // The city's member writes the practice and sends it for review.
    run.sign_in(&city).await;
    run.visit("/practices", "practice-library").await;
    run.visit("/practices/new", "practice-new").await;
    run.b.type_into("#p-city", "Lyon").await;
    run.b.type_into("#p-country", "FR").await;
    run.b
        .type_into("#p-title", "Flood maps with residents")
        .await;
    run.set("p-summary", &format!("Maps drawn together. {}", XSS[1]))
        .await;
    run.set("p-challenge", &XSS.join("\n\n")).await;
    run.set(
        "p-actions",
        &format!("- mapped\n- trained\n\n{}", XSS.join("\n\n")),
    )
    .await;
    run.set("p-partners", &XSS.join(" ")).await;
    run.set("p-indicators", "Districts mapped | 9").await;
    run.set("p-codes", "sdg:11 sdg:11.5 sendai:1").await;
    run.set("p-sources", "https://www.lyon.fr/plan Flood plan")
        .await;
    run.b.click(&run.b.find("#p-contact").await).await;
    // An unknown code comes back next to its field.
    run.set("p-codes", "sdg:11 sdg:99").await;
    run.b.submit("main form.card button").await;
    run.check("practice-refused").await;
    assert!(!run.b.text("#codes-error").await.is_empty());
    run.set("p-codes", "sdg:11 sdg:11.5 sendai:1").await;
    run.b.submit("main form.card button").await;
    run.check("practice-draft").await;
    assert!(run.flash().await.contains(w.saved), "{}", run.flash().await);
    no_script_ran(&run).await;
    let practice = run.path().await;
    assert_eq!(practice, "/practices/lyon-flood-maps-with-residents");
    run.b.submit("form[action$='/submission'] button").await;
    run.check("practice-submitted").await;
    assert!(run.flash().await.contains(w.applied));
    run.sign_out().await;

    // A moderator finds it in the queue and publishes it.
    run.sign_in(&admin).await;
    run.visit("/practice-submissions", "practice-queue").await;
    let link = run.b.find("main table a").await;
    run.b.click(&link).await;
    assert_eq!(run.path().await, practice);
    run.check("practice-review").await;
    no_script_ran(&run).await;
    run.b.submit("form[action$='/review'] button").await;
    run.check("practice-published").await;
    assert!(run.flash().await.contains(w.decided));
    run.sign_out().await;

    // Another learner finds it by facet and writes to the city.
    run.sign_in(&reader).await;
    run.visit("/practices", "practice-library-reader").await;
    run.b.click(&run.b.find("#f-country-FR").await).await;
    run.b.submit("form.facets button").await;
    run.check("practice-filtered").await;
    let results = run.b.text("main .cards").await;
    assert!(results.contains("Flood maps with residents"), "{results}");
    assert!(!results.contains("Shimokawa"), "{results}");
    let link = run.b.find("main .cards a").await;
    run.b.click(&link).await;
    run.check("practice-page").await;
    no_script_ran(&run).await;
    run.set(
        "contact-body",
        &format!("How did you train residents? {}", XSS[0]),
    )
    .await;
    run.b.submit("form[action$='/messages'] button").await;
    run.check("practice-contacted").await;
    assert!(run.flash().await.contains(w.joined));
    no_script_ran(&run).await;
    jobs_settle(&run.s, "mail.practice_contact").await;
    let mail = sink.wait_for(&city, 1).await.pop().unwrap();
    assert!(mail.text.contains("How did you train residents?"));
    assert!(!mail.raw.contains(&reader));
}

#[tokio::test]
async fn a_city_shares_a_practice_that_another_finds_and_contacts_in_english() {
    a_city_shares_a_practice_that_another_finds_and_contacts(&EN).await;
}

#[tokio::test]
async fn une_ville_partage_une_pratique_qu_une_autre_trouve_et_contacte_en_francais() {
    a_city_shares_a_practice_that_another_finds_and_contacts(&FR).await;
}
