//! Authoring through the JSON API: ownership, drafts that learners do not
//! see, publication that keeps progress, conflicts, bad input, zip round trip.

use std::{collections::BTreeMap, io::Read, path::Path};

use agora_tests::{Learner, TempDir, TestServer, wait_until, write_fixture_course};
use reqwest::Method;
use serde_json::{Value, json};

const SLUG: &str = "flood-ready";

/// Every file of a course folder, by path relative to it.
pub(super) fn folder_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// The files of a zip, with the single top folder stripped.
fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        if f.is_dir() {
            continue;
        }
        let name = f.name().unwrap().split_once('/').unwrap().1.to_owned();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.insert(name, data);
    }
    out
}

pub(super) fn zip_folder(slug: &str, files: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (path, data) in files {
        w.start_file(
            format!("{slug}/{path}"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

pub(super) fn fixture_files(slug: &str) -> (TempDir, BTreeMap<String, Vec<u8>>) {
    let dir = TempDir::new();
    write_fixture_course(dir.path(), slug);
    let files = folder_files(&dir.path().join(slug));
    (dir, files)
}

pub(super) async fn upload(
    server: &TestServer,
    who: &Learner,
    zip: Vec<u8>,
    revision: Option<i64>,
) -> (u16, Value) {
    let path = match revision {
        Some(r) => format!("/api/v1/authoring/archives?revision={r}"),
        None => "/api/v1/authoring/archives".into(),
    };
    let r = server
        .as_learner(who, Method::POST, &path)
        .header("content-type", "application/octet-stream")
        .body(zip)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub(super) async fn put_file(
    server: &TestServer,
    who: &Learner,
    slug: &str,
    path: &str,
    revision: i64,
    data: Vec<u8>,
) -> (u16, Value) {
    let r = server
        .as_learner(
            who,
            Method::PUT,
            &format!("/api/v1/authoring/courses/{slug}/file?path={path}&revision={revision}"),
        )
        .header("content-type", "application/octet-stream")
        .body(data)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get_file(server: &TestServer, who: &Learner, slug: &str, path: &str) -> Vec<u8> {
    let r = server
        .as_learner(
            who,
            Method::GET,
            &format!("/api/v1/authoring/courses/{slug}/file?path={path}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.bytes().await.unwrap().to_vec()
}

pub(super) async fn revision(server: &TestServer, who: &Learner, slug: &str) -> i64 {
    let (status, d) = server
        .call(
            who,
            Method::GET,
            &format!("/api/v1/authoring/courses/{slug}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{d}");
    d["revision"].as_i64().unwrap()
}

#[tokio::test]
async fn every_authoring_endpoint_checks_who_is_calling() {
    let server = TestServer::start().await;
    let owner = server.author("owner@city.gov").await;
    let coauthor = server.author("co@city.gov").await;
    let other = server.author("other@city.gov").await;
    let learner = server.learner("learner@city.gov").await;
    let admin = server.admin("admin@city.gov").await;

    let (status, d) = server
        .call(
            &owner,
            Method::POST,
            "/api/v1/authoring/courses",
            Some(json!({ "slug": SLUG, "default_locale": "en", "title": "Flood-ready streets", "summary": "Keep streets dry." })),
        )
        .await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["access"], "owner");
    assert_eq!(d["status"], "draft");
    let (status, _) = server
        .call(
            &owner,
            Method::POST,
            &format!("/api/v1/authoring/courses/{SLUG}/authors"),
            Some(json!({ "email": "co@city.gov" })),
        )
        .await;
    assert_eq!(status, 204);

    // Requests that would change something carry a stale revision or a
    // bad value, so an allowed caller gets a 409/422/404, never a change.
    let base = format!("/api/v1/authoring/courses/{SLUG}");
    let endpoints: Vec<(Method, String, Option<Value>, bool)> = vec![
        (Method::GET, base.clone(), None, false),
        (
            Method::GET,
            format!("{base}/file?path=course.yaml"),
            None,
            false,
        ),
        (
            Method::PUT,
            format!("{base}/file?path=en/welcome.md&revision=999"),
            None,
            false,
        ),
        (
            Method::DELETE,
            format!("{base}/file?path=en/welcome.md&revision=999"),
            None,
            false,
        ),
        (
            Method::POST,
            format!("{base}/preview"),
            Some(json!({ "markdown": "*hi*" })),
            false,
        ),
        (Method::GET, format!("{base}/archive"), None, false),
        (Method::GET, format!("{base}/versions"), None, false),
        (
            Method::GET,
            format!("{base}/versions/99/archive"),
            None,
            false,
        ),
        (
            Method::PUT,
            format!("{base}/status"),
            Some(json!({ "status": "draft" })),
            false,
        ),
        (Method::GET, format!("{base}/structure"), None, false),
        (
            Method::PUT,
            format!("{base}/details"),
            Some(
                json!({ "revision": 999, "level": "beginner", "duration_minutes": 30, "themes": [] }),
            ),
            false,
        ),
        (
            Method::PUT,
            format!("{base}/texts/fr"),
            Some(
                json!({ "revision": 999, "title": "T", "summary": "S", "description": "D", "objectives": ["O"] }),
            ),
            false,
        ),
        (
            Method::POST,
            format!("{base}/modules"),
            Some(
                json!({ "revision": 999, "title": "M", "lesson": { "kind": "text", "title": "L", "duration_minutes": 5 } }),
            ),
            false,
        ),
        (
            Method::PUT,
            format!("{base}/modules/introduction/texts/en"),
            Some(json!({ "revision": 999, "title": "M" })),
            false,
        ),
        (
            Method::DELETE,
            format!("{base}/modules/introduction?revision=999"),
            None,
            false,
        ),
        (
            Method::PUT,
            format!("{base}/outline"),
            Some(json!({ "revision": 999, "modules": [] })),
            false,
        ),
        (
            Method::POST,
            format!("{base}/modules/introduction/lessons"),
            Some(json!({ "revision": 999, "kind": "text", "title": "L", "duration_minutes": 5 })),
            false,
        ),
        (
            Method::PUT,
            format!("{base}/lessons/welcome"),
            Some(json!({ "revision": 999, "locale": "en", "title": "L", "duration_minutes": 5 })),
            false,
        ),
        (
            Method::DELETE,
            format!("{base}/lessons/welcome?revision=999"),
            None,
            false,
        ),
        (
            Method::PUT,
            format!("{base}/quizzes/welcome"),
            Some(
                json!({ "revision": 999, "locale": "en", "title": "Q", "duration_minutes": 5, "passing_score": 70, "questions": [] }),
            ),
            false,
        ),
        (Method::GET, format!("{base}/audit"), None, false),
        (Method::GET, format!("{base}/translations"), None, false),
        (
            Method::POST,
            format!("{base}/authors"),
            Some(json!({ "email": "nobody@city.gov" })),
            true,
        ),
        (
            Method::DELETE,
            format!("{base}/authors/00000000-0000-0000-0000-000000000000"),
            None,
            true,
        ),
    ];
    // The file body of a save is raw bytes, not JSON.
    let send = |who: Option<&Learner>, method: &Method, path: &str, body: &Option<Value>| {
        let mut req = reqwest::Client::new().request(method.clone(), server.url(path));
        if let Some(l) = who {
            req = req.bearer_auth(&l.token);
        }
        if *method == Method::PUT && path.contains("/file?") {
            req = req
                .header("content-type", "application/octet-stream")
                .body("---\ntitle: x\n---\nx\n");
        } else if let Some(b) = body {
            req = req.json(b);
        }
        async move {
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    for (method, path, body, owners_only) in &endpoints {
        let (status, _) = send(None, method, path, body).await;
        assert_eq!(status, 401, "anonymous {method} {path}");
        for (who, name, allowed) in [
            (&learner, "learner", false),
            (&other, "another author", false),
            (&coauthor, "co-author", !owners_only),
            (&owner, "owner", true),
            (&admin, "admin", true),
        ] {
            let (status, body) = send(Some(who), method, path, body).await;
            if allowed {
                assert!(
                    status != 401 && status != 403,
                    "{name} {method} {path}: {status} {body}"
                );
                if status >= 400 {
                    assert!(body["code"].is_string(), "{name} {method} {path}: {body}");
                }
            } else {
                assert_eq!(status, 403, "{name} {method} {path}: {body}");
                assert_eq!(body["code"], "forbidden");
            }
        }
    }
    // The list shows each author their own courses only.
    let (_, mine) = server
        .call(&coauthor, Method::GET, "/api/v1/authoring/courses", None)
        .await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["access"], "coauthor");
    let (_, none) = server
        .call(&other, Method::GET, "/api/v1/authoring/courses", None)
        .await;
    assert_eq!(none, json!([]));
    let (status, _) = server
        .call(&learner, Method::GET, "/api/v1/authoring/courses", None)
        .await;
    assert_eq!(status, 403);
    let (_, all) = server
        .call(&admin, Method::GET, "/api/v1/authoring/courses", None)
        .await;
    assert!(all.as_array().unwrap().len() >= 6, "{all}");
    // Upload and creation need an author.
    let (status, _) = upload(&server, &learner, zip_folder(SLUG, &BTreeMap::new()), None).await;
    assert_eq!(status, 403);
    let (status, _) = server
        .call(
            &learner,
            Method::POST,
            "/api/v1/authoring/courses",
            Some(json!({ "slug": "mine", "default_locale": "en", "title": "T", "summary": "S" })),
        )
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn drafts_stay_private_until_published_and_progress_survives_new_versions() {
    let server = TestServer::start().await;
    let author = server.author("author@city.gov").await;
    let (_dir, files) = fixture_files(SLUG);

    // A course uploaded as a zip is a hidden draft.
    let (status, d) = upload(&server, &author, zip_folder(SLUG, &files), None).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["status"], "draft");
    let (status, _) = server.get_json(&format!("/api/v1/courses/{SLUG}")).await;
    assert_eq!(status, 404, "a draft is not in the catalogue");

    let (status, v) = server
        .call(
            &author,
            Method::POST,
            &format!("/api/v1/authoring/courses/{SLUG}/versions"),
            None,
        )
        .await;
    assert_eq!((status, v["number"].as_i64()), (201, Some(1)), "{v}");
    let (status, _) = server.get_json(&format!("/api/v1/courses/{SLUG}")).await;
    assert_eq!(status, 200);
    // Publishing an unchanged draft again is refused.
    let (status, body) = server
        .call(
            &author,
            Method::POST,
            &format!("/api/v1/authoring/courses/{SLUG}/versions"),
            None,
        )
        .await;
    assert_eq!(status, 409, "{body}");

    // Two learners: one finishes, one reads the introduction only.
    let done = server.learner("done@city.gov").await;
    let midway = server.learner("midway@city.gov").await;
    for l in [&done, &midway] {
        let (status, _) = server
            .call(
                l,
                Method::POST,
                &format!("/api/v1/courses/{SLUG}/enrolment"),
                None,
            )
            .await;
        assert!(status == 200 || status == 201, "{status}");
    }
    let lesson = |key: &str| format!("/api/v1/courses/{SLUG}/lessons/{key}");
    for key in ["intro", "sheet"] {
        let (status, _) = server
            .call(
                &done,
                Method::POST,
                &format!("{}/completion", lesson(key)),
                None,
            )
            .await;
        assert_eq!(status, 200);
    }
    let (status, p) = server
        .call(
            &done,
            Method::POST,
            &format!("{}/attempts", lesson("check")),
            Some(json!({ "answers": { "q1": ["b"], "q2": ["false"] } })),
        )
        .await;
    assert_eq!(status, 200, "{p}");
    assert!(p["progress"]["completed_at"].is_string(), "{p}");
    let (status, _) = server
        .call(
            &midway,
            Method::POST,
            &format!("{}/completion", lesson("intro")),
            None,
        )
        .await;
    assert_eq!(status, 200);

    // The author edits the draft: new text, the worksheet lesson removed, a
    // new lesson added. Learners still see version 1.
    let rev = revision(&server, &author, SLUG).await;
    let course_yaml = String::from_utf8(files["course.yaml"].clone()).unwrap();
    let new_yaml = course_yaml.replace(
        "      - id: sheet\n        kind: resource\n        file: sheet.md\n",
        "      - id: drains\n        kind: text\n        duration_minutes: 5\n",
    );
    assert_ne!(new_yaml, course_yaml);
    let mut edited = files.clone();
    edited.insert("course.yaml".into(), new_yaml.into_bytes());
    edited.remove("en/sheet.md");
    edited.remove("en/resources/sheet.md");
    edited.insert(
        "en/intro.md".into(),
        b"---\ntitle: Introduction\n---\nVersion two of the introduction.\n".to_vec(),
    );
    edited.insert(
        "en/drains.md".into(),
        b"---\ntitle: Drains\n---\nKeep them clear.\n".to_vec(),
    );
    let (status, d) = upload(&server, &author, zip_folder(SLUG, &edited), Some(rev)).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["unpublished_changes"], true);
    let (_, intro) = server
        .call(&midway, Method::GET, &lesson("intro"), None)
        .await;
    assert!(!intro.to_string().contains("Version two"), "{intro}");

    let (status, v) = server
        .call(
            &author,
            Method::POST,
            &format!("/api/v1/authoring/courses/{SLUG}/versions"),
            None,
        )
        .await;
    assert_eq!((status, v["number"].as_i64()), (201, Some(2)), "{v}");
    let (_, intro) = server
        .call(&midway, Method::GET, &lesson("intro"), None)
        .await;
    assert!(intro.to_string().contains("Version two"), "{intro}");

    // The finisher stays finished; the other keeps the introduction and
    // now has the new lesson to do; the removed lesson is gone.
    let (_, mine) = server
        .call(&done, Method::GET, "/api/v1/me/learning", None)
        .await;
    assert!(mine.to_string().contains("completed_at\":\"20"), "{mine}");
    let (_, mine) = server
        .call(&midway, Method::GET, "/api/v1/me/learning", None)
        .await;
    let p = &mine[0]["progress"];
    assert_eq!(p["completed_lessons"], 1, "{mine}");
    assert_eq!(p["total_lessons"], 3, "{mine}");
    let (status, _) = server
        .call(&midway, Method::GET, &lesson("sheet"), None)
        .await;
    assert_eq!(status, 404);
    assert_eq!(p["resume_lesson_key"], "drains", "{mine}");

    // Versions are kept, each downloadable as it was published.
    let (_, versions) = server
        .call(
            &author,
            Method::GET,
            &format!("/api/v1/authoring/courses/{SLUG}/versions"),
            None,
        )
        .await;
    assert_eq!(versions[0]["number"], 2);
    assert_eq!(versions[0]["published_by"], "author@city.gov");
    let v1 = server
        .as_learner(
            &author,
            Method::GET,
            &format!("/api/v1/authoring/courses/{SLUG}/versions/1/archive"),
        )
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(unzip(&v1), files);

    // Unpublish hides it; archiving retires it.
    let (status, d) = server
        .call(
            &author,
            Method::PUT,
            &format!("/api/v1/authoring/courses/{SLUG}/status"),
            Some(json!({ "status": "draft" })),
        )
        .await;
    assert_eq!((status, d["status"].as_str()), (200, Some("draft")), "{d}");
    let (status, _) = server.get_json(&format!("/api/v1/courses/{SLUG}")).await;
    assert_eq!(status, 404);

    // Every change is in the audit log, newest first.
    let (_, log) = server
        .call(
            &author,
            Method::GET,
            &format!("/api/v1/authoring/courses/{SLUG}/audit"),
            None,
        )
        .await;
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "course.unpublished",
            "course.published",
            "draft.uploaded",
            "course.published",
            "course.uploaded"
        ]
    );
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor"] == "author@city.gov")
    );
}

#[tokio::test]
async fn downloads_round_trip_losslessly() {
    let server = TestServer::start().await;
    let author = server.author("author@city.gov").await;
    let (_dir, files) = fixture_files(SLUG);
    let (status, d) = upload(&server, &author, zip_folder(SLUG, &files), None).await;
    assert_eq!(status, 200, "{d}");
    let zipped = server
        .as_learner(
            &author,
            Method::GET,
            &format!("/api/v1/authoring/courses/{SLUG}/archive"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(zipped.headers()["content-type"], "application/zip");
    let back = unzip(&zipped.bytes().await.unwrap());
    assert_eq!(
        back, files,
        "the download is byte for byte what was uploaded"
    );
    // Uploading it back changes nothing but the revision.
    let rev = d["revision"].as_i64().unwrap();
    let (status, again) = upload(&server, &author, zip_folder(SLUG, &back), Some(rev)).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["files"], d["files"]);

    // A course imported from the `courses/` folder opens as a draft too.
    let (status, sdgs) = server
        .call(
            &server.admin("admin@city.gov").await,
            Method::GET,
            "/api/v1/authoring/courses/localizing-the-sdgs",
            None,
        )
        .await;
    assert_eq!(status, 200, "{sdgs}");
    assert_eq!(sdgs["status"], "published");
    assert!(sdgs["files"].as_array().unwrap().len() > 10);
}

#[tokio::test]
async fn two_authors_saving_the_same_revision_get_a_conflict() {
    let server = TestServer::start().await;
    let a = server.author("a@city.gov").await;
    let (status, d) = server
        .call(
            &a,
            Method::POST,
            "/api/v1/authoring/courses",
            Some(json!({ "slug": SLUG, "default_locale": "en", "title": "Flood-ready", "summary": "Dry streets." })),
        )
        .await;
    assert_eq!(status, 201, "{d}");
    let rev = d["revision"].as_i64().unwrap();
    let text = |s: &str| format!("---\ntitle: Welcome\n---\n{s}\n").into_bytes();
    let (first, second) = tokio::join!(
        put_file(&server, &a, SLUG, "en/welcome.md", rev, text("First.")),
        put_file(&server, &a, SLUG, "en/welcome.md", rev, text("Second.")),
    );
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{first:?} {second:?}");
    let loser = if first.0 == 409 { &first.1 } else { &second.1 };
    assert_eq!(loser["code"], "conflict");
    assert_eq!(loser["field"], "revision");
    let kept = get_file(&server, &a, SLUG, "en/welcome.md").await;
    assert!(kept == text("First.") || kept == text("Second."));
    assert_eq!(revision(&server, &a, SLUG).await, rev + 1);
}

#[tokio::test]
async fn bad_input_is_refused_next_to_the_field_and_nothing_is_half_saved() {
    let server = TestServer::start().await;
    let a = server.author("a@city.gov").await;
    let (_dir, files) = fixture_files(SLUG);
    let (status, d) = upload(&server, &a, zip_folder(SLUG, &files), None).await;
    assert_eq!(status, 200, "{d}");
    let rev = d["revision"].as_i64().unwrap();

    // An empty title.
    let (status, e) = put_file(
        &server,
        &a,
        SLUG,
        "en/meta.yaml",
        rev,
        b"title: ''\nsummary: S\ndescription: D\nobjectives: [x]\nmodules:\n  first: { title: F }\n".to_vec(),
    )
    .await;
    assert_eq!(status, 422, "{e}");
    assert!(
        e["field"].as_str().unwrap().starts_with("en/meta.yaml"),
        "{e}"
    );
    // A quiz question without a right answer.
    let course_yaml = String::from_utf8(files["course.yaml"].clone()).unwrap();
    let (status, e) = put_file(
        &server,
        &a,
        SLUG,
        "course.yaml",
        rev,
        course_yaml
            .replace("correct: [b]", "correct: []")
            .into_bytes(),
    )
    .await;
    assert_eq!(status, 422, "{e}");
    assert!(
        e["field"].as_str().unwrap().starts_with("course.yaml"),
        "{e}"
    );
    // A slug that changes, or that another course has.
    let (status, e) = put_file(
        &server,
        &a,
        SLUG,
        "course.yaml",
        rev,
        course_yaml.replace(SLUG, "renamed").into_bytes(),
    )
    .await;
    assert_eq!(
        (status, e["field"].as_str()),
        (422, Some("course.yaml")),
        "{e}"
    );
    let (status, e) = server
        .call(
            &a,
            Method::POST,
            "/api/v1/authoring/courses",
            Some(json!({ "slug": "localizing-the-sdgs", "default_locale": "en", "title": "T", "summary": "S" })),
        )
        .await;
    assert_eq!((status, e["field"].as_str()), (409, Some("slug")), "{e}");
    let (status, e) = server
        .call(
            &a,
            Method::POST,
            "/api/v1/authoring/courses",
            Some(json!({ "slug": "new-course", "default_locale": "en", "title": "  ", "summary": "S" })),
        )
        .await;
    assert_eq!((status, e["field"].as_str()), (422, Some("title")), "{e}");
    // Paths outside the folder format.
    for path in ["../x.md", "de/meta.yaml", "en/x.js"] {
        let (status, e) = put_file(&server, &a, SLUG, path, rev, b"x".to_vec()).await;
        assert_eq!(
            (status, e["field"].as_str()),
            (422, Some("path")),
            "{path}: {e}"
        );
    }
    // Not a zip; a zip with a path escaping the folder.
    let (status, e) = upload(&server, &a, b"not a zip".to_vec(), None).await;
    assert_eq!((status, e["field"].as_str()), (422, Some("archive")), "{e}");

    // Nothing of all that was saved.
    assert_eq!(revision(&server, &a, SLUG).await, rev);
    assert_eq!(
        get_file(&server, &a, SLUG, "course.yaml").await,
        files["course.yaml"]
    );
    assert_eq!(
        get_file(&server, &a, SLUG, "en/meta.yaml").await,
        files["en/meta.yaml"]
    );

    // A real PDF is accepted where the course names it.
    let yaml = course_yaml.replace("file: sheet.md", "file: sheet.pdf");
    let mut with_pdf = files.clone();
    with_pdf.remove("en/resources/sheet.md");
    with_pdf.insert("course.yaml".into(), yaml.into_bytes());
    let intro = String::from_utf8(files["en/intro.md"].clone()).unwrap();
    with_pdf.insert(
        "en/intro.md".into(),
        intro
            .replace("resource:sheet.md", "resource:sheet.pdf")
            .into_bytes(),
    );
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    with_pdf.insert("en/resources/sheet.pdf".into(), pdf.clone());
    let (status, d) = upload(&server, &a, zip_folder(SLUG, &with_pdf), Some(rev)).await;
    assert_eq!(status, 200, "{d}");
    let rev = d["revision"].as_i64().unwrap();

    // Disguised and oversized uploads: content decides, not the name.
    let elf = [b"\x7fELF".as_slice(), &[0u8; 64]].concat();
    let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0u8; 64]].concat();
    for (data, why) in [
        (elf, "its content is not a PDF"),
        (png, "is a PNG file"),
        (b"just text".to_vec(), "is text"),
        (vec![b'%'; 11 * 1024 * 1024], "over the limit"),
    ] {
        let (status, e) = put_file(&server, &a, SLUG, "en/resources/sheet.pdf", rev, data).await;
        assert!(status == 422 || status == 413, "{why}: {status} {e}");
        assert!(
            e["message"].as_str().unwrap().contains(why) || status == 413,
            "{why}: {e}"
        );
    }
    assert_eq!(
        get_file(&server, &a, SLUG, "en/resources/sheet.pdf").await,
        pdf
    );
    assert_eq!(revision(&server, &a, SLUG).await, rev);
}

#[tokio::test]
async fn translations_show_what_is_missing_or_older_than_its_source() {
    let server = TestServer::start().await;
    let a = server.author("a@city.gov").await;
    let (_dir, files) = fixture_files(SLUG);
    let (status, d) = upload(&server, &a, zip_folder(SLUG, &files), None).await;
    assert_eq!(status, 200, "{d}");
    // French misses the worksheet text; change the English introduction so
    // the French one is older than its source.
    let rev = d["revision"].as_i64().unwrap();
    let (status, _) = put_file(
        &server,
        &a,
        SLUG,
        "en/intro.md",
        rev,
        b"---\ntitle: Introduction\n---\nNew text, see [the sheet](resource:sheet.md).\n".to_vec(),
    )
    .await;
    assert_eq!(status, 200);
    let (_, ts) = server
        .call(
            &a,
            Method::GET,
            &format!("/api/v1/authoring/courses/{SLUG}/translations"),
            None,
        )
        .await;
    let fr = ts
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["locale"] == "fr")
        .unwrap();
    let state = |p: &str| {
        fr["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["path"] == p)
            .map(|i| i["state"].as_str().unwrap().to_owned())
    };
    assert_eq!(state("fr/intro.md").as_deref(), Some("outdated"), "{fr}");
    assert_eq!(state("fr/sheet.md").as_deref(), Some("missing"), "{fr}");
    assert_eq!(state("fr/meta.yaml").as_deref(), Some("current"), "{fr}");
    // Markdown previews are sanitised as learners will see them.
    let (status, p) = server
        .call(
            &a,
            Method::POST,
            &format!("/api/v1/authoring/courses/{SLUG}/preview"),
            Some(json!({ "markdown": "**Hi** <script>alert(1)</script> [x](javascript:alert(1)) [s](resource:sheet.md)" })),
        )
        .await;
    assert_eq!(status, 200);
    let html = p["html"].as_str().unwrap();
    assert!(html.contains("<strong>Hi</strong>"), "{html}");
    assert!(
        !html.contains("<script") && !html.contains("javascript:"),
        "{html}"
    );
    assert!(
        html.contains(&format!("/courses/{SLUG}/resources/sheet.md")),
        "{html}"
    );
}

/// Script payloads, each of which would set `window.__xss` if it ran.
pub const XSS: [&str; 10] = [
    "<script>window.__xss=1</script>",
    "<img src=x onerror=\"window.__xss=2\">",
    "<svg onload=\"window.__xss=3\"></svg>",
    "[click me](javascript:window.__xss=4)",
    "<a href=\"javascript:window.__xss=5\">link</a>",
    "<iframe src=\"javascript:window.__xss=6\"></iframe>",
    "\"><script>window.__xss=7</script>",
    "<details open ontoggle=\"window.__xss=8\">x</details>",
    "{{constructor.constructor('window.__xss=9')()}}",
    "<object data=\"javascript:window.__xss=10\"></object>",
];

fn hostile_course(files: &mut BTreeMap<String, Vec<u8>>) {
    let all = XSS.join(" ");
    let q = |s: &str| serde_json::to_string(s).unwrap();
    files.insert(
        "en/meta.yaml".into(),
        format!(
            "title: {}\nsummary: {}\ndescription: {}\nobjectives: [{}]\nmodules:\n  first: {{ title: {}, summary: {} }}\n",
            q(&format!("Hostile {}", XSS[1])),
            q(&format!("Summary {}", XSS[2])),
            q(&all),
            q(&all),
            q(&format!("Module {}", XSS[0])),
            q(&all),
        )
        .into_bytes(),
    );
    files.insert(
        "en/intro.md".into(),
        format!(
            "---\ntitle: {}\n---\n{}\n\nSee [the sheet](resource:sheet.md).\n",
            q(&format!("Intro {}", XSS[6])),
            XSS.join("\n\n")
        )
        .into_bytes(),
    );
    files.insert(
        "en/check.yaml".into(),
        format!(
            "title: {}\nintro: {}\nquestions:\n  q1:\n    prompt: {}\n    options:\n      a: {{ text: {}, explanation: {} }}\n      b: {{ text: {}, explanation: {} }}\n  q2:\n    prompt: {}\n    options:\n      \"true\": {{ text: {}, explanation: {} }}\n      \"false\": {{ text: {}, explanation: {} }}\n",
            q(&format!("Check {}", XSS[7])),
            q(&all),
            q(XSS[1]),
            q(XSS[2]),
            q(XSS[3]),
            q(XSS[4]),
            q(XSS[5]),
            q(XSS[6]),
            q(XSS[7]),
            q(XSS[8]),
            q(XSS[9]),
            q(XSS[0]),
        )
        .into_bytes(),
    );
}

/// Elements and attributes the payloads would create if any markup
/// survived: none may exist in `scope` (escaped text is harmless).
const DANGEROUS: &str = "script:not([src]), iframe, object, embed, svg[onload], [onerror], [onload], [ontoggle], [onclick], a[href^='javascript'], [src^='javascript']";

async fn assert_inert(browser: &agora_tests::browser::Browser, scope: &str, page: &str) {
    let found = browser
        .script(
            "return Array.from(document.querySelectorAll(arguments[0] + ' :is(' + arguments[1] + ')')).map(e => e.outerHTML);",
            json!([scope, DANGEROUS]),
        )
        .await;
    assert_eq!(found, json!([]), "{page}: live markup from a payload");
    let ran = browser
        .script(
            "return window.__xss === undefined ? null : window.__xss;",
            json!([]),
        )
        .await;
    assert_eq!(ran, Value::Null, "a payload ran on {page}");
}

#[tokio::test]
async fn script_payloads_in_every_authored_field_never_run_in_a_browser() {
    let server = TestServer::start().await;
    let author = server.author("author@city.gov").await;
    let (_dir, mut files) = fixture_files(SLUG);
    hostile_course(&mut files);
    let (status, d) = upload(&server, &author, zip_folder(SLUG, &files), None).await;
    assert_eq!(status, 200, "{d}");
    let (status, v) = server
        .call(
            &author,
            Method::POST,
            &format!("/api/v1/authoring/courses/{SLUG}/versions"),
            None,
        )
        .await;
    assert_eq!(status, 201, "{v}");
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
    // A failed attempt shows the explanations of the chosen options.
    let (status, _) = server
        .call(
            &learner,
            Method::POST,
            &format!("/api/v1/courses/{SLUG}/lessons/check/attempts"),
            Some(json!({ "answers": { "q1": ["a"], "q2": ["true"] } })),
        )
        .await;
    assert_eq!(status, 200);

    // Publishing indexes the course behind the request (a job): wait for it,
    // so that the search page below has the hostile course to show.
    wait_until("the hostile course is searchable", || async {
        let (_, body) = server.get_json("/api/v1/search?q=hostile").await;
        body["total"].as_u64().unwrap_or(0) > 0
    })
    .await;
    let browser = agora_tests::browser::Browser::start(true, "en").await;
    browser.goto(&server.url("/sign-in")).await;
    browser.type_into("#email", "learner@city.gov").await;
    browser.type_into("#password", agora_tests::PASSWORD).await;
    browser.submit("main form button").await;
    let pages = [
        "/".to_owned(),
        "/courses".into(),
        "/courses?q=hostile".into(),
        format!("/courses/{SLUG}"),
        format!("/courses/{SLUG}/lessons/intro"),
        format!("/courses/{SLUG}/lessons/check"),
        "/my-learning".into(),
    ];
    for page in &pages {
        browser.goto(&server.url(page)).await;
        let text = browser.text("main").await;
        assert!(
            text.contains("Hostile") || text.contains("Intro") || text.contains("Check"),
            "{page}: the hostile course is shown: {text}"
        );
        assert_inert(&browser, "html", page).await;
    }
    // Every link a learner can click on the lesson is safe to follow.
    browser
        .goto(&server.url(&format!("/courses/{SLUG}/lessons/intro")))
        .await;
    let hrefs = browser
        .script(
            "return Array.from(document.querySelectorAll('main a[href]')).map(a => a.getAttribute('href'));",
            json!([]),
        )
        .await;
    for h in hrefs.as_array().unwrap() {
        let h = h.as_str().unwrap();
        assert!(
            h.starts_with('/') || h.starts_with("http") || h.starts_with('#'),
            "unsafe link {h}"
        );
    }

    // The author's own pages escape the same payloads.
    let author_browser = agora_tests::browser::Browser::start(true, "en").await;
    author_browser.goto(&server.url("/sign-in")).await;
    author_browser.type_into("#email", "author@city.gov").await;
    author_browser
        .type_into("#password", agora_tests::PASSWORD)
        .await;
    author_browser.submit("main form button").await;
    for page in [
        "/author".to_owned(),
        format!("/author/{SLUG}"),
        format!("/author/{SLUG}/course"),
        format!("/author/{SLUG}/modules/first"),
        format!("/author/{SLUG}/lessons/check"),
        format!("/author/{SLUG}/preview"),
        format!("/author/{SLUG}/preview/intro"),
        format!("/author/{SLUG}/preview/check"),
        format!("/author/{SLUG}/lessons/intro"),
        format!("/author/{SLUG}/edit?path=en/intro.md"),
    ] {
        author_browser.goto(&server.url(&page)).await;
        assert_inert(&author_browser, "html", &page).await;
    }
    // The preview renders the lesson as learners see it: sanitised.
    author_browser.submit("button[value=preview]").await;
    let preview = author_browser.text(".preview").await;
    assert!(preview.contains("link"), "{preview}");
    assert_inert(&author_browser, ".preview", "the preview").await;
}

#[tokio::test]
async fn authors_write_preview_and_publish_in_the_browser() {
    let server = TestServer::start().await;
    let author = server.author("author@city.gov").await;
    // The author works in French.
    let (status, me) = server
        .call(
            &author,
            Method::PATCH,
            "/api/v1/me",
            Some(json!({ "locale": "fr" })),
        )
        .await;
    assert_eq!(status, 200, "{me}");
    let axe = agora_tests::browser::axe_source();
    let b = agora_tests::browser::Browser::start(true, "fr").await;
    b.goto(&server.url("/sign-in")).await;
    b.type_into("#email", "author@city.gov").await;
    b.type_into("#password", agora_tests::PASSWORD).await;
    b.submit("main form button").await;
    b.goto(&server.url("/author")).await;
    assert!(b.text("h1").await.contains("Rédaction"));
    agora_tests::browser::look(&b, &axe, "author-list-fr").await;

    // A bad slug is refused next to its field, the other values kept.
    b.type_into("#slug", "Not A Slug!").await;
    b.type_into("#title", "Des rues prêtes").await;
    b.type_into("#summary", "Garder les rues au sec.").await;
    b.submit("form[action='/author/courses'] button").await;
    assert!(!b.text("#slug-error").await.is_empty());
    assert_eq!(
        b.attribute(&b.find("#title").await, "value")
            .await
            .as_deref(),
        Some("Des rues prêtes")
    );
    agora_tests::browser::look(&b, &axe, "author-list-error-fr").await;
    let slug_field = b.find("#slug").await;
    b.script("arguments[0].value = ''", json!([slug_field.to_json()]))
        .await;
    b.type_into("#slug", SLUG).await;
    b.submit("form[action='/author/courses'] button").await;
    assert!(
        b.url().await.ends_with(&format!("/author/{SLUG}")),
        "{}",
        b.url().await
    );
    agora_tests::browser::look(&b, &axe, "author-course-fr").await;

    // Edit the lesson, preview it, save it.
    b.goto(&server.url(&format!("/author/{SLUG}/edit?path=fr/welcome.md")))
        .await;
    let area = b.find("#content").await;
    b.script(
        "arguments[0].value = '---\\ntitle: Bienvenue\\n---\\nLes **avaloirs** bouchés inondent la rue.\\n'",
        json!([area.to_json()]),
    )
    .await;
    b.submit("button[value=preview]").await;
    assert!(b.text(".preview").await.contains("avaloirs"));
    assert!(b.source().await.contains("<strong>avaloirs</strong>"));
    agora_tests::browser::look(&b, &axe, "author-edit-preview-fr").await;
    b.submit("button[value=save]").await;
    assert!(b.url().await.contains("/edit?path=fr"), "{}", b.url().await);
    assert!(b.text("[role=status]").await.contains("Enregistré"));

    // A save from a stale page is a conflict that keeps the text.
    let area = b.find("#content").await;
    let revision = b.find("input[name=revision]").await;
    b.script(
        "arguments[0].value = '---\\ntitle: Bienvenue\\n---\\nstale text\\n'; arguments[1].value = '1';",
        json!([area.to_json(), revision.to_json()]),
    )
    .await;
    b.submit("button[value=save]").await;
    assert!(
        b.text(".result.fail").await.contains("révision"),
        "{}",
        b.text("main").await
    );
    let kept = b
        .script("return document.querySelector('#content').value", json!([]))
        .await;
    assert_eq!(kept, "---\ntitle: Bienvenue\n---\nstale text\n");
    agora_tests::browser::look(&b, &axe, "author-edit-conflict-fr").await;

    // Publish: the course is in the catalogue, with the saved lesson.
    b.goto(&server.url(&format!("/author/{SLUG}"))).await;
    b.submit(&format!("form[action='/author/{SLUG}/publication'] button"))
        .await;
    assert!(
        b.text("[role=status]").await.contains("Publié"),
        "{}",
        b.text("main").await
    );
    agora_tests::browser::look(&b, &axe, "author-published-fr").await;
    let (status, course) = server.get_json(&format!("/api/v1/courses/{SLUG}")).await;
    assert_eq!(status, 200, "{course}");
    assert!(course.to_string().contains("Des rues prêtes"), "{course}");

    // Learners never reach the authoring pages.
    let learner = server.learner("learner@city.gov").await;
    let r = reqwest::Client::new()
        .get(server.url("/author"))
        .header("cookie", learner.cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
