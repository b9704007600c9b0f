//! Published content served from memory: a publication is visible at once
//! on the replica that published and within a second on another replica
//! sharing the database (and Redis); a page's `ETag` is its content version,
//! so a stale page is never revalidated after a publication; the lesson
//! player's outline carries the learner's ticks.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use agora_tests::{Learner, TestServer};
use reqwest::{Method, header};

use super::{
    authoring::{fixture_files, put_file, revision, upload, zip_folder},
    cache::RedisProcess,
};

const SLUG: &str = "replicated-course";

fn session(l: &Learner) -> String {
    l.cookie.split(';').next().unwrap().to_owned()
}

/// A GET with these headers; the status, the `ETag` and the body.
async fn get(
    http: &reqwest::Client,
    url: &str,
    headers: &[(header::HeaderName, &str)],
) -> (u16, Option<String>, String, header::HeaderMap) {
    let mut req = http.get(url);
    for (k, v) in headers {
        req = req.header(k, *v);
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    let h = r.headers().clone();
    let etag = h.get(header::ETAG).map(|v| v.to_str().unwrap().to_owned());
    (status, etag, r.text().await.unwrap_or_default(), h)
}

async fn publish(server: &TestServer, author: &Learner) {
    let (status, v) = server
        .call(
            author,
            Method::POST,
            &format!("/api/v1/authoring/courses/{SLUG}/versions"),
            None,
        )
        .await;
    assert_eq!(status, 201, "{v}");
}

/// Polls `url` on the replica until its body contains `text`; returns how
/// long that took.
async fn seen_within(
    http: &reqwest::Client,
    url: &str,
    headers: &[(header::HeaderName, &str)],
    text: &str,
    limit: Duration,
) -> Duration {
    let start = Instant::now();
    loop {
        let (status, _, body, _) = get(http, url, headers).await;
        if status == 200 && body.contains(text) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "{url} still shows the old content after {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_publication_reaches_every_replica_and_no_stale_page_is_revalidated() {
    let redis = RedisProcess::start();
    let env = vec![("AGORA_REDIS_URL".to_owned(), redis.url())];
    let a = TestServer::start_with(agora_tests::ServerOptions {
        env: env.clone(),
        ..Default::default()
    })
    .await;
    let b = a.replica(&env).await;

    let author = a.author("author@city.gov").await;
    let (_dir, files) = fixture_files(SLUG);
    let (status, d) = upload(&a, &author, zip_folder(SLUG, &files), None).await;
    assert_eq!(status, 200, "{d}");
    publish(&a, &author).await;
    let learner = a.learner("ana@city.gov").await;
    let (status, _) = a
        .call(
            &learner,
            Method::POST,
            &format!("/api/v1/courses/{SLUG}/enrolment"),
            None,
        )
        .await;
    assert_eq!(status, 201);

    // Both replicas serve version 1 and keep it in memory.
    let bearer = format!("Bearer {}", learner.token);
    let lesson_api = format!("/api/v1/courses/{SLUG}/lessons/intro");
    let auth = [(header::AUTHORIZATION, bearer.as_str())];
    for base in [&a.base, &b.base] {
        let (status, _, body, _) = get(&a.http, &format!("{base}{lesson_api}"), &auth).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("Hello, see"), "{body}");
    }
    // An anonymous reader of the course page on replica B: the page has a
    // version `ETag`, is private (it carries the reader's CSRF token) and
    // is revalidated with a 304 while nothing changed.
    let page = |base: &str| format!("{base}/courses/{SLUG}");
    let (status, _, _, h) = get(&b.http, &page(&b.base), &[]).await;
    assert_eq!(status, 200);
    let csrf = h[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let reader = [(header::COOKIE, csrf.as_str())];
    clear_of_a_counts_window_edge().await;
    let (status, old_page_tag, body, h) = get(&b.http, &page(&b.base), &reader).await;
    assert_eq!(status, 200);
    assert!(body.contains("Introduction"), "{body}");
    let old_page_tag = old_page_tag.expect("an anonymous course page has an ETag");
    let cc = h[header::CACHE_CONTROL].to_str().unwrap();
    assert!(cc.contains("private") && cc.contains("no-cache"), "{cc}");
    let revalidate = [
        (header::COOKIE, csrf.as_str()),
        (header::IF_NONE_MATCH, old_page_tag.as_str()),
    ];
    let (status, _, _, _) = get(&b.http, &page(&b.base), &revalidate).await;
    assert_eq!(status, 304, "an unchanged page is revalidated");
    // A signed-in reader's page is never revalidated against a shared tag.
    let signed_in = session(&learner);
    let (status, tag, _, h) = get(
        &b.http,
        &page(&b.base),
        &[
            (header::COOKIE, signed_in.as_str()),
            (header::IF_NONE_MATCH, old_page_tag.as_str()),
        ],
    )
    .await;
    assert_eq!((status, tag), (200, None));
    assert!(
        h[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("private")
    );
    // The catalogue API: a public version tag, revalidated for nothing.
    let api = |base: &str| format!("{base}/api/v1/courses/{SLUG}");
    clear_of_a_counts_window_edge().await;
    let (status, old_api_tag, _, _) = get(&b.http, &api(&b.base), &[]).await;
    assert_eq!(status, 200);
    let old_api_tag = old_api_tag.expect("the course API has an ETag");
    let (status, _, _, _) = get(
        &b.http,
        &api(&b.base),
        &[(header::IF_NONE_MATCH, old_api_tag.as_str())],
    )
    .await;
    assert_eq!(status, 304);

    // Version 2 changes the introduction's title and text, on replica A.
    let rev = revision(&a, &author, SLUG).await;
    let (status, body) = put_file(
        &a,
        &author,
        SLUG,
        "en/intro.md",
        rev,
        b"---\ntitle: Introduction, second edition\n---\nVersion two of the introduction.\n"
            .to_vec(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    clear_of_a_counts_window_edge().await;
    publish(&a, &author).await;
    let published = Instant::now();

    // At once on the replica that published: the new lesson, and the old
    // tags revalidate to the new page, never to a 304.
    let (status, _, body, _) = get(&a.http, &format!("{}{lesson_api}", a.base), &auth).await;
    assert_eq!(status, 200);
    assert!(body.contains("Version two"), "{body}");
    let (status, tag, body, _) = get(
        &a.http,
        &page(&a.base),
        &[
            (header::COOKIE, csrf.as_str()),
            (header::IF_NONE_MATCH, old_page_tag.as_str()),
        ],
    )
    .await;
    assert_eq!(status, 200, "a stale page is never revalidated");
    assert!(body.contains("Introduction, second edition"), "{body}");
    assert_ne!(tag.as_deref(), Some(old_page_tag.as_str()));

    // Within a second on replica B, which learns it from the database.
    let limit = Duration::from_secs(1).saturating_sub(published.elapsed());
    let lesson_b = format!("{}{lesson_api}", b.base);
    let took = seen_within(&b.http, &lesson_b, &auth, "Version two", limit).await;
    eprintln!("replica B served the new lesson after {took:?}");
    // B's tags move when its poll (every 250 ms) sees the new generation.
    // The lesson may come sooner: one B had not rendered in this
    // generation is built from the new rows at once. So the old tag is
    // refused within the same second, not necessarily with the lesson.
    let (status, tag, body) = loop {
        let (status, tag, body, _) = get(&b.http, &page(&b.base), &revalidate).await;
        if status != 304 {
            break (status, tag, body);
        }
        assert!(
            published.elapsed() < Duration::from_secs(1),
            "replica B still revalidates the old page {:?} after publishing",
            published.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(status, 200, "a stale page is never revalidated");
    assert!(body.contains("Introduction, second edition"), "{body}");
    let new_page_tag = tag.expect("an ETag");
    assert_ne!(new_page_tag, old_page_tag);
    let (status, _, body, _) = get(
        &b.http,
        &api(&b.base),
        &[(header::IF_NONE_MATCH, old_api_tag.as_str())],
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.contains("Introduction, second edition"), "{body}");
    // The new version is revalidated in turn.
    let (status, _, _, _) = get(
        &b.http,
        &page(&b.base),
        &[
            (header::COOKIE, csrf.as_str()),
            (header::IF_NONE_MATCH, new_page_tag.as_str()),
        ],
    )
    .await;
    assert_eq!(status, 304);

    // Archiving takes the course off both replicas.
    let (status, body) = a
        .call(
            &author,
            Method::PUT,
            &format!("/api/v1/authoring/courses/{SLUG}/status"),
            Some(serde_json::json!({ "status": "archived" })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let start = Instant::now();
    loop {
        let (status, _, _, _) = get(&b.http, &api(&b.base), &[]).await;
        if status == 404 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(1), "still served");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_lesson_player_shows_the_outline_with_the_learners_ticks() {
    let server = TestServer::start().await;
    let author = server.author("author@city.gov").await;
    let (_dir, files) = fixture_files(SLUG);
    let (status, d) = upload(&server, &author, zip_folder(SLUG, &files), None).await;
    assert_eq!(status, 200, "{d}");
    publish(&server, &author).await;
    let learner = server.learner("ana@city.gov").await;
    let base = format!("/api/v1/courses/{SLUG}");
    let (status, _) = server
        .call(&learner, Method::POST, &format!("{base}/enrolment"), None)
        .await;
    assert_eq!(status, 201);
    let (status, _) = server
        .call(
            &learner,
            Method::POST,
            &format!("{base}/lessons/intro/completion"),
            None,
        )
        .await;
    assert_eq!(status, 200);

    let cookie = session(&learner);
    let (status, _, html, _) = get(
        &server.http,
        &server.url(&format!("/courses/{SLUG}/lessons/sheet")),
        &[(header::COOKIE, cookie.as_str())],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    let outline = html
        .split("<details class=\"lesson-outline\"")
        .nth(1)
        .and_then(|s| s.split("</details>").next())
        .expect("the outline beside the lesson");
    assert!(
        outline.contains("<summary>Course outline</summary>"),
        "{outline}"
    );
    assert!(outline.contains("First module"), "{outline}");
    let item = |key: &str| {
        outline
            .split("<li")
            .find(|li| li.contains(&format!("/lessons/{key}\"")))
            .unwrap_or_else(|| panic!("{key} in the outline: {outline}"))
            .to_owned()
    };
    let intro = item("intro");
    assert!(
        intro.contains("done-lesson") && intro.contains('✓'),
        "{intro}"
    );
    assert!(!intro.contains("aria-current"), "{intro}");
    let sheet = item("sheet");
    assert!(sheet.contains("aria-current=\"page\""), "{sheet}");
    assert!(!sheet.contains('✓'), "{sheet}");
    assert!(!item("check").contains('✓'));

    // Completing the worksheet ticks it on the next page.
    let (status, _) = server
        .call(
            &learner,
            Method::POST,
            &format!("{base}/lessons/sheet/completion"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (_, _, html, _) = get(
        &server.http,
        &server.url(&format!("/courses/{SLUG}/lessons/check")),
        &[(header::COOKIE, cookie.as_str())],
    )
    .await;
    let ticks = html.matches("class=\"done-lesson\"").count();
    assert_eq!(ticks, 2, "{html}");
}

/// The CSRF token of a page's forms (the language switcher's at least).
fn page_token(html: &str) -> &str {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a form with a CSRF token")
}

#[tokio::test]
async fn anonymous_pages_are_kept_rendered_per_reader_token_and_never_stale() {
    let server = TestServer::start().await;
    let author = server.author("author@city.gov").await;
    let (_dir, files) = fixture_files(SLUG);
    let (status, d) = upload(&server, &author, zip_folder(SLUG, &files), None).await;
    assert_eq!(status, 200, "{d}");
    publish(&server, &author).await;
    let pages = [
        "/".to_owned(),
        "/courses".into(),
        format!("/courses/{SLUG}"),
    ];

    for path in &pages {
        let url = server.url(path);
        // Two new readers get the kept page, each with their own token.
        let mut tokens = Vec::new();
        for _ in 0..2 {
            let (status, _, html, h) = get(&server.http, &url, &[]).await;
            assert_eq!(status, 200, "{path}: {html}");
            assert!(html.contains("Fixture course"), "{path}: {html}");
            let cookie = h[header::SET_COOKIE].to_str().unwrap().to_owned();
            let token = page_token(&html).to_owned();
            assert!(
                cookie.starts_with(&format!("agora_csrf={token};")),
                "{path}: the page's token is the cookie's: {cookie} {token}"
            );
            tokens.push(token);
        }
        assert_ne!(tokens[0], tokens[1], "{path}");
        // A reader's own token is escaped like any value.
        let (status, _, html, _) = get(
            &server.http,
            &url,
            &[(header::COOKIE, "agora_csrf=a\"<b>&c")],
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(page_token(&html), "a&quot;&lt;b&gt;&amp;c", "{path}");
        // In French, the same page in French.
        let (_, _, html, _) = get(&server.http, &format!("{url}?lang=fr"), &[]).await;
        assert!(html.contains("<html lang=\"fr\">"), "{path}: {html}");
        let (_, _, html, _) = get(&server.http, &url, &[]).await;
        assert!(html.contains("<html lang=\"en\">"), "{path}: {html}");
    }
    // A signed-in reader never gets the anonymous page.
    let learner = server.learner("ana@city.gov").await;
    let cookie = session(&learner);
    for path in &pages {
        let (status, _, html, _) = get(
            &server.http,
            &server.url(path),
            &[(header::COOKIE, cookie.as_str())],
        )
        .await;
        assert_eq!(status, 200);
        assert!(html.contains("action=\"/sign-out\""), "{path}: {html}");
    }

    // A new version renames the course: every kept page shows it at once.
    let rev = revision(&server, &author, SLUG).await;
    let meta = String::from_utf8(files["en/meta.yaml"].clone())
        .unwrap()
        .replace(
            "title: Fixture course",
            "title: Fixture course, second edition",
        );
    let (status, body) = put_file(
        &server,
        &author,
        SLUG,
        "en/meta.yaml",
        rev,
        meta.into_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    publish(&server, &author).await;
    for path in pages.iter().chain([&"/api/v1/courses".to_owned()]) {
        let (status, _, html, _) = get(&server.http, &server.url(path), &[]).await;
        assert_eq!(status, 200);
        assert!(
            html.contains("Fixture course, second edition"),
            "{path} is stale: {html}"
        );
    }
    // Archived: gone from the kept listings at once.
    let (status, body) = server
        .call(
            &author,
            Method::PUT,
            &format!("/api/v1/authoring/courses/{SLUG}/status"),
            Some(serde_json::json!({ "status": "archived" })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    for path in ["/", "/courses", "/api/v1/courses"] {
        let (_, _, html, _) = get(&server.http, &server.url(path), &[]).await;
        assert!(!html.contains("Fixture course"), "{path} is stale: {html}");
    }
    let (status, _, _, _) = get(&server.http, &server.url(&pages[2]), &[]).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_kept_lesson_page_carries_each_learners_own_state_and_follows_a_publication() {
    let server = TestServer::start().await;
    let author = server.author("author@city.gov").await;
    let (_dir, files) = fixture_files(SLUG);
    let (status, d) = upload(&server, &author, zip_folder(SLUG, &files), None).await;
    assert_eq!(status, 200, "{d}");
    publish(&server, &author).await;
    let base = format!("/api/v1/courses/{SLUG}");
    let ana = server.learner("ana@city.gov").await;
    let ben = server.learner("ben@city.gov").await;
    for l in [&ana, &ben] {
        let (status, _) = server
            .call(l, Method::POST, &format!("{base}/enrolment"), None)
            .await;
        assert_eq!(status, 201);
    }
    let (status, _) = server
        .call(
            &ana,
            Method::POST,
            &format!("{base}/lessons/intro/completion"),
            None,
        )
        .await;
    assert_eq!(status, 200);

    let url = server.url(&format!("/courses/{SLUG}/lessons/intro"));
    let page_of = |l: &Learner| {
        let cookie = format!("{}; agora_csrf={}", session(l), l.csrf);
        let http = server.http.clone();
        let url = url.clone();
        async move {
            let (status, _, html, _) = get(&http, &url, &[(header::COOKIE, cookie.as_str())]).await;
            assert_eq!(status, 200, "{html}");
            html
        }
    };
    // Ben first, so that Ana is served what was kept for him.
    for _ in 0..2 {
        let html = page_of(&ben).await;
        assert!(html.contains("Hello, see"), "{html}");
        assert!(html.contains("/lessons/intro/completion"), "{html}");
        assert!(!html.contains("done-lesson"), "{html}");
        assert!(html.contains("value=\"0\""), "{html}");
        assert_eq!(page_token(&html), ben.csrf);

        let html = page_of(&ana).await;
        assert!(html.contains("Hello, see"), "{html}");
        assert!(!html.contains("/lessons/intro/completion"), "{html}");
        assert_eq!(html.matches("class=\"done-lesson\"").count(), 1, "{html}");
        assert!(!html.contains("value=\"0\""), "{html}");
        assert_eq!(page_token(&html), ana.csrf);
    }

    // A new version of the lesson shows at once.
    let rev = revision(&server, &author, SLUG).await;
    let (status, body) = put_file(
        &server,
        &author,
        SLUG,
        "en/intro.md",
        rev,
        b"---\ntitle: Introduction\n---\nVersion two of the introduction.\n".to_vec(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    publish(&server, &author).await;
    for l in [&ana, &ben] {
        let html = page_of(l).await;
        assert!(html.contains("Version two"), "{html}");
        assert!(!html.contains("Hello, see"), "{html}");
    }
}

/// A visitor's new CSRF cookie, from a page's `Set-Cookie`.
fn csrf_cookie(h: &header::HeaderMap) -> String {
    h.get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("agora_csrf="))
        .and_then(|c| c.split(';').next())
        .expect("a new visitor gets a CSRF cookie")
        .to_owned()
}

#[tokio::test]
async fn a_kept_page_gives_each_visitor_a_token_their_own_forms_accept() {
    let server = TestServer::start().await;
    let author = server.author("author@city.gov").await;
    let (_dir, files) = fixture_files(SLUG);
    let (status, d) = upload(&server, &author, zip_folder(SLUG, &files), None).await;
    assert_eq!(status, 200, "{d}");
    publish(&server, &author).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let course = format!("/courses/{SLUG}");
    for path in ["/", "/courses", course.as_str()] {
        let url = server.url(path);
        // The first visitor has the page rendered and kept; the next two
        // are served the kept page.
        let _ = get(&http, &url, &[]).await;
        let mut visitors = Vec::new();
        for _ in 0..2 {
            let (status, _, html, h) = get(&http, &url, &[]).await;
            assert_eq!(status, 200, "{path}: {html}");
            assert!(html.contains("Fixture course"), "{path}: {html}");
            visitors.push((csrf_cookie(&h), page_token(&html).to_owned()));
        }
        assert_ne!(visitors[0].1, visitors[1].1, "{path}: one token each");
        let language = |cookie: &str, token: &str| {
            http.post(server.url("/language"))
                .header(header::COOKIE, cookie)
                .form(&[("csrf", token), ("next", path), ("lang", "fr")])
                .send()
        };
        for (cookie, token) in &visitors {
            assert_eq!(cookie, &format!("agora_csrf={token}"), "{path}");
            // The page's language form works for its visitor...
            let r = language(cookie, token).await.unwrap();
            assert_eq!(r.status().as_u16(), 303, "{path}");
            assert_eq!(r.headers()[header::LOCATION], path);
            let set: Vec<_> = r.headers().get_all(header::SET_COOKIE).iter().collect();
            assert!(
                set.iter()
                    .any(|c| c.to_str().unwrap().starts_with("agora_lang=fr;")),
                "{path}: {set:?}"
            );
            // ...and the page comes back in French, with the same token.
            let (status, _, html, _) = get(
                &http,
                &url,
                &[(header::COOKIE, &format!("{cookie}; agora_lang=fr"))],
            )
            .await;
            assert_eq!(status, 200);
            assert!(html.contains("<html lang=\"fr\">"), "{path}: {html}");
            assert_eq!(page_token(&html), token, "{path}");
        }
        // The other visitor's token is refused.
        let r = language(&visitors[0].0, &visitors[1].1).await.unwrap();
        assert_eq!(r.status().as_u16(), 403, "{path}");
        let r = language(&visitors[1].0, &visitors[0].1).await.unwrap();
        assert_eq!(r.status().as_u16(), 403, "{path}");
    }
}

/// Waits, when the minute of the enrolment counts is about to turn, until
/// it has. The catalogue's tags carry that window (`COUNTS_WINDOW`: the
/// counts on the pages are refreshed once a minute), so a tag taken just
/// before the turn is rightly stale just after it, and a check that takes
/// a tag and then revalidates it must not straddle the turn.
async fn clear_of_a_counts_window_edge() {
    let window = agora_core::published::COUNTS_WINDOW.as_secs_f64();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    let into = now % window;
    if into > window - 5.0 {
        tokio::time::sleep(Duration::from_secs_f64(window - into + 0.2)).await;
    }
}
