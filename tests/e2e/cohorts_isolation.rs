//! Isolation sweep: every operation of the OpenAPI document and every page
//! route of the page router, requested as cohort A's member and as cohort
//! A's facilitator with cohort B's ids, slugs and tokens in the path, and
//! again with A's slug but B's ids (an id of B reached through A). No
//! answer (body or headers) may carry B's private text, marked `zqxB` (its
//! file's bytes too), and no write aimed at B may succeed.

use agora_tests::SmtpSink;
use reqwest::Method;
use serde_json::json;
use time::OffsetDateTime;

use super::{
    cohorts::{Cohorts, cohorts_world, ok, session_body},
    cohorts_isolation_calls::{api_call, body_for, page_call, page_routes},
    cohorts_sessions::two_cohorts,
    cohorts_work::{assignment_body, submit},
};

/// Every private field of cohort B carries this.
const MARK: &str = "zqxB";

/// B's file: a PDF whose bytes carry the mark.
const B_PDF: &[u8] = b"%PDF-1.7\n% zqxB private\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// B-scoped writes an outsider may make: applying to a cohort by application.
const OPEN_B_WRITES: [&str; 2] = [
    "POST /api/v1/cohorts/{cohort}/applications",
    "POST /cohorts/:slug/apply",
];

/// Requested last, as they end the caller's session or account.
const LAST: [&str; 6] = [
    "POST /api/v1/auth/sign-out",
    "DELETE /api/v1/me",
    "DELETE /api/v1/me/organisation",
    "POST /sign-out",
    "POST /account/deletion",
    "POST /organisation/leave",
];

/// B's ids, slugs and tokens, by path parameter name.
struct B {
    session: String,
    assignment: String,
    submission: String,
    file: String,
    application: String,
    revoked_feed: String,
    user: String,
}

impl B {
    /// B's ids: a path holding one of them aims at B whatever its slug.
    fn ids(&self) -> [&str; 5] {
        [
            &self.session,
            &self.assignment,
            &self.submission,
            &self.file,
            &self.application,
        ]
    }

    /// The value of one path parameter of `template`, with `cohort` as the
    /// cohort's slug.
    fn fill(&self, template: &str, name: &str, cohort: &str) -> String {
        let v = match name {
            "cohort" => cohort,
            "session" => &self.session,
            "assignment" => &self.assignment,
            "submission" => &self.submission,
            "application" => &self.application,
            "token" => &self.revoked_feed,
            "user" | "user_id" => &self.user,
            "organisation" => "nairobi",
            "file" if template.contains("submissions") => &self.file,
            "id" if template.starts_with("/cohorts/") && template.contains("sessions") => {
                &self.session
            }
            "id" if template.starts_with("/cohorts/") => &self.application,
            "slug" if template.starts_with("/cohorts/") => cohort,
            "slug" if template.starts_with("/organisations/") => "nairobi",
            "slug" if template.starts_with("/networks/") => "no-such-network",
            "slug" => "voluntary-local-review",
            "key" | "lesson" => "welcome",
            "review" => return uuid::Uuid::new_v4().to_string(),
            "locale" => "en",
            _ => "sweep",
        };
        v.to_owned()
    }

    /// `template` with `{name}` or `:name` (and `*name`) parameters filled.
    fn path(&self, template: &str, cohort: &str) -> String {
        let mut out = Vec::new();
        for seg in template.split('/') {
            let name = seg
                .strip_prefix('{')
                .and_then(|s| s.strip_suffix('}'))
                .or_else(|| seg.strip_prefix(':'))
                .or_else(|| seg.strip_prefix('*'));
            out.push(match name {
                Some(n) => self.fill(template.trim_start_matches("/api/v1"), n, cohort),
                None => seg.to_owned(),
            });
        }
        out.join("/")
    }
}

struct Sweep {
    failures: Vec<String>,
    api: usize,
    pages: usize,
}

impl Sweep {
    fn check(&mut self, who: &str, what: &str, b_write: bool, status: u16, text: &str) {
        if (200..300).contains(&status) && text.contains(MARK) {
            self.failures.push(format!(
                "{what} as {who}: {status} shows cohort B's private text"
            ));
        }
        if b_write && (200..400).contains(&status) {
            self.failures
                .push(format!("{what} as {who}: {status} on a write to cohort B"));
        }
    }
}

/// Cohort B with private text everywhere: a session, an assignment with a
/// member's work and file, an announcement, and a revoked calendar feed.
async fn secret_b(c: &Cohorts, start: OffsetDateTime) -> B {
    let (w, s) = (&c.w, &c.w.s);
    let b = "/api/v1/cohorts/vlr-b";
    let mut sb = session_body(&format!("{MARK} session"), start, 60);
    sb["agenda"] = json!(format!("{MARK} agenda"));
    sb["join_url"] = json!(format!("https://meet.example.org/{MARK}"));
    let session = ok(
        s,
        &c.facilitator_b,
        Method::POST,
        &format!("{b}/sessions"),
        Some(sb),
        201,
    )
    .await;
    let mut ab = assignment_body(&format!("{MARK} assignment"), start, "individual", 0);
    ab["instructions"] = json!(format!("{MARK} instructions"));
    let assignment = ok(
        s,
        &c.facilitator_b,
        Method::POST,
        &format!("{b}/assignments"),
        Some(ab),
        201,
    )
    .await;
    let aid = assignment["id"].as_str().unwrap().to_owned();
    let work = format!("{b}/assignments/{aid}/submission");
    let (st, sub) = submit(
        s,
        &w.nairobi_admin,
        &work,
        &format!("{MARK} submission"),
        &[(&format!("{MARK}-file.pdf"), B_PDF)],
    )
    .await;
    assert_eq!(st, 200, "{sub}");
    ok(
        s,
        &c.facilitator_b,
        Method::POST,
        &format!("{b}/announcements"),
        Some(json!({ "title": format!("{MARK} announcement"), "body": format!("{MARK} news") })),
        201,
    )
    .await;
    let feed = ok(
        s,
        &w.nairobi_admin,
        Method::POST,
        &format!("{b}/calendar-feed"),
        None,
        201,
    )
    .await;
    ok(
        s,
        &w.nairobi_admin,
        Method::DELETE,
        &format!("{b}/calendar-feed"),
        None,
        204,
    )
    .await;
    let apps = ok(
        s,
        &c.facilitator_b,
        Method::GET,
        &format!("{b}/applications"),
        None,
        200,
    )
    .await;
    let me = ok(s, &w.nairobi_admin, Method::GET, "/api/v1/me", None, 200).await;
    B {
        session: session["id"].as_str().unwrap().to_owned(),
        assignment: aid,
        submission: sub["id"].as_str().unwrap().to_owned(),
        file: sub["files"][0]["id"].as_str().unwrap().to_owned(),
        application: apps[0]["id"].as_str().unwrap().to_owned(),
        revoked_feed: feed["token"].as_str().unwrap().to_owned(),
        user: me["id"].as_str().unwrap_or("sweep").to_owned(),
    }
}

