//! Organisations over HTTP: networks and coordinators, profiles and their
//! validation, domain matching with and without approval, invitations by
//! link and by mail (through the real SMTP server), the one-organisation
//! rule, consent (hiding progress, leaving), and who may call what.

use agora_tests::{Learner, ServerOptions, SmtpSink, TestServer};
use reqwest::Method;
use serde_json::{Value, json};

use super::credentials_pages::post_check;

/// A server with two networks and two organisations, and one person in
/// each role of the authorisation matrix.
pub struct World {
    pub s: TestServer,
    pub admin: Learner,
    /// Coordinates `uclg`, which Lyon belongs to (Nairobi does not).
    pub coordinator: Learner,
    /// Administers Lyon (public, in `uclg`).
    pub lyon_admin: Learner,
    pub lyon_member: Learner,
    /// Administers Nairobi (not public, in `iclei`).
    pub nairobi_admin: Learner,
    pub nairobi_member: Learner,
    /// Belongs to no organisation.
    pub learner: Learner,
}

pub fn profile(name: &str, country: &str, public: bool) -> Value {
    json!({
        "name": name,
        "names": { "fr": format!("{name} (fr)") },
        "kind": "municipality",
        "country": country,
        "population_band": "500k-1m",
        "website": "https://www.example.org",
        "public": public,
    })
}

async fn ok(
    s: &TestServer,
    who: &Learner,
    method: Method,
    path: &str,
    body: Option<Value>,
    want: u16,
) -> Value {
    let (status, b) = s.call(who, method.clone(), path, body).await;
    assert_eq!(status, want, "{method} {path}: {b}");
    b
}

pub async fn create_org(
    s: &TestServer,
    by: &Learner,
    slug: &str,
    country: &str,
    public: bool,
    networks: &[&str],
    admin_email: &str,
) {
    let mut body = profile(slug, country, public);
    body["slug"] = json!(slug);
    body["networks"] = json!(networks);
    body["admin_email"] = json!(admin_email);
    ok(
        s,
        by,
        Method::POST,
        "/api/v1/organisations",
        Some(body),
        201,
    )
    .await;
}

/// A reusable invitation link's token.
pub async fn link_token(s: &TestServer, org_admin: &Learner, org: &str) -> String {
    let b = ok(
        s,
        org_admin,
        Method::POST,
        &format!("/api/v1/organisations/{org}/invitations"),
        Some(json!({ "role": "member" })),
        201,
    )
    .await;
    b["token"]
        .as_str()
        .expect("a link invitation shows its token")
        .to_owned()
}

pub async fn accept(s: &TestServer, who: &Learner, token: &str) -> (u16, Value) {
    s.call(
        who,
        Method::POST,
        "/api/v1/organisation-invitations/accept",
        Some(json!({ "token": token, "consent": true })),
    )
    .await
}

pub async fn world_with(env: Vec<(String, String)>) -> World {
    let s = TestServer::start_with(ServerOptions {
        env,
        ..Default::default()
    })
    .await;
    let admin = s.admin("admin@agora.example").await;
    for (slug, name) in [
        ("uclg", "United Cities and Local Governments"),
        ("iclei", "ICLEI"),
    ] {
        ok(
            &s,
            &admin,
            Method::POST,
            "/api/v1/networks",
            Some(json!({ "slug": slug, "name": name, "names": { "fr": format!("{name} (fr)") }, "website": "https://www.uclg.org" })),
            201,
        )
        .await;
    }
    let coordinator = s.learner("coord@uclg.example").await;
    ok(
        &s,
        &admin,
        Method::POST,
        "/api/v1/networks/uclg/coordinators",
        Some(json!({ "email": "coord@uclg.example" })),
        200,
    )
    .await;
    let lyon_admin = s.learner("chef@lyon.example").await;
    let nairobi_admin = s.learner("chief@nairobi.example").await;
    create_org(
        &s,
        &admin,
        "lyon",
        "FR",
        true,
        &["uclg"],
        "chef@lyon.example",
    )
    .await;
    create_org(
        &s,
        &admin,
        "nairobi",
        "ke",
        false,
        &["iclei"],
        "chief@nairobi.example",
    )
    .await;
    let lyon_member = s.learner("agent@elsewhere.example").await;
    let nairobi_member = s.learner("officer@elsewhere.example").await;
    let t = link_token(&s, &lyon_admin, "lyon").await;
    assert_eq!(accept(&s, &lyon_member, &t).await.0, 201);
    let t = link_token(&s, &nairobi_admin, "nairobi").await;
    assert_eq!(accept(&s, &nairobi_member, &t).await.0, 201);
    let learner = s.learner("solo@elsewhere.example").await;
    World {
        s,
        admin,
        coordinator,
        lyon_admin,
        lyon_member,
        nairobi_admin,
        nairobi_member,
        learner,
    }
}

