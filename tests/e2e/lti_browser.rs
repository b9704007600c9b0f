//! LTI launches in Chromium, from the independent platform's pages: a
//! learner lands on the lesson, an instructor picks content and the signed
//! answer goes back to the platform by itself, a forged launch shows its
//! page; axe-core checks each page Agora shows.

use std::time::{Duration, Instant};

use agora_tests::{
    PASSWORD,
    browser::{Browser, axe_source, look},
};

use super::lti::{LtiWorld, SLUG};

/// Waits until the browser's address contains `part` (the launch goes
/// through redirects and a form the platform posts by script).
async fn wait_for_url(b: &Browser, part: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let url = b.url().await;
        if url.contains(part) {
            return url;
        }
        assert!(Instant::now() < deadline, "never reached {part}; at {url}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn launches_in_chromium_land_signed_in_and_deep_linking_answers_the_platform() {
    let w = LtiWorld::new().await;
    let base = w.platform.base(&w.s);
    let axe = axe_source();
    let b = Browser::start(true, "en").await;
    let start = |q: &str| format!("{base}/start?{q}");

    let lesson = w.target(&format!("/courses/{SLUG}/lessons/intro"));
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("target", &lesson)
        .append_pair("user", "browser-learner")
        .finish();
    b.goto(&start(&q)).await;
    wait_for_url(&b, &format!("/courses/{SLUG}/lessons/intro")).await;
    assert!(
        b.try_find("form[action='/sign-out']").await.is_some(),
        "signed in"
    );
    look(&b, &axe, "lti-learner-lesson").await;

    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("target", &lesson)
        .append_pair("user", "forger")
        .append_pair("scenario", "bad-signature")
        .finish();
    b.goto(&start(&q)).await;
    wait_for_url(&b, "/lti/launch").await;
    assert!(b.try_find("[data-code='bad-signature']").await.is_some());
    look(&b, &axe, "lti-rejected").await;

    b.goto(&start("kind=deep&user=browser-teacher&role=instructor"))
        .await;
    wait_for_url(&b, "/lti/deep-link?token=").await;
    look(&b, &axe, "lti-picker").await;
    let choice = b.find(&format!("input[value='lesson:{SLUG}:check']")).await;
    b.click(&choice).await;
    b.click_and_wait("form[action='/lti/deep-link'] button")
        .await;
    // app.js posts the signed answer to the platform, which accepts it.
    wait_for_url(&b, "/deep-link-return").await;
    assert!(
        b.source().await.contains("ltiResourceLink"),
        "{}",
        b.source().await
    );
    let got = w.platform.received(&w.s).await;
    assert_eq!(got["deep_links"].as_array().map(Vec::len), Some(1));

    // An instructor's launch lands on the report, which links to the LMS
    // roster (fetched from the platform, no script needed).
    w.platform
        .set_roster(
            &w.s,
            &serde_json::json!({"page_size": 1, "members": [
                {"user_id": "browser-teacher", "name": "Tess Teacher", "role": "Instructor"},
                {"user_id": "browser-learner", "name": "Ada Lovelace", "role": "Learner"},
            ]}),
        )
        .await;
    let course = w.target(&format!("/courses/{SLUG}"));
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("target", &course)
        .append_pair("user", "browser-teacher")
        .append_pair("role", "instructor")
        .finish();
    b.goto(&start(&q)).await;
    wait_for_url(&b, &format!("/courses/{SLUG}/report")).await;
    b.click_and_wait("a[data-roster]").await;
    wait_for_url(&b, "/roster").await;
    assert!(b.try_find("tr[data-standing='launched']").await.is_some());
    look(&b, &axe, "lti-roster").await;

    // The admin's registration page, signed in with a password.
    let b = Browser::start(true, "en").await;
    b.goto(&w.s.url("/sign-in")).await;
    b.type_into("#email", &w.admin.email).await;
    b.type_into("#password", PASSWORD).await;
    b.submit("main form button").await;
    b.goto(&w.s.url("/admin/lti")).await;
    assert!(b.try_find("#lti-login-url").await.is_some());
    look(&b, &axe, "lti-admin").await;
}
