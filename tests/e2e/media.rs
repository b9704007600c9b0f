//! Course media: uploads judged by content (API and page), the cover, the
//! content-addressed copies in a real S3 server served at `/media/…`, the
//! folder format round trip, and in Chromium: images render, foreign
//! iframes never exist.

use agora_tests::{
    Learner, S3Server, ServerOptions, TempDir, TestDb, TestServer, run_agora, write_fixture_course,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub(super) const SLUG: &str = "flood-maps";

/// A real 4×3 PNG (a browser decodes it).
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x03, 0x08, 0x02, 0x00, 0x00, 0x00, 0x3b, 0x96, 0x39,
    0x91, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xb8, 0xa0, 0xa0, 0x00,
    0x47, 0x0c, 0x38, 0x39, 0x00, 0x01, 0x16, 0x0c, 0xc1, 0xd8, 0x17, 0xbc, 0x8f, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

const DISGUISED_HTML: &[u8] = b"<!doctype html><html><body><script>alert(1)</script></body></html>";
const DISGUISED_PROGRAM: &[u8] = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0\x01\0\0\0";

const YOUTUBE: &str = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ";

/// A lesson with an image, an allowed player and frames that must go.
fn lesson_body(extra: &str) -> Vec<u8> {
    format!(
        "---\ntitle: Welcome\n---\nThe square floods every spring.\n\n![The flooded square, seen from the town hall](media:flood-map.png)\n\n<iframe src=\"https://www.youtube.com/embed/dQw4w9WgXcQ\" title=\"How the square floods\"></iframe>\n\n<iframe src=\"https://evil.example/embed/dQw4w9WgXcQ\" title=\"evil\"></iframe>\n\n<iframe src=\"javascript:alert(1)\"></iframe>\n\n<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>\n\n{extra}\n"
    )
    .into_bytes()
}

pub(super) async fn create_course(server: &TestServer, author: &Learner) {
    let (status, d) = server
        .call(
            author,
            Method::POST,
            "/api/v1/authoring/courses",
            Some(json!({ "slug": SLUG, "default_locale": "en", "title": "Flood maps", "summary": "Reading flood maps." })),
        )
        .await;
    assert_eq!(status, 201, "{d}");
}

async fn revision(server: &TestServer, who: &Learner) -> i64 {
    let (status, d) = server
        .call(
            who,
            Method::GET,
            &format!("/api/v1/authoring/courses/{SLUG}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{d}");
    d["revision"].as_i64().unwrap()
}

async fn put_bytes(server: &TestServer, who: &Learner, path: &str, data: Vec<u8>) -> (u16, Value) {
    let r = server
        .as_learner(who, Method::PUT, path)
        .header("content-type", "application/octet-stream")
        .body(data)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub(super) async fn put_media(
    server: &TestServer,
    who: &Learner,
    name: &str,
    data: &[u8],
) -> (u16, Value) {
    let rev = revision(server, who).await;
    put_bytes(
        server,
        who,
        &format!("/api/v1/authoring/courses/{SLUG}/media/{name}?revision={rev}"),
        data.to_vec(),
    )
    .await
}

pub(super) async fn put_file(
    server: &TestServer,
    who: &Learner,
    path: &str,
    data: Vec<u8>,
) -> (u16, Value) {
    let rev = revision(server, who).await;
    put_bytes(
        server,
        who,
        &format!("/api/v1/authoring/courses/{SLUG}/file?path={path}&revision={rev}"),
        data,
    )
    .await
}

pub(super) async fn publish(server: &TestServer, who: &Learner) -> (u16, Value) {
    server
        .call(
            who,
            Method::POST,
            &format!("/api/v1/authoring/courses/{SLUG}/versions"),
            None,
        )
        .await
}

fn session(who: &Learner) -> String {
    who.cookie.split(';').next().unwrap().to_owned()
}

/// A page as a browser asks for it, signed in as `who` when given.
pub(super) async fn page(
    server: &TestServer,
    who: Option<&Learner>,
    path: &str,
) -> reqwest::Response {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut req = client.get(server.url(path)).header("accept", "text/html");
    if let Some(w) = who {
        req = req.header("cookie", session(w));
    }
    req.send().await.unwrap()
}

/// A multipart form body: text fields and one file.
fn multipart(fields: &[(&str, &str)], file: (&str, &[u8])) -> (String, Vec<u8>) {
    let boundary = "agora-media-test-boundary-7f3a";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
            file.0
        )
        .as_bytes(),
    );
    body.extend_from_slice(file.1);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_page(
    server: &TestServer,
    who: &Learner,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Option<String>, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .post(server.url(path))
        .header("cookie", session(who))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, location, r.text().await.unwrap())
}

fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
        .into_bytes()
}

