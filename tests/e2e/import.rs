//! `agora import` and `agora export`: idempotent, transactional, lossless.

use agora_core::{catalogue, import};
use agora_tests::{TempDir, TestDb, copy_dir, root, run_agora, write_fixture_course};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

async fn lesson_ids(db: &TestDb, slug: &str) -> Vec<(String, uuid::Uuid)> {
    let conn = db.connect().await;
    let outline = catalogue::course_outline(&conn, slug, &[]).await.unwrap();
    outline
        .modules
        .iter()
        .flat_map(|m| m.lessons.iter().map(|l| (l.key.clone(), l.id)))
        .collect()
}

#[tokio::test]
async fn importing_twice_changes_nothing_and_edits_update_in_place() {
    let db = TestDb::new().await;
    let data = TempDir::new();
    let src = TempDir::new();
    write_fixture_course(src.path(), "fixture-course");
    let dir = src.path().to_str().unwrap();

    let first = run_agora(&db, data.path(), &["import", dir]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("1 created"), "{}", stdout(&first));
    let ids = lesson_ids(&db, "fixture-course").await;

    let second = run_agora(&db, data.path(), &["import", dir]);
    assert!(
        stdout(&second).contains("0 created, 0 updated, 1 unchanged"),
        "{}",
        stdout(&second)
    );
    assert_eq!(lesson_ids(&db, "fixture-course").await, ids);

    // Edit a title, reorder, add a lesson: the course updates in place and
    // existing lessons keep their ids.
    let course = src.path().join("fixture-course");
    let yaml = std::fs::read_to_string(course.join("course.yaml")).unwrap();
    let yaml = yaml.replace(
        "      - id: intro\n        kind: text\n        duration_minutes: 5\n",
        "      - id: added\n        kind: text\n      - id: intro\n        kind: text\n        duration_minutes: 5\n",
    );
    std::fs::write(course.join("course.yaml"), yaml).unwrap();
    std::fs::write(
        course.join("en/added.md"),
        "---\ntitle: Added lesson\n---\nNew.\n",
    )
    .unwrap();
    std::fs::write(
        course.join("en/intro.md"),
        "---\ntitle: Introduction, revised\n---\nHello again.\n",
    )
    .unwrap();
    let third = run_agora(&db, data.path(), &["import", dir]);
    assert!(
        stdout(&third).contains("0 created, 1 updated"),
        "{}{}",
        stdout(&third),
        stderr(&third)
    );
    let after = lesson_ids(&db, "fixture-course").await;
    assert_eq!(after.len(), ids.len() + 1);
    assert_eq!(after[0].0, "added");
    for (key, id) in &ids {
        assert_eq!(
            after.iter().find(|(k, _)| k == key).unwrap().1,
            *id,
            "{key} kept its id"
        );
    }
    let conn = db.connect().await;
    let outline = catalogue::course_outline(&conn, "fixture-course", &[])
        .await
        .unwrap();
    assert_eq!(outline.modules[0].lessons[1].title, "Introduction, revised");
    let page = catalogue::list_courses(
        &conn,
        &catalogue::CourseQuery {
            page: 1,
            per_page: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(page.total, 1, "no duplicate course");
    assert_eq!(page.items[0].lesson_count, 4);
}

#[tokio::test]
async fn a_broken_source_names_the_file_and_line_and_writes_nothing() {
    let db = TestDb::new().await;
    let data = TempDir::new();
    let src = TempDir::new();
    write_fixture_course(src.path(), "good-course");
    write_fixture_course(src.path(), "bad-course");
    let bad = src.path().join("bad-course");
    let yaml = std::fs::read_to_string(bad.join("course.yaml")).unwrap();
    std::fs::write(
        bad.join("course.yaml"),
        yaml.replace("level: beginner", "level: expert")
            .replace("correct: [b]", "correct: [z]"),
    )
    .unwrap();
    std::fs::write(
        bad.join("en/intro.md"),
        "---\ntitle: Intro\n---\nSee [this](lesson:missing-lesson).\n",
    )
    .unwrap();
    std::fs::write(bad.join("fr/meta.yaml"), "title: [unclosed\nsummary: x\n").unwrap();

    let out = run_agora(&db, data.path(), &["import", src.path().to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("bad-course/course.yaml:3: level: unknown level `expert`"),
        "{err}"
    );
    assert!(
        err.contains("correct option `z` is not one of the options"),
        "{err}"
    );
    assert!(err.contains("bad-course/fr/meta.yaml:"), "{err}");
    assert!(err.contains("broken link `lesson:missing-lesson`"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");

    let conn = db.connect().await;
    assert!(
        import::catalogue_is_empty(&conn).await.unwrap(),
        "the good course was not written either"
    );
}

#[tokio::test]
async fn a_stray_file_or_missing_lesson_is_an_error() {
    let db = TestDb::new().await;
    let data = TempDir::new();
    let src = TempDir::new();
    write_fixture_course(src.path(), "fixture-course");
    let c = src.path().join("fixture-course");
    std::fs::write(c.join("en/intor.md"), "---\ntitle: Typo\n---\nx\n").unwrap();
    std::fs::remove_file(c.join("en/check.yaml")).unwrap();
    let out = run_agora(&db, data.path(), &["import", src.path().to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("en/intor.md: this file belongs to no lesson"),
        "{err}"
    );
    assert!(
        err.contains("en/check.yaml: missing: lesson `check`"),
        "{err}"
    );
}

#[tokio::test]
async fn export_writes_a_folder_that_imports_back_to_the_same_catalogue() {
    let db = TestDb::new().await;
    let data = TempDir::new();
    let shipped = root().join("courses");
    let out = run_agora(&db, data.path(), &["import", shipped.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("warning"),
        "the shipped catalogue imports without a warning: {}",
        stderr(&out)
    );

    let exported = TempDir::new();
    let out = run_agora(
        &db,
        data.path(),
        &["export", exported.path().to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    // Same sources, same digests: nothing lost on the way out.
    let (original, _) = agora_core::course_source::read_all(&shipped).unwrap();
    let (round_trip, _) = agora_core::course_source::read_all(exported.path()).unwrap();
    assert_eq!(original.len(), round_trip.len());
    for (a, b) in original.iter().zip(&round_trip) {
        assert_eq!(a, b, "{} changed on the round trip", a.slug);
    }

    // And importing the export over the same database changes nothing.
    let out = run_agora(
        &db,
        data.path(),
        &["import", exported.path().to_str().unwrap()],
    );
    assert!(
        stdout(&out).contains(&format!(
            "0 created, 0 updated, {} unchanged",
            original.len()
        )),
        "{}",
        stdout(&out)
    );

    // Editing a copy and re-importing is an update, not a duplicate.
    let copy = TempDir::new();
    copy_dir(exported.path(), copy.path());
    let lesson = copy
        .path()
        .join("localizing-the-sdgs/en/what-is-the-2030-agenda.md");
    let text = std::fs::read_to_string(&lesson).unwrap();
    std::fs::write(&lesson, text + "\nAn added closing paragraph.\n").unwrap();
    let out = run_agora(&db, data.path(), &["import", copy.path().to_str().unwrap()]);
    assert!(
        stdout(&out).contains("0 created, 1 updated"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}
