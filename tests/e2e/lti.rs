//! LTI 1.3 launches from an independent platform (`lti1p3platform`, see
//! `tests/lti_platform.rs`): an admin registers it on the admin page, a
//! learner lands signed in on the lesson, an instructor on the course
//! report, and the admin pages answer each role as the matrix says.

use agora_tests::{
    Learner, LtiPlatform, TempDir, TestServer,
    lti_platform::{Hop, browser, form_action, form_value},
    write_fixture_course,
};
use sea_orm::{ConnectionTrait, Statement};

pub const SLUG: &str = "fixture-course";

/// A test server with the fixture course, its admin, and the platform
/// registered through the admin page.
pub struct LtiWorld {
    pub s: TestServer,
    pub admin: Learner,
    pub platform: &'static LtiPlatform,
    _courses: TempDir,
}

impl LtiWorld {
    pub async fn new() -> LtiWorld {
        let courses = TempDir::new();
        write_fixture_course(courses.path(), SLUG);
        let s = TestServer::start_with(agora_tests::ServerOptions {
            courses_dir: Some(courses.path().to_owned()),
            ..Default::default()
        })
        .await;
        let admin = s.admin("admin@agora.test").await;
        let platform = LtiPlatform::shared();
        let mut form = platform.registration(&s);
        form.push(("csrf", admin.csrf.clone()));
        let r = browser()
            .post(s.url("/admin/lti"))
            .header("cookie", cookie_of(&admin))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "the platform is registered: {}", s.logs());
        LtiWorld {
            s,
            admin,
            platform,
            _courses: courses,
        }
    }

    /// An address of this Agora, absolute (a target link).
    pub fn target(&self, path: &str) -> String {
        self.s.url(path)
    }

    /// A launch as a browser makes it: the platform's start, Agora's login
    /// initiation (which sets the state cookie), the platform's
    /// authorization endpoint (the launch form), then the form posted to
    /// Agora. `query` is the platform's start query (user, role, scenario…).
    pub async fn launch(&self, query: &[(&str, &str)]) -> Launch {
        self.launch_from(&self.platform.base(&self.s), query).await
    }

    /// A launch from the platform at `base` (see `LtiPlatform::second_base`).
    pub async fn launch_from(&self, base: &str, query: &[(&str, &str)]) -> Launch {
        let b = browser();
        let start = Hop::of(
            b.get(format!("{base}/start"))
                .query(query)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(start.status, 302, "{}", start.body);
        let login = Hop::of(b.get(start.location.unwrap()).send().await.unwrap()).await;
        assert_eq!(login.status, 302, "login initiation: {}", login.body);
        let auth = Hop::of(b.get(login.location.clone().unwrap()).send().await.unwrap()).await;
        assert_eq!(auth.status, 200, "authorization: {}", auth.body);
        let form = vec![
            (
                "id_token".to_owned(),
                form_value(&auth.body, "id_token").unwrap(),
            ),
            ("state".to_owned(), form_value(&auth.body, "state").unwrap()),
        ];
        let action = form_action(&auth.body).unwrap();
        let state_cookie = login.cookie_header();
        let result = post_launch(&action, &form, &state_cookie).await;
        Launch {
            action,
            form,
            state_cookie,
            result,
        }
    }

    /// Rows of `table` (sessions: `auth_tokens`).
    pub async fn count(&self, table: &str) -> i64 {
        let db = self.s.conn().await;
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }
}

/// One launch: the form the platform made, the state cookie Agora set, and
/// Agora's answer to the form.
pub struct Launch {
    pub action: String,
    pub form: Vec<(String, String)>,
    pub state_cookie: String,
    pub result: Hop,
}

impl Launch {
    /// The session cookie the launch set (`agora_session=…`).
    pub fn session(&self) -> Option<String> {
        self.result
            .cookies
            .iter()
            .find(|c| c.starts_with("agora_session=") && c.len() > "agora_session=".len())
            .cloned()
    }
}

