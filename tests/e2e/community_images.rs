//! Images attached to discussion posts, on both databases and the real S3
//! server: uploaded through the API and the pages (multipart, no
//! JavaScript), shown with their text alternative and size, placed in the
//! text with `upload:` or shown under it; a post's Markdown never loads an
//! image that is not its own; refused next to the field when disguised,
//! too big, too many, undescribed, not one's post, in a locked thread or
//! while suspended; served to the space's people only (a private cohort
//! space's images to its members), and not once the post is hidden or
//! deleted; moderators see every image a post carried. The XSS corpus
//! goes through the text alternative.

use agora_tests::{Learner, S3Server, TestServer};
use reqwest::Method;
use serde_json::{Value, json};

use super::{
    authoring::XSS,
    cohorts::{cohorts_world, field_of, ok},
    cohorts_pages::{form, page},
    cohorts_sessions::two_cohorts,
    community::{POSTS, THREADS, id, last_post, reply, start},
    practices::upload,
};

const SPACE: &str = "cohort-vlr-a";

/// A PNG of 40 × 20 whose colour depends on `seed` (a distinct file each).
pub fn png_of(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(40, 20, |x, _| image::Rgb([(x * 5) as u8, seed, 91]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_with_encoder(image::codecs::png::PngEncoder::new(&mut out))
        .unwrap();
    out
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Attaches an image to a post through the API.
pub async fn attach(
    s: &TestServer,
    who: &Learner,
    post: &str,
    name: &str,
    alt: Option<&str>,
    bytes: Vec<u8>,
) -> (u16, Value) {
    upload(s, who, &format!("{POSTS}/{post}/images"), name, alt, bytes).await
}

/// An image as a page serves it, with the reader's cookie (or none): the
/// status, the headers that matter and the bytes.
pub async fn fetch(
    s: &TestServer,
    who: Option<&Learner>,
    url: &str,
) -> (u16, [String; 3], Vec<u8>) {
    let mut req = client().get(s.url(url));
    if let Some(who) = who {
        req = req.header("cookie", who.cookie.split(';').next().unwrap());
    }
    let r = req.send().await.unwrap();
    let h = |n: &str| {
        r.headers()
            .get(n)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let headers = [
        h("content-type"),
        h("x-content-type-options"),
        h("cache-control"),
    ];
    (
        r.status().as_u16(),
        headers,
        r.bytes().await.unwrap().to_vec(),
    )
}

/// Posts a page form as a browser does with a file input: multipart, the
/// reader's CSRF token, and `image` when given (name, bytes).
pub async fn multipart_form(
    s: &TestServer,
    who: &Learner,
    path: &str,
    fields: &[(&str, &str)],
    image: Option<(&str, &[u8])>,
) -> (u16, String, String) {
    let boundary = "agora-test-boundary-images";
    let mut body = Vec::new();
    let mut part = |headers: String, data: &[u8]| {
        body.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n\r\n").as_bytes());
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    };
    for (k, v) in fields.iter().chain([("csrf", who.csrf.as_str())].iter()) {
        part(
            format!("Content-Disposition: form-data; name=\"{k}\""),
            v.as_bytes(),
        );
    }
    let (name, data) = image.unwrap_or(("", b""));
    part(
        format!(
            "Content-Disposition: form-data; name=\"image\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream"
        ),
        data,
    );
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let r = client()
        .post(s.url(path))
        .header("accept", "text/html")
        .header("cookie", who.cookie.split(';').next().unwrap())
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let to = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, to, r.text().await.unwrap())
}

/// The thread as `who` reads it through the API.
async fn thread(s: &TestServer, who: &Learner, tid: &str) -> Value {
    ok(s, who, Method::GET, &format!("{THREADS}/{tid}"), None, 200).await
}

#[tokio::test]
async fn post_images_are_uploaded_shown_refused_and_kept_inside_their_space() {
    let s3 = S3Server::start();
    let c = cohorts_world(s3.env()).await;
    let (w, s) = (&c.w, &c.w.s);
    two_cohorts(&c).await;
    let join = "/api/v1/cohorts/vlr-a/join";
    ok(s, &w.lyon_admin, Method::POST, join, None, 200).await;
    // `author` writes; `member` reads beside them; Nairobi's administrator
    // is in the other cohort; `w.learner` is in neither.
    let (author, member, facilitator) = (&w.lyon_member, &w.lyon_admin, &c.facilitator);
    let outsiders = [&w.nairobi_admin, &w.learner];

    // A thread whose text tries a remote image (a tracking pixel).
    let t = start(
        s,
        author,
        SPACE,
        json!({ "title": "Flood maps", "body": "Our map ![pixel](https://evil.example/p.gif)" }),
    )
    .await;
    let tid = id(&t);
    let opening = id(&t["posts"][0]);
    let (st, img) = attach(
        s,
        author,
        &opening,
        "Map.PNG",
        Some("Flood map of the river"),
        png_of(1),
    )
    .await;
    assert_eq!(st, 200, "{img}");
    let name = img["name"].as_str().unwrap().to_owned();
    assert!(name.ends_with(".png") && name.len() == 68, "{img}");
    assert_eq!(
        (img["width"].as_u64(), img["height"].as_u64()),
        (Some(40), Some(20))
    );
    let url = format!("/discussions/posts/{opening}/images/{name}");
    assert_eq!(img["url"], json!(url));
    // Stored in the S3 bucket under its content address, not with the
    // public course media.
    let stored = s3.objects("discussions");
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert!(stored[0].to_string_lossy().ends_with(&name), "{stored:?}");
    assert!(s3.objects("media").is_empty());

    // Shown under the text with its alt text and size; the pixel is a link.
    let read = thread(s, member, &tid).await;
    let post = &read["posts"][0];
    assert_eq!(post["images"][0]["alt"], "Flood map of the river", "{post}");
    let html = post["body_html"].as_str().unwrap();
    assert!(
        html.contains(&format!(
            "<p class=\"post-images\"><img src=\"{url}\" alt=\"Flood map of the river\" width=\"40\" height=\"20\" loading=\"lazy\">"
        )),
        "{html}"
    );
    assert!(!html.contains("<img src=\"https://evil"), "{html}");
    assert!(
        html.contains("href=\"https://evil.example/p.gif\""),
        "{html}"
    );
    assert_eq!(html.matches("<img").count(), 1, "{html}");

    // Placed in the text with `upload:`: once, where the author put it.
    let placed = format!("See ![The river in 2024](upload:{name}) here.");
    ok(
        s,
        author,
        Method::PUT,
        &format!("{POSTS}/{opening}"),
        Some(json!({ "body": placed })),
        204,
    )
    .await;
    let html = thread(s, member, &tid).await["posts"][0]["body_html"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        html.contains(&format!("<img src=\"{url}\" alt=\"The river in 2024\" width=\"40\" height=\"20\" loading=\"lazy\">")),
        "{html}"
    );
    assert!(!html.contains("post-images"), "{html}");

    // Another post cannot show it (nor any image not its own).
    let foreign = format!(
        "Copy ![x](upload:{name}) <img src=\"{url}\"> ![far](https://evil.example/t.gif) <img src=\"https://evil.example/raw.gif\">"
    );
    let r = reply(s, member, &tid, json!({ "body": foreign })).await;
    let html = last_post(&r)["body_html"].as_str().unwrap();
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("raw.gif"), "{html}");
    let their = id(last_post(&r));

    // Served to the space's people: right type, never sniffed, kept long.
    for who in [member, author, facilitator, &w.admin] {
        let (st, h, bytes) = fetch(s, Some(who), &url).await;
        assert_eq!(st, 200, "{}", who.email);
        assert_eq!(h[0], "image/png");
        assert_eq!(h[1], "nosniff");
        assert!(
            h[2].contains("max-age=31536000") && h[2].contains("private"),
            "{h:?}"
        );
        assert_eq!(bytes, png_of(1));
    }
    assert_eq!(fetch(s, None, &url).await.0, 303, "signed out: to sign in");
    for who in outsiders {
        assert_eq!(fetch(s, Some(who), &url).await.0, 404, "{}", who.email);
    }
    let api = format!("/api/v1{url}");
    let r = s
        .as_learner(member, Method::GET, &api)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().to_vec(), png_of(1));
    for who in outsiders {
        let (st, b) = s.call(who, Method::GET, &api, None).await;
        assert_eq!((st, b["code"].as_str()), (404, Some("not_found")), "{b}");
    }
    assert_eq!(s.http.get(s.url(&api)).send().await.unwrap().status(), 401);
    let other = format!("/discussions/posts/{their}/images/{name}");
    assert_eq!(
        fetch(s, Some(member), &other).await.0,
        404,
        "not that post's"
    );

    // Refusals, in one JSON shape naming the field.
    let html_png = b"<!doctype html><html><script>alert(1)</script></html>".to_vec();
    let svg_png = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"></svg>".to_vec();
    let big = {
        let mut b = png_of(2);
        b.resize(5 * 1024 * 1024 + 1, 0);
        b
    };
    for (file, bytes, alt, status, field) in [
        ("page.png", html_png.clone(), Some("A page"), 422, "image"),
        (
            "drawing.png",
            svg_png.clone(),
            Some("A drawing"),
            422,
            "image",
        ),
        (
            "drawing.svg",
            svg_png.clone(),
            Some("A drawing"),
            422,
            "image",
        ),
        ("photo.jpg", png_of(3), Some("A photo"), 422, "image"),
        ("huge.png", big, Some("Huge"), 422, "image"),
        ("map2.png", png_of(4), None, 422, "alt"),
        ("map2.png", png_of(4), Some("   "), 422, "alt"),
        ("map.png", png_of(1), Some("Again"), 409, "image"),
    ] {
        let (st, b) = attach(s, author, &opening, file, alt, bytes).await;
        assert_eq!((st, field_of(&b)), (status, field), "{file}: {b}");
        assert!(b["message"].is_string(), "{b}");
    }
    let (st, b) = attach(s, member, &opening, "map3.png", Some("Mine"), png_of(5)).await;
    assert_eq!((st, b["code"].as_str()), (403, Some("forbidden")), "{b}");
    for who in outsiders {
        let (st, _) = attach(s, who, &opening, "map3.png", Some("Mine"), png_of(5)).await;
        assert_eq!(st, 404);
    }
    // At most six.
    for n in 0..5u8 {
        let (st, b) = attach(
            s,
            author,
            &opening,
            "more.png",
            Some("More"),
            png_of(10 + n),
        )
        .await;
        assert_eq!(st, 200, "{b}");
    }
    let (st, b) = attach(
        s,
        author,
        &opening,
        "seventh.png",
        Some("One too many"),
        png_of(20),
    )
    .await;
    assert_eq!((st, field_of(&b)), (422, "image"), "{b}");
    assert!(b["message"].as_str().unwrap().contains("at most 6"), "{b}");

    // The XSS corpus as text alternatives: kept as words, nothing live.
    let (st, b) = attach(
        s,
        member,
        &their,
        "xss.png",
        Some(&XSS.join(" ")[..290]),
        png_of(30),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    let r = reply(s, member, &tid, json!({ "body": "with images" })).await;
    let second = id(last_post(&r));
    for (n, alt) in XSS.iter().enumerate() {
        let post = if n < 5 { &their } else { &second };
        let (st, b) = attach(s, member, post, "x.png", Some(alt), png_of(31 + n as u8)).await;
        assert_eq!(st, 200, "{alt}: {b}");
    }
    let read = thread(s, member, &tid).await;
    let all = read["posts"].to_string();
    for p in read["posts"].as_array().unwrap() {
        let html = p["body_html"].as_str().unwrap();
        // Words inside an attribute are escaped; no tag or handler lives.
        for bad in [
            "<script",
            "<svg",
            "<iframe",
            "<object",
            "<details",
            "onerror=\"",
            "onload=\"",
            "ontoggle=\"",
            "href=\"javascript:",
            "src=\"javascript:",
        ] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
    }
    assert!(
        all.contains("window.__xss=1"),
        "the words are kept, escaped"
    );
    let (st, html) = page(
        s,
        Some(member),
        &format!("/discussions/{SPACE}/threads/{tid}"),
    )
    .await;
    assert_eq!(st, 200);
    for bad in [
        "<script>window",
        "<svg onload",
        "<iframe src=\"javascript",
        "<details open ontoggle",
    ] {
        assert!(!html.contains(bad), "{bad} on the page");
    }

    // Hidden by a moderator: its images go with its words, except for
    // moderators; restored, they come back.
    let vis = format!("{POSTS}/{opening}/visibility");
    ok(
        s,
        facilitator,
        Method::PUT,
        &vis,
        Some(json!({ "hidden": true })),
        204,
    )
    .await;
    assert_eq!(fetch(s, Some(member), &url).await.0, 404);
    assert_eq!(fetch(s, Some(facilitator), &url).await.0, 200);
    let read = thread(s, member, &tid).await;
    assert_eq!(read["posts"][0]["images"], json!([]), "{read}");
    assert!(
        !read["posts"][0]["body_html"]
            .as_str()
            .unwrap()
            .contains("<img")
    );
    ok(
        s,
        facilitator,
        Method::PUT,
        &vis,
        Some(json!({ "hidden": false })),
        204,
    )
    .await;
    assert_eq!(fetch(s, Some(member), &url).await.0, 200);

    // Removed by its author: gone for readers, kept for moderators, who
    // see it on the post's history page.
    let del = format!("{POSTS}/{opening}/images/{name}");
    ok(s, member, Method::DELETE, &del, None, 403).await;
    ok(s, author, Method::DELETE, &del, None, 204).await;
    ok(s, author, Method::DELETE, &del, None, 404).await;
    assert_eq!(fetch(s, Some(member), &url).await.0, 404);
    assert_eq!(fetch(s, Some(facilitator), &url).await.0, 200);
    let list = ok(
        s,
        facilitator,
        Method::GET,
        &format!("{POSTS}/{opening}/images"),
        None,
        200,
    )
    .await;
    let removed: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["removed"] == true)
        .collect();
    assert_eq!(removed.len(), 1, "{list}");
    let list = ok(
        s,
        member,
        Method::GET,
        &format!("{POSTS}/{opening}/images"),
        None,
        200,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 5, "{list}");
    let (st, html) = page(
        s,
        Some(facilitator),
        &format!("/discussions/{SPACE}/threads/{tid}/posts/{opening}/history"),
    )
    .await;
    assert_eq!(st, 200);
    assert!(
        html.contains(&url) && html.contains("removed by its author"),
        "{html}"
    );
    assert!(html.contains("Flood map of the river"));

    // A locked thread and a suspension refuse images too.
    let lock = format!("{THREADS}/{tid}/lock");
    ok(
        s,
        facilitator,
        Method::PUT,
        &lock,
        Some(json!({ "locked": true })),
        204,
    )
    .await;
    let (st, b) = attach(s, author, &opening, "late.png", Some("Late"), png_of(40)).await;
    assert_eq!((st, b["code"].as_str()), (409, Some("conflict")), "{b}");
    ok(
        s,
        facilitator,
        Method::PUT,
        &lock,
        Some(json!({ "locked": false })),
        204,
    )
    .await;
    let me = ok(s, author, Method::GET, "/api/v1/me", None, 200).await;
    let tomorrow = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    ok(
        s,
        facilitator,
        Method::POST,
        "/api/v1/discussions/suspensions",
        Some(json!({ "user_id": me["id"], "space": SPACE, "until": tomorrow, "reason": "Spam" })),
        201,
    )
    .await;
    let (st, b) = attach(s, author, &opening, "late.png", Some("Late"), png_of(41)).await;
    assert_eq!(st, 403, "{b}");
    assert!(b["message"].as_str().unwrap().contains("suspended"), "{b}");

    // Deleted by its author: its images go with it, for everyone.
    let their_url = format!("/discussions/posts/{their}/images/");
    let read = thread(s, member, &tid).await;
    let theirs = read["posts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == json!(their))
        .unwrap()["images"][0]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        s,
        member,
        Method::DELETE,
        &format!("{POSTS}/{their}"),
        None,
        204,
    )
    .await;
    assert_eq!(
        fetch(s, Some(member), &format!("{their_url}{theirs}"))
            .await
            .0,
        404
    );
    assert_eq!(
        fetch(s, Some(facilitator), &format!("{their_url}{theirs}"))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn the_pages_attach_images_without_javascript_and_refuse_them_next_to_the_field() {
    let s3 = S3Server::start();
    let c = cohorts_world(s3.env()).await;
    let (w, s) = (&c.w, &c.w.s);
    two_cohorts(&c).await;
    let author = &w.lyon_member;
    let base = format!("/discussions/{SPACE}");

    // A new thread with an image, as the form sends it.
    let (st, to, body) = multipart_form(
        s,
        author,
        &format!("{base}/threads"),
        &[
            ("title", "Our river"),
            ("body", "The flood of May."),
            ("alt", "The river in flood"),
        ],
        Some(("river.png", &png_of(50))),
    )
    .await;
    assert_eq!(st, 303, "{body}");
    let (st, html) = page(s, Some(author), &to).await;
    assert_eq!(st, 200);
    let tid = to.rsplit('/').next().unwrap().to_owned();
    let t = thread(s, author, &tid).await;
    let opening = id(&t["posts"][0]);
    let name = t["posts"][0]["images"][0]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = format!("/discussions/posts/{opening}/images/{name}");
    assert!(
        html.contains(&format!("<img src=\"{url}\" alt=\"The river in flood\" width=\"40\" height=\"20\" loading=\"lazy\">")),
        "{html}"
    );
    // Its author is shown how to place it, and can remove it.
    assert!(
        html.contains(&format!("![The river in flood](upload:{name})")),
        "{html}"
    );
    assert!(html.contains("/images/removal"));

    // A URL-encoded form (no file input) still posts.
    let thread_page = format!("{base}/threads/{tid}");
    let (st, _, _) = form(
        s,
        Some(author),
        &format!("{thread_page}/posts"),
        &[("body", "Plain")],
    )
    .await;
    assert_eq!(st, 303);

    // Refusals come back next to the field, with what was written.
    let html_png = b"<html><body>not an image</body></html>".to_vec();
    for (fields, file, status, id, text) in [
        (
            vec![("body", "Look"), ("alt", "A page")],
            ("page.png", html_png.as_slice()),
            422,
            "reply-image-error",
            "This file is not a PNG, JPEG or WebP image.",
        ),
        (
            vec![("body", "Look"), ("alt", "")],
            ("river2.png", png_of(51).leak() as &[u8]),
            422,
            "reply-alt-error",
            "Say what the image shows",
        ),
        (
            vec![("body", "Look"), ("alt", "A photo")],
            ("photo.jpg", png_of(50).leak() as &[u8]),
            422,
            "reply-image-error",
            "This file is not a PNG, JPEG or WebP image.",
        ),
    ] {
        let (st, _, html) = multipart_form(
            s,
            author,
            &format!("{thread_page}/posts"),
            &fields,
            Some(file),
        )
        .await;
        assert_eq!(st, status, "{html}");
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}: {html}");
        assert!(html.contains(text), "{text}");
        assert!(html.contains(">Look</textarea>"), "the text is kept");
    }

    // Editing adds one; the edit form refuses another person's post.
    let (st, to, body) = multipart_form(
        s,
        author,
        &format!("{thread_page}/edit"),
        &[
            ("post", &opening),
            ("body", "The flood of May."),
            ("alt", "The dyke"),
        ],
        Some(("dyke.png", &png_of(52))),
    )
    .await;
    assert_eq!(st, 303, "{body}");
    assert!(to.contains(&format!("#post-{opening}")));
    let t = thread(s, author, &tid).await;
    assert_eq!(t["posts"][0]["images"].as_array().unwrap().len(), 2, "{t}");
    let (st, _, html) = multipart_form(
        s,
        author,
        &format!("{thread_page}/edit"),
        &[
            ("post", &opening),
            ("body", "The flood of May."),
            ("alt", ""),
        ],
        Some(("dyke2.png", &png_of(53))),
    )
    .await;
    assert_eq!(st, 422);
    assert!(
        html.contains(&format!("id=\"edit-{opening}-alt-error\"")),
        "{html}"
    );
    let other = &w.lyon_admin;
    ok(
        s,
        other,
        Method::POST,
        "/api/v1/cohorts/vlr-a/join",
        None,
        200,
    )
    .await;
    let (st, _, _) = multipart_form(
        s,
        other,
        &format!("{thread_page}/edit"),
        &[("post", &opening), ("body", "Mine now"), ("alt", "Theirs")],
        Some(("x.png", &png_of(54))),
    )
    .await;
    assert_eq!(st, 403);

    // Removing it from the page.
    let (st, _, _) = form(
        s,
        Some(author),
        &format!("{thread_page}/images/removal"),
        &[("post", &opening), ("name", &name)],
    )
    .await;
    assert_eq!(st, 303);
    assert_eq!(fetch(s, Some(other), &url).await.0, 404);
    assert_eq!(s3.objects("discussions").len(), 2);
}
