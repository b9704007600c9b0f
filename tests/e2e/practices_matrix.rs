//! Every practice library endpoint and page, as each role of the
//! authorisation matrix: signed out, a learner of no organisation, a member
//! of another organisation, an administrator of the author's organisation,
//! the author, an administrator, the named moderator of a community space
//! (reviewers of the library are administrators and community spaces'
//! named moderators: `can_review_practices`), and the named moderator of a
//! course space, who does not review. A practice that is not published
//! does not exist outside its organisation and its reviewers.

use agora_tests::{Learner, SmtpSink};
use reqwest::Method;
use serde_json::{Value, json};

use super::{
    cohorts::ok,
    cohorts_pages::{form, page},
    cohorts_work::PDF,
    practices::{practice_body, practices_world, upload},
};

pub const ROLES: [&str; 8] = [
    "anonymous",
    "learner",
    "other organisation's member",
    "author's organisation admin",
    "author",
    "moderator (admin)",
    "named moderator of a community space",
    "named moderator of a course space",
];

#[tokio::test]
async fn every_practice_endpoint_and_page_answers_each_role_as_the_matrix_says() {
    let sink = SmtpSink::start();
    let w = practices_world(&sink).await;
    let s = &w.s;
    let author = &w.lyon_member;
    let mut slugs = Vec::new();
    for title in ["Published one", "Pending one", "Draft one"] {
        let r = ok(
            s,
            author,
            Method::POST,
            "/api/v1/practices",
            Some(practice_body("Lyon", title)),
            201,
        )
        .await;
        slugs.push(r["slug"].as_str().unwrap().to_owned());
    }
    let (pubd, pending, draft) = (&slugs[0], &slugs[1], &slugs[2]);
    for p in [pubd, pending] {
        ok(
            s,
            author,
            Method::POST,
            &format!("/api/v1/practices/{p}/submission"),
            None,
            200,
        )
        .await;
    }
    ok(
        s,
        &w.admin,
        Method::POST,
        &format!("/api/v1/practices/{pubd}/review"),
        Some(json!({ "decision": "publish" })),
        200,
    )
    .await;

    // Named moderators: of a community space (a reviewer), and of a
    // course space (not one).
    let community_mod = s.learner("community-mod@agora.example").await;
    let course_mod = s.learner("course-mod@agora.example").await;
    for (space, who) in [
        ("learning-cities", &community_mod),
        ("course-voluntary-local-review", &course_mod),
    ] {
        ok(
            s,
            &w.admin,
            Method::POST,
            &format!("/api/v1/discussions/spaces/{space}/moderators"),
            Some(json!({ "email": who.email })),
            204,
        )
        .await;
    }
    // The admins' moderation page of a community space says so; a course's does not.
    for (space, says) in [
        ("learning-cities", true),
        ("course-voluntary-local-review", false),
    ] {
        let (st, html) = page(
            s,
            Some(&w.admin),
            &format!("/discussions/{space}/moderation"),
        )
        .await;
        assert_eq!(st, 200);
        assert_eq!(
            html.contains("also review the practice library"),
            says,
            "{space}"
        );
    }
    let people: [Option<&Learner>; 8] = [
        None,
        Some(&w.learner),
        Some(&w.nairobi_member),
        Some(&w.lyon_admin),
        Some(author),
        Some(&w.admin),
        Some(&community_mod),
        Some(&course_mod),
    ];
    let api = |p: &str| format!("/api/v1/practices/{p}");
    let mut bad = practice_body("Lyon", "x");
    bad["country"] = json!("XX");
    let long_note = "n".repeat(2_001);
    type Row = (Method, String, Option<Value>, [u16; 8]);
    let rows: Vec<Row> = vec![
        (Method::GET, "/api/v1/practices".into(), None, [200; 8]),
        (Method::GET, api(pubd), None, [200; 8]),
        (Method::GET, api(pending), None, [404; 8]),
        (
            Method::GET,
            format!("{}/draft", api(pending)),
            None,
            [401, 404, 404, 200, 200, 200, 200, 404],
        ),
        (
            Method::PUT,
            format!("{}/draft", api(draft)),
            Some(bad.clone()),
            [401, 404, 404, 422, 422, 403, 403, 404],
        ),
        (
            Method::PUT,
            format!("{}/draft", api(pubd)),
            Some(bad.clone()),
            [401, 409, 409, 409, 409, 409, 409, 409],
        ),
        (
            Method::POST,
            format!("{}/submission", api(pending)),
            None,
            [401, 404, 404, 409, 409, 409, 409, 404],
        ),
        (
            Method::POST,
            format!("{}/submission", api(pubd)),
            None,
            [401, 409, 409, 409, 409, 409, 409, 409],
        ),
        (
            Method::POST,
            format!("{}/review", api(pending)),
            Some(json!({ "decision": "publish", "note": long_note })),
            [401, 404, 404, 403, 403, 422, 422, 404],
        ),
        (
            Method::POST,
            format!("{}/messages", api(pubd)),
            Some(json!({ "body": "" })),
            [401, 422, 422, 422, 422, 422, 422, 422],
        ),
        (
            Method::POST,
            format!("{}/messages", api(pending)),
            Some(json!({ "body": "Hi" })),
            [401, 404, 404, 404, 404, 404, 404, 404],
        ),
        (
            Method::POST,
            "/api/v1/practices".into(),
            Some(bad.clone()),
            [401, 403, 422, 422, 422, 403, 403, 403],
        ),
        (
            Method::GET,
            "/api/v1/practice-submissions".into(),
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            Method::DELETE,
            format!("{}/files/{}", api(draft), "0".repeat(64)),
            None,
            [401, 404, 404, 404, 404, 403, 403, 404],
        ),
        (
            Method::DELETE,
            format!("{}/files/{}", api(pending), "0".repeat(64)),
            None,
            [401, 404, 404, 409, 409, 409, 409, 404],
        ),
    ];
    for (method, path, body, want) in &rows {
        for (n, who) in people.iter().enumerate() {
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
            assert_eq!(status, want[n], "{method} {path} as {}", ROLES[n]);
        }
    }

    // Uploads: the practice's authors only, while it is not published.
    let files = format!("{}/files", api(draft));
    for (n, who) in people.iter().enumerate() {
        let want = [401, 404, 404, 422, 422, 403, 403, 404][n];
        let status = match who {
            Some(w) => {
                upload(s, w, &files, "x.txt", None, b"plain".to_vec())
                    .await
                    .0
            }
            None => s
                .http
                .post(s.url(&files))
                .query(&[("name", "x.pdf")])
                .body("x")
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        };
        assert_eq!(status, want, "POST {files} as {}", ROLES[n]);
    }
    let added = upload(
        s,
        author,
        &format!("{}/files", api(pubd)),
        "plan.pdf",
        None,
        PDF.to_vec(),
    )
    .await;
    assert_eq!(added.0, 409, "no file is added once published");

    // The pages, and their forms (with the reader's CSRF token).
    let web = |p: &str| format!("/practices/{p}");
    let signed = |ok: u16| [303, ok, ok, ok, ok, ok, ok, ok];
    let pages: Vec<(String, [u16; 8])> = vec![
        (
            format!("{}/files/{}.pdf", web(pubd), "0".repeat(64)),
            [404; 8],
        ),
        (
            format!("{}/files/{}.pdf", web(pending), "0".repeat(64)),
            [404; 8],
        ),
        ("/practices".into(), [200; 8]),
        ("/practices?country=FR&sdg=11".into(), [200; 8]),
        ("/practices?sdg=99".into(), [400; 8]),
        (web(pubd), [200; 8]),
        (web(pending), [404, 404, 404, 200, 200, 200, 200, 404]),
        ("/practices/new".into(), signed(200)),
        (
            format!("{}/edit", web(draft)),
            [303, 404, 404, 200, 200, 403, 403, 404],
        ),
        (
            format!("{}/edit", web(pending)),
            [303, 404, 404, 403, 403, 403, 403, 404],
        ),
        ("/practice-submissions".into(), signed(200)),
        ("/practice-messages/refusal?token=pm_x".into(), [200; 8]),
        ("/practice-messages/reveal?token=pm_x".into(), [200; 8]),
    ];
    for (path, want) in &pages {
        for (n, who) in people.iter().enumerate() {
            let (status, _) = page(s, *who, path).await;
            assert_eq!(status, want[n], "GET {path} as {}", ROLES[n]);
        }
    }
    type Post<'a> = (String, Vec<(&'a str, &'a str)>, [u16; 8]);
    let forms: Vec<Post> = vec![
        (
            format!("{}/files/deletion", web(draft)),
            vec![("sha256", "0000")],
            [303, 404, 404, 404, 404, 403, 403, 404],
        ),
        (
            "/practices".into(),
            vec![("city", "")],
            [303, 403, 422, 422, 422, 403, 403, 403],
        ),
        (
            format!("{}/edit", web(draft)),
            vec![("locale", "en"), ("city", "")],
            [303, 404, 404, 422, 422, 403, 403, 404],
        ),
        (
            format!("{}/submission", web(pending)),
            vec![],
            [303, 404, 404, 409, 409, 409, 409, 404],
        ),
        (
            format!("{}/review", web(pending)),
            vec![("decision", "publish"), ("note", &long_note)],
            [303, 404, 404, 403, 403, 422, 422, 404],
        ),
        (
            format!("{}/messages", web(pubd)),
            vec![("body", "")],
            [303, 422, 422, 422, 422, 422, 422, 422],
        ),
        (
            format!("{}/messages", web(pending)),
            vec![("body", "Hi")],
            [303, 404, 404, 404, 404, 404, 404, 404],
        ),
        (
            "/practice-messages/refusal".into(),
            vec![("token", "pm_x")],
            [404; 8],
        ),
        (
            "/practice-messages/reveal".into(),
            vec![("token", "pm_x")],
            [404; 8],
        ),
    ];
    for (path, fields, want) in &forms {
        for (n, who) in people.iter().enumerate() {
            let (status, _, _) = form(s, *who, path, fields).await;
            assert_eq!(status, want[n], "POST {path} as {}", ROLES[n]);
        }
    }
    // A form without the reader's token is refused.
    let r = reqwest::Client::new()
        .post(s.url(&format!("{}/messages", web(pubd))))
        .header("cookie", w.learner.cookie.split(';').next().unwrap())
        .form(&[("body", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
