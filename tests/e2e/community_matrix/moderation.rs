//! Every moderation endpoint and page, as each role: signed out, a
//! learner, another cohort's member, a moderator of another space (named
//! for "disaster-risk-reduction"), the moderator (the cohort's facilitator,
//! named for "learning-cities" too), the author of the posts, and an admin.

use agora_tests::Learner;
use reqwest::Method;
use serde_json::json;

use super::super::{
    cohorts::{cohorts_world, ok},
    cohorts_pages::{form, page},
    cohorts_sessions::two_cohorts,
    community::{COURSE, enrol, id, last_post, reply, start},
    community_moderation::{established, name_moderator},
};
use super::{Row, answers};

const ROLES: [&str; 7] = [
    "anonymous",
    "learner",
    "other cohort's member",
    "moderator of another space",
    "moderator",
    "author",
    "admin",
];

#[tokio::test]
async fn every_moderation_endpoint_and_page_answers_each_role_as_the_matrix_says() {
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
    let author = &w.lyon_member;
    let elsewhere = s.learner("elsewhere@agora.example").await;
    established(s, &[author]).await;
    name_moderator(s, &w.admin, "learning-cities", &c.facilitator).await;
    name_moderator(s, &w.admin, "disaster-risk-reduction", &elsewhere).await;
    let people: [Option<&Learner>; 7] = [
        None,
        Some(&w.learner),
        Some(&w.nairobi_admin),
        Some(&elsewhere),
        Some(&c.facilitator),
        Some(author),
        Some(&w.admin),
    ];
    let lc = start(
        s,
        author,
        "learning-cities",
        json!({ "title": "Festival", "body": "Ideas?" }),
    )
    .await;
    let (ltid, lopening) = (id(&lc), id(&lc["posts"][0]));
    let lreply = id(last_post(
        &reply(s, author, &ltid, json!({ "body": "Music" })).await,
    ));
    let co = start(
        s,
        author,
        "cohort-vlr-a",
        json!({ "title": "Census", "body": "Which?" }),
    )
    .await;
    let (ctid, copening) = (id(&co), id(&co["posts"][0]));
    let author_id = ok(s, author, Method::GET, "/api/v1/me", None, 200).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let posts = "/api/v1/discussions/posts";
    let lcs = "/api/v1/discussions/spaces/learning-cities";
    let queue = "/api/v1/discussions/moderation/queue";
    let past = json!({ "user_id": author_id, "space": "learning-cities", "until": "2020-01-01T00:00:00Z", "reason": "x" });
    let admins = |ok: u16| [401, 403, 403, 403, 403, 403, ok];
    let rows: Vec<Row> = vec![
        (
            Method::POST,
            format!("{posts}/{lopening}/reports"),
            Some(json!({ "reason": "spam" })),
            [401, 201, 201, 201, 201, 422, 201],
        ),
        (
            Method::POST,
            format!("{posts}/{copening}/reports"),
            Some(json!({ "reason": "spam" })),
            [401, 404, 404, 404, 201, 422, 201],
        ),
        (
            Method::GET,
            queue.into(),
            None,
            [401, 403, 403, 200, 200, 403, 200],
        ),
        (
            Method::GET,
            format!("{queue}?space=learning-cities"),
            None,
            [401, 403, 403, 403, 200, 403, 200],
        ),
        (
            Method::GET,
            format!("{queue}?space=cohort-vlr-a"),
            None,
            [401, 404, 404, 404, 200, 403, 200],
        ),
        (
            Method::POST,
            format!("{posts}/{lopening}/dismissal"),
            None,
            [401, 403, 403, 403, 204, 403, 404],
        ),
        (
            Method::PUT,
            format!("{posts}/{copening}/approval"),
            Some(json!({ "approved": true })),
            [401, 404, 404, 404, 404, 403, 404],
        ),
        (
            Method::PUT,
            format!("/api/v1/discussions/threads/{ltid}/space"),
            Some(json!({ "space": "no-such-space" })),
            [401, 403, 403, 403, 422, 403, 422],
        ),
        (
            Method::PUT,
            format!("/api/v1/discussions/threads/{ctid}/space"),
            Some(json!({ "space": "learning-cities" })),
            [401, 404, 404, 404, 422, 403, 422],
        ),
        (
            Method::GET,
            format!("{lcs}/moderation-log"),
            None,
            [401, 403, 403, 403, 200, 403, 200],
        ),
        (
            Method::GET,
            "/api/v1/discussions/spaces/cohort-vlr-a/moderation-log".into(),
            None,
            [401, 404, 404, 404, 200, 403, 200],
        ),
        (
            Method::GET,
            format!("{lcs}/suspensions"),
            None,
            [401, 403, 403, 403, 200, 403, 200],
        ),
        (
            Method::POST,
            "/api/v1/discussions/suspensions".into(),
            Some(past),
            [401, 403, 403, 403, 422, 403, 422],
        ),
        (
            Method::DELETE,
            format!("/api/v1/discussions/suspensions/{}", uuid::Uuid::new_v4()),
            None,
            [401, 404, 404, 404, 404, 404, 404],
        ),
        (Method::GET, format!("{lcs}/moderators"), None, admins(200)),
        (
            Method::POST,
            format!("{lcs}/moderators"),
            Some(json!({ "email": "nobody@x.example" })),
            admins(422),
        ),
        (
            Method::POST,
            "/api/v1/discussions/spaces/cohort-vlr-a/moderators".into(),
            Some(json!({ "email": "elsewhere@agora.example" })),
            admins(422),
        ),
        (
            Method::DELETE,
            format!("{lcs}/moderators?email=nobody@x.example"),
            None,
            admins(422),
        ),
        (Method::GET, format!("{lcs}/settings"), None, admins(200)),
        (
            Method::PUT,
            format!("{lcs}/settings"),
            Some(json!({ "slug": "course-x", "titles": { "en": "X" } })),
            admins(422),
        ),
    ];
    answers(s, &people, &ROLES, &rows).await;

    // The pages, and their forms (with the reader's CSRF token).
    let lthread = format!("/discussions/learning-cities/threads/{ltid}");
    let cthread = format!("/discussions/cohort-vlr-a/threads/{ctid}");
    let pages: Vec<(String, [u16; 7])> = vec![
        ("/moderation".into(), [303, 403, 403, 200, 200, 403, 200]),
        (
            "/moderation?space=learning-cities".into(),
            [303, 403, 403, 403, 200, 403, 200],
        ),
        (
            "/discussions/learning-cities/moderation".into(),
            [303, 403, 403, 403, 200, 403, 200],
        ),
        (
            "/discussions/cohort-vlr-a/moderation".into(),
            [303, 404, 404, 404, 200, 403, 200],
        ),
        (
            "/admin/discussions/spaces/new".into(),
            [303, 403, 403, 403, 403, 403, 200],
        ),
        (
            "/admin/discussions/spaces/learning-cities".into(),
            [303, 403, 403, 403, 403, 403, 200],
        ),
    ];
    for (path, want) in &pages {
        for (n, who) in people.iter().enumerate() {
            let (status, html) = page(s, *who, path).await;
            assert_eq!(status, want[n], "GET {path} as {}", ROLES[n]);
            if status == 200 && n == 3 {
                assert!(
                    !html.contains("Festival"),
                    "{path} shows another space's post"
                );
            }
        }
    }
    type Form<'a> = (String, Vec<(&'a str, &'a str)>, [u16; 7]);
    let forms: Vec<Form> = vec![
        (
            format!("{lthread}/reports"),
            vec![("post", &lreply), ("reason", "spam"), ("note", "Off")],
            [303, 303, 303, 303, 303, 422, 303],
        ),
        (
            format!("{cthread}/reports"),
            vec![("post", &copening), ("reason", "bogus")],
            [303, 404, 404, 404, 422, 422, 422],
        ),
        (
            format!("{lthread}/move"),
            vec![("to", "no-such-space")],
            [303, 403, 403, 403, 422, 403, 422],
        ),
        (
            "/moderation/actions".into(),
            vec![("action", "dismiss"), ("post", &lreply)],
            [303, 403, 403, 403, 303, 403, 404],
        ),
        (
            "/moderation/actions".into(),
            vec![("action", "nonsense"), ("post", &lreply)],
            [303, 400, 400, 400, 400, 400, 400],
        ),
        (
            "/moderation/suspensions".into(),
            vec![
                ("user", &author_id),
                ("post", &lopening),
                ("thread_space", "learning-cities"),
                ("until", "yesterday"),
                ("reason", "x"),
            ],
            [303, 403, 403, 403, 422, 403, 422],
        ),
        (
            "/discussions/learning-cities/moderation/lift".into(),
            vec![("suspension", "5f0c8f6e-6d0a-4d43-9a55-2d0d3a4a0001")],
            [303, 404, 404, 404, 404, 404, 404],
        ),
        (
            "/discussions/learning-cities/moderators".into(),
            vec![("email", "nobody@x.example"), ("on", "1")],
            [303, 403, 403, 403, 403, 403, 422],
        ),
        (
            "/admin/discussions/spaces".into(),
            vec![("slug", "course-x"), ("title_en", "X")],
            [303, 403, 403, 403, 403, 403, 422],
        ),
        (
            "/admin/discussions/spaces/learning-cities".into(),
            vec![("slug", ""), ("title_en", "X")],
            [303, 403, 403, 403, 403, 403, 422],
        ),
    ];
    for (path, fields, want) in &forms {
        for (n, who) in people.iter().enumerate() {
            let (status, _, _) = form(s, *who, path, fields).await;
            assert_eq!(status, want[n], "POST {path} as {}", ROLES[n]);
        }
    }
}
