//! A report through the pages in headless Chromium, with axe-core on every
//! page, in English and in French: a learner reports a post (a note made
//! of the XSS corpus), the space's moderator finds it in the queue and
//! hides it, and the reporter no longer sees it. A suspension whose reason
//! is the corpus shows, inert, to the moderator and to the suspended.

use agora_tests::{
    TestServer,
    browser::{Browser, axe_source},
};
use serde_json::json;

use super::{
    authoring::{XSS, assert_inert},
    cohorts_browser::{EN, Run, Words},
    community::{get, id, last_post, named, reply, start, want},
    community_moderation::{established, name_moderator},
};

const FR: Words = Words {
    lang: "fr",
    saved: "",
    applied: "",
    decided: "",
    joined: "",
    announced: "",
};

const LC: &str = "learning-cities";

async fn report_and_hide(w: &'static Words, reported: &str, hidden: &str) {
    let s = TestServer::start().await;
    let admin = s.admin("admin@agora.example").await;
    let amina = named(&s, "amina@lyon.example", "Amina Diallo").await;
    let li = named(&s, "li@nairobi.example", "Li Wei").await;
    let mo = named(&s, "mo@quito.example", "Mo Reyes").await;
    established(&s, &[&amina, &li, &mo]).await;
    name_moderator(&s, &admin, LC, &mo).await;
    let t = start(
        &s,
        &amina,
        LC,
        json!({ "title": "Festival", "body": "Ideas?" }),
    )
    .await;
    let tid = id(&t);
    let post = id(last_post(
        &reply(&s, &amina, &tid, json!({ "body": "Buy cheap diplomas" })).await,
    ));
    let thread = format!("/discussions/{LC}/threads/{tid}");
    let run = Run {
        b: Browser::start(true, w.lang).await,
        axe: axe_source(),
        s,
        w,
    };

    // Li reports the post, with a note made of every payload.
    run.sign_in(&li.email).await;
    run.visit(&thread, "moderation-thread").await;
    run.b
        .click(
            &run.b
                .find(&format!("#post-{post} details.report summary"))
                .await,
        )
        .await;
    run.set(&format!("report-{post}-reason"), "spam").await;
    run.b
        .type_into(&format!("#report-{post}-note"), &XSS.join(" "))
        .await;
    run.b
        .submit(&format!("#post-{post} form[action$='/reports'] button"))
        .await;
    run.check("moderation-reported").await;
    assert!(
        run.flash().await.contains(reported),
        "{}",
        run.flash().await
    );
    run.sign_out().await;

    // The moderator finds it in the queue, the note inert, and hides it.
    run.sign_in(&mo.email).await;
    run.visit("/moderation", "moderation-queue").await;
    let item = run.b.text("main section.card").await;
    assert!(
        item.contains("Buy cheap diplomas") && item.contains("Li Wei"),
        "{item}"
    );
    assert_inert(&run.b, "main", "the queue").await;
    run.b
        .submit("form[action='/moderation/actions'] input[value=hide] + button")
        .await;
    run.check("moderation-hidden").await;
    assert!(run.flash().await.contains(hidden), "{}", run.flash().await);
    assert!(
        run.b.try_find("main section.card").await.is_none(),
        "the queue is empty"
    );
    run.sign_out().await;

    // The reporter no longer sees it.
    run.sign_in(&li.email).await;
    run.visit(&thread, "moderation-thread-after").await;
    let main = run.b.text("main").await;
    assert!(!main.contains("Buy cheap diplomas"), "{main}");
    run.sign_out().await;

    // A suspension whose reason is every payload: inert where it shows.
    let amina_id = get(&run.s, &amina, "/api/v1/me").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let until = (time::OffsetDateTime::now_utc() + time::Duration::days(2))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let body = json!({ "user_id": amina_id, "space": LC, "until": until, "reason": XSS.join(" ") });
    want(
        &run.s,
        &mo,
        "POST",
        "/api/v1/discussions/suspensions",
        body,
        201,
    )
    .await;
    run.sign_in(&mo.email).await;
    run.visit(&format!("/discussions/{LC}/moderation"), "moderation-log")
        .await;
    assert_inert(&run.b, "main", "the moderation page").await;
    assert!(run.b.text("main").await.contains("Amina Diallo"));
    run.sign_out().await;
    run.sign_in(&amina.email).await;
    run.visit(&thread, "moderation-suspended").await;
    assert_inert(&run.b, "main", "the suspended person's thread").await;
    assert!(
        run.b
            .try_find("#reply-body[aria-invalid=true]")
            .await
            .is_some()
            && !run.b.text("#body-error").await.is_empty(),
        "the message is next to the field"
    );
}

#[tokio::test]
async fn a_report_reaches_the_moderator_who_hides_the_post_in_english_and_french() {
    report_and_hide(&EN, "Thank you", "The post is hidden.").await;
    report_and_hide(&FR, "Merci", "Le message est masqué.").await;
}
