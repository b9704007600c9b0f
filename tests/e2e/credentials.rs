//! Open Badges 3.0 credentials (issue 20), checked by Agora and by an
//! independent verifier: Digital Bazaar's libraries from npm, run by node
//! with a document loader that refuses the network
//! (`tests/vc-verifier/verify.mjs`).

use std::{
    path::PathBuf,
    process::Command,
    time::{Duration, Instant},
};

use agora_core::{
    credentials::{bake, did, keys, proof},
    entities::{credential, enrolment},
    jobs,
    learning::CourseCompleted,
};
use agora_tests::{Learner, ServerOptions, TempDir, TestServer};
use reqwest::Method;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{Value, json};
use time::OffsetDateTime;

/// Where the verifier runs: beside its installed packages (scripts/test
/// caches them outside the clone), else in the source folder.
fn verifier_dir() -> PathBuf {
    let source = agora_tests::root().join("tests/vc-verifier");
    let Some(modules) = std::env::var_os("AGORA_TEST_VC_VERIFIER_MODULES") else {
        return source;
    };
    let dir = PathBuf::from(modules).parent().unwrap().to_owned();
    std::fs::copy(source.join("verify.mjs"), dir.join("verify.mjs")).unwrap();
    dir
}

/// The independent verdict on each named credential: valid, revoked or invalid.
fn npm_verify(server: &TestServer, creds: &[(String, Value)]) -> Vec<(String, String)> {
    npm_verify_published(server, None, creds)
}

