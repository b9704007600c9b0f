//! The pages of the global admin and the network coordinators: networks
//! with a name per locale, their coordinators, new organisations with their
//! networks and first administrator, and the networks an organisation
//! belongs to. Refused forms come back readable, naming the field; what the
//! pages save is what the API then reads.

use agora_tests::{Learner, TestServer};
use reqwest::Method;
use serde_json::Value;

use super::organisations::world;

/// Posts a page form as `who` with their CSRF token: the status, where it
/// leads and the page.
async fn form(
    s: &TestServer,
    who: &Learner,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut fields = fields.to_vec();
    fields.push(("csrf", who.csrf.as_str()));
    let r = client
        .post(s.url(path))
        .header("accept", "text/html")
        .header("cookie", who.cookie.split(';').next().unwrap())
        .form(&fields)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let to = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, to, r.text().await.unwrap())
}

async fn page(s: &TestServer, who: &Learner, path: &str) -> (u16, String) {
    let r = s
        .http
        .get(s.url(path))
        .header("accept", "text/html")
        .header("cookie", who.cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn api(s: &TestServer, who: &Learner, path: &str) -> Value {
    let (st, b) = s.call(who, Method::GET, path, None).await;
    assert_eq!(st, 200, "{path}: {b}");
    b
}

fn network_slugs(org: &Value) -> Vec<&str> {
    org["networks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["slug"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn the_global_admin_makes_networks_and_names_coordinators_through_the_pages() {
    let w = world().await;
    let s = &w.s;
    // The administration link is the global admin's only.
    assert!(
        page(s, &w.admin, "/courses")
            .await
            .1
            .contains("href=\"/admin/organisations\"")
    );
    assert!(
        !page(s, &w.learner, "/courses")
            .await
            .1
            .contains("href=\"/admin/organisations\"")
    );

    let (st, to, _) = form(
        s,
        &w.admin,
        "/admin/networks",
        &[
            ("slug", "metropolis"),
            ("name", "Metropolis"),
            ("name_fr", "Métropolis"),
            ("name_es", "Metrópolis"),
            ("website", "https://www.metropolis.org"),
        ],
    )
    .await;
    assert_eq!((st, to.as_str()), (303, "/admin/networks/metropolis"));
    let n = api(s, &w.admin, "/api/v1/networks/metropolis").await;
    assert_eq!(n["names"]["fr"], "Métropolis");
    assert_eq!(n["names"]["es"], "Metrópolis");
    let (_, html) = page(s, &w.admin, "/admin/networks/metropolis").await;
    assert!(html.contains("value=\"Metrópolis\""), "{html}");

    // Bad input: the page names the field and keeps what was typed.
    let (st, _, html) = form(
        s,
        &w.admin,
        "/admin/networks",
        &[
            ("slug", "ok-slug"),
            ("name", "Kept name"),
            ("website", "ftp://x"),
        ],
    )
    .await;
    assert_eq!(st, 422);
    assert!(html.contains("Give a web address"), "{html}");
    assert!(html.contains("value=\"Kept name\""), "{html}");
    let (st, _, html) = form(
        s,
        &w.admin,
        "/admin/networks",
        &[("slug", "metropolis"), ("name", "Again")],
    )
    .await;
    assert_eq!(st, 409);
    assert!(html.contains("Address name:"), "{html}");
    let (st, _, html) = form(
        s,
        &w.admin,
        "/admin/networks",
        &[("slug", "Bad Slug"), ("name", "x")],
    )
    .await;
    assert_eq!(st, 422);
    assert!(html.contains("Address name:"), "{html}");

    // Renamed, with the French name dropped.
    let (st, _, _) = form(
        s,
        &w.admin,
        "/admin/networks/metropolis",
        &[
            ("name", "Metropolis World"),
            ("name_es", "Metrópolis Mundial"),
            ("website", ""),
        ],
    )
    .await;
    assert_eq!(st, 303);
    let n = api(s, &w.admin, "/api/v1/networks/metropolis").await;
    assert_eq!(n["name"], "Metropolis World");
    assert_eq!(n["names"]["es"], "Metrópolis Mundial");
    assert!(n["names"].get("fr").is_none(), "{n}");
    assert!(n["website"].is_null(), "{n}");

    // Coordinators: an existing account only; then removed.
    let (st, _, html) = form(
        s,
        &w.admin,
        "/admin/networks/metropolis/coordinators",
        &[("email", "nobody@nowhere.example")],
    )
    .await;
    assert_eq!(st, 422);
    assert!(html.contains("no account has this address"), "{html}");
    let (st, _, _) = form(
        s,
        &w.admin,
        "/admin/networks/metropolis/coordinators",
        &[("email", &w.learner.email)],
    )
    .await;
    assert_eq!(st, 303);
    let c = api(s, &w.admin, "/api/v1/networks/metropolis/coordinators").await;
    assert_eq!(c[0]["email"], w.learner.email.as_str(), "{c}");
    let (_, html) = page(s, &w.admin, "/admin/networks/metropolis").await;
    assert!(html.contains(&format!("data-coordinator=\"{}\"", w.learner.email)));
    // Now a coordinator, the learner may see the network's report.
    assert_eq!(
        page(s, &w.learner, "/networks/metropolis/report").await.0,
        200
    );
    let id = c[0]["user_id"].as_str().unwrap();
    let (st, _, _) = form(
        s,
        &w.admin,
        &format!("/admin/networks/metropolis/coordinators/{id}/removal"),
        &[],
    )
    .await;
    assert_eq!(st, 303);
    let c = api(s, &w.admin, "/api/v1/networks/metropolis/coordinators").await;
    assert_eq!(c.as_array().unwrap().len(), 0, "{c}");
    assert_eq!(
        page(s, &w.learner, "/networks/metropolis/report").await.0,
        403
    );
}

#[tokio::test]
async fn organisations_are_created_and_placed_in_networks_through_the_pages() {
    let w = world().await;
    let s = &w.s;
    let newcomer = s.learner("mayor@porto.example").await;
    let good = |slug: &'static str, network: &'static str, admin: &'static str| {
        vec![
            ("slug", slug),
            ("name", "Porto"),
            ("name_es", "Oporto"),
            ("kind", "municipality"),
            ("country", "pt"),
            ("population_band", "100k-500k"),
            ("website", "https://www.cm-porto.pt"),
            ("network", network),
            ("admin_email", admin),
            ("public", "on"),
        ]
    };
    // A malformed country is named, and the form keeps what was typed.
    let mut bad = good("porto", "uclg", "mayor@porto.example");
    bad[4] = ("country", "XX");
    let (st, _, html) = form(s, &w.admin, "/admin/organisations", &bad).await;
    assert_eq!(st, 422);
    assert!(html.contains("ISO 3166-1"), "{html}");
    assert!(html.contains("value=\"porto\""), "{html}");
    // The first administrator must be an account in no organisation.
    let (st, _, html) = form(
        s,
        &w.admin,
        "/admin/organisations",
        &good("porto", "uclg", "agent@elsewhere.example"),
    )
    .await;
    assert_eq!(st, 409);
    assert!(html.contains("First administrator:"), "{html}");
    // A coordinator places organisations in their own networks only.
    let (st, _, html) = form(
        s,
        &w.coordinator,
        "/admin/organisations",
        &good("porto", "iclei", "mayor@porto.example"),
    )
    .await;
    assert_eq!(st, 422);
    assert!(html.contains("Networks:"), "{html}");
    let (st, to, _) = form(
        s,
        &w.coordinator,
        "/admin/organisations",
        &good("porto", "uclg", "mayor@porto.example"),
    )
    .await;
    assert_eq!((st, to.as_str()), (303, "/organisations/porto"));
    let o = api(s, &newcomer, "/api/v1/organisations/porto").await;
    assert_eq!(o["country"], "PT");
    assert_eq!(o["names"]["es"], "Oporto");
    assert_eq!(network_slugs(&o), ["uclg"]);
    let me = api(s, &newcomer, "/api/v1/me/organisation").await;
    assert_eq!(me["membership"]["role"], "admin", "{me}");
    // Its administrator sees the networks on the manage page, not a form.
    let (_, html) = page(s, &newcomer, "/organisations/porto/manage").await;
    assert!(
        html.contains("United Cities and Local Governments"),
        "{html}"
    );
    assert!(!html.contains("action=\"/organisations/porto/networks\""));
    assert_eq!(
        page(s, &newcomer, "/organisations/porto/networks").await.0,
        403
    );

    // The global admin adds ICLEI; the coordinator's form keeps it (not
    // theirs to change) while they remove their own network.
    let (st, _, _) = form(
        s,
        &w.admin,
        "/organisations/porto/networks",
        &[("network", "uclg"), ("network", "iclei")],
    )
    .await;
    assert_eq!(st, 303);
    let (st, html) = page(s, &w.coordinator, "/organisations/porto/networks").await;
    assert_eq!(st, 200);
    assert!(
        html.contains("<input type=\"hidden\" name=\"network\" value=\"iclei\">"),
        "{html}"
    );
    assert!(html.contains("id=\"network-iclei\" disabled"), "{html}");
    let (st, _, html) = form(s, &w.coordinator, "/organisations/porto/networks", &[]).await;
    assert_eq!(st, 422, "removing ICLEI is not theirs");
    assert!(html.contains("Networks:"), "{html}");
    let (st, _, _) = form(
        s,
        &w.coordinator,
        "/organisations/porto/networks",
        &[("network", "iclei")],
    )
    .await;
    assert_eq!(st, 303);
    let o = api(s, &w.admin, "/api/v1/organisations/porto").await;
    assert_eq!(network_slugs(&o), ["iclei"]);
    // The list of the admin's page links each organisation's networks.
    let (_, html) = page(s, &w.admin, "/admin/organisations").await;
    for slug in ["lyon", "nairobi", "porto"] {
        assert!(
            html.contains(&format!("href=\"/organisations/{slug}/networks\"")),
            "{slug}: {html}"
        );
    }
}
