//! A cohort through the pages in headless Chromium, with axe-core on every
//! page visited, in English and in Spanish: an author creates a cohort, its
//! facilitator schedules a session (in Paris time), a learner applies for
//! their organisation, the facilitator accepts, the learner (in Bogotá)
//! joins and sees the session in their own time zone, and an announcement
//! reaches them on the cohort page and, once, on the real SMTP server.

use agora_core::time_zones;
use agora_tests::{
    PASSWORD, SmtpSink, TestServer,
    browser::{Browser, axe_source, look},
};
use serde_json::json;
use time::OffsetDateTime;

use super::cohorts::{cohorts_world, jobs_settle};

pub(super) struct Words {
    pub(super) lang: &'static str,
    pub(super) saved: &'static str,
    pub(super) applied: &'static str,
    pub(super) decided: &'static str,
    pub(super) joined: &'static str,
    pub(super) announced: &'static str,
}

pub(super) const EN: Words = Words {
    lang: "en",
    saved: "Saved.",
    applied: "Your application was sent.",
    decided: "The decision was saved",
    joined: "Welcome to the cohort.",
    announced: "The announcement was posted",
};

pub(super) const ES: Words = Words {
    lang: "es",
    saved: "Guardado.",
    applied: "Su solicitud se envió.",
    decided: "La decisión se guardó",
    joined: "Bienvenido a la cohorte.",
    announced: "El anuncio se publicó",
};

pub(super) struct Run {
    pub(super) s: TestServer,
    pub(super) b: Browser,
    pub(super) axe: String,
    pub(super) w: &'static Words,
}

impl Run {
    pub(super) async fn visit(&self, path: &str, name: &str) {
        self.b.goto(&self.s.url(path)).await;
        self.check(name).await;
    }

    pub(super) async fn check(&self, name: &str) {
        let lang = self.b.attribute(&self.b.find("html").await, "lang").await;
        assert_eq!(
            lang.as_deref(),
            Some(self.w.lang),
            "{name}: not in {}",
            self.w.lang
        );
        look(
            &self.b,
            &self.axe,
            &format!("cohort-{}-{name}", self.w.lang),
        )
        .await;
    }

    pub(super) async fn path(&self) -> String {
        url::Url::parse(&self.b.url().await)
            .unwrap()
            .path()
            .to_owned()
    }

    pub(super) async fn flash(&self) -> String {
        self.b.text(".flash").await
    }

    pub(super) async fn sign_in(&self, email: &str) {
        self.visit("/sign-in", "sign-in").await;
        self.b.type_into("#email", email).await;
        self.b.type_into("#password", PASSWORD).await;
        self.b.submit("main form button").await;
        self.b
            .submit(&format!("footer button[name=lang][value={}]", self.w.lang))
            .await;
    }

    pub(super) async fn sign_out(&self) {
        self.b.submit("form[action='/sign-out'] button").await;
    }

    /// Sets a field's value (selects, `datetime-local`) as a person would.
    pub(super) async fn set(&self, id: &str, value: &str) {
        self.b
            .script(
                "document.getElementById(arguments[0]).value = arguments[1];",
                json!([id, value]),
            )
            .await;
    }
}

