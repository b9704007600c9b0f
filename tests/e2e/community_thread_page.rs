//! The thread page is kept rendered per class of readers and spliced per
//! request (`web::discussions::thread_kept`): each reader still sees their
//! own page (their forms, their "helpful" marks, their token, their held
//! posts), and a change shows at once on the replica that made it.

use agora_tests::{Learner, TestServer};
use serde_json::{Value, json};

use super::{
    cohorts_pages::page,
    community::{COURSE, POSTS, SPACE, enrol, id, last_post, named, reply, start, want},
    community_moderation::{LC, established},
};

async fn thread_page(s: &TestServer, who: &Learner, path: &str) -> String {
    let (st, html) = page(s, Some(who), path).await;
    assert_eq!(st, 200, "{html}");
    html
}

/// Whether `post`'s "helpful" button is pressed on `html`.
fn pressed(html: &str, post: &str) -> bool {
    let form = format!("name=\"post\" value=\"{post}\"><button class=\"linkish\" aria-pressed=\"");
    let at = html
        .find(&form)
        .unwrap_or_else(|| panic!("no helpful button for {post}"));
    html[at + form.len()..].starts_with("true")
}

/// The token every form of `html` carries: one, not empty, not a marker.
fn one_token(html: &str) -> String {
    let tag = "name=\"csrf\" value=\"";
    let mut found: Vec<&str> = html
        .match_indices(tag)
        .map(|(at, _)| {
            let rest = &html[at + tag.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    assert!(found.len() > 5, "the forms carry a token");
    found.dedup();
    assert_eq!(found.len(), 1, "one token in every form: {found:?}");
    assert!(!found[0].is_empty() && !found[0].contains('\u{1}'));
    found[0].to_owned()
}

#[tokio::test]
async fn each_reader_sees_their_own_thread_page_and_changes_show_at_once() {
    let s = TestServer::start().await;
    let asker = named(&s, "asker@lima.example", "Ana Asker").await;
    let peer = named(&s, "peer@quito.example", "Pedro Peer").await;
    let other = named(&s, "other@nairobi.example", "Olu Other").await;
    for who in [&asker, &peer, &other] {
        enrol(&s, who, COURSE).await;
    }
    let t = start(
        &s,
        &asker,
        SPACE,
        json!({ "title": "Who has flood maps?", "body": "Who has **flood maps**?", "question": true }),
    )
    .await;
    let tid = id(&t);
    let opening = id(&t["posts"][0]);
    let t = reply(&s, &peer, &tid, json!({ "body": "We do, in our plan." })).await;
    let answer = id(last_post(&t));
    let path = format!("/discussions/{SPACE}/threads/{tid}");

    // Read twice by each: the second read is served from what was kept.
    for _ in 0..2 {
        let a = thread_page(&s, &asker, &path).await;
        let p = thread_page(&s, &peer, &path).await;
        let o = thread_page(&s, &other, &path).await;
        let mut tokens = Vec::new();
        for html in [&a, &p, &o] {
            tokens.push(one_token(html));
            assert!(html.contains("<strong>flood maps</strong>"), "{html}");
        }
        tokens.dedup();
        assert_eq!(tokens.len(), 3, "each page carries its own reader's token");
        // Their own posts' edit forms, and no one else's.
        assert!(a.contains(&format!("id=\"edit-{opening}\"")));
        assert!(!a.contains(&format!("id=\"edit-{answer}\"")));
        assert!(p.contains(&format!("id=\"edit-{answer}\"")));
        assert!(!p.contains(&format!("id=\"edit-{opening}\"")));
        assert!(!o.contains("id=\"edit-"), "the other reader wrote nothing");
        // The asker may mark the answer; the others may not.
        let mark = "/answer\" class=\"inline\"><input type=\"hidden\" name=\"csrf\"";
        assert!(a.contains(mark), "the asker's page offers to mark it");
        assert!(!p.contains(mark) && !o.contains(mark));
        // Nobody reports their own post.
        assert!(!a.contains(&format!("id=\"report-{opening}-reason\"")));
        assert!(o.contains(&format!("id=\"report-{opening}-reason\"")));
        assert!(!pressed(&o, &answer));
    }

    // "Helpful" shows at once, pressed for the reader who pressed it only.
    let helpful = format!("{POSTS}/{answer}/helpful");
    want(&s, &other, "POST", &helpful, Value::Null, 200).await;
    let o = thread_page(&s, &other, &path).await;
    let a = thread_page(&s, &asker, &path).await;
    assert!(pressed(&o, &answer), "pressed for the one who pressed it");
    assert!(!pressed(&a, &answer), "not for another reader");
    for html in [&o, &a] {
        assert!(
            html.contains("<span class=\"meta\">1 found this helpful</span>"),
            "the count shows at once to everyone"
        );
    }

    // An edit shows at once to every reader.
    let post = format!("{POSTS}/{answer}");
    want(
        &s,
        &peer,
        "PUT",
        &post,
        json!({ "body": "We do: see *annex 3* of our plan." }),
        204,
    )
    .await;
    for who in [&asker, &peer, &other] {
        let html = thread_page(&s, who, &path).await;
        assert!(html.contains("<em>annex 3</em>"), "the edit shows at once");
        assert!(!html.contains("We do, in our plan."));
    }

    // A follow shows as the reader's own.
    let following = format!("/api/v1/discussions/threads/{tid}/following");
    want(&s, &other, "PUT", &following, json!({ "on": false }), 204).await;
    want(&s, &other, "PUT", &following, json!({ "on": true }), 204).await;
    let o = thread_page(&s, &other, &path).await;
    assert!(
        o.contains("name=\"on\" value=\"0\""),
        "other follows: unfollow offered"
    );
    want(&s, &peer, "PUT", &following, json!({ "on": false }), 204).await;
    let p = thread_page(&s, &peer, &path).await;
    assert!(
        p.contains("name=\"on\" value=\"1\""),
        "peer stopped: follow offered"
    );
}

#[tokio::test]
async fn a_held_reply_shows_on_its_authors_page_alone() {
    let s = TestServer::start().await;
    let old = named(&s, "old@lyon.example", "Old Hand").await;
    let third = named(&s, "third@quito.example", "Third Reader").await;
    let new = named(&s, "new@lima.example", "Nueva Persona").await;
    established(&s, &[&old, &third]).await;
    let t = start(
        &s,
        &old,
        LC,
        json!({ "title": "Night markets", "body": "Who runs them?" }),
    )
    .await;
    let tid = id(&t);
    let t = reply(&s, &new, &tid, json!({ "body": "Lima does, since 2019." })).await;
    let held = id(last_post(&t));
    let path = format!("/discussions/{LC}/threads/{tid}");
    let post = format!("id=\"post-{held}\"");
    for _ in 0..2 {
        let n = thread_page(&s, &new, &path).await;
        assert!(n.contains(&post) && n.contains("Lima does, since 2019."));
        assert!(n.contains("Awaiting approval: only you and the moderators see it."));
        let o = thread_page(&s, &third, &path).await;
        assert!(
            !o.contains(&post) && !o.contains("Lima does"),
            "held from others"
        );
        assert!(o.contains("No replies yet."), "for them there is no reply");
    }
    // A second reply, by an established account: others see it alone.
    let t = reply(&s, &third, &tid, json!({ "body": "Quito too." })).await;
    let seen = id(last_post(&t));
    for _ in 0..2 {
        let o = thread_page(&s, &old, &path).await;
        assert!(o.contains(&format!("id=\"post-{seen}\"")) && !o.contains(&post));
        assert!(!o.contains("No replies yet."));
        let n = thread_page(&s, &new, &path).await;
        assert!(n.contains(&format!("id=\"post-{seen}\"")) && n.contains(&post));
    }
}