/// The session cookie pair of a signed-in account.
pub fn cookie_of(l: &Learner) -> &str {
    l.cookie.split(';').next().unwrap_or("")
}

pub async fn post_launch(action: &str, form: &[(String, String)], cookie: &str) -> Hop {
    let mut req = browser().post(action).form(form);
    if !cookie.is_empty() {
        req = req.header("cookie", cookie);
    }
    Hop::of(req.send().await.unwrap()).await
}

pub async fn get_with(s: &TestServer, path: &str, cookie: &str) -> Hop {
    Hop::of(
        browser()
            .get(s.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_learner_launch_lands_signed_in_on_the_lesson_and_matches_by_subject() {
    let w = LtiWorld::new().await;
    // The admin page shows what to enter in the LMS.
    let page = get_with(&w.s, "/admin/lti", cookie_of(&w.admin)).await;
    assert_eq!(page.status, 200);
    for id in [
        "lti-login-url",
        "lti-launch-url",
        "lti-jwks-url",
        "lti-deep-linking-url",
    ] {
        assert!(page.body.contains(id), "{id}");
    }
    assert!(page.body.contains(&w.s.url("/lti/login")));
    let (status, jwks) = w.s.get_json("/lti/jwks").await;
    assert_eq!(status, 200);
    assert_eq!(jwks["keys"][0]["alg"], "RS256");
    assert_eq!(jwks["keys"][0]["kty"], "RSA");

    // Someone already has the address the LMS sends: never matched by email.
    w.s.register("ada@city.gov").await;
    let target = w.target(&format!("/courses/{SLUG}/lessons/intro"));
    let query = [
        ("target", target.as_str()),
        ("user", "lms-user-1"),
        ("role", "learner"),
        ("email", "ada@city.gov"),
    ];
    let l = w.launch(&query).await;
    assert_eq!(l.result.status, 303, "{}", l.result.body);
    assert_eq!(
        l.result.location.as_deref(),
        Some(format!("/courses/{SLUG}/lessons/intro").as_str())
    );
    let session = l.session().expect("a session cookie");
    let lesson = get_with(&w.s, &format!("/courses/{SLUG}/lessons/intro"), &session).await;
    assert_eq!(lesson.status, 200);
    assert!(lesson.body.contains("action=\"/sign-out\""), "signed in");
    let me = browser()
        .get(w.s.url("/api/v1/me"))
        .bearer_auth(session.trim_start_matches("agora_session="))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(me["display_name"], "Ada Lovelace", "{me}");
    assert_ne!(me["email"], "ada@city.gov", "{me}");

    // The same subject again is the same account; a new one, another.
    w.launch(&query).await;
    let other = [
        ("target", target.as_str()),
        ("user", "lms-user-2"),
        ("role", "learner"),
    ];
    w.launch(&other).await;
    assert_eq!(w.count("lti_accounts").await, 2);
}

#[tokio::test]
async fn an_instructor_launch_lands_on_the_course_report() {
    let w = LtiWorld::new().await;
    let target = w.target(&format!("/courses/{SLUG}"));
    let l = w
        .launch(&[
            ("target", &target),
            ("user", "teacher-1"),
            ("role", "instructor"),
        ])
        .await;
    assert_eq!(l.result.status, 303, "{}", l.result.body);
    let to = format!("/courses/{SLUG}/report");
    assert_eq!(l.result.location.as_deref(), Some(to.as_str()));
    let report = get_with(&w.s, &to, &l.session().unwrap()).await;
    assert_eq!(report.status, 200, "the facilitator view");
    // A learner of the same LMS may not read it.
    let learner = w
        .launch(&[
            ("target", &target),
            ("user", "pupil-1"),
            ("role", "learner"),
        ])
        .await;
    let refused = get_with(&w.s, &to, &learner.session().unwrap()).await;
    assert_eq!(refused.status, 403);
}

#[tokio::test]
async fn lti_admin_pages_answer_each_role_as_the_matrix_says() {
    let w = LtiWorld::new().await;
    let learner = w.s.learner("learner@city.gov").await;
    let platforms = w.s.get_json("/lti/jwks").await.0;
    assert_eq!(platforms, 200, "the keys are public");
    let id = {
        let db = w.s.conn().await;
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT id FROM lti_platforms".to_owned(),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<uuid::Uuid>("", "id").unwrap()
    };
    // (path, is a form post) -> anonymous, learner, admin
    let cases = [
        ("/admin/lti".to_owned(), false, [303, 403, 200]),
        (format!("/admin/lti/{id}"), false, [303, 403, 200]),
        ("/admin/lti".to_owned(), true, [303, 403, 422]),
        (format!("/admin/lti/{id}"), true, [303, 403, 422]),
        (
            format!("/admin/lti/{}/deletion", uuid::Uuid::nil()),
            true,
            [303, 403, 404],
        ),
        ("/lti/deep-link?token=x".to_owned(), false, [400, 400, 400]),
    ];
    for (path, post, expected) in cases {
        let who: [Option<(&str, &str)>; 3] = [
            None,
            Some((cookie_of(&learner), &learner.csrf)),
            Some((cookie_of(&w.admin), &w.admin.csrf)),
        ];
        for (i, caller) in who.iter().enumerate() {
            let mut req = if post {
                let csrf = caller.map(|c| c.1).unwrap_or("");
                browser()
                    .post(w.s.url(&path))
                    .form(&[("csrf", csrf), ("name", "")])
            } else {
                browser().get(w.s.url(&path))
            };
            if let Some((cookie, _)) = caller {
                req = req.header("cookie", *cookie);
            }
            let status = req.send().await.unwrap().status().as_u16();
            assert_eq!(status, expected[i], "{path} post={post} as caller {i}");
        }
    }
    // The JSON API: 401 signed out, 403 for anyone but an admin.
    let api = format!("/api/v1/admin/lti/platforms/{id}");
    for (path, expected) in [
        ("/api/v1/admin/lti/platforms", [401, 403, 200]),
        (api.as_str(), [401, 403, 200]),
    ] {
        for (i, who) in [None, Some(&learner), Some(&w.admin)].iter().enumerate() {
            let mut req = browser().get(w.s.url(path));
            if let Some(l) = who {
                req = req.bearer_auth(&l.token);
            }
            let status = req.send().await.unwrap().status().as_u16();
            assert_eq!(status, expected[i], "{path} as caller {i}");
        }
    }
    let (status, one) = w.s.call(&w.admin, reqwest::Method::GET, &api, None).await;
    assert_eq!(status, 200);
    assert_eq!(one["client_id"], "agora-client");
    assert_eq!(one["tool"]["launch_url"], w.s.url("/lti/launch"));
    let mut body = serde_json::json!({
        "name": "Second LMS", "issuer": "https://moodle.example", "client_id": "c2",
        "deployment_ids": ["1"], "auth_endpoint": "https://moodle.example/mod/lti/auth.php",
        "jwks_url": "https://moodle.example/mod/lti/certs.php",
        "token_endpoint": "https://moodle.example/mod/lti/token.php",
    });
    let created =
        w.s.call(
            &w.admin,
            reqwest::Method::POST,
            "/api/v1/admin/lti/platforms",
            Some(body.clone()),
        )
        .await;
    assert_eq!(created.0, 201, "{}", created.1);
    let again =
        w.s.call(
            &w.admin,
            reqwest::Method::POST,
            "/api/v1/admin/lti/platforms",
            Some(body.clone()),
        )
        .await;
    assert_eq!(again.0, 409, "the same issuer and client id: {}", again.1);
    body["jwks_url"] = "not a url".into();
    let bad =
        w.s.call(
            &w.admin,
            reqwest::Method::POST,
            "/api/v1/admin/lti/platforms",
            Some(body),
        )
        .await;
    assert_eq!(
        (bad.0, bad.1["field"].as_str()),
        (422, Some("jwks_url")),
        "{}",
        bad.1
    );
}
