//! Bad input: one JSON error shape, the right status, never a 500.

use agora_tests::TestServer;

fn assert_error_shape(body: &serde_json::Value, code: &str) {
    assert_eq!(body["code"], code, "{body}");
    assert!(
        !body["message"].as_str().unwrap_or_default().is_empty(),
        "{body}"
    );
}

#[tokio::test]
async fn malformed_and_oversized_parameters_are_400_with_the_field() {
    let server = TestServer::start().await;
    let long = "x".repeat(5000);
    let cases: Vec<(String, &str)> = vec![
        ("/api/v1/courses?page=abc".into(), "page"),
        ("/api/v1/courses?page=0".into(), "page"),
        (
            "/api/v1/courses?page=99999999999999999999999".into(),
            "page",
        ),
        ("/api/v1/courses?per_page=1000".into(), "per_page"),
        ("/api/v1/courses?per_page=-1".into(), "per_page"),
        ("/api/v1/courses?theme=sdg:99".into(), "theme"),
        ("/api/v1/courses?theme=nonsense".into(), "theme"),
        (format!("/api/v1/courses?theme=tag:{long}"), "theme"),
        ("/api/v1/courses?level=expert".into(), "level"),
        ("/api/v1/courses?sort=random".into(), "sort"),
        ("/api/v1/courses?language=de".into(), "language"),
        ("/api/v1/courses?lang=%3Cscript%3E".into(), "lang"),
        (format!("/api/v1/courses?lang={long}"), "lang"),
        ("/api/v1/courses/localizing-the-sdgs?lang=12".into(), "lang"),
    ];
    for (path, field) in cases {
        let (status, body) = server.get_json(&path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_error_shape(&body, "invalid_parameter");
        assert_eq!(body["field"], field, "{path}: {body}");
    }
    let many_themes = (0..11)
        .map(|i| format!("theme=sdg:{}", i + 1))
        .collect::<Vec<_>>()
        .join("&");
    let (status, body) = server
        .get_json(&format!("/api/v1/courses?{many_themes}"))
        .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn unknown_things_are_404_in_the_same_shape() {
    let server = TestServer::start().await;
    let long = "a".repeat(3000);
    for path in [
        "/api/v1/courses/no-such-course".to_owned(),
        "/api/v1/courses/NOT%20A%20SLUG".to_owned(),
        format!("/api/v1/courses/{long}"),
        "/api/v1/nothing-here".to_owned(),
        "/nothing".to_owned(),
    ] {
        let (status, body) = server.get_json(&path).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_error_shape(&body, "not_found");
    }
    let r = server
        .http
        .post(server.url("/api/v1/courses"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET, HEAD", "RFC 9110 asks for Allow");
    assert_error_shape(&r.json().await.unwrap(), "method_not_allowed");
    // No 500 anywhere in this run.
    assert!(!server.logs().contains("status=500"), "{}", server.logs());
}

#[tokio::test]
async fn a_body_value_of_another_type_than_the_document_states_is_400_and_changes_nothing() {
    let server = TestServer::start().await;
    let ana = server.learner("types@agora.example").await;
    let patch = reqwest::Method::PATCH;
    for (body, field) in [
        (serde_json::json!({"display_name": false}), "display_name"),
        (serde_json::json!({"display_name": 42}), "display_name"),
        (
            serde_json::json!({"reminders_opt_out": "yes"}),
            "reminders_opt_out",
        ),
    ] {
        let (status, answer) = server
            .call(&ana, patch.clone(), "/api/v1/me", Some(body.clone()))
            .await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_error_shape(&answer, "invalid_body");
        assert_eq!(answer["field"], field, "{answer}");
    }
    // Nested values are held too: a token's name must be a string.
    let (status, answer) = server
        .call(
            &ana,
            reqwest::Method::POST,
            "/api/v1/me/tokens",
            Some(serde_json::json!({"name": ["x"]})),
        )
        .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (400, Some("name")),
        "{answer}"
    );
    // `null` is how a client says "not given": the profile keeps its name.
    let (status, me) = server
        .call(
            &ana,
            patch,
            "/api/v1/me",
            Some(serde_json::json!({"display_name": null, "locale": "fr"})),
        )
        .await;
    assert_eq!(status, 200, "{me}");
    assert_ne!(me["display_name"], "false");
    assert!(
        !me["display_name"].as_str().unwrap_or_default().is_empty(),
        "{me}"
    );
    assert_eq!(me["locale"], "fr");
}
