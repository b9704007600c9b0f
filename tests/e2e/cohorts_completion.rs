//! Completing a cohort over HTTP, on the real SMTP and S3 servers: the
//! rule is set on edit (a key naming no assignment of the cohort is
//! refused, naming the field); a member who completes the course, has
//! the named work accepted and attended enough sessions receives a cohort
//! certificate naming the cohort, in addition to the course certificate,
//! exactly once. The PDF is read back with pdftotext; the public page and
//! the verify endpoint name the cohort.

use std::time::{Duration, Instant};

use agora_core::{
    entities::{cohort_certificate, course, enrolment, job, user},
    jobs,
    learning::CourseCompleted,
};
use agora_tests::{Learner, S3Server, SmtpSink, TestServer, pdf_text};
use reqwest::Method;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{
    cohorts::{cohort_body, cohorts_world, field_of, get_text, jobs_settle, ok, session_body},
    cohorts_pages::{form, page},
    cohorts_sessions::two_cohorts,
    cohorts_work::{assignment_body, create_assignment, download, scores, submit},
    xapi::{Creds, all_statements, create_client, npm_validate},
};

/// The `attended` statements in the LRS.
async fn attended(s: &TestServer, reader: &Creds) -> Vec<Value> {
    all_statements(s, reader)
        .await
        .into_iter()
        .filter(|st| st["verb"]["id"] == "http://adlnet.gov/expapi/verbs/attended")
        .collect()
}

/// Enrols and completes the course the way the last lesson does:
/// `completed_at` and the `course_completed` job together.
pub(super) async fn complete_course(s: &TestServer, l: &Learner) {
    let (st, b) = s
        .call(
            l,
            Method::POST,
            "/api/v1/courses/voluntary-local-review/enrolment",
            None,
        )
        .await;
    assert!(st == 201 || st == 200, "{st} {b}");
    let conn = s.conn().await;
    let u = user::Entity::find()
        .filter(user::Column::Email.eq(l.email.to_lowercase()))
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    let course = course::Entity::find()
        .filter(course::Column::Slug.eq("voluntary-local-review"))
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    let e = enrolment::Entity::find()
        .filter(enrolment::Column::UserId.eq(u.id))
        .filter(enrolment::Column::CourseId.eq(course.id))
        .one(&conn)
        .await
        .unwrap()
        .expect("the enrolment");
    let txn = agora_core::db::begin_write(&conn).await.unwrap();
    let mut am: enrolment::ActiveModel = e.clone().into();
    am.completed_at = Set(Some(OffsetDateTime::now_utc()));
    am.update(&txn).await.unwrap();
    jobs::enqueue(&txn, &CourseCompleted { enrolment_id: e.id })
        .await
        .unwrap();
    txn.commit().await.unwrap();
}

async fn my_certificates(s: &TestServer, l: &Learner) -> Vec<Value> {
    ok(s, l, Method::GET, "/api/v1/me/certificates", None, 200)
        .await
        .as_array()
        .unwrap()
        .clone()
}

