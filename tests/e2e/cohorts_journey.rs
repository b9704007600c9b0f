//! The whole cohort journey in headless Chromium, axe-core on every page
//! visited, in English and in Spanish, on the real SMTP and S3 servers:
//! an author starts a cohort from the Voluntary Local Review template (and
//! narrows its completion rule on the edit page); two organisations apply
//! and are accepted; a member in Bogotá sees the next session in their own
//! time zone and subscribes to the calendar feed (read with Python's
//! `icalendar`: DTSTART timezone-aware, UIDs stable across fetches); both
//! organisations hand in work (the file fetched back from S3), review each
//! other's, the facilitator records attendance and accepts the work; the
//! member completes the course and receives both certificates, each mailed
//! once in their language.
//!
//! Nairobi's side of handing in and reviewing goes through the JSON API,
//! to keep the journey short; Lyon's and the facilitator's through the pages.

use agora_core::time_zones;
use agora_tests::{Learner, S3Server, SmtpSink, browser::Browser, browser::axe_source};
use reqwest::Method;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{
    cohorts::{Cohorts, cohorts_world, jobs_settle, ok},
    cohorts_browser::{EN, ES, Run, Words},
    cohorts_completion::{complete_course, ready_certificates},
    cohorts_ics::parse_ics,
    cohorts_work::{PDF, download, submit},
    organisations::World,
};

/// The subjects of the two certificate mails, in the run's language.
struct Subjects {
    course: &'static str,
    cohort: &'static str,
}

const EN_MAIL: Subjects = Subjects {
    course: "Congratulations",
    cohort: "Your certificate for the cohort",
};

const ES_MAIL: Subjects = Subjects {
    course: "Enhorabuena",
    cohort: "Su certificado de la cohorte",
};

/// Each criterion's key and highest level.
fn best_levels(assignment: &Value) -> Vec<(String, i64)> {
    assignment["rubric"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let best = c["levels"].as_array().unwrap().iter();
            let best = best.map(|l| l["points"].as_i64().unwrap()).max().unwrap();
            (c["key"].as_str().unwrap().to_owned(), best)
        })
        .collect()
}

/// A rubric filled in at each criterion's highest level.
fn top_scores(assignment: &Value) -> Value {
    let criteria: Vec<Value> = best_levels(assignment)
        .into_iter()
        .map(|(k, p)| json!({ "criterion": k, "points": p, "comment": "Well grounded." }))
        .collect();
    json!({ "comment": "A clear plan.", "criteria": criteria })
}

impl Run {
    /// Applies for the signed-in member's organisation, answering every question.
    async fn apply_here(&self, here: &str) {
        self.visit(here, "outside").await;
        self.b.submit(&format!("a[href='{here}/apply']")).await;
        self.check("apply").await;
        for (i, _) in self
            .b
            .find_all("textarea[id^=answer_]")
            .await
            .iter()
            .enumerate()
        {
            self.b
                .type_into(&format!("#answer_{i}"), "To report on the SDGs locally.")
                .await;
        }
        self.b.submit("main form button").await;
        assert_eq!(self.path().await, here);
        self.check("applied").await;
        assert!(self.flash().await.contains(self.w.applied));
    }
}

