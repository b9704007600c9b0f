//! A `did:web` issuer (issue 20): with an https `AGORA_PUBLIC_URL`, the
//! credentials name `did:web:<host>`, `/.well-known/did.json` serves the
//! keys, and the independent npm verifier (reading that document and the
//! status list from the test server in place of the public host) accepts
//! them; after `agora credentials rotate-key`, an earlier credential still
//! verifies and the document lists both keys.

use agora_tests::{TestServer, run_agora};
use serde_json::{Value, json};

use super::credentials::{
    agora_verify, complete, mine, npm_verify_published, server_options, wait_for_credentials,
};

const PUBLIC_URL: &str = "https://agora.example";
const DID: &str = "did:web:agora.example";

/// The DID document the server serves, and its verification method ids.
async fn did_document(s: &TestServer) -> (Value, Vec<String>) {
    let r = s.get("/.well-known/did.json").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/did+json");
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["id"], DID, "{doc}");
    let methods: Vec<String> = doc["verificationMethod"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            assert_eq!(m["type"], "Multikey", "{m}");
            assert_eq!(m["controller"], DID, "{m}");
            assert!(
                m["publicKeyMultibase"]
                    .as_str()
                    .unwrap()
                    .starts_with("z6Mk"),
                "{m}"
            );
            m["id"].as_str().unwrap().to_owned()
        })
        .collect();
    // Every key may sign credentials (assertionMethod), retired ones included.
    let assertion: Vec<String> = doc["assertionMethod"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(assertion, methods, "{doc}");
    (doc, methods)
}

#[tokio::test]
async fn a_did_web_issuer_serves_its_keys_and_rotation_keeps_earlier_credentials_verifiable() {
    let mut opts = server_options();
    opts.env
        .push(("AGORA_PUBLIC_URL".into(), format!("{PUBLIC_URL}/")));
    let s = TestServer::start_with(opts).await;
    let courses = agora_tests::shipped_courses();

    let first_holder = s.learner("first@city.example").await;
    complete(&s, &first_holder, &courses[0]).await;
    wait_for_credentials(&s, 1).await;
    let first = mine(&s, &first_holder).await.remove(0)["credential"].clone();
    assert_eq!(first["issuer"]["id"], DID, "{first}");
    assert_eq!(first["issuer"]["url"], format!("{PUBLIC_URL}/"), "{first}");
    let first_method = first["proof"]["verificationMethod"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(first_method.starts_with(&format!("{DID}#")), "{first}");
    assert_eq!(
        first["credentialStatus"]["statusListCredential"],
        format!("{PUBLIC_URL}/api/v1/credentials/status/1")
    );
    let (_, methods) = did_document(&s).await;
    assert_eq!(methods, std::slice::from_ref(&first_method));
    assert_eq!(agora_verify(&s, &first).await["status"], "valid");

    // The independent verifier resolves did:web:agora.example to
    // https://agora.example/.well-known/did.json, served by the test server.
    let mut tampered = first.clone();
    tampered["credentialSubject"]["name"] = json!("Someone Else");
    let verdicts = npm_verify_published(
        &s,
        Some(PUBLIC_URL),
        &[
            ("first".into(), first.clone()),
            ("tampered".into(), tampered),
        ],
    );
    assert_eq!(verdicts[0].1, "valid", "{verdicts:?}");
    assert!(verdicts[1].1.starts_with("invalid"), "{verdicts:?}");

    // A new key: the earlier one stays in the document.
    let out = run_agora(&s.db, s.data.path(), &["credentials", "rotate-key"]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, methods) = did_document(&s).await;
    assert_eq!(methods.len(), 2, "{methods:?}");
    assert!(methods.contains(&first_method), "{methods:?}");

    // Credentials from now on are signed with the new key.
    let second_holder = s.learner("second@city.example").await;
    complete(&s, &second_holder, &courses[1]).await;
    wait_for_credentials(&s, 2).await;
    let second = mine(&s, &second_holder).await.remove(0)["credential"].clone();
    let second_method = second["proof"]["verificationMethod"].as_str().unwrap();
    assert_ne!(second_method, first_method);
    assert!(methods.iter().any(|m| m == second_method), "{methods:?}");

    // Both verify, by Agora and by the npm verifier, and revocation still
    // reaches the earlier one through the status list the new key signs.
    for c in [&first, &second] {
        assert_eq!(agora_verify(&s, c).await["status"], "valid");
    }
    let admin = s.admin("admin@agora.example").await;
    let code = mine(&s, &second_holder).await[0]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = s
        .call(
            &admin,
            reqwest::Method::POST,
            &format!("/api/v1/admin/certificates/{code}/revocation"),
            Some(json!({ "reason": "issued by mistake" })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let verdicts = npm_verify_published(
        &s,
        Some(PUBLIC_URL),
        &[
            ("first, signed before the rotation".into(), first.clone()),
            ("second, revoked".into(), second.clone()),
        ],
    );
    assert_eq!(
        verdicts,
        [
            ("first, signed before the rotation".into(), "valid".into()),
            ("second, revoked".into(), "revoked".into()),
        ]
    );
    assert_eq!(agora_verify(&s, &second).await["status"], "revoked");
}