#[tokio::test]
async fn media_are_judged_by_content_stored_in_s3_once_and_served_immutable() {
    let s3 = S3Server::start();
    let server = TestServer::start_with(ServerOptions {
        env: s3.env(),
        ..Default::default()
    })
    .await;
    let author = server.author("author@city.gov").await;
    create_course(&server, &author).await;

    // Through the API: the name is made safe, the type read from the bytes.
    let (status, saved) = put_media(&server, &author, "Flood%20Map.PNG", PNG).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["name"], "flood-map.png");
    assert_eq!(saved["markdown"], "![](media:flood-map.png)");
    let revision_after_upload = saved["revision"].as_i64().unwrap();

    // Disguised, unknown and oversized files are refused as `file`, with
    // the file named: nothing is saved.
    let mut oversized = PNG.to_vec();
    oversized.resize(5 * 1024 * 1024 + 1, 0);
    for (name, data, words) in [
        ("photo.png", DISGUISED_HTML.to_vec(), "is text"),
        ("setup.jpg", DISGUISED_PROGRAM.to_vec(), "not a JPEG"),
        ("report.pdf", PNG.to_vec(), "PNG"),
        (
            "drawing.svg",
            b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(),
            "images",
        ),
        ("huge.png", oversized, "over the limit"),
    ] {
        let (status, body) = put_media(&server, &author, name, &data).await;
        assert_eq!(status, 422, "{name}: {body}");
        assert_eq!(body["code"], "invalid", "{name}: {body}");
        assert_eq!(body["field"], "file", "{name}: {body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(name), "{name}: {message}");
        assert!(message.contains(words), "{name}: {message}");
    }
    assert_eq!(revision(&server, &author).await, revision_after_upload);
    let (status, list) = server
        .call(
            &author,
            Method::GET,
            &format!("/api/v1/authoring/courses/{SLUG}/media"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["items"][0]["content_type"], "image/png");
    assert_eq!(list["items"][0]["width"], 4);
    assert_eq!(list["items"][0]["height"], 3);
    assert_eq!(list["cover"], Value::Null);

    // Missing files and images without alt text are refused like broken links.
    let (status, body) = put_file(
        &server,
        &author,
        "en/welcome.md",
        b"---\ntitle: Welcome\n---\n![](media:flood-map.png)\n".to_vec(),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["field"].as_str().unwrap().starts_with("en/welcome.md"),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("alt text"),
        "{body}"
    );
    let (status, body) = put_file(
        &server,
        &author,
        "en/welcome.md",
        b"---\ntitle: Welcome\n---\n![A map](media:gone.png)\n".to_vec(),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("media:gone.png"),
        "{body}"
    );
    let (status, body) = put_file(&server, &author, "en/welcome.md", lesson_body("")).await;
    assert_eq!(status, 200, "{body}");

    // The cover: an image of media/, with alt text in the default locale.
    let cover_path = format!("/api/v1/authoring/courses/{SLUG}/cover");
    let rev = revision(&server, &author).await;
    let (status, body) = server
        .call(
            &author,
            Method::PUT,
            &cover_path,
            Some(json!({ "revision": rev, "file": "flood-map.png" })),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("cover_alt"),
        "{body}"
    );
    let (status, body) = server
        .call(
            &author,
            Method::PUT,
            &cover_path,
            Some(json!({ "revision": rev, "file": "nope.png", "alt": { "en": "x" } })),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["field"], "cover");
    let (status, body) = server
        .call(
            &author,
            Method::PUT,
            &cover_path,
            Some(json!({ "revision": rev, "file": "flood-map.png", "alt": { "en": "A flooded street" } })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["cover"], "flood-map.png");
    assert_eq!(body["cover_alt"]["en"], "A flooded street");
    assert_eq!(body["items"][0]["is_cover"], true);
    // A stale revision is a conflict, as for every save.
    let (status, body) = server
        .call(
            &author,
            Method::PUT,
            &cover_path,
            Some(json!({ "revision": rev, "file": null })),
        )
        .await;
    assert_eq!(status, 409, "{body}");

    // Draft media are for the course's authors only.
    let learner = server.learner("learner@city.gov").await;
    let r = page(
        &server,
        Some(&author),
        &format!("/author/{SLUG}/media/flood-map.png"),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.headers()["cache-control"], "private, no-cache");
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);
    let r = page(
        &server,
        Some(&learner),
        &format!("/author/{SLUG}/media/flood-map.png"),
    )
    .await;
    assert_eq!(r.status(), 403);
    let r = page(
        &server,
        None,
        &format!("/author/{SLUG}/media/flood-map.png"),
    )
    .await;
    assert_eq!(r.status(), 303);

    // Publishing writes the image to S3 once, under its digest.
    assert!(s3.objects("media").is_empty());
    let (status, v) = publish(&server, &author).await;
    assert_eq!(status, 201, "{v}");
    let objects = s3.objects("media");
    assert_eq!(objects.len(), 1, "{objects:?}");
    assert_eq!(
        std::fs::read(&objects[0]).unwrap(),
        PNG,
        "the object is the image"
    );
    let object_name = objects[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let sha = object_name
        .strip_suffix(".png")
        .expect("a .png key")
        .to_owned();
    assert_eq!(sha.len(), 64, "{object_name}");
    let written_at = std::fs::metadata(&objects[0]).unwrap().modified().unwrap();
    let url = format!("/media/{sha}.png");

    // The cover shows on the catalogue card and the course page.
    let catalogue = page(&server, None, "/courses").await;
    let csp = catalogue.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!csp.contains("frame-src"), "{csp}");
    let html = catalogue.text().await.unwrap();
    assert!(
        html.contains(&format!(
            "<img class=\"cover\" src=\"{url}\" alt=\"A flooded street\" width=\"4\" height=\"3\" loading=\"lazy\""
        )),
        "{html}"
    );
    let html = page(&server, None, &format!("/courses/{SLUG}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!(
            "<img class=\"cover\" src=\"{url}\" alt=\"A flooded street\" width=\"4\" height=\"3\">"
        )),
        "{html}"
    );

    let (status, listed) = server.get_json("/api/v1/courses?per_page=100").await;
    assert_eq!(status, 200, "{listed}");
    let mine = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == SLUG)
        .expect("the course is listed");
    assert_eq!(
        mine["cover"],
        json!({ "url": url, "alt": "A flooded street", "width": 4, "height": 3 })
    );

    // Served by the app from S3: exact bytes, immutable, with an ETag.
    let r = page(&server, None, &url).await;
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "image/png");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(h["etag"].to_str().unwrap(), format!("\"{sha}\""));
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);
    let r = reqwest::Client::new()
        .get(server.url(&url))
        .header("if-none-match", format!("\"{sha}\""))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);
    assert!(r.bytes().await.unwrap().is_empty());
    for missing in [
        format!("/media/{sha}.webp"),
        format!("/media/{sha}.html"),
        format!("/media/{}.png", "0".repeat(64)),
        "/media/flood-map.png".to_owned(),
    ] {
        assert_eq!(
            page(&server, None, &missing).await.status(),
            404,
            "{missing}"
        );
    }

    // The learner's lesson: the image with its size and alt text, the
    // allowed player (no-cookie), and no other frame.
    let (status, _) = server
        .call(
            &learner,
            Method::POST,
            &format!("/api/v1/courses/{SLUG}/enrolment"),
            None,
        )
        .await;
    assert!(status == 200 || status == 201, "{status}");
    let r = page(
        &server,
        Some(&learner),
        &format!("/courses/{SLUG}/lessons/welcome"),
    )
    .await;
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.ends_with("; frame-src https://www.youtube-nocookie.com https://player.vimeo.com"),
        "{csp}"
    );
    let html = r.text().await.unwrap();
    assert!(
        html.contains(&format!(
            "<img src=\"{url}\" alt=\"The flooded square, seen from the town hall\" width=\"4\" height=\"3\" loading=\"lazy\">"
        )),
        "{html}"
    );
    assert_eq!(html.matches("<iframe").count(), 1, "{html}");
    assert!(html.contains(&format!("src=\"{YOUTUBE}\"")), "{html}");
    for gone in ["evil.example", "javascript:", "srcdoc", "www.youtube.com/"] {
        assert!(!html.contains(gone), "{gone} in {html}");
    }

    // A new version with unchanged media writes nothing to S3.
    let (status, body) = put_file(
        &server,
        &author,
        "en/welcome.md",
        lesson_body("Now with a new sentence."),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, v) = publish(&server, &author).await;
    assert_eq!(status, 201, "{v}");
    let objects = s3.objects("media");
    assert_eq!(objects.len(), 1, "{objects:?}");
    assert_eq!(
        std::fs::metadata(&objects[0]).unwrap().modified().unwrap(),
        written_at,
        "the object was not written again"
    );
    let (status, v) = publish(&server, &author).await;
    assert_eq!(status, 409, "{v}");

    // Through the page: a disguised upload is refused next to the field.
    let rev = revision(&server, &author).await.to_string();
    let fields = [("csrf", author.csrf.as_str()), ("revision", rev.as_str())];
    let (ct, body) = multipart(&fields, ("photo.png", DISGUISED_HTML));
    let (status, _, html) = post_page(
        &server,
        &author,
        &format!("/author/{SLUG}/media"),
        &ct,
        body,
    )
    .await;
    assert_eq!(status, 422, "{html}");
    let error_at = html
        .find("id=\"media-file-error\"")
        .expect("the error by the field");
    assert!(
        html[error_at..].starts_with("id=\"media-file-error\">photo.png: named .png but is text"),
        "{}",
        &html[error_at..error_at + 120]
    );
    assert!(
        html.contains("aria-describedby=\"media-file-error\""),
        "{html}"
    );
    let (ct, body) = multipart(&fields, ("Second Map.png", PNG));
    let (status, location, html) = post_page(
        &server,
        &author,
        &format!("/author/{SLUG}/media"),
        &ct,
        body,
    )
    .await;
    assert_eq!(status, 303, "{html}");
    assert_eq!(
        location.as_deref(),
        Some(&*format!("/author/{SLUG}#media-heading"))
    );
    let html = page(&server, Some(&author), &format!("/author/{SLUG}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<code class=\"snippet\">![](media:second-map.png)</code>"),
        "{html}"
    );
    assert!(
        html.contains(&format!("src=\"/author/{SLUG}/media/second-map.png\"")),
        "{html}"
    );
    // A file in use cannot go; one that is not can.
    let rev = revision(&server, &author).await.to_string();
    let (status, _, html) = post_page(
        &server,
        &author,
        &format!("/author/{SLUG}/media/deletion"),
        "application/x-www-form-urlencoded",
        form(&[
            ("csrf", &author.csrf),
            ("revision", &rev),
            ("name", "flood-map.png"),
        ]),
    )
    .await;
    assert_eq!(status, 422, "{html}");
    let error_at = html
        .find("id=\"delete-error\"")
        .expect("the error by the list");
    assert!(
        html[error_at..].contains("media:flood-map.png"),
        "{}",
        &html[error_at..]
    );
    let (status, _, html) = post_page(
        &server,
        &author,
        &format!("/author/{SLUG}/media/deletion"),
        "application/x-www-form-urlencoded",
        form(&[
            ("csrf", &author.csrf),
            ("revision", &rev),
            ("name", "second-map.png"),
        ]),
    )
    .await;
    assert_eq!(status, 303, "{html}");
    let (_, list) = server
        .call(
            &author,
            Method::GET,
            &format!("/api/v1/authoring/courses/{SLUG}/media"),
            None,
        )
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    // Without the session's CSRF token nothing happens.
    let (status, _, _) = post_page(
        &server,
        &author,
        &format!("/author/{SLUG}/media/deletion"),
        "application/x-www-form-urlencoded",
        form(&[
            ("csrf", "forged"),
            ("revision", &rev),
            ("name", "flood-map.png"),
        ]),
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn media_endpoints_check_who_is_calling() {
    let server = TestServer::start().await;
    let owner = server.author("owner@city.gov").await;
    create_course(&server, &owner).await;
    let (status, saved) = put_media(&server, &owner, "map.png", PNG).await;
    assert_eq!(status, 200, "{saved}");
    let other = server.author("other@city.gov").await;
    let learner = server.learner("learner@city.gov").await;
    let admin = server.admin("admin@city.gov").await;
    let base = format!("/api/v1/authoring/courses/{SLUG}");
    // Changes carry a stale revision: an allowed caller gets a 409, never a change.
    let calls: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("{base}/media"), None),
        (
            Method::PUT,
            format!("{base}/media/other.png?revision=999"),
            None,
        ),
        (
            Method::DELETE,
            format!("{base}/media/map.png?revision=999"),
            None,
        ),
        (
            Method::PUT,
            format!("{base}/cover"),
            Some(json!({ "revision": 999, "file": "map.png", "alt": { "en": "A map" } })),
        ),
    ];
    for (method, path, body) in &calls {
        let send = |who: Option<&Learner>| {
            let mut req = reqwest::Client::new().request(method.clone(), server.url(path));
            if let Some(w) = who {
                req = req.bearer_auth(&w.token);
            }
            req = match body {
                Some(b) => req.json(b),
                None if *method == Method::PUT => req
                    .header("content-type", "application/octet-stream")
                    .body(PNG.to_vec()),
                None => req,
            };
            async move {
                let r = req.send().await.unwrap();
                let status = r.status().as_u16();
                (status, r.json::<Value>().await.unwrap_or(Value::Null))
            }
        };
        assert_eq!(send(None).await.0, 401, "anonymous {method} {path}");
        for (who, name) in [(&learner, "learner"), (&other, "another author")] {
            let (status, body) = send(Some(who)).await;
            assert_eq!(status, 403, "{name} {method} {path}: {body}");
            assert_eq!(body["code"], "forbidden");
        }
        for (who, name) in [(&owner, "owner"), (&admin, "admin")] {
            let (status, body) = send(Some(who)).await;
            let expected = if *method == Method::GET { 200 } else { 409 };
            assert_eq!(status, expected, "{name} {method} {path}: {body}");
        }
    }
    // Nothing changed: the one file is still there, with no cover.
    let (_, list) = server
        .call(&owner, Method::GET, &format!("{base}/media"), None)
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["cover"], Value::Null);
    // The web forms need an author of the course too.
    let fields = [("csrf", other.csrf.as_str()), ("revision", "999")];
    let (ct, body) = multipart(&fields, ("map2.png", PNG));
    let (status, _, _) =
        post_page(&server, &other, &format!("/author/{SLUG}/media"), &ct, body).await;
    assert_eq!(status, 403, "another author uploads");
    for path in ["media/deletion", "cover"] {
        let (status, _, _) = post_page(
            &server,
            &other,
            &format!("/author/{SLUG}/{path}"),
            "application/x-www-form-urlencoded",
            form(&[
                ("csrf", &other.csrf),
                ("revision", "999"),
                ("name", "map.png"),
                ("cover", "map.png"),
                ("alt_en", "A map"),
            ]),
        )
        .await;
        assert_eq!(status, 403, "another author POST {path}");
    }
    let r = page(&server, Some(&other), &format!("/author/{SLUG}/media")).await;
    assert_eq!(r.status(), 403);
}