async fn journey(w: &'static Words, subjects: &Subjects) {
    let sink = SmtpSink::start();
    let s3 = S3Server::start();
    let mut env = vec![("AGORA_SMTP_URL".to_owned(), sink.url())];
    env.extend(s3.env());
    let Cohorts {
        w: world,
        author,
        facilitator,
        ..
    } = cohorts_world(env).await;
    let World {
        s,
        lyon_member,
        nairobi_member,
        ..
    } = world;
    let run = Run {
        b: Browser::start(true, w.lang).await,
        axe: axe_source(),
        s,
        w,
    };
    let slug = format!("journey-{}", w.lang);
    let here = format!("/cohorts/{slug}");
    let api = format!("/api/v1/cohorts/{slug}");
    let s = &run.s;

    // The author starts the cohort from the template, from yesterday.
    run.sign_in(&author.email).await;
    run.visit("/cohorts/new", "new").await;
    run.b.submit("a[href='/cohorts/new-from-template']").await;
    run.check("from-template").await;
    let yesterday = (OffsetDateTime::now_utc() - time::Duration::days(1)).date();
    run.b.type_into("#slug", &slug).await;
    run.set("starts_on", &yesterday.to_string()).await;
    run.set("status", "open").await;
    run.b.type_into("#facilitators", &facilitator.email).await;
    run.b
        .type_into("#join_url", "https://meet.example.org/vlr")
        .await;
    run.b.submit("main form button").await;
    assert_eq!(run.path().await, here, "the cohort was created");
    run.check("created").await;
    assert!(run.flash().await.contains(w.saved));
    // Completing it: the course, the work plan accepted, one session.
    run.visit(&format!("{here}/edit"), "edit").await;
    run.set("completion_assignments", "vlr-work-plan").await;
    run.set("completion_sessions", "1").await;
    run.b.submit("main form button").await;
    assert_eq!(run.path().await, here);
    assert!(run.flash().await.contains(w.saved));
    run.sign_out().await;
    let cohort = ok(s, &author, Method::GET, &api, None, 200).await;
    assert_eq!(
        cohort["completion"]["assignments"],
        json!(["vlr-work-plan"])
    );
    let sessions = ok(
        s,
        &facilitator,
        Method::GET,
        &format!("{api}/sessions"),
        None,
        200,
    )
    .await;
    assert_eq!(sessions.as_array().unwrap().len(), 6, "{sessions}");

    // Two organisations apply; the facilitator accepts both.
    for who in [&lyon_member, &nairobi_member] {
        run.sign_in(&who.email).await;
        run.apply_here(&here).await;
        run.sign_out().await;
    }
    run.sign_in(&facilitator.email).await;
    run.visit(&format!("{here}/applications"), "applications")
        .await;
    for org in ["lyon", "nairobi"] {
        let card = format!(".application[data-organisation='{org}']");
        run.b
            .type_into(&format!("{card} textarea"), "Welcome aboard.")
            .await;
        run.b
            .submit(&format!("{card} button[value=accepted]"))
            .await;
        run.check("accepted").await;
        let flash = run.flash().await;
        assert!(flash.contains(w.decided), "{org}: flash {flash:?}");
    }
    run.sign_out().await;

    // Nairobi joins; Lyon's member, in Bogotá, joins and sees the next
    // session (the template's second, at 13:00 UTC) in their own zone.
    ok(
        s,
        &nairobi_member,
        Method::POST,
        &format!("{api}/join"),
        None,
        200,
    )
    .await;
    run.sign_in(&lyon_member.email).await;
    run.visit("/account", "account").await;
    run.set("time_zone", "America/Bogota").await;
    run.b.submit("form[action='/account'] button").await;
    run.visit(&here, "accepted-outside").await;
    run.b
        .submit(&format!("form[action='{here}/join'] button"))
        .await;
    run.check("member").await;
    assert!(run.flash().await.contains(w.joined));
    let now = OffsetDateTime::now_utc();
    let starts = |v: &Value| {
        OffsetDateTime::parse(
            v["starts_at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap()
    };
    let sessions = sessions.as_array().unwrap();
    let next = sessions.iter().find(|v| starts(v) > now).unwrap();
    let bogota = time_zones::show(starts(next), time_zones::zone(Some("America/Bogota")));
    let shown = run.b.text(".next-session").await;
    assert!(shown.contains(&bogota), "{shown} shows {bogota}");
    assert!(shown.contains(next["title"].as_str().unwrap()), "{shown}");

    // The calendar feed, as a calendar program reads it, twice. Before
    // there is one, the page offers no way to stop it.
    let stop = format!("form[action='{here}/calendar-feed/revocation']");
    assert!(run.b.try_find(&stop).await.is_none(), "no feed to stop yet");
    run.b
        .submit(&format!("form[action='{here}/calendar-feed'] button"))
        .await;
    run.check("feed").await;
    assert!(
        run.b.try_find(&stop).await.is_some(),
        "the new feed can be stopped"
    );
    let feed = run.b.text("#feed-url").await;
    let feed = url::Url::parse(feed.trim()).unwrap().path().to_owned();
    let mut fetched = Vec::new();
    for _ in 0..2 {
        let r = s.http.get(s.url(&feed)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{feed}");
        fetched.push(parse_ics(&r.text().await.unwrap()));
    }
    assert_eq!(fetched[0].len(), 6, "{:?}", fetched[0]);
    assert!(
        fetched[0].iter().all(|e| e["aware"] == true),
        "{:?}",
        fetched[0]
    );
    let uids = |f: &Vec<Value>| f.iter().map(|e| e["uid"].clone()).collect::<Vec<_>>();
    assert_eq!(uids(&fetched[0]), uids(&fetched[1]), "UIDs are stable");
    assert!(
        fetched[0].iter().any(|e| e["summary"] == next["title"]),
        "{:?}",
        fetched[0]
    );

    // Both organisations hand in their work plan, Lyon on its page with a
    // file that comes back from S3; each reviews the other's work.
    let list = ok(
        s,
        &lyon_member,
        Method::GET,
        &format!("{api}/assignments"),
        None,
        200,
    )
    .await;
    let list = list.as_array().unwrap();
    let plan = list.iter().find(|a| a["key"] == "vlr-work-plan").unwrap();
    let aid = plan["id"].as_str().unwrap();
    let work = format!("{api}/assignments/{aid}/submission");
    let (st, _) = submit(s, &nairobi_member, &work, "Nairobi's plan.", &[]).await;
    assert_eq!(st, 200);
    let upload = std::env::temp_dir().join(format!("plan-{}-{}.pdf", w.lang, std::process::id()));
    std::fs::write(&upload, PDF).unwrap();
    run.visit(&format!("{here}/work"), "work").await;
    let card = format!("section[data-assignment='{aid}']");
    run.b.type_into(&format!("#text-{aid}"), "Our plan.").await;
    run.b
        .type_into(&format!("#file-{aid}"), upload.to_str().unwrap())
        .await;
    run.b.submit(&format!("{card} form.hand-in button")).await;
    run.check("handed-in").await;
    assert!(
        run.b
            .text(&format!("{card} .files"))
            .await
            .contains("plan-")
    );
    let lyon = ok(s, &lyon_member, Method::GET, &work, None, 200).await;
    assert_eq!(lyon["late"], false, "{lyon}");
    assert_eq!(s3.objects("cohorts").len(), 1);
    let sid = lyon["id"].as_str().unwrap();
    let file = format!(
        "{api}/submissions/{sid}/files/{}",
        lyon["files"][0]["id"].as_str().unwrap()
    );
    let (st, ct, bytes) = download(s, Some(&lyon_member), &file).await;
    assert_eq!(
        (st, ct.as_str(), bytes.as_slice()),
        (200, "application/pdf", PDF)
    );
    let mut tasks = Vec::new();
    for who in [&lyon_member, &nairobi_member] {
        let t = ok(s, who, Method::GET, &format!("{api}/reviews"), None, 200).await;
        assert_eq!(t.as_array().unwrap().len(), 1, "{t}");
        tasks.push(t[0]["id"].as_str().unwrap().to_owned());
    }
    for (key, best) in best_levels(plan) {
        run.set(&format!("points-{}-{key}", tasks[0]), &best.to_string())
            .await;
    }
    run.b
        .submit(&format!("article[data-review='{}'] form button", tasks[0]))
        .await;
    run.check("reviewed").await;
    let review = format!("{api}/reviews/{}", tasks[1]);
    ok(
        s,
        &nairobi_member,
        Method::PUT,
        &review,
        Some(top_scores(plan)),
        200,
    )
    .await;

    // The facilitator records attendance of yesterday's session on its page.
    let me: &Learner = &lyon_member;
    let uid = ok(s, me, Method::GET, "/api/v1/me", None, 200).await["id"].clone();
    let first = sessions[0]["id"].as_str().unwrap();
    run.sign_out().await;
    run.sign_in(&facilitator.email).await;
    run.visit(&format!("{here}/sessions/{first}"), "session")
        .await;
    let tick = run
        .b
        .find(&format!("#present-{}", uid.as_str().unwrap()))
        .await;
    run.b.click(&tick).await;
    run.b
        .submit(&format!(
            "form[action='{here}/sessions/{first}/attendance'] button"
        ))
        .await;
    run.check("attendance").await;
    // …and accepts Lyon's work on its page, criterion by criterion.
    run.visit(
        &format!("{here}/assignments/{aid}/submissions"),
        "submissions",
    )
    .await;
    for (key, best) in best_levels(plan) {
        run.set(&format!("points-{sid}-{key}"), &best.to_string())
            .await;
    }
    run.set(&format!("status-{sid}"), "accepted").await;
    run.b
        .submit(&format!("article[data-submission='{sid}'] form button"))
        .await;
    run.check("feedback").await;
    run.sign_out().await;
    let mine = ok(s, me, Method::GET, &work, None, 200).await;
    assert_eq!(mine["status"], "accepted", "{mine}");
    assert_eq!(mine["peer_reviews"].as_array().unwrap().len(), 1, "{mine}");

    // The course completed, both certificates follow, each mailed once.
    complete_course(s, me).await;
    let certs = ready_certificates(s, me, 2).await;
    let cohort_cert = certs
        .iter()
        .find(|c| c["cohort_slug"] == slug.as_str())
        .unwrap_or_else(|| panic!("no cohort certificate: {certs:?}"));
    let code = cohort_cert["code"].as_str().unwrap();
    assert!(
        certs.iter().any(|c| c["cohort_title"].is_null()),
        "{certs:?}"
    );
    run.sign_in(&me.email).await;
    run.visit(&here, "completed").await;
    run.b
        .submit(&format!(".completion a[href='/certificates/{code}']"))
        .await;
    run.check("certificate").await;
    assert!(run.b.text("main").await.contains(code));
    jobs_settle(s, "course_completed").await;
    jobs_settle(s, "cohort_completed").await;
    let to_me: Vec<_> = sink
        .messages()
        .into_iter()
        .filter(|m| m.to.eq_ignore_ascii_case(&me.email))
        .collect();
    let with = |prefix: &str| {
        to_me
            .iter()
            .filter(|m| m.subject.starts_with(prefix))
            .count()
    };
    assert_eq!(with(subjects.course), 1, "{to_me:?}");
    assert_eq!(with(subjects.cohort), 1, "{to_me:?}");
    assert!(
        to_me
            .iter()
            .any(|m| m.subject.starts_with(subjects.cohort) && m.text.contains(code)),
        "{to_me:?}"
    );
}

#[tokio::test]
async fn the_cohort_journey_runs_in_english() {
    journey(&EN, &EN_MAIL).await;
}

#[tokio::test]
async fn the_cohort_journey_runs_in_spanish() {
    journey(&ES, &ES_MAIL).await;
}
