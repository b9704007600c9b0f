//! Every discussion endpoint and page, as each role of the authorisation
//! matrix: signed out (401, or 303 to sign in), a learner of the course,
//! another cohort's member, a member of the cohort, the author of the
//! posts, the cohort's facilitator (its moderator) and an admin. A cohort's
//! space answers "not found" to everyone outside it; a course's space
//! asks those not enrolled to enrol (403).

mod moderation;

use agora_tests::{Learner, TestServer};
use reqwest::Method;
use serde_json::{Value, json};

use super::{
    cohorts::{cohorts_world, ok},
    cohorts_pages::{form, page},
    cohorts_sessions::two_cohorts,
    community::{COURSE, SPACE, enrol, id, last_post, reply, start},
    community_images::{attach, png_of},
};

pub const ROLES: [&str; 7] = [
    "anonymous",
    "learner",
    "other cohort's member",
    "member",
    "author",
    "facilitator",
    "admin",
];

/// One API call, its method, path, body and the status for each role (0:
/// not asked).
pub type Row = (Method, String, Option<Value>, [u16; 7]);

/// Asks every row as each of `people` (`None`: signed out).
pub async fn answers(
    s: &TestServer,
    people: &[Option<&Learner>; 7],
    roles: &[&str; 7],
    rows: &[Row],
) {
    for (method, path, body, want) in rows {
        for (n, who) in people.iter().enumerate() {
            if want[n] == 0 {
                continue;
            }
            let status = match who {
                Some(who) => s.call(who, method.clone(), path, body.clone()).await.0,
                None => {
                    let mut req = s.http.request(method.clone(), s.url(path));
                    if let Some(b) = body {
                        req = req.json(b);
                    }
                    req.send().await.unwrap().status().as_u16()
                }
            };
            assert_eq!(status, want[n], "{method} {path} as {}", roles[n]);
        }
    }
}

