//! Two rules of the LRS that clients rely on: statements that target a
//! matching statement (by `StatementRef`, through any chain) match a query
//! too, and a signed statement whose JWS carries a certificate is verified
//! against it. The signatures are made by `tests/support/xapi_sign.py` with
//! the independent `jwcrypto` and `cryptography` packages.

use std::{
    io::Write,
    process::{Command, Stdio},
};

use agora_tests::TestServer;
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::xapi::{Creds, create_client, lrs, npm_validate};

fn statement(verb: &str, object: Value) -> Value {
    json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "actor": { "objectType": "Agent", "mbox": "mailto:planner@city.example" },
        "verb": { "id": format!("https://agora.example/verbs/{verb}"), "display": { "en-US": verb } },
        "object": object,
    })
}

fn reference(target: &Value) -> Value {
    json!({ "objectType": "StatementRef", "id": target["id"] })
}

async fn post(server: &TestServer, c: &Creds, s: &Value) {
    let r = lrs(server, c, Method::POST, "statements")
        .json(s)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

async fn ids(server: &TestServer, c: &Creds, query: &str) -> Vec<String> {
    let page: Value = lrs(server, c, Method::GET, &format!("statements?{query}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn statements_targeting_a_match_are_returned_and_certificates_verify_signatures() {
    let server = TestServer::start().await;
    let w = create_client(&server, "read,write");

    // A matching statement, a statement about it, a statement about that
    // one, and a statement about something else.
    let matched = statement(
        "shared",
        json!({ "id": "https://agora.example/practices/flood-maps" }),
    );
    let other = statement(
        "viewed",
        json!({ "id": "https://agora.example/practices/other" }),
    );
    let comment = statement("commented", reference(&matched));
    let reply = statement("replied", reference(&comment));
    let elsewhere = statement("commented", reference(&other));
    for s in [&matched, &other, &comment, &reply, &elsewhere] {
        post(&server, &w, s).await;
    }
    let verb = urlencoding("https://agora.example/verbs/shared");
    let found = ids(&server, &w, &format!("verb={verb}")).await;
    let id = |s: &Value| s["id"].as_str().unwrap().to_owned();
    assert_eq!(found, vec![id(&reply), id(&comment), id(&matched)]);

    // Voided, the statement itself is gone from queries, and the voiding
    // statement, which targets it, is found by its verb.
    let void = json!({
        "actor": { "mbox": "mailto:admin@city.example" },
        "verb": { "id": "http://adlnet.gov/expapi/verbs/voided", "display": { "en-US": "voided" } },
        "object": reference(&matched),
    });
    post(&server, &w, &void).await;
    let found = ids(&server, &w, &format!("verb={verb}")).await;
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(!found.contains(&id(&matched)));
    assert!(found.contains(&id(&comment)) && found.contains(&id(&reply)));
    // `limit` applies to what is returned, newest first.
    assert_eq!(
        ids(&server, &w, &format!("verb={verb}&limit=1"))
            .await
            .len(),
        1
    );
    // A filter nothing matches still returns nothing.
    let nothing = urlencoding("https://agora.example/verbs/none");
    assert!(
        ids(&server, &w, &format!("verb={nothing}"))
            .await
            .is_empty()
    );

    // Signed statements.
    let signed = statement(
        "completed",
        json!({ "id": "https://agora.example/courses/localizing-the-sdgs" }),
    );
    // Signed as sent: verified against the certificate in `x5c`.
    let jws = sign(&signed);
    let (status, body) = send_signed(&server, &w, signed.clone(), tok(&jws, "good")).await;
    assert_eq!(status, 200, "{body}");
    // Each kind of signature on a statement of its own.
    for (name, want) in [
        ("rs512", 200),
        ("no_x5c", 200),
        ("other_key", 400),
        ("hs256", 400),
    ] {
        let mut s = signed.clone();
        s["id"] = json!(uuid::Uuid::new_v4().to_string());
        let (status, body) = send_signed(&server, &w, s.clone(), tok(&sign(&s), name)).await;
        assert_eq!(status, want, "{name}: {body}");
        if want == 400 {
            assert!(body.contains("signature"), "{name}: {body}");
        }
    }
    // The payload must be this statement: another id, or a result added
    // after signing, is refused.
    let mut again = signed.clone();
    again["id"] = json!(uuid::Uuid::new_v4().to_string());
    let resigned = sign(&again);
    let mut other_id = again.clone();
    other_id["id"] = json!(uuid::Uuid::new_v4().to_string());
    let mut changed = again.clone();
    changed["result"] = json!({ "success": true });
    for s in [other_id, changed] {
        let (status, body) = send_signed(&server, &w, s, tok(&resigned, "good")).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("payload"), "{body}");
    }
    // Nothing refused was stored.
    assert_eq!(
        lrs(
            &server,
            &w,
            Method::GET,
            &format!("statements?statementId={}", again["id"].as_str().unwrap())
        )
        .send()
        .await
        .unwrap()
        .status(),
        404
    );
    let all: Value = lrs(&server, &w, Method::GET, "statements")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let errors = npm_validate(all["statements"].as_array().unwrap());
    assert!(errors.is_empty(), "{errors:#?}");
}

fn tok(jws: &Value, name: &str) -> String {
    jws[name].as_str().unwrap().to_owned()
}

fn urlencoding(s: &str) -> String {
    super::xapi::urlencode(s)
}

/// The JWS of `s` made by the independent signer, by kind.
fn sign(s: &Value) -> Value {
    let mut child = Command::new(agora_tests::test_python())
        .arg(agora_tests::root().join("tests/support/xapi_sign.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the test Python runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(s.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "xapi_sign.py failed");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Posts `s` with its signature attachment; the status and the body.
async fn send_signed(server: &TestServer, c: &Creds, mut s: Value, jws: String) -> (u16, String) {
    let sha = hex::encode(Sha256::digest(jws.as_bytes()));
    s["attachments"] = json!([{
        "usageType": "http://adlnet.gov/expapi/attachments/signature",
        "display": { "en-US": "Signature" },
        "contentType": "application/octet-stream",
        "length": jws.len(),
        "sha2": sha,
    }]);
    let body = format!(
        "--sig\r\nContent-Type: application/json\r\n\r\n{s}\r\n--sig\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {sha}\r\n\r\n{jws}\r\n--sig--\r\n"
    );
    let r = lrs(server, c, Method::POST, "statements")
        .header("Content-Type", "multipart/mixed; boundary=sig")
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}
