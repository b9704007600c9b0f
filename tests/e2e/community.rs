//! Discussions through the API, on both databases: the seeded community
//! spaces, a course's space made on demand with threads under a lesson,
//! replies one level deep, "helpful", answers, edits with their history
//! (moderators only), deletion in place, limits, locks, the posting rate
//! limit, sanitised bodies and `rel="nofollow ugc"` for new accounts,
//! sorting and paging. The helpers serve the other `community_*` files.

use agora_tests::{Learner, TestServer};
use reqwest::Method;
use serde_json::{Value, json};

use super::{
    cohorts::{field_of, ok},
    cohorts_pages::form,
};

pub const COURSE: &str = "voluntary-local-review";
pub const SPACE: &str = "course-voluntary-local-review";
pub const LESSON: &str = "what-is-a-vlr";

/// A verified, signed-in learner with this display name.
pub async fn named(s: &TestServer, email: &str, name: &str) -> Learner {
    let l = s.learner(email).await;
    rename(s, &l, name).await;
    l
}

pub async fn rename(s: &TestServer, who: &Learner, name: &str) {
    let body = json!({ "display_name": name });
    ok(s, who, Method::PATCH, "/api/v1/me", Some(body), 200).await;
}

pub async fn enrol(s: &TestServer, who: &Learner, course: &str) {
    let (st, b) = s
        .call(who, Method::POST, &format!("/api/v1/courses/{course}/enrolment"), None)
        .await;
    assert!(st == 200 || st == 201, "{st} {b}");
}

/// Starts a thread in `space`; answers the thread.
pub async fn start(s: &TestServer, who: &Learner, space: &str, body: Value) -> Value {
    ok(
        s,
        who,
        Method::POST,
        &format!("/api/v1/discussions/spaces/{space}/threads"),
        Some(body),
        201,
    )
    .await
}

pub async fn reply(s: &TestServer, who: &Learner, thread: &str, body: Value) -> Value {
    ok(
        s,
        who,
        Method::POST,
        &format!("/api/v1/discussions/threads/{thread}/posts"),
        Some(body),
        201,
    )
    .await
}

pub fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// The last top-level post of a thread.
pub fn last_post(t: &Value) -> &Value {
    t["posts"].as_array().unwrap().last().unwrap()
}

