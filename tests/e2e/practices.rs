//! The practice library over HTTP, on the real SMTP server: a member of
//! Lyon writes a practice, a moderator asks for changes, it is resubmitted
//! and published; the library finds it by facet and by words among the
//! shipped practices; another learner writes to the city, the contact
//! shares their address, then refuses further messages; every decision is
//! in the audit log. Bad input (oversize fields and bodies, unknown codes,
//! the XSS corpus) is refused or made harmless, naming the field.

use agora_tests::{Learner, SmtpSink, TestServer, root};
use reqwest::Method;
use serde_json::{Value, json};

use super::{
    authoring::XSS,
    cohorts::{field_of, jobs_settle, ok},
    cohorts_work::PDF,
    organisations::{World, world_with},
};

pub fn practice_body(city: &str, title: &str) -> Value {
    json!({
        "city": city,
        "country": "FR",
        "population_band": "500k-1m",
        "codes": ["sdg:11", "sdg:11.5", "sendai:1", "sendai-target:b"],
        "budget_range": "50k-250k",
        "started_year": 2019,
        "duration_months": 24,
        "contact_opt_in": true,
        "default_locale": "en",
        "sources": [{ "url": "https://www.lyon.fr/plan", "title": "Flood plan" }],
        "texts": { "en": {
            "title": title,
            "summary": "Neighbourhood flood maps drawn with residents.",
            "challenge": "The **Rhône** floods.",
            "actions": "- mapped\n- trained",
            "results": "Maps in every district hall.",
            "lessons": "Start with residents. See [Helsinki](practice:helsinki-voluntary-local-review).",
            "partners": "Métropole de Lyon",
            "indicators": [{ "name": "Districts mapped", "figure": "9" }]
        } }
    })
}

/// A world with the shipped library, mail going to `sink`.
pub async fn practices_world(sink: &SmtpSink) -> World {
    world_with(vec![
        ("AGORA_SMTP_URL".into(), sink.url()),
        (
            "AGORA_PRACTICES_DIR".into(),
            root().join("practices").display().to_string(),
        ),
    ])
    .await
}

async fn status_of(
    s: &TestServer,
    who: Option<&Learner>,
    m: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    match who {
        Some(w) => s.call(w, m, path, body).await,
        None => {
            let mut r = s.http.request(m, s.url(path));
            if let Some(b) = body {
                r = r.json(&b);
            }
            let r = r.send().await.unwrap();
            let st = r.status().as_u16();
            (st, r.json().await.unwrap_or(Value::Null))
        }
    }
}

/// A PNG of 40 × 20.
pub fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(40, 20, |x, _| image::Rgb([(x * 5) as u8, 84, 91]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_with_encoder(image::codecs::png::PngEncoder::new(&mut out))
        .unwrap();
    out
}

/// Uploads a file to a practice as `who`.
pub async fn upload(
    s: &TestServer,
    who: &Learner,
    path: &str,
    name: &str,
    alt: Option<&str>,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let mut q = vec![("name", name)];
    if let Some(a) = alt {
        q.push(("alt", a));
    }
    let r = s
        .as_learner(who, Method::POST, path)
        .query(&q)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let st = r.status().as_u16();
    (st, r.json().await.unwrap_or(Value::Null))
}

fn facet<'a>(lib: &'a Value, name: &str, value: &str) -> Option<&'a Value> {
    lib["facets"]
        .as_array()?
        .iter()
        .find(|f| f["name"] == name)?["values"]
        .as_array()?
        .iter()
        .find(|v| v["value"] == value)
}

async fn audit_actions(s: &TestServer) -> Vec<String> {
    use agora_core::entities::audit_event;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    audit_event::Entity::find()
        .filter(audit_event::Column::Action.starts_with("practice."))
        .order_by_asc(audit_event::Column::At)
        .all(&s.conn().await)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect()
}