/// Waits for `n` ready certificates.
pub(super) async fn ready_certificates(s: &TestServer, l: &Learner, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let certs = my_certificates(s, l).await;
        if certs.len() == n && certs.iter().all(|c| c["ready"] == true) {
            return certs;
        }
        assert!(
            Instant::now() < deadline,
            "{n} certificates were not issued: {certs:?}\n{}",
            s.logs()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn completion(s: &TestServer, l: &Learner) -> Value {
    ok(
        s,
        l,
        Method::GET,
        "/api/v1/cohorts/vlr-a/completion",
        None,
        200,
    )
    .await
}

async fn cohort_jobs(s: &TestServer) -> u64 {
    job::Entity::find()
        .filter(job::Column::Kind.eq("cohort_completed"))
        .count(&s.conn().await)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_member_who_meets_the_rule_gets_a_certificate_naming_the_cohort_once() {
    let sink = SmtpSink::start();
    let s3 = S3Server::start();
    let mut env = vec![("AGORA_SMTP_URL".to_owned(), sink.url())];
    env.extend(s3.env());
    let c = cohorts_world(env).await;
    let (w, s) = (&c.w, &c.w.s);
    two_cohorts(&c).await;
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let mut plan = assignment_body("Work plan", now + time::Duration::days(7), "individual", 0);
    plan["key"] = json!("work-plan");
    let plan = create_assignment(s, &c.facilitator, plan).await;
    let session = ok(
        s,
        &c.facilitator,
        Method::POST,
        "/api/v1/cohorts/vlr-a/sessions",
        Some(session_body("Kick-off", now - time::Duration::hours(2), 60)),
        201,
    )
    .await;
    let sid = session["id"].as_str().unwrap().to_owned();

    // The rule: set on edit, shown on the cohort; a key of no assignment is refused.
    let edit = |rule: Value| {
        let mut b = cohort_body("vlr-a", &["facilitator@agora.example"], 5, 10);
        b["completion"] = rule;
        b
    };
    let path = "/api/v1/cohorts/vlr-a";
    let (st, b) = s
        .call(
            &c.author,
            Method::PUT,
            path,
            Some(edit(json!({ "assignments": ["no-such-work"] }))),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "completion_assignments"), "{b}");
    let (st, b) = s
        .call(
            &c.author,
            Method::PUT,
            path,
            Some(edit(json!({ "min_sessions_attended": 1000 }))),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "completion_sessions"), "{b}");
    let rule = json!({
        "course_completed": true,
        "assignments": ["work-plan"],
        "min_sessions_attended": 1,
    });
    let cohort = ok(
        s,
        &c.author,
        Method::PUT,
        path,
        Some(edit(rule.clone())),
        200,
    )
    .await;
    assert_eq!(cohort["completion"], rule, "{cohort}");
    // The page form shows the rule, and refuses a bad key naming the field.
    let (st, html) = page(s, Some(&c.author), "/cohorts/vlr-a/edit").await;
    assert_eq!(st, 200);
    assert!(html.contains(">work-plan</textarea>"), "{html}");
    let mut fields = vec![
        ("locale_en", "on"),
        ("title_en", "VLR cohort vlr-a"),
        ("locale_fr", "on"),
        ("title_fr", "Cohorte RLV vlr-a"),
        ("starts_on", "2027-01-15"),
        ("ends_on", "2027-06-30"),
        ("capacity_organisations", "5"),
        ("capacity_people", "10"),
        ("admission", "application"),
        ("status", "open"),
        ("facilitators", "facilitator@agora.example"),
        ("questions", "Why does your city want to write a VLR?"),
        ("completion_course", "on"),
        ("completion_sessions", "1"),
        ("completion_assignments", "nothing-like-it"),
    ];
    let (st, _, html) = form(s, Some(&c.author), "/cohorts/vlr-a/edit", &fields).await;
    assert_eq!(st, 422, "{html}");
    assert!(html.contains("Assignments to have accepted"), "{html}");
    fields.pop();
    fields.push(("completion_assignments", "work-plan"));
    let (st, to, _) = form(s, Some(&c.author), "/cohorts/vlr-a/edit", &fields).await;
    assert_eq!((st / 100, to.as_str()), (3, "/cohorts/vlr-a"));
    let cohort = ok(s, &c.author, Method::GET, path, None, 200).await;
    assert_eq!(cohort["completion"], rule, "{cohort}");
    // A member of another cohort has no completion here; a facilitator none.
    let (st, _) = s
        .call(
            &w.nairobi_admin,
            Method::GET,
            "/api/v1/cohorts/vlr-a/completion",
            None,
        )
        .await;
    assert_eq!(st, 404);
    let (st, _) = s
        .call(
            &c.facilitator,
            Method::GET,
            "/api/v1/cohorts/vlr-a/completion",
            None,
        )
        .await;
    assert_eq!(st, 403);

    let member = &w.lyon_member;
    let status = completion(s, member).await;
    assert_eq!(status["complete"], false, "{status}");
    assert_eq!(status["course_completed"], false, "{status}");
    assert_eq!(status["sessions_attended"], 0, "{status}");
    assert_eq!(status["assignments"][0]["accepted"], false, "{status}");

    // The course: its certificate only, the cohort is not complete yet.
    complete_course(s, member).await;
    let certs = ready_certificates(s, member, 1).await;
    assert_eq!(certs[0]["cohort_title"], Value::Null, "{certs:?}");
    // Attendance, then accepted work: the last condition met completes it.
    let members = ok(
        s,
        &c.facilitator,
        Method::GET,
        &format!("/api/v1/cohorts/vlr-a/sessions/{sid}/attendance"),
        None,
        200,
    )
    .await;
    let uid = members[0]["user_id"].clone();
    let attend = Some(json!({ "present": [uid] }));
    let att = format!("/api/v1/cohorts/vlr-a/sessions/{sid}/attendance");
    ok(s, &c.facilitator, Method::PUT, &att, attend.clone(), 200).await;
    assert_eq!(cohort_jobs(s).await, 0, "work is not accepted yet");
    // Being present is one xAPI `attended` statement in the LRS.
    let reader = create_client(s, "read");
    let present = attended(s, &reader).await;
    assert_eq!(present.len(), 1, "{present:#?}");
    let st = &present[0];
    assert_eq!(st["actor"]["account"]["name"], uid, "{st}");
    assert!(st["object"]["id"].as_str().unwrap().contains(&sid), "{st}");
    assert!(st["context"]["registration"].is_string(), "{st}");
    let errors = npm_validate(&present);
    assert!(errors.is_empty(), "xapi-validation: {errors:#?}");
    let status = completion(s, member).await;
    assert_eq!(status["course_completed"], true, "{status}");
    assert_eq!(status["sessions_attended"], 1, "{status}");
    assert_eq!(status["complete"], false, "{status}");
    let work = format!("/api/v1/cohorts/vlr-a/assignments/{plan}/submission");
    let (st, sub) = submit(s, member, &work, "Our plan", &[]).await;
    assert_eq!(st, 200, "{sub}");
    let fb = format!(
        "/api/v1/cohorts/vlr-a/submissions/{}/feedback",
        sub["id"].as_str().unwrap()
    );
    let mut accept = scores(3);
    accept["status"] = json!("accepted");
    ok(
        s,
        &c.facilitator,
        Method::PUT,
        &fb,
        Some(accept.clone()),
        200,
    )
    .await;
    assert_eq!(cohort_jobs(s).await, 1);

    // Both certificates; the cohort's names the cohort.
    let certs = ready_certificates(s, member, 2).await;
    let cohort_cert = certs
        .iter()
        .find(|c| c["cohort_title"] == "VLR cohort vlr-a")
        .unwrap_or_else(|| panic!("no cohort certificate: {certs:?}"));
    let code = cohort_cert["code"].as_str().unwrap();
    assert_eq!(cohort_cert["cohort_slug"], "vlr-a");
    assert_eq!(cohort_cert["course_slug"], "voluntary-local-review");
    let status = completion(s, member).await;
    assert_eq!(status["complete"], true, "{status}");
    assert_eq!(status["certificate"], code, "{status}");
    let (st, ct, pdf) = download(
        s,
        Some(member),
        &format!("/api/v1/me/certificates/{code}/pdf"),
    )
    .await;
    assert_eq!((st, ct.as_str()), (200, "application/pdf"));
    let text = pdf_text(&pdf);
    assert!(text.contains("VLR cohort vlr-a"), "{text}");
    assert!(text.contains(code), "{text}");
    // Anyone may verify it: the endpoint and the page name the cohort.
    let (st, v) = s.get_json(&format!("/api/v1/certificates/{code}")).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["cohort_title"], "VLR cohort vlr-a", "{v}");
    let (st, _, html) = get_text(s, None, &format!("/certificates/{code}")).await;
    assert_eq!(st, 200);
    assert!(html.contains("VLR cohort vlr-a"), "{html}");
    // Nobody else downloads it.
    let (st, _, _) = download(
        s,
        Some(&w.nairobi_admin),
        &format!("/api/v1/me/certificates/{code}/pdf"),
    )
    .await;
    assert_eq!(st, 404);

    // Exactly once: the same changes again queue and issue nothing more.
    ok(s, &c.facilitator, Method::PUT, &att, attend, 200).await;
    ok(s, &c.facilitator, Method::PUT, &fb, Some(accept), 200).await;
    ok(s, &c.author, Method::PUT, path, Some(edit(rule)), 200).await;
    assert_eq!(cohort_jobs(s).await, 1);
    assert_eq!(
        attended(s, &reader).await.len(),
        1,
        "attendance counted once"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(my_certificates(s, member).await.len(), 2);
    let n = cohort_certificate::Entity::find()
        .count(&s.conn().await)
        .await
        .unwrap();
    assert_eq!(n, 1);

    // The member's page shows it.
    let (st, html) = page(s, Some(member), "/cohorts/vlr-a").await;
    assert_eq!(st, 200);
    assert!(html.contains(&format!("/certificates/{code}")), "{html}");

    // One mail says so, in the member's language, with the code.
    jobs_settle(s, "cohort_completed").await;
    let mails: Vec<_> = sink
        .messages()
        .into_iter()
        .filter(|m| m.to.eq_ignore_ascii_case(&member.email))
        .filter(|m| m.subject.starts_with("Your certificate for the cohort"))
        .collect();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].subject.contains("VLR cohort vlr-a"), "{mails:?}");
    assert!(mails[0].text.contains(code), "{mails:?}");
}
