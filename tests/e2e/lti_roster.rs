//! LTI Names and Role Provisioning Services against the independent
//! platform (`lti1p3platform`): the launch carries the roster claim, the
//! instructor opens the roster from the course report, and Agora fetches
//! it from the harness's membership endpoint (an access token for the
//! roster scope, two pages followed by `Link: rel="next"`), showing who
//! has started. A platform down or refusing is a clear answer, never a
//! 500; the page and the API answer each caller as the matrix says.

use agora_tests::lti_platform::browser;
use serde_json::{Value, json};

use super::lti::{Launch, LtiWorld, SLUG, cookie_of, get_with};

const ROSTER_SCOPE: &str =
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";

/// Four members, two a page: the instructor, a learner who will start, one
/// who never launches, and one the LMS marks inactive.
fn roster() -> Value {
    json!({"page_size": 2, "members": [
        {"user_id": "teacher-1", "name": "Grace Teacher", "role": "Instructor"},
        {"user_id": "lms-learner-1", "name": "Ada Starter", "role": "Learner"},
        {"user_id": "lms-learner-2", "name": "Bob Absent", "role": "Learner"},
        {"user_id": "lms-learner-3", "name": "Cy Gone", "role": "Learner", "status": "Inactive"},
    ]})
}

fn token_of(l: &Launch) -> String {
    l.session()
        .unwrap()
        .trim_start_matches("agora_session=")
        .to_owned()
}

async fn api(w: &LtiWorld, token: Option<&str>, path: &str) -> (u16, Value) {
    let mut r = browser().get(w.s.url(path));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// An instructor's launch into the course from `context`, and the roster
/// id the course report links to.
async fn instructor(w: &LtiWorld, base: &str, context: &str, nrps: &str) -> (Launch, String) {
    let target = w.target(&format!("/courses/{SLUG}"));
    let l = w
        .launch_from(
            base,
            &[
                ("target", target.as_str()),
                ("user", "teacher-1"),
                ("role", "instructor"),
                ("name", "Grace Teacher"),
                ("context", context),
                ("nrps", nrps),
            ],
        )
        .await;
    assert_eq!(l.result.status, 303, "{}", l.result.body);
    assert_eq!(
        l.result.location.as_deref(),
        Some(format!("/courses/{SLUG}/report").as_str())
    );
    let report = get_with(
        &w.s,
        &format!("/courses/{SLUG}/report"),
        &l.session().unwrap(),
    )
    .await;
    assert_eq!(report.status, 200);
    // The report links to the roster of each context the reader teaches;
    // the newest first.
    let id = report
        .body
        .split("data-roster=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a roster link on the course report")
        .to_owned();
    assert!(
        report
            .body
            .contains(&format!("href=\"/lti/contexts/{id}/roster\""))
    );
    (l, id)
}

/// The row of `name` in the roster page.
fn row<'a>(page: &'a str, name: &str) -> &'a str {
    let at = page
        .find(&format!(">{name}</th>"))
        .unwrap_or_else(|| panic!("{name} in {page}"));
    let start = page[..at].rfind("<tr").unwrap();
    let end = at + page[at..].find("</tr>").unwrap();
    &page[start..end]
}

