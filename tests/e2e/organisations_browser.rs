//! Joining an organisation in headless Chromium, with axe-core on every
//! page visited: a learner whose confirmed address is at a declared domain
//! is offered the organisation with the plain-words consent, asks to join,
//! the organisation's administrator approves on the manage page, and the
//! learner hides their progress. In English and in Spanish (chosen with
//! the language switcher, which the account keeps).

use agora_tests::{
    PASSWORD, TestServer,
    browser::{Browser, axe_source, look},
};
use reqwest::Method;
use serde_json::json;

use super::organisations::create_org;

struct Words {
    lang: &'static str,
    offer: &'static str,
    consent: &'static str,
    requested: &'static str,
    pending: &'static str,
    active: &'static str,
    saved: &'static str,
}

const EN: Words = Words {
    lang: "en",
    offer: "Your email address matches",
    consent: "Nothing is shared before you join.",
    requested: "Your request was sent to the organisation's administrators.",
    pending: "Nothing is shared until they approve it.",
    active: "You are a member.",
    saved: "Saved.",
};

const ES: Words = Words {
    lang: "es",
    offer: "Su dirección de correo coincide con",
    consent: "No se comparte nada antes de unirse.",
    requested: "Su solicitud se envió a los administradores de la organización.",
    pending: "No se comparte nada hasta que la aprueben.",
    active: "Es miembro.",
    saved: "Guardado.",
};

struct Run {
    s: TestServer,
    b: Browser,
    axe: String,
    w: &'static Words,
}

impl Run {
    /// Opens `path` and checks it with axe-core.
    async fn visit(&self, path: &str, name: &str) {
        self.b.goto(&self.s.url(path)).await;
        self.check(name).await;
    }

    async fn check(&self, name: &str) {
        assert_eq!(
            self.b
                .attribute(&self.b.find("html").await, "lang")
                .await
                .as_deref(),
            Some(self.w.lang),
            "{name}: the page is not in {}",
            self.w.lang
        );
        look(
            &self.b,
            &self.axe,
            &format!("org-join-{}-{name}", self.w.lang),
        )
        .await;
    }

    async fn path(&self) -> String {
        url::Url::parse(&self.b.url().await)
            .unwrap()
            .path()
            .to_owned()
    }

    /// Signs in through the page and picks the run's language with the
    /// switcher, which the account then keeps.
    async fn sign_in(&self, email: &str) {
        self.visit("/sign-in", "sign-in").await;
        self.b.type_into("#email", email).await;
        self.b.type_into("#password", PASSWORD).await;
        self.b.submit("main form button").await;
        assert_eq!(self.path().await, "/my-learning", "{email} signs in");
        self.b
            .submit(&format!("footer button[name=lang][value={}]", self.w.lang))
            .await;
        self.check("signed-in").await;
    }

    async fn sign_out(&self) {
        self.b.submit("form[action='/sign-out'] button").await;
        self.check("signed-out").await;
    }
}

async fn join_through_the_pages(w: &'static Words) {
    let s = TestServer::start().await;
    let admin = s.admin("admin@agora.example").await;
    let (st, b) = s
        .call(
            &admin,
            Method::POST,
            "/api/v1/networks",
            Some(json!({ "slug": "uclg", "name": "UCLG" })),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    let chief = s.learner("chief@bristol.gov.uk").await;
    create_org(
        &s,
        &admin,
        "bristol",
        "GB",
        true,
        &["uclg"],
        "chief@bristol.gov.uk",
    )
    .await;
    let (st, b) = s
        .call(
            &chief,
            Method::POST,
            "/api/v1/organisations/bristol/domains",
            Some(json!({ "domain": "bristol.gov.uk" })),
        )
        .await;
    assert_eq!(st, 200, "{b}");
    let ana = s.learner("ana@bristol.gov.uk").await;
    let run = Run {
        b: Browser::start(true, w.lang).await,
        axe: axe_source(),
        s,
        w,
    };

    // The learner is offered the organisation, reads what it will see,
    // and asks to join.
    run.sign_in(&ana.email).await;
    run.visit("/organisation", "offer").await;
    let offer = run.b.text(".offer").await;
    assert!(
        offer.contains(w.offer) && offer.contains("bristol"),
        "{offer}"
    );
    assert!(
        offer.contains(w.consent),
        "the consent in plain words: {offer}"
    );
    run.b.click(&run.b.find("#consent-bristol").await).await;
    run.b.submit(".offer button").await;
    assert_eq!(run.path().await, "/organisation");
    run.check("requested").await;
    assert!(run.b.text(".flash").await.contains(w.requested));
    assert!(run.b.text(".org-status").await.contains(w.pending));
    run.sign_out().await;

    // The organisation's administrator approves the request.
    run.sign_in(&chief.email).await;
    run.visit("/organisations/bristol/manage", "manage").await;
    let row = "tr[data-member='ana@bristol.gov.uk']";
    run.b.submit(&format!("{row} button[value=approve]")).await;
    assert_eq!(run.path().await, "/organisations/bristol/manage");
    run.check("approved").await;
    assert!(run.b.text(".flash").await.contains(w.saved));
    assert!(
        run.b
            .try_find(&format!("{row} button[value=approve]"))
            .await
            .is_none(),
        "the request is still waiting"
    );
    run.sign_out().await;

    // The learner is a member and hides their progress.
    run.sign_in(&ana.email).await;
    run.visit("/organisation", "member").await;
    assert!(run.b.text(".org-status").await.contains(w.active));
    run.b.click(&run.b.find("#hide_progress").await).await;
    run.b
        .submit("form[action='/organisation/details'] button")
        .await;
    run.check("hidden").await;
    assert!(run.b.text(".flash").await.contains(w.saved));
    let checked = run
        .b
        .script(
            "return document.getElementById('hide_progress').checked",
            json!([]),
        )
        .await;
    assert_eq!(checked, json!(true));
    let (st, me) = run
        .s
        .call(&ana, Method::GET, "/api/v1/me/organisation", None)
        .await;
    assert_eq!(st, 200, "{me}");
    let m = &me["membership"];
    assert_eq!(m["status"], "active", "{me}");
    assert_eq!(m["hide_progress"], true, "{me}");
}

#[tokio::test]
async fn a_learner_joins_in_english_with_approval_and_hides_progress() {
    join_through_the_pages(&EN).await;
}

#[tokio::test]
async fn a_learner_joins_in_spanish_with_approval_and_hides_progress() {
    join_through_the_pages(&ES).await;
}
