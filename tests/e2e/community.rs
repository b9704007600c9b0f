//! Discussions through the API, on both databases: the seeded community
//! spaces, a course's space made on demand with a question under a lesson,
//! sanitised bodies and `rel="nofollow ugc"` for new accounts, limits
//! refused next to the field, replies one level deep, "helpful", answers,
//! edits with their history (moderators only), deletion in place, locks in
//! the audit log. The helpers serve the other `community_*` files.

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
pub const THREADS: &str = "/api/v1/discussions/threads";
pub const POSTS: &str = "/api/v1/discussions/posts";

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
    let path = format!("/api/v1/courses/{course}/enrolment");
    let (st, b) = s.call(who, Method::POST, &path, None).await;
    assert!(st == 200 || st == 201, "{st} {b}");
}

/// A call that must answer `status`; its body.
pub async fn want(
    s: &TestServer,
    who: &Learner,
    m: &str,
    path: &str,
    body: Value,
    status: u16,
) -> Value {
    let m: Method = m.parse().unwrap();
    let body = (!body.is_null()).then_some(body);
    ok(s, who, m, path, body, status).await
}

/// A call's status and the field its error names.
pub async fn refused(
    s: &TestServer,
    who: &Learner,
    m: &str,
    path: &str,
    body: Value,
) -> (u16, String) {
    let body = (!body.is_null()).then_some(body);
    let (st, b) = s.call(who, m.parse().unwrap(), path, body).await;
    (st, field_of(&b).to_owned())
}

pub async fn get(s: &TestServer, who: &Learner, path: &str) -> Value {
    want(s, who, "GET", path, Value::Null, 200).await
}

/// Starts a thread in `space`; answers the thread.
pub async fn start(s: &TestServer, who: &Learner, space: &str, body: Value) -> Value {
    let path = format!("/api/v1/discussions/spaces/{space}/threads");
    want(s, who, "POST", &path, body, 201).await
}

