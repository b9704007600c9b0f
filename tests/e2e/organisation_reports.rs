//! Organisation and network reports (issue 17): exact figures on a small
//! fixture, consent hiding, the "fewer than 5" floor, CSV, and who may read
//! them. Organisations, members and coordinators are inserted straight into
//! the database (the write side is another module's).

use agora_core::entities::{
    certificate, enrolment, network, network_coordinator, organisation, organisation_member,
    organisation_network, user,
};
use agora_tests::{Learner, ServerOptions, TempDir, TestServer, write_fixture_course};
use reqwest::Method;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

pub(super) const COURSE: &str = "/api/v1/courses/fixture-course";
const ORG_REPORT: &str = "/api/v1/organisations/bristol/report";
const NET_REPORT: &str = "/api/v1/networks/uclg/report";

pub(super) async fn user_id(conn: &DatabaseConnection, email: &str) -> Uuid {
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(conn)
        .await
        .unwrap()
        .expect("user")
        .id
}

async fn add_org(conn: &DatabaseConnection, slug: &str, country: &str, region: &str) -> Uuid {
    let now = OffsetDateTime::now_utc();
    let id = Uuid::new_v4();
    organisation::ActiveModel {
        id: Set(id),
        slug: Set(slug.into()),
        name: Set(format!("City of {slug}")),
        names: Set(json!({})),
        kind: Set("municipality".into()),
        country: Set(country.into()),
        m49_region: Set(region.into()),
        m49_subregion: Set("154".into()),
        population_band: Set("100k-500k".into()),
        website: Set(None),
        public: Set(false),
        auto_approve: Set(false),
        first_enrolment_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await
    .unwrap();
    id
}

async fn add_network(conn: &DatabaseConnection, slug: &str, orgs: &[Uuid]) -> Uuid {
    let now = OffsetDateTime::now_utc();
    let id = Uuid::new_v4();
    network::ActiveModel {
        id: Set(id),
        slug: Set(slug.into()),
        name: Set(slug.to_uppercase()),
        names: Set(json!({})),
        website: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await
    .unwrap();
    for o in orgs {
        organisation_network::ActiveModel {
            organisation_id: Set(*o),
            network_id: Set(id),
            created_at: Set(now),
        }
        .insert(conn)
        .await
        .unwrap();
    }
    id
}

struct Member<'a> {
    status: &'a str,
    role: &'a str,
    department: &'a str,
    hide: bool,
}

const MEMBER: Member = Member {
    status: "active",
    role: "member",
    department: "Housing",
    hide: false,
};

async fn join(conn: &DatabaseConnection, user: Uuid, org: Uuid, m: Member<'_>) {
    let now = OffsetDateTime::now_utc();
    organisation_member::ActiveModel {
        user_id: Set(user),
        organisation_id: Set(org),
        status: Set(m.status.into()),
        role: Set(m.role.into()),
        via: Set("admin".into()),
        job_title: Set("Officer".into()),
        department: Set(m.department.into()),
        hide_progress: Set(m.hide),
        requested_at: Set(now),
        joined_at: Set(Some(now)),
    }
    .insert(conn)
    .await
    .unwrap();
}

/// An active member of `org` who shares their progress.
pub(super) async fn join_active(conn: &DatabaseConnection, user: Uuid, org: Uuid) {
    join(conn, user, org, MEMBER).await;
}

/// An active member of `org` who hid their progress.
pub(super) async fn join_hidden(conn: &DatabaseConnection, user: Uuid, org: Uuid) {
    join(
        conn,
        user,
        org,
        Member {
            hide: true,
            ..MEMBER
        },
    )
    .await;
}

async fn coordinate(conn: &DatabaseConnection, network: Uuid, user: Uuid) {
    network_coordinator::ActiveModel {
        network_id: Set(network),
        user_id: Set(user),
        created_at: Set(OffsetDateTime::now_utc()),
    }
    .insert(conn)
    .await
    .unwrap();
}

/// A learner straight in the database (no password to hash), enrolled in
/// the course and, when `done`, having completed it.
async fn quick_learner(conn: &DatabaseConnection, email: &str, course: Uuid, done: bool) -> Uuid {
    let now = OffsetDateTime::now_utc();
    let id = Uuid::new_v4();
    user::ActiveModel {
        id: Set(id),
        email: Set(email.into()),
        email_verified_at: Set(Some(now)),
        password_hash: Set("x".into()),
        display_name: Set(email.into()),
        locale: Set("en".into()),
        role: Set("learner".into()),
        reminders_opt_out: Set(false),
        unsubscribe_token: Set(None),
        time_zone: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await
    .unwrap();
    enrolment::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(id),
        course_id: Set(course),
        status: Set("active".into()),
        enrolled_at: Set(now),
        last_lesson_id: Set(None),
        last_activity_at: Set(now),
        completed_at: Set(done.then_some(now)),
        progress_version: Set(0),
        last_reminded_at: Set(None),
        lessons_done: Set(if done { 3 } else { 0 }),
    }
    .insert(conn)
    .await
    .unwrap();
    id
}

pub(super) async fn post(server: &TestServer, l: &Learner, path: &str, body: Option<Value>) {
    let (status, body) = server.call(l, Method::POST, path, body).await;
    assert!(status == 200 || status == 201, "{path}: {status} {body}");
}

async fn complete_course(server: &TestServer, l: &Learner) {
    for lesson in ["intro", "sheet"] {
        post(
            server,
            l,
            &format!("{COURSE}/lessons/{lesson}/completion"),
            None,
        )
        .await;
    }
    let answers = json!({ "answers": { "q1": ["b"], "q2": ["false"] } });
    post(
        server,
        l,
        &format!("{COURSE}/lessons/check/attempts"),
        Some(answers),
    )
    .await;
}

/// Everyone the tests need, by role.
pub(super) struct Fixture {
    pub(super) server: TestServer,
    pub(super) _dir: TempDir,
    pub(super) conn: DatabaseConnection,
    pub(super) org_admin: Learner,
    pub(super) member: Learner,
    pub(super) learner: Learner,
    pub(super) other_member: Learner,
    pub(super) other_admin: Learner,
    pub(super) coordinator: Learner,
    pub(super) other_coordinator: Learner,
    pub(super) global_admin: Learner,
    pub(super) bristol: Uuid,
    pub(super) lyon: Uuid,
}

/// Bristol (GB, Europe): an admin who has not enrolled (Planning); Ana,
/// who completes the course (Planning, with a certificate); Ben, in
/// progress (Housing); Cora, who has not started (Housing); Hid, who
/// completes it but hid her progress; Pen, a pending member who enrolled.
/// Lyon (FR): an admin and a member who has not enrolled, and six quick
/// learners who completed. Both in the UCLG network; another network
/// (ICLEI) has its own coordinator.
pub(super) async fn fixture() -> Fixture {
    let dir = TempDir::new();
    write_fixture_course(dir.path(), "fixture-course");
    let server = TestServer::start_with(ServerOptions {
        courses_dir: Some(dir.path().to_owned()),
        env: vec![],
    })
    .await;
    let conn = server.conn().await;
    let bristol = add_org(&conn, "bristol", "GB", "150").await;
    let lyon = add_org(&conn, "lyon", "FR", "150").await;
    let uclg = add_network(&conn, "uclg", &[bristol, lyon]).await;
    let iclei = add_network(&conn, "iclei", &[]).await;

    let org_admin = server.learner("admin@bristol.gov.uk").await;
    let member = server.learner("ana@bristol.gov.uk").await;
    let ben = server.learner("ben@bristol.gov.uk").await;
    let cora = server.learner("cora@bristol.gov.uk").await;
    let hid = server.learner("hid@bristol.gov.uk").await;
    let pen = server.learner("pen@bristol.gov.uk").await;
    let learner = server.learner("solo@example.org").await;
    let other_admin = server.learner("admin@lyon.fr").await;
    let other_member = server.learner("luc@lyon.fr").await;
    let coordinator = server.learner("coord@uclg.org").await;
    let other_coordinator = server.learner("coord@iclei.org").await;
    let global_admin = server.admin("root@agora.example").await;

    let planning = |role| Member {
        role,
        department: "Planning",
        ..MEMBER
    };
    for (who, org, m) in [
        (&org_admin, bristol, planning("admin")),
        (&member, bristol, planning("member")),
        (&ben, bristol, MEMBER),
        (&cora, bristol, MEMBER),
        (
            &hid,
            bristol,
            Member {
                hide: true,
                ..MEMBER
            },
        ),
        (
            &pen,
            bristol,
            Member {
                status: "pending",
                ..MEMBER
            },
        ),
        (
            &other_admin,
            lyon,
            Member {
                role: "admin",
                ..MEMBER
            },
        ),
        (&other_member, lyon, MEMBER),
    ] {
        join(&conn, user_id(&conn, &who.email).await, org, m).await;
    }
    coordinate(&conn, uclg, user_id(&conn, &coordinator.email).await).await;
    coordinate(&conn, iclei, user_id(&conn, &other_coordinator.email).await).await;

    for l in [&member, &ben, &hid, &pen] {
        post(&server, l, &format!("{COURSE}/enrolment"), None).await;
    }
    complete_course(&server, &member).await;
    complete_course(&server, &hid).await;
    post(
        &server,
        &ben,
        &format!("{COURSE}/lessons/intro/completion"),
        None,
    )
    .await;

    let course = agora_core::reports::find_course(&conn, "fixture-course")
        .await
        .unwrap();
    for i in 0..6 {
        let id = quick_learner(&conn, &format!("q{i}@lyon.fr"), course.id, true).await;
        join(&conn, id, lyon, MEMBER).await;
    }
    // Written straight to the tables: the roll-up the network report reads
    // is built from them, as the seeders do.
    rebuild_rollup(&conn).await;
    // The in-process worker issues Ana's and Hid's certificates.
    let ana = user_id(&conn, &member.email).await;
    let hid_id = user_id(&conn, &hid.email).await;
    for _ in 0..400 {
        let issued = certificate::Entity::find()
            .filter(certificate::Column::UserId.is_in([ana, hid_id]))
            .all(&conn)
            .await
            .unwrap()
            .len();
        if issued == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    Fixture {
        server,
        _dir: dir,
        conn,
        org_admin,
        member,
        learner,
        other_member,
        other_admin,
        coordinator,
        other_coordinator,
        global_admin,
        bristol,
        lyon,
    }
}

/// Builds the organisation roll-up again from the tables.
pub(super) async fn rebuild_rollup(conn: &DatabaseConnection) {
    use sea_orm::TransactionTrait;
    let txn = conn.begin().await.unwrap();
    agora_core::org_activity::rebuild(&txn).await.unwrap();
    txn.commit().await.unwrap();
}

fn this_month() -> String {
    let now = OffsetDateTime::now_utc();
    format!("{:04}-{:02}", now.year(), u8::from(now.month()))
}

async fn csv(server: &TestServer, who: &Learner, path: &str) -> (u16, String) {
    let r = server
        .as_learner(who, Method::GET, path)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    if status == 200 {
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
    }
    (status, r.text().await.unwrap())
}

#[tokio::test]
async fn the_organisation_report_counts_only_staff_who_share_their_progress() {
    let f = fixture().await;
    let (status, r) = f
        .server
        .call(&f.org_admin, Method::GET, ORG_REPORT, None)
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["organisation_slug"], "bristol");
    // Admin, Ana, Ben, Cora: not Hid (hidden) nor Pen (pending).
    assert_eq!(r["staff"], 4);
    let totals = json!({ "enrolled": 2, "in_progress": 1, "completed": 1, "certificates": 1 });
    assert_eq!(r["totals"], totals);
    assert_eq!(r["courses"].as_array().unwrap().len(), 1);
    assert_eq!(r["courses"][0]["course_slug"], "fixture-course");
    assert_eq!(r["courses"][0]["course_title"], "Fixture course");
    assert_eq!(r["courses"][0]["progress"], totals);
    assert_eq!(
        r["departments"],
        json!([
            { "department": "Housing", "staff": 2, "progress":
              { "enrolled": 1, "in_progress": 1, "completed": 0, "certificates": 0 } },
            { "department": "Planning", "staff": 2, "progress":
              { "enrolled": 1, "in_progress": 0, "completed": 1, "certificates": 1 } },
        ])
    );
    assert_eq!(
        r["completions"],
        json!([{ "month": this_month(), "count": 1 }])
    );
    let not_started: Vec<&str> = r["not_started"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        not_started,
        vec!["cora@bristol.gov.uk", "admin@bristol.gov.uk"]
    );
    let text = r.to_string();
    assert!(!text.contains("hid@") && !text.contains("pen@"), "{text}");

    // The global admin sees the figures, not the names.
    let (status, g) = f
        .server
        .call(&f.global_admin, Method::GET, ORG_REPORT, None)
        .await;
    assert_eq!(status, 200, "{g}");
    assert_eq!(g["totals"], totals);
    assert!(g["not_started"].is_null(), "{g}");
    let tables: Vec<&str> = g["exports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["table"].as_str().unwrap())
        .collect();
    assert_eq!(tables, vec!["courses", "departments", "completions"]);
}

#[tokio::test]
async fn organisation_csv_files_hold_the_same_figures_and_no_hidden_learner() {
    let f = fixture().await;
    let base = "/api/v1/organisations/bristol/report";
    let (status, courses) = csv(&f.server, &f.org_admin, &format!("{base}/courses.csv")).await;
    assert_eq!(status, 200);
    assert_eq!(
        courses,
        "course_slug,course_title,enrolled,in_progress,completed,certificates\r\n\
         fixture-course,Fixture course,2,1,1,1\r\n"
    );
    let (_, departments) = csv(&f.server, &f.org_admin, &format!("{base}/departments.csv")).await;
    assert_eq!(
        departments,
        "department,staff,enrolled,in_progress,completed,certificates\r\n\
         Housing,2,1,1,0,0\r\nPlanning,2,1,0,1,1\r\n"
    );
    let (_, months) = csv(&f.server, &f.org_admin, &format!("{base}/completions.csv")).await;
    assert_eq!(
        months,
        format!("month,completions\r\n{},1\r\n", this_month())
    );
    let (_, people) = csv(&f.server, &f.org_admin, &format!("{base}/not-started.csv")).await;
    assert!(people.starts_with("name,email,department,job_title,enrolled\r\n"));
    assert!(
        people.contains(",cora@bristol.gov.uk,Housing,Officer,0\r\n"),
        "{people}"
    );
    for text in [&courses, &departments, &months, &people] {
        assert!(!text.contains("hid@") && !text.contains("pen@"), "{text}");
    }
    let (status, _) = csv(
        &f.server,
        &f.global_admin,
        &format!("{base}/not-started.csv"),
    )
    .await;
    assert_eq!(status, 403);
    let (status, body) = f
        .server
        .call(
            &f.org_admin,
            Method::GET,
            &format!("{base}/nothing.csv"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(body["field"], "file");
}

#[tokio::test]
async fn the_network_report_hides_counts_below_five() {
    let f = fixture().await;
    let (status, r) = f
        .server
        .call(&f.coordinator, Method::GET, NET_REPORT, None)
        .await;
    assert_eq!(status, 200, "{r}");
    let exact = |n: u64| json!({ "value": n, "suppressed": false });
    // A hidden count has no value at all (optional fields are left out, not null).
    let hidden = json!({ "suppressed": true });
    assert_eq!(r["organisations"], 2);
    // Members: Bristol 4 + Lyon 8; learners: Ana, Ben + six; completions:
    // Ana + six (Hid's never counts).
    assert_eq!(
        r["totals"],
        json!({ "members": exact(12), "learners": exact(8), "enrolments": exact(8), "completions": exact(7) })
    );
    let country = |code: &str| {
        r["countries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"] == code)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        country("GB")["activity"],
        json!({ "members": hidden, "learners": hidden, "enrolments": hidden, "completions": hidden })
    );
    assert_eq!(country("GB")["organisations"], 1);
    assert_eq!(
        country("FR")["activity"],
        json!({ "members": exact(8), "learners": exact(6), "enrolments": exact(6), "completions": exact(6) })
    );
    // Both in Europe: the sum is shown.
    assert_eq!(r["regions"][0]["key"], "150");
    assert_eq!(r["regions"][0]["activity"]["completions"], exact(7));
    assert_eq!(r["kinds"][0]["key"], "municipality");
    assert_eq!(r["population_bands"][0]["key"], "100k-500k");
    assert_eq!(
        r["months"],
        json!([{ "month": this_month(), "enrolments": exact(8), "completions": exact(7) }])
    );
    assert_eq!(r["most_active"][0]["organisation_slug"], "lyon");
    assert_eq!(r["least_active"][0]["organisation_slug"], "bristol");
    assert_eq!(r["least_active"][0]["activity"]["completions"], hidden);
    // Bristol's first member enrolled through the service; Lyon's quick
    // learners were written straight to the database.
    assert_eq!(
        r["joined_through_learning"],
        json!([{ "month": this_month(), "count": 1 }])
    );
    assert_eq!(
        r["themes"],
        json!([
            { "theme": "sdg:11", "completions": exact(7) },
            { "theme": "sendai:1", "completions": exact(7) },
        ])
    );

    // The same cells in CSV.
    let base = "/api/v1/networks/uclg/report";
    let (status, countries) =
        csv(&f.server, &f.coordinator, &format!("{base}/countries.csv")).await;
    assert_eq!(status, 200);
    assert_eq!(
        countries,
        "country,organisations,members,learners,enrolments,completions\r\n\
         FR,1,8,6,6,6\r\n\
         GB,1,fewer than 5,fewer than 5,fewer than 5,fewer than 5\r\n"
    );
    let (_, themes) = csv(&f.server, &f.coordinator, &format!("{base}/themes.csv")).await;
    assert_eq!(themes, "theme,completions\r\nsdg:11,7\r\nsendai:1,7\r\n");
    let (_, orgs) = csv(
        &f.server,
        &f.coordinator,
        &format!("{base}/organisations.csv"),
    )
    .await;
    assert!(
        orgs.contains("bristol,City of bristol,GB,fewer than 5,"),
        "{orgs}"
    );
}

#[tokio::test]
async fn first_enrolment_is_recorded_for_active_sharing_members_only() {
    let f = fixture().await;
    let at = |id: Uuid| {
        let conn = f.conn.clone();
        async move {
            organisation::Entity::find_by_id(id)
                .one(&conn)
                .await
                .unwrap()
                .unwrap()
                .first_enrolment_at
        }
    };
    assert!(at(f.bristol).await.is_some());
    // Lyon's members enrolled only through direct inserts, never the service.
    assert!(at(f.lyon).await.is_none());
    // A member who hid their progress enrols: Lyon stays without a date.
    let hidden = f.server.learner("hidden@lyon.fr").await;
    let id = user_id(&f.conn, &hidden.email).await;
    join(
        &f.conn,
        id,
        f.lyon,
        Member {
            hide: true,
            ..MEMBER
        },
    )
    .await;
    post(&f.server, &hidden, &format!("{COURSE}/enrolment"), None).await;
    assert!(at(f.lyon).await.is_none());
    // Joining later brings earlier learning: the date comes from it.
    organisation_member::Entity::update_many()
        .col_expr(organisation_member::Column::HideProgress, false.into())
        .filter(organisation_member::Column::UserId.eq(id))
        .exec(&f.conn)
        .await
        .unwrap();
    agora_core::organisations::note_first_enrolment_on_joining(&f.conn, id)
        .await
        .unwrap();
    assert!(at(f.lyon).await.is_some());
}

/// Every report endpoint and page, for every kind of caller.
#[tokio::test]
async fn only_admins_and_coordinators_read_reports() {
    let f = fixture().await;
    let who: Vec<(&str, Option<&Learner>)> = vec![
        ("anonymous", None),
        ("learner", Some(&f.learner)),
        ("member", Some(&f.member)),
        ("other organisation's member", Some(&f.other_member)),
        ("organisation admin", Some(&f.org_admin)),
        ("other organisation's admin", Some(&f.other_admin)),
        ("network coordinator", Some(&f.coordinator)),
        ("other network's coordinator", Some(&f.other_coordinator)),
        ("global admin", Some(&f.global_admin)),
    ];
    // Expected status per caller, in the order above.
    let org = [401, 403, 403, 403, 200, 403, 403, 403, 200];
    let people = [401, 403, 403, 403, 200, 403, 403, 403, 403];
    let net = [401, 403, 403, 403, 403, 403, 200, 403, 200];
    let endpoints: Vec<(&str, [u16; 9])> = vec![
        (ORG_REPORT, org),
        ("/api/v1/organisations/bristol/report/courses.csv", org),
        ("/api/v1/organisations/bristol/report/departments.csv", org),
        ("/api/v1/organisations/bristol/report/completions.csv", org),
        (
            "/api/v1/organisations/bristol/report/not-started.csv",
            people,
        ),
        (NET_REPORT, net),
        ("/api/v1/networks/uclg/report/countries.csv", net),
        ("/api/v1/networks/uclg/report/organisations.csv", net),
        ("/api/v1/networks/uclg/report/themes.csv", net),
    ];
    let pages: Vec<(&str, [u16; 9])> = vec![
        ("/organisations/bristol/report", org),
        ("/networks/uclg/report", net),
    ];
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut wrong = vec![];
    for (path, expected) in &endpoints {
        for ((name, caller), want) in who.iter().zip(expected) {
            let mut req = client.get(f.server.url(path));
            if let Some(l) = caller {
                req = req.bearer_auth(&l.token);
            }
            let r = req.send().await.unwrap();
            let got = r.status().as_u16();
            if got != *want {
                wrong.push(format!("{path} as {name}: {got}, want {want}"));
            } else if got != 200 {
                let body: Value = r.json().await.unwrap();
                assert!(body["code"].is_string(), "{path} as {name}: {body}");
            }
        }
    }
    for (path, expected) in &pages {
        for ((name, caller), want) in who.iter().zip(expected) {
            let mut req = client.get(f.server.url(path)).header("accept", "text/html");
            if let Some(l) = caller {
                req = req.header("cookie", l.cookie.split(';').next().unwrap());
            }
            let got = req.send().await.unwrap().status().as_u16();
            // Anonymous readers are sent to sign in.
            let want = if *want == 401 { 303 } else { *want };
            if got != want {
                wrong.push(format!("{path} as {name}: {got}, want {want}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Unknown organisations and networks are not found.
    for path in [
        "/api/v1/organisations/nowhere/report",
        "/api/v1/networks/nowhere/report",
    ] {
        let (status, _) = f
            .server
            .call(&f.global_admin, Method::GET, path, None)
            .await;
        assert_eq!(status, 404, "{path}");
    }
}

async fn page(f: &Fixture, who: &Learner, path: &str, lang: &str) -> String {
    let (status, body) = f
        .server
        .call(
            who,
            Method::PATCH,
            "/api/v1/me",
            Some(json!({ "locale": lang })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let r = f
        .server
        .http
        .get(f.server.url(path))
        .header("accept", "text/html")
        .header("accept-language", lang)
        .header("cookie", who.cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

#[tokio::test]
async fn the_report_pages_draw_charts_and_tables_in_the_readers_language() {
    let f = fixture().await;
    let html = page(&f, &f.org_admin, "/organisations/bristol/report", "en").await;
    assert!(html.contains("How our staff learn"), "{html}");
    assert!(html.contains("<svg"), "a chart");
    assert!(html.contains("cora@bristol.gov.uk"));
    assert!(!html.contains("hid@bristol.gov.uk") && !html.contains("pen@bristol.gov.uk"));
    assert!(html.contains("/api/v1/organisations/bristol/report/courses.csv"));
    let html = page(&f, &f.global_admin, "/organisations/bristol/report", "en").await;
    assert!(
        !html.contains("cora@bristol.gov.uk"),
        "names are for the organisation's admins"
    );
    let html = page(&f, &f.coordinator, "/networks/uclg/report", "fr").await;
    assert!(html.contains("Comment le réseau se forme"), "{html}");
    assert!(html.contains("moins de 5"), "{html}");
    assert!(
        html.contains("Villes et communautés durables"),
        "the SDG by name"
    );
    let html = page(&f, &f.coordinator, "/networks/uclg/report", "es").await;
    assert!(html.contains("menos de 5"));
    assert!(html.contains("Europa"));
}

#[tokio::test]
async fn the_report_pages_are_accessible() {
    let f = fixture().await;
    let browser = agora_tests::browser::Browser::start(true, "en").await;
    browser.goto(&f.server.url("/sign-in")).await;
    browser.type_into("#email", "admin@bristol.gov.uk").await;
    browser.type_into("#password", agora_tests::PASSWORD).await;
    browser.submit("main form button").await;
    let axe = agora_tests::browser::axe_source();
    for path in ["/organisations/bristol/report"] {
        browser.goto(&f.server.url(path)).await;
        let violations = browser.axe_violations(&axe).await;
        assert!(violations.is_empty(), "{path}:\n{}", violations.join("\n"));
    }
    // The coordinator's network page.
    let browser = agora_tests::browser::Browser::start(true, "fr").await;
    browser.goto(&f.server.url("/sign-in")).await;
    browser.type_into("#email", "coord@uclg.org").await;
    browser.type_into("#password", agora_tests::PASSWORD).await;
    browser.submit("main form button").await;
    browser.goto(&f.server.url("/networks/uclg/report")).await;
    let violations = browser.axe_violations(&axe).await;
    assert!(
        violations.is_empty(),
        "network page:\n{}",
        violations.join("\n")
    );
}
