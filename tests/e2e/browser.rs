//! The learner's whole journey in a real browser (headless Chromium through
//! chromedriver): sign up, confirm the address from the real mail, find a
//! course by search, enrol, read, fail then pass a quiz, complete the
//! course, download the certificate and verify it publicly. In English and
//! in French with JavaScript, and again without JavaScript. The English run
//! writes screenshots of every page and runs axe-core on each.

use std::time::{Duration, Instant};

use agora_tests::{
    PASSWORD, ServerOptions, SmtpSink, TempDir, TestServer, browser::Browser, copy_dir, pdf_text,
    root,
};

/// A small course of every lesson kind, next to the shipped catalogue, so
/// that search has something to tell apart.
fn write_journey_course(dir: &std::path::Path) {
    let c = dir.join("storm-ready-streets");
    for l in ["en", "fr"] {
        std::fs::create_dir_all(c.join(l).join("resources")).unwrap();
    }
    let w = |p: &str, s: &str| std::fs::write(c.join(p), s).unwrap();
    w(
        "course.yaml",
        "slug: storm-ready-streets\ndefault_locale: en\nlevel: beginner\nduration_minutes: 40\nthemes:\n  sdgs: [11, 13]\n  sendai: [3]\n  tags: [drainage]\nmodules:\n  - id: basics\n    lessons:\n      - id: why-streets-flood\n        kind: text\n        duration_minutes: 8\n      - id: talk-drains\n        kind: video\n        duration_minutes: 6\n      - id: drain-checklist\n        kind: resource\n        duration_minutes: 5\n        file: drain-checklist.md\n      - id: drains-quiz\n        kind: quiz\n        duration_minutes: 5\n        passing_score: 100\n        max_attempts: 3\n        questions:\n          - id: q1\n            kind: single\n            options: [a, b, c]\n            correct: [b]\n          - id: q2\n            kind: multiple\n            options: [a, b, c]\n            correct: [a, c]\n          - id: q3\n            kind: true_false\n            answer: false\n",
    );
    w(
        "en/meta.yaml",
        "title: Storm-ready streets\nsummary: Keep streets dry when the heavy rain comes, with the drains you already have.\ndescription: |\n  Most street flooding starts with a blocked drain. This short course shows\n  how a city keeps water moving.\nobjectives:\n  - Explain why streets flood\n  - Plan a drain inspection round\nmodules:\n  basics: { title: Drains and rain, summary: Why water stays and how to move it. }\n",
    );
    w(
        "en/why-streets-flood.md",
        "---\ntitle: Why streets flood\n---\nWater stays on a street when **drains are blocked** by leaves and litter.\n",
    );
    w(
        "en/talk-drains.md",
        "---\ntitle: A talk with a drainage engineer\n---\nInterviewer: how often should drains be cleared? Engineer: before every rainy season.\n",
    );
    w(
        "en/drain-checklist.md",
        "---\ntitle: Drain inspection checklist\n---\nDownload the checklist and take it on your next round.\n",
    );
    w(
        "en/resources/drain-checklist.md",
        "# Drain inspection checklist\n\n- [ ] grate clear\n- [ ] water flows\n",
    );
    w(
        "en/drains-quiz.yaml",
        "title: Drains quiz\nquestions:\n  q1:\n    prompt: What most often starts street flooding?\n    options:\n      a: { text: The moon, explanation: Tides matter on the coast only. }\n      b: { text: A blocked drain, explanation: Leaves and litter block the grate. }\n      c: { text: Painted kerbs, explanation: Paint does not stop water. }\n  q2:\n    prompt: Which keep drains clear?\n    options:\n      a: { text: Street sweeping, explanation: It removes leaves before they reach the drain. }\n      b: { text: Bigger signs, explanation: Signs do not move water. }\n      c: { text: Inspection rounds, explanation: They find blocked grates early. }\n  q3:\n    prompt: Drains only need clearing after a flood.\n    options:\n      \"true\": { text: \"True\", explanation: Clearing before the rain prevents the flood. }\n      \"false\": { text: \"False\", explanation: Before every rainy season is the rule. }\n",
    );
    w(
        "fr/meta.yaml",
        "title: Des rues prêtes pour les orages\nsummary: Garder les rues au sec sous les fortes pluies, avec les avaloirs existants.\ndescription: |\n  La plupart des inondations de rue commencent par un avaloir bouché.\nobjectives:\n  - Expliquer pourquoi les rues sont inondées\n  - Planifier une tournée d’inspection\nmodules:\n  basics: { title: Avaloirs et pluie, summary: Pourquoi l’eau stagne et comment l’évacuer. }\n",
    );
    w(
        "fr/why-streets-flood.md",
        "---\ntitle: Pourquoi les rues sont inondées\n---\nL’eau stagne quand les **avaloirs sont bouchés** par les feuilles.\n",
    );
    w(
        "fr/talk-drains.md",
        "---\ntitle: Entretien avec une ingénieure\n---\nQuestion : à quelle fréquence curer les avaloirs ? Réponse : avant chaque saison des pluies.\n",
    );
    w(
        "fr/drain-checklist.md",
        "---\ntitle: Liste de contrôle des avaloirs\n---\nTéléchargez la liste et emportez-la lors de votre prochaine tournée.\n",
    );
    w(
        "fr/resources/drain-checklist.md",
        "# Liste de contrôle des avaloirs\n\n- [ ] grille dégagée\n",
    );
    w(
        "fr/drains-quiz.yaml",
        "title: Quiz sur les avaloirs\nquestions:\n  q1:\n    prompt: Qu’est-ce qui cause le plus souvent les inondations de rue ?\n    options:\n      a: { text: La lune, explanation: Les marées ne comptent que sur la côte. }\n      b: { text: Un avaloir bouché, explanation: Feuilles et déchets bouchent la grille. }\n      c: { text: Les bordures peintes, explanation: La peinture n’arrête pas l’eau. }\n  q2:\n    prompt: Qu’est-ce qui garde les avaloirs dégagés ?\n    options:\n      a: { text: Le balayage, explanation: Il enlève les feuilles avant l’avaloir. }\n      b: { text: De plus grands panneaux, explanation: Un panneau n’évacue pas l’eau. }\n      c: { text: Les tournées d’inspection, explanation: Elles repèrent tôt les grilles bouchées. }\n  q3:\n    prompt: Il suffit de curer les avaloirs après une inondation.\n    options:\n      \"true\": { text: Vrai, explanation: Curer avant la pluie évite l’inondation. }\n      \"false\": { text: Faux, explanation: Il faut curer avant chaque saison des pluies. }\n",
    );
}

