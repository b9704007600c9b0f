//! Every launch the independent platform forges or replays is refused
//! with a clear page (a 4xx naming the reason, in the reader's language)
//! and creates no session.

use super::lti::{LtiWorld, SLUG, post_launch};

/// Refused: a 4xx page naming `code`, and no session cookie set.
fn assert_refused(what: &str, hop: &agora_tests::lti_platform::Hop, code: &str) {
    assert_eq!(hop.status, 400, "{what}: {}", hop.body);
    assert!(
        hop.body.contains(&format!("data-code=\"{code}\"")),
        "{what}: the page names {code}: {}",
        hop.body
    );
    assert!(hop.body.contains("<h1>"), "{what}: a readable page");
    assert!(
        !hop.cookies
            .iter()
            .any(|c| c.starts_with("agora_session=") && c.len() > 14),
        "{what}: no session"
    );
}

#[tokio::test]
async fn forged_launches_are_refused_with_a_page_and_no_session() {
    let w = LtiWorld::new().await;
    let target = w.target(&format!("/courses/{SLUG}/lessons/intro"));
    let sessions = w.count("auth_tokens").await;
    let cases = [
        ("bad-signature", "bad-signature"),
        ("wrong-aud", "wrong-audience"),
        ("expired", "expired"),
        ("unknown-deployment", "unknown-deployment"),
        ("no-resource-link", "missing-resource-link"),
        ("wrong-iss", "wrong-issuer"),
        ("state-mismatch", "state-mismatch"),
        ("alg-none", "algorithm"),
        ("wrong-message-type", "wrong-message-type"),
    ];
    for (scenario, code) in cases {
        let l = w
            .launch(&[
                ("target", target.as_str()),
                ("user", "mallory"),
                ("scenario", scenario),
            ])
            .await;
        assert_refused(scenario, &l.result, code);
    }
    assert_eq!(w.count("auth_tokens").await, sessions, "no session created");
    assert_eq!(w.count("lti_accounts").await, 0, "no account created");

    // A good launch signs in once; the same id_token and state again are a
    // replayed nonce.
    let l = w
        .launch(&[("target", target.as_str()), ("user", "ada")])
        .await;
    assert_eq!(l.result.status, 303, "{}", l.result.body);
    let after = w.count("auth_tokens").await;
    assert_eq!(after, sessions + 1);
    let replay = post_launch(&l.action, &l.form, &l.state_cookie).await;
    assert_refused("replay", &replay, "replayed-nonce");
    // The same form from another browser (without the state cookie).
    let stolen = post_launch(&l.action, &l.form, "").await;
    assert_refused("no state cookie", &stolen, "state-mismatch");
    assert_eq!(
        w.count("auth_tokens").await,
        after,
        "the replay signs nobody in"
    );

    // The page is in the reader's language.
    let l = w
        .launch(&[
            ("target", target.as_str()),
            ("user", "x"),
            ("scenario", "expired"),
        ])
        .await;
    let fr = agora_tests::lti_platform::browser()
        .post(&l.action)
        .header("cookie", &l.state_cookie)
        .header("accept-language", "fr")
        .form(&l.form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(fr.contains("a expiré"), "{fr}");
}

#[tokio::test]
async fn a_login_from_an_unknown_platform_or_to_another_site_is_refused() {
    let w = LtiWorld::new().await;
    let b = agora_tests::lti_platform::browser();
    let login = |q: Vec<(&'static str, String)>| {
        let b = b.clone();
        let url = w.s.url("/lti/login");
        async move {
            agora_tests::lti_platform::Hop::of(b.get(url).query(&q).send().await.unwrap()).await
        }
    };
    let base = w.platform.base(&w.s);
    let unknown = login(vec![
        ("iss", "https://unknown.example".into()),
        ("login_hint", "u".into()),
        ("target_link_uri", w.target("/courses/fixture-course")),
    ])
    .await;
    assert_eq!(unknown.status, 400);
    assert!(unknown.body.contains("data-code=\"unknown-platform\""));
    let elsewhere = login(vec![
        ("iss", base.clone()),
        ("login_hint", "u".into()),
        ("target_link_uri", "https://evil.example/courses/x".into()),
    ])
    .await;
    assert_eq!(elsewhere.status, 400);
    assert!(elsewhere.body.contains("data-code=\"wrong-target-link\""));
    assert!(elsewhere.cookies.is_empty(), "no state kept");
}