async fn cohort_through_the_pages(w: &'static Words) {
    let sink = SmtpSink::start();
    let c = cohorts_world(vec![("AGORA_SMTP_URL".into(), sink.url())]).await;
    let (author, facilitator, member) = (
        c.author.email.clone(),
        c.facilitator.email.clone(),
        c.w.lyon_member.email.clone(),
    );
    let run = Run {
        b: Browser::start(true, w.lang).await,
        axe: axe_source(),
        s: c.w.s,
        w,
    };
    let here = format!("/cohorts/vlr-{}", w.lang);

    // The author creates the cohort and names its facilitator.
    run.sign_in(&author).await;
    run.visit("/cohorts/new", "new").await;
    run.b.type_into("#course", "voluntary-local-review").await;
    run.b.type_into("#slug", &format!("vlr-{}", w.lang)).await;
    run.b
        .type_into(&format!("#title_{}", w.lang), "Voluntary Local Review 2027")
        .await;
    run.b
        .type_into(
            &format!("#description_{}", w.lang),
            "Six **live** sessions.",
        )
        .await;
    run.b.type_into("#facilitators", &facilitator).await;
    run.b.type_into("#questions", "Why a VLR now?").await;
    run.set("status", "open").await;
    run.b.submit("main form button").await;
    assert_eq!(run.path().await, here, "the cohort was created");
    run.check("created").await;
    assert!(run.flash().await.contains(w.saved));
    run.sign_out().await;

    // The facilitator schedules a session at 15:00 in Paris, in a week.
    let day = (OffsetDateTime::now_utc() + time::Duration::days(7)).date();
    let (starts, ends) = (format!("{day}T15:00"), format!("{day}T16:30"));
    run.sign_in(&facilitator).await;
    run.visit(&format!("{here}/sessions"), "sessions").await;
    run.b.type_into("#title", "Stakeholder engagement").await;
    run.set("starts_at", &starts).await;
    run.set("ends_at", &ends).await;
    run.set("time_zone", "Europe/Paris").await;
    run.b
        .type_into("#join_url", "https://meet.example.org/vlr")
        .await;
    run.b.submit("main form button").await;
    run.check("session-scheduled").await;
    assert!(
        run.b
            .text(".sessions")
            .await
            .contains("Stakeholder engagement")
    );
    run.sign_out().await;

    // The learner applies for Lyon, answering the question.
    run.sign_in(&member).await;
    run.visit(&here, "outside").await;
    run.b.submit(&format!("a[href='{here}/apply']")).await;
    run.check("apply").await;
    run.b
        .type_into("#answer_0", "To report on the SDGs locally.")
        .await;
    run.b.submit("main form button").await;
    assert_eq!(run.path().await, here);
    run.check("applied").await;
    assert!(run.flash().await.contains(w.applied));
    run.sign_out().await;

    // The facilitator accepts, with a message.
    run.sign_in(&facilitator).await;
    run.visit(&format!("{here}/applications"), "applications")
        .await;
    run.b
        .type_into(".application textarea", "Welcome aboard.")
        .await;
    run.b.submit(".application button[value=accepted]").await;
    run.check("accepted").await;
    assert!(run.flash().await.contains(w.decided));
    run.sign_out().await;

    // The learner in Bogotá joins and sees the session in their zone.
    run.sign_in(&member).await;
    run.visit("/account", "account").await;
    run.set("time_zone", "America/Bogota").await;
    run.b.submit("form[action='/account'] button").await;
    run.visit(&here, "accepted-outside").await;
    run.b
        .submit(&format!("form[action='{here}/join'] button"))
        .await;
    run.check("member").await;
    assert!(run.flash().await.contains(w.joined));
    let paris =
        time_zones::read_local("t", &starts, time_zones::zone(Some("Europe/Paris"))).unwrap();
    let bogota = time_zones::show(paris, time_zones::zone(Some("America/Bogota")));
    let next = run.b.text(".next-session").await;
    assert!(next.contains(&bogota), "{next} shows {bogota}");
    assert!(next.contains("America/Bogota"), "{next}");
    assert!(
        !run.b.text(".members").await.is_empty(),
        "members see the members"
    );
    run.sign_out().await;

    // The facilitator posts an announcement; the member reads it and gets one mail.
    run.sign_in(&facilitator).await;
    run.visit(&here, "facilitator-page").await;
    run.b
        .type_into("#announcement-title", "Bring your data")
        .await;
    run.b
        .type_into("#announcement-body", "Please **prepare** your indicators.")
        .await;
    run.b.submit("form.announce button").await;
    run.check("announced").await;
    assert!(run.flash().await.contains(w.announced));
    run.visit(&format!("{here}/dashboard"), "dashboard").await;
    run.sign_out().await;
    jobs_settle(&run.s, "mail.cohort_announcement").await;
    let mails: Vec<_> = sink
        .messages()
        .into_iter()
        .filter(|m| m.to.eq_ignore_ascii_case(&member) && m.subject.contains("Bring your data"))
        .collect();
    assert_eq!(mails.len(), 1, "the announcement is mailed once");
    run.sign_in(&member).await;
    run.visit(&here, "read").await;
    assert!(
        run.b
            .text(".announcements")
            .await
            .contains("Bring your data")
    );
}

#[tokio::test]
async fn a_cohort_runs_through_the_pages_in_english() {
    cohort_through_the_pages(&EN).await;
}

#[tokio::test]
async fn a_cohort_runs_through_the_pages_in_spanish() {
    cohort_through_the_pages(&ES).await;
}