struct Words {
    lang: &'static str,
    sign_up_heading: &'static str,
    verified: &'static str,
    search: &'static str,
    course_title: &'static str,
    transcript: &'static str,
    failed: &'static str,
    passed: &'static str,
    valid: &'static str,
}

const EN: Words = Words {
    lang: "en",
    sign_up_heading: "Create an account",
    verified: "Your address is confirmed",
    search: "storm",
    course_title: "Storm-ready streets",
    transcript: "Transcript",
    failed: "the pass mark is",
    passed: "You passed",
    valid: "Valid certificate",
};

const FR: Words = Words {
    lang: "fr",
    sign_up_heading: "Créer un compte",
    verified: "Votre adresse est confirmée",
    search: "orages",
    course_title: "Des rues prêtes pour les orages",
    transcript: "Transcription",
    failed: "la note de réussite est",
    passed: "Réussi avec",
    valid: "Certificat valide",
};

struct Journey {
    server: TestServer,
    sink: SmtpSink,
    browser: Browser,
    _courses: TempDir,
    /// Screenshots and axe-core, on the English run with JavaScript.
    inspect: bool,
    axe: Option<String>,
    violations: Vec<String>,
}

impl Journey {
    async fn start(lang: &str, javascript: bool, inspect: bool) -> Journey {
        let sink = SmtpSink::start();
        let courses = TempDir::new();
        copy_dir(&root().join("courses"), courses.path());
        write_journey_course(courses.path());
        let server = TestServer::start_with(ServerOptions {
            courses_dir: Some(courses.path().to_owned()),
            env: vec![
                ("AGORA_SMTP_URL".into(), sink.url()),
                ("AGORA_JOB_RETRY_SECONDS".into(), "1".into()),
            ],
        })
        .await;
        let browser = Browser::start(javascript, lang).await;
        Journey {
            server,
            sink,
            browser,
            _courses: courses,
            inspect,
            axe: inspect.then(agora_tests::browser::axe_source),
            violations: vec![],
        }
    }

    async fn goto(&self, path: &str) {
        self.browser.goto(&self.server.url(path)).await;
    }

    /// Screenshots and accessibility of the page now shown.
    async fn page(&mut self, name: &str) {
        if !self.inspect {
            return;
        }
        let b = &self.browser;
        if let Some(axe) = &self.axe {
            for v in b.axe_violations(axe).await {
                self.violations.push(format!("{name}: {v}"));
            }
        }
        b.screenshots(name).await;
    }

    async fn path(&self) -> String {
        let url = url::Url::parse(&self.browser.url().await).unwrap();
        url.path().to_owned()
    }