#[tokio::test]
async fn every_discussion_endpoint_and_page_answers_each_role_as_the_matrix_says() {
    let c = cohorts_world(vec![]).await;
    let (w, s) = (&c.w, &c.w.s);
    two_cohorts(&c).await;
    ok(
        s,
        &w.lyon_admin,
        Method::POST,
        "/api/v1/cohorts/vlr-a/join",
        None,
        200,
    )
    .await;
    enrol(s, &w.learner, COURSE).await;
    let (member, author) = (&w.lyon_admin, &w.lyon_member);
    let space = "cohort-vlr-a";
    let t = start(
        s,
        author,
        space,
        json!({ "title": "Census", "body": "Which one?", "question": true }),
    )
    .await;
    let tid = id(&t);
    let opening = id(&t["posts"][0]);
    let doomed = id(last_post(
        &reply(s, author, &tid, json!({ "body": "To delete" })).await,
    ));
    reply(s, member, &tid, json!({ "body": "The 2020 one." })).await;
    let (st, img) = attach(
        s,
        author,
        &opening,
        "census.png",
        Some("The census table"),
        png_of(7),
    )
    .await;
    assert_eq!(st, 200, "{img}");
    let image = img["name"].as_str().unwrap().to_owned();

    let people: [Option<&Learner>; 7] = [
        None,
        Some(&w.learner),
        Some(&w.nairobi_admin),
        Some(member),
        Some(author),
        Some(&c.facilitator),
        Some(&w.admin),
    ];
    let th = format!("/api/v1/discussions/threads/{tid}");
    let po = format!("/api/v1/discussions/posts/{opening}");
    let sp = format!("/api/v1/discussions/spaces/{space}");
    let inside = |ok: u16| [401, 404, 404, ok, ok, ok, ok];
    let rows: Vec<Row> = vec![
        (
            Method::GET,
            "/api/v1/discussions/spaces".into(),
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        (
            Method::POST,
            "/api/v1/discussions/spaces".into(),
            Some(json!({ "slug": "course-x", "titles": { "en": "X" } })),
            [401, 403, 403, 403, 403, 403, 422],
        ),
        (Method::GET, format!("{sp}/threads"), None, inside(200)),
        (
            Method::POST,
            format!("{sp}/threads"),
            Some(json!({ "title": "", "body": "x" })),
            inside(422),
        ),
        (
            Method::PUT,
            format!("{sp}/following"),
            Some(json!({ "on": true })),
            inside(204),
        ),
        (
            Method::GET,
            format!("/api/v1/discussions/spaces/{SPACE}/threads"),
            None,
            [401, 200, 403, 403, 403, 200, 200],
        ),
        (
            Method::GET,
            "/api/v1/discussions/spaces/learning-cities/threads".into(),
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/v1/discussions/spaces/no-such-space/threads".into(),
            None,
            [401, 404, 404, 404, 404, 404, 404],
        ),
        (Method::GET, th.clone(), None, inside(200)),
        (
            Method::POST,
            format!("{th}/posts"),
            Some(json!({ "body": "" })),
            inside(422),
        ),
        (
            Method::PUT,
            format!("{th}/following"),
            Some(json!({ "on": true })),
            inside(204),
        ),
        (
            Method::PUT,
            format!("{th}/answer"),
            Some(json!({ "post_id": null })),
            [401, 404, 404, 403, 204, 204, 204],
        ),
        (
            Method::PUT,
            format!("{th}/lock"),
            Some(json!({ "locked": false })),
            [401, 404, 404, 403, 403, 204, 204],
        ),
        (
            Method::PUT,
            po.clone(),
            Some(json!({ "body": "" })),
            [401, 404, 404, 403, 422, 403, 403],
        ),
        (
            Method::POST,
            format!("{po}/helpful"),
            None,
            [401, 404, 404, 200, 422, 200, 200],
        ),
        (
            Method::GET,
            format!("{po}/history"),
            None,
            [401, 404, 404, 403, 403, 200, 200],
        ),
        (
            Method::PUT,
            format!("{po}/visibility"),
            Some(json!({ "hidden": false })),
            [401, 404, 404, 403, 403, 204, 204],
        ),
        (Method::GET, format!("{po}/images"), None, inside(200)),
        (
            Method::GET,
            format!("{po}/images/{image}"),
            None,
            inside(200),
        ),
        (
            Method::GET,
            format!("{po}/images/{}.png", "0".repeat(64)),
            None,
            inside(404),
        ),
        (
            Method::DELETE,
            format!("{po}/images/nope.png"),
            None,
            [401, 404, 404, 403, 404, 403, 403],
        ),
        (
            Method::DELETE,
            format!("/api/v1/discussions/posts/{doomed}"),
            None,
            [401, 404, 404, 403, 0, 403, 403],
        ),
        (
            Method::GET,
            "/api/v1/discussions/threads/not-an-id".into(),
            None,
            [401, 404, 404, 404, 404, 404, 404],
        ),
        (
            Method::GET,
            "/api/v1/me/notifications".into(),
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/v1/me/notifications/unread".into(),
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        (
            Method::POST,
            "/api/v1/me/notifications/read".into(),
            Some(json!({})),
            [401, 200, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/v1/me/discussion-mail".into(),
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        (
            Method::PUT,
            "/api/v1/me/discussion-mail".into(),
            Some(json!({ "mode": "daily", "direct": true })),
            [401, 200, 200, 200, 200, 200, 200],
        ),
        (
            Method::PUT,
            format!("{sp}/mail"),
            Some(json!({ "mode": "default" })),
            inside(200),
        ),
        (
            Method::PUT,
            format!("/api/v1/discussions/spaces/{SPACE}/mail"),
            Some(json!({ "mode": "weekly" })),
            [401, 200, 403, 403, 403, 200, 200],
        ),
        (
            Method::GET,
            "/api/v1/discussions/search?q=census".into(),
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/discussions/search?q=census&space={space}"),
            None,
            inside(200),
        ),
        (
            Method::GET,
            format!("/api/v1/discussions/search?q=census&space={SPACE}"),
            None,
            [401, 200, 403, 403, 403, 200, 200],
        ),
    ];
    answers(s, &people, &ROLES, &rows).await;
    // Attaching an image (a file, not JSON): its author alone; without its
    // text alternative, refused.
    for (n, who) in people.iter().enumerate() {
        let want = [401, 404, 404, 403, 422, 403, 403][n];
        let path = format!("{po}/images");
        let status = match who {
            Some(who) => attach(s, who, &opening, "x.png", None, png_of(8)).await.0,
            None => s
                .http
                .post(s.url(&path))
                .query(&[("name", "x.png")])
                .header("content-type", "application/octet-stream")
                .body(png_of(8))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        };
        assert_eq!(status, want, "POST {path} as {}", ROLES[n]);
    }
    // Search: the cohort's thread is found by its people only, and a post
    // hidden by a moderator at once by no one (before it is re-indexed).
    let search = "/api/v1/discussions/search?q=census";
    agora_tests::wait_until("the cohort's thread is indexed", || async {
        s.call(member, Method::GET, search, None).await.1["total"] == json!(1)
    })
    .await;
    for outsider in [&w.nairobi_admin, &w.learner] {
        let (_, found) = s.call(outsider, Method::GET, search, None).await;
        assert_eq!(found["total"], 0, "{found}");
    }
    let (_, found) = s.call(member, Method::GET, search, None).await;
    assert_eq!(found["hits"][0]["post_id"], json!(opening), "{found}");
    let hide = json!({ "hidden": true });
    ok(
        s,
        &c.facilitator,
        Method::PUT,
        &format!("{po}/visibility"),
        Some(hide),
        204,
    )
    .await;
    let (_, found) = s.call(member, Method::GET, search, None).await;
    assert_eq!(found["hits"], json!([]), "{found}");
    let show = json!({ "hidden": false });
    ok(
        s,
        &c.facilitator,
        Method::PUT,
        &format!("{po}/visibility"),
        Some(show),
        204,
    )
    .await;

    // The author alone deletes their post.
    ok(
        s,
        author,
        Method::DELETE,
        &format!("/api/v1/discussions/posts/{doomed}"),
        None,
        204,
    )
    .await;

    // The pages, and their forms (with the reader's CSRF token).
    let base = format!("/discussions/{space}");
    let thread = format!("{base}/threads/{tid}");
    let signed = |ok: u16| [303, ok, ok, ok, ok, ok, ok];
    let pages: Vec<(String, [u16; 7])> = vec![
        ("/discussions".into(), signed(200)),
        ("/notifications".into(), signed(200)),
        (base.clone(), [303, 404, 404, 200, 200, 200, 200]),
        (
            format!("{base}?sort=helpful&page=2"),
            [303, 404, 404, 200, 200, 200, 200],
        ),
        (format!("{base}?sort=nonsense"), signed(400)),
        (thread.clone(), [303, 404, 404, 200, 200, 200, 200]),
        (
            format!("/discussions/learning-cities/threads/{tid}"),
            [303, 404, 404, 404, 404, 404, 404],
        ),
        (
            format!("/discussions/posts/{opening}/images/{image}"),
            [303, 404, 404, 200, 200, 200, 200],
        ),
        (
            format!("/discussions/posts/{opening}/images/nope.png"),
            [303, 404, 404, 404, 404, 404, 404],
        ),
        (
            format!("{thread}/posts/{opening}/history"),
            [303, 404, 404, 403, 403, 200, 200],
        ),
        (
            format!("/discussions/{SPACE}"),
            [303, 200, 403, 403, 403, 200, 200],
        ),
        (
            format!("/courses/{COURSE}/lessons/what-is-a-vlr"),
            [303, 200, 303, 303, 303, 303, 303],
        ),
        ("/account/discussion-mail".into(), signed(200)),
        ("/discussions/search?q=census".into(), signed(200)),
        (
            format!("/discussions/search?q=census&space={space}"),
            [303, 404, 404, 200, 200, 200, 200],
        ),
        (
            "/unsubscribe/discussions?token=unsub-nope".into(),
            [404, 404, 404, 404, 404, 404, 404],
        ),
    ];
    for (path, want) in &pages {
        for (n, who) in people.iter().enumerate() {
            let (status, html) = page(s, *who, path).await;
            assert_eq!(status, want[n], "GET {path} as {}", ROLES[n]);
            if status == 200 && n == 2 {
                assert!(
                    !html.contains(space),
                    "{path} shows the private space to {}",
                    ROLES[n]
                );
            }
        }
    }
    type Form<'a> = (String, Vec<(&'a str, &'a str)>, [u16; 7]);
    let forms: Vec<Form> = vec![
        (
            format!("{base}/threads"),
            vec![("title", ""), ("body", "x")],
            [303, 404, 404, 422, 422, 422, 422],
        ),
        (
            format!("{base}/following"),
            vec![("on", "1")],
            [303, 404, 404, 303, 303, 303, 303],
        ),
        (
            format!("{thread}/posts"),
            vec![("body", "")],
            [303, 404, 404, 422, 422, 422, 422],
        ),
        (
            format!("{thread}/following"),
            vec![("on", "0")],
            [303, 404, 404, 303, 303, 303, 303],
        ),
        (
            format!("{thread}/answer"),
            vec![("post", "")],
            [303, 404, 404, 403, 303, 303, 303],
        ),
        (
            format!("{thread}/lock"),
            vec![("locked", "0")],
            [303, 404, 404, 403, 403, 303, 303],
        ),
        (
            format!("{thread}/visibility"),
            vec![("post", &opening), ("hidden", "0")],
            [303, 404, 404, 403, 403, 303, 303],
        ),
        (
            format!("{thread}/helpful"),
            vec![("post", &opening)],
            [303, 404, 404, 303, 400, 303, 303],
        ),
        (
            format!("{thread}/deletion"),
            vec![("post", &opening)],
            [303, 404, 404, 403, 0, 403, 403],
        ),
        (
            format!("{thread}/edit"),
            vec![("post", &opening), ("body", "")],
            [303, 404, 404, 403, 422, 403, 403],
        ),
        (
            format!("{thread}/images/removal"),
            vec![("post", &opening), ("name", "nope.png")],
            [303, 404, 404, 403, 404, 403, 403],
        ),
        ("/notifications/read".into(), vec![], signed(303)),
        (
            "/account/discussion-mail".into(),
            vec![("mode", "daily"), ("direct", "on")],
            signed(303),
        ),
        (
            format!("{base}/mail"),
            vec![("mode", "default")],
            [303, 404, 404, 303, 303, 303, 303],
        ),
    ];
    for (path, fields, want) in &forms {
        for (n, who) in people.iter().enumerate() {
            if want[n] == 0 {
                continue;
            }
            let (status, _, _) = form(s, *who, path, fields).await;
            assert_eq!(status, want[n], "POST {path} as {}", ROLES[n]);
        }
    }
    // A form without the reader's token is refused.
    let r = reqwest::Client::new()
        .post(s.url(&format!("{thread}/posts")))
        .header("cookie", member.cookie.split(';').next().unwrap())
        .form(&[("body", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
