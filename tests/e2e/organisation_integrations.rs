//! What organisations change in existing features (issue 17): the
//! certificate names the holder's organisation, partner statistics count
//! organisations, and "my learning" shows courses popular with colleagues
//! who share their progress, three of them at least.

use agora_core::entities::{certificate, organisation_member};
use agora_tests::{Learner, TestServer, pdf_text};
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::organisation_reports::{COURSE, Fixture, fixture, post, user_id};

async fn my_learning(server: &TestServer, who: &Learner) -> String {
    let r = server
        .http
        .get(server.url("/my-learning"))
        .header("accept", "text/html")
        .header("cookie", who.cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

#[tokio::test]
async fn certificates_name_the_organisation_of_members_who_share() {
    let f = fixture().await;
    let ana = user_id(&f.conn, &f.member.email).await;
    let hid = user_id(&f.conn, "hid@bristol.gov.uk").await;
    let cert = |user| {
        let conn = f.conn.clone();
        async move {
            certificate::Entity::find()
                .filter(certificate::Column::UserId.eq(user))
                .one(&conn)
                .await
                .unwrap()
                .expect("a certificate")
        }
    };
    assert_eq!(
        cert(ana).await.organisation_name.as_deref(),
        Some("City of bristol")
    );
    // Hid hid her progress: her certificate names no organisation.
    assert_eq!(cert(hid).await.organisation_name, None);
    // The public verification page says it too, in the reader's language,
    // and says nothing of an organisation the certificate does not name.
    let verification = |code: String, lang: &'static str| {
        let server = &f.server;
        async move {
            let r = server
                .http
                .get(server.url(&format!("/certificates/{code}?lang={lang}")))
                .header("accept", "text/html")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.text().await.unwrap()
        }
    };
    let html = verification(cert(ana).await.code, "en").await;
    assert!(
        html.contains("<dt>Organisation</dt><dd class=\"organisation\">City of bristol</dd>"),
        "{html}"
    );
    let html = verification(cert(ana).await.code, "es").await;
    assert!(html.contains("<dt>Organización</dt>"), "{html}");
    let html = verification(cert(hid).await.code, "en").await;
    assert!(!html.contains("class=\"organisation\""), "{html}");
    // The PDF says it, once the worker stored it.
    let mut stored = cert(ana).await;
    for _ in 0..400 {
        if stored.stored_at.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        stored = cert(ana).await;
    }
    let r = f
        .server
        .as_learner(
            &f.member,
            Method::GET,
            &format!("/api/v1/me/certificates/{}/pdf", stored.code),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = pdf_text(&r.bytes().await.unwrap());
    assert!(text.contains("City of bristol"), "{text}");
}

#[tokio::test]
async fn partner_statistics_count_organisations_not_hidden_members() {
    let f = fixture().await;
    super::partners::make_partner(
        &f.server,
        &f.global_admin,
        "city-net",
        &["https://city.example"],
    )
    .await;
    // Bristol's Cora and Lyon's Luc enrol through the partner; so does a
    // Lyon member who hid their progress (Lyon counts once anyway) and a
    // learner of no organisation.
    let hidden = f.server.learner("quiet@lyon.fr").await;
    let id = user_id(&f.conn, &hidden.email).await;
    super::organisation_reports::join_hidden(&f.conn, id, f.lyon).await;
    let cora = f.server.signed_in("cora@bristol.gov.uk").await;
    for l in [&cora, &f.other_member, &hidden, &f.learner] {
        post(
            &f.server,
            l,
            &format!("{COURSE}/enrolment?via=city-net"),
            None,
        )
        .await;
    }
    let (status, s) = f
        .server
        .call(
            &f.global_admin,
            Method::GET,
            "/api/v1/partners/city-net/stats",
            None,
        )
        .await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["enrolments"], 4, "{s}");
    assert_eq!(s["organisations"], 2, "{s}");
    // Bristol's members leave: sharing stops at once, only Lyon counts.
    organisation_member::Entity::delete_many()
        .filter(organisation_member::Column::OrganisationId.eq(f.bristol))
        .exec(&f.conn)
        .await
        .unwrap();
    let (_, s) = f
        .server
        .call(
            &f.global_admin,
            Method::GET,
            "/api/v1/partners/city-net/stats",
            None,
        )
        .await;
    assert_eq!(s["organisations"], 1, "{s}");
}

async fn unhide(f: &Fixture, email: &str) {
    let id = user_id(&f.conn, email).await;
    organisation_member::Entity::update_many()
        .col_expr(organisation_member::Column::HideProgress, false.into())
        .filter(organisation_member::Column::UserId.eq(id))
        .exec(&f.conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn my_learning_shows_courses_three_sharing_colleagues_took() {
    let f = fixture().await;
    // Lyon: six colleagues took the course, Luc did not.
    let html = my_learning(&f.server, &f.other_member).await;
    assert!(html.contains("Popular with your colleagues"), "{html}");
    assert!(
        html.contains("Fixture course") && html.contains("6 colleagues"),
        "{html}"
    );
    // Bristol: Cora's sharing colleagues in the course are Ana and Ben (Hid
    // hid her progress, Pen is pending): two are too few.
    let cora = f.server.signed_in("cora@bristol.gov.uk").await;
    let html = my_learning(&f.server, &cora).await;
    assert!(!html.contains("Popular with your colleagues"), "{html}");
    // Once Hid shares, three colleagues took it: within the few seconds
    // the suggestions are reused for (membership changes are not announced).
    unhide(&f, "hid@bristol.gov.uk").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let html = my_learning(&f.server, &cora).await;
        if html.contains("3 colleagues") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{html}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // Someone already enrolled is not told about the course; someone of no
    // organisation sees no such section.
    let html = my_learning(&f.server, &f.member).await;
    assert!(!html.contains("Popular with your colleagues"));
    let html = my_learning(&f.server, &f.learner).await;
    assert!(!html.contains("Popular with your colleagues"));
}

/// `agora seed --organisations`: demo networks and organisations whose
/// members are the seeded learners, each organisation with an admin, some
/// learners hiding their progress, and organisations that joined through
/// learning.
#[tokio::test]
async fn seeding_creates_demo_organisations_and_networks() {
    use agora_core::entities::{network, organisation};
    use sea_orm::PaginatorTrait;
    let db = agora_tests::TestDb::new().await;
    let data = agora_tests::TempDir::new();
    let out = agora_tests::run_agora(
        &db,
        data.path(),
        &["seed", "--learners", "40", "--organisations", "8"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("seeded 8 organisations in 4 networks, with 40 members"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let conn = db.connect().await;
    assert_eq!(network::Entity::find().count(&conn).await.unwrap(), 4);
    let orgs = organisation::Entity::find().all(&conn).await.unwrap();
    assert_eq!(orgs.len(), 8);
    assert!(
        orgs.iter()
            .all(|o| o.country.len() == 2 && o.m49_region.len() == 3)
    );
    assert!(orgs.iter().any(|o| o.first_enrolment_at.is_some()));
    let members = organisation_member::Entity::find()
        .all(&conn)
        .await
        .unwrap();
    assert_eq!(members.len(), 40);
    for o in &orgs {
        assert!(
            members
                .iter()
                .any(|m| m.organisation_id == o.id && m.role == "admin" && m.status == "active"),
            "{} has no administrator",
            o.slug
        );
    }
    assert!(members.iter().any(|m| m.hide_progress));
}