/// The same, for a server that publishes another address (an https
/// `AGORA_PUBLIC_URL`): the verifier reads what lives under it (the
/// did:web document, the status list) from the server under test.
pub(super) fn npm_verify_published(
    server: &TestServer,
    public_url: Option<&str>,
    creds: &[(String, Value)],
) -> Vec<(String, String)> {
    let dir = verifier_dir();
    assert!(
        dir.join("node_modules/@digitalbazaar/vc").is_dir(),
        "the verifier's packages are missing: `npm ci` in {} (scripts/test does it)",
        dir.display()
    );
    let tmp = TempDir::new();
    let input = tmp.path().join("credentials.json");
    let list: Vec<Value> = creds
        .iter()
        .map(|(name, c)| json!({ "name": name, "credential": c }))
        .collect();
    std::fs::write(&input, serde_json::to_vec(&list).unwrap()).unwrap();
    let out = Command::new("node")
        .current_dir(&dir)
        .arg("verify.mjs")
        .arg(server.url(""))
        .arg(&input)
        .args(public_url)
        .output()
        .expect("node (installed by scripts/test)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the verifier failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = serde_json::from_str(stdout.trim()).expect("one JSON line");
    results
        .into_iter()
        .map(|r| {
            let status = r["status"].as_str().unwrap().to_owned();
            let shown = match r["error"].as_str() {
                Some(e) => format!("{status}: {e}"),
                None => status,
            };
            (r["name"].as_str().unwrap().to_owned(), shown)
        })
        .collect()
}

pub(super) async fn agora_verify(server: &TestServer, c: &Value) -> Value {
    let (status, body) = server
        .post_json("/api/v1/credentials/verify", c.clone())
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Enrols through the API, then completes the course the way the last
/// lesson does: `completed_at` and the `course_completed` job together.
pub(super) async fn complete(server: &TestServer, l: &Learner, slug: &str) {
    let (status, body) = server
        .call(
            l,
            Method::POST,
            &format!("/api/v1/courses/{slug}/enrolment"),
            None,
        )
        .await;
    assert_eq!(status, 201, "{slug}: {body}");
    let conn = server.conn().await;
    let user = agora_core::entities::user::Entity::find()
        .filter(agora_core::entities::user::Column::Email.eq(l.email.to_lowercase()))
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    let course = agora_core::entities::course::Entity::find()
        .filter(agora_core::entities::course::Column::Slug.eq(slug))
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    let e = enrolment::Entity::find()
        .filter(enrolment::Column::UserId.eq(user.id))
        .filter(enrolment::Column::CourseId.eq(course.id))
        .one(&conn)
        .await
        .unwrap()
        .expect("the enrolment");
    let mut active: enrolment::ActiveModel = e.clone().into();
    active.completed_at = Set(Some(OffsetDateTime::now_utc()));
    active.update(&conn).await.unwrap();
    jobs::enqueue(&conn, &CourseCompleted { enrolment_id: e.id })
        .await
        .unwrap();
}

pub(super) async fn wait_for_credentials(server: &TestServer, n: u64) {
    let conn = server.conn().await;
    let deadline = Instant::now() + Duration::from_secs(180);
    while credential::Entity::find().count(&conn).await.unwrap() < n {
        assert!(
            Instant::now() < deadline,
            "credentials missing:\n{}",
            server.logs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(super) async fn mine(server: &TestServer, l: &Learner) -> Vec<Value> {
    let (status, body) = server
        .call(l, Method::GET, "/api/v1/me/credentials", None)
        .await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

pub(super) fn server_options() -> ServerOptions {
    ServerOptions {
        courses_dir: None,
        env: vec![("AGORA_JOB_RETRY_SECONDS".into(), "1".into())],
    }
}

#[tokio::test]
async fn thirty_credentials_in_three_locales_pass_an_independent_verifier() {
    let server = TestServer::start_with(server_options()).await;
    let courses = agora_tests::shipped_courses();
    assert!(courses.len() >= 3);
    let mut learners = Vec::new();
    for i in 0..10 {
        let l = server.learner(&format!("learner{i}@city.example")).await;
        // One course per locale: the credential speaks the learner's locale.
        for (k, locale) in ["en", "fr", "es"].iter().enumerate() {
            let (status, body) = server
                .call(
                    &l,
                    Method::PATCH,
                    "/api/v1/me",
                    Some(json!({ "locale": locale })),
                )
                .await;
            assert_eq!(status, 200, "{body}");
            complete(&server, &l, &courses[(i + 3 * k) % courses.len()]).await;
            wait_for_credentials(&server, (i * 3 + k + 1) as u64).await;
        }
        learners.push(l);
    }
    let mut all = Vec::new();
    let mut locales = std::collections::BTreeMap::<String, usize>::new();
    for (i, l) in learners.iter().enumerate() {
        let creds = mine(&server, l).await;
        assert_eq!(creds.len(), 3, "{creds:?}");
        for c in creds {
            let vc = c["credential"].clone();
            assert_eq!(c["status"], "valid");
            assert_eq!(
                vc["type"],
                json!(["VerifiableCredential", "OpenBadgeCredential"])
            );
            assert_eq!(vc["proof"]["cryptosuite"], "eddsa-rdfc-2022");
            let achievement = &vc["credentialSubject"]["achievement"];
            *locales
                .entry(achievement["inLanguage"].as_str().unwrap().to_owned())
                .or_default() += 1;
            assert_eq!(achievement["name"], c["course_title"]);
            assert!(
                achievement["alignment"]
                    .as_array()
                    .is_some_and(|a| !a.is_empty())
            );
            // The learner is a salted hash, never the plain address.
            assert!(!vc.to_string().contains(&l.email), "{vc}");
            assert_eq!(vc["credentialSubject"]["identifier"][0]["hashed"], true);
            assert_eq!(agora_verify(&server, &vc).await["status"], "valid");
            all.push((format!("learner{i}/{}", c["code"].as_str().unwrap()), vc));
        }
    }
    assert_eq!(
        locales.values().copied().collect::<Vec<_>>(),
        [10, 10, 10],
        "{locales:?}"
    );
    let verdicts = npm_verify(&server, &all);
    assert_eq!(verdicts.len(), 30);
    for (name, verdict) in verdicts {
        assert_eq!(verdict, "valid", "{name}");
    }
}

/// A copy of `vc` with a new proof by `key` under `method`.
pub(super) async fn resigned(vc: &Value, key: &keys::IssuerKey, method: &str) -> Value {
    let mut unsigned = vc.clone();
    unsigned.as_object_mut().unwrap().remove("proof");
    proof::sign(unsigned, key, method, OffsetDateTime::now_utc())
        .await
        .unwrap()
}

#[tokio::test]
async fn tampered_foreign_unsafe_expired_and_revoked_credentials_are_caught() {
    let server = TestServer::start_with(server_options()).await;
    let l = server.learner("holder@city.example").await;
    let course = &agora_tests::shipped_courses()[0];
    complete(&server, &l, course).await;
    wait_for_credentials(&server, 1).await;
    let c = mine(&server, &l).await.remove(0);
    let (code, vc) = (
        c["code"].as_str().unwrap().to_owned(),
        c["credential"].clone(),
    );

    // The holder (and admins) read it by code; anyone else is told it does not exist.
    let path = format!("/api/v1/me/credentials/{code}");
    let (status, body) = server.call(&l, Method::GET, &path, None).await;
    assert_eq!((status, &body), (200, &vc));
    let other = server.learner("other@city.example").await;
    assert_eq!(server.call(&other, Method::GET, &path, None).await.0, 404);

    // Baked into a PNG and an SVG: the same credential comes back out, and
    // the independent verifier accepts what was extracted.
    let png = server
        .as_learner(&l, Method::GET, &format!("{path}/badge/png"))
        .send()
        .await
        .unwrap();
    assert_eq!(png.status(), 200);
    assert_eq!(png.headers()["content-type"], "image/png");
    let png = png.bytes().await.unwrap();
    let from_png: Value =
        serde_json::from_str(&bake::from_png(&png).expect("an iTXt chunk")).unwrap();
    let (status, svg) = server
        .as_learner(&l, Method::GET, &format!("{path}/badge/svg"))
        .send()
        .await
        .map(|r| (r.status().as_u16(), r))
        .unwrap();
    assert_eq!(status, 200);
    let svg = svg.text().await.unwrap();
    assert!(svg.contains("xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\""));
    let from_svg: Value =
        serde_json::from_str(&bake::from_svg(&svg).expect("an openbadges:credential")).unwrap();
    assert_eq!((&from_png, &from_svg), (&vc, &vc));
    let baked = [
        ("baked png".to_owned(), from_png),
        ("baked svg".to_owned(), from_svg),
    ];
    for (name, verdict) in npm_verify(&server, &baked) {
        assert_eq!(verdict, "valid", "{name}");
    }
    let other_png = server
        .call(&other, Method::GET, &format!("{path}/badge/png"), None)
        .await;
    assert_eq!(other_png.0, 404);

    let conn = server.conn().await;
    let key = keys::active(&conn, None).await.unwrap();
    let public_url = url::Url::parse(&server.url("")).unwrap();
    let (_, method) = did::signer_ids(&public_url, &key.name, &key.public_multibase());
    assert_eq!(vc["proof"]["verificationMethod"], method);

    let mut tampered = vc.clone();
    tampered["credentialSubject"]["achievement"]["name"] = json!("A course never taken");
    let stranger = keys::IssuerKey::unrelated();
    let wrong_key = resigned(&vc, &stranger, &method).await;
    let mut unknown_term = vc.clone();
    unknown_term["credentialSubject"]["favouriteColour"] = json!("green");
    let unknown_term = resigned(&unknown_term, &key, &method).await;
    let mut expired = vc.clone();
    expired["validUntil"] = json!("2026-01-01T00:00:00Z");
    let expired = resigned(&expired, &key, &method).await;

    let cases = [
        ("tampered", tampered.clone()),
        ("wrong key", wrong_key.clone()),
        ("unknown term", unknown_term.clone()),
        ("expired", expired.clone()),
    ];
    let named: Vec<(String, Value)> = cases
        .iter()
        .map(|(n, c)| (n.to_string(), c.clone()))
        .collect();
    for (name, verdict) in npm_verify(&server, &named) {
        assert!(verdict.starts_with("invalid"), "{name}: {verdict}");
    }
    // Agora's own check says why.
    for (c, why) in [
        (&tampered, "changed after it was signed"),
        (&wrong_key, "changed after it was signed"),
        (&expired, "expired"),
        (
            &unknown_term,
            "which the signature does not cover: favouriteColour",
        ),
    ] {
        let v = agora_verify(&server, c).await;
        assert_eq!(v["status"], "invalid", "{v}");
        assert!(v["reason"].as_str().unwrap().contains(why), "{v}");
    }

    // Revoked by an admin: both verifiers report it as revoked.
    let admin = server.admin("admin@agora.example").await;
    let (status, body) = server
        .call(
            &admin,
            Method::POST,
            &format!("/api/v1/admin/certificates/{code}/revocation"),
            Some(json!({ "reason": "issued by mistake" })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(agora_verify(&server, &vc).await["status"], "revoked");
    let verdicts = npm_verify(&server, &[("revoked".into(), vc.clone())]);
    assert_eq!(verdicts[0].1, "revoked", "{verdicts:?}");

    // The status list is public, signed and cacheable.
    let r = server.get("/api/v1/credentials/status/1").await;
    assert_eq!(r.status(), 200);
    let cache = r.headers()["cache-control"].to_str().unwrap().to_owned();
    assert!(cache.contains("max-age=300"), "{cache}");
    let list: Value = r.json().await.unwrap();
    assert_eq!(list["proof"]["cryptosuite"], "eddsa-rdfc-2022");
    assert_eq!(
        server.get("/api/v1/credentials/status/2").await.status(),
        404
    );
    // No https: the issuer is a did:key, and there is no did:web document.
    assert!(
        vc["issuer"]["id"]
            .as_str()
            .unwrap()
            .starts_with("did:key:z6Mk")
    );
    assert_eq!(server.get("/.well-known/did.json").await.status(), 404);
}
