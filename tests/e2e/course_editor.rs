//! The structured course editor: details, words per locale, the outline,
//! lessons and quizzes, through the JSON API and through the pages in
//! Chromium, with publication keeping learners' progress.

use std::collections::BTreeMap;

use agora_tests::{Learner, TempDir, TestServer, write_fixture_course};
use reqwest::Method;
use serde_json::{Value, json};

const SLUG: &str = "flood-ready";

fn fixture_zip(slug: &str) -> Vec<u8> {
    use std::io::Write;
    let dir = TempDir::new();
    write_fixture_course(dir.path(), slug);
    let root = dir.path().join(slug);
    let mut files = BTreeMap::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (path, data) in files {
        w.start_file(
            format!("{slug}/{path}"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        w.write_all(&data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

async fn upload_fixture(server: &TestServer, who: &Learner) {
    let r = server
        .as_learner(who, Method::POST, "/api/v1/authoring/archives")
        .header("content-type", "application/octet-stream")
        .body(fixture_zip(SLUG))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

async fn structure(server: &TestServer, who: &Learner, locale: &str) -> Value {
    let (status, s) = server
        .call(
            who,
            Method::GET,
            &format!("/api/v1/authoring/courses/{SLUG}/structure?locale={locale}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{s}");
    s
}

/// Sends an edit with the current revision; returns the status and body.
async fn edit(
    server: &TestServer,
    who: &Learner,
    method: Method,
    path: &str,
    mut body: Value,
) -> (u16, Value) {
    let rev = structure(server, who, "en").await["revision"]
        .as_i64()
        .unwrap();
    let url = format!("/api/v1/authoring/courses/{SLUG}{path}");
    if method == Method::DELETE {
        return server
            .call(who, method, &format!("{url}?revision={rev}"), None)
            .await;
    }
    body["revision"] = json!(rev);
    server.call(who, method, &url, Some(body)).await
}

/// Sends an edit that must be refused with 422 naming `field`; returns the body.
async fn refused(
    server: &TestServer,
    who: &Learner,
    method: Method,
    path: &str,
    body: Value,
    field: &str,
) -> Value {
    let (status, body) = edit(server, who, method, path, body).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some(field)),
        "{body}"
    );
    body
}

fn lesson_keys(s: &Value) -> Vec<Vec<String>> {
    s["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            m["lessons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["key"].as_str().unwrap().to_owned())
                .collect()
        })
        .collect()
}

async fn draft_file(server: &TestServer, who: &Learner, path: &str) -> String {
    let r = server
        .as_learner(
            who,
            Method::GET,
            &format!("/api/v1/authoring/courses/{SLUG}/file?path={path}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

#[tokio::test]
async fn the_structured_api_edits_drafts_and_names_the_field_at_fault() {
    let server = TestServer::start().await;
    let author = server.author("author@city.gov").await;
    let other = server.author("other@city.gov").await;
    let learner = server.learner("learner@city.gov").await;
    upload_fixture(&server, &author).await;

    // Only the course's authors read or change its structure.
    let path = format!("/api/v1/authoring/courses/{SLUG}/structure");
    let (status, _) = server.get_json(&path).await;
    assert_eq!(status, 401);
    for who in [&other, &learner] {
        let (status, body) = server.call(who, Method::GET, &path, None).await;
        assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
        let (status, _) = server
            .call(
                who,
                Method::PUT,
                &format!("/api/v1/authoring/courses/{SLUG}/details"),
                Some(json!({ "revision": 1, "level": "advanced", "duration_minutes": 60, "themes": [] })),
            )
            .await;
        assert_eq!(status, 403);
    }

    let s = structure(&server, &author, "fr").await;
    assert_eq!(s["default_locale"], "en");
    assert_eq!(s["title"], "Cours d'essai");
    assert_eq!(lesson_keys(&s), [["intro", "sheet", "check"]]);
    let quiz = &s["modules"][0]["lessons"][2];
    assert_eq!(quiz["questions"][0]["options"][1]["correct"], true);
    // French has no text for the quiz yet: the editor shows it untranslated.
    assert_eq!(quiz["translated"], false);

    // Details: a bad theme is refused by name; nothing changes.
    let before = draft_file(&server, &author, "course.yaml").await;
    refused(
        &server,
        &author,
        Method::PUT,
        "/details",
        json!({ "level": "intermediate", "duration_minutes": 45, "themes": ["sdg:13", "sdg:99"] }),
        "themes",
    )
    .await;
    assert_eq!(draft_file(&server, &author, "course.yaml").await, before);
    let (status, d) = edit(
        &server,
        &author,
        Method::PUT,
        "/details",
        json!({ "level": "intermediate", "duration_minutes": 45, "themes": ["sdg:13", "sendai:2", "tag:drains"] }),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    let s = structure(&server, &author, "en").await;
    assert_eq!(s["level"], "intermediate");
    assert_eq!(s["themes"], json!(["sdg:13", "sendai:2", "tag:drains"]));

    // Words per locale: an empty title is refused next to it; Spanish starts a translation.
    refused(
        &server,
        &author,
        Method::PUT,
        "/texts/es",
        json!({ "title": " ", "summary": "Calles secas.", "description": "Una descripción.", "objectives": ["Aprender"] }),
        "title",
    )
    .await;
    let (status, d) = edit(
        &server,
        &author,
        Method::PUT,
        "/texts/es",
        json!({ "title": "Calles preparadas", "summary": "Calles secas.", "description": "Una descripción.", "objectives": ["Aprender"] }),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert!(
        structure(&server, &author, "es").await["locales"]
            .as_array()
            .unwrap()
            .contains(&json!("es"))
    );

    // A module needs a first lesson; a quiz needs its first question.
    refused(
        &server,
        &author,
        Method::POST,
        "/modules",
        json!({ "title": "Clearing drains", "lesson": { "kind": "quiz", "title": "Drain check", "duration_minutes": 5 } }),
        "question",
    )
    .await;
    let (status, d) = edit(
        &server,
        &author,
        Method::POST,
        "/modules",
        json!({ "title": "Clearing drains", "lesson": { "kind": "text", "title": "Who clears the drains?", "duration_minutes": 8 } }),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    let s = structure(&server, &author, "en").await;
    assert_eq!(s["modules"][1]["key"], "clearing-drains");
    assert_eq!(lesson_keys(&s)[1], ["who-clears-the-drains"]);
    // The same id twice is refused.
    refused(
        &server,
        &author,
        Method::POST,
        "/modules/clearing-drains/lessons",
        json!({ "key": "intro", "kind": "text", "title": "Again", "duration_minutes": 5 }),
        "lesson_key",
    )
    .await;
    let (status, d) = edit(
        &server,
        &author,
        Method::POST,
        "/modules/clearing-drains/lessons",
        json!({ "kind": "quiz", "title": "Drain check", "duration_minutes": 5,
                "first_question": { "kind": "true_false", "prompt": "Leaves block drains.",
                    "options": [ { "text": "True", "correct": true }, { "text": "False" } ] } }),
    )
    .await;
    assert_eq!(status, 200, "{d}");

    // The lesson editor: text in French, a bad video address refused.
    refused(
        &server,
        &author,
        Method::PUT,
        "/lessons/intro",
        json!({ "locale": "fr", "title": "Introduction", "body": "Les **avaloirs** d'abord.", "duration_minutes": 6, "video_url": "javascript:alert(1)" }),
        "video_url",
    )
    .await;
    let (status, d) = edit(
        &server,
        &author,
        Method::PUT,
        "/lessons/intro",
        json!({ "locale": "fr", "title": "Introduction", "body": "Les **avaloirs** d'abord.", "duration_minutes": 6 }),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert!(
        draft_file(&server, &author, "fr/intro.md")
            .await
            .contains("**avaloirs**")
    );

    // The quiz editor: keys stay, a new option and question get free ones;
    // a question without a correct answer is refused by its position.
    let mut questions = json!([
        { "key": "q1", "kind": "single", "prompt": "Pick b", "options": [
            { "key": "a", "text": "A", "explanation": "No." },
            { "key": "b", "text": "B", "explanation": "Yes.", "correct": true },
            { "text": "C", "explanation": "No." } ] },
        { "key": "q2", "kind": "true_false", "prompt": "False?", "options": [
            { "text": "True", "explanation": "No." },
            { "text": "False", "explanation": "Yes.", "correct": true } ] },
        { "kind": "multiple", "prompt": "Which block drains?", "options": [
            { "text": "Leaves" }, { "text": "Rain" }, { "text": "Litter" } ] }
    ]);
    let quiz_body = |questions: &Value| json!({ "locale": "en", "title": "Check", "intro": "", "duration_minutes": 5, "passing_score": 70, "max_attempts": 3, "questions": questions });
    refused(
        &server,
        &author,
        Method::PUT,
        "/quizzes/check",
        quiz_body(&questions),
        "questions[2].correct",
    )
    .await;
    questions[2]["options"][0]["correct"] = json!(true);
    questions[2]["options"][2]["correct"] = json!(true);
    let (status, d) = edit(
        &server,
        &author,
        Method::PUT,
        "/quizzes/check",
        quiz_body(&questions),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    let s = structure(&server, &author, "en").await;
    let quiz = &s["modules"][0]["lessons"][2];
    assert_eq!(quiz["max_attempts"], 3);
    assert_eq!(quiz["questions"][0]["options"][2]["key"], "c");
    assert_eq!(quiz["questions"][2]["key"], "q3");
    assert_eq!(quiz["questions"][2]["options"][2]["correct"], true);
    // Answers change only in the source language.
    let mut fr = questions.clone();
    fr[0]["options"][0]["correct"] = json!(true);
    fr[0]["options"][1]["correct"] = json!(false);
    let mut fr_body = quiz_body(&fr);
    fr_body["locale"] = json!("fr");
    refused(
        &server,
        &author,
        Method::PUT,
        "/quizzes/check",
        fr_body,
        "questions",
    )
    .await;

    // The outline: a full reorder must name everything once; then moves.
    refused(
        &server,
        &author,
        Method::PUT,
        "/outline",
        json!({ "modules": [ { "key": "first", "lessons": ["intro", "check"] }, { "key": "clearing-drains", "lessons": ["who-clears-the-drains", "drain-check"] } ] }),
        "lessons",
    )
    .await;
    let (status, d) = edit(
        &server,
        &author,
        Method::PUT,
        "/outline",
        json!({ "modules": [ { "key": "clearing-drains", "lessons": ["who-clears-the-drains", "drain-check", "sheet"] }, { "key": "first", "lessons": ["intro", "check"] } ] }),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(
        lesson_keys(&structure(&server, &author, "en").await),
        [
            vec!["who-clears-the-drains", "drain-check", "sheet"],
            vec!["intro", "check"]
        ]
    );

    // Removing: the last lesson of a module is refused; a lesson goes with its words.
    let (status, body) = edit(
        &server,
        &author,
        Method::DELETE,
        "/lessons/no-such-lesson",
        json!({}),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    // The course description links to the introduction: refused, naming it.
    let body = refused(
        &server,
        &author,
        Method::DELETE,
        "/lessons/intro",
        json!({}),
        "lesson",
    )
    .await;
    assert!(
        body["message"].as_str().unwrap().contains("en/meta.yaml"),
        "{body}"
    );
    let (status, d) = edit(
        &server,
        &author,
        Method::PUT,
        "/texts/en",
        json!({ "title": "Fixture course", "summary": "A small course for tests.", "description": "A description.", "objectives": ["Learn"] }),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    let (status, d) = edit(
        &server,
        &author,
        Method::DELETE,
        "/lessons/intro",
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    refused(
        &server,
        &author,
        Method::DELETE,
        "/lessons/check",
        json!({}),
        "lesson",
    )
    .await;
    assert!(
        !d["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"].as_str().unwrap().ends_with("/intro.md")),
        "{d}"
    );

    // A stale revision is a conflict, never an overwrite.
    let (status, body) = server
        .call(
            &author,
            Method::PUT,
            &format!("/api/v1/authoring/courses/{SLUG}/details"),
            Some(
                json!({ "revision": 1, "level": "advanced", "duration_minutes": 60, "themes": [] }),
            ),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );

    // Every change is in the audit log, with who made it.
    let (_, audit) = server
        .call(
            &author,
            Method::GET,
            &format!("/api/v1/authoring/courses/{SLUG}/audit"),
            None,
        )
        .await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    for action in [
        "course.details_edited",
        "course.text_edited",
        "module.added",
        "lesson.added",
        "lesson.edited",
        "quiz.edited",
        "outline.reordered",
        "lesson.removed",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    assert!(
        audit[0]["actor"]
            .as_str()
            .unwrap()
            .contains("author@city.gov"),
        "{audit}"
    );
}

#[tokio::test]
async fn structured_edits_publish_with_learners_progress_kept() {
    let server = TestServer::start().await;
    let author = server.author("author@city.gov").await;
    upload_fixture(&server, &author).await;
    let publish = || async {
        server
            .call(
                &author,
                Method::POST,
                &format!("/api/v1/authoring/courses/{SLUG}/versions"),
                None,
            )
            .await
    };
    assert_eq!(publish().await.0, 201);
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
    let (status, p) = server
        .call(
            &learner,
            Method::POST,
            &format!("/api/v1/courses/{SLUG}/lessons/intro/completion"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{p}");

    // Add a lesson before the intro, remove the worksheet, publish.
    let (status, d) = edit(
        &server,
        &author,
        Method::POST,
        "/modules/first/lessons",
        json!({ "kind": "text", "title": "Before you start", "duration_minutes": 3 }),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    let (status, d) = edit(
        &server,
        &author,
        Method::PUT,
        "/outline",
        json!({ "modules": [ { "key": "first", "lessons": ["before-you-start", "intro", "sheet", "check"] } ] }),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    // The introduction links to the worksheet's file: drop the link, then the lesson.
    refused(
        &server,
        &author,
        Method::DELETE,
        "/lessons/sheet",
        json!({}),
        "lesson",
    )
    .await;
    let (status, d) = edit(
        &server,
        &author,
        Method::PUT,
        "/lessons/intro",
        json!({ "locale": "en", "title": "Introduction", "body": "Hello.", "duration_minutes": 5 }),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    let (status, d) = edit(
        &server,
        &author,
        Method::DELETE,
        "/lessons/sheet",
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    // Learners still see the published version until the author publishes.
    let (_, outline) = server.get_json(&format!("/api/v1/courses/{SLUG}")).await;
    assert!(
        !outline.to_string().contains("Before you start"),
        "{outline}"
    );
    let (status, v) = publish().await;
    assert_eq!(status, 201, "{v}");

    let (status, p) = server
        .call(
            &learner,
            Method::GET,
            &format!("/api/v1/courses/{SLUG}/progress"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{p}");
    // intro stays done; the removed worksheet stops counting; the new lesson counts.
    assert_eq!(p["completed_lessons"], 1, "{p}");
    assert_eq!(p["total_lessons"], 3, "{p}");
    let (_, outline) = server.get_json(&format!("/api/v1/courses/{SLUG}")).await;
    let text = outline.to_string();
    assert!(text.contains("Before you start"), "{outline}");
    assert!(
        text.find("Before you start").unwrap() < text.find("Introduction").unwrap(),
        "the new lesson comes first: {outline}"
    );
}

#[tokio::test]
async fn authors_build_a_course_with_forms_in_the_browser() {
    let server = TestServer::start().await;
    let author = server.author("author@city.gov").await;
    upload_fixture(&server, &author).await;
    let axe = agora_tests::browser::axe_source();
    // The forms are plain HTML; JavaScript runs for axe-core.
    let b = agora_tests::browser::Browser::start(true, "en").await;
    b.goto(&server.url("/sign-in")).await;
    b.type_into("#email", "author@city.gov").await;
    b.type_into("#password", agora_tests::PASSWORD).await;
    b.submit("main form button").await;

    b.goto(&server.url(&format!("/author/{SLUG}"))).await;
    b.submit(&format!("a[href='/author/{SLUG}/course']")).await;
    assert!(b.url().await.ends_with(&format!("/author/{SLUG}/course")));
    assert_eq!(b.text("h1").await, "Edit the course");
    agora_tests::browser::look(&b, &axe, "editor-course").await;

    // Details: tick climate action, save.
    b.click(&b.find("#theme-sdg\\:13").await).await;
    b.submit("#details button").await;
    assert!(
        b.text("[role=status]").await.contains("Saved"),
        "{}",
        b.text("main").await
    );
    assert!(
        draft_file(&server, &author, "course.yaml")
            .await
            .contains("13")
    );

    // Add a lesson with an empty title: the error is next to the field, in its form.
    b.click(&b.find("#module-first details.add summary").await)
        .await;
    b.submit("#module-first details.add button").await;
    assert!(
        b.text("#first-lesson_title-error")
            .await
            .contains("required"),
        "{}",
        b.text("main").await
    );
    agora_tests::browser::look(&b, &axe, "editor-add-lesson-error").await;
    b.type_into("#first-lesson_title", "Drains and gutters")
        .await;
    b.submit("#module-first details.add button").await;
    assert!(b.text("#outline").await.contains("Drains and gutters"));
    // Move it up, above the quiz.
    b.submit("#lesson-drains-and-gutters button[value=lesson-up]")
        .await;
    let s = structure(&server, &author, "en").await;
    assert_eq!(
        lesson_keys(&s)[0],
        ["intro", "sheet", "drains-and-gutters", "check"]
    );

    // The lesson editor: write, preview, save.
    b.goto(&server.url(&format!("/author/{SLUG}/lessons/drains-and-gutters")))
        .await;
    b.type_into("#body", "Clear **gutters** before the rains.")
        .await;
    b.submit("button[value=preview]").await;
    assert!(b.source().await.contains("<strong>gutters</strong>"));
    agora_tests::browser::look(&b, &axe, "editor-lesson-preview").await;
    b.submit("button[value=save]").await;
    assert!(b.text("[role=status]").await.contains("Saved"));
    assert!(
        draft_file(&server, &author, "en/drains-and-gutters.md")
            .await
            .contains("**gutters**")
    );

    // Preview it in the lesson player, as a learner would see it.
    b.goto(&server.url(&format!("/author/{SLUG}/preview/drains-and-gutters")))
        .await;
    assert!(
        b.text(".prose")
            .await
            .contains("Clear gutters before the rains.")
    );
    // The breadcrumb stays in the preview: the course may never have been published.
    let crumb = b.find("nav.crumbs a").await;
    assert_eq!(
        b.attribute(&crumb, "href").await.as_deref(),
        Some(format!("/author/{SLUG}/preview").as_str())
    );
    assert!(b.text("[role=status]").await.contains("Preview"));
    agora_tests::browser::look(&b, &axe, "editor-learner-preview").await;
    // And the course page, whose syllabus leads into the preview.
    b.goto(&server.url(&format!("/author/{SLUG}/preview")))
        .await;
    assert_eq!(b.text("h1").await, "Fixture course");
    assert!(b.text("[role=status]").await.contains("Preview"));
    assert!(
        b.try_find(&format!("form[action='/courses/{SLUG}/enrolment']"))
            .await
            .is_none()
    );
    agora_tests::browser::look(&b, &axe, "editor-course-preview").await;
    b.submit(&format!(
        "a[href='/author/{SLUG}/preview/drains-and-gutters?locale=en']"
    ))
    .await;
    assert_eq!(b.text("h1").await, "Drains and gutters");

    // The quiz editor: a new question without a correct answer is refused
    // next to it, with what was typed kept.
    b.goto(&server.url(&format!("/author/{SLUG}/lessons/check")))
        .await;
    agora_tests::browser::look(&b, &axe, "editor-quiz").await;
    b.type_into("#q2-prompt", "Which of these block drains?")
        .await;
    b.type_into("#q2-o0-text", "Leaves").await;
    b.type_into("#q2-o1-text", "Rain").await;
    b.submit("button[value=save]").await;
    assert!(
        b.text("#question-2")
            .await
            .contains("mark the correct answer"),
        "{}",
        b.text("main").await
    );
    assert_eq!(
        b.attribute(&b.find("#q2-o0-text").await, "value")
            .await
            .as_deref(),
        Some("Leaves")
    );
    agora_tests::browser::look(&b, &axe, "editor-quiz-error").await;
    b.click(&b.find("#q2-o0-correct").await).await;
    b.submit("button[value=save]").await;
    assert!(
        b.text("[role=status]").await.contains("Saved"),
        "{}",
        b.text("main").await
    );
    let s = structure(&server, &author, "en").await;
    let q3 = &s["modules"][0]["lessons"][3]["questions"][2];
    assert_eq!(q3["prompt"], "Which of these block drains?");
    assert_eq!(q3["options"][0]["correct"], true);

    // Translate the quiz into French: words only.
    b.goto(&server.url(&format!("/author/{SLUG}/lessons/check?locale=fr")))
        .await;
    assert!(
        b.try_find("#q0-kind").await.is_none(),
        "no structure in a translation"
    );
    b.type_into("#title", "Vérification").await;
    for (i, prompt) in ["Choisir b", "Faux ?", "Lesquels bouchent les avaloirs ?"]
        .iter()
        .enumerate()
    {
        b.type_into(&format!("#q{i}-prompt"), prompt).await;
    }
    for (id, text) in [
        ("#q0-o0-text", "A"),
        ("#q0-o1-text", "B"),
        ("#q1-o0-text", "Vrai"),
        ("#q1-o1-text", "Faux"),
        ("#q2-o0-text", "Feuilles"),
        ("#q2-o1-text", "Pluie"),
    ] {
        b.type_into(id, text).await;
    }
    agora_tests::browser::look(&b, &axe, "editor-quiz-fr").await;
    b.submit("button[value=save]").await;
    assert!(
        b.text("[role=status]").await.contains("Saved"),
        "{}",
        b.text("main").await
    );
    let fr = draft_file(&server, &author, "fr/check.yaml").await;
    assert!(fr.contains("Lesquels bouchent les avaloirs"), "{fr}");

    // Remove the new lesson (a confirmation step first).
    b.goto(&server.url(&format!("/author/{SLUG}/course"))).await;
    b.click(
        &b.find("#lesson-drains-and-gutters details.confirm summary")
            .await,
    )
    .await;
    b.submit("#lesson-drains-and-gutters button[value=remove-lesson]")
        .await;
    assert!(!b.text("#outline").await.contains("Drains and gutters"));
}
