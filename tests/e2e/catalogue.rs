//! Browsing the catalogue through the JSON API.

use agora_tests::TestServer;
use serde_json::Value;

fn slugs(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["slug"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn first_start_serves_the_shipped_courses() {
    let server = TestServer::start().await;
    let (status, body) = server.get_json("/api/v1/courses?per_page=100").await;
    assert_eq!(status, 200, "{body}");
    let slugs = slugs(&body);
    assert!(
        slugs.contains(&"localizing-the-sdgs".to_owned()),
        "{slugs:?}"
    );
    assert!(
        slugs.contains(&"localizing-sendai-framework".to_owned()),
        "{slugs:?}"
    );
    assert_eq!(body["total"].as_u64().unwrap() as usize, slugs.len());
    for c in body["items"].as_array().unwrap() {
        assert!(c["module_count"].as_u64().unwrap() >= 3, "{c}");
        assert!(
            c["available_locales"]
                .as_array()
                .unwrap()
                .contains(&Value::from("en"))
        );
    }
    assert!(
        server.logs().contains("importing the shipped courses"),
        "{}",
        server.logs()
    );
}

#[tokio::test]
async fn pagination_filters_and_sort() {
    let server = TestServer::start().await;
    let (_, all) = server
        .get_json("/api/v1/courses?per_page=100&sort=title")
        .await;
    let total = all["total"].as_u64().unwrap();
    assert!(total >= 2);
    let titles: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    let mut sorted = titles.clone();
    sorted.sort_by_key(|t| t.to_lowercase());
    assert_eq!(titles, sorted);

    let (_, page1) = server
        .get_json("/api/v1/courses?per_page=1&page=1&sort=title")
        .await;
    let (_, page2) = server
        .get_json("/api/v1/courses?per_page=1&page=2&sort=title")
        .await;
    assert_eq!(page1["items"].as_array().unwrap().len(), 1);
    assert_eq!(page1["total_pages"].as_u64().unwrap(), total);
    assert_ne!(slugs(&page1), slugs(&page2));
    assert_eq!(slugs(&page1)[0], slugs(&all)[0]);

    // A page past the end is empty, not an error.
    let (status, past) = server
        .get_json(&format!("/api/v1/courses?page={}", total + 5))
        .await;
    assert_eq!(status, 200);
    assert!(past["items"].as_array().unwrap().is_empty());

    // Themes: the Sendai course carries Sendai priorities; the SDG introduction does not.
    let (_, sendai) = server
        .get_json("/api/v1/courses?theme=sendai:1&per_page=100")
        .await;
    assert!(slugs(&sendai).contains(&"localizing-sendai-framework".to_owned()));
    assert!(!slugs(&sendai).contains(&"localizing-the-sdgs".to_owned()));
    let (_, both) = server
        .get_json("/api/v1/courses?theme=sendai:1&theme=sdg:13&per_page=100")
        .await;
    for c in both["items"].as_array().unwrap() {
        assert!(
            c["themes"]["sendai"]
                .as_array()
                .unwrap()
                .contains(&Value::from(1))
        );
        assert!(
            c["themes"]["sdgs"]
                .as_array()
                .unwrap()
                .contains(&Value::from(13))
        );
    }

    let (_, beginners) = server
        .get_json("/api/v1/courses?level=beginner&per_page=100")
        .await;
    assert!(!beginners["items"].as_array().unwrap().is_empty());
    assert!(
        beginners["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["level"] == "beginner")
    );

    let (_, french) = server
        .get_json("/api/v1/courses?language=fr&per_page=100")
        .await;
    assert!(french["items"].as_array().unwrap().iter().all(|c| {
        c["available_locales"]
            .as_array()
            .unwrap()
            .contains(&Value::from("fr"))
    }));

    let (_, by_length) = server
        .get_json("/api/v1/courses?sort=-duration&per_page=100")
        .await;
    let d: Vec<u64> = by_length["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["duration_minutes"].as_u64().unwrap())
        .collect();
    assert!(d.windows(2).all(|w| w[0] >= w[1]), "{d:?}");
}

#[tokio::test]
async fn content_follows_the_requested_locale_with_fallback() {
    let dir = agora_tests::TempDir::new();
    agora_tests::write_fixture_course(dir.path(), "fixture-course");
    let server = TestServer::start_with(agora_tests::ServerOptions {
        courses_dir: Some(dir.path().to_owned()),
        ..Default::default()
    })
    .await;

    let (_, en) = server.get_json("/api/v1/courses/fixture-course").await;
    assert_eq!(en["locale"], "en");
    assert_eq!(en["title"], "Fixture course");
    assert_eq!(en["available_locales"], serde_json::json!(["en", "fr"]));

    let (_, fr) = server
        .get_json("/api/v1/courses/fixture-course?lang=fr")
        .await;
    assert_eq!(fr["locale"], "fr");
    assert_eq!(fr["title"], "Cours d'essai");
    // Translated lesson in French; the untranslated ones fall back to English.
    let lessons = &fr["modules"][0]["lessons"];
    assert_eq!(lessons[0]["title"], "Introduction (fr)");
    assert_eq!(lessons[1]["title"], "Worksheet");
    assert_eq!(fr["modules"][0]["title"], "Premier module");

    // Accept-Language when there is no ?lang=, ranked by quality.
    let r = server
        .http
        .get(server.url("/api/v1/courses/fixture-course"))
        .header("Accept-Language", "de-DE,de;q=0.9,fr-CA;q=0.8,en;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-language"], "fr");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["locale"], "fr");

    // ?lang= wins over Accept-Language.
    let r = server
        .http
        .get(server.url("/api/v1/courses/fixture-course?lang=en"))
        .header("Accept-Language", "fr")
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["locale"], "en");

    // A language Agora does not have falls back to the course default.
    let (status, es) = server
        .get_json("/api/v1/courses/fixture-course?lang=es")
        .await;
    assert_eq!(status, 200);
    assert_eq!(es["locale"], "en");
    let (status, de) = server.get_json("/api/v1/courses?lang=de").await;
    assert_eq!(status, 200);
    assert_eq!(de["items"][0]["locale"], "en");

    // Descriptions are rendered to safe HTML with course links resolved.
    assert!(
        en["description_html"]
            .as_str()
            .unwrap()
            .contains("/courses/fixture-course/lessons/intro"),
        "{en}"
    );
}

#[tokio::test]
async fn catalogue_reads_carry_etags_and_answer_304() {
    let server = TestServer::start().await;
    for path in [
        "/api/v1/courses",
        "/api/v1/courses/localizing-the-sdgs?lang=fr",
    ] {
        let r = server.get(path).await;
        assert_eq!(r.status(), 200);
        let cache = r.headers()["cache-control"].to_str().unwrap().to_owned();
        assert!(
            cache.contains("public") && cache.contains("max-age"),
            "{cache}"
        );
        assert_eq!(r.headers()["vary"], "Accept-Language");
        let etag = r.headers()["etag"].to_str().unwrap().to_owned();
        let body = r.bytes().await.unwrap();
        assert!(!body.is_empty());

        let again = server
            .http
            .get(server.url(path))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304);
        assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
        assert!(again.bytes().await.unwrap().is_empty());

        let stale = server
            .http
            .get(server.url(path))
            .header("If-None-Match", "\"other\"")
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), 200);
    }
    // Another locale is another representation with another tag.
    let en = server
        .get("/api/v1/courses/localizing-the-sdgs?lang=en")
        .await;
    let fr = server
        .get("/api/v1/courses/localizing-the-sdgs?lang=fr")
        .await;
    assert_ne!(en.headers()["etag"], fr.headers()["etag"]);
}

