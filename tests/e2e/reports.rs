//! Course reports: exact figures from learners at known points of a course,
//! as JSON, as CSV and as a page in two languages; who may read them.

use std::collections::BTreeMap;

use agora_tests::{
    Learner, ServerOptions, TempDir, TestServer, browser::Browser, write_fixture_course,
};
use reqwest::Method;
use serde_json::{Value, json};

const FIXTURE: &str = "/api/v1/courses/fixture-course";
const REPORT: &str = "/api/v1/courses/fixture-course/report";

async fn fixture_server() -> (TestServer, TempDir) {
    fixture_server_with(vec![]).await
}

async fn fixture_server_with(env: Vec<(String, String)>) -> (TestServer, TempDir) {
    let dir = TempDir::new();
    write_fixture_course(dir.path(), "fixture-course");
    let server = TestServer::start_with(ServerOptions {
        courses_dir: Some(dir.path().to_owned()),
        env,
    })
    .await;
    (server, dir)
}

async fn learner_in(server: &TestServer, email: &str, locale: &str) -> Learner {
    let l = server.learner(email).await;
    let (status, body) = server
        .call(
            &l,
            Method::PATCH,
            "/api/v1/me",
            Some(json!({ "locale": locale })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = server
        .call(&l, Method::POST, &format!("{FIXTURE}/enrolment"), None)
        .await;
    assert_eq!(status, 201, "{body}");
    l
}

async fn complete(server: &TestServer, l: &Learner, lesson: &str) {
    let (status, body) = server
        .call(
            l,
            Method::POST,
            &format!("{FIXTURE}/lessons/{lesson}/completion"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

async fn attempt(server: &TestServer, l: &Learner, q1: &str, q2: &str, passes: bool) {
    let (status, body) = server
        .call(
            l,
            Method::POST,
            &format!("{FIXTURE}/lessons/check/attempts"),
            Some(json!({ "answers": { "q1": [q1], "q2": [q2] } })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["passed"], passes, "{body}");
}

/// Four learners: Ana (en) completes at the first try; Ben (fr) fails the
/// quiz once, then completes; Cora (fr) reads the first lesson and fails
/// the quiz; Dan (es) enrols and leaves. Quiz: q1 is `b`, q2 is `false`.
async fn seeded() -> (TestServer, TempDir, Learner) {
    seeded_with(vec![]).await
}

async fn seeded_with(env: Vec<(String, String)>) -> (TestServer, TempDir, Learner) {
    let (server, dir) = fixture_server_with(env).await;
    let ana = learner_in(&server, "ana@city.gov", "en").await;
    let ben = learner_in(&server, "ben@ville.fr", "fr").await;
    let cora = learner_in(&server, "cora@ville.fr", "fr").await;
    let dan = learner_in(&server, "dan@ciudad.es", "es").await;
    for l in [&ana, &ben] {
        complete(&server, l, "intro").await;
        complete(&server, l, "sheet").await;
    }
    attempt(&server, &ana, "b", "false", true).await;
    attempt(&server, &ben, "a", "false", false).await;
    attempt(&server, &ben, "b", "false", true).await;
    complete(&server, &cora, "intro").await;
    attempt(&server, &cora, "a", "true", false).await;
    let (status, _) = server
        .call(&dan, Method::DELETE, &format!("{FIXTURE}/enrolment"), None)
        .await;
    assert_eq!(status, 204);
    let admin = server.admin("admin@agora.example").await;
    (server, dir, admin)
}

fn today() -> String {
    time::OffsetDateTime::now_utc().date().to_string()
}

#[tokio::test]
async fn the_report_counts_every_learner_exactly() {
    let (server, _dir, admin) = seeded().await;
    let (status, r) = server.call(&admin, Method::GET, REPORT, None).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["course_slug"], "fixture-course");
    assert_eq!(r["course_title"], "Fixture course");
    assert_eq!(
        r["totals"],
        json!({ "enrolled": 4, "active": 1, "completed": 2, "left": 1, "completion_percent": 50 })
    );
    assert_eq!(r["granularity"], "day");
    assert_eq!(
        r["enrolments"],
        json!([{ "start": today(), "enrolments": 4, "cumulative": 4 }])
    );
    let funnel: Vec<(Value, Value, Value, Value)> = r["funnel"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["lesson_key"].clone(),
                s["kind"].clone(),
                s["completed"].clone(),
                s["percent"].clone(),
            )
        })
        .collect();
    assert_eq!(
        funnel,
        vec![
            (json!("intro"), json!("text"), json!(3), json!(75)),
            (json!("sheet"), json!("resource"), json!(2), json!(50)),
            (json!("check"), json!("quiz"), json!(2), json!(50)),
        ]
    );
    assert_eq!(r["funnel"][0]["lesson_title"], "Introduction");
    assert_eq!(r["funnel"][0]["position"], 1);
    // Four attempts: q1 right twice (Ana, Ben's second), q2 right three times.
    let questions: Vec<(Value, Value, Value, Value, Value)> = r["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["question_key"].clone(),
                q["prompt"].clone(),
                q["answers"].clone(),
                q["correct"].clone(),
                q["percent"].clone(),
            )
        })
        .collect();
    assert_eq!(
        questions,
        vec![
            (json!("q1"), json!("Pick b"), json!(4), json!(2), json!(50)),
            (json!("q2"), json!("False?"), json!(4), json!(3), json!(75)),
        ]
    );
    assert_eq!(r["questions"][0]["lesson_key"], "check");
    assert_eq!(
        r["locales"],
        json!([
            { "locale": "fr", "learners": 2, "percent": 50 },
            { "locale": "en", "learners": 1, "percent": 25 },
            { "locale": "es", "learners": 1, "percent": 25 },
        ]),
        "the administrator is not a learner of the course"
    );
    assert_eq!(r["exports"][1]["path"], format!("{REPORT}/funnel.csv"));

    // Titles follow `lang`, falling back to the course's default locale.
    let (_, fr) = server
        .call(&admin, Method::GET, &format!("{REPORT}?lang=fr"), None)
        .await;
    assert_eq!(fr["course_title"], "Cours d'essai");
    assert_eq!(fr["funnel"][0]["lesson_title"], "Introduction (fr)");
    assert_eq!(fr["funnel"][1]["lesson_title"], "Worksheet");
}

async fn csv(server: &TestServer, admin: &Learner, table: &str) -> (u16, String, String, String) {
    let r = server
        .as_learner(admin, Method::GET, &format!("{REPORT}/{table}"))
        .send()
        .await
        .unwrap();
    let header = |n: &str| {
        r.headers()
            .get(n)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (ct, cd) = (header("content-type"), header("content-disposition"));
    (r.status().as_u16(), ct, cd, r.text().await.unwrap())
}

#[tokio::test]
async fn each_table_downloads_as_csv() {
    let (server, _dir, admin) = seeded().await;
    let (status, ct, cd, body) = csv(&server, &admin, "funnel.csv").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ct, "text/csv; charset=utf-8");
    assert_eq!(cd, "attachment; filename=\"fixture-course-funnel.csv\"");
    assert_eq!(
        body,
        "position,lesson_key,lesson_title,kind,completed,enrolled,share\r\n\
         1,intro,Introduction,text,3,4,0.7500\r\n\
         2,sheet,Worksheet,resource,2,4,0.5000\r\n\
         3,check,Check,quiz,2,4,0.5000\r\n"
    );
    let (_, _, _, body) = csv(&server, &admin, "questions.csv").await;
    assert_eq!(
        body,
        "lesson_key,lesson_title,question_number,question_key,prompt,answers,correct,share_correct\r\n\
         check,Check,1,q1,Pick b,4,2,0.5000\r\n\
         check,Check,2,q2,False?,4,3,0.7500\r\n"
    );
    let (_, _, _, body) = csv(&server, &admin, "locales.csv").await;
    assert_eq!(
        body,
        "locale,learners,share\r\nfr,2,0.5000\r\nen,1,0.2500\r\nes,1,0.2500\r\n"
    );
    let (_, _, cd, body) = csv(&server, &admin, "enrolments.csv").await;
    assert_eq!(cd, "attachment; filename=\"fixture-course-enrolments.csv\"");
    assert_eq!(
        body,
        format!(
            "period_start,granularity,enrolments,cumulative\r\n{},day,4,4\r\n",
            today()
        )
    );
    // Titles follow `lang` in the CSV files too.
    let body = server
        .as_learner(&admin, Method::GET, &format!("{REPORT}/funnel.csv?lang=fr"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        body.contains("1,intro,Introduction (fr),text,3,4,0.7500\r\n"),
        "{body}"
    );

    for bad in ["users.csv", "funnel", "funnel.json", "..%2Fsecrets.csv"] {
        let (status, body) = server
            .call(&admin, Method::GET, &format!("{REPORT}/{bad}"), None)
            .await;
        assert_eq!(status, 404, "{bad}: {body}");
        assert_eq!(body["code"], "not_found", "{bad}: {body}");
    }
    let (status, body) = server
        .call(
            &admin,
            Method::GET,
            "/api/v1/courses/no-such-course/report/funnel.csv",
            None,
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
}

#[tokio::test]
async fn only_administrators_and_the_courses_authors_may_read_reports() {
    let (server, _dir) = fixture_server().await;
    let (status, body) = server.get_json(REPORT).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")));
    let (status, body) = server.get_json(&format!("{REPORT}/funnel.csv")).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")));

    let ana = learner_in(&server, "ana@city.gov", "en").await;
    for path in [REPORT.to_owned(), format!("{REPORT}/funnel.csv")] {
        let (status, body) = server.call(&ana, Method::GET, &path, None).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some("forbidden")),
            "{path}"
        );
    }

    let admin = server.admin("admin@agora.example").await;
    let (status, body) = server.call(&admin, Method::GET, REPORT, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totals"]["enrolled"], 1);
    for path in [
        "/api/v1/courses/no-such-course/report",
        "/api/v1/courses/Not%20a%20slug/report",
    ] {
        let (status, body) = server.call(&admin, Method::GET, path, None).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (404, Some("not_found")),
            "{path}"
        );
    }

    // Authors see the reports of their courses only.
    let author = server.author("author@city.gov").await;
    let (status, body) = server.call(&author, Method::GET, REPORT, None).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
    let (status, body) = server
        .call(
            &admin,
            Method::POST,
            "/api/v1/authoring/courses/fixture-course/authors",
            Some(serde_json::json!({ "email": "author@city.gov" })),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = server.call(&author, Method::GET, REPORT, None).await;
    assert_eq!(status, 200, "{body}");

    // The page: anonymous readers sign in first, learners are refused.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = "/courses/fixture-course/report";
    let r = client
        .get(server.url(page))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "/sign-in?next=%2Fcourses%2Ffixture-course%2Freport"
    );
    let r = client
        .get(server.url(page))
        .header("accept", "text/html")
        .header("cookie", ana.cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = client
        .get(server.url("/courses/no-such-course/report"))
        .header("accept", "text/html")
        .header("cookie", admin.cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

async fn report_page(server: &TestServer, who: &Learner) -> String {
    let r = server
        .http
        .get(server.url("/courses/fixture-course/report"))
        .header("accept", "text/html")
        .header("cookie", who.cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    r.text().await.unwrap()
}

#[tokio::test]
async fn the_report_page_draws_charts_in_the_readers_language() {
    let (server, _dir, admin) = seeded().await;
    let html = report_page(&server, &admin).await;
    assert!(html.contains("<h1>How learners fare</h1>"), "{html}");
    assert_eq!(html.matches("<svg class=\"chart\" role=\"img\"").count(), 4);
    assert!(!html.contains("<script>"), "no inline scripts");
    for expected in [
        "<dt>Completion rate</dt><dd>50%</dd>",
        "<dt>Enrolled</dt><dd>4</dd>",
        "<dt>Left</dt><dd>1</dd>",
        "<title id=\"chart_funnel\">Lesson by lesson</title>",
        // The funnel bar of the first lesson, with its figures.
        "1. Introduction — 3 · 75%",
        "Check · Question 2 — 3 · 75%",
        "<th scope=\"row\">Pick b</th><td class=\"num\">4</td><td class=\"num\">2</td><td class=\"num\">50%</td>",
        "<th scope=\"row\">French</th><td class=\"num\">2</td><td class=\"num\">50%</td>",
        // Handlebars writes `=` as a character reference.
        "/api/v1/courses/fixture-course/report/questions.csv?lang&#x3D;en",
    ] {
        assert!(html.contains(expected), "missing {expected:?}");
    }

    let (status, _) = server
        .call(
            &admin,
            Method::PATCH,
            "/api/v1/me",
            Some(json!({ "locale": "fr" })),
        )
        .await;
    assert_eq!(status, 200);
    let html = report_page(&server, &admin).await;
    assert!(html.contains("<html lang=\"fr\">"));
    for expected in [
        "<h1>Où en sont les apprenants</h1>",
        "<dt>Taux d’achèvement</dt><dd>50\u{a0}%</dd>",
        "1. Introduction (fr) — 3 · 75\u{a0}%",
        "Check · Question 2 — 3 · 75\u{a0}%",
        "<th scope=\"row\">Français</th>",
        "<title id=\"chart_funnel\">Leçon par leçon</title>",
        "/api/v1/courses/fixture-course/report/funnel.csv?lang&#x3D;fr",
    ] {
        assert!(html.contains(expected), "missing {expected:?}");
    }
}

/// The page passes axe-core in a real browser.
#[tokio::test]
async fn the_report_page_is_accessible() {
    let (server, _dir, _admin) = seeded().await;
    let browser = Browser::start(true, "en").await;
    browser.goto(&server.url("/sign-in")).await;
    browser.type_into("#email", "admin@agora.example").await;
    browser.type_into("#password", agora_tests::PASSWORD).await;
    browser.submit("main form button").await;
    browser
        .goto(&server.url("/courses/fixture-course/report"))
        .await;
    assert_eq!(browser.text("main h1").await, "How learners fare");
    let violations = browser
        .axe_violations(&agora_tests::browser::axe_source())
        .await;
    assert!(
        violations.is_empty(),
        "axe-core found accessibility problems:\n{}",
        violations.join("\n")
    );
}

/// `agora seed --course` (the report benchmark's data): every learner in
/// that one course, with quiz attempts, and a report that adds up.
#[tokio::test]
async fn a_seeded_cohort_fills_one_course_and_its_report() {
    use sea_orm::{EntityTrait, PaginatorTrait};
    let db = agora_tests::TestDb::new().await;
    let data = TempDir::new();
    let out = agora_tests::run_agora(
        &db,
        data.path(),
        &[
            "seed",
            "--learners",
            "60",
            "--courses-per-learner",
            "1",
            "--course",
            "localizing-the-sdgs",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let conn = db.connect().await;
    let course = agora_core::reports::find_course(&conn, "localizing-the-sdgs")
        .await
        .unwrap();
    let enrolments = agora_core::entities::enrolment::Entity::find()
        .all(&conn)
        .await
        .unwrap();
    assert_eq!(enrolments.len(), 60);
    assert!(enrolments.iter().all(|e| e.course_id == course.id));
    let attempts = agora_core::entities::quiz_attempt::Entity::find()
        .count(&conn)
        .await
        .unwrap();
    assert!(attempts > 0, "quiz attempts are seeded");
    let r = agora_core::reports::course_report(&conn, course.id, &[])
        .await
        .unwrap();
    let t = r.totals;
    assert_eq!(t.enrolled, 60);
    assert_eq!(t.active + t.completed + t.left, 60);
    assert_eq!(r.enrolments.last().unwrap().cumulative, 60);
    assert!(r.questions.iter().map(|q| q.answers).sum::<u64>() > 0);
    // The funnel never rises: the seed completes a prefix of the syllabus.
    assert!(
        r.funnel
            .windows(2)
            .all(|w| w[0].completed >= w[1].completed)
    );
}

/// Enrolled, completed and left, as the JSON report says, with the time
/// the figures were computed.
async fn totals(server: &TestServer, admin: &Learner) -> (Value, String) {
    let (status, r) = server.call(admin, Method::GET, REPORT, None).await;
    assert_eq!(status, 200, "{r}");
    let t = &r["totals"];
    (
        json!([t["enrolled"], t["completed"], t["left"]]),
        r["generated_at"].as_str().unwrap().to_owned(),
    )
}

fn instant(rfc3339: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339).unwrap()
}

/// The figures are kept for a short while (in process by default): a
/// learner who enrols just after a report was read shows up in the next
/// one, not at once, and the page says when the figures were computed.
/// Titles are not part of what is kept.
#[tokio::test]
async fn report_figures_are_kept_briefly_and_say_how_fresh_they_are() {
    let (server, _dir, admin) = seeded().await;
    let (first, generated) = totals(&server, &admin).await;
    assert_eq!(first, json!([4, 2, 1]));
    learner_in(&server, "eve@ciudad.es", "es").await;
    let (second, generated_again) = totals(&server, &admin).await;
    assert_eq!(second, first, "served from the cache");
    assert_eq!(generated_again, generated);
    // Every way of reading the report serves the same figures.
    let (_, _, _, body) = csv(&server, &admin, "funnel.csv").await;
    assert!(
        body.contains("1,intro,Introduction,text,3,4,0.7500\r\n"),
        "{body}"
    );
    let (_, fr) = server
        .call(&admin, Method::GET, &format!("{REPORT}?lang=fr"), None)
        .await;
    assert_eq!(fr["totals"]["enrolled"], 4);
    assert_eq!(
        fr["course_title"], "Cours d'essai",
        "titles are read each time"
    );

    let at = instant(&generated).to_offset(time::UtcOffset::UTC);
    let html = report_page(&server, &admin).await;
    let expected = format!(
        "Figures as of {}, {:02}:{:02} UTC",
        agora_core::certificates::pdf::format_date(agora_core::domain::Locale::En, at.date()),
        at.hour(),
        at.minute()
    );
    assert!(html.contains(&expected), "missing {expected:?}");
    assert!(html.contains("<dt>Enrolled</dt><dd>4</dd>"));
}

/// With `AGORA_REPORT_CACHE_SECONDS=0` every report is computed afresh.
#[tokio::test]
async fn report_figures_are_computed_every_time_when_the_cache_is_off() {
    let (server, _dir, admin) =
        seeded_with(vec![("AGORA_REPORT_CACHE_SECONDS".into(), "0".into())]).await;
    assert_eq!(totals(&server, &admin).await.0, json!([4, 2, 1]));
    let eve = learner_in(&server, "eve@ciudad.es", "es").await;
    assert_eq!(totals(&server, &admin).await.0, json!([5, 2, 1]));
    for lesson in ["intro", "sheet"] {
        complete(&server, &eve, lesson).await;
    }
    attempt(&server, &eve, "b", "false", true).await;
    let (status, r) = server.call(&admin, Method::GET, REPORT, None).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["totals"]["completed"], 3);
    assert_eq!(r["funnel"][1]["completed"], 3);
    assert_eq!(r["questions"][0]["answers"], 5);
    assert_eq!(
        r["locales"][0],
        json!({ "locale": "es", "learners": 2, "percent": 40 })
    );
}

/// In Redis, the figures are shared and kept briefly; with Redis down the
/// report is computed from the database, and figures cached before the
/// outage are never served more than a second (the in-process copy's bound)
/// after it.
#[tokio::test]
async fn report_figures_survive_a_redis_outage() {
    let mut redis = super::cache::RedisProcess::start();
    let (server, _dir, admin) = seeded_with(vec![("AGORA_REDIS_URL".into(), redis.url())]).await;
    assert_eq!(totals(&server, &admin).await.0, json!([4, 2, 1]));
    learner_in(&server, "eve@ciudad.es", "es").await;
    assert_eq!(
        totals(&server, &admin).await.0,
        json!([4, 2, 1]),
        "served from Redis"
    );

    redis.stop();
    // Each replica keeps an in-process copy of what Redis answered for at
    // most a second (`cache::near`), so the outage shows after that bound.
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    assert_eq!(
        totals(&server, &admin).await.0,
        json!([5, 2, 1]),
        "computed again"
    );
    let html = report_page(&server, &admin).await;
    assert!(html.contains("<dt>Enrolled</dt><dd>5</dd>"), "{html}");
    let (status, _, _, body) = csv(&server, &admin, "locales.csv").await;
    assert_eq!(status, 200);
    assert!(body.contains("es,2,0.4000"), "{body}");

    // Redis comes back with the figures it held before it stopped: they
    // were written over while it was away, so they are not served.
    redis.restart();
    assert_eq!(totals(&server, &admin).await.0, json!([5, 2, 1]));
}

/// Kept figures expire: read steadily, the report catches up with a new
/// learner once its figures are older than `AGORA_REPORT_CACHE_SECONDS`.
#[tokio::test]
async fn kept_report_figures_are_replaced_once_they_are_old() {
    let (server, _dir, admin) =
        seeded_with(vec![("AGORA_REPORT_CACHE_SECONDS".into(), "1".into())]).await;
    let (first, generated) = totals(&server, &admin).await;
    assert_eq!(first, json!([4, 2, 1]));
    learner_in(&server, "eve@ciudad.es", "es").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (now, generated_now) = totals(&server, &admin).await;
        if now == json!([5, 2, 1]) {
            assert!(instant(&generated_now) > instant(&generated));
            break;
        }
        assert_eq!(now, first, "either the kept figures or the new ones");
        assert!(
            std::time::Instant::now() < deadline,
            "the figures were never recomputed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Every file of a course folder, by path relative to it, zipped under
/// `slug/` as authors upload it.
fn zipped_course(
    dir: &std::path::Path,
    slug: &str,
    edit: impl Fn(&mut BTreeMap<String, Vec<u8>>),
) -> Vec<u8> {
    use std::io::Write;
    let root = dir.join(slug);
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
    edit(&mut files);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (path, data) in &files {
        w.start_file(
            format!("{slug}/{path}"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

async fn upload_and_publish(server: &TestServer, author: &Learner, slug: &str, zip: Vec<u8>) {
    let (status, d) = server
        .call(
            author,
            Method::GET,
            &format!("/api/v1/authoring/courses/{slug}"),
            None,
        )
        .await;
    let path = if status == 200 {
        format!("/api/v1/authoring/archives?revision={}", d["revision"])
    } else {
        "/api/v1/authoring/archives".to_owned()
    };
    let r = server
        .as_learner(author, Method::POST, &path)
        .header("content-type", "application/octet-stream")
        .body(zip)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let (status, v) = server
        .call(
            author,
            Method::POST,
            &format!("/api/v1/authoring/courses/{slug}/versions"),
            None,
        )
        .await;
    assert_eq!(status, 201, "{v}");
}

/// Kept figures are laid over the syllabus as it is now: a lesson that a
/// new version removes leaves the funnel at once, and a new one shows with
/// no completions yet, while the counts themselves are still the kept ones.
#[tokio::test]
async fn a_republished_syllabus_shows_at_once_over_kept_figures() {
    const SLUG: &str = "flood-ready";
    let server = TestServer::start().await;
    let author = server.author("author@city.gov").await;
    let dir = TempDir::new();
    write_fixture_course(dir.path(), SLUG);
    upload_and_publish(
        &server,
        &author,
        SLUG,
        zipped_course(dir.path(), SLUG, |_| {}),
    )
    .await;
    let ana = server.learner("ana@city.gov").await;
    let course = format!("/api/v1/courses/{SLUG}");
    let (status, _) = server
        .call(&ana, Method::POST, &format!("{course}/enrolment"), None)
        .await;
    assert_eq!(status, 201);
    for lesson in ["intro", "sheet"] {
        let (status, body) = server
            .call(
                &ana,
                Method::POST,
                &format!("{course}/lessons/{lesson}/completion"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let admin = server.admin("admin@agora.example").await;
    let funnel = |r: &Value| -> Vec<(Value, Value)> {
        r["funnel"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["lesson_key"].clone(), s["completed"].clone()))
            .collect()
    };
    let (status, before) = server
        .call(&admin, Method::GET, &format!("{course}/report"), None)
        .await;
    assert_eq!(status, 200, "{before}");
    assert_eq!(
        funnel(&before),
        vec![
            (json!("intro"), json!(1)),
            (json!("sheet"), json!(1)),
            (json!("check"), json!(0)),
        ]
    );

    let edited = zipped_course(dir.path(), SLUG, |files| {
        let yaml = String::from_utf8(files["course.yaml"].clone()).unwrap();
        let new_yaml = yaml.replace(
            "      - id: sheet\n        kind: resource\n        file: sheet.md\n",
            "      - id: drains\n        kind: text\n        duration_minutes: 5\n",
        );
        assert_ne!(new_yaml, yaml);
        files.insert("course.yaml".into(), new_yaml.into_bytes());
        files.remove("en/sheet.md");
        files.remove("en/resources/sheet.md");
        // The introduction linked to the removed worksheet.
        files.insert(
            "en/intro.md".into(),
            b"---\ntitle: Introduction\n---\nHello.\n".to_vec(),
        );
        files.insert(
            "en/drains.md".into(),
            b"---\ntitle: Drains\n---\nKeep them clear.\n".to_vec(),
        );
    });
    upload_and_publish(&server, &author, SLUG, edited).await;
    let (status, after) = server
        .call(&admin, Method::GET, &format!("{course}/report"), None)
        .await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(
        after["generated_at"], before["generated_at"],
        "figures kept"
    );
    assert_eq!(
        funnel(&after),
        vec![
            (json!("intro"), json!(1)),
            (json!("drains"), json!(0)),
            (json!("check"), json!(0)),
        ]
    );
    assert_eq!(after["funnel"][1]["lesson_title"], "Drains");
}
