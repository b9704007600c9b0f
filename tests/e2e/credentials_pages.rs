//! The holder's credential downloads and LinkedIn link on the certificate
//! page, and the public page that checks a pasted credential or a baked
//! badge image: over HTTP (bad input gets a readable page), and in headless
//! Chromium with axe-core, in English and Spanish.

use agora_core::credentials::bake;
use agora_tests::{
    Learner, TestServer,
    browser::{Browser, axe_source, look},
};
use reqwest::Method;
use serde_json::{Value, json};

use super::credentials::{complete, mine, server_options, wait_for_credentials};

/// Posts the check form as `who` (or signed out) with `csrf`: the
/// pasted text and an optional file, as a browser sends them (multipart).
pub(super) async fn post_check(
    s: &TestServer,
    who: Option<&Learner>,
    csrf: &str,
    pasted: &str,
    file: Option<(&str, &[u8])>,
) -> (u16, String) {
    let boundary = "agora-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, value) in [("csrf", csrf), ("credential", pasted)] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    let (file_name, bytes) = file.unwrap_or(("", &[]));
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut r = reqwest::Client::new()
        .post(s.url("/credentials/verify"))
        .header("accept", "text/html")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        );
    if let Some(who) = who {
        r = r.header("cookie", who.cookie.split(';').next().unwrap());
    }
    let r = r.body(body).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn page(s: &TestServer, who: &Learner, path: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(s.url(path))
        .header("accept", "text/html")
        .header("cookie", who.cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap()
}

/// An attribute value as the browser reads it (what Handlebars escapes).
fn unescape(attr: &str) -> String {
    attr.replace("&#x3D;", "=")
        .replace("&#x27;", "'")
        .replace("&#x60;", "`")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A learner with one credential: its code and the signed document.
async fn holder(s: &TestServer, email: &str, issued: u64) -> (Learner, String, Value) {
    let l = s.learner(email).await;
    let course = &agora_tests::shipped_courses()[0];
    complete(s, &l, course).await;
    wait_for_credentials(s, issued).await;
    let c = mine(s, &l).await.remove(0);
    let code = c["code"].as_str().unwrap().to_owned();
    (l, code, c["credential"].clone())
}

#[tokio::test]
async fn the_holder_takes_the_badge_away_and_anyone_checks_it_on_the_page() {
    let s = TestServer::start_with(server_options()).await;
    let (l, code, vc) = holder(&s, "holder@city.example", 1).await;

    // The holder's certificate page offers the JSON, PNG, SVG and LinkedIn.
    let html = page(&s, &l, &format!("/certificates/{code}"))
        .await
        .text()
        .await
        .unwrap();
    for link in ["json", "png", "svg"] {
        assert!(
            html.contains(&format!("/certificates/{code}/credential/{link}")),
            "{link}"
        );
    }
    let linkedin = html
        .split("href=\"")
        .filter_map(|h| h.split('"').next())
        .map(unescape)
        .find(|h| h.starts_with("https://www.linkedin.com/profile/add?"))
        .unwrap_or_else(|| panic!("no LinkedIn link: {html}"));
    let query: std::collections::HashMap<String, String> = url::Url::parse(&linkedin)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    let year = time::OffsetDateTime::now_utc().year().to_string();
    let course = mine(&s, &l).await[0]["course_title"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(query["startTask"], "CERTIFICATION_NAME");
    assert_eq!(query["name"], course);
    assert!(!query["organizationName"].is_empty(), "{query:?}");
    assert_eq!(query["issueYear"], year);
    assert!(
        (1..=12).contains(&query["issueMonth"].parse::<u8>().unwrap()),
        "{query:?}"
    );
    assert_eq!(query["certUrl"], s.url(&format!("/certificates/{code}")));
    assert_eq!(query["certId"], code);

    // The downloads carry the same credential; another reader gets none.
    let r = page(&s, &l, &format!("/certificates/{code}/credential/json")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), vc);
    let r = page(&s, &l, &format!("/certificates/{code}/credential/png")).await;
    assert_eq!(r.headers()["content-type"], "image/png");
    let png = r.bytes().await.unwrap().to_vec();
    assert_eq!(
        serde_json::from_str::<Value>(&bake::from_png(&png).unwrap()).unwrap(),
        vc
    );
    let r = page(&s, &l, &format!("/certificates/{code}/credential/svg")).await;
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    let svg = r.text().await.unwrap();
    let other = s.learner("other@city.example").await;
    for f in ["json", "png", "svg"] {
        let r = page(&s, &other, &format!("/certificates/{code}/credential/{f}")).await;
        assert_eq!(r.status(), 404, "{f}");
    }
    assert_eq!(
        page(&s, &l, &format!("/certificates/{code}/credential/gif"))
            .await
            .status(),
        404
    );
    let other_html = page(&s, &other, &format!("/certificates/{code}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!other_html.contains("/credential/json"));

    // The check page: anyone (here another learner) pastes or uploads.
    let text = vc.to_string();
    let (st, body) = post_check(&s, Some(&other), &other.csrf, &text, None).await;
    assert_eq!(st, 200, "{body}");
    assert!(
        body.contains("Valid: this credential was issued here"),
        "{body}"
    );
    // A credential that holds says whose it is, for what, by whom.
    let course = vc["credentialSubject"]["achievement"]["name"]
        .as_str()
        .unwrap();
    let issuer = vc["issuer"]["name"].as_str().unwrap();
    for said in ["Awarded to", course, "Issued by", issuer, "Issued on"] {
        assert!(body.contains(said), "{said}: {body}");
    }
    let (st, body) = post_check(&s, Some(&other), &other.csrf, "", Some(("badge.png", &png))).await;
    assert_eq!(st, 200);
    assert!(
        body.contains("Valid: this credential was issued here"),
        "{body}"
    );
    let (st, body) = post_check(
        &s,
        Some(&other),
        &other.csrf,
        "",
        Some(("badge.svg", svg.as_bytes())),
    )
    .await;
    assert_eq!(st, 200);
    assert!(
        body.contains("Valid: this credential was issued here"),
        "{body}"
    );
    let mut tampered = vc.clone();
    tampered["credentialSubject"]["achievement"]["name"] = json!("A course never taken");
    let (st, body) = post_check(&s, Some(&other), &other.csrf, &tampered.to_string(), None).await;
    assert_eq!(st, 200);
    assert!(body.contains("Not valid"), "{body}");
    // A tampered credential's words are not repeated as if they were true.
    assert!(!body.contains("Awarded to"), "{body}");
    assert!(body.contains("changed after it was signed"), "{body}");

    // Bad input gets a readable page, never a server error.
    for (pasted, file, says) in [
        ("{ not json", None, "it is not valid JSON"),
        ("", None, "Paste a credential"),
        (
            "",
            Some(("x.png", b"\x89PNG\r\n\x1a\nrubbish".as_slice())),
            "no credential baked in",
        ),
        (
            "",
            Some(("x.txt", b"hello".as_slice())),
            "no credential baked in",
        ),
        ("[1, 2]", None, "Not valid"),
    ] {
        let (st, body) = post_check(&s, Some(&other), &other.csrf, pasted, file).await;
        assert!(st == 422 || st == 200, "{says}: {st}");
        assert!(body.contains(says), "{says}: {body}");
        assert!(body.contains("<textarea"), "{says}");
    }
    let big = "x".repeat(1024 * 1024 + 10);
    let (st, body) = post_check(&s, Some(&other), &other.csrf, &big, None).await;
    assert_eq!(st, 422);
    assert!(body.contains("too large to be a credential"), "{body}");
    // Without the form's token, nothing is checked.
    let (st, _) = post_check(&s, Some(&other), "forged", &text, None).await;
    assert_eq!(st, 403);
}

struct Words {
    lang: &'static str,
    valid: &'static str,
    revoked: &'static str,
    invalid: &'static str,
    /// Why each stands or does not.
    why_valid: &'static str,
    why_revoked: &'static str,
    tampered: &'static str,
}

const EN: Words = Words {
    lang: "en",
    valid: "Valid: this credential was issued here",
    revoked: "Revoked: this credential was issued here",
    invalid: "Not valid: this credential cannot be trusted.",
    why_valid: "Why: The signature matches a key of this site",
    why_revoked: "the certificate it stands for was revoked",
    tampered: "Why: The signature does not match: the credential was changed after it was signed.",
};

const ES: Words = Words {
    lang: "es",
    valid: "Válida: esta credencial se emitió aquí",
    revoked: "Revocada: esta credencial se emitió aquí",
    invalid: "No válida: esta credencial no es fiable.",
    why_valid: "Motivo: La firma coincide con una clave de este sitio",
    why_revoked: "el certificado que acredita fue revocado",
    tampered: "Motivo: La firma no coincide: la credencial se modificó después de firmarse.",
};

async fn check_in_the_browser(w: &Words) {
    let s = TestServer::start_with(server_options()).await;
    let (_, code, vc) = holder(&s, "holder@city.example", 1).await;
    let (_, revoked_code, revoked) = holder(&s, "revoked@city.example", 2).await;
    assert_ne!(code, revoked_code);
    let admin = s.admin("admin@agora.example").await;
    let (st, body) = s
        .call(
            &admin,
            Method::POST,
            &format!("/api/v1/admin/certificates/{revoked_code}/revocation"),
            Some(json!({ "reason": "issued by mistake" })),
        )
        .await;
    assert_eq!(st, 200, "{body}");
    let mut tampered = vc.clone();
    tampered["credentialSubject"]["name"] = json!("Someone Else");

    let b = Browser::start(true, w.lang).await;
    let axe = axe_source();
    b.goto(&s.url("/credentials/verify")).await;
    look(&b, &axe, &format!("credential-check-{}-form", w.lang)).await;
    for (name, doc, says) in [
        ("valid", &vc, [w.valid, w.why_valid]),
        ("revoked", &revoked, [w.revoked, w.why_revoked]),
        ("tampered", &tampered, [w.invalid, w.tampered]),
    ] {
        b.goto(&s.url("/credentials/verify")).await;
        b.script(
            "document.querySelector('#credential').value = arguments[0];",
            json!([doc.to_string()]),
        )
        .await;
        b.submit("form[action='/credentials/verify'] button").await;
        // The answer comes back on the same address: wait for it.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while b.try_find("[role=status]").await.is_none() {
            assert!(std::time::Instant::now() < deadline, "{name}: no answer");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let status = b.text("[role=status]").await;
        for said in says {
            assert!(status.contains(said), "{name}: {status}");
        }
        assert_eq!(
            b.attribute(&b.find("html").await, "lang").await.as_deref(),
            Some(w.lang)
        );
        look(&b, &axe, &format!("credential-check-{}-{name}", w.lang)).await;
    }
}

#[tokio::test]
async fn the_check_page_in_chromium_in_english() {
    check_in_the_browser(&EN).await;
}

#[tokio::test]
async fn the_check_page_in_chromium_in_spanish() {
    check_in_the_browser(&ES).await;
}
