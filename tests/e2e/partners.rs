//! Partners over HTTP: accounts and keys (scopes, revocation, expiry, rate
//! limits), collections by list and by rule, CORS, ETags, oEmbed, embeds,
//! attribution of visits and enrolments, and who may call what.

use std::time::{Duration, Instant};

use agora_tests::{Learner, ServerOptions, TempDir, TestServer, run_agora, write_fixture_course};
use reqwest::{Method, header};
use serde_json::{Value, json};

pub const ORIGIN: &str = "http://partner.example:8081";

pub async fn admin_call(
    s: &TestServer,
    admin: &Learner,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    s.call(admin, method, path, body).await
}

/// A partner with one allowed origin.
pub async fn make_partner(s: &TestServer, admin: &Learner, slug: &str, origins: &[&str]) {
    let (status, body) = admin_call(
        s,
        admin,
        Method::POST,
        "/api/v1/admin/partners",
        Some(
            json!({ "slug": slug, "name": format!("Partner {slug}"), "allowed_origins": origins }),
        ),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["slug"], slug);
}

/// A new key: (secret, id).
pub async fn make_key(
    s: &TestServer,
    admin: &Learner,
    partner: &str,
    scopes: &[&str],
) -> (String, String) {
    let (status, body) = admin_call(
        s,
        admin,
        Method::POST,
        &format!("/api/v1/admin/partners/{partner}/keys"),
        Some(json!({ "name": "site", "scopes": scopes })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let key = body["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("agp_"), "{key}");
    (key, body["id"].as_str().unwrap().to_owned())
}

pub async fn put_collection(
    s: &TestServer,
    admin: &Learner,
    partner: &str,
    slug: &str,
    body: Value,
) -> (u16, Value) {
    admin_call(
        s,
        admin,
        Method::PUT,
        &format!("/api/v1/admin/partners/{partner}/collections/{slug}"),
        Some(body),
    )
    .await
}

async fn get_with(s: &TestServer, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut r = s.http.get(s.url(path));
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.send().await.expect("request")
}

async fn status_and_json(r: reqwest::Response) -> (u16, Value, header::HeaderMap) {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, r.json().await.unwrap_or(Value::Null), headers)
}

/// HTML attribute text as a browser reads it.
fn unescape(html: &str) -> String {
    html.replace("&#x3D;", "=")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// The common error shape: a code and a message, never a 500.
fn assert_error(status: u16, body: &Value, expected: u16, code: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

/// A server with one partner (`city-net`, allowing [`ORIGIN`]) and a
/// collection of two chosen courses.
async fn setup(env: Vec<(String, String)>) -> (TestServer, Learner) {
    let s = TestServer::start_with(ServerOptions {
        env,
        ..Default::default()
    })
    .await;
    let admin = s.admin("admin@agora.example").await;
    make_partner(&s, &admin, "city-net", &[ORIGIN]).await;
    let (status, body) = put_collection(
        &s,
        &admin,
        "city-net",
        "picks",
        json!({ "title": "Our picks", "courses": ["voluntary-local-review", "localizing-the-sdgs"] }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    (s, admin)
}

#[tokio::test]
async fn admin_endpoints_answer_administrators_only() {
    let (s, admin) = setup(vec![]).await;
    let learner = s.learner("ana@city.example").await;
    let (key, key_id) = make_key(&s, &admin, "city-net", &["catalogue:read", "stats:read"]).await;
    let ops: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/api/v1/admin/partners".into(), None),
        (
            Method::POST,
            "/api/v1/admin/partners".into(),
            Some(json!({ "slug": "other", "name": "Other", "allowed_origins": [] })),
        ),
        (Method::GET, "/api/v1/admin/partners/city-net".into(), None),
        (
            Method::PUT,
            "/api/v1/admin/partners/city-net".into(),
            Some(json!({ "name": "Renamed", "allowed_origins": [ORIGIN] })),
        ),
        (
            Method::GET,
            "/api/v1/admin/partners/city-net/keys".into(),
            None,
        ),
        (
            Method::POST,
            "/api/v1/admin/partners/city-net/keys".into(),
            Some(json!({ "name": "k", "scopes": ["catalogue:read"] })),
        ),
        (
            Method::DELETE,
            format!("/api/v1/admin/partners/city-net/keys/{key_id}"),
            None,
        ),
        (
            Method::GET,
            "/api/v1/admin/partners/city-net/collections".into(),
            None,
        ),
        (
            Method::PUT,
            "/api/v1/admin/partners/city-net/collections/new".into(),
            Some(json!({ "title": "New", "rule": { "themes": ["sdg:11"] } })),
        ),
        (
            Method::DELETE,
            "/api/v1/admin/partners/city-net/collections/picks".into(),
            None,
        ),
    ];
    for (method, path, body) in &ops {
        let send = |r: reqwest::RequestBuilder| {
            let r = match body {
                Some(b) => r.json(b),
                None => r,
            };
            async move { status_and_json(r.send().await.unwrap()).await }
        };
        let (st, b, _) = send(s.http.request(method.clone(), s.url(path))).await;
        assert_error(st, &b, 401, "unauthorized");
        let (st, b, _) = send(
            s.http
                .request(method.clone(), s.url(path))
                .bearer_auth(&learner.token),
        )
        .await;
        assert_error(st, &b, 403, "forbidden");
        // A partner key is not a user's token: it opens no admin endpoint.
        let (st, b, _) = send(
            s.http
                .request(method.clone(), s.url(path))
                .bearer_auth(&key),
        )
        .await;
        assert_error(st, &b, 401, "unauthorized");
        let (st, b, _) = send(
            s.http
                .request(method.clone(), s.url(path))
                .header("x-api-key", &key),
        )
        .await;
        assert_error(st, &b, 401, "unauthorized");
    }
    // And the administrator may do each of them.
    for (method, path, body) in &ops {
        let (st, b) = admin_call(&s, &admin, method.clone(), path, body.clone()).await;
        assert!(
            [200, 201, 204].contains(&st),
            "{method} {path} answered {st}: {b}"
        );
    }
    // The web page, too: anonymous readers are sent to sign in, learners refused.
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = no_redirect
        .get(s.url("/admin/partners"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/sign-in")
    );
    let session = |l: &Learner| l.cookie.split(';').next().unwrap().to_owned();
    let r = no_redirect
        .get(s.url("/admin/partners"))
        .header("accept", "text/html")
        .header("cookie", session(&learner))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = no_redirect
        .get(s.url("/admin/partners"))
        .header("accept", "text/html")
        .header("cookie", session(&admin))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("data-partner=\"city-net\""), "{html}");
    assert!(html.contains("data-partner=\"other\""), "{html}");
    // A key is created through the page's form and shown once.
    let r = no_redirect
        .post(s.url("/admin/partners/other/keys"))
        .header("accept", "text/html")
        .header("cookie", session(&admin))
        .form(&[
            ("csrf", admin.csrf.as_str()),
            ("name", "From the page"),
            ("scope", "catalogue:read"),
            ("scope", "stats:read"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let html = r.text().await.unwrap();
    let at = html.find("id=\"new-key\"").expect("the new key is shown");
    let shown = &html[at..];
    let start = shown.find("agp_").unwrap();
    let page_key: String = shown[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let r = get_with(
        &s,
        "/api/v1/partners/other/stats",
        &[("x-api-key", &page_key)],
    )
    .await;
    assert_eq!(r.status(), 200);
    // Without the CSRF token, the form is refused.
    let r = no_redirect
        .post(s.url("/admin/partners/other/keys"))
        .header("accept", "text/html")
        .header("cookie", session(&admin))
        .form(&[("name", "No token"), ("scope", "catalogue:read")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // The secret never reaches the logs.
    assert!(!s.logs().contains(&key), "a key was logged");
    assert!(!s.logs().contains(&page_key), "a key was logged");
}

#[tokio::test]
async fn keys_are_scoped_hashed_revocable_and_expire() {
    let (s, admin) = setup(vec![]).await;
    make_partner(&s, &admin, "other-net", &[]).await;
    let (catalogue_key, catalogue_id) = make_key(&s, &admin, "city-net", &["catalogue:read"]).await;
    let (stats_key, _) = make_key(&s, &admin, "city-net", &["stats:read"]).await;
    let (foreign_key, _) =
        make_key(&s, &admin, "other-net", &["catalogue:read", "stats:read"]).await;
    let listing = "/api/v1/partners/city-net/collections/picks";
    let stats = "/api/v1/partners/city-net/stats";

    // Stored hashed: the database holds no secret.
    let conn = s.conn().await;
    use sea_orm::EntityTrait;
    let rows = agora_core::entities::partner_key::Entity::find()
        .all(&conn)
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);
    for r in &rows {
        assert_ne!(r.key_hash, catalogue_key);
        assert_eq!(r.key_hash.len(), 64);
    }
    assert!(
        rows.iter()
            .any(|r| r.key_hash == agora_core::accounts::token_hash(&catalogue_key))
    );
    // Listed without the secret.
    let (st, list) = admin_call(
        &s,
        &admin,
        Method::GET,
        "/api/v1/admin/partners/city-net/keys",
        None,
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(!list.to_string().contains(&catalogue_key));
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|k| k.get("key").is_none())
    );

    // Both header forms work for the right scope.
    for h in [
        ("x-api-key", catalogue_key.clone()),
        ("authorization", format!("Bearer {catalogue_key}")),
    ] {
        let r = get_with(&s, listing, &[(h.0, &h.1)]).await;
        assert_eq!(r.status(), 200, "{}", h.0);
    }
    // The wrong scope, another partner's key.
    let (st, b, _) =
        status_and_json(get_with(&s, listing, &[("x-api-key", &stats_key)]).await).await;
    assert_error(st, &b, 403, "forbidden");
    let (st, b, _) =
        status_and_json(get_with(&s, listing, &[("x-api-key", &foreign_key)]).await).await;
    assert_error(st, &b, 403, "forbidden");
    let (st, b, _) =
        status_and_json(get_with(&s, stats, &[("x-api-key", &catalogue_key)]).await).await;
    assert_error(st, &b, 403, "forbidden");
    let (st, b, _) =
        status_and_json(get_with(&s, stats, &[("x-api-key", &foreign_key)]).await).await;
    assert_error(st, &b, 403, "forbidden");
    let (st, b, _) = status_and_json(get_with(&s, stats, &[("x-api-key", &stats_key)]).await).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["partner"], "city-net");
    // Statistics: anonymous and learners are refused, administrators may read.
    let (st, b, _) = status_and_json(get_with(&s, stats, &[]).await).await;
    assert_error(st, &b, 401, "unauthorized");
    let learner = s.learner("ana@city.example").await;
    let (st, b) = s.call(&learner, Method::GET, stats, None).await;
    assert_error(st, &b, 403, "forbidden");
    let (st, _) = admin_call(&s, &admin, Method::GET, stats, None).await;
    assert_eq!(st, 200);
    // Made-up keys.
    for bad in ["agp_nope", "agp_", &"agp_x".repeat(100)] {
        let (st, b, _) = status_and_json(get_with(&s, listing, &[("x-api-key", bad)]).await).await;
        assert_error(st, &b, 401, "unauthorized");
    }

    // Revoked: refused at once.
    let (st, _) = admin_call(
        &s,
        &admin,
        Method::DELETE,
        &format!("/api/v1/admin/partners/city-net/keys/{catalogue_id}"),
        None,
    )
    .await;
    assert_eq!(st, 204);
    let (st, b, _) =
        status_and_json(get_with(&s, listing, &[("x-api-key", &catalogue_key)]).await).await;
    assert_error(st, &b, 401, "unauthorized");
    // Revoking twice, or a key of another partner, or a made-up id: 404.
    let (st, b) = admin_call(
        &s,
        &admin,
        Method::DELETE,
        &format!("/api/v1/admin/partners/city-net/keys/{catalogue_id}"),
        None,
    )
    .await;
    assert_error(st, &b, 404, "not_found");
    let (st, b) = admin_call(
        &s,
        &admin,
        Method::DELETE,
        "/api/v1/admin/partners/city-net/keys/not-a-uuid",
        None,
    )
    .await;
    assert_error(st, &b, 404, "not_found");

    // Expiry: a key past its date is refused.
    let (status, body) = admin_call(
        &s,
        &admin,
        Method::POST,
        "/api/v1/admin/partners/city-net/keys",
        Some(json!({
            "name": "short",
            "scopes": ["catalogue:read"],
            "expires_at": (time::OffsetDateTime::now_utc() + time::Duration::days(30))
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap(),
        })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let expiring = body["key"].as_str().unwrap().to_owned();
    let id: uuid::Uuid = body["id"].as_str().unwrap().parse().unwrap();
    use sea_orm::{ActiveModelTrait, Set};
    agora_core::entities::partner_key::ActiveModel {
        id: Set(id),
        expires_at: Set(Some(
            time::OffsetDateTime::now_utc() - time::Duration::minutes(1),
        )),
        ..Default::default()
    }
    .update(&conn)
    .await
    .unwrap();
    let (st, b, _) =
        status_and_json(get_with(&s, listing, &[("x-api-key", &expiring)]).await).await;
    assert_error(st, &b, 401, "unauthorized");

    // Bad key requests: clear errors.
    for (body, field) in [
        (json!({ "name": "x", "scopes": [] }), "scopes"),
        (json!({ "name": "x", "scopes": ["admin"] }), "scopes"),
        (json!({ "name": "", "scopes": ["stats:read"] }), "name"),
        (
            json!({ "name": "x", "scopes": ["stats:read"], "expires_at": "2001-01-01T00:00:00Z" }),
            "expires_at",
        ),
    ] {
        let (st, b) = admin_call(
            &s,
            &admin,
            Method::POST,
            "/api/v1/admin/partners/city-net/keys",
            Some(body),
        )
        .await;
        assert_error(st, &b, 422, "invalid");
        assert_eq!(b["field"], field);
    }
    let (st, b) = admin_call(
        &s,
        &admin,
        Method::POST,
        "/api/v1/admin/partners/nobody/keys",
        Some(json!({ "name": "x", "scopes": ["stats:read"] })),
    )
    .await;
    assert_error(st, &b, 404, "not_found");
    assert!(!s.logs().contains(&stats_key), "a key was logged");
}

#[tokio::test]
async fn reads_are_rate_limited_with_retry_after() {
    let (s, admin) = setup(vec![
        ("AGORA_PARTNER_ANONYMOUS_PER_MINUTE".into(), "3".into()),
        ("AGORA_PARTNER_KEY_PER_MINUTE".into(), "6".into()),
    ])
    .await;
    let (key, _) = make_key(&s, &admin, "city-net", &["catalogue:read"]).await;
    let listing = "/api/v1/partners/city-net/collections/picks";
    for _ in 0..3 {
        assert_eq!(get_with(&s, listing, &[]).await.status(), 200);
    }
    let (st, b, h) = status_and_json(get_with(&s, listing, &[("origin", ORIGIN)]).await).await;
    assert_error(st, &b, 429, "rate_limited");
    let retry: u64 = h["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // The refusal is readable by the partner's page.
    assert_eq!(h["access-control-allow-origin"], ORIGIN);
    // A key has its own, higher allowance.
    for _ in 0..6 {
        assert_eq!(
            get_with(&s, listing, &[("x-api-key", &key)]).await.status(),
            200
        );
    }
    let (st, b, h) = status_and_json(get_with(&s, listing, &[("x-api-key", &key)]).await).await;
    assert_error(st, &b, 429, "rate_limited");
    assert!(h.contains_key("retry-after"));
}

#[tokio::test]
async fn cors_answers_only_the_partners_origins() {
    let (s, admin) = setup(vec![]).await;
    make_partner(&s, &admin, "other-net", &["https://other.example"]).await;
    let listing = "/api/v1/partners/city-net/collections/picks";
    let preflight = |origin: &str| {
        s.http
            .request(Method::OPTIONS, s.url(listing))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "x-api-key")
            .send()
    };
    let r = preflight(ORIGIN).await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    let allowed = r.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(allowed.contains("x-api-key"), "{allowed}");
    for refused in [
        "https://evil.example",
        "https://other.example",
        "http://partner.example:8082",
        "null",
    ] {
        let r = preflight(refused).await.unwrap();
        assert_eq!(r.status(), 403, "{refused}");
        assert!(!r.headers().contains_key("access-control-allow-origin"));
        let b: Value = r.json().await.unwrap();
        assert_eq!(b["code"], "origin_not_allowed");
    }
    // Simple requests: the allowed origin is echoed, any other gets nothing.
    let r = get_with(&s, listing, &[("origin", ORIGIN)]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    assert!(
        r.headers()
            .get_all("vary")
            .iter()
            .any(|v| v.to_str().unwrap().contains("Origin"))
    );
    let r = get_with(&s, listing, &[("origin", "https://evil.example")]).await;
    assert!(!r.headers().contains_key("access-control-allow-origin"));
    // Origins changed by the administrator apply at once.
    let (st, _) = admin_call(
        &s,
        &admin,
        Method::PUT,
        "/api/v1/admin/partners/city-net",
        Some(json!({ "name": "City network", "allowed_origins": ["https://evil.example"] })),
    )
    .await;
    assert_eq!(st, 200);
    let r = get_with(&s, listing, &[("origin", "https://evil.example")]).await;
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://evil.example"
    );
    let r = get_with(&s, listing, &[("origin", ORIGIN)]).await;
    assert!(!r.headers().contains_key("access-control-allow-origin"));
    // Origins are validated.
    for bad in [
        "*",
        "https://x.example/path",
        "ftp://x.example",
        "x.example",
    ] {
        let (st, b) = admin_call(
            &s,
            &admin,
            Method::PUT,
            "/api/v1/admin/partners/city-net",
            Some(json!({ "name": "City", "allowed_origins": [bad] })),
        )
        .await;
        assert_error(st, &b, 422, "invalid");
        assert_eq!(b["field"], "allowed_origins", "{bad}");
    }
}

#[tokio::test]
async fn listings_are_localised_cached_and_validated() {
    let (s, _admin) = setup(vec![]).await;
    let listing = "/api/v1/partners/city-net/collections/picks";
    let r = get_with(&s, &format!("{listing}?lang=fr"), &[]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "public, max-age=60");
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let b: Value = r.json().await.unwrap();
    let items = b["items"].as_array().unwrap();
    assert_eq!(
        items
            .iter()
            .map(|i| i["slug"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["voluntary-local-review", "localizing-the-sdgs"],
        "the partner's order"
    );
    assert!(items.iter().all(|i| i["locale"] == "fr"), "{b}");
    assert_eq!(b["labels"]["open"], "Voir le cours");
    let url = items[0]["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/courses/voluntary-local-review?", s.base)),
        "{url}"
    );
    assert!(url.contains("via=city-net"), "{url}");
    for item in items {
        let slug = item["slug"].as_str().unwrap();
        assert_eq!(
            item["sources"],
            agora_tests::shipped_sources(slug),
            "partner sites can cite what the course cites"
        );
    }
    assert_eq!(b["total"], 2);
    // Revalidation.
    let r = get_with(
        &s,
        &format!("{listing}?lang=fr"),
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(r.status(), 304);
    assert_eq!(r.headers()["etag"].to_str().unwrap(), etag);
    let r = get_with(
        &s,
        &format!("{listing}?lang=es"),
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(r.status(), 200, "another language is another body");
    // limit and theme.
    let (_, b, _) = status_and_json(get_with(&s, &format!("{listing}?limit=1"), &[]).await).await;
    assert_eq!(b["items"].as_array().unwrap().len(), 1);
    assert_eq!(b["total"], 2);
    let (_, b, _) =
        status_and_json(get_with(&s, &format!("{listing}?theme=tag:vlr"), &[]).await).await;
    assert_eq!(b["items"].as_array().unwrap().len(), 1);
    assert_eq!(b["items"][0]["slug"], "voluntary-local-review");
    // Bad input: 400 naming the parameter; unknown names: 404.
    for (q, field) in [
        ("lang=xx", "lang"),
        ("lang=%3Cscript%3E", "lang"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=abc", "limit"),
        ("theme=sdg:99", "theme"),
        ("theme=javascript:alert(1)", "theme"),
    ] {
        let (st, b, _) = status_and_json(get_with(&s, &format!("{listing}?{q}"), &[]).await).await;
        assert_error(st, &b, 400, "invalid_parameter");
        assert_eq!(b["field"], field, "{q}");
    }
    for path in [
        "/api/v1/partners/city-net/collections/nothing",
        "/api/v1/partners/nobody/collections/picks",
        "/api/v1/partners/NOT_A_SLUG/collections/picks",
        "/api/v1/partners/city-net/collections/..%2F..%2Fetc",
    ] {
        let (st, b, _) = status_and_json(get_with(&s, path, &[]).await).await;
        assert_error(st, &b, 404, "not_found");
    }
}

#[tokio::test]
async fn collections_by_list_and_by_rule_follow_the_catalogue() {
    let (s, admin) = setup(vec![("AGORA_PARTNER_CACHE_SECONDS".into(), "1".into())]).await;
    let (st, b) = put_collection(
        &s,
        &admin,
        "city-net",
        "resilience",
        json!({ "title": "Resilience", "rule": { "themes": ["sendai:1"], "languages": ["fr"], "levels": [] } }),
    )
    .await;
    assert_eq!(st, 201, "{b}");
    assert_eq!(b["rule"]["themes"], json!(["sendai:1"]));
    let path = "/api/v1/partners/city-net/collections/resilience";
    let (st, b, _) = status_and_json(get_with(&s, path, &[]).await).await;
    assert_eq!(st, 200);
    let slugs = |b: &Value| -> Vec<String> {
        b["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["slug"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut resilience = slugs(&b);
    resilience.sort();
    assert_eq!(
        resilience,
        ["localizing-sendai-framework", "mcr2030-ten-essentials"]
    );

    // A course published later with a matching theme appears by itself.
    let src = TempDir::new();
    write_fixture_course(src.path(), "fixture-course");
    let out = run_agora(
        &s.db,
        s.data.path(),
        &["import", src.path().to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (_, b, _) = status_and_json(get_with(&s, path, &[]).await).await;
        if slugs(&b).contains(&"fixture-course".to_owned()) {
            assert_eq!(slugs(&b).len(), 3, "{b}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the new course never appeared: {b}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Replacing a collection: 200, and the listing follows at once.
    let (st, _) = put_collection(
        &s,
        &admin,
        "city-net",
        "picks",
        json!({ "title": "Our picks", "courses": ["fixture-course", "unknown-course", "localizing-the-sdgs"] }),
    )
    .await;
    assert_eq!(st, 200);
    let (_, b, _) =
        status_and_json(get_with(&s, "/api/v1/partners/city-net/collections/picks", &[]).await)
            .await;
    assert_eq!(
        slugs(&b),
        ["fixture-course", "localizing-the-sdgs"],
        "unknown courses are skipped, the order kept"
    );
    let (st, list) = admin_call(
        &s,
        &admin,
        Method::GET,
        "/api/v1/admin/partners/city-net/collections",
        None,
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(list.as_array().unwrap().len(), 2);

    // Bad collections: clear errors naming the field.
    for (body, field) in [
        (json!({ "title": "x" }), "courses"),
        (json!({ "title": "x", "courses": [] }), "courses"),
        (json!({ "title": "x", "courses": ["Bad Slug"] }), "courses"),
        (
            json!({ "title": "x", "courses": ["a"], "rule": { "themes": [] } }),
            "courses",
        ),
        (
            json!({ "title": "x", "rule": { "themes": ["sdg:0"] } }),
            "rule.themes",
        ),
        (
            json!({ "title": "x", "rule": { "languages": ["de"] } }),
            "rule.languages",
        ),
        (
            json!({ "title": "x", "rule": { "levels": ["expert"] } }),
            "rule.levels",
        ),
        (json!({ "title": "", "rule": {} }), "title"),
    ] {
        let (st, b) = put_collection(&s, &admin, "city-net", "bad", body.clone()).await;
        assert_error(st, &b, 422, "invalid");
        assert_eq!(b["field"], field, "{body}");
    }
    let (st, b) = put_collection(
        &s,
        &admin,
        "city-net",
        "Bad_Slug",
        json!({ "title": "x", "rule": {} }),
    )
    .await;
    assert_error(st, &b, 422, "invalid");
    let (st, b) = put_collection(
        &s,
        &admin,
        "nobody",
        "x",
        json!({ "title": "x", "rule": {} }),
    )
    .await;
    assert_error(st, &b, 404, "not_found");
    let r = s
        .as_learner(
            &admin,
            Method::PUT,
            "/api/v1/admin/partners/city-net/collections/x",
        )
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Deleting.
    let (st, _) = admin_call(
        &s,
        &admin,
        Method::DELETE,
        "/api/v1/admin/partners/city-net/collections/picks",
        None,
    )
    .await;
    assert_eq!(st, 204);
    let (st, b, _) =
        status_and_json(get_with(&s, "/api/v1/partners/city-net/collections/picks", &[]).await)
            .await;
    assert_error(st, &b, 404, "not_found");
}

#[tokio::test]
async fn partners_are_validated() {
    let (s, admin) = setup(vec![]).await;
    for (body, status, field) in [
        (
            json!({ "slug": "city-net", "name": "Again", "allowed_origins": [] }),
            409,
            "slug",
        ),
        (
            json!({ "slug": "Bad Slug", "name": "x", "allowed_origins": [] }),
            422,
            "slug",
        ),
        (
            json!({ "slug": "ok", "name": "", "allowed_origins": [] }),
            422,
            "name",
        ),
        (
            json!({ "slug": "ok", "name": "x", "allowed_origins": ["https://a.example/"] }),
            422,
            "allowed_origins",
        ),
    ] {
        let (st, b) = admin_call(
            &s,
            &admin,
            Method::POST,
            "/api/v1/admin/partners",
            Some(body),
        )
        .await;
        assert_eq!(st, status, "{b}");
        assert_eq!(b["field"], field, "{b}");
    }
    let (st, b) = admin_call(
        &s,
        &admin,
        Method::GET,
        "/api/v1/admin/partners/nobody",
        None,
    )
    .await;
    assert_error(st, &b, 404, "not_found");
    let (st, b) = admin_call(&s, &admin, Method::GET, "/api/v1/admin/partners", None).await;
    assert_eq!(st, 200);
    assert_eq!(b[0]["allowed_origins"], json!([ORIGIN]));
}

#[tokio::test]
async fn oembed_describes_only_this_sites_course_pages() {
    let (s, _admin) = setup(vec![]).await;
    let course = format!("{}/courses/localizing-the-sdgs", s.base);
    // Course pages announce their oEmbed.
    let html = get_with(
        &s,
        "/courses/localizing-the-sdgs",
        &[("accept", "text/html")],
    )
    .await
    .text()
    .await
    .unwrap();
    let expected = format!(
        "<link rel=\"alternate\" type=\"application/json+oembed\" href=\"{}/oembed?url={}",
        s.base,
        url::form_urlencoded::byte_serialize(course.as_bytes()).collect::<String>()
    );
    assert!(
        unescape(&html).contains(&expected),
        "no discovery link in the head"
    );

    let q = |u: &str| {
        format!(
            "/oembed?url={}",
            url::form_urlencoded::byte_serialize(u.as_bytes()).collect::<String>()
        )
    };
    let (st, b, h) = status_and_json(get_with(&s, &q(&course), &[]).await).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["type"], "rich");
    assert_eq!(b["version"], "1.0");
    assert_eq!(b["provider_name"], "Agora");
    assert_eq!(b["width"], 480);
    assert!(b["title"].as_str().unwrap().contains("SDG"), "{b}");
    let iframe = b["html"].as_str().unwrap();
    assert!(
        iframe.starts_with(&format!(
            "<iframe src=\"{}/embed/courses/localizing-the-sdgs\"",
            s.base
        )),
        "{iframe}"
    );
    assert!(
        h["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    // maxwidth / maxheight and the course's language.
    let (st, b, _) = status_and_json(
        get_with(
            &s,
            &format!(
                "{}&maxwidth=300&maxheight=100&format=json",
                q(&format!("{course}?lang=fr"))
            ),
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(b["width"], 300);
    assert_eq!(b["height"], 100);
    assert!(b["html"].as_str().unwrap().contains("lang=fr"), "{b}");

    // The embed it points at can be framed by any site, unlike other pages.
    let r = get_with(&s, "/embed/courses/localizing-the-sdgs?lang=fr", &[]).await;
    assert_eq!(r.status(), 200);
    assert!(!r.headers().contains_key("x-frame-options"));
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors *"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let html = r.text().await.unwrap();
    assert!(html.contains("Voir le cours"), "{html}");
    let r = get_with(&s, "/courses/localizing-the-sdgs", &[]).await;
    assert_eq!(r.headers()["x-frame-options"], "DENY");

    // Foreign, malformed and unknown: clear errors, never a redirect.
    let foreign_host = course.replace("127.0.0.1", "localhost");
    for (u, status, code) in [
        (
            "https://evil.example/courses/localizing-the-sdgs",
            404,
            "not_found",
        ),
        (foreign_host.as_str(), 404, "not_found"),
        (
            &format!("{}/courses/no-such-course", s.base),
            404,
            "not_found",
        ),
        (&format!("{}/courses/Bad_Slug", s.base), 404, "not_found"),
        (&format!("{}/my-learning", s.base), 404, "not_found"),
        (
            &format!("{}/courses/localizing-the-sdgs/lessons/x", s.base),
            404,
            "not_found",
        ),
        ("javascript:alert(1)", 404, "not_found"),
        (
            "//evil.example/courses/localizing-the-sdgs",
            400,
            "invalid_parameter",
        ),
        ("not a url", 400, "invalid_parameter"),
        ("", 400, "invalid_parameter"),
    ] {
        let r = get_with(&s, &q(u), &[]).await;
        assert!(r.headers().get("location").is_none());
        let (st, b, _) = status_and_json(r).await;
        assert_error(st, &b, status, code);
    }
    let (st, b, _) = status_and_json(get_with(&s, "/oembed", &[]).await).await;
    assert_error(st, &b, 400, "invalid_parameter");
    assert_eq!(b["field"], "url");
    let (st, b, _) =
        status_and_json(get_with(&s, &format!("{}&format=xml", q(&course)), &[]).await).await;
    assert_error(st, &b, 501, "not_implemented");
    for bad in ["format=yaml", "maxwidth=-3", "maxwidth=abc", "maxheight=0"] {
        let (st, b, _) =
            status_and_json(get_with(&s, &format!("{}&{bad}", q(&course)), &[]).await).await;
        assert_error(st, &b, 400, "invalid_parameter");
    }
}

#[tokio::test]
async fn the_iframe_embed_shows_the_collection_and_explains_bad_settings() {
    let (s, _admin) = setup(vec![]).await;
    let r = get_with(
        &s,
        "/embed/partners/city-net/collections/picks?lang=es&scheme=dark&limit=1",
        &[],
    )
    .await;
    assert_eq!(r.status(), 200);
    assert!(!r.headers().contains_key("x-frame-options"));
    let html = r.text().await.unwrap();
    assert!(html.contains("class=\"dark\""), "dark scheme");
    assert_eq!(html.matches("class=\"card\"").count(), 1);
    assert!(html.contains("Ver el curso"));
    assert!(unescape(&html).contains("via=city-net"));
    assert!(html.contains("target=\"_top\""));
    assert!(!html.contains("<script>"), "no inline script");
    for (path, status) in [
        ("/embed/partners/city-net/collections/nothing", 404),
        ("/embed/partners/nobody/collections/picks", 404),
        ("/embed/partners/city-net/collections/picks?limit=0", 400),
        ("/embed/partners/city-net/collections/picks?limit=x", 400),
        ("/embed/partners/city-net/collections/picks?lang=zz", 400),
        (
            "/embed/partners/city-net/collections/picks?theme=%3Cb%3E",
            400,
        ),
        ("/embed/courses/no-such-course", 404),
        ("/embed/courses/BAD", 404),
    ] {
        let r = get_with(&s, path, &[]).await;
        assert_eq!(r.status(), status, "{path}");
        let html = r.text().await.unwrap();
        assert!(html.contains("class=\"message\""), "{path}: {html}");
        assert!(
            !html.contains("&lt;b&gt;") && !html.contains("<b>"),
            "{path}"
        );
    }
    // The stable script: short-lived cache, JavaScript, small.
    let r = get_with(&s, "/embed.js", &[]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "public, max-age=300");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let r = get_with(&s, "/embed.js", &[("accept-encoding", "gzip")]).await;
    let gz = r.bytes().await.unwrap().len();
    assert!(gz < 10 * 1024, "embed.js is {gz} bytes gzipped");
}

#[tokio::test]
async fn visits_and_enrolments_through_an_embed_are_attributed() {
    let (s, admin) = setup(vec![]).await;
    let (stats_key, _) = make_key(&s, &admin, "city-net", &["stats:read"]).await;
    let stats = || async {
        let (st, b, _) = status_and_json(
            get_with(
                &s,
                "/api/v1/partners/city-net/stats",
                &[("x-api-key", &stats_key)],
            )
            .await,
        )
        .await;
        assert_eq!(st, 200, "{b}");
        b
    };
    let b = stats().await;
    assert_eq!(
        (b["visits"].as_u64(), b["enrolments"].as_u64()),
        (Some(0), Some(0))
    );

    // A visit from an embed link sets the attribution cookie.
    let r = get_with(
        &s,
        "/courses/localizing-the-sdgs?via=city-net&lang=fr",
        &[("accept", "text/html")],
    )
    .await;
    assert_eq!(r.status(), 200);
    let via = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("agora_via=city-net"))
        .expect("an attribution cookie");
    assert!(via.contains("HttpOnly"));
    // Unknown partners and bad values count nothing and set nothing.
    for q in ["via=nobody", "via=%3Cscript%3E", "via="] {
        let r = get_with(
            &s,
            &format!("/courses/localizing-the-sdgs?{q}"),
            &[("accept", "text/html")],
        )
        .await;
        assert_eq!(r.status(), 200, "{q}");
        assert!(
            !r.headers()
                .get_all("set-cookie")
                .iter()
                .any(|v| v.to_str().unwrap().starts_with("agora_via")),
            "{q}"
        );
    }
    let b = stats().await;
    assert_eq!(b["visits"], 1);

    // An enrolment with the cookie (web form) is the partner's.
    let ana = s.learner("ana@city.example").await;
    let session = ana.cookie.split(';').next().unwrap().to_owned();
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(s.url("/courses/localizing-the-sdgs/enrolment"))
        .header("accept", "text/html")
        .header("cookie", format!("{session}; agora_via=city-net"))
        .form(&[("csrf", ana.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // An API enrolment naming the partner, too; enrolling again counts nothing.
    let ben = s.learner("ben@city.example").await;
    let (st, _) = s
        .call(
            &ben,
            Method::POST,
            "/api/v1/courses/voluntary-local-review/enrolment?via=city-net",
            None,
        )
        .await;
    assert_eq!(st, 201);
    let (st, _) = s
        .call(
            &ben,
            Method::POST,
            "/api/v1/courses/voluntary-local-review/enrolment?via=city-net",
            None,
        )
        .await;
    assert_eq!(st, 200);
    // Without attribution, or with a partner that does not exist: not counted, not refused.
    let (st, _) = s
        .call(
            &ben,
            Method::POST,
            "/api/v1/courses/localizing-the-sdgs/enrolment?via=nobody",
            None,
        )
        .await;
    assert_eq!(st, 201);
    let b = stats().await;
    assert_eq!(b["visits"], 1);
    assert_eq!(b["enrolments"], 2, "{b}");
    let courses = b["courses"].as_array().unwrap();
    assert_eq!(courses.len(), 2, "{b}");
    assert!(courses.iter().all(|c| c["enrolments"] == 1));
    // The administrator's page shows the same counts.
    let html = s
        .http
        .get(s.url("/admin/partners"))
        .header("accept", "text/html")
        .header("cookie", admin.cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<dd class=\"enrolments\">2</dd>"), "{html}");
    assert!(html.contains("<dd class=\"visits\">1</dd>"), "{html}");

    // The partner's own page: its key in a form (never in the address).
    let r = get_with(&s, "/partners/city-net/stats", &[("accept", "text/html")]).await;
    assert_eq!(r.status(), 200);
    let csrf_cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with("agora_csrf="))
        .expect("a CSRF cookie");
    let html = r.text().await.unwrap();
    assert!(
        !html.contains("class=\"enrolments\""),
        "figures without a key"
    );
    let at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = html[at..].split('"').next().unwrap().to_owned();
    let post = |key: String| {
        s.http
            .post(s.url("/partners/city-net/stats"))
            .header("accept", "text/html")
            .header("cookie", &csrf_cookie)
            .form(&[("csrf", csrf.clone()), ("key", key)])
            .send()
    };
    let (wrong_scope, _) = make_key(&s, &admin, "city-net", &["catalogue:read"]).await;
    for key in ["agp_wrong".to_owned(), wrong_scope, String::new()] {
        let r = post(key).await.unwrap();
        assert_eq!(r.status(), 401);
        assert!(!r.text().await.unwrap().contains("class=\"enrolments\""));
    }
    let r = post(stats_key.clone()).await.unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("<dd class=\"enrolments\">2</dd>"), "{html}");
    assert!(html.contains("voluntary-local-review"), "{html}");
    let r = get_with(&s, "/partners/nobody/stats", &[("accept", "text/html")]).await;
    assert_eq!(r.status(), 404);
}