#[tokio::test]
async fn no_route_shows_or_changes_another_cohort() {
    let sink = SmtpSink::start();
    let c = cohorts_world(vec![("AGORA_SMTP_URL".into(), sink.url())]).await;
    let s = &c.w.s;
    two_cohorts(&c).await;
    let start = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() + time::Duration::days(10);
    let b = secret_b(&c, start).await;
    s.expect_jobs_left(
        "mail.cohort_session_reminder",
        "B's session is days ahead: its reminders wait for their time",
    );

    let (st, doc) = s
        .call(&c.w.admin, Method::GET, "/api/openapi.json", None)
        .await;
    assert_eq!(st, 200);
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in ["get", "post", "put", "patch", "delete"] {
            if item.get(m).is_some() {
                ops.push((
                    Method::from_bytes(m.to_uppercase().as_bytes()).unwrap(),
                    format!("/api/v1{path}"),
                ));
            }
        }
    }
    let pages = page_routes();
    assert!(pages.len() > 50, "the page router was not read: {pages:?}");

    let mut sweep = Sweep {
        failures: Vec::new(),
        api: 0,
        pages: 0,
    };
    let callers = [
        ("A's member", &c.w.lyon_member),
        ("A's facilitator", &c.facilitator),
    ];
    for (name, who) in callers {
        // Everything, with the requests that end the session or account last.
        let mut all: Vec<(bool, Method, String)> = ops
            .iter()
            .map(|(m, p)| (true, m.clone(), p.clone()))
            .chain(pages.iter().map(|(m, p)| (false, m.clone(), p.clone())))
            .collect();
        all.sort_by_key(|(_, m, p)| LAST.contains(&format!("{m} {p}").as_str()));
        for (is_api, method, template) in all {
            let key = format!("{method} {template}");
            if is_api {
                sweep.api += 1;
            } else {
                sweep.pages += 1;
            }
            for cohort in ["vlr-b", "vlr-a"] {
                let path = b.path(&template, cohort);
                let aims_at_b = if cohort == "vlr-b" {
                    path.contains("vlr-b")
                } else {
                    b.ids().iter().any(|id| path.contains(id))
                };
                // A's own resources are not swept: only B's, by either road.
                if cohort == "vlr-a" && !aims_at_b {
                    continue;
                }
                let b_write = method != Method::GET
                    && path != template
                    && aims_at_b
                    && !OPEN_B_WRITES.contains(&key.as_str());
                let (status, text) = if is_api {
                    api_call(s, who, &method, &path, body_for(&method, &template, start)).await
                } else {
                    page_call(s, who, &method, &path).await
                };
                sweep.check(name, &format!("{method} {path}"), b_write, status, &text);
            }
        }
    }
    println!("isolation sweep        | callers | routes | requests");
    println!(
        "OpenAPI operations     | 2       | {:>6} | {:>8}",
        ops.len(),
        sweep.api
    );
    println!(
        "page routes            | 2       | {:>6} | {:>8}",
        pages.len(),
        sweep.pages
    );
    println!(
        "leaks found            |         |        | {:>8}",
        sweep.failures.len()
    );
    assert_eq!(sweep.api, 2 * ops.len(), "every OpenAPI operation is swept");
    assert_eq!(sweep.pages, 2 * pages.len(), "every page route is swept");
    assert!(sweep.failures.is_empty(), "{}", sweep.failures.join("\n"));

    // B is as it was.
    let fb = &c.facilitator_b;
    let sessions = ok(
        s,
        fb,
        Method::GET,
        "/api/v1/cohorts/vlr-b/sessions",
        None,
        200,
    )
    .await;
    assert_eq!(sessions.as_array().unwrap().len(), 1, "{sessions}");
    assert!(sessions.to_string().contains(&format!("{MARK} session")));
    let assignments = ok(
        s,
        fb,
        Method::GET,
        "/api/v1/cohorts/vlr-b/assignments",
        None,
        200,
    )
    .await;
    assert_eq!(assignments.as_array().unwrap().len(), 1, "{assignments}");
    let news = ok(
        s,
        fb,
        Method::GET,
        "/api/v1/cohorts/vlr-b/announcements",
        None,
        200,
    )
    .await;
    assert_eq!(news.as_array().unwrap().len(), 1, "{news}");
    let cohort = ok(s, fb, Method::GET, "/api/v1/cohorts/vlr-b", None, 200).await;
    assert_eq!(cohort["titles"]["en"], "VLR cohort vlr-b", "{cohort}");
}