#[tokio::test]
async fn a_practice_is_reviewed_published_found_by_facet_and_its_city_contacted() {
    let sink = SmtpSink::start();
    let w = practices_world(&sink).await;
    let s = &w.s;
    let (city, other, reader, admin) = (&w.lyon_member, &w.nairobi_member, &w.learner, &w.admin);

    // The shipped library is there, in three languages.
    let (st, lib) = status_of(s, None, Method::GET, "/api/v1/practices", None).await;
    assert_eq!(st, 200);
    let shipped = lib["total"].as_u64().unwrap();
    assert!(shipped >= 12, "{lib}");
    let (st, p) = status_of(
        s,
        None,
        Method::GET,
        "/api/v1/practices/cork-lifelong-learning-festival?lang=fr",
        None,
    )
    .await;
    assert_eq!((st, p["locale"].as_str()), (200, Some("fr")), "{p}");
    assert!(!p["sources"].as_array().unwrap().is_empty());

    // Bad input names its field.
    for (change, field) in [
        (json!({ "codes": ["sdg:18"] }), "codes"),
        (json!({ "codes": ["sdg:11.9"] }), "codes"),
        (json!({ "codes": ["sendai-target:z"] }), "codes"),
        (json!({ "country": "XX" }), "country"),
        (json!({ "population_band": "huge" }), "population_band"),
        (json!({ "budget_range": "a lot" }), "budget_range"),
        (json!({ "default_locale": "de" }), "default_locale"),
        (
            json!({ "sources": [{ "url": "javascript:alert(1)", "title": "x" }] }),
            "sources.0.url",
        ),
        (json!({ "slug": "new" }), "slug"),
    ] {
        let mut body = practice_body("Lyon", "Flood maps");
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (st, b) = s
            .call(city, Method::POST, "/api/v1/practices", Some(body))
            .await;
        assert_eq!((st, field_of(&b)), (422, field), "{b}");
    }
    let mut long = practice_body("Lyon", "Flood maps");
    long["texts"]["en"]["challenge"] = json!("x".repeat(10_001));
    let (st, b) = s
        .call(city, Method::POST, "/api/v1/practices", Some(long))
        .await;
    assert_eq!((st, field_of(&b)), (422, "texts.en.challenge"), "{b}");
    let mut huge = practice_body("Lyon", "Flood maps");
    huge["texts"]["en"]["lessons"] = json!("y".repeat(300 * 1024));
    // The server answers 413 as soon as it reads the length; the client may
    // still be sending, so a closed connection is retried.
    let mut st = 0;
    for _ in 0..5 {
        let sent = s
            .as_learner(city, Method::POST, "/api/v1/practices")
            .json(&huge)
            .send()
            .await;
        if let Ok(r) = sent {
            st = r.status().as_u16();
            break;
        }
    }
    assert_eq!(st, 413);
    // Only members of an organisation share practices.
    let (st, _) = s
        .call(
            reader,
            Method::POST,
            "/api/v1/practices",
            Some(practice_body("Lyon", "x")),
        )
        .await;
    assert_eq!(st, 403);

    // Draft → submitted → changes requested → resubmitted → published.
    let mut body = practice_body("Lyon", "Flood maps drawn with residents");
    body["texts"]["fr"] = json!({
        "title": XSS[..4].join(" "),
        "summary": XSS.join(" "),
        "challenge": XSS.join("\n\n"),
        "actions": XSS.join("\n\n"),
        "results": XSS.join("\n\n"),
        "lessons": XSS.join("\n\n"),
        "partners": XSS.join(" "),
        "indicators": [{ "name": XSS[0], "figure": XSS[1] }]
    });
    let r = ok(
        s,
        city,
        Method::POST,
        "/api/v1/practices",
        Some(body.clone()),
        201,
    )
    .await;
    let slug = r["slug"].as_str().unwrap().to_owned();
    assert_eq!(slug, "lyon-flood-maps-drawn-with-residents");
    assert_eq!(r["status"], "draft");
    let public = format!("/api/v1/practices/{slug}");
    let draft = format!("{public}/draft");
    assert_eq!(status_of(s, None, Method::GET, &public, None).await.0, 404);
    assert_eq!(s.call(other, Method::GET, &draft, None).await.0, 404);
    assert_eq!(
        s.call(other, Method::PUT, &draft, Some(body.clone()))
            .await
            .0,
        404
    );
    // Files are judged by their content; an image needs its text alternative.
    let files = format!("{public}/files");
    let (st, b) = upload(
        s,
        city,
        &files,
        "plan.pdf",
        None,
        b"<html><script>x</script>".to_vec(),
    )
    .await;
    assert_eq!(
        (st, field_of(&b)),
        (422, "file"),
        "a page disguised as a PDF: {b}"
    );
    let (st, b) = upload(s, city, &files, "map.png", None, png()).await;
    assert_eq!((st, field_of(&b)), (422, "alt"), "{b}");
    let (st, _) = upload(s, other, &files, "plan.pdf", None, PDF.to_vec()).await;
    assert_eq!(st, 404);
    let (st, b) = upload(s, city, &files, "Flood plan.pdf", None, PDF.to_vec()).await;
    assert_eq!(st, 200, "{b}");
    let (st, b) = upload(s, city, &files, "map.png", Some(XSS[1]), png()).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["files"].as_array().unwrap().len(), 2, "{b}");
    let pdf_url = b["files"][0]["url"].as_str().unwrap().to_owned();
    assert!(pdf_url.ends_with(".pdf"), "{pdf_url}");
    assert_eq!(
        status_of(s, None, Method::GET, &pdf_url, None).await.0,
        404,
        "not public before publication"
    );
    ok(
        s,
        city,
        Method::POST,
        &format!("{public}/submission"),
        None,
        200,
    )
    .await;
    // Reviewers only; asking for changes needs a note.
    let review = format!("{public}/review");
    assert_eq!(
        s.call(
            city,
            Method::POST,
            &review,
            Some(json!({ "decision": "publish" }))
        )
        .await
        .0,
        403
    );
    let (st, b) = s
        .call(
            admin,
            Method::POST,
            &review,
            Some(json!({ "decision": "request_changes" })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "note"), "{b}");
    ok(
        s,
        admin,
        Method::POST,
        &review,
        Some(json!({ "decision": "request_changes", "note": "Add a figure." })),
        200,
    )
    .await;
    let rec = ok(s, city, Method::GET, &draft, None, 200).await;
    assert_eq!(
        (rec["status"].as_str(), rec["review_note"].as_str()),
        (Some("changes_requested"), Some("Add a figure."))
    );
    body["texts"]["en"]["indicators"] = json!([{ "name": "Districts mapped", "figure": "9" }, { "name": "Residents trained", "figure": "120" }]);
    ok(s, city, Method::PUT, &draft, Some(body.clone()), 200).await;
    ok(
        s,
        city,
        Method::POST,
        &format!("{public}/submission"),
        None,
        200,
    )
    .await;
    // A published practice cannot be published twice.
    ok(
        s,
        admin,
        Method::POST,
        &review,
        Some(json!({ "decision": "publish" })),
        200,
    )
    .await;
    assert_eq!(
        s.call(
            admin,
            Method::POST,
            &review,
            Some(json!({ "decision": "publish" }))
        )
        .await
        .0,
        409
    );
    assert_eq!(
        s.call(city, Method::PUT, &draft, Some(body.clone()))
            .await
            .0,
        409
    );

    // Anyone reads it; the XSS corpus leaves no live markup.
    let (st, p) = status_of(s, None, Method::GET, &format!("{public}?lang=fr"), None).await;
    assert_eq!(st, 200, "{p}");
    for f in [
        "challenge_html",
        "actions_html",
        "results_html",
        "lessons_html",
    ] {
        let html = p[f].as_str().unwrap();
        for bad in [
            "<script",
            "onerror",
            "onload",
            "ontoggle",
            "javascript:",
            "<iframe",
            "<object",
            "<svg",
        ] {
            assert!(!html.to_lowercase().contains(bad), "{f}: {html}");
        }
    }
    let (_, en) = status_of(s, None, Method::GET, &public, None).await;
    assert!(
        en["lessons_html"]
            .as_str()
            .unwrap()
            .contains("href=\"/practices/helsinki-voluntary-local-review\""),
        "{en}"
    );
    assert!(
        en["challenge_html"]
            .as_str()
            .unwrap()
            .contains("<strong>Rhône</strong>")
    );
    assert_eq!(en["images"][0]["alt"], XSS[1]);
    let r = s.http.get(s.url(&pdf_url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("Flood-plan.pdf")
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
    let (_, page_html) = super::cohorts_pages::page(s, None, &format!("/practices/{slug}")).await;
    assert!(
        page_html.contains("alt=\"&lt;img src") && !page_html.contains("<img src=x onerror"),
        "the alt text is escaped"
    );

    // Facets: counts per value, other facets applied, and words.
    let (_, lib) = status_of(s, None, Method::GET, "/api/v1/practices?country=FR", None).await;
    assert_eq!(lib["total"], 1, "{lib}");
    assert_eq!(lib["practices"][0]["slug"], slug.as_str());
    assert_eq!(facet(&lib, "country", "FR").unwrap()["selected"], true);
    assert!(
        facet(&lib, "country", "US").unwrap()["count"]
            .as_u64()
            .unwrap()
            >= 1,
        "other countries keep their counts"
    );
    assert_eq!(
        facet(&lib, "sendai", "sendai-target:b").unwrap()["count"],
        1
    );
    let (_, lib) = status_of(
        s,
        None,
        Method::GET,
        "/api/v1/practices?region=150&kind=municipality&sdg=11&population_band=500k-1m",
        None,
    )
    .await;
    let slugs: Vec<&str> = lib["practices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["slug"].as_str().unwrap())
        .collect();
    assert!(
        slugs.contains(&slug.as_str()) && !slugs.contains(&"helsinki-voluntary-local-review"),
        "{slugs:?}"
    );
    let (_, lib) = status_of(
        s,
        None,
        Method::GET,
        "/api/v1/practices?q=rh%C3%B4ne%20residents",
        None,
    )
    .await;
    assert_eq!(lib["total"], 1, "{lib}");
    let (_, lib) = status_of(s, None, Method::GET, "/api/v1/practices?q=shimokawa", None).await;
    assert_eq!(lib["practices"][0]["slug"], "shimokawa-forest-future-city");
    for bad in [
        "country=ZZ",
        "sdg=18",
        "sendai=sdg:1",
        "region=999",
        "kind=city",
        "population_band=big",
        "page=0",
    ] {
        let (st, b) = status_of(
            s,
            None,
            Method::GET,
            &format!("/api/v1/practices?{bad}"),
            None,
        )
        .await;
        assert_eq!(
            (st, field_of(&b)),
            (400, bad.split('=').next().unwrap()),
            "{bad}: {b}"
        );
    }

    // "Contact this city": the message reaches the contact, neither
    // address shows, and the contact may share theirs or refuse.
    let messages = format!("{public}/messages");
    assert_eq!(
        status_of(
            s,
            None,
            Method::POST,
            &messages,
            Some(json!({ "body": "Hi" }))
        )
        .await
        .0,
        401
    );
    let (st, b) = s
        .call(
            reader,
            Method::POST,
            &messages,
            Some(json!({ "body": " " })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "body"));
    let (st, b) = s
        .call(
            reader,
            Method::POST,
            &messages,
            Some(json!({ "body": "z".repeat(4_001) })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "body"));
    let hello = format!("How did you train residents? {}", XSS[0]);
    ok(
        s,
        reader,
        Method::POST,
        &messages,
        Some(json!({ "body": hello })),
        202,
    )
    .await;
    jobs_settle(s, "mail.practice_contact").await;
    let mail = sink.wait_for(&city.email, 1).await.pop().unwrap();
    assert!(
        mail.text.contains("How did you train residents?"),
        "{}",
        mail.text
    );
    assert!(
        !mail.raw.contains(&reader.email),
        "the sender's address is not shown"
    );
    assert!(!mail.html.contains("<script>"), "{}", mail.html);
    let refuse = mail
        .links()
        .into_iter()
        .find(|l| l.contains("/practice-messages/refusal?token="))
        .unwrap();
    let reveal = mail
        .links()
        .into_iter()
        .find(|l| l.contains("/practice-messages/reveal?token="))
        .unwrap();
    assert_eq!(
        mail.header("List-Unsubscribe").as_deref(),
        Some(format!("<{refuse}>").as_str())
    );
    // A GET only asks; the POST shares the address with the sender, once.
    let r = s.http.get(&reveal).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = s
        .http
        .post(&reveal)
        .form(&[("x", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    jobs_settle(s, "mail.practice_reveal").await;
    let shared = sink.wait_for(&reader.email, 1).await.pop().unwrap();
    assert!(shared.text.contains(&city.email), "{}", shared.text);
    // The contact refuses further messages in one click (RFC 8058).
    let r = s
        .http
        .post(&refuse)
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (st, b) = s
        .call(
            reader,
            Method::POST,
            &messages,
            Some(json!({ "body": "Again?" })),
        )
        .await;
    assert_eq!(st, 403, "{b}");
    let bad = s
        .http
        .post(s.url("/practice-messages/refusal?token=pm_nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 404);
    // Others may still write, within the rate limit.
    for _ in 0..3 {
        ok(
            s,
            other,
            Method::POST,
            &messages,
            Some(json!({ "body": "Hello from Nairobi" })),
            202,
        )
        .await;
    }
    let (st, _) = s
        .call(
            other,
            Method::POST,
            &messages,
            Some(json!({ "body": "Once more" })),
        )
        .await;
    assert_eq!(st, 429);
    jobs_settle(s, "mail.practice_contact").await;

    // Unpublishing takes it out of the library; each decision is audited.
    ok(
        s,
        admin,
        Method::POST,
        &review,
        Some(json!({ "decision": "unpublish" })),
        200,
    )
    .await;
    assert_eq!(status_of(s, None, Method::GET, &public, None).await.0, 404);
    let (_, lib) = status_of(s, None, Method::GET, "/api/v1/practices", None).await;
    assert_eq!(lib["total"].as_u64().unwrap(), shipped);
    assert_eq!(
        audit_actions(s).await,
        [
            "practice.submit",
            "practice.request_changes",
            "practice.submit",
            "practice.publish",
            "practice.unpublish"
        ]
    );
    let subs = ok(
        s,
        admin,
        Method::GET,
        "/api/v1/practice-submissions",
        None,
        200,
    )
    .await;
    assert!(
        subs.as_array()
            .unwrap()
            .iter()
            .any(|p| p["slug"] == slug.as_str())
    );
    let subs = ok(
        s,
        other,
        Method::GET,
        "/api/v1/practice-submissions",
        None,
        200,
    )
    .await;
    assert_eq!(subs, json!([]));
}
