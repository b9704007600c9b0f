//! Offline learning (issue 23): the installable app. The manifest in each
//! language with its icons, the service worker at the root scope, the
//! offline page in the learner's language, who may fetch them, and what
//! they weigh on the wire.

use agora_tests::{Learner, TestServer};
use reqwest::Method;
use serde_json::Value;

async fn get(server: &TestServer, path: &str, who: Option<&Learner>) -> reqwest::Response {
    let mut r = server.http.get(server.url(path));
    if let Some(l) = who {
        r = r.header("cookie", l.cookie.split(';').next().unwrap());
    }
    r.send().await.expect("request")
}

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The size of a response on the wire, gzipped as a browser asks for it.
async fn gzipped(server: &TestServer, path: &str, who: Option<&Learner>) -> usize {
    let mut r = server
        .http
        .get(server.url(path))
        .header("accept-encoding", "gzip");
    if let Some(l) = who {
        r = r.header("cookie", l.cookie.split(';').next().unwrap());
    }
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    assert_eq!(header(&r, "content-encoding"), "gzip", "{path}");
    r.bytes().await.unwrap().len()
}

#[tokio::test]
async fn the_app_installs_in_the_learners_language() {
    let server = TestServer::start().await;
    let ana = server.learner("ana@city.gov").await;
    for (lang, description) in [
        ("en", "Free courses for local governments, also offline."),
        (
            "fr",
            "Des cours gratuits pour les collectivités locales, même hors ligne.",
        ),
        (
            "es",
            "Cursos gratuitos para gobiernos locales, también sin conexión.",
        ),
    ] {
        let r = get(&server, &format!("/manifest.webmanifest?lang={lang}"), None).await;
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "content-type"), "application/manifest+json");
        let m: Value = r.json().await.unwrap();
        assert_eq!(m["name"], "Agora");
        assert_eq!(m["lang"], lang);
        assert_eq!(m["description"], description);
        assert_eq!(m["start_url"], format!("/my-learning?lang={lang}"));
        assert_eq!(
            (m["scope"].as_str(), m["display"].as_str()),
            (Some("/"), Some("standalone"))
        );
        assert_eq!(m["theme_color"], "#14545b");
        let icons = m["icons"].as_array().unwrap();
        assert_eq!(icons.len(), 2);
        for (icon, size) in icons.iter().zip([192u32, 512]) {
            assert_eq!(icon["sizes"], format!("{size}x{size}"));
            let r = get(&server, icon["src"].as_str().unwrap(), None).await;
            assert_eq!(
                (r.status().as_u16(), header(&r, "content-type")),
                (200, "image/png".into())
            );
            let png = r.bytes().await.unwrap();
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
            let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
            let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
            assert_eq!((width, height), (size, size));
        }

        // Every page links the manifest of its language.
        let html = get(&server, &format!("/?lang={lang}"), None)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            html.contains(&format!(
                "<link rel=\"manifest\" href=\"/manifest.webmanifest?lang={lang}\">"
            )),
            "{html}"
        );

        // The service worker, for the whole site, caching this language's
        // offline page.
        let r = get(&server, &format!("/sw.js?lang={lang}"), None).await;
        assert_eq!(r.status(), 200);
        assert!(header(&r, "content-type").starts_with("text/javascript"));
        assert_eq!(header(&r, "cache-control"), "no-cache");
        let js = r.text().await.unwrap();
        assert!(js.contains(&format!("\"/offline?lang={lang}\"")), "{js}");
        for placeholder in ["__VERSION__", "__ASSETS__", "__OFFLINE__"] {
            assert!(!js.contains(placeholder), "{placeholder} is filled");
        }
    }
    // The pages' policy lets the manifest and the worker load.
    let r = get(&server, "/", None).await;
    let csp = header(&r, "content-security-policy");
    assert!(
        csp.contains("manifest-src 'self'") && csp.contains("worker-src 'self'"),
        "{csp}"
    );

    // The offline page, for anyone, in their language (a signed-in
    // learner's saved language wins, like on every page).
    for (path, who, text) in [
        ("/offline", None, "You are offline"),
        ("/offline?lang=fr", None, "Vous êtes hors ligne"),
        ("/offline?lang=es", None, "Estás sin conexión"),
        // A learner's page comes in their saved language (English here).
        ("/offline?lang=es", Some(&ana), "You are offline"),
    ] {
        let r = get(&server, path, who).await;
        assert_eq!(r.status(), 200, "{path}");
        let html = r.text().await.unwrap();
        assert!(html.contains(text), "{path}: {html}");
        assert!(html.contains("href=\"/my-learning\""), "{path}");
    }
    // The manifest and the worker are the same for a signed-in learner.
    for path in ["/manifest.webmanifest?lang=en", "/sw.js?lang=en"] {
        assert_eq!(get(&server, path, Some(&ana)).await.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn lesson_pages_and_the_worker_stay_light() {
    let server = TestServer::start().await;
    let ana = server.learner("ana@city.gov").await;
    let slug = "localizing-the-sdgs";
    let (status, _) = server
        .call(
            &ana,
            Method::POST,
            &format!("/api/v1/courses/{slug}/enrolment"),
            None,
        )
        .await;
    assert_eq!(status, 201);
    let (_, course) = server.get_json(&format!("/api/v1/courses/{slug}")).await;
    let keys: Vec<String> = course["modules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["lessons"].as_array().unwrap().iter())
        .map(|l| l["key"].as_str().unwrap().to_owned())
        .collect();
    assert!(keys.len() > 3);
    for key in &keys {
        let path = format!("/courses/{slug}/lessons/{key}");
        let size = gzipped(&server, &path, Some(&ana)).await;
        assert!(size < 30 * 1024, "{path} is {size} bytes gzipped");
    }
    let size = gzipped(&server, "/sw.js", None).await;
    assert!(size < 15 * 1024, "sw.js is {size} bytes gzipped");
}

/// Saving a course for offline: the list of what to download is for
/// enrolled learners only, and every address on it opens for them.
#[tokio::test]
async fn the_offline_list_is_for_enrolled_learners_and_every_address_opens() {
    let server = TestServer::start().await;
    let slug = "localizing-the-sdgs";
    let list = format!("/api/v1/courses/{slug}/offline");
    let ana = server.learner("ana@city.gov").await;
    let ben = server.learner("ben@city.gov").await;
    let (status, _) = server
        .call(
            &ana,
            Method::POST,
            &format!("/api/v1/courses/{slug}/enrolment"),
            None,
        )
        .await;
    assert_eq!(status, 201);
    // The matrix: anonymous 401, not enrolled 403, enrolled 200, unknown 404.
    let r = server.http.get(server.url(&list)).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let (status, err) = server.call(&ben, Method::GET, &list, None).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (403, Some("forbidden")),
        "{err}"
    );
    let (status, _) = server
        .call(
            &ana,
            Method::GET,
            "/api/v1/courses/no-such-course/offline",
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, body) = server
        .call(&ana, Method::GET, &format!("{list}?lang=fr"), None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["slug"], slug);
    assert_eq!(body["title"], "Localiser les ODD : une introduction");
    let items = body["items"].as_array().unwrap();
    let lessons = items
        .iter()
        .filter(|i| i["url"].as_str().unwrap().contains("/lessons/") && i["resource"] == false)
        .count();
    assert_eq!(lessons as u64, body["lessons"].as_u64().unwrap());
    // The total is the pages' and images'; resource files come apart, last.
    let resources = items.iter().filter(|i| i["resource"] == true).count();
    assert!(resources > 0, "{body}");
    assert!(
        items[items.len() - resources..]
            .iter()
            .all(|i| i["resource"] == true
                && i["url"].as_str().unwrap().ends_with("/resource")
                && i["bytes"].as_u64().unwrap() > 0),
        "{body}"
    );
    let total: u64 = items
        .iter()
        .filter(|i| i["resource"] == false)
        .map(|i| i["bytes"].as_u64().unwrap())
        .sum();
    assert_eq!(body["total_bytes"].as_u64(), Some(total));
    for i in items {
        let url = i["url"].as_str().unwrap();
        let r = get(&server, url, Some(&ana)).await;
        assert_eq!(r.status(), 200, "{url}");
    }
    // After leaving the course, the list is refused again.
    let (status, _) = server
        .call(
            &ana,
            Method::DELETE,
            &format!("/api/v1/courses/{slug}/enrolment"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(server.call(&ana, Method::GET, &list, None).await.0, 403);

    // The saved-courses page: for anyone (the device holds the list).
    for (who, text) in [
        (None, "Enregistré pour le hors-ligne"),
        (Some(&ana), "Saved for offline"),
    ] {
        let r = get(&server, "/offline/saved?lang=fr", who).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains(text), "{html}");
        assert!(html.contains("data-saved-list"));
    }
}
