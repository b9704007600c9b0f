//! LTI Advantage against the independent platform: a Deep Linking round
//! trip whose signed answer the platform library verifies with Agora's
//! published keys, and a quiz result posted to the launch's line item (a
//! job, with an access token from a signed client assertion) exactly once.

use agora_tests::{
    lti_platform::{Hop, browser, form_action, form_value},
    wait_until,
};
use serde_json::{Value, json};

use super::lti::{LtiWorld, SLUG, get_with};

#[tokio::test]
async fn a_deep_linking_round_trip_is_verified_by_the_platform() {
    let w = LtiWorld::new().await;
    // Learners do not choose content.
    let pupil = w
        .launch(&[("kind", "deep"), ("user", "pupil"), ("role", "learner")])
        .await;
    assert_eq!(pupil.result.status, 403, "{}", pupil.result.body);
    assert!(pupil.result.body.contains("data-code=\"not-instructor\""));
    assert!(pupil.session().is_none());

    let l = w
        .launch(&[
            ("kind", "deep"),
            ("user", "teacher"),
            ("role", "instructor"),
        ])
        .await;
    assert_eq!(l.result.status, 303, "{}", l.result.body);
    let picker_path = l.result.location.clone().unwrap();
    assert!(
        picker_path.starts_with("/lti/deep-link?token="),
        "{picker_path}"
    );
    let session = l.session().unwrap();
    let picker = get_with(&w.s, &picker_path, &session).await;
    assert_eq!(picker.status, 200, "{}", picker.body);
    let choice = format!("lesson:{SLUG}:check");
    assert!(picker.body.contains(&format!("value=\"{choice}\"")));
    assert!(picker.body.contains(&format!("value=\"course:{SLUG}\"")));
    assert!(
        picker
            .body
            .contains(&format!("value=\"module:{SLUG}:first\""))
    );

    let token = form_value(&picker.body, "token").unwrap();
    let answer = Hop::of(
        browser()
            .post(w.s.url("/lti/deep-link"))
            .header("cookie", &session)
            .form(&[("token", token.as_str()), ("choice", choice.as_str())])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let return_url = form_action(&answer.body).unwrap();
    assert_eq!(
        return_url,
        format!("{}/deep-link-return", w.platform.base(&w.s))
    );
    assert!(answer.body.contains("data-auto-submit"));
    // The page may post to the platform, and nowhere else.
    let jwt = form_value(&answer.body, "JWT").unwrap();

    // The platform library checks the signature against /lti/jwks.
    let r = browser()
        .post(&return_url)
        .form(&[("JWT", jwt.as_str())])
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, 200, "the platform accepts the answer: {body}");
    let item = &body["content_items"][0];
    assert_eq!(item["type"], "ltiResourceLink");
    assert_eq!(item["title"], "Check");
    assert_eq!(
        item["url"],
        w.target(&format!("/courses/{SLUG}/lessons/check"))
    );
    assert_eq!(item["lineItem"]["scoreMaximum"], 1);
    let got = w.platform.received(&w.s).await;
    let claims = &got["deep_links"][0]["claims"];
    assert_eq!(
        claims["https://purl.imsglobal.org/spec/lti/claim/message_type"],
        "LtiDeepLinkingResponse"
    );
    assert_eq!(
        claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"],
        "opaque-42"
    );
    assert_eq!(claims["aud"], w.platform.base(&w.s));

    // The request is used once.
    let again = browser()
        .post(w.s.url("/lti/deep-link"))
        .header("cookie", &session)
        .form(&[("token", token.as_str()), ("choice", choice.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 400);
}

#[tokio::test]
async fn a_quiz_result_reaches_the_line_item_exactly_once() {
    let w = LtiWorld::new().await;
    let target = w.target(&format!("/courses/{SLUG}/lessons/check"));
    let l = w
        .launch(&[
            ("target", target.as_str()),
            ("user", "lms-learner-7"),
            ("lineitem", "quiz-7"),
        ])
        .await;
    assert_eq!(l.result.status, 303, "{}", l.result.body);
    // The same learner also has the whole course in another column.
    let course = w.target(&format!("/courses/{SLUG}"));
    let c = w
        .launch(&[
            ("target", course.as_str()),
            ("user", "lms-learner-7"),
            ("link", "link-course"),
            ("lineitem", "course-7"),
        ])
        .await;
    assert_eq!(c.result.status, 303, "{}", c.result.body);
    let session = l.session().unwrap();
    let token = session.trim_start_matches("agora_session=");
    for key in ["intro", "sheet"] {
        let r = browser()
            .post(w.s.url(&format!("/api/v1/courses/{SLUG}/lessons/{key}/completion")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{key}");
    }
    let attempt = |answer: &'static str| {
        let url =
            w.s.url(&format!("/api/v1/courses/{SLUG}/lessons/check/attempts"));
        async move {
            browser()
                .post(url)
                .bearer_auth(token)
                .json(&json!({ "answers": { "q1": [answer], "q2": ["false"] } }))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(attempt("a").await, 200, "a failed attempt: 50");
    assert_eq!(
        attempt("b").await,
        200,
        "a passed attempt: 100, the course done"
    );
    let platform = w.platform;
    let s = &w.s;
    wait_until("the platform received the three scores", || async {
        platform.received(s).await["scores"]
            .as_array()
            .is_some_and(|a| a.len() >= 3)
    })
    .await;
    wait_until("no score job is left", || async {
        agora_core::jobs::count_kind(&s.conn().await, "lti_score")
            .await
            .unwrap()
            == 3
            && agora_core::jobs::queued_ids(&s.conn().await, "lti_score")
                .await
                .unwrap()
                .is_empty()
    })
    .await;
    let got = platform.received(s).await;
    let scores = got["scores"].as_array().unwrap();
    assert_eq!(
        scores.len(),
        3,
        "one post per attempt and completion: {got}"
    );
    let given = |lineitem: &str| {
        let mut v: Vec<f64> = scores
            .iter()
            .filter(|s| s["lineitem"] == lineitem)
            .map(|s| s["scoreGiven"].as_f64().unwrap())
            .collect();
        v.sort_by(f64::total_cmp);
        v
    };
    assert_eq!(given("quiz-7"), [0.5, 1.0], "the quiz's results");
    assert_eq!(given("course-7"), [1.0], "the course's completion");
    for s in scores {
        assert_eq!(s["userId"], "lms-learner-7");
        assert_eq!(s["scoreMaximum"], 1.0);
        assert_eq!(s["activityProgress"], "Completed");
        assert_eq!(s["gradingProgress"], "FullyGraded");
        assert_eq!(s["content_type"], "application/vnd.ims.lis.v1.score+json");
        assert!(s["timestamp"].as_str().is_some_and(|t| t.contains('T')));
    }
}