#[tokio::test]
async fn the_instructor_sees_who_of_the_lms_roster_has_started() {
    let w = LtiWorld::new().await;
    w.platform.set_roster(&w.s, &roster()).await;
    // A learner launches from the LMS and completes a lesson.
    let target = w.target(&format!("/courses/{SLUG}"));
    let learner = w
        .launch(&[
            ("target", target.as_str()),
            ("user", "lms-learner-1"),
            ("role", "learner"),
            ("name", "Ada Starter"),
        ])
        .await;
    assert_eq!(learner.result.status, 303, "{}", learner.result.body);
    let r = browser()
        .post(w.s.url(&format!("/api/v1/courses/{SLUG}/lessons/intro/completion")))
        .bearer_auth(token_of(&learner))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let (teacher, id) = instructor(&w, &w.platform.base(&w.s), "context-1", "on").await;
    let path = format!("/lti/contexts/{id}/roster");
    let page = get_with(&w.s, &path, &teacher.session().unwrap()).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Civic course"), "the context's title");
    assert!(page.body.contains("Test LMS"), "the platform's name");
    let ada = row(&page.body, "Ada Starter");
    assert!(ada.contains("data-standing=\"started\""), "{ada}");
    assert!(ada.contains("33"), "one lesson of three: {ada}");
    assert!(ada.contains("Learner") && ada.contains("Active"), "{ada}");
    let bob = row(&page.body, "Bob Absent");
    assert!(bob.contains("data-standing=\"not_launched\""), "{bob}");
    assert!(bob.contains("Not yet launched"), "{bob}");
    let cy = row(&page.body, "Cy Gone");
    assert!(
        cy.contains("Inactive") && cy.contains("Not yet launched"),
        "{cy}"
    );
    let grace = row(&page.body, "Grace Teacher");
    assert!(grace.contains("data-standing=\"launched\""), "{grace}");
    assert!(grace.contains("Instructor"), "{grace}");
    // Both pages were fetched, with a token for the roster scope.
    let got = w.platform.received(&w.s).await;
    let pages: Vec<i64> = got["roster_pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["page"].as_i64().unwrap())
        .collect();
    assert_eq!(pages, [1, 2], "{got}");

    // The JSON API: the same roster, the same matching.
    let (status, body) = api(&w, Some(&token_of(&teacher)), &format!("/api/v1{path}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["pages"], 2);
    assert_eq!(body["truncated"], false);
    assert_eq!(body["context_id"], "context-1");
    assert_eq!(body["courses"][0]["slug"], SLUG);
    let members = body["members"].as_array().unwrap();
    assert_eq!(members.len(), 4, "{body}");
    let of = |id: &str| {
        members
            .iter()
            .find(|m| m["lms_user_id"] == id)
            .unwrap()
            .clone()
    };
    let ada = of("lms-learner-1");
    assert_eq!(ada["standing"], "started");
    assert_eq!(ada["roles"], json!(["Learner"]));
    assert_eq!(ada["courses"][0]["started"], true);
    assert_eq!(ada["courses"][0]["progress_percent"], 33);
    assert!(ada["courses"][0]["last_activity_at"].is_string());
    assert_eq!(of("lms-learner-2")["standing"], "not_launched");
    assert_eq!(of("lms-learner-2")["courses"], json!([]));
    assert_eq!(of("lms-learner-3")["status"], "inactive");
    assert_eq!(of("teacher-1")["standing"], "launched");
    // One token served both calls: it is kept until shortly before it expires.
    let got = w.platform.received(&w.s).await;
    let roster_tokens = got["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["scope"] == ROSTER_SCOPE)
        .count();
    assert_eq!(roster_tokens, 1, "{got}");
    assert_eq!(got["roster_pages"].as_array().unwrap().len(), 4);

    // The learner of the same LMS course may not see it.
    let refused = get_with(&w.s, &path, &learner.session().unwrap()).await;
    assert_eq!(refused.status, 403);
    let (status, err) = api(&w, Some(&token_of(&learner)), &format!("/api/v1{path}")).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (403, Some("forbidden")),
        "{err}"
    );
    // An admin may.
    let admin = get_with(&w.s, &path, cookie_of(&w.admin)).await;
    assert_eq!(admin.status, 200);
    assert!(admin.body.contains("Ada Starter"));
    assert!(
        !w.s.logs().contains(&token_of(&teacher)),
        "no session in the logs"
    );
}

#[tokio::test]
async fn a_platform_down_or_refusing_is_a_clear_answer_never_a_500() {
    let w = LtiWorld::new().await;
    w.platform.set_roster(&w.s, &roster()).await;
    let base = w.platform.base(&w.s);
    // (context, the launch's nrps hint, page status, failure, API status, API code)
    let cases = [
        (
            "context-down",
            "down",
            503,
            "unreachable",
            503,
            "lms_unreachable",
        ),
        (
            "context-refused",
            "refused",
            503,
            "refused",
            503,
            "lms_refused",
        ),
        (
            "context-off",
            "off",
            200,
            "not-offered",
            409,
            "roster_not_offered",
        ),
    ];
    for (context, nrps, page_status, failure, api_status, code) in cases {
        let (teacher, id) = instructor(&w, &base, context, nrps).await;
        let path = format!("/lti/contexts/{id}/roster");
        let page = get_with(&w.s, &path, &teacher.session().unwrap()).await;
        assert_eq!(page.status, page_status, "{context}: {}", page.body);
        assert!(
            page.body.contains(&format!("data-failure=\"{failure}\"")),
            "{context}: {}",
            page.body
        );
        assert!(page.body.contains("role=\"alert\""));
        let (status, err) = api(&w, Some(&token_of(&teacher)), &format!("/api/v1{path}")).await;
        assert_eq!(status, api_status, "{context}: {err}");
        assert_eq!(err["code"], code, "{err}");
        assert!(
            err["message"].as_str().is_some_and(|m| m.contains("LMS")),
            "{err}"
        );
    }
    // Nothing of the roster's addresses' tokens reached the logs.
    assert!(!w.s.logs().contains("Bearer "));
}

#[tokio::test]
async fn the_roster_answers_each_caller_as_the_matrix_says() {
    let w = LtiWorld::new().await;
    w.platform.set_roster(&w.s, &roster()).await;
    // A second LMS, registered by the admin, with its own instructor.
    let second = w.platform.second_base(&w.s);
    let mut form = w.platform.registration_at(&second);
    form.retain(|(k, _)| *k != "name");
    form.push(("name", "Second LMS".into()));
    form.push(("csrf", w.admin.csrf.clone()));
    let r = browser()
        .post(w.s.url("/admin/lti"))
        .header("cookie", cookie_of(&w.admin))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (other, other_id) = instructor(&w, &second, "context-1", "on").await;
    let (teacher, id) = instructor(&w, &w.platform.base(&w.s), "context-1", "on").await;
    assert_ne!(id, other_id, "one context per platform");
    let target = w.target(&format!("/courses/{SLUG}"));
    let lms_learner = w
        .launch(&[("target", target.as_str()), ("user", "lms-learner-1")])
        .await;
    let agora_learner = w.s.learner("someone@city.gov").await;

    let path = format!("/lti/contexts/{id}/roster");
    let nobody = format!("/lti/contexts/{}/roster", uuid::Uuid::new_v4());
    // anonymous, Agora learner, LMS learner, another LMS's instructor,
    // the context's instructor, admin
    let cookies: [Option<String>; 6] = [
        None,
        Some(cookie_of(&agora_learner).to_owned()),
        lms_learner.session(),
        other.session(),
        teacher.session(),
        Some(cookie_of(&w.admin).to_owned()),
    ];
    let tokens: [Option<String>; 6] = [
        None,
        Some(agora_learner.token.clone()),
        Some(token_of(&lms_learner)),
        Some(token_of(&other)),
        Some(token_of(&teacher)),
        Some(w.admin.token.clone()),
    ];
    let rows: [(&str, [u16; 6], [u16; 6]); 3] = [
        (
            &path,
            [303, 403, 403, 403, 200, 200],
            [401, 403, 403, 403, 200, 200],
        ),
        (
            &nobody,
            [303, 404, 404, 404, 404, 404],
            [401, 404, 404, 404, 404, 404],
        ),
        (
            "/lti/contexts/not-a-uuid/roster",
            [303, 404, 404, 404, 404, 404],
            [401, 400, 400, 400, 400, 400],
        ),
    ];
    for (p, pages, apis) in rows {
        for i in 0..6 {
            let mut req = browser().get(w.s.url(p));
            if let Some(c) = &cookies[i] {
                req = req.header("cookie", c);
            }
            let status = req.send().await.unwrap().status().as_u16();
            assert_eq!(status, pages[i], "page {p} as caller {i}");
            let (status, body) = api(&w, tokens[i].as_deref(), &format!("/api/v1{p}")).await;
            assert_eq!(status, apis[i], "API {p} as caller {i}: {body}");
            if status != 200 {
                assert!(
                    body["code"].is_string() && body["message"].is_string(),
                    "{body}"
                );
            }
        }
    }
    // The other LMS's instructor reads their own context's roster.
    let own = get_with(
        &w.s,
        &format!("/lti/contexts/{other_id}/roster"),
        &other.session().unwrap(),
    )
    .await;
    assert_eq!(own.status, 200, "{}", own.body);
}
