//! The worker's mail and certificates against a real SMTP server (aiosmtpd)
//! and a real S3 server (s3s-fs), including their outages and a worker
//! killed mid-job: nothing is lost and nothing is sent or issued twice.

use std::time::{Duration, Instant};

use agora_core::entities::{certificate, enrolment, job, mail_delivery};
use agora_tests::{
    Learner, PASSWORD, S3Server, ServerOptions, SmtpSink, TempDir, TestServer, WorkerProcess,
    pdf_text, write_fixture_course,
};
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

const FIXTURE: &str = "/api/v1/courses/fixture-course";

struct Setup {
    server: TestServer,
    _courses: TempDir,
}

async fn start(env: Vec<(String, String)>) -> Setup {
    let courses = TempDir::new();
    write_fixture_course(courses.path(), "fixture-course");
    let mut all = vec![("AGORA_JOB_RETRY_SECONDS".to_owned(), "1".to_owned())];
    all.extend(env);
    let server = TestServer::start_with(ServerOptions {
        courses_dir: Some(courses.path().to_owned()),
        env: all,
    })
    .await;
    Setup {
        server,
        _courses: courses,
    }
}

fn smtp_env(sink: &SmtpSink) -> Vec<(String, String)> {
    vec![("AGORA_SMTP_URL".into(), sink.url())]
}