pub async fn reply(s: &TestServer, who: &Learner, thread: &str, body: Value) -> Value {
    want(
        s,
        who,
        "POST",
        &format!("{THREADS}/{thread}/posts"),
        body,
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
    let spaces = get(&s, &amina, "/api/v1/discussions/spaces")
        .await
        .to_string();
    for t in [
        "Localizing the SDGs",
        "Disaster risk reduction",
        "Voluntary Local Reviews",
        "Learning cities",
        "Preparing a Voluntary Local Review",
    ] {
        assert!(spaces.contains(&format!("\"title\":\"{t}\"")), "{spaces}");
    }
    want(
        &s,
        &outsider,
        "PATCH",
        "/api/v1/me",
        json!({ "locale": "fr" }),
        200,
    )
    .await;
    let fr = get(&s, &outsider, "/api/v1/discussions/spaces")
        .await
        .to_string();
    assert!(fr.contains("Villes apprenantes"), "{fr}");
    assert!(!fr.contains(SPACE), "not enrolled: {fr}");

    // A question under a lesson, with a hostile body: sanitised, nothing live.
    let hostile = "**Why** <script>alert(1)</script><img src=x onerror=alert(2)> \
                   [x](javascript:alert(3)) [site](https://example.org)";
    let body = json!({ "title": "Which indicators?", "body": hostile, "question": true, "lesson": LESSON });
    let t = start(&s, &amina, SPACE, body).await;
    let tid = id(&t);
    let html = t["posts"][0]["body_html"].as_str().unwrap();
    assert!(html.contains("<strong>Why</strong>"), "{html}");
    for bad in ["<script", "onerror", "javascript:"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert!(
        html.contains("rel=\"noopener noreferrer nofollow ugc\""),
        "{html}"
    );
    assert_eq!(
        (&t["lesson"], &t["following"]),
        (&json!(LESSON), &json!(true))
    );

    // Bad input names the field, through the API and next to it on the pages.
    let new = format!("/api/v1/discussions/spaces/{SPACE}/threads");
    for (body, field) in [
        (json!({ "title": " ", "body": "x" }), "title"),
        (json!({ "title": "x".repeat(201), "body": "x" }), "title"),
        (json!({ "title": "T", "body": "  " }), "body"),
        (json!({ "title": "T", "body": "x".repeat(20_001) }), "body"),
        (
            json!({ "title": "T", "body": "x", "lesson": "no-such-lesson" }),
            "lesson",
        ),
        (json!({ "title": "T", "body": "Ask @OutSider" }), "body"),
    ] {
        assert_eq!(
            refused(&s, &li, "POST", &new, body).await,
            (422, field.into())
        );
    }
    let page = format!("/discussions/{SPACE}/threads");
    let long = "x".repeat(20_001);
    let (st, _, html) = form(&s, Some(&li), &page, &[("title", "T"), ("body", &long)]).await;
    assert_eq!(st, 422);
    assert!(html.contains("id=\"body-error\">Write a message of 1 to 20,000 characters."));
    let (st, _, html) = form(
        &s,
        Some(&li),
        &page,
        &[("title", "T"), ("body", "Hi @OutSider")],
    )
    .await;
    assert_eq!(st, 422);
    assert!(html.contains("@OutSider is not someone who can read this space"));
    let (st, _) = refused(
        &s,
        &outsider,
        "GET",
        &format!("{THREADS}/{tid}"),
        Value::Null,
    )
    .await;
    assert_eq!(st, 404, "a thread of a course one is not in names nothing");

    // Li replies, Amina replies to the reply: one level deep.
    let after = reply(
        &s,
        &li,
        &tid,
        json!({ "body": "Start with SDG 11, @AminaDiallo." }),
    )
    .await;
    let li_post = id(last_post(&after));
    let after = reply(
        &s,
        &amina,
        &tid,
        json!({ "body": "Thanks!", "parent_id": li_post }),
    )
    .await;
    let nested = id(&last_post(&after)["replies"][0]);
    let after = reply(
        &s,
        &li,
        &tid,
        json!({ "body": "Also 16.", "parent_id": nested }),
    )
    .await;
    let top = last_post(&after);
    assert_eq!(id(top), li_post);
    assert_eq!(top["replies"].as_array().unwrap().len(), 2, "{after}");
    assert_eq!(after["reply_count"], 3);

    // Helpful: one per person, a toggle, never one's own.
    let helpful = format!("{POSTS}/{li_post}/helpful");
    let on = want(&s, &amina, "POST", &helpful, Value::Null, 200).await;
    assert_eq!(on, json!({ "helpful": true, "helpful_count": 1 }));
    let off = want(&s, &amina, "POST", &helpful, Value::Null, 200).await;
    assert_eq!(off["helpful_count"], 0);
    want(&s, &amina, "POST", &helpful, Value::Null, 200).await;
    assert_eq!(refused(&s, &li, "POST", &helpful, Value::Null).await.0, 422);

    // Only the asker (or a moderator) marks the answer.
    let answer = format!("{THREADS}/{tid}/answer");
    let mark = json!({ "post_id": li_post });
    assert_eq!(refused(&s, &li, "PUT", &answer, mark.clone()).await.0, 403);
    want(&s, &amina, "PUT", &answer, mark, 204).await;
    let t = get(&s, &li, &format!("{THREADS}/{tid}")).await;
    assert_eq!(t["answer_post_id"], json!(li_post));
    assert_eq!(last_post(&t)["is_answer"], true);

    // Edits keep their history, which moderators alone read.
    let post = format!("{POSTS}/{li_post}");
    let edit = json!({ "body": "Start with SDG 11 and 16." });
    want(&s, &li, "PUT", &post, edit.clone(), 204).await;
    assert_eq!(refused(&s, &amina, "PUT", &post, edit).await.0, 403);
    let history = format!("{post}/history");
    assert_eq!(refused(&s, &li, "GET", &history, Value::Null).await.0, 403);
    let h = get(&s, &admin, &history).await;
    assert_eq!(h[0]["body"], "Start with SDG 11, @AminaDiallo.");
    assert_eq!(h[0]["editor_name"], "Li Wei");

    // Deleting a post with replies leaves "deleted" in place; without, it goes.
    want(&s, &li, "DELETE", &post, Value::Null, 204).await;
    let t = get(&s, &amina, &format!("{THREADS}/{tid}")).await;
    let gone = last_post(&t);
    assert_eq!(
        (&gone["deleted"], &gone["body"]),
        (&json!(true), &json!(""))
    );
    assert_eq!(gone["replies"].as_array().unwrap().len(), 2);
    assert!(
        t["answer_post_id"].is_null(),
        "a deleted answer is no answer"
    );
    want(
        &s,
        &amina,
        "DELETE",
        &format!("{POSTS}/{nested}"),
        Value::Null,
        204,
    )
    .await;
    let t = get(&s, &amina, &format!("{THREADS}/{tid}")).await;
    assert_eq!(last_post(&t)["replies"].as_array().unwrap().len(), 1);

    // A locked thread refuses posts next to the field; each action is audited.
    let lock = format!("{THREADS}/{tid}/lock");
    want(&s, &admin, "PUT", &lock, json!({ "locked": true }), 204).await;
    let late = json!({ "body": "late" });
    let posts = format!("{THREADS}/{tid}/posts");
    assert_eq!(
        refused(&s, &li, "POST", &posts, late).await,
        (409, "body".into())
    );
    let thread_page = format!("/discussions/{SPACE}/threads/{tid}/posts");
    let (st, _, html) = form(&s, Some(&li), &thread_page, &[("body", "late")]).await;
    assert_eq!(st, 409);
    assert!(html.contains("This thread is locked: no one can post in it."));
    want(&s, &admin, "PUT", &lock, json!({ "locked": false }), 204).await;
    use agora_core::entities::{audit_event, user};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let conn = s.conn().await;
    let audited = audit_event::Entity::find()
        .filter(audit_event::Column::Action.starts_with("discussion."))
        .all(&conn)
        .await
        .unwrap();
    let actions: Vec<&str> = audited.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions.len(), 2, "{actions:?}");

    // An established account's links are followed, marked as theirs.
    let old = time::OffsetDateTime::now_utc() - time::Duration::days(30);
    user::Entity::update_many()
        .col_expr(user::Column::CreatedAt, Expr::value(old))
        .filter(user::Column::Email.eq("li@nairobi.example"))
        .exec(&conn)
        .await
        .unwrap();
    let t = reply(
        &s,
        &li,
        &tid,
        json!({ "body": "See [the guide](https://example.org)." }),
    )
    .await;
    let html = last_post(&t)["body_html"].as_str().unwrap().to_owned();
    assert!(
        html.contains("rel=\"noopener noreferrer ugc\"") && !html.contains("nofollow"),
        "{html}"
    );
}
