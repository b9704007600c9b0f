//! Offline learning (issue 23): the data saver. Switched on by the
//! browser's `Save-Data: on` or by the reader's setting (a cookie set on the
//! saved-courses page), a video lesson shows its transcript first and its
//! player only on demand, images load lazily, and nothing is prefetched.

use agora_tests::{Learner, ServerOptions, TempDir, TestServer};
use reqwest::Method;

const SLUG: &str = "saver-course";

fn write_course(dir: &std::path::Path) {
    let c = dir.join(SLUG);
    std::fs::create_dir_all(c.join("en")).unwrap();
    std::fs::write(
        c.join("course.yaml"),
        format!(
            "slug: {SLUG}\ndefault_locale: en\nlevel: beginner\nduration_minutes: 10\nthemes:\n  sdgs: [11]\n  sendai: [1]\n  tags: [test]\nmodules:\n  - id: only\n    lessons:\n      - id: talk\n        kind: video\n        duration_minutes: 5\n        video_url: https://media.example.org/talk.mp4\n      - id: read\n        kind: text\n        duration_minutes: 5\n"
        ),
    )
    .unwrap();
    std::fs::write(
        c.join("en/meta.yaml"),
        "title: Saver course\nsummary: A video and a text.\ndescription: For the data saver.\nobjectives: [Learn]\nmodules:\n  only: { title: The module, summary: The only module. }\n",
    )
    .unwrap();
    std::fs::write(
        c.join("en/talk.md"),
        "---\ntitle: A talk\n---\nThe words of the talk, written out.\n",
    )
    .unwrap();
    std::fs::write(
        c.join("en/read.md"),
        "---\ntitle: A reading\n---\nSome text.\n",
    )
    .unwrap();
}

fn cookie(l: &Learner, extra: &str) -> String {
    format!(
        "{}; agora_csrf={}{extra}",
        l.cookie.split(';').next().unwrap(),
        l.csrf
    )
}

async fn page(server: &TestServer, path: &str, cookie: &str, save_data: bool) -> String {
    let mut r = server.http.get(server.url(path)).header("cookie", cookie);
    if save_data {
        r = r.header("save-data", "on");
    }
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

/// Where `needle` is in `html`, which must hold it.
fn at(html: &str, needle: &str) -> usize {
    html.find(needle)
        .unwrap_or_else(|| panic!("{needle} is missing: {html}"))
}

#[tokio::test]
async fn the_data_saver_shows_transcripts_first_and_the_player_on_demand() {
    let dir = TempDir::new();
    write_course(dir.path());
    let server = TestServer::start_with(ServerOptions {
        courses_dir: Some(dir.path().to_owned()),
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
    let talk = format!("/courses/{SLUG}/lessons/talk");
    let plain = cookie(&ana, "");

    // Without the data saver: the player, then the transcript.
    let html = page(&server, &talk, &plain, false).await;
    assert!(
        at(&html, "<video") < at(&html, "The words of the talk"),
        "{html}"
    );
    assert!(!html.contains("?player=1"), "{html}");

    // The browser asks to save data: the transcript, and no player at all
    // (nothing of the video is fetched), only a link to it.
    let html = page(&server, &talk, &plain, true).await;
    assert!(!html.contains("<video"), "no player: {html}");
    assert!(!html.contains("<iframe"), "{html}");
    assert!(
        !html.contains("rel=\"prefetch\""),
        "nothing prefetched: {html}"
    );
    assert!(!html.contains("rel=\"preload\""), "{html}");
    assert!(
        at(&html, "The words of the talk") < at(&html, "href=\"?player=1\""),
        "the transcript first: {html}"
    );
    assert!(html.contains("The data saver is on"), "{html}");
    // On demand: the player.
    let html = page(&server, &format!("{talk}?player=1"), &plain, true).await;
    assert!(html.contains("<video controls preload=\"none\""), "{html}");
    // A text lesson is the same page, still without prefetching.
    let html = page(
        &server,
        &format!("/courses/{SLUG}/lessons/read"),
        &plain,
        true,
    )
    .await;
    assert!(html.contains("Some text."), "{html}");

    // The setting, without the header: off, then on from the saved-courses
    // page's form (no JavaScript), then off again.
    let html = page(&server, "/offline/saved", &plain, false).await;
    assert!(html.contains("data-data-saver=\"off\""), "{html}");
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let set = |on: &'static str| {
        let http = no_redirects.clone();
        let url = server.url("/offline/data-saver");
        let cookie = plain.clone();
        let csrf = ana.csrf.clone();
        async move {
            let r = http
                .post(url)
                .header("cookie", cookie)
                .form(&[("csrf", csrf.as_str()), ("on", on)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 303);
            r.headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|c| c.starts_with("agora_data_saver="))
                .map(|c| c.split(';').next().unwrap().to_owned())
                .expect("the setting's cookie")
        }
    };
    let on = set("on").await;
    assert_eq!(on, "agora_data_saver=on");
    let with_setting = cookie(&ana, &format!("; {on}"));
    let html = page(&server, "/offline/saved", &with_setting, false).await;
    assert!(html.contains("data-data-saver=\"on\""), "{html}");
    let html = page(&server, &talk, &with_setting, false).await;
    assert!(!html.contains("<video"), "{html}");
    assert!(html.contains("href=\"?player=1\""), "{html}");
    assert_eq!(set("off").await, "agora_data_saver=off");

    // A forged form is refused, and sets nothing.
    let r = no_redirects
        .post(server.url("/offline/data-saver"))
        .header("cookie", plain.clone())
        .form(&[("csrf", "forged"), ("on", "on")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        r.headers()
            .get("set-cookie")
            .is_none_or(|c| !c.to_str().unwrap_or("").starts_with("agora_data_saver"))
    );
}