async fn wait_until<F: std::future::Future<Output = bool>>(
    what: &str,
    mut check: impl FnMut() -> F,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Jobs of `kind`, narrowed by status or by having failed.
async fn jobs_of(
    conn: &sea_orm::DatabaseConnection,
    kind: &str,
    status: Option<&str>,
    failed: bool,
) -> u64 {
    let mut q = job::Entity::find().filter(job::Column::Kind.eq(kind));
    if let Some(s) = status {
        q = q.filter(job::Column::Status.eq(s));
    }
    if failed {
        q = q.filter(job::Column::LastError.is_not_null());
    }
    q.count(conn).await.unwrap()
}

/// The `token` query parameter of a link.
pub(super) fn token_of(link: &str) -> String {
    url::Url::parse(link)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no token in {link}"))
}

/// Registers through the API and verifies through the link in the real mail.
async fn register_by_mail(
    server: &TestServer,
    sink: &SmtpSink,
    email: &str,
    locale: &str,
) -> Learner {
    let (status, body) = server
        .post_json(
            "/api/v1/accounts",
            json!({ "email": email, "password": PASSWORD, "display_name": "Ana María Peña", "locale": locale }),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let mail = sink.wait_for(email, 1).await.remove(0);
    let link = mail
        .links()
        .into_iter()
        .find(|l| l.contains("/verify-email?token="))
        .unwrap_or_else(|| panic!("no verification link in:\n{}", mail.text));
    assert!(
        link.starts_with(&server.base),
        "{link} is not on {}",
        server.base
    );
    let (status, body) = server
        .post_json(
            "/api/v1/accounts/verify",
            json!({ "token": token_of(&link) }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    server.signed_in(email).await
}

async fn complete_fixture(server: &TestServer, l: &Learner) {
    let (status, body) = server
        .call(l, Method::POST, &format!("{FIXTURE}/enrolment"), None)
        .await;
    assert_eq!(status, 201, "{body}");
    for lesson in ["intro", "sheet"] {
        let (status, _) = server
            .call(
                l,
                Method::POST,
                &format!("{FIXTURE}/lessons/{lesson}/completion"),
                None,
            )
            .await;
        assert_eq!(status, 200);
    }
    let (_, r) = server
        .call(
            l,
            Method::POST,
            &format!("{FIXTURE}/lessons/check/attempts"),
            Some(json!({ "answers": { "q1": ["b"], "q2": ["false"] } })),
        )
        .await;
    assert!(r["progress"]["completed_at"].is_string(), "{r}");
}

async fn my_certificates(server: &TestServer, l: &Learner) -> Vec<Value> {
    let (status, body) = server
        .call(l, Method::GET, "/api/v1/me/certificates", None)
        .await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

async fn ready_certificate(server: &TestServer, l: &Learner) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let certs = my_certificates(server, l).await;
        if let Some(c) = certs.first()
            && c["ready"] == true
        {
            assert_eq!(certs.len(), 1, "one certificate per enrolment");
            return c.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no certificate was issued:\n{}",
            server.logs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn download(server: &TestServer, l: &Learner, code: &str) -> (u16, Vec<u8>) {
    let r = server
        .as_learner(
            l,
            Method::GET,
            &format!("/api/v1/me/certificates/{code}/pdf"),
        )
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.bytes().await.unwrap().to_vec())
}

fn subjects(mails: &[agora_tests::Mail]) -> Vec<String> {
    mails.iter().map(|m| m.subject.clone()).collect()
}

#[tokio::test]
async fn learners_get_their_mail_and_a_verifiable_certificate_in_their_language() {
    let sink = SmtpSink::start();
    let s3 = S3Server::start();
    let mut env = smtp_env(&sink);
    env.extend(s3.env());
    let Setup { server, _courses } = start(env).await;

    // English: verification, enrolment, completion.
    let ana = register_by_mail(&server, &sink, "ana@city.gov", "en").await;
    let first = &sink.wait_for("ana@city.gov", 1).await[0];
    assert_eq!(first.subject, "Confirm your email address for Agora");
    assert!(
        first.text.contains("Hello Ana María Peña"),
        "{}",
        first.text
    );
    assert!(first.html.contains("lang=\"en\""));
    complete_fixture(&server, &ana).await;
    let mails = sink.wait_for("ana@city.gov", 3).await;
    let enrolled = mails
        .iter()
        .find(|m| m.subject.contains("enrolled"))
        .expect("enrolment mail");
    assert_eq!(enrolled.subject, "You are enrolled in “Fixture course”");
    assert!(
        enrolled.text.contains("1 module and 3 lessons"),
        "{}",
        enrolled.text
    );
    assert!(
        enrolled.links().contains(&format!(
            "{}/courses/fixture-course/lessons/intro",
            server.base
        )),
        "{}",
        enrolled.text
    );
    let done = mails
        .iter()
        .find(|m| m.subject.starts_with("Congratulations"))
        .expect("completion mail");
    let cert_link = done
        .links()
        .into_iter()
        .find(|l| l.contains("/certificates/"))
        .expect("a certificate link");
    let code = cert_link.rsplit('/').next().unwrap().to_owned();
    assert_eq!(code.len(), 23, "{code}");
    assert!(done.text.contains(&code));

    // The certificate: stored in S3 once, downloadable by its holder only.
    let cert = ready_certificate(&server, &ana).await;
    assert_eq!(cert["code"], code.as_str());
    assert_eq!(cert["status"], "valid");
    assert_eq!(cert["verify_url"], cert_link.as_str());
    assert_eq!(s3.objects("certificates").len(), 1);
    let (status, pdf) = download(&server, &ana, &code).await;
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    for needle in [
        "Certificate of Completion",
        "Ana María Peña",
        "Fixture course",
        code.as_str(),
        "Agora Learning Platform",
        "0.5 hours of study",
    ] {
        assert!(
            text.contains(needle),
            "{needle:?} missing from the PDF:\n{text}"
        );
    }
    let stored = std::fs::read(&s3.objects("certificates")[0]).unwrap();
    assert_eq!(stored, pdf, "the download is the object in S3");

    let ben = server.learner("ben@city.gov").await;
    let (status, _) = download(&server, &ben, &code).await;
    assert_eq!(
        status, 404,
        "someone else's certificate does not exist for you"
    );
    let r = server
        .http
        .get(server.url(&format!("/api/v1/me/certificates/{code}/pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // Public verification, JSON and page, and what unknown codes reveal.
    let (status, public) = server
        .get_json(&format!("/api/v1/certificates/{code}"))
        .await;
    assert_eq!(status, 200, "{public}");
    assert_eq!(public["holder_name"], "Ana María Peña");
    assert_eq!(public["course_title"], "Fixture course");
    assert_eq!(public["status"], "valid");
    assert!(public.get("revocation_reason").is_none());
    let typed = code.to_lowercase().replace('-', "");
    let (status, same) = server
        .get_json(&format!("/api/v1/certificates/{typed}"))
        .await;
    assert_eq!((status, &same["code"]), (200, &public["code"]));
    let page = server.get(&format!("/certificates/{code}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Valid certificate") && html.contains("Ana María Peña"),
        "{html}"
    );
    for unknown in ["ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ", "nope", "%3Cscript%3E"] {
        let (status, body) = server
            .get_json(&format!("/api/v1/certificates/{unknown}"))
            .await;
        assert_eq!(status, 404, "{unknown}: {body}");
        assert_eq!(body["code"], "not_found");
        assert_eq!(
            server
                .get(&format!("/certificates/{unknown}"))
                .await
                .status(),
            404
        );
    }

    // Revocation: admins only, with a reason, shown publicly as revoked.
    let (status, _) = server
        .call(
            &ana,
            Method::POST,
            &format!("/api/v1/admin/certificates/{code}/revocation"),
            Some(json!({ "reason": "self-revoked" })),
        )
        .await;
    assert_eq!(status, 403);
    let admin = server.admin("admin@city.gov").await;
    let (status, body) = server
        .call(
            &admin,
            Method::POST,
            &format!("/api/v1/admin/certificates/{code}/revocation"),
            Some(json!({ "reason": "   " })),
        )
        .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("reason")));
    let (status, body) = server
        .call(
            &admin,
            Method::POST,
            &format!("/api/v1/admin/certificates/{code}/revocation"),
            Some(json!({ "reason": "Issued in error" })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "revoked");
    assert_eq!(body["revocation_reason"], "Issued in error");
    let (_, public) = server
        .get_json(&format!("/api/v1/certificates/{code}"))
        .await;
    assert_eq!(public["status"], "revoked");
    assert!(public["revoked_at"].is_string());
    let html = server
        .get(&format!("/certificates/{code}?lang=fr"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Certificat révoqué"), "{html}");

    // French: every message and the certificate in French.
    let marie = register_by_mail(&server, &sink, "marie@ville.fr", "fr").await;
    complete_fixture(&server, &marie).await;
    let mails = sink.wait_for("marie@ville.fr", 3).await;
    // The enrolment and completion jobs may finish in either order.
    let mut got = subjects(&mails);
    got.sort();
    assert_eq!(
        got,
        vec![
            "Confirmez votre adresse e-mail pour Agora".to_owned(),
            "Félicitations : vous avez terminé « Cours d'essai »".to_owned(),
            "Vous êtes inscrit·e à « Cours d'essai »".to_owned(),
        ]
    );
    assert!(mails.iter().all(|m| m.html.contains("lang=\"fr\"")));
    let cert = ready_certificate(&server, &marie).await;
    let (_, pdf) = download(&server, &marie, cert["code"].as_str().unwrap()).await;
    let text = pdf_text(&pdf);
    assert!(
        text.contains("Certificat de réussite") && text.contains("Cours d'essai"),
        "{text}"
    );

    // Nothing was sent twice.
    let ana_mails = sink.wait_for("ana@city.gov", 3).await;
    assert_eq!(ana_mails.len(), 3, "{:?}", subjects(&ana_mails));
}

#[tokio::test]
async fn mail_waits_for_an_smtp_server_that_is_down_then_goes_once() {
    let mut sink = SmtpSink::stopped();
    let Setup { server, _courses } = start(smtp_env(&sink)).await;
    let addresses = ["a1@city.gov", "a2@city.gov", "a3@city.gov"];
    for a in addresses {
        assert_eq!(server.register(a).await.0, 202);
    }
    let conn = server.conn().await;
    wait_until(
        "the mail jobs have failed against the dead server",
        || async { jobs_of(&conn, "mail.verify_email", None, true).await == 3 },
    )
    .await;
    let failed = job::Entity::find()
        .filter(job::Column::Kind.eq("mail.verify_email"))
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    assert!(
        failed
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("mail server"),
        "{:?}",
        failed.last_error
    );
    assert_eq!(
        failed.status, "queued",
        "a failed send is retried, not dropped"
    );

    sink.restart();
    for a in addresses {
        sink.wait_for(a, 1).await;
    }
    wait_until("every mail job is done", || async {
        jobs_of(&conn, "mail.verify_email", Some("done"), false).await == 3
    })
    .await;
    for a in addresses {
        assert_eq!(sink.wait_for(a, 1).await.len(), 1, "{a} got one message");
    }

    // A job that runs again after the server accepted its message (a worker
    // that died before recording it) does not send it again.
    job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value("queued"))
        .col_expr(job::Column::RunAt, Expr::value(0i64))
        .filter(job::Column::Kind.eq("mail.verify_email"))
        .exec(&conn)
        .await
        .unwrap();
    wait_until("the replayed jobs are done", || async {
        jobs_of(&conn, "mail.verify_email", Some("done"), false).await == 3
    })
    .await;
    for a in addresses {
        assert_eq!(
            sink.wait_for(a, 1).await.len(),
            1,
            "{a} still got one message"
        );
    }
    let sent = mail_delivery::Entity::find()
        .filter(mail_delivery::Column::Status.eq("sent"))
        .count(&conn)
        .await
        .unwrap();
    assert_eq!(sent, 3);
}

#[tokio::test]
async fn a_certificate_waits_for_storage_that_is_down() {
    let sink = SmtpSink::start();
    let mut s3 = S3Server::start();
    let mut env = smtp_env(&sink);
    env.extend(s3.env());
    let Setup { server, _courses } = start(env).await;
    let ana = register_by_mail(&server, &sink, "ana@city.gov", "en").await;
    s3.stop();
    complete_fixture(&server, &ana).await;
    let conn = server.conn().await;
    wait_until(
        "the certificate job has failed against the dead S3 server",
        || async { jobs_of(&conn, "course_completed", None, true).await == 1 },
    )
    .await;
    let certs = my_certificates(&server, &ana).await;
    assert_eq!(certs.len(), 1, "the certificate exists, its PDF waits");
    assert_eq!(certs[0]["ready"], false);
    let code = certs[0]["code"].as_str().unwrap().to_owned();
    let (status, _) = download(&server, &ana, &code).await;
    assert_eq!(status, 503, "not ready yet, and said so");

    s3.restart();
    let cert = ready_certificate(&server, &ana).await;
    assert_eq!(
        cert["code"],
        code.as_str(),
        "the same certificate, not a new one"
    );
    assert_eq!(s3.objects("certificates").len(), 1);
    let (status, pdf) = download(&server, &ana, &code).await;
    assert_eq!(status, 200);
    assert!(pdf_text(&pdf).contains(&code));
    let mails = sink.wait_for("ana@city.gov", 3).await;
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.subject.starts_with("Congratulations"))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_worker_killed_mid_certificate_is_replaced_and_one_certificate_exists() {
    let sink = SmtpSink::start();
    let s3 = S3Server::start();
    // The API alone: the jobs are left to separate worker processes.
    let mut env = smtp_env(&sink);
    env.extend(s3.env());
    env.push(("AGORA_RUN_WORKER".into(), "false".into()));
    let Setup { server, _courses } = start(env).await;

    // A storage server that accepts connections and never answers, so the
    // first worker is caught in the middle of storing the certificate.
    let hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hole_port = hole.local_addr().unwrap().port();
    let held = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = held.clone();
    std::thread::spawn(move || {
        for conn in hole.incoming().flatten() {
            keep.lock().unwrap().push(conn);
        }
    });
    let mut stuck_env = smtp_env(&sink);
    stuck_env.extend(s3.env());
    for (k, v) in stuck_env.iter_mut() {
        if k == "AGORA_S3_ENDPOINT" {
            *v = format!("http://127.0.0.1:{hole_port}");
        }
    }
    let mut first = WorkerProcess::start(&server, &stuck_env);

    let ana = register_by_mail(&server, &sink, "ana@city.gov", "en").await;
    complete_fixture(&server, &ana).await;
    let conn = server.conn().await;
    wait_until("the first worker is storing the certificate", || async {
        let running = jobs_of(&conn, "course_completed", Some("running"), false).await;
        let rows = certificate::Entity::find().count(&conn).await.unwrap();
        running == 1 && rows == 1 && !held.lock().unwrap().is_empty()
    })
    .await;
    first.kill9();
    // The killed worker may have claimed the enrolment mail in the same
    // batch as the certificate; that mail is reclaimed only when its lease
    // runs out, which can be after this test ends (seen once on PostgreSQL).
    server.expect_jobs_left(
        "mail.enrolled",
        "claimed by the killed worker's batch; reclaimed after its lease, maybe after the test",
    );

    let mut good_env = smtp_env(&sink);
    good_env.extend(s3.env());
    let _second = WorkerProcess::start(&server, &good_env);
    let cert = ready_certificate(&server, &ana).await;
    let done = job::Entity::find()
        .filter(job::Column::Kind.eq("course_completed"))
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    assert!(
        done.attempts >= 2,
        "the job was reclaimed after the lease: {done:?}"
    );
    assert_eq!(certificate::Entity::find().count(&conn).await.unwrap(), 1);
    assert_eq!(s3.objects("certificates").len(), 1);
    let (status, pdf) = download(&server, &ana, cert["code"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert!(pdf_text(&pdf).contains(cert["code"].as_str().unwrap()));
    wait_until("the completion mail is sent", || async {
        sink.messages()
            .iter()
            .any(|m| m.subject.starts_with("Congratulations"))
    })
    .await;
    assert_eq!(
        sink.messages()
            .iter()
            .filter(|m| m.subject.starts_with("Congratulations"))
            .count(),
        1
    );
    // Under load the replacement can finish after its own lease has run out:
    // its finish is then not recorded, and a later claim runs the job again,
    // which finds the certificate stored and issues nothing new. Wait until
    // the job is recorded as done, and check there is still one certificate.
    wait_until("the completion job is recorded as done", || async {
        jobs_of(&conn, "course_completed", Some("done"), false).await == 1
    })
    .await;
    assert_eq!(certificate::Entity::find().count(&conn).await.unwrap(), 1);
    assert_eq!(s3.objects("certificates").len(), 1);
}

#[tokio::test]
async fn inactive_learners_are_reminded_once_unless_they_opted_out_or_finished() {
    let sink = SmtpSink::start();
    let mut env = smtp_env(&sink);
    env.push(("AGORA_REMINDER_DAYS".into(), "7".into()));
    env.push(("AGORA_REMINDER_SCAN_SECONDS".into(), "1".into()));
    let Setup { server, _courses } = start(env).await;
    let mut learners = Vec::new();
    for who in ["idle", "optout", "finished", "active"] {
        let l = register_by_mail(&server, &sink, &format!("{who}@city.gov"), "es").await;
        let (status, _) = server
            .call(&l, Method::POST, &format!("{FIXTURE}/enrolment"), None)
            .await;
        assert_eq!(status, 201);
        learners.push(l);
    }
    let (status, _) = server
        .call(
            &learners[1],
            Method::PATCH,
            "/api/v1/me",
            Some(json!({ "reminders_opt_out": true })),
        )
        .await;
    assert_eq!(status, 200);
    complete_fixture_after_enrol(&server, &learners[2]).await;
    let (status, _) = server
        .call(
            &learners[0],
            Method::POST,
            &format!("{FIXTURE}/lessons/intro/completion"),
            None,
        )
        .await;
    assert_eq!(status, 200);

    // Ten days pass for everyone but the active learner.
    let conn = server.conn().await;
    let ten_days_ago = time::OffsetDateTime::now_utc() - time::Duration::days(10);
    let users: Vec<uuid::Uuid> = {
        use agora_core::entities::user;
        let mut ids = Vec::new();
        for who in ["idle", "optout", "finished"] {
            ids.push(
                user::Entity::find()
                    .filter(user::Column::Email.eq(format!("{who}@city.gov")))
                    .one(&conn)
                    .await
                    .unwrap()
                    .unwrap()
                    .id,
            );
        }
        ids
    };
    enrolment::Entity::update_many()
        .col_expr(enrolment::Column::LastActivityAt, Expr::value(ten_days_ago))
        .filter(enrolment::Column::UserId.is_in(users))
        .exec(&conn)
        .await
        .unwrap();

    let mails = sink.wait_for("idle@city.gov", 3).await;
    let reminder = mails.last().unwrap();
    // The course has no Spanish: its title falls back to English.
    assert_eq!(
        reminder.subject,
        "Retome el curso donde lo dejó: «Fixture course»"
    );
    assert!(
        reminder.text.contains("Han pasado 10 días"),
        "{}",
        reminder.text
    );
    assert!(reminder.text.contains("33 %"), "{}", reminder.text);
    assert!(
        reminder.links().contains(&format!(
            "{}/courses/fixture-course/lessons/sheet",
            server.base
        )),
        "continue where they left off: {}",
        reminder.text
    );
    let unsubscribe = reminder
        .links()
        .into_iter()
        .find(|l| l.contains("/unsubscribe?token="))
        .expect("an unsubscribe link");
    assert_eq!(
        reminder.header("List-Unsubscribe").as_deref(),
        Some(format!("<{unsubscribe}>").as_str())
    );
    assert_eq!(
        reminder.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );

    // Several more scans: still one reminder, and none for the others.
    let scans_then = agora_core::jobs::count_kind(&conn, "reminders.scan")
        .await
        .unwrap();
    wait_until("three more scans ran", || async {
        jobs_of(&conn, "reminders.scan", Some("done"), false).await >= scans_then + 3
    })
    .await;
    let reminders = |to: &str| {
        sink.messages()
            .into_iter()
            .filter(|m| m.to == to && m.subject.starts_with("Retome"))
            .count()
    };
    assert_eq!(reminders("idle@city.gov"), 1);
    assert_eq!(reminders("optout@city.gov"), 0, "opted out");
    assert_eq!(reminders("finished@city.gov"), 0, "completed");
    assert_eq!(reminders("active@city.gov"), 0, "active");

    // One click on the link opts out; a bad token says so, readably.
    let page = server.http.get(&unsubscribe).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Ha cancelado la suscripción")
    );
    let (_, me) = server
        .call(&learners[0], Method::GET, "/api/v1/me", None)
        .await;
    assert_eq!(me["reminders_opt_out"], true);
    let bad = server.get("/unsubscribe?token=unsub-nope").await;
    assert_eq!(bad.status(), 404);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("This link does not work")
    );
    // The RFC 8058 one-click POST a mail client sends works too.
    let r = server
        .http
        .post(&unsubscribe)
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

async fn complete_fixture_after_enrol(server: &TestServer, l: &Learner) {
    for lesson in ["intro", "sheet"] {
        server
            .call(
                l,
                Method::POST,
                &format!("{FIXTURE}/lessons/{lesson}/completion"),
                None,
            )
            .await;
    }
    let (_, r) = server
        .call(
            l,
            Method::POST,
            &format!("{FIXTURE}/lessons/check/attempts"),
            Some(json!({ "answers": { "q1": ["b"], "q2": ["false"] } })),
        )
        .await;
    assert!(r["progress"]["completed_at"].is_string(), "{r}");
}

#[tokio::test]
async fn without_smtp_mail_lands_in_the_outbox_and_certificates_in_the_data_folder() {
    let Setup { server, _courses } = start(vec![]).await;
    let ana = server.learner("ana@city.gov").await;
    complete_fixture(&server, &ana).await;
    let cert = ready_certificate(&server, &ana).await;
    let code = cert["code"].as_str().unwrap();
    let outbox = server.data.path().join("outbox");
    wait_until("three messages are in the outbox", || async {
        std::fs::read_dir(&outbox)
            .map(|d| {
                d.flatten()
                    .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                    .count()
            })
            .unwrap_or(0)
            >= 3
    })
    .await;
    let all: String = std::fs::read_dir(&outbox)
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    assert!(
        all.contains("To: \"Ana Silva\" <ana@city.gov>")
            || all.contains("To: Ana Silva <ana@city.gov>"),
        "{all}"
    );
    let stored = server
        .data
        .path()
        .join(format!("files/certificates/{code}.pdf"));
    assert!(stored.is_file(), "{} is missing", stored.display());
    let (_, pdf) = download(&server, &ana, code).await;
    assert_eq!(std::fs::read(stored).unwrap(), pdf);
}

#[tokio::test]
async fn admins_see_and_retry_dead_jobs() {
    let Setup { server, _courses } = start(vec![]).await;
    server.expect_jobs_left(
        "test.unknown",
        "no worker knows this kind: the job dies, and stays queued once retried",
    );
    let conn = server.conn().await;
    #[derive(serde::Serialize, serde::Deserialize)]
    struct Unknown {
        n: u32,
    }
    impl agora_core::jobs::Job for Unknown {
        const KIND: &'static str = "test.unknown";
    }
    agora_core::jobs::enqueue(&conn, &Unknown { n: 1 })
        .await
        .unwrap();
    job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value("dead"))
        .col_expr(
            job::Column::LastError,
            Expr::value(Some("it broke".to_owned())),
        )
        .filter(job::Column::Kind.eq("test.unknown"))
        .exec(&conn)
        .await
        .unwrap();

    let learner = server.learner("ana@city.gov").await;
    let (status, body) = server
        .call(&learner, Method::GET, "/api/v1/admin/jobs", None)
        .await;
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
    assert_eq!(server.get("/api/v1/admin/jobs").await.status(), 401);

    let admin = server.admin("admin@city.gov").await;
    let (status, counts) = server
        .call(&admin, Method::GET, "/api/v1/admin/jobs/counts", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(counts["dead"], 1);
    let (status, dead) = server
        .call(&admin, Method::GET, "/api/v1/admin/jobs?status=dead", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(dead[0]["kind"], "test.unknown");
    assert_eq!(dead[0]["last_error"], "it broke");
    let id = dead[0]["id"].as_str().unwrap().to_owned();
    let (status, body) = server
        .call(
            &admin,
            Method::GET,
            "/api/v1/admin/jobs?status=zombie",
            None,
        )
        .await;
    assert_eq!((status, body["field"].as_str()), (400, Some("status")));
    let (status, _) = server
        .call(&admin, Method::GET, "/api/v1/admin/jobs?limit=0", None)
        .await;
    assert_eq!(status, 400);
    let (status, _) = server
        .call(
            &admin,
            Method::POST,
            &format!("/api/v1/admin/jobs/{id}/retry"),
            None,
        )
        .await;
    assert_eq!(status, 202);
    let (status, body) = server
        .call(
            &admin,
            Method::POST,
            &format!("/api/v1/admin/jobs/{id}/retry"),
            None,
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("conflict")));
    let (status, _) = server
        .call(
            &admin,
            Method::POST,
            &format!("/api/v1/admin/jobs/{}/retry", uuid::Uuid::new_v4()),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = server
        .call(
            &admin,
            Method::POST,
            "/api/v1/admin/jobs/not-a-uuid/retry",
            None,
        )
        .await;
    assert_eq!(status, 400);
}
