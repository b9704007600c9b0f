//! Several replicas (issue 22): two `agora serve` without the in-process
//! worker and two `agora-worker` processes share one database and one
//! Redis, behind an imaginary load balancer that sends each request to
//! either. Learners register, enrol, complete a course and get their mail
//! and certificates while an author publishes edits. Afterwards every
//! record exists exactly once, no replica served the old edition for more
//! than a second after a publication, and the sign-in limit held across
//! both replicas.

use std::time::{Duration, Instant};

use agora_core::entities::{
    certificate, enrolment, job, lesson_progress, mail_delivery, quiz_attempt, user,
};
use agora_tests::{
    PASSWORD, S3Server, ServerOptions, SmtpSink, TempDir, TestServer, WorkerProcess,
    write_fixture_course,
};
use futures::future::join_all;
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use super::{
    authoring::{fixture_files, put_file, revision, upload, zip_folder},
    cache::RedisProcess,
    worker::token_of,
};

const COURSE: &str = "fixture-course";
const EDITED: &str = "edited-course";
const LEARNERS: usize = 16;

/// One request to `base`; any 5xx fails the test at once.
async fn send(
    http: &reqwest::Client,
    method: Method,
    url: String,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = http.request(method, &url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = r.status().as_u16();
    let body = r.json().await.unwrap_or(Value::Null);
    assert!(status < 500, "{url} answered {status}: {body}");
    (status, body)
}

/// The verification token in the newest mail to `email`.
async fn verification_token(sink: &SmtpSink, email: &str) -> String {
    let mail = sink.wait_for(email, 1).await.remove(0);
    let link = mail
        .links()
        .into_iter()
        .find(|l| l.contains("/verify-email?token="))
        .unwrap_or_else(|| panic!("no verification link in:\n{}", mail.text));
    token_of(&link)
}

/// A learner's whole journey, each step on the other replica than the last.
async fn journey(http: reqwest::Client, bases: [String; 2], sink: &SmtpSink, i: usize) {
    let email = format!("learner{i}@city.gov");
    let at = |step: usize, path: &str| format!("{}{path}", bases[(i + step) % 2]);
    let (status, body) = send(
        &http,
        Method::POST,
        at(0, "/api/v1/accounts"),
        None,
        Some(
            json!({ "email": email, "password": PASSWORD, "display_name": format!("Learner {i}") }),
        ),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    let token = verification_token(sink, &email).await;
    let (status, body) = send(
        &http,
        Method::POST,
        at(1, "/api/v1/accounts/verify"),
        None,
        Some(json!({ "token": token })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(
        &http,
        Method::POST,
        at(2, "/api/v1/auth/sign-in"),
        None,
        Some(json!({ "email": email, "password": PASSWORD })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let bearer = body["token"].as_str().unwrap().to_owned();
    let t = Some(bearer.as_str());
    let course = format!("/api/v1/courses/{COURSE}");
    // Enrolling twice (a double click on two replicas) enrols once.
    let enrol = format!("{course}/enrolment");
    let (a, b) = tokio::join!(
        send(&http, Method::POST, at(3, &enrol), t, None),
        send(&http, Method::POST, at(4, &enrol), t, None),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert!(
        statuses == [200, 201] || statuses == [201, 201] || statuses == [201, 409],
        "two enrolments at once answered {statuses:?}: {} {}",
        a.1,
        b.1
    );
    for (step, lesson) in ["intro", "sheet"].into_iter().enumerate() {
        let lesson_url = format!("{course}/lessons/{lesson}");
        let (status, body) = send(&http, Method::GET, at(step, &lesson_url), t, None).await;
        assert_eq!(status, 200, "{body}");
        // The same completion sent to both replicas at once counts once.
        let done = format!("{lesson_url}/completion");
        let (a, b) = tokio::join!(
            send(&http, Method::POST, at(step, &done), t, None),
            send(&http, Method::POST, at(step + 1, &done), t, None),
        );
        assert_eq!((a.0, b.0), (200, 200), "{} {}", a.1, b.1);
    }
    let (status, r) = send(
        &http,
        Method::POST,
        at(5, &format!("{course}/lessons/check/attempts")),
        t,
        Some(json!({ "answers": { "q1": ["b"], "q2": ["false"] } })),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    assert!(r["progress"]["completed_at"].is_string(), "{r}");
}

/// Publishes edition `n` of the author's course on replica A and returns
/// how long replica B kept serving the earlier edition.
async fn publish_edition(
    a: &TestServer,
    b_base: &str,
    author: &agora_tests::Learner,
    n: usize,
) -> Duration {
    let rev = revision(a, author, EDITED).await;
    let text = format!("---\ntitle: Introduction\n---\nEdition {n} of the introduction.\n");
    let (status, body) = put_file(a, author, EDITED, "en/intro.md", rev, text.into_bytes()).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = a
        .call(
            author,
            Method::POST,
            &format!("/api/v1/authoring/courses/{EDITED}/versions"),
            None,
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let published = Instant::now();
    let url = format!("{b_base}/api/v1/courses/{EDITED}/lessons/intro");
    loop {
        let r = a
            .http
            .get(&url)
            .bearer_auth(&author.token)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let body = r.text().await.unwrap_or_default();
        assert!(status < 500, "{status}: {body}");
        if body.contains(&format!("Edition {n} of")) {
            return published.elapsed();
        }
        assert!(
            published.elapsed() < Duration::from_secs(5),
            "replica B still serves an older edition 5 s after edition {n}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn author_id(conn: &sea_orm::DatabaseConnection) -> uuid::Uuid {
    user::Entity::find()
        .filter(user::Column::Email.eq("author@city.gov"))
        .one(conn)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn two_replicas_and_two_workers_lose_nothing_and_double_nothing() {
    let redis = RedisProcess::start();
    let sink = SmtpSink::start();
    let s3 = S3Server::start();
    let mut env = vec![
        ("AGORA_REDIS_URL".to_owned(), redis.url()),
        ("AGORA_SMTP_URL".to_owned(), sink.url()),
        ("AGORA_RUN_WORKER".to_owned(), "false".to_owned()),
    ];
    env.extend(s3.env());
    let courses = TempDir::new();
    write_fixture_course(courses.path(), COURSE);
    let server = TestServer::start_with(ServerOptions {
        courses_dir: Some(courses.path().to_owned()),
        env: env.clone(),
    })
    .await;
    let replica = server.replica(&env).await;
    let _workers = [
        WorkerProcess::start(&server, &env),
        WorkerProcess::start(&server, &env),
    ];
    let bases = [server.base.clone(), replica.base.clone()];

    // The author's course, first edition, before the load.
    let author = server.author("author@city.gov").await;
    let (_dir, files) = fixture_files(EDITED);
    let (status, d) = upload(&server, &author, zip_folder(EDITED, &files), None).await;
    assert_eq!(status, 200, "{d}");
    let (status, d) = server
        .call(
            &author,
            Method::POST,
            &format!("/api/v1/authoring/courses/{EDITED}/versions"),
            None,
        )
        .await;
    assert_eq!(status, 201, "{d}");
    // The author reads the lesson as a learner does.
    let (status, d) = server
        .call(
            &author,
            Method::POST,
            &format!("/api/v1/courses/{EDITED}/enrolment"),
            None,
        )
        .await;
    assert_eq!(status, 201, "{d}");

    // The load: every learner's journey at once, while the author
    // publishes three editions on replica A.
    let started = Instant::now();
    let journeys =
        join_all((0..LEARNERS).map(|i| journey(server.http.clone(), bases.clone(), &sink, i)));
    let editions = async {
        let mut lags = Vec::new();
        for n in 2..=4 {
            lags.push(publish_edition(&server, &replica.base, &author, n).await);
        }
        lags
    };
    let (_, lags) = tokio::join!(journeys, editions);
    eprintln!(
        "{LEARNERS} journeys in {:?}; replica B followed each edition after {lags:?}",
        started.elapsed()
    );
    for lag in &lags {
        assert!(
            *lag < Duration::from_secs(1),
            "replica B served an old edition for {lag:?} after a publication"
        );
    }

    // The sign-in limit holds across both replicas: five wrong tries at
    // one address (that never signed in) pass in all, whichever replica
    // they reach.
    let mut passed = 0;
    for i in 0..8 {
        let (status, _) = send(
            &server.http,
            Method::POST,
            format!("{}/api/v1/auth/sign-in", bases[i % 2]),
            None,
            Some(json!({ "email": "guesser@city.gov", "password": "not the password" })),
        )
        .await;
        match status {
            401 => passed += 1,
            429 => {}
            s => panic!("a wrong sign-in answered {s}"),
        }
    }
    assert_eq!(passed, 5, "the limit of 5 held across two replicas");

    // Every job is done, by one worker or the other, and none failed for good.
    let conn = server.conn().await;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let open = job::Entity::find()
            .filter(job::Column::Status.ne("done"))
            .filter(job::Column::RunAt.lte(agora_core::jobs::now_ms()))
            .count(&conn)
            .await
            .unwrap();
        let certificates = certificate::Entity::find()
            .filter(certificate::Column::StoredAt.is_not_null())
            .count(&conn)
            .await
            .unwrap();
        if open == 0 && certificates == LEARNERS as u64 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{open} jobs still open, {certificates} certificates stored"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Exactly once: accounts, enrolments, progress, attempts, certificates.
    let learners = user::Entity::find()
        .filter(user::Column::Email.like("learner%@city.gov"))
        .count(&conn)
        .await
        .unwrap();
    assert_eq!(learners, LEARNERS as u64);
    let enrolments = enrolment::Entity::find()
        .filter(enrolment::Column::UserId.ne(author_id(&conn).await))
        .all(&conn)
        .await
        .unwrap();
    assert_eq!(enrolments.len(), LEARNERS, "one enrolment per learner");
    assert!(enrolments.iter().all(|e| e.completed_at.is_some()));
    let progress = lesson_progress::Entity::find().count(&conn).await.unwrap();
    assert_eq!(progress, (LEARNERS * 3) as u64, "three lessons each, once");
    let attempts = quiz_attempt::Entity::find().count(&conn).await.unwrap();
    assert_eq!(attempts, LEARNERS as u64, "one quiz attempt each");
    let certificates = certificate::Entity::find().all(&conn).await.unwrap();
    let mut per_enrolment: Vec<_> = certificates.iter().map(|c| c.enrolment_id).collect();
    per_enrolment.sort();
    per_enrolment.dedup();
    assert_eq!(
        per_enrolment.len(),
        LEARNERS,
        "one certificate per enrolment"
    );
    assert_eq!(
        s3.objects("certificates").len(),
        LEARNERS,
        "one PDF each in S3"
    );

    // Mail: verification, enrolment and completion, each sent once; a
    // moment later nothing more has arrived.
    for i in 0..LEARNERS {
        sink.wait_for(&format!("learner{i}@city.gov"), 3).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mails = sink.messages();
    for i in 0..LEARNERS {
        let to = format!("learner{i}@city.gov");
        let subjects: Vec<_> = mails
            .iter()
            .filter(|m| m.to.contains(&to))
            .map(|m| m.subject.as_str())
            .collect();
        assert_eq!(subjects.len(), 3, "{to} got {subjects:?}");
    }
    let sent = mail_delivery::Entity::find()
        .filter(mail_delivery::Column::Recipient.like("learner%@city.gov"))
        .all(&conn)
        .await
        .unwrap();
    assert_eq!(sent.len(), LEARNERS * 3, "one delivery record per mail");
    assert!(sent.iter().all(|m| m.status == "sent"), "{sent:?}");
}