    /// Marks the lesson on screen complete and moves to the next one.
    async fn complete_and_next(&self) {
        let b = &self.browser;
        let before = self.path().await;
        b.submit("form.complete button").await;
        if b.javascript {
            // The script completes in place: the page stays, the bar moves.
            let deadline = Instant::now() + Duration::from_secs(10);
            while b.try_find("[data-done]:not([hidden])").await.is_none() {
                assert!(Instant::now() < deadline, "the lesson never showed as done");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            assert_eq!(self.path().await, before, "the script should not reload");
            b.click_and_wait("a[rel=next]").await;
        }
        assert_ne!(self.path().await, before, "no move to the next lesson");
    }

    /// The browser's session cookie, for fetching what it would download.
    async fn download(&self, href: &str) -> reqwest::Response {
        let session = self
            .browser
            .cookie("agora_session")
            .await
            .expect("a session cookie");
        self.server
            .http
            .get(self.server.url(href))
            .header("cookie", format!("agora_session={session}"))
            .send()
            .await
            .unwrap()
    }
}

async fn journey(w: &Words, javascript: bool, inspect: bool) {
    let mut j = Journey::start(w.lang, javascript, inspect).await;
    let b = &j.browser;
    let email = format!("ana.{}.{}@city.example", w.lang, javascript);
    let tag = |s: &str| format!("{s}-{}", w.lang);

    // Home, then sign up: a bad password first, re-rendered with the error.
    j.goto("/").await;
    assert!(b.title().await.contains("Agora"));
    assert_eq!(
        b.attribute(&b.find("html").await, "lang").await.as_deref(),
        Some(w.lang)
    );
    j.page(&tag("home")).await;
    let b = &j.browser;
    b.click_and_wait("a.cta").await;
    assert_eq!(b.text("main h1").await, w.sign_up_heading);
    j.page(&tag("sign-up")).await;
    let b = &j.browser;
    b.type_into("#display_name", "Ana María Peña").await;
    b.type_into("#email", &email).await;
    b.type_into("#password", "short").await;
    b.submit("main form button").await;
    assert!(
        !b.text("#password-error").await.is_empty(),
        "no error next to the password"
    );
    assert_eq!(
        b.attribute(&b.find("#email").await, "value")
            .await
            .as_deref(),
        Some(email.as_str()),
        "the form lost what was typed"
    );
    j.page(&tag("sign-up-error")).await;
    let b = &j.browser;
    b.type_into("#password", PASSWORD).await;
    b.submit("main form button").await;
    assert_eq!(j.path().await, "/sign-in");
    assert!(!b.text(".flash").await.is_empty(), "no flash message");
    j.page(&tag("sign-in-after-sign-up")).await;

    // The verification mail, from the real SMTP server, in the learner's language.
    let mail = j.sink.wait_for(&email, 1).await.remove(0);
    let link = mail
        .links()
        .into_iter()
        .find(|l| l.contains("/verify-email?token="))
        .unwrap_or_else(|| panic!("no verification link in:\n{}", mail.text));
    assert!(link.starts_with(&j.server.base), "{link}");
    let b = &j.browser;
    b.goto(&link).await;
    assert_eq!(b.text("main h1").await, w.verified);
    j.page(&tag("verified")).await;

    // Sign in; "my learning" is empty.
    j.goto("/sign-in").await;
    let b = &j.browser;
    b.type_into("#email", &email).await;
    b.type_into("#password", PASSWORD).await;
    b.submit("main form button").await;
    assert_eq!(j.path().await, "/my-learning");
    j.page(&tag("my-learning-empty")).await;

    // Find the course by search from the home page.
    j.goto("/").await;
    let b = &j.browser;
    b.type_into("#q", w.search).await;
    b.submit("form.search button").await;
    assert_eq!(j.path().await, "/courses");
    // The search ranks the course first (typo tolerance may bring others after it).
    assert!(!b.text("#results-count").await.is_empty());
    assert_eq!(b.text(".course-card h3").await, w.course_title);
    j.page(&tag("catalogue-search")).await;
    j.goto("/courses").await;
    j.page(&tag("catalogue")).await;
    j.goto(&format!("/courses?q={}", w.search)).await;

    // The course page, then enrol: the first lesson opens.
    let b = &j.browser;
    b.click_and_wait(".course-card h3 a").await;
    assert_eq!(j.path().await, "/courses/storm-ready-streets");
    assert_eq!(b.text("main h1").await, w.course_title);
    j.page(&tag("course")).await;
    let b = &j.browser;
    b.submit(".course-side form button").await;
    assert_eq!(
        j.path().await,
        "/courses/storm-ready-streets/lessons/why-streets-flood"
    );
    j.page(&tag("lesson-text")).await;
    j.complete_and_next().await;

    // The video lesson shows its transcript.
    let b = &j.browser;
    assert!(b.source().await.contains(w.transcript));
    j.page(&tag("lesson-video")).await;
    j.complete_and_next().await;

    // The resource lesson: its file downloads for the enrolled learner.
    let b = &j.browser;
    let href = b
        .attribute(&b.find("a[download]").await, "href")
        .await
        .unwrap();
    let r = j.download(&href).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.text().await.unwrap().contains("#"),
        "the checklist is Markdown"
    );
    j.page(&tag("lesson-resource")).await;
    j.complete_and_next().await;

