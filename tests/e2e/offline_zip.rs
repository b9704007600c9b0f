//! Offline learning (issue 23): a course downloaded as one file. Only an
//! enrolled learner gets it; it unpacks into static pages that Chromium
//! opens from `file://` with no server (`tests/offline-browser/archive.mjs`):
//! every lesson and every image loads, and quiz answers are not in it.

use std::{io::Read, process::Command};

use agora_tests::{ServerOptions, TempDir, TestServer, write_fixture_course};
use reqwest::Method;
use serde_json::{Value, json};

use super::offline_browser::journey_dir;

const SLUG: &str = "zip-course";

/// A real 900 × 450 PNG, wide enough for the site to offer smaller copies
/// (which the archive must not point to).
fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(900, 450, |x, _| image::Rgb([(x % 200) as u8 + 40, 84, 91]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_with_encoder(image::codecs::png::PngEncoder::new(&mut out))
        .unwrap();
    out
}

async fn download(server: &TestServer, cookie: Option<&str>, slug: &str) -> reqwest::Response {
    let mut r = server
        .http
        .get(server.url(&format!("/api/v1/courses/{slug}/archive")));
    if let Some(c) = cookie {
        r = r.header("cookie", c);
    }
    r.send().await.unwrap()
}

#[tokio::test]
async fn an_enrolled_learner_downloads_a_course_that_opens_from_files() {
    let courses = TempDir::new();
    write_fixture_course(courses.path(), SLUG);
    let c = courses.path().join(SLUG);
    std::fs::create_dir_all(c.join("media")).unwrap();
    let png = png();
    std::fs::write(c.join("media/flood-map.png"), &png).unwrap();
    std::fs::write(
        c.join("en/intro.md"),
        "---\ntitle: Introduction\n---\n![A flood map](media:flood-map.png)\n\nSee [the sheet](resource:sheet.md) and [the check](lesson:check).\n",
    )
    .unwrap();
    let server = TestServer::start_with(ServerOptions {
        courses_dir: Some(courses.path().to_owned()),
        env: vec![],
    })
    .await;
    let ana = server.learner("ana@city.gov").await;
    let ben = server.learner("ben@city.gov").await;
    let session = |l: &agora_tests::Learner| l.cookie.split(';').next().unwrap().to_owned();

    // Who may download it: the enrolled learner only.
    assert_eq!(download(&server, None, SLUG).await.status(), 401);
    let (status, _) = server
        .call(
            &ana,
            Method::POST,
            &format!("/api/v1/courses/{SLUG}/enrolment"),
            None,
        )
        .await;
    assert_eq!(status, 201);
    let r = download(&server, Some(&session(&ben)), SLUG).await;
    assert_eq!(r.status(), 403, "not enrolled");
    let body: Value = r.json().await.unwrap();
    assert!(body["code"].is_string(), "{body}");
    assert_eq!(
        download(&server, Some(&session(&ana)), "no-such-course")
            .await
            .status(),
        404
    );
    assert_eq!(
        download(&server, Some(&session(&ana)), "Bad..Slug")
            .await
            .status(),
        404
    );
    let (status, _) = server
        .call(
            &ana,
            Method::GET,
            &format!("/api/v1/courses/{SLUG}/archive"),
            None,
        )
        .await;
    assert_eq!(status, 200, "with an API token too");

    let r = download(&server, Some(&session(&ana)), SLUG).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    assert_eq!(
        r.headers()["content-disposition"],
        format!("attachment; filename=\"{SLUG}.zip\"")
    );
    let bytes = r.bytes().await.unwrap();

    // Unpacked: the course page, every lesson, the image, the resource.
    let out = TempDir::new();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut names = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let path = f.enclosed_name().expect("a safe path");
        names.push(path.to_string_lossy().into_owned());
        let to = out.path().join(&path);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        std::fs::write(&to, data).unwrap();
    }
    let folder = out.path().join(SLUG);
    for must in [
        "index.html",
        "style.css",
        "lessons/intro.html",
        "lessons/sheet.html",
        "lessons/check.html",
        "resources/sheet.md",
    ] {
        assert!(folder.join(must).is_file(), "{must} in {names:?}");
    }
    let media: Vec<_> = std::fs::read_dir(folder.join("media"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(media.len(), 1, "{names:?}");
    assert_eq!(std::fs::read(media[0].path()).unwrap(), png);
    // The site's lesson offers smaller copies; the archive, the one image.
    let intro = std::fs::read_to_string(folder.join("lessons/intro.html")).unwrap();
    assert!(intro.contains("src=\"../media/"), "{intro}");
    assert!(
        !intro.contains("srcset") && !intro.contains("sizes="),
        "{intro}"
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("resources/sheet.md")).unwrap(),
        "# Worksheet\n\n- [ ] one\n"
    );
    let quiz = std::fs::read_to_string(folder.join("lessons/check.html")).unwrap();
    assert!(quiz.contains("Pick b"), "{quiz}");
    assert!(
        !quiz.contains("Yes."),
        "no explanations, no answers: {quiz}"
    );
    let intro = std::fs::read_to_string(folder.join("lessons/intro.html")).unwrap();
    assert!(intro.contains("href=\"../resources/sheet.md\""), "{intro}");
    assert!(intro.contains("href=\"../lessons/check.html\""), "{intro}");
    assert!(!intro.contains("=\"/"), "no address of the site: {intro}");

    // In Chromium, from file://, with every request to a server refused.
    let dir = journey_dir();
    std::fs::copy(
        agora_tests::root().join("tests/offline-browser/archive.mjs"),
        dir.join("archive.mjs"),
    )
    .ok();
    let folder_arg = folder.clone();
    let run = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .current_dir(&dir)
            .arg("archive.mjs")
            .arg(&folder_arg)
            .output()
            .expect("node (installed by scripts/test)")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let r: Value = serde_json::from_str(stdout.trim().lines().last().unwrap_or(""))
        .unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(r["errors"], json!([]), "{r}");
    assert_eq!(
        r["pages"].as_u64(),
        Some(4),
        "the course page and 3 lessons: {r}"
    );
    assert_eq!(r["pages_ok"], r["pages"], "{r}");
    assert_eq!(r["images"].as_u64(), Some(1), "{r}");
    assert_eq!(r["images_ok"].as_u64(), Some(1), "{r}");
    assert!(r["links"].as_u64().unwrap_or(0) >= 8, "{r}");
    assert_eq!(r["links_ok"], r["links"], "{r}");
}