pub async fn world() -> World {
    // The operator's token, so that `/metrics` is in the matrix as it is
    // in production: no session of any role opens it.
    world_with(vec![(
        "AGORA_METRICS_TOKEN".into(),
        super::metrics::TOKEN.into(),
    )])
    .await
}

async fn user_id(s: &TestServer, who: &Learner) -> String {
    ok(s, who, Method::GET, "/api/v1/me", None, 200).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn field_of(b: &Value) -> &str {
    b["field"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn organisations_are_created_with_their_region_and_first_admin() {
    let w = world().await;
    let s = &w.s;
    let b = ok(
        s,
        &w.lyon_admin,
        Method::GET,
        "/api/v1/organisations/lyon",
        None,
        200,
    )
    .await;
    assert_eq!(
        (
            b["country"].as_str(),
            b["m49_region"].as_str(),
            b["m49_subregion"].as_str()
        ),
        (Some("FR"), Some("150"), Some("155"))
    );
    assert_eq!(b["networks"][0]["slug"], "uclg");
    assert_eq!(b["names"]["fr"], "lyon (fr)");
    let b = ok(
        s,
        &w.nairobi_admin,
        Method::GET,
        "/api/v1/organisations/nairobi",
        None,
        200,
    )
    .await;
    assert_eq!(
        (
            b["country"].as_str(),
            b["m49_region"].as_str(),
            b["m49_subregion"].as_str()
        ),
        (Some("KE"), Some("002"), Some("202"))
    );
    // The creator named the first administrator; a coordinator creates
    // organisations in their own networks only.
    let m = ok(
        s,
        &w.lyon_admin,
        Method::GET,
        "/api/v1/me/organisation",
        None,
        200,
    )
    .await;
    assert_eq!(
        (
            m["membership"]["role"].as_str(),
            m["membership"]["status"].as_str()
        ),
        (Some("admin"), Some("active"))
    );
    let mayor = s.learner("mayor@porto.example").await;
    let mut body = profile("porto", "PT", true);
    body["slug"] = json!("porto");
    body["admin_email"] = json!("mayor@porto.example");
    body["networks"] = json!(["iclei"]);
    let (st, b) = s
        .call(
            &w.coordinator,
            Method::POST,
            "/api/v1/organisations",
            Some(body.clone()),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "networks"), "{b}");
    body["networks"] = json!(["uclg"]);
    ok(
        s,
        &w.coordinator,
        Method::POST,
        "/api/v1/organisations",
        Some(body.clone()),
        201,
    )
    .await;
    let (st, b) = s
        .call(&w.admin, Method::POST, "/api/v1/organisations", Some(body))
        .await;
    assert_eq!((st, field_of(&b)), (409, "slug"), "{b}");
    let m = ok(s, &mayor, Method::GET, "/api/v1/me/organisation", None, 200).await;
    assert_eq!(m["organisation"]["slug"], "porto");
    // Anonymous readers see public organisations only.
    let (st, list) = s.get_json("/api/v1/organisations").await;
    assert_eq!(st, 200);
    let slugs: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["slug"].as_str())
        .collect();
    assert_eq!(slugs, ["lyon", "porto"]);
    let all = ok(s, &w.admin, Method::GET, "/api/v1/organisations", None, 200).await;
    assert_eq!(all.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn malformed_countries_domains_and_duplicate_domains_are_422_naming_the_field() {
    let w = world().await;
    let s = &w.s;
    for (field, value) in [
        ("country", json!("XX")),
        ("country", json!("FRA")),
        ("country", json!("")),
        ("kind", json!("city")),
        ("population_band", json!("huge")),
        ("website", json!("javascript:alert(1)")),
        ("name", json!("")),
    ] {
        let mut body = profile("Lyon", "FR", true);
        body[field] = value.clone();
        let (st, b) = s
            .call(
                &w.lyon_admin,
                Method::PUT,
                "/api/v1/organisations/lyon",
                Some(body),
            )
            .await;
        assert_eq!((st, field_of(&b)), (422, field), "{field}={value}: {b}");
        assert_eq!(b["code"], "invalid");
    }
    for bad in [
        "not a domain",
        "localhost",
        "a@b.example",
        "http://lyon.fr",
        "-x.org",
    ] {
        let (st, b) = s
            .call(
                &w.lyon_admin,
                Method::POST,
                "/api/v1/organisations/lyon/domains",
                Some(json!({ "domain": bad })),
            )
            .await;
        assert_eq!((st, field_of(&b)), (422, "domain"), "{bad}: {b}");
    }
    let domains = ok(
        s,
        &w.lyon_admin,
        Method::POST,
        "/api/v1/organisations/lyon/domains",
        Some(json!({ "domain": "@Lyon.EXAMPLE" })),
        200,
    )
    .await;
    assert_eq!(domains, json!(["lyon.example"]));
    let (st, b) = s
        .call(
            &w.nairobi_admin,
            Method::POST,
            "/api/v1/organisations/nairobi/domains",
            Some(json!({ "domain": "lyon.example" })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "domain"), "{b}");
    // Upper-case codes are kept; the region follows the country.
    let b = ok(
        s,
        &w.lyon_admin,
        Method::PUT,
        "/api/v1/organisations/lyon",
        Some(profile("Lyon", "br", true)),
        200,
    )
    .await;
    assert_eq!(
        (
            b["country"].as_str(),
            b["m49_region"].as_str(),
            b["m49_subregion"].as_str()
        ),
        (Some("BR"), Some("019"), Some("419"))
    );
}

#[tokio::test]
async fn a_verified_domain_match_is_offered_and_waits_for_approval_unless_automatic() {
    let w = world().await;
    let s = &w.s;
    ok(
        s,
        &w.lyon_admin,
        Method::POST,
        "/api/v1/organisations/lyon/domains",
        Some(json!({ "domain": "lyon.example" })),
        200,
    )
    .await;
    ok(
        s,
        &w.nairobi_admin,
        Method::POST,
        "/api/v1/organisations/nairobi/domains",
        Some(json!({ "domain": "nairobi.example" })),
        200,
    )
    .await;
    let mut auto = profile("Nairobi", "KE", false);
    auto["auto_approve"] = json!(true);
    ok(
        s,
        &w.nairobi_admin,
        Method::PUT,
        "/api/v1/organisations/nairobi",
        Some(auto),
        200,
    )
    .await;

    // Lyon approves by hand.
    let zoe = s.learner("zoe@lyon.example").await;
    let mine = ok(s, &zoe, Method::GET, "/api/v1/me/organisation", None, 200).await;
    assert_eq!(mine["organisation"], Value::Null);
    assert_eq!(mine["offers"][0]["slug"], "lyon");
    assert_eq!(
        mine["shared_with_organisation"],
        json!(["enrolments", "progress", "completions", "certificates"])
    );
    let (st, b) = s
        .call(
            &zoe,
            Method::POST,
            "/api/v1/organisations/lyon/join",
            Some(json!({ "consent": false })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "consent"), "{b}");
    let b = ok(
        s,
        &zoe,
        Method::POST,
        "/api/v1/organisations/lyon/join",
        Some(json!({ "consent": true })),
        201,
    )
    .await;
    assert_eq!(b["status"], "pending");
    let zoe_id = user_id(s, &zoe).await;
    let members = ok(
        s,
        &w.lyon_admin,
        Method::GET,
        "/api/v1/organisations/lyon/members",
        None,
        200,
    )
    .await;
    let row = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == zoe_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (row["status"].as_str(), row["via"].as_str()),
        (Some("pending"), Some("domain"))
    );
    ok(
        s,
        &w.lyon_admin,
        Method::POST,
        &format!("/api/v1/organisations/lyon/members/{zoe_id}/approve"),
        None,
        204,
    )
    .await;
    let mine = ok(s, &zoe, Method::GET, "/api/v1/me/organisation", None, 200).await;
    assert_eq!(mine["membership"]["status"], "active");

    // Nairobi is private, yet offered to its domain, and approves itself.
    let kofi = s.learner("kofi@nairobi.example").await;
    let mine = ok(s, &kofi, Method::GET, "/api/v1/me/organisation", None, 200).await;
    assert_eq!(mine["offers"][0]["slug"], "nairobi");
    assert_eq!(
        mine["offers"][0]["domains"],
        json!([]),
        "domains are for administrators"
    );
    let b = ok(
        s,
        &kofi,
        Method::POST,
        "/api/v1/organisations/nairobi/join",
        Some(json!({ "consent": true })),
        201,
    )
    .await;
    assert_eq!(b["status"], "active");

    // A request without a domain match waits too; a declined one is gone.
    let b = ok(
        s,
        &w.learner,
        Method::POST,
        "/api/v1/organisations/lyon/join",
        Some(json!({ "consent": true })),
        201,
    )
    .await;
    assert_eq!(b["status"], "pending");
    let solo = user_id(s, &w.learner).await;
    ok(
        s,
        &w.lyon_admin,
        Method::DELETE,
        &format!("/api/v1/organisations/lyon/members/{solo}"),
        None,
        204,
    )
    .await;
    let mine = ok(
        s,
        &w.learner,
        Method::GET,
        "/api/v1/me/organisation",
        None,
        200,
    )
    .await;
    assert_eq!(mine["membership"], Value::Null);
    // A private organisation cannot be asked without an invitation or a domain.
    let (st, _) = s
        .call(
            &w.learner,
            Method::POST,
            "/api/v1/organisations/nairobi/join",
            Some(json!({ "consent": true })),
        )
        .await;
    assert_eq!(st, 404);
}

#[tokio::test]
async fn invitations_by_link_are_reusable_and_by_mail_arrive_once_in_the_invitees_language() {
    let sink = SmtpSink::start();
    let w = world_with(vec![("AGORA_SMTP_URL".into(), sink.url())]).await;
    let s = &w.s;
    // A link: several people, until revoked.
    let b = ok(
        s,
        &w.lyon_admin,
        Method::POST,
        "/api/v1/organisations/lyon/invitations",
        Some(json!({ "role": "member", "days": 7 })),
        201,
    )
    .await;
    let token = b["token"].as_str().unwrap().to_owned();
    let id = b["id"].as_str().unwrap().to_owned();
    let (st, preview) = s
        .get_json(&format!("/api/v1/organisation-invitations/{token}"))
        .await;
    assert_eq!(
        (st, preview["organisation"]["slug"].as_str()),
        (200, Some("lyon")),
        "{preview}"
    );
    assert_eq!(preview["organisation"]["domains"], json!([]));
    let (st, b) = s
        .call(
            &w.learner,
            Method::POST,
            "/api/v1/organisation-invitations/accept",
            Some(json!({ "token": token, "consent": false })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "consent"));
    let (st, b) = accept(s, &w.learner, &token).await;
    assert_eq!((st, b["status"].as_str()), (201, Some("active")), "{b}");
    let second = s.learner("second@elsewhere.example").await;
    assert_eq!(accept(s, &second, &token).await.0, 201);
    ok(
        s,
        &w.lyon_admin,
        Method::DELETE,
        &format!("/api/v1/organisations/lyon/invitations/{id}"),
        None,
        204,
    )
    .await;
    let third = s.learner("third@elsewhere.example").await;
    assert_eq!(accept(s, &third, &token).await.0, 404);

    // By mail, in French, to an address without an account yet.
    let b = ok(
        s,
        &w.nairobi_admin,
        Method::POST,
        "/api/v1/organisations/nairobi/invitations",
        Some(json!({ "email": "Eva@Ville.example", "role": "admin", "locale": "fr" })),
        201,
    )
    .await;
    assert!(
        b.get("token").is_none(),
        "a mailed token is for the invitee only: {b}"
    );
    let mail = sink.wait_for("eva@ville.example", 1).await.remove(0);
    assert_eq!(mail.subject, "Rejoignez nairobi (fr) sur Agora");
    assert!(
        mail.text
            .contains("inscriptions aux cours, votre progression"),
        "{}",
        mail.text
    );
    let link = mail
        .links()
        .into_iter()
        .find(|l| l.contains("/organisation/invitation?token="))
        .expect("a link");
    assert!(link.starts_with(&s.base), "{link}");
    let token = link.split("token=").nth(1).unwrap().to_owned();
    // Someone else cannot use it; the invitee can, once.
    let (st, _) = accept(s, &third, &token).await;
    assert_eq!(st, 403);
    let eva = s.learner("eva@ville.example").await;
    let (st, b) = accept(s, &eva, &token).await;
    assert_eq!((st, b["role"].as_str()), (201, Some("admin")), "{b}");
    ok(
        s,
        &eva,
        Method::DELETE,
        "/api/v1/me/organisation",
        None,
        204,
    )
    .await;
    assert_eq!(accept(s, &eva, &token).await.0, 404, "used once");
    // Her verification mail arrives too; the invitation came once.
    let mails = sink.wait_for("eva@ville.example", 2).await;
    let invitations = mails
        .iter()
        .filter(|m| m.subject.starts_with("Rejoignez"))
        .count();
    assert_eq!(invitations, 1, "sent once");
}

#[tokio::test]
async fn a_learner_belongs_to_one_organisation_at_a_time() {
    let w = world().await;
    let s = &w.s;
    let (st, b) = s
        .call(
            &w.lyon_member,
            Method::POST,
            "/api/v1/organisations/lyon/join",
            Some(json!({ "consent": true })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (409, "organisation"), "{b}");
    let t = link_token(s, &w.nairobi_admin, "nairobi").await;
    let (st, b) = accept(s, &w.lyon_member, &t).await;
    assert_eq!((st, field_of(&b)), (409, "organisation"), "{b}");
    let mut body = profile("Quito", "EC", true);
    body["slug"] = json!("quito");
    body["admin_email"] = json!(w.lyon_member.email);
    let (st, b) = s
        .call(&w.admin, Method::POST, "/api/v1/organisations", Some(body))
        .await;
    assert_eq!((st, field_of(&b)), (409, "admin_email"), "{b}");
    // After leaving, another organisation is possible.
    ok(
        s,
        &w.lyon_member,
        Method::DELETE,
        "/api/v1/me/organisation",
        None,
        204,
    )
    .await;
    assert_eq!(accept(s, &w.lyon_member, &t).await.0, 201);
}

#[tokio::test]
async fn leaving_keeps_the_learners_records_and_hiding_progress_round_trips() {
    let w = world().await;
    let s = &w.s;
    let me = &w.lyon_member;
    ok(
        s,
        me,
        Method::POST,
        "/api/v1/courses/localizing-the-sdgs/enrolment",
        None,
        201,
    )
    .await;
    let b = ok(
        s,
        me,
        Method::PUT,
        "/api/v1/me/organisation",
        Some(json!({ "job_title": "Urban planner", "department": "Mobility", "hide_progress": true })),
        200,
    )
    .await;
    assert_eq!(
        (b["hide_progress"].as_bool(), b["department"].as_str()),
        (Some(true), Some("Mobility"))
    );
    let id = user_id(s, me).await;
    let members = ok(
        s,
        &w.lyon_admin,
        Method::GET,
        "/api/v1/organisations/lyon/members",
        None,
        200,
    )
    .await;
    let row = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (row["hide_progress"].as_bool(), row["job_title"].as_str()),
        (Some(true), Some("Urban planner"))
    );
    let b = ok(
        s,
        me,
        Method::PUT,
        "/api/v1/me/organisation",
        Some(json!({ "job_title": "Urban planner", "hide_progress": false })),
        200,
    )
    .await;
    assert_eq!(b["hide_progress"], false);
    let (st, b) = s
        .call(
            me,
            Method::PUT,
            "/api/v1/me/organisation",
            Some(json!({ "job_title": "x".repeat(201) })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "job_title"));

    ok(s, me, Method::DELETE, "/api/v1/me/organisation", None, 204).await;
    let mine = ok(s, me, Method::GET, "/api/v1/me/organisation", None, 200).await;
    assert_eq!(mine["membership"], Value::Null);
    let members = ok(
        s,
        &w.lyon_admin,
        Method::GET,
        "/api/v1/organisations/lyon/members",
        None,
        200,
    )
    .await;
    assert!(
        members
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["user_id"] != id.as_str()),
        "sharing stops at once"
    );
    let learning = ok(s, me, Method::GET, "/api/v1/me/learning", None, 200).await;
    assert!(
        learning.to_string().contains("localizing-the-sdgs"),
        "the enrolment stays: {learning}"
    );
    assert_eq!(
        s.call(me, Method::DELETE, "/api/v1/me/organisation", None)
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn an_organisation_keeps_at_least_one_admin() {
    let w = world().await;
    let s = &w.s;
    let chef = user_id(s, &w.lyon_admin).await;
    let member = user_id(s, &w.lyon_member).await;
    let (st, b) = s
        .call(
            &w.lyon_admin,
            Method::PUT,
            &format!("/api/v1/organisations/lyon/members/{chef}/role"),
            Some(json!({ "role": "member" })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (409, "role"), "{b}");
    assert_eq!(
        s.call(
            &w.lyon_admin,
            Method::DELETE,
            "/api/v1/me/organisation",
            None
        )
        .await
        .0,
        409
    );
    ok(
        s,
        &w.lyon_admin,
        Method::PUT,
        &format!("/api/v1/organisations/lyon/members/{member}/role"),
        Some(json!({ "role": "admin" })),
        204,
    )
    .await;
    // The new admin manages Lyon; the old one may now step down.
    ok(
        s,
        &w.lyon_member,
        Method::GET,
        "/api/v1/organisations/lyon/members",
        None,
        200,
    )
    .await;
    ok(
        s,
        &w.lyon_admin,
        Method::DELETE,
        "/api/v1/me/organisation",
        None,
        204,
    )
    .await;
    let (st, b) = s
        .call(
            &w.lyon_member,
            Method::PUT,
            &format!("/api/v1/organisations/lyon/members/{member}/role"),
            Some(json!({ "role": "king" })),
        )
        .await;
    assert_eq!((st, field_of(&b)), (422, "role"));
}

/// The roles of the matrix, in order.
const ROLES: [&str; 8] = [
    "anonymous",
    "learner",
    "member",
    "other organisation's member",
    "organisation admin",
    "other organisation's admin",
    "network coordinator",
    "global admin",
];

#[tokio::test]
async fn every_endpoint_answers_each_role_as_the_matrix_says() {
    let w = world().await;
    let s = &w.s;
    let member_id = user_id(s, &w.lyon_member).await;
    let nobody = "00000000-0000-4000-8000-000000000000";
    let inv = ok(
        s,
        &w.lyon_admin,
        Method::POST,
        "/api/v1/organisations/lyon/invitations",
        Some(json!({})),
        201,
    )
    .await;
    let inv = inv["id"].as_str().unwrap().to_owned();
    let bad_org = {
        let mut b = profile("X", "XX", true);
        b["slug"] = json!("x");
        b["admin_email"] = json!("nobody@x.example");
        b
    };
    let lyon = profile("lyon", "FR", true);
    let nairobi = profile("nairobi", "KE", false);
    let people = [
        None,
        Some(&w.learner),
        Some(&w.lyon_member),
        Some(&w.nairobi_member),
        Some(&w.lyon_admin),
        Some(&w.nairobi_admin),
        Some(&w.coordinator),
        Some(&w.admin),
    ];
    type Row = (Method, String, Option<Value>, [u16; 8]);
    let rows: Vec<Row> = vec![
        // The operator's figures (issue 22): the metrics token only, never a session.
        (Method::GET, "/metrics".into(), None, [401; 8]),
        // Offline learning (issue 23): a course's list to save and its zip
        // are for its enrolled learners only (nobody here is enrolled).
        (
            Method::GET,
            "/api/v1/courses/localizing-the-sdgs/offline".into(),
            None,
            [401, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            Method::GET,
            "/api/v1/courses/localizing-the-sdgs/archive".into(),
            None,
            [401, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            Method::GET,
            "/api/v1/courses/no-such-course/archive".into(),
            None,
            [401, 404, 404, 404, 404, 404, 404, 404],
        ),
        // An LMS roster (issue 21, NRPS): no such context here.
        (
            Method::GET,
            format!("/api/v1/lti/contexts/{nobody}/roster"),
            None,
            [401, 404, 404, 404, 404, 404, 404, 404],
        ),
        // Open Badges credentials (issue 20): the holder's own, anyone's check.
        (
            Method::GET,
            "/api/v1/me/credentials".into(),
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/v1/me/credentials/00000-00000-00000-00000".into(),
            None,
            [401, 404, 404, 404, 404, 404, 404, 404],
        ),
        (
            Method::POST,
            "/api/v1/credentials/verify".into(),
            Some(json!({})),
            [200; 8],
        ),
        (
            Method::GET,
            "/api/v1/credentials/status/1".into(),
            None,
            [200; 8],
        ),
        (
            Method::GET,
            "/api/v1/credentials/status/2".into(),
            None,
            [404; 8],
        ),
        (Method::GET, "/api/v1/networks".into(), None, [200; 8]),
        (Method::GET, "/api/v1/networks/uclg".into(), None, [200; 8]),
        (
            Method::POST,
            "/api/v1/networks".into(),
            Some(json!({ "slug": "Bad Slug", "name": "x" })),
            [401, 403, 403, 403, 403, 403, 403, 422],
        ),
        (
            Method::PUT,
            "/api/v1/networks/uclg".into(),
            Some(json!({ "name": "United Cities and Local Governments" })),
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            Method::GET,
            "/api/v1/networks/uclg/coordinators".into(),
            None,
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            Method::POST,
            "/api/v1/networks/uclg/coordinators".into(),
            Some(json!({ "email": "coord@uclg.example" })),
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            Method::DELETE,
            format!("/api/v1/networks/uclg/coordinators/{nobody}"),
            None,
            [401, 403, 403, 403, 403, 403, 403, 404],
        ),
        (Method::GET, "/api/v1/organisations".into(), None, [200; 8]),
        (
            Method::POST,
            "/api/v1/organisations".into(),
            Some(bad_org),
            [401, 403, 403, 403, 403, 403, 422, 422],
        ),
        (
            Method::GET,
            "/api/v1/organisations/lyon".into(),
            None,
            [200; 8],
        ),
        (
            Method::GET,
            "/api/v1/organisations/nairobi".into(),
            None,
            [404, 404, 404, 200, 404, 200, 404, 200],
        ),
        (
            Method::PUT,
            "/api/v1/organisations/lyon".into(),
            Some(lyon.clone()),
            [401, 403, 403, 403, 200, 403, 403, 200],
        ),
        (
            Method::PUT,
            "/api/v1/organisations/nairobi".into(),
            Some(nairobi),
            [401, 404, 404, 403, 404, 200, 404, 200],
        ),
        (
            Method::PUT,
            "/api/v1/organisations/lyon/networks".into(),
            Some(json!({ "networks": ["uclg"] })),
            [401, 403, 403, 403, 403, 403, 200, 200],
        ),
        (
            Method::POST,
            "/api/v1/organisations/lyon/domains".into(),
            Some(json!({ "domain": "lyon.example" })),
            [401, 403, 403, 403, 200, 403, 403, 200],
        ),
        (
            Method::DELETE,
            "/api/v1/organisations/lyon/domains/none.example".into(),
            None,
            [401, 403, 403, 403, 404, 403, 403, 404],
        ),
        (
            Method::GET,
            "/api/v1/organisations/lyon/members".into(),
            None,
            [401, 403, 403, 403, 200, 403, 403, 200],
        ),
        (
            Method::GET,
            "/api/v1/organisations/nairobi/members".into(),
            None,
            [401, 404, 404, 403, 404, 200, 404, 200],
        ),
        (
            Method::POST,
            format!("/api/v1/organisations/lyon/members/{member_id}/approve"),
            None,
            [401, 403, 403, 403, 204, 403, 403, 204],
        ),
        (
            Method::PUT,
            format!("/api/v1/organisations/lyon/members/{member_id}/role"),
            Some(json!({ "role": "member" })),
            [401, 403, 403, 403, 204, 403, 403, 204],
        ),
        (
            Method::DELETE,
            format!("/api/v1/organisations/lyon/members/{nobody}"),
            None,
            [401, 403, 403, 403, 404, 403, 403, 404],
        ),
        (
            Method::GET,
            "/api/v1/organisations/lyon/invitations".into(),
            None,
            [401, 403, 403, 403, 200, 403, 403, 200],
        ),
        (
            Method::POST,
            "/api/v1/organisations/lyon/invitations".into(),
            Some(json!({ "days": 1 })),
            [401, 403, 403, 403, 201, 403, 403, 201],
        ),
        (
            Method::DELETE,
            format!("/api/v1/organisations/lyon/invitations/{inv}"),
            None,
            [401, 403, 403, 403, 204, 403, 403, 204],
        ),
        (
            Method::POST,
            "/api/v1/organisations/nairobi/join".into(),
            Some(json!({ "consent": false })),
            [401, 404, 404, 422, 404, 422, 404, 422],
        ),
        (
            Method::GET,
            "/api/v1/me/organisation".into(),
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            Method::PUT,
            "/api/v1/me/organisation".into(),
            Some(json!({ "job_title": "Planner" })),
            [401, 404, 200, 200, 200, 200, 404, 404],
        ),
        (
            Method::GET,
            "/api/v1/organisation-invitations/agi_nothing".into(),
            None,
            [404; 8],
        ),
        (
            Method::POST,
            "/api/v1/organisation-invitations/accept".into(),
            Some(json!({ "token": "agi_nothing", "consent": true })),
            [401, 404, 404, 404, 404, 404, 404, 404],
        ),
    ];
    let mut failures = Vec::new();
    for (method, path, body, want) in &rows {
        for (i, who) in people.iter().enumerate() {
            let mut r = s.http.request(method.clone(), s.url(path));
            if let Some(who) = who {
                r = r.bearer_auth(&who.token);
            }
            if let Some(b) = body {
                r = r.json(b);
            }
            let resp = r.send().await.unwrap();
            let got = resp.status().as_u16();
            let b: Value = resp.json().await.unwrap_or(Value::Null);
            if got >= 400 {
                assert!(
                    b["code"].is_string(),
                    "{method} {path} as {}: not the error shape: {b}",
                    ROLES[i]
                );
            }
            if got != want[i] {
                failures.push(format!(
                    "{method} {path} as {}: {got}, expected {} ({b})",
                    ROLES[i], want[i]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Leaving is not in the rows (it would change the world): anonymous
    // callers are refused.
    let r = s
        .http
        .delete(s.url("/api/v1/me/organisation"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

async fn page_as(s: &TestServer, who: Option<&Learner>, path: &str) -> (u16, String) {
    let mut r = s.http.get(s.url(path)).header("accept", "text/html");
    if let Some(who) = who {
        let cookie = who.cookie.split(';').next().unwrap().to_owned();
        r = r.header("cookie", cookie);
    }
    let resp = r.send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[tokio::test]
async fn pages_show_the_public_profile_never_the_staff_and_manage_only_for_admins() {
    let w = world().await;
    let s = &w.s;
    let staff = ["chef@lyon.example", "agent@elsewhere.example"];
    for who in [None, Some(&w.learner), Some(&w.nairobi_admin)] {
        let (st, html) = page_as(s, who, "/organisations/lyon").await;
        assert_eq!(st, 200);
        assert!(
            html.contains("France") && html.contains("Western Europe"),
            "{html}"
        );
        assert!(html.contains("United Cities and Local Governments"));
        for email in staff {
            assert!(!html.contains(email), "the public page shows {email}");
        }
    }
    let (_, html) = page_as(s, None, "/organisations/lyon?lang=fr").await;
    assert!(html.contains("Europe occidentale"), "{html}");
    // Pages answer each role as the API does.
    let rows: [(&str, [u16; 8]); 20] = [
        // Open Badges (issue 20): anyone checks a credential; only its
        // holder (or an admin) downloads it, and no one an unknown one.
        ("/credentials/verify", [200; 8]),
        (
            "/certificates/00000-00000-00000-00000/credential/json",
            [303, 404, 404, 404, 404, 404, 404, 404],
        ),
        (
            "/organisations/nairobi",
            [404, 404, 404, 200, 404, 200, 404, 200],
        ),
        // The global admin's and the coordinators' pages.
        ("/admin/networks", [303, 403, 403, 403, 403, 403, 403, 200]),
        (
            "/admin/networks/uclg",
            [303, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "/admin/networks/nothing",
            [303, 403, 403, 403, 403, 403, 403, 404],
        ),
        (
            "/admin/organisations",
            [303, 403, 403, 403, 403, 403, 200, 200],
        ),
        (
            "/organisations/lyon/networks",
            [303, 403, 403, 403, 403, 403, 200, 200],
        ),
        (
            "/organisations/nairobi/networks",
            [303, 404, 404, 403, 404, 403, 404, 200],
        ),
        ("/admin/partners", [303, 403, 403, 403, 403, 403, 403, 200]),
        ("/admin/lti", [303, 403, 403, 403, 403, 403, 403, 200]),
        (
            "/admin/lti/00000000-0000-0000-0000-000000000000",
            [303, 403, 403, 403, 403, 403, 403, 404],
        ),
        // LTI: the keys are public; the picker needs a deep linking launch.
        ("/lti/jwks", [200; 8]),
        ("/lti/deep-link", [400; 8]),
        // An LMS roster (NRPS): its instructors' and admins'; no such context here.
        (
            "/lti/contexts/00000000-0000-0000-0000-000000000000/roster",
            [303, 404, 404, 404, 404, 404, 404, 404],
        ),
        (
            "/admin/xapi-clients",
            [303, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "/organisations/lyon/manage",
            [303, 403, 403, 403, 200, 403, 403, 200],
        ),
        (
            "/organisations/nairobi/manage",
            [303, 404, 404, 403, 404, 200, 404, 200],
        ),
        ("/organisation", [303, 200, 200, 200, 200, 200, 200, 200]),
        ("/organisations", [200; 8]),
    ];
    let people = [
        None,
        Some(&w.learner),
        Some(&w.lyon_member),
        Some(&w.nairobi_member),
        Some(&w.lyon_admin),
        Some(&w.nairobi_admin),
        Some(&w.coordinator),
        Some(&w.admin),
    ];
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut failures = Vec::new();
    for (path, want) in rows {
        for (i, who) in people.iter().enumerate() {
            let mut r = client.get(s.url(path)).header("accept", "text/html");
            if let Some(who) = who {
                r = r.header("cookie", who.cookie.split(';').next().unwrap());
            }
            let got = r.send().await.unwrap().status().as_u16();
            if got != want[i] {
                failures.push(format!(
                    "{path} as {}: {got}, expected {}",
                    ROLES[i], want[i]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The forms of those pages, each with its reader's CSRF token and input
    // that changes nothing: refused before or after the rules as the API is.
    let nobody = "00000000-0000-4000-8000-000000000000";
    type Form<'a> = (String, Vec<(&'a str, &'a str)>, [u16; 8]);
    let forms: Vec<Form> = vec![
        (
            "/admin/networks".into(),
            vec![("slug", "Bad Slug"), ("name", "x")],
            [303, 403, 403, 403, 403, 403, 403, 422],
        ),
        (
            "/admin/networks/uclg".into(),
            vec![("name", "")],
            [303, 403, 403, 403, 403, 403, 403, 422],
        ),
        (
            "/admin/networks/uclg/coordinators".into(),
            vec![("email", "nobody@nowhere.example")],
            [303, 403, 403, 403, 403, 403, 403, 422],
        ),
        (
            format!("/admin/networks/uclg/coordinators/{nobody}/removal"),
            vec![],
            [303, 403, 403, 403, 403, 403, 403, 404],
        ),
        (
            "/admin/organisations".into(),
            vec![
                ("slug", "x"),
                ("name", "X"),
                ("kind", "municipality"),
                ("country", "XX"),
                ("population_band", "500k-1m"),
                ("network", "uclg"),
                ("admin_email", "solo@elsewhere.example"),
            ],
            [303, 403, 403, 403, 403, 403, 422, 422],
        ),
        (
            "/organisations/lyon/networks".into(),
            vec![("network", "nothing")],
            [303, 403, 403, 403, 403, 403, 422, 422],
        ),
        (
            "/organisations/nairobi/networks".into(),
            vec![("network", "nothing")],
            [303, 404, 404, 403, 404, 403, 404, 422],
        ),
    ];
    for (path, fields, want) in &forms {
        for (i, who) in people.iter().enumerate() {
            let mut form = fields.clone();
            let mut r = client.post(s.url(path)).header("accept", "text/html");
            if let Some(who) = who {
                r = r.header("cookie", who.cookie.split(';').next().unwrap());
                form.push(("csrf", who.csrf.as_str()));
            }
            let got = r.form(&form).send().await.unwrap().status().as_u16();
            if got != want[i] {
                failures.push(format!(
                    "POST {path} as {}: {got}, expected {}",
                    ROLES[i], want[i]
                ));
            }
        }
    }
    // The credential check is a multipart form open to everyone with the
    // form's token: an empty one is a readable 422, none at all a 403.
    for (i, who) in people.iter().enumerate() {
        let csrf = who.map(|w| w.csrf.as_str()).unwrap_or_default();
        let (got, _) = post_check(s, *who, csrf, "", None).await;
        let want = if who.is_some() { 422 } else { 403 };
        if got != want {
            failures.push(format!(
                "POST /credentials/verify as {}: {got}, expected {want}",
                ROLES[i]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Without the session's CSRF token, even the global admin is refused.
    let r = client
        .post(s.url("/admin/networks"))
        .header("cookie", w.admin.cookie.split(';').next().unwrap())
        .form(&[("slug", "new-net"), ("name", "New"), ("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // The manage page lists the staff to the organisation's administrators.
    let (_, html) = page_as(s, Some(&w.lyon_admin), "/organisations/lyon/manage").await;
    assert!(html.contains("agent@elsewhere.example"));
    // The learner reads what joining shares before joining.
    let (_, html) = page_as(s, Some(&w.learner), "/organisations/lyon").await;
    assert!(html.contains("course enrolments, your progress"), "{html}");
}