    // The quiz: fail, read the feedback, then pass.
    assert_eq!(
        j.path().await,
        "/courses/storm-ready-streets/lessons/drains-quiz"
    );
    j.page(&tag("quiz")).await;
    let b = &j.browser;
    for id in ["#q-q1-a", "#q-q2-a", "#q-q3-true"] {
        b.click(&b.find(id).await).await;
    }
    b.submit(".quiz form button").await;
    assert!(
        b.text(".result.fail").await.contains(w.failed),
        "{}",
        b.text("main").await
    );
    assert!(b.try_find(".question.wrong .verdict").await.is_some());
    assert!(
        b.try_find(".explanation").await.is_some(),
        "no explanations"
    );
    j.page(&tag("quiz-failed")).await;
    let b = &j.browser;
    // The failed answers stay checked: uncheck q2's wrong half, pick the rest.
    for id in ["#q-q1-b", "#q-q2-c", "#q-q3-false"] {
        b.click(&b.find(id).await).await;
    }
    b.submit(".quiz form button").await;
    assert!(
        b.text(".result.pass").await.contains(w.passed),
        "{}",
        b.text("main").await
    );
    j.page(&tag("quiz-passed")).await;

    // The course is complete: the certificate appears in "my learning".
    j.goto("/my-learning").await;
    let deadline = Instant::now() + Duration::from_secs(60);
    let download = loop {
        let b = &j.browser;
        if let Some(a) = b.try_find(".certs a[download]").await {
            break b.attribute(&a, "href").await.unwrap();
        }
        assert!(Instant::now() < deadline, "the certificate never came");
        tokio::time::sleep(Duration::from_millis(300)).await;
        j.goto("/my-learning").await;
    };
    j.page(&tag("my-learning")).await;
    let r = j.download(&download).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let text = pdf_text(&r.bytes().await.unwrap());
    assert!(text.contains("Ana María Peña"), "{text}");

    // And anyone can verify it on the public page.
    let b = &j.browser;
    b.click_and_wait(".certs a:not([download])").await;
    assert!(j.path().await.starts_with("/certificates/"));
    assert!(b.text(".status").await.contains(w.valid));
    assert!(b.text("main").await.contains("Ana María Peña"));
    j.page(&tag("certificate")).await;
    let public = j.browser.url().await;
    let anonymous = reqwest::get(&public).await.unwrap();
    assert_eq!(anonymous.status(), 200);
    assert!(anonymous.text().await.unwrap().contains("Ana María Peña"));

    if j.inspect {
        for page in [
            "/account",
            "/forgot-password",
            "/reset-password?token=abc",
            "/no-such-page",
        ] {
            j.goto(page).await;
            let name = page
                .trim_start_matches('/')
                .split('?')
                .next()
                .unwrap()
                .to_owned();
            j.page(&tag(&name)).await;
        }
    }

    // Sign out from the header.
    let b = &j.browser;
    b.submit("header form button").await;
    assert!(b.try_find("a.cta").await.is_some(), "still signed in");
    if j.inspect {
        j.goto("/courses/storm-ready-streets").await;
        j.page(&tag("course-signed-out")).await;
    }
    assert!(
        j.violations.is_empty(),
        "axe-core found accessibility problems:\n{}",
        j.violations.join("\n")
    );
    assert!(
        !j.server.logs().contains("status=500"),
        "{}",
        j.server.logs()
    );
}

#[tokio::test]
async fn the_whole_journey_in_english() {
    journey(&EN, true, true).await;
}

#[tokio::test]
async fn the_whole_journey_in_french() {
    journey(&FR, true, true).await;
}

#[tokio::test]
async fn the_whole_journey_without_javascript() {
    journey(&EN, false, false).await;
}

#[tokio::test]
async fn the_whole_journey_in_french_without_javascript() {
    journey(&FR, false, false).await;
}
