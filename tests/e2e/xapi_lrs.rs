//! The learning record store at `/xapi/` as an LRS client sees it: the
//! version header, credentials and scopes, storing, conflicts, voiding,
//! filters and `more`, documents with their ETags, the alternate request
//! syntax and attachments; and who may issue credentials.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::xapi::{Creds, create_client, fixture_server, lrs, npm_validate, urlencode};

fn statement(n: u32) -> Value {
    json!({
        "actor": { "objectType": "Agent", "mbox": format!("mailto:learner{n}@city.example") },
        "verb": { "id": "http://adlnet.gov/expapi/verbs/experienced", "display": { "en-US": "experienced" } },
        "object": { "id": format!("https://lms.example/activities/{n}"), "definition": { "name": { "en-US": "Activity" } } },
        "context": { "registration": "a6d56c9c-46a4-4e6e-9d6e-1f6a4a3c2b10" }
    })
}

async fn status(r: reqwest::RequestBuilder) -> u16 {
    r.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn statements_are_stored_found_voided_and_refused_as_the_spec_says() {
    let (server, _dir) = fixture_server(vec![]).await;
    let w = create_client(&server, "read,write");
    let ro = create_client(&server, "read");
    // About needs no credentials; everything else needs the version and credentials.
    let about = server
        .http
        .get(server.url("/xapi/about"))
        .send()
        .await
        .unwrap();
    assert_eq!(about.headers()["x-experience-api-version"], "1.0.3");
    let about: Value = about.json().await.unwrap();
    assert!(
        about["version"]
            .as_array()
            .unwrap()
            .contains(&json!("1.0.3"))
    );
    let plain = server
        .http
        .get(server.url("/xapi/statements"))
        .basic_auth(&w.key, Some(&w.secret));
    assert_eq!(status(plain).await, 400, "the version header is required");
    let anon = server
        .http
        .get(server.url("/xapi/statements"))
        .header("X-Experience-API-Version", "1.0.3");
    assert_eq!(status(anon).await, 401);
    let wrong = Creds {
        key: w.key.clone(),
        secret: "nope".into(),
    };
    assert_eq!(
        status(lrs(&server, &wrong, Method::GET, "statements")).await,
        401
    );

    // POST a batch, PUT one with its id; a repeat is accepted, a change is a conflict.
    let batch: Vec<Value> = (0..5).map(statement).collect();
    let r = lrs(&server, &w, Method::POST, "statements")
        .json(&batch)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let ids: Vec<String> = r.json().await.unwrap();
    assert_eq!(ids.len(), 5);
    let id = "0d4b4c6e-3c55-4e0b-8ae0-5f2e3f1b2a90";
    let put = |body: Value| {
        lrs(
            &server,
            &w,
            Method::PUT,
            &format!("statements?statementId={id}"),
        )
        .json(&body)
    };
    assert_eq!(status(put(statement(9))).await, 204);
    assert_eq!(
        status(put(statement(9))).await,
        204,
        "the same statement again"
    );
    assert_eq!(
        status(put(statement(8))).await,
        409,
        "another under the same id"
    );
    assert_eq!(
        status(lrs(&server, &ro, Method::POST, "statements").json(&statement(1))).await,
        403
    );
    // Malformed statements are refused, never a 5xx.
    let mut two_ids = statement(1);
    two_ids["actor"]["openid"] = json!("https://id.example/1");
    for bad in [
        json!({}),
        json!([1]),
        two_ids,
        json!({ "actor": 1, "verb": 2, "object": 3 }),
    ] {
        assert_eq!(
            status(lrs(&server, &w, Method::POST, "statements").json(&bad)).await,
            400,
            "{bad}"
        );
    }

    // GET one; filters; `more` pages without repeats.
    let got: Value = lrs(
        &server,
        &ro,
        Method::GET,
        &format!("statements?statementId={id}"),
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(got["id"], id);
    assert_eq!(got["authority"]["account"]["name"], w.key);
    let agent = urlencode(&json!({ "mbox": "mailto:learner3@city.example" }).to_string());
    let page: Value = lrs(
        &server,
        &ro,
        Method::GET,
        &format!("statements?agent={agent}"),
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(page["statements"].as_array().unwrap().len(), 1);
    let activity = urlencode("https://lms.example/activities/2");
    let page: Value = lrs(
        &server,
        &ro,
        Method::GET,
        &format!("statements?activity={activity}&format=ids"),
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert!(page["statements"][0]["object"].get("definition").is_none());
    let first: Value = lrs(&server, &ro, Method::GET, "statements?limit=4")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first["statements"].as_array().unwrap().len(), 4);
    let more = first["more"]
        .as_str()
        .unwrap()
        .strip_prefix("/xapi/")
        .unwrap()
        .to_owned();
    let rest: Value = lrs(&server, &ro, Method::GET, &more)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rest["statements"].as_array().unwrap().len(), 2);
    assert_eq!(rest["more"], "");
    assert_eq!(
        status(lrs(&server, &ro, Method::GET, "statements?foo=1")).await,
        400
    );

    // Voiding: the target is then found only by voidedStatementId.
    let void = json!({
        "actor": { "mbox": "mailto:admin@city.example" },
        "verb": { "id": "http://adlnet.gov/expapi/verbs/voided", "display": { "en-US": "voided" } },
        "object": { "objectType": "StatementRef", "id": ids[0] }
    });
    assert_eq!(
        status(lrs(&server, &w, Method::POST, "statements").json(&void)).await,
        200
    );
    assert_eq!(
        status(lrs(
            &server,
            &ro,
            Method::GET,
            &format!("statements?statementId={}", ids[0])
        ))
        .await,
        404
    );
    assert_eq!(
        status(lrs(
            &server,
            &ro,
            Method::GET,
            &format!("statements?voidedStatementId={}", ids[0])
        ))
        .await,
        200
    );

    // The alternate request syntax: a form POST with the method in the query.
    let form = format!(
        "statementId={id}&X-Experience-API-Version=1.0.3&Authorization={}",
        urlencode(&format!("Basic {}", base64_pair(&ro)))
    );
    let r = server
        .http
        .post(server.url("/xapi/statements?method=GET"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Attachments travel in multipart/mixed, named by their SHA-256.
    let content = b"a certificate scan";
    let sha = hex::encode(Sha256::digest(content));
    let mut with = statement(7);
    with["attachments"] = json!([{ "usageType": "https://lms.example/usage/scan", "display": { "en-US": "Scan" },
        "contentType": "text/plain", "length": content.len(), "sha2": sha }]);
    let body = multipart(&with, content, &sha);
    let r = lrs(&server, &w, Method::POST, "statements")
        .header("Content-Type", "multipart/mixed; boundary=xyz")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let wrong_hash = multipart(&with, b"something else", &sha);
    let r = lrs(&server, &w, Method::POST, "statements")
        .header("Content-Type", "multipart/mixed; boundary=xyz")
        .body(wrong_hash)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // What was stored is valid for the independent validator too.
    let all: Value = lrs(&server, &ro, Method::GET, "statements")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let errors = npm_validate(all["statements"].as_array().unwrap());
    assert!(errors.is_empty(), "{errors:#?}");
}

fn base64_pair(c: &Creds) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", c.key, c.secret))
}

fn multipart(statement: &Value, content: &[u8], sha: &str) -> Vec<u8> {
    let mut b = format!(
        "--xyz\r\nContent-Type: application/json\r\n\r\n{statement}\r\n--xyz\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {sha}\r\n\r\n"
    )
    .into_bytes();
    b.extend_from_slice(content);
    b.extend_from_slice(b"\r\n--xyz--\r\n");
    b
}

#[tokio::test]
async fn documents_keep_their_etags_and_credentials_are_an_admins_to_issue() {
    let (server, _dir) = fixture_server(vec![]).await;
    let w = create_client(&server, "read,write");
    let agent = urlencode(&json!({ "mbox": "mailto:ana@city.example" }).to_string());
    let state = format!(
        "activities/state?activityId={}&agent={agent}&stateId=bookmark",
        urlencode("https://lms.example/a")
    );
    let r = lrs(&server, &w, Method::PUT, &state)
        .json(&json!({ "page": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = lrs(&server, &w, Method::POST, &state)
        .json(&json!({ "done": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = lrs(&server, &w, Method::GET, &state).send().await.unwrap();
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({ "page": 1, "done": false })
    );

    let profile = format!("agents/profile?agent={agent}&profileId=prefs");
    let create = lrs(&server, &w, Method::PUT, &profile).json(&json!({ "a": 1 }));
    assert_eq!(
        status(create).await,
        400,
        "a profile is created with If-None-Match: *"
    );
    let create = lrs(&server, &w, Method::PUT, &profile)
        .header("If-None-Match", "*")
        .json(&json!({ "a": 1 }));
    assert_eq!(status(create).await, 204);
    // An existing profile is replaced only by a conditional write.
    assert_eq!(
        status(lrs(&server, &w, Method::PUT, &profile).json(&json!({ "a": 2 }))).await,
        409
    );
    let r = lrs(&server, &w, Method::PUT, &profile)
        .header("If-Match", "\"stale\"")
        .json(&json!({ "a": 2 }));
    assert_eq!(status(r).await, 412);
    let r = lrs(&server, &w, Method::PUT, &profile)
        .header("If-None-Match", "*")
        .json(&json!({ "a": 2 }));
    assert_eq!(status(r).await, 412);
    let current = lrs(&server, &w, Method::GET, &profile)
        .send()
        .await
        .unwrap();
    let tag = current.headers()["etag"].to_str().unwrap().to_owned();
    let r = lrs(&server, &w, Method::PUT, &profile)
        .header("If-Match", tag)
        .json(&json!({ "a": 2 }));
    assert_eq!(status(r).await, 204);
    let ids: Value = lrs(
        &server,
        &w,
        Method::GET,
        &format!("agents/profile?agent={agent}"),
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(ids, json!(["prefs"]));
    assert_eq!(status(lrs(&server, &w, Method::DELETE, &state)).await, 204);
    assert_eq!(status(lrs(&server, &w, Method::GET, &state)).await, 404);
    assert!(!etag.is_empty());

    // Issuing and revoking credentials: admins only.
    let learner = server.learner("lea@city.gov").await;
    let author = server.author("kim@city.gov").await;
    let admin = server.admin("root@city.gov").await;
    let body = json!({ "name": "Moodle analytics", "scopes": ["own", "write"] });
    let anon = server
        .http
        .post(server.url("/api/v1/admin/xapi-clients"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
    for (who, expected) in [(&learner, 403), (&author, 403)] {
        for (m, p) in [
            (Method::GET, "/api/v1/admin/xapi-clients"),
            (Method::POST, "/api/v1/admin/xapi-clients"),
        ] {
            let (s, _) = server.call(who, m, p, Some(body.clone())).await;
            assert_eq!(s, expected, "{} {p}", who.email);
        }
    }
    let (s, created) = server
        .call(
            &admin,
            Method::POST,
            "/api/v1/admin/xapi-clients",
            Some(body),
        )
        .await;
    assert_eq!(s, 201, "{created}");
    let own = Creds {
        key: created["client"]["key"].as_str().unwrap().into(),
        secret: created["secret"].as_str().unwrap().into(),
    };
    // `own` reads only its own statements.
    assert_eq!(
        status(lrs(&server, &own, Method::POST, "statements").json(&statement(1))).await,
        200
    );
    assert_eq!(
        status(lrs(&server, &w, Method::POST, "statements").json(&statement(2))).await,
        200
    );
    let page: Value = lrs(&server, &own, Method::GET, "statements")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["statements"].as_array().unwrap().len(), 1);
    let (s, list) = server
        .call(&admin, Method::GET, "/api/v1/admin/xapi-clients", None)
        .await;
    assert_eq!((s, list.as_array().unwrap().len()), (200, 2));
    assert!(
        list.to_string().find(&own.secret).is_none(),
        "secrets are never listed"
    );
    let path = format!(
        "/api/v1/admin/xapi-clients/{}",
        created["client"]["id"].as_str().unwrap()
    );
    let (s, _) = server.call(&learner, Method::DELETE, &path, None).await;
    assert_eq!(s, 403);
    let (s, _) = server.call(&admin, Method::DELETE, &path, None).await;
    assert_eq!(s, 204);
    assert_eq!(
        status(lrs(&server, &own, Method::GET, "statements")).await,
        401
    );
}
