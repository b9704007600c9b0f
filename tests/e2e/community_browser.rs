//! A question under a lesson, through the pages in headless Chromium with
//! axe-core on every page: a learner asks under the lesson and mentions a
//! peer, the peer sees the count in the header, follows the notification
//! and answers, and the asker, notified in turn, marks the answer, which
//! the lesson then shows, in English and in French. A learner attaches an image to a thread, with
//! its text alternative, and it shows.

use agora_tests::{
    TestServer,
    browser::{Browser, axe_source},
};

use super::{
    cohorts_browser::{EN, Run, Words},
    community::{COURSE, LESSON, SPACE, enrol, named},
    community_digest_browser::FR,
    community_images::png_of,
};

/// What the question journey reads on the pages, in one language.
struct Said {
    posted: &'static str,
    mentioned: &'static str,
    replied: &'static str,
    marked: &'static str,
    answered: &'static str,
}

#[tokio::test]
async fn a_learner_asks_under_a_lesson_a_peer_answers_and_the_answer_is_marked() {
    let said = Said {
        posted: "Posted.",
        mentioned: "Amina Diallo mentioned you",
        replied: "Li Wei replied",
        marked: "The answer is marked.",
        answered: "Answered",
    };
    question_journey(&EN, said).await;
}

#[tokio::test]
async fn une_apprenante_pose_une_question_sous_une_lecon_et_marque_la_reponse() {
    let said = Said {
        posted: "Publié.",
        mentioned: "Amina Diallo vous a mentionné",
        replied: "Li Wei a répondu",
        marked: "La réponse est marquée.",
        answered: "Résolue",
    };
    question_journey(&FR, said).await;
}

async fn question_journey(w: &'static Words, said: Said) {
    let s = TestServer::start().await;
    let amina = named(&s, "amina@lyon.example", "Amina Diallo").await;
    let li = named(&s, "li@nairobi.example", "Li Wei").await;
    for who in [&amina, &li] {
        enrol(&s, who, COURSE).await;
    }
    let run = Run {
        b: Browser::start(true, w.lang).await,
        axe: axe_source(),
        s,
        w,
    };
    let lesson = format!("/courses/{COURSE}/lessons/{LESSON}");

    // Amina asks under the lesson and mentions Li.
    run.sign_in(&amina.email).await;
    run.visit(&lesson, "discussion-lesson").await;
    run.b
        .type_into("#ask-title", "Which census should we use?")
        .await;
    run.b
        .type_into(
            "#ask-body",
            "Our data is from 2011. @LiWei, what did Nairobi use?",
        )
        .await;
    run.b
        .submit(&format!(
            "form[action='/discussions/{SPACE}/threads'] button"
        ))
        .await;
    run.check("discussion-asked").await;
    assert!(run.flash().await.contains(said.posted));
    let thread = run.path().await;
    assert!(
        thread.starts_with(&format!("/discussions/{SPACE}/threads/")),
        "{thread}"
    );
    assert!(run.b.text("h1").await.contains("Which census"));
    run.sign_out().await;

    // Li sees the count, follows the notification and answers.
    run.sign_in(&li.email).await;
    run.visit("/discussions", "discussion-spaces").await;
    assert!(run.b.text("header").await.contains("Notifications (1)"));
    run.visit("/notifications", "discussion-notifications")
        .await;
    let note = run.b.text(".notification-list").await;
    assert!(note.contains(said.mentioned), "{note}");
    let link = run.b.find(".notification-list a").await;
    run.b.click(&link).await;
    assert_eq!(run.path().await, thread);
    run.check("discussion-thread-peer").await;
    run.b
        .type_into(
            "#reply-body",
            "We used the **2019 census**; table 4 has the wards.",
        )
        .await;
    run.b
        .submit("section.card form[action$='/posts'] button")
        .await;
    run.check("discussion-replied").await;
    assert!(
        run.b
            .text("#replies-heading + article")
            .await
            .contains("2019 census")
    );
    run.sign_out().await;

    // Amina is notified, marks the answer, and the lesson shows it answered.
    run.sign_in(&amina.email).await;
    run.visit("/notifications", "discussion-notified").await;
    assert!(
        run.b
            .text(".notification-list")
            .await
            .contains(said.replied)
    );
    run.visit(&thread, "discussion-thread-asker").await;
    run.b.submit("form[action$='/answer'] button").await;
    run.check("discussion-answered").await;
    assert!(run.flash().await.contains(said.marked));
    assert!(run.b.text("article.answer").await.contains("2019 census"));
    run.visit(&lesson, "discussion-lesson-answered").await;
    let under = run.b.text(".discussion").await;
    assert!(
        under.contains("Which census should we use?") && under.contains(said.answered),
        "{under}"
    );
}

#[tokio::test]
async fn a_learner_attaches_an_image_to_a_thread_and_it_shows() {
    let s = TestServer::start().await;
    let amina = named(&s, "amina@lyon.example", "Amina Diallo").await;
    enrol(&s, &amina, COURSE).await;
    let run = Run {
        b: Browser::start(true, "en").await,
        axe: axe_source(),
        s,
        w: &EN,
    };
    let file = std::env::temp_dir().join(format!("agora-river-{}.png", std::process::id()));
    std::fs::write(&file, png_of(60)).unwrap();

    run.sign_in(&amina.email).await;
    run.visit(&format!("/discussions/{SPACE}"), "discussion-space-image")
        .await;
    run.b.type_into("#thread-title", "Our river in May").await;
    run.b
        .type_into("#thread-body", "The flood reached the **old bridge**.")
        .await;
    run.b.choose_file("#thread-image", &file).await;
    run.b
        .type_into("#thread-alt", "The river over its banks at the old bridge")
        .await;
    run.b
        .submit(&format!(
            "form[action='/discussions/{SPACE}/threads'] button"
        ))
        .await;
    run.check("discussion-image-posted").await;
    assert!(run.flash().await.contains("Posted."));
    let img = run.b.find("article .post-images img").await;
    assert_eq!(
        run.b.attribute(&img, "alt").await.as_deref(),
        Some("The river over its banks at the old bridge")
    );
    // Loaded from Agora itself: the browser decoded it at its size.
    let width = run
        .b
        .script(
            "return document.querySelector('article .post-images img').naturalWidth",
            serde_json::json!([]),
        )
        .await;
    assert_eq!(width, 40, "the image did not load");
    std::fs::remove_file(&file).ok();
}
