//! Offline learning (issue 23) in Chromium (`tests/offline-browser/update.mjs`):
//! saving shows the total for the size of resource files the learner
//! chooses before anything is downloaded, and a saved course that is
//! republished updates the next time the device is online, and says so.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
};

use agora_tests::{PASSWORD, ServerOptions, TempDir, TestServer, run_agora, write_fixture_course};
use reqwest::Method;
use serde_json::{Value, json};

use super::offline_browser::journey_dir;

const SLUG: &str = "update-course";

#[tokio::test]
async fn a_saved_course_updates_when_republished_and_says_so() {
    let courses = TempDir::new();
    write_fixture_course(courses.path(), SLUG);
    // A worksheet of some kilobytes: the total shows whether it is counted.
    let sheet = format!("# Worksheet\n\n{}", "- [ ] a step to take\n".repeat(400));
    std::fs::write(
        courses.path().join(SLUG).join("en/resources/sheet.md"),
        &sheet,
    )
    .unwrap();
    let server = TestServer::start_with(ServerOptions {
        courses_dir: Some(courses.path().to_owned()),
        env: vec![],
    })
    .await;
    let ana = server.learner("ana@city.gov").await;
    let (status, _) = server
        .call(
            &ana,
            Method::POST,
            &format!("/api/v1/courses/{SLUG}/enrolment"),
            None,
        )
        .await;
    assert_eq!(status, 201);
    // The list names the resource file, with its size, apart.
    let (status, list) = server
        .call(
            &ana,
            Method::GET,
            &format!("/api/v1/courses/{SLUG}/offline"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{list}");
    let resource = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["resource"] == true)
        .cloned()
        .unwrap_or_else(|| panic!("{list}"));
    assert_eq!(
        resource["url"],
        format!("/courses/{SLUG}/lessons/sheet/resource")
    );
    assert_eq!(resource["bytes"], sheet.len());
    let version = list["version"].as_str().unwrap().to_owned();

    let dir = journey_dir();
    std::fs::copy(
        agora_tests::root().join("tests/offline-browser/update.mjs"),
        dir.join("update.mjs"),
    )
    .ok();
    let flags = TempDir::new();
    let flag = flags.path().join("republished");
    let mut child = Command::new("node")
        .current_dir(&dir)
        .arg("update.mjs")
        .arg(server.url("").trim_end_matches('/'))
        .arg("ana@city.gov")
        .arg(PASSWORD)
        .arg(SLUG)
        .arg(&flag)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node (installed by scripts/test)");
    let stdout = child.stdout.take().unwrap();
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    loop {
        let line = lines_rx
            .recv_timeout(std::time::Duration::from_secs(120))
            .unwrap_or_else(|e| panic!("{e}: {seen:?}"));
        if line == "SAVED" {
            break;
        }
        assert!(!line.starts_with('{'), "the script stopped early: {line}");
        seen.push(line);
    }

    // Republished: the lesson's text changes.
    std::fs::write(
        courses.path().join(SLUG).join("en/intro.md"),
        "---\ntitle: Introduction\n---\nRevised for the new edition.\n",
    )
    .unwrap();
    let import = run_agora(
        &server.db,
        server.data.path(),
        &["import", courses.path().to_str().unwrap()],
    );
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    // The server follows the content generation (every 250 ms).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (_, list) = server
            .call(
                &ana,
                Method::GET,
                &format!("/api/v1/courses/{SLUG}/offline"),
                None,
            )
            .await;
        if list["version"].as_str() != Some(version.as_str()) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not republished: {list}\n{}",
            String::from_utf8_lossy(&import.stdout)
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    std::fs::write(&flag, b"1").unwrap();

    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let rest: Vec<String> = lines_rx.try_iter().collect();
    let last = rest.last().cloned().unwrap_or_default();
    assert!(
        out.status.success(),
        "{rest:?}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_str(&last).unwrap_or_else(|e| panic!("{e}: {rest:?}"));
    assert_eq!(r["errors"], json!([]), "{r}");
    assert_ne!(
        r["total_all"], r["total_none"],
        "the total follows the size chosen: {r}"
    );
    assert!(
        r["total_none"].as_str().unwrap_or("").starts_with("About "),
        "{r}"
    );
    assert_eq!(
        r["resource_saved"], false,
        "resource files above the size chosen are not saved: {r}"
    );
    assert!(
        r["updated_status"]
            .as_str()
            .unwrap_or("")
            .contains("updated to the course's newest version"),
        "{r}"
    );
    assert_eq!(r["updated_listed"], true, "{r}");
    assert_eq!(r["new_text_offline"], true, "{r}");
}