fn out(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test]
async fn the_folder_format_carries_media_and_reimports_unchanged() {
    let db = TestDb::new().await;
    let data = TempDir::new();
    let src = TempDir::new();
    write_fixture_course(src.path(), "fixture-course");
    let course = src.path().join("fixture-course");
    std::fs::create_dir_all(course.join("media")).unwrap();
    std::fs::write(course.join("media/flood-map.png"), PNG).unwrap();
    let yaml = std::fs::read_to_string(course.join("course.yaml")).unwrap();
    std::fs::write(
        course.join("course.yaml"),
        yaml.replace("modules:\n", "cover: flood-map.png\nmodules:\n"),
    )
    .unwrap();
    let meta = std::fs::read_to_string(course.join("en/meta.yaml")).unwrap();
    std::fs::write(
        course.join("en/meta.yaml"),
        format!("{meta}cover_alt: A flooded street\n"),
    )
    .unwrap();
    std::fs::write(
        course.join("en/intro.md"),
        "---\ntitle: Introduction\n---\n![A flood map](media:flood-map.png) and [the sheet](resource:sheet.md).\n",
    )
    .unwrap();
    let dir = src.path().to_str().unwrap();

    let first = run_agora(&db, data.path(), &["import", dir]);
    assert!(first.status.success(), "{}", out(&first));
    assert!(out(&first).contains("1 created"), "{}", out(&first));
    // Without S3, the storage port is a folder of the data directory.
    let stored: Vec<_> = std::fs::read_dir(data.path().join("files/media"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(std::fs::read(&stored[0]).unwrap(), PNG);
    let second = run_agora(&db, data.path(), &["import", dir]);
    assert!(
        out(&second).contains("0 created, 0 updated, 1 unchanged"),
        "{}",
        out(&second)
    );

    // Export gives the media and the cover back; importing that changes nothing.
    let exported = TempDir::new();
    let e = run_agora(
        &db,
        data.path(),
        &["export", exported.path().to_str().unwrap()],
    );
    assert!(e.status.success(), "{}", out(&e));
    let back = exported.path().join("fixture-course");
    assert_eq!(
        std::fs::read(back.join("media/flood-map.png")).unwrap(),
        PNG
    );
    assert!(
        std::fs::read_to_string(back.join("course.yaml"))
            .unwrap()
            .contains("cover: flood-map.png")
    );
    assert!(
        std::fs::read_to_string(back.join("en/meta.yaml"))
            .unwrap()
            .contains("cover_alt: A flooded street")
    );
    let again = run_agora(&db, data.path(), &["import", back.to_str().unwrap()]);
    assert!(out(&again).contains("1 unchanged"), "{}", out(&again));

    // A page named like an image stops the whole import, naming the file.
    std::fs::write(course.join("media/evil.png"), DISGUISED_HTML).unwrap();
    let refused = run_agora(&db, data.path(), &["import", dir]);
    assert!(!refused.status.success());
    assert!(
        out(&refused).contains("media/evil.png: named .png but is text"),
        "{}",
        out(&refused)
    );
}

#[tokio::test]
async fn images_render_and_foreign_frames_never_exist_in_a_browser() {
    let server = TestServer::start().await;
    let author = server.author("author@city.gov").await;
    create_course(&server, &author).await;
    let axe = agora_tests::browser::axe_source();

    // The author adds the image and the cover with the page's forms.
    let files = TempDir::new();
    let png_path = files.path().join("Flood Map.png");
    std::fs::write(&png_path, PNG).unwrap();
    let b = agora_tests::browser::Browser::start(true, "en").await;
    b.goto(&server.url("/sign-in")).await;
    b.type_into("#email", "author@city.gov").await;
    b.type_into("#password", agora_tests::PASSWORD).await;
    b.submit("main form button").await;
    b.goto(&server.url(&format!("/author/{SLUG}"))).await;
    b.type_into("#media-file", png_path.to_str().unwrap()).await;
    b.submit(&format!("form[action='/author/{SLUG}/media'] button"))
        .await;
    assert!(
        b.text("[role=status]")
            .await
            .contains("media file is saved"),
        "{}",
        b.text("main").await
    );
    let thumb = b.find("#media img.thumb").await;
    assert_eq!(
        b.attribute(&thumb, "src").await.as_deref(),
        Some(&*format!("/author/{SLUG}/media/flood-map.png"))
    );
    b.script(
        "document.querySelector('#cover').value = 'flood-map.png';",
        json!([]),
    )
    .await;
    b.type_into("#alt-en", "A flooded street").await;
    b.submit(&format!("form[action='/author/{SLUG}/cover'] button"))
        .await;
    assert!(
        b.text("[role=status]").await.contains("cover is saved"),
        "{}",
        b.text("main").await
    );
    agora_tests::browser::look(&b, &axe, "author-course-media").await;
    // The editor's preview shows the draft's image.
    let (status, body) = put_file(&server, &author, "en/welcome.md", lesson_body("")).await;
    assert_eq!(status, 200, "{body}");
    b.goto(&server.url(&format!("/author/{SLUG}/edit?path=en/welcome.md")))
        .await;
    b.submit("button[value=preview]").await;
    wait_for_image(&b, ".preview img").await;

    add_video_lesson(&server, &author).await;
    let (status, v) = publish(&server, &author).await;
    assert_eq!(status, 201, "{v}");

    // A learner sees the cover, the image and the allowed player only.
    let learner = server.learner("learner@city.gov").await;
    let (status, _) = server
        .call(
            &learner,
            Method::POST,
            &format!("/api/v1/courses/{SLUG}/enrolment"),
            None,
        )
        .await;
    assert!(status == 200 || status == 201);
    let l = agora_tests::browser::Browser::start(true, "en").await;
    l.goto(&server.url("/sign-in")).await;
    l.type_into("#email", "learner@city.gov").await;
    l.type_into("#password", agora_tests::PASSWORD).await;
    l.submit("main form button").await;
    l.goto(&server.url("/courses")).await;
    wait_for_image(&l, ".course-card img.cover").await;
    agora_tests::browser::look(&l, &axe, "catalogue-cover").await;
    l.goto(&server.url(&format!("/courses/{SLUG}/lessons/welcome")))
        .await;
    let size = wait_for_image(&l, ".prose img").await;
    assert_eq!(size, json!([4, 3]));
    let frames = l
        .script(
            "return Array.from(document.querySelectorAll('iframe, frame, object, embed')).map(f => [f.tagName, f.getAttribute('src'), f.title, f.hasAttribute('srcdoc')]);",
            json!([]),
        )
        .await;
    assert_eq!(
        frames,
        json!([["IFRAME", YOUTUBE, "How the square floods", false]]),
        "only the allowed player exists"
    );
    agora_tests::browser::look(&l, &axe, "lesson-media").await;

    // A video lesson whose address is a YouTube page plays in place, with
    // the transcript below and the link kept.
    l.goto(&server.url(&format!("/courses/{SLUG}/lessons/talk")))
        .await;
    let frames = l
        .script(
            "return Array.from(document.querySelectorAll('iframe')).map(f => [f.getAttribute('src'), f.title]);",
            json!([]),
        )
        .await;
    assert_eq!(frames, json!([[YOUTUBE, "Why the square floods"]]));
    let link = l
        .find("a[href='https://www.youtube.com/watch?v=dQw4w9WgXcQ']")
        .await;
    assert!(l.element_text(&link).await.contains("Watch the video"));
    assert!(l.text(".prose").await.contains("The transcript"));
    agora_tests::browser::look(&l, &axe, "lesson-video-embed").await;
}

/// Adds a video lesson (a YouTube page) to the draft: course.yaml and its
/// text change together, through a zip of the draft.
async fn add_video_lesson(server: &TestServer, author: &Learner) {
    use std::io::{Read, Write};
    let r = server
        .as_learner(
            author,
            Method::GET,
            &format!("/api/v1/authoring/courses/{SLUG}/archive"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name.ends_with("/course.yaml") {
            let yaml = String::from_utf8(data).unwrap().replacen(
                "        duration_minutes: 10\n",
                "        duration_minutes: 10\n      - id: talk\n        kind: video\n        duration_minutes: 5\n        video_url: https://www.youtube.com/watch?v=dQw4w9WgXcQ\n",
                1,
            );
            assert!(yaml.contains("id: talk"), "{yaml}");
            data = yaml.into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    out.start_file(
        format!("{SLUG}/en/talk.md"),
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    out.write_all(b"---\ntitle: Why the square floods\n---\nThe transcript of the talk.\n")
        .unwrap();
    let archive = out.finish().unwrap().into_inner();
    let rev = revision(server, author).await;
    let r = server
        .as_learner(
            author,
            Method::POST,
            &format!("/api/v1/authoring/archives?revision={rev}"),
        )
        .header("content-type", "application/octet-stream")
        .body(archive)
        .send()
        .await
        .unwrap();
    let status = r.status();
    assert_eq!(status, 200, "{}", r.text().await.unwrap());
}

/// Waits until the image matching `css` has loaded; its natural size.
async fn wait_for_image(b: &agora_tests::browser::Browser, css: &str) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let v = b
            .script(
                "const i = document.querySelector(arguments[0]); if (!i) return null; i.loading = 'eager'; return i.complete && i.naturalWidth > 0 ? [i.naturalWidth, i.naturalHeight] : null;",
                json!([css]),
            )
            .await;
        if !v.is_null() {
            return v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{css} never loaded: {}",
            b.source().await
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