#[tokio::test]
async fn one_course_with_its_outline() {
    let server = TestServer::start().await;
    let (status, c) = server
        .get_json("/api/v1/courses/localizing-sendai-framework")
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["slug"], "localizing-sendai-framework");
    let modules = c["modules"].as_array().unwrap();
    assert!(modules.len() >= 3);
    for m in modules {
        let lessons = m["lessons"].as_array().unwrap();
        assert!(!lessons.is_empty());
        assert!(
            lessons.iter().any(|l| l["kind"] == "quiz"),
            "every module has a quiz: {m}"
        );
        for l in lessons {
            assert!(uuid::Uuid::parse_str(l["id"].as_str().unwrap()).is_ok());
            assert!(!l["title"].as_str().unwrap().is_empty());
        }
    }
    assert!(!c["objectives"].as_array().unwrap().is_empty());
    assert!(!c["description_html"].as_str().unwrap().contains("<script"));
}

#[tokio::test]
async fn a_course_lists_the_documents_it_cites() {
    let server = TestServer::start().await;
    for slug in [
        "localizing-sendai-framework",
        "peer-learning-and-cooperation",
    ] {
        let expected = agora_tests::shipped_sources(slug);
        assert!(!expected.as_array().unwrap().is_empty(), "{slug}");
        for lang in ["en", "fr", "es"] {
            let (status, c) = server
                .get_json(&format!("/api/v1/courses/{slug}?lang={lang}"))
                .await;
            assert_eq!(status, 200, "{c}");
            // Exactly title, publisher, year and url, in the course's order.
            assert_eq!(c["sources"], expected, "{slug} {lang}");
        }
    }
}

#[tokio::test]
async fn the_shipped_courses_are_listed_in_every_locale() {
    let server = TestServer::start().await;
    let expected = agora_tests::shipped_courses();
    assert!(expected.len() >= 7, "{expected:?}");
    let mut titles = std::collections::BTreeSet::new();
    for lang in ["en", "fr", "es"] {
        let (status, body) = server
            .get_json(&format!(
                "/api/v1/courses?lang={lang}&language={lang}&per_page=100"
            ))
            .await;
        assert_eq!(status, 200, "{body}");
        let mut got = slugs(&body);
        got.sort();
        assert_eq!(got, expected, "{lang}");
        for c in body["items"].as_array().unwrap() {
            assert_eq!(c["locale"], lang, "{c}");
            assert_eq!(
                c["available_locales"],
                serde_json::json!(["en", "fr", "es"]),
                "{c}"
            );
            titles.insert(c["title"].as_str().unwrap().to_owned());
        }
    }
    // Every course has its own title in each language.
    assert_eq!(titles.len(), 3 * expected.len(), "{titles:?}");
}
