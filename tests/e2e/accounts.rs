//! Accounts: registration, verification, sign-in, tokens, reset, export, deletion.

use agora_tests::{PASSWORD, TestServer, run_agora};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn registration_verification_and_no_enumeration() {
    let server = TestServer::start().await;
    let (status, first) = server.register("  Ana.Silva@City.GOV ").await;
    assert_eq!(status, 202, "{first}");
    // The same address again answers exactly the same, and mails the owner instead.
    let (status, again) = server.register("ana.silva@city.gov").await;
    assert_eq!((status, &again), (202, &first));
    let conn = server.conn().await;
    assert_eq!(
        agora_core::jobs::count_kind(&conn, "mail.account_exists")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        agora_core::jobs::count_kind(&conn, "mail.verify_email")
            .await
            .unwrap(),
        1
    );

    let token = server
        .mail_token("mail.verify_email", "ana.silva@city.gov")
        .await
        .unwrap();
    let (status, body) = server
        .post_json("/api/v1/accounts/verify", json!({ "token": token }))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = server
        .post_json("/api/v1/accounts/verify", json!({ "token": token }))
        .await;
    assert_eq!(status, 422, "a verification link works once: {body}");
    assert_eq!(body["field"], "token");
    let (status, _) = server
        .post_json("/api/v1/accounts/verify", json!({ "token": "made-up" }))
        .await;
    assert_eq!(status, 422);

    let r = server.sign_in("ana.silva@city.gov", PASSWORD).await;
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    let me = server
        .http
        .get(server.url("/api/v1/me"))
        .bearer_auth(body["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["email"], "ana.silva@city.gov");
    assert_eq!(me["email_verified"], true);
    assert_eq!(me["role"], "learner");
}

#[tokio::test]
async fn passwords_and_fields_are_validated() {
    let server = TestServer::start().await;
    let cases = [
        (
            json!({ "email": "x@city.gov", "password": "short", "display_name": "X" }),
            "password",
        ),
        (
            json!({ "email": "x@city.gov", "password": "a".repeat(129), "display_name": "X" }),
            "password",
        ),
        (
            json!({ "email": "x@city.gov", "password": "password1234", "display_name": "X" }),
            "password",
        ),
        (
            json!({ "email": "not-an-email", "password": PASSWORD, "display_name": "X" }),
            "email",
        ),
        (
            json!({ "email": "x@city.gov", "password": PASSWORD, "display_name": "  " }),
            "display_name",
        ),
        (
            json!({ "email": "x@city.gov", "password": PASSWORD, "display_name": "X", "locale": "de" }),
            "locale",
        ),
    ];
    for (body, field) in cases {
        let (status, err) = server.post_json("/api/v1/accounts", body.clone()).await;
        assert_eq!(status, 422, "{body}: {err}");
        assert_eq!(err["field"], field, "{err}");
        assert_eq!(err["code"], "invalid");
    }
    // Malformed bodies are 400 in the same shape; nothing was created.
    let r = server
        .http
        .post(server.url("/api/v1/accounts"))
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["code"],
        "invalid_body"
    );
    let (status, err) = server
        .post_json("/api/v1/accounts", json!({ "email": "x@city.gov" }))
        .await;
    assert_eq!(status, 400, "{err}");
    let huge = "x".repeat(300 * 1024);
    let r = server
        .http
        .post(server.url("/api/v1/accounts"))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(
        agora_core::jobs::count_kind(&server.conn().await, "mail.verify_email")
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn sign_in_does_not_enumerate_and_is_rate_limited() {
    let server = TestServer::start().await;
    server.learner("ana@city.gov").await;
    let wrong = server.sign_in("ana@city.gov", "wrong password here").await;
    assert_eq!(wrong.status(), 401);
    let wrong: serde_json::Value = wrong.json().await.unwrap();
    let unknown = server
        .sign_in("nobody@city.gov", "wrong password here")
        .await;
    assert_eq!(unknown.status(), 401);
    assert_eq!(unknown.json::<serde_json::Value>().await.unwrap(), wrong);

    // Five tries per address, then 429 with Retry-After.
    let mut limited = None;
    for _ in 0..6 {
        let r = server.sign_in("target@city.gov", "guess guess guess").await;
        if r.status() == 429 {
            limited = Some(r);
            break;
        }
    }
    let r = limited.expect("the sixth try is refused");
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["code"],
        "rate_limited"
    );
    // Another address from the same client still works.
    assert_eq!(server.sign_in("ana@city.gov", PASSWORD).await.status(), 200);

    let mut reset_limited = false;
    for _ in 0..5 {
        let (status, _) = server
            .post_json(
                "/api/v1/auth/password-reset",
                json!({ "email": "ana@city.gov" }),
            )
            .await;
        reset_limited |= status == 429;
    }
    assert!(reset_limited, "password reset is limited per address");
}

#[tokio::test]
async fn session_cookies_need_csrf_and_tokens_can_be_revoked() {
    let server = TestServer::start().await;
    let ana = server.learner("ana@city.gov").await;
    assert!(
        ana.cookie.contains("HttpOnly") && ana.cookie.contains("SameSite=Lax"),
        "{}",
        ana.cookie
    );
    assert!(
        !ana.cookie.contains("Secure"),
        "Secure only over https: {}",
        ana.cookie
    );
    let session = ana.cookie.split(';').next().unwrap().to_owned();

    let me = server
        .http
        .get(server.url("/api/v1/me"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let change = json!({ "display_name": "Ana S." });
    let forged = server
        .http
        .patch(server.url("/api/v1/me"))
        .header("cookie", &session)
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.status(),
        403,
        "a state change by cookie needs the CSRF token"
    );
    let ok = server
        .http
        .patch(server.url("/api/v1/me"))
        .header("cookie", &session)
        .header("x-csrf-token", &ana.csrf)
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);

    // API tokens: create, use, list, revoke.
    let (status, created) = server
        .call(
            &ana,
            Method::POST,
            "/api/v1/me/tokens",
            Some(json!({ "name": "reporting script" })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let api_token = created["token"].as_str().unwrap().to_owned();
    let r = server
        .http
        .get(server.url("/api/v1/me"))
        .bearer_auth(&api_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let api_cookie = server
        .http
        .get(server.url("/api/v1/me"))
        .header("cookie", format!("agora_session={api_token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        api_cookie.status(),
        401,
        "API tokens do not work as cookies"
    );
    let (_, list) = server
        .call(&ana, Method::GET, "/api/v1/me/tokens", None)
        .await;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "reporting script" && t["kind"] == "api")
    );
    assert!(
        !list.to_string().contains(&api_token),
        "tokens are never shown again"
    );
    let (status, _) = server
        .call(
            &ana,
            Method::DELETE,
            &format!("/api/v1/me/tokens/{}", created["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let r = server
        .http
        .get(server.url("/api/v1/me"))
        .bearer_auth(&api_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["code"],
        "unauthorized"
    );

    // An expired token is refused.
    let (_, short) = server
        .call(
            &ana,
            Method::POST,
            "/api/v1/me/tokens",
            Some(json!({ "name": "old", "expires_in_days": 1 })),
        )
        .await;
    {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        agora_core::entities::auth_token::Entity::update_many()
            .col_expr(
                agora_core::entities::auth_token::Column::ExpiresAt,
                Expr::value(time::OffsetDateTime::now_utc() - time::Duration::hours(1)),
            )
            .filter(agora_core::entities::auth_token::Column::Name.eq("old"))
            .exec(&server.conn().await)
            .await
            .unwrap();
    }
    let r = server
        .http
        .get(server.url("/api/v1/me"))
        .bearer_auth(short["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let (status, _) = server
        .call(
            &ana,
            Method::POST,
            "/api/v1/me/tokens",
            Some(json!({ "name": "x", "expires_in_days": 999 })),
        )
        .await;
    assert_eq!(status, 422);

    // Signing out revokes the session.
    let (status, _) = server
        .call(&ana, Method::POST, "/api/v1/auth/sign-out", None)
        .await;
    assert_eq!(status, 204);
    let (status, _) = server.call(&ana, Method::GET, "/api/v1/me", None).await;
    assert_eq!(status, 401);
    let (status, body) = server.get_json("/api/v1/me").await;
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")));
}

#[tokio::test]
async fn password_reset_revokes_every_session() {
    let server = TestServer::start().await;
    let ana = server.learner("ana@city.gov").await;
    let (status, unknown) = server
        .post_json(
            "/api/v1/auth/password-reset",
            json!({ "email": "nobody@city.gov" }),
        )
        .await;
    let (status2, known) = server
        .post_json(
            "/api/v1/auth/password-reset",
            json!({ "email": "ana@city.gov" }),
        )
        .await;
    assert_eq!((status, status2), (202, 202));
    assert_eq!(unknown, known, "the same answer either way");
    let token = server
        .mail_token("mail.password_reset", "ana@city.gov")
        .await
        .unwrap();

    let (status, body) = server
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            json!({ "token": token, "password": "short" }),
        )
        .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("password")));
    let new_password = "copper meadow seventeen";
    // A rejected new password does not burn the link.
    let (status, body) = server
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            json!({ "token": token, "password": new_password }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = server.call(&ana, Method::GET, "/api/v1/me", None).await;
    assert_eq!(status, 401, "old sessions are revoked");
    assert_eq!(server.sign_in("ana@city.gov", PASSWORD).await.status(), 401);
    assert_eq!(
        server.sign_in("ana@city.gov", new_password).await.status(),
        200
    );
    let (status, _) = server
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            json!({ "token": token, "password": new_password }),
        )
        .await;
    assert_eq!(status, 422, "reset links work once");
}

#[tokio::test]
async fn export_and_delete_my_data() {
    let server = TestServer::start().await;
    let ana = server.learner("ana@city.gov").await;
    let (status, _) = server
        .call(
            &ana,
            Method::POST,
            "/api/v1/courses/localizing-the-sdgs/enrolment",
            None,
        )
        .await;
    assert_eq!(status, 201);
    let r = server
        .as_learner(&ana, Method::GET, "/api/v1/me/export")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let data: serde_json::Value = r.json().await.unwrap();
    assert_eq!(data["account"]["email"], "ana@city.gov");
    assert_eq!(data["enrolments"][0]["course"], "localizing-the-sdgs");
    assert!(
        !data.to_string().contains("argon2"),
        "no password hash in the export"
    );

    let (status, body) = server
        .call(
            &ana,
            Method::DELETE,
            "/api/v1/me",
            Some(json!({ "password": "not my password" })),
        )
        .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("password")));
    let (status, _) = server
        .call(
            &ana,
            Method::DELETE,
            "/api/v1/me",
            Some(json!({ "password": PASSWORD })),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = server.call(&ana, Method::GET, "/api/v1/me", None).await;
    assert_eq!(status, 401);
    assert_eq!(server.sign_in("ana@city.gov", PASSWORD).await.status(), 401);
}

#[tokio::test]
async fn admin_create_from_the_command_line() {
    let server = TestServer::start().await;
    let mut child = std::process::Command::new(agora_tests::agora_bin())
        .args([
            "admin",
            "create",
            "--email",
            "Admin@City.gov",
            "--role",
            "admin",
        ])
        .env("AGORA_DATABASE_URL", &server.db.url)
        .env("AGORA_DATA_DIR", server.data.path())
        .env("AGORA_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"granite orchard beacon\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("created admin@city.gov as admin"));
    let r = server
        .sign_in("admin@city.gov", "granite orchard beacon")
        .await;
    let token = r.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let me: serde_json::Value = server
        .http
        .get(server.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "admin");
    assert_eq!(me["email_verified"], true);

    let weak = run_agora(
        &server.db,
        server.data.path(),
        &["admin", "create", "--email", "b@city.gov"],
    );
    assert!(!weak.status.success(), "an empty password is refused");
}

#[tokio::test]
async fn expired_links_are_refused_and_change_nothing() {
    let server = TestServer::start().await;
    server.learner("ana@city.gov").await;
    server
        .post_json(
            "/api/v1/auth/password-reset",
            json!({ "email": "ana@city.gov" }),
        )
        .await;
    let token = server
        .mail_token("mail.password_reset", "ana@city.gov")
        .await
        .unwrap();
    {
        use sea_orm::{EntityTrait, sea_query::Expr};
        agora_core::entities::one_time_token::Entity::update_many()
            .col_expr(
                agora_core::entities::one_time_token::Column::ExpiresAt,
                Expr::value(time::OffsetDateTime::now_utc() - time::Duration::minutes(1)),
            )
            .exec(&server.conn().await)
            .await
            .unwrap();
    }
    let (status, body) = server
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            json!({ "token": token, "password": "copper meadow seventeen" }),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("expired"),
        "{body}"
    );
    assert_eq!(
        server.sign_in("ana@city.gov", PASSWORD).await.status(),
        200,
        "the password is unchanged"
    );
}
