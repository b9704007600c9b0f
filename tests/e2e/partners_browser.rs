//! The partner embeds in headless Chromium: a static page served from
//! another origin (another port) embeds the script and the iframe. The
//! cards render in the requested language, links lead to the course, the
//! iframe sizes itself, an enrolment through the embed is attributed, and an
//! origin the partner did not allow is refused by CORS.

use std::time::{Duration, Instant};

use agora_tests::{PASSWORD, TestServer, browser::Browser, free_port};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::partners::{make_key, make_partner, put_collection};

/// A tiny static web server answering every request with `html`, as a
/// partner's site would; stopped when the test's runtime ends.
async fn static_site(html: String) -> String {
    let port = free_port();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind the partner site");
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let html = html.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut got = Vec::new();
                // Read the request head; the body (none for GET) is ignored.
                while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                }
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n",
                    html.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(html.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

fn partner_page(agora: &str) -> String {
    format!(
        r##"<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Réseau des villes</title></head>
<body>
<h1>Nos cours</h1>
<script src="{agora}/embed.js" async data-partner="city-net" data-collection="picks" data-lang="fr" data-limit="2" data-color-scheme="dark"></script>
<h2>En iframe</h2>
<iframe id="frame" src="{agora}/embed/partners/city-net/collections/picks?lang=fr" title="Cours Agora" style="width:100%;border:0"></iframe>
<div id="bad"></div>
<script src="{agora}/embed.js" async data-partner="city-net" data-collection="picks" data-limit="zero" data-target="#bad"></script>
<div id="unknown"></div>
<script src="{agora}/embed.js" async data-partner="city-net" data-collection="nothing" data-target="#unknown"></script>
</body></html>"##
    )
}

/// Polls a script until it returns something other than null or false.
async fn wait_for(b: &Browser, script: &str, what: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = b.script(script, json!([])).await;
        if !v.is_null() && v != Value::Bool(false) {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "{what} never happened on {}:\n{}",
            b.url().await,
            b.source().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn embeds_render_size_link_attribute_and_respect_cors_in_chromium() {
    let s = TestServer::start().await;
    let admin = s.admin("admin@agora.example").await;
    let allowed = static_site(partner_page(&s.base)).await;
    let refused = static_site(partner_page(&s.base)).await;
    make_partner(&s, &admin, "city-net", &[&allowed]).await;
    let (st, body) = put_collection(
        &s,
        &admin,
        "city-net",
        "picks",
        json!({ "title": "Nos choix", "courses": ["localizing-the-sdgs", "voluntary-local-review", "building-a-learning-city"] }),
    )
    .await;
    assert_eq!(st, 201, "{body}");
    let (stats_key, _) = make_key(&s, &admin, "city-net", &["stats:read"]).await;
    let (_, french) = s
        .get_json("/api/v1/partners/city-net/collections/picks?lang=fr&limit=2")
        .await;
    let french_titles: Vec<String> = french["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(french_titles.len(), 2);
    s.learner("ana@city.example").await;

    let b = Browser::start(true, "en").await;
    b.goto(&allowed).await;

    // The script's cards, in French, inside a Shadow DOM.
    wait_for(
        &b,
        "var h = document.querySelector('.agora-embed'); return h && h.getAttribute('data-agora-ready');",
        "the script's cards",
    )
    .await;
    let cards = b
        .script(
            "return Array.from(document.querySelector('.agora-embed').shadowRoot.querySelectorAll('li')).map(function (li) { var a = li.querySelector('a'); return { title: a.textContent, href: a.href, lang: li.getAttribute('lang'), text: li.textContent }; });",
            json!([]),
        )
        .await;
    let cards = cards.as_array().expect("cards").clone();
    assert_eq!(cards.len(), 2, "data-limit=2: {cards:?}");
    for (card, title) in cards.iter().zip(&french_titles) {
        assert_eq!(card["title"], title.as_str());
        assert_eq!(card["lang"], "fr");
        assert!(card["text"].as_str().unwrap().contains("Langues"), "{card}");
        let href = card["href"].as_str().unwrap();
        assert!(href.starts_with(&format!("{}/courses/", s.base)), "{href}");
        assert!(href.contains("via=city-net"), "{href}");
    }
    // The cards live in the shadow tree, not in the partner's document.
    assert_eq!(
        b.script("return document.querySelectorAll('li').length", json!([]))
            .await,
        0
    );
    let dark = b
        .script(
            "return document.querySelector('.agora-embed').shadowRoot.querySelector('.w').className",
            json!([]),
        )
        .await;
    assert!(dark.as_str().unwrap().contains("dark"), "{dark}");

    // Bad attributes and unknown collections: a clear message, no cards.
    let bad = wait_for(
        &b,
        "return document.querySelector('#bad').getAttribute('data-agora-error');",
        "the error for a bad attribute",
    )
    .await;
    assert!(bad.as_str().unwrap().contains("data-limit"), "{bad}");
    let unknown = wait_for(
        &b,
        "return document.querySelector('#unknown').getAttribute('data-agora-error');",
        "the error for an unknown collection",
    )
    .await;
    assert!(unknown.as_str().unwrap().contains("not found"), "{unknown}");

    // The iframe sizes itself to its content (not the default 150 px).
    let height = wait_for(
        &b,
        "var f = document.getElementById('frame'); return f.getAttribute('data-agora-sized') && f.getBoundingClientRect().height;",
        "the iframe sized to its content",
    )
    .await;
    let height = height.as_f64().unwrap();
    assert!(height > 200.0, "the iframe is {height} px high");
    let declared = b
        .script(
            "return parseInt(document.getElementById('frame').style.height, 10)",
            json!([]),
        )
        .await;
    assert_eq!(declared.as_f64().unwrap().round(), height.round());

    // Following a card's link: the course page, in French, remembered for the partner.
    b.script(
        "document.querySelector('.agora-embed').shadowRoot.querySelector('a').click()",
        json!([]),
    )
    .await;
    wait_for(
        &b,
        &format!(
            "return location.href.indexOf({:?}) === 0 && document.readyState === 'complete';",
            format!("{}/courses/", s.base)
        ),
        "the course page",
    )
    .await;
    assert_eq!(b.text("main h1").await, french_titles[0]);
    assert_eq!(b.cookie("agora_via").await.as_deref(), Some("city-net"));

    // Sign in from the course page, come back, enrol: the partner's enrolment.
    b.click_and_wait("a.button[href^='/sign-in']").await;
    b.type_into("#email", "ana@city.example").await;
    b.type_into("#password", PASSWORD).await;
    b.submit("main form button").await;
    assert!(b.url().await.contains("/courses/"), "{}", b.url().await);
    b.submit("form[action$='/enrolment'] button").await;
    assert!(b.url().await.contains("/lessons/"), "{}", b.url().await);
    let stats = s
        .http
        .request(Method::GET, s.url("/api/v1/partners/city-net/stats"))
        .header("x-api-key", &stats_key)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(stats["enrolments"], 1, "{stats}");
    assert!(stats["visits"].as_u64().unwrap() >= 1, "{stats}");

    // From an origin the partner did not allow, the browser refuses the answer.
    b.goto(&refused).await;
    let err = wait_for(
        &b,
        "var h = document.querySelector('.agora-embed'); return h && h.getAttribute('data-agora-error');",
        "the CORS refusal",
    )
    .await;
    assert!(
        err.as_str().unwrap().contains("could not be loaded"),
        "{err}"
    );
    assert_eq!(
        b.script(
            "return document.querySelector('.agora-embed').shadowRoot.querySelectorAll('li').length",
            json!([])
        )
        .await,
        0
    );
}