#[tokio::test]
async fn people_discuss_a_course_with_replies_answers_history_and_limits() {
    let s = TestServer::start().await;
    let admin = s.admin("admin@agora.example").await;
    let amina = named(&s, "amina@lyon.example", "Amina Diallo").await;
    let li = named(&s, "li@nairobi.example", "Li Wei").await;
    let outsider = named(&s, "out@city.example", "Out Sider").await;
    for who in [&amina, &li] {
        enrol(&s, who, COURSE).await;
    }

    // The four community spaces are there, titled in the reader's language.
    let spaces = ok(&s, &amina, Method::GET, "/api/v1/discussions/spaces", None, 200).await;
    let titles: Vec<&str> = spaces
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title"].as_str().unwrap())
        .collect();
    for t in [
        "Localizing the SDGs",
        "Disaster risk reduction",
        "Voluntary Local Reviews",
        "Learning cities",
        "Preparing a Voluntary Local Review",
    ] {
        assert!(titles.contains(&t), "{titles:?}");
    }
    ok(&s, &outsider, Method::PATCH, "/api/v1/me", Some(json!({ "locale": "fr" })), 200).await;
    let fr = ok(&s, &outsider, Method::GET, "/api/v1/discussions/spaces", None, 200).await;
    assert!(fr.to_string().contains("Villes apprenantes"), "{fr}");
    assert!(!fr.to_string().contains(SPACE), "not enrolled: {fr}");

    // A question under a lesson, with a hostile body: sanitised, nothing live.
    let hostile = "**Why** <script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3)) [site](https://example.org)";
    let t = start(
        &s,
        &amina,
        SPACE,
        json!({ "title": "Which indicators?", "body": hostile, "question": true, "lesson": LESSON }),
    )
    .await;
    let tid = id(&t);
    let html = t["posts"][0]["body_html"].as_str().unwrap();
    assert!(html.contains("<strong>Why</strong>"), "{html}");
    for bad in ["<script", "onerror", "javascript:"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert!(html.contains("rel=\"noopener noreferrer nofollow ugc\""), "{html}");
    assert_eq!(t["lesson"], LESSON);
    assert_eq!(t["following"], true, "the asker follows");

    // Bad input names the field; outsiders cannot post; locked threads refuse.
    for (body, want) in [
        (json!({ "title": " ", "body": "x" }), (422, "title")),
        (json!({ "title": "x".repeat(201), "body": "x" }), (422, "title")),
        (json!({ "title": "T", "body": "  " }), (422, "body")),
        (json!({ "title": "T", "body": "x".repeat(20_001) }), (422, "body")),
        (json!({ "title": "T", "body": "x", "lesson": "no-such-lesson" }), (422, "lesson")),
        (json!({ "title": "T", "body": "Ask @OutSider" }), (422, "body")),
    ] {
        let (st, b) = s
            .call(&li, Method::POST, &format!("/api/v1/discussions/spaces/{SPACE}/threads"), Some(body))
            .await;
        assert_eq!((st, field_of(&b)), want, "{b}");
    }
    // On the pages, the message stands next to the field, in the reader's language.
    let long = "x".repeat(20_001);
    let (st, _, html) = form(&s, Some(&li), &format!("/discussions/{SPACE}/threads"), &[("title", "T"), ("body", &long)]).await;
    assert_eq!(st, 422);
    assert!(html.contains("id=\"body-error\">Write a message of 1 to 20,000 characters."), "the message by the field");
    let (st, _, html) = form(&s, Some(&li), &format!("/discussions/{SPACE}/threads"), &[("title", "T"), ("body", "Hi @OutSider")]).await;
    assert_eq!(st, 422);
    assert!(html.contains("@OutSider is not someone who can read this space"), "the mention refused by the field");
    let (st, _) = s
        .call(&outsider, Method::GET, &format!("/api/v1/discussions/threads/{tid}"), None)
        .await;
    assert_eq!(st, 404, "a thread of a course one is not in names nothing");

    // Li replies, Amina replies to the reply: one level deep.
    let after = reply(&s, &li, &tid, json!({ "body": "Start with SDG 11, @AminaDiallo." })).await;
    let li_post = id(last_post(&after));
    let after = reply(&s, &amina, &tid, json!({ "body": "Thanks!", "parent_id": li_post })).await;
    let nested = id(&last_post(&after)["replies"][0]);
    let after = reply(&s, &li, &tid, json!({ "body": "Also 16.", "parent_id": nested })).await;
    let top = last_post(&after);
    assert_eq!(id(top), li_post);
    assert_eq!(top["replies"].as_array().unwrap().len(), 2, "{after}");
    assert_eq!(after["reply_count"], 3);

    // Helpful: one per person, a toggle, never one's own.
    let helpful = format!("/api/v1/discussions/posts/{li_post}/helpful");
    let on = ok(&s, &amina, Method::POST, &helpful, None, 200).await;
    assert_eq!((on["helpful"].clone(), on["helpful_count"].clone()), (json!(true), json!(1)));
    let off = ok(&s, &amina, Method::POST, &helpful, None, 200).await;
    assert_eq!(off["helpful_count"], 0);
    ok(&s, &amina, Method::POST, &helpful, None, 200).await;
    let (st, _) = s.call(&li, Method::POST, &helpful, None).await;
    assert_eq!(st, 422);

    // Only the asker (or a moderator) marks the answer.
    let answer = format!("/api/v1/discussions/threads/{tid}/answer");
    let (st, _) = s.call(&li, Method::PUT, &answer, Some(json!({ "post_id": li_post }))).await;
    assert_eq!(st, 403);
    ok(&s, &amina, Method::PUT, &answer, Some(json!({ "post_id": li_post })), 204).await;
    let t = ok(&s, &li, Method::GET, &format!("/api/v1/discussions/threads/{tid}"), None, 200).await;
    assert_eq!(t["answer_post_id"], json!(li_post));
    assert_eq!(last_post(&t)["is_answer"], true);

    // Edits keep their history, which moderators alone read.
    let post = format!("/api/v1/discussions/posts/{li_post}");
    ok(&s, &li, Method::PUT, &post, Some(json!({ "body": "Start with SDG 11 and 16." })), 204).await;
    let (st, _) = s.call(&amina, Method::PUT, &post, Some(json!({ "body": "mine now" }))).await;
    assert_eq!(st, 403);
    let (st, _) = s.call(&li, Method::GET, &format!("{post}/history"), None).await;
    assert_eq!(st, 403, "history is for moderators");
    let h = ok(&s, &admin, Method::GET, &format!("{post}/history"), None, 200).await;
    assert_eq!(h[0]["body"], "Start with SDG 11, @AminaDiallo.");
    assert_eq!(h[0]["editor_name"], "Li Wei");

    // Deleting a post with replies leaves "deleted" in place; without, it goes.
    ok(&s, &li, Method::DELETE, &post, None, 204).await;
    let t = ok(&s, &amina, Method::GET, &format!("/api/v1/discussions/threads/{tid}"), None, 200).await;
    let gone = last_post(&t);
    assert_eq!((gone["deleted"].clone(), gone["body"].clone()), (json!(true), json!("")));
    assert_eq!(gone["replies"].as_array().unwrap().len(), 2);
    assert!(t["answer_post_id"].is_null(), "a deleted answer is no answer");
    ok(&s, &amina, Method::DELETE, &format!("/api/v1/discussions/posts/{nested}"), None, 204).await;
    let t = ok(&s, &amina, Method::GET, &format!("/api/v1/discussions/threads/{tid}"), None, 200).await;
    assert_eq!(last_post(&t)["replies"].as_array().unwrap().len(), 1);

    // A locked thread refuses posts, with the field named; unlocked, it takes them.
    let lock = format!("/api/v1/discussions/threads/{tid}/lock");
    ok(&s, &admin, Method::PUT, &lock, Some(json!({ "locked": true })), 204).await;
    let (st, b) = s
        .call(&li, Method::POST, &format!("/api/v1/discussions/threads/{tid}/posts"), Some(json!({ "body": "late" })))
        .await;
    assert_eq!((st, field_of(&b)), (409, "body"), "{b}");
    let (st, _, html) = form(&s, Some(&li), &format!("/discussions/{SPACE}/threads/{tid}/posts"), &[("body", "late")]).await;
    assert_eq!(st, 409);
    assert!(html.contains("This thread is locked: no one can post in it."));
    ok(&s, &admin, Method::PUT, &lock, Some(json!({ "locked": false })), 204).await;
    use agora_core::entities::audit_event;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let conn = s.conn().await;
    let actions: Vec<String> = audit_event::Entity::find()
        .filter(audit_event::Column::Action.starts_with("discussion."))
        .all(&conn)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(actions.len(), 2, "{actions:?}");

    // An established account's links are followed.
    use agora_core::entities::user;
    let old = time::OffsetDateTime::now_utc() - time::Duration::days(30);
    user::Entity::update_many()
        .col_expr(user::Column::CreatedAt, sea_orm::sea_query::Expr::value(old))
        .filter(user::Column::Email.eq("li@nairobi.example"))
        .exec(&conn)
        .await
        .unwrap();
    let t = reply(&s, &li, &tid, json!({ "body": "See [the guide](https://example.org)." })).await;
    let html = last_post(&t)["body_html"].as_str().unwrap().to_owned();
    assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
    assert!(!html.contains("nofollow"), "{html}");
}

#[tokio::test]
async fn threads_sort_page_and_posting_is_rate_limited() {
    let s = TestServer::start().await;
    let amina = named(&s, "amina@lyon.example", "Amina Diallo").await;
    let li = named(&s, "li@nairobi.example", "Li Wei").await;
    let space = "learning-cities";
    let mut ids = Vec::new();
    for n in 0..10 {
        let t = start(&s, &amina, space, json!({ "title": format!("Thread {n}"), "body": "Hello" })).await;
        ids.push(id(&t));
    }
    // The eleventh post at once is refused: posting is rate limited.
    let (st, b) = s
        .call(&amina, Method::POST, &format!("/api/v1/discussions/spaces/{space}/threads"), Some(json!({ "title": "More", "body": "x" })))
        .await;
    assert_eq!(st, 429, "{b}");
    // Li's activity on thread 2 brings it first; thread 5 is the most helpful.
    reply(&s, &li, &ids[2], json!({ "body": "Bump" })).await;
    let t5 = ok(&s, &li, Method::GET, &format!("/api/v1/discussions/threads/{}", ids[5]), None, 200).await;
    let opening = id(&t5["posts"][0]);
    ok(&s, &li, Method::POST, &format!("/api/v1/discussions/posts/{opening}/helpful"), None, 200).await;
    let list = |sort: &str, page: u64| format!("/api/v1/discussions/spaces/{space}/threads?sort={sort}&page={page}");
    let latest = ok(&s, &li, Method::GET, &list("latest", 1), None, 200).await;
    assert_eq!(latest["threads"][0]["id"], json!(ids[2]));
    assert_eq!(latest["total"], 10);
    let helpful = ok(&s, &li, Method::GET, &list("helpful", 1), None, 200).await;
    assert_eq!(helpful["threads"][0]["id"], json!(ids[5]));
    let unanswered = ok(&s, &li, Method::GET, &list("unanswered", 1), None, 200).await;
    assert_eq!(unanswered["total"], 9);
    assert!(!unanswered.to_string().contains(&ids[2]));
    let page2 = ok(&s, &li, Method::GET, &list("latest", 2), None, 200).await;
    assert_eq!((page2["threads"].as_array().unwrap().len(), page2["has_more"].clone()), (0, json!(false)));
    for bad in ["sort=oldest", "page=0", "page=x"] {
        let (st, _) = s
            .call(&li, Method::GET, &format!("/api/v1/discussions/spaces/{space}/threads?{bad}"), None)
            .await;
        assert_eq!(st, 400, "{bad}");
    }
    // Admins create community spaces; the slug is checked.
    let admin = s.admin("admin@agora.example").await;
    let body = json!({ "slug": "urban-resilience", "titles": { "en": "Urban resilience", "fr": "Résilience urbaine" } });
    let (st, _) = s.call(&li, Method::POST, "/api/v1/discussions/spaces", Some(body.clone())).await;
    assert_eq!(st, 403);
    ok(&s, &admin, Method::POST, "/api/v1/discussions/spaces", Some(body.clone()), 201).await;
    let (st, b) = s.call(&admin, Method::POST, "/api/v1/discussions/spaces", Some(body)).await;
    assert_eq!((st, field_of(&b)), (409, "slug"));
    let bad = json!({ "slug": "course-x", "titles": { "en": "X" } });
    let (st, b) = s.call(&admin, Method::POST, "/api/v1/discussions/spaces", Some(bad)).await;
    assert_eq!((st, field_of(&b)), (422, "slug"));
}
