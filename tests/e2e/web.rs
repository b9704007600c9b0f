//! The web pages over plain HTTP: languages, headers, CSRF, forms that
//! re-render with their errors, error pages, compression and weight.

use agora_tests::{PASSWORD, TestServer};
use reqwest::{StatusCode, header};

fn browser_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn page(
    server: &TestServer,
    path: &str,
    lang: &str,
) -> (StatusCode, header::HeaderMap, String) {
    let r = browser_client()
        .get(server.url(path))
        .header("accept", "text/html")
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    (status, headers, r.text().await.unwrap())
}

/// The hidden `csrf` field of the first form of a page.
fn csrf_field(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..].split('"').next().unwrap().to_owned()
}

fn set_cookies(h: &header::HeaderMap) -> Vec<String> {
    h.get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn pages_speak_the_readers_language_and_carry_security_headers() {
    let server = TestServer::start().await;
    for (lang, words) in [
        ("en-GB,en;q=0.8", "Short courses for city officials"),
        (
            "fr-FR,fr;q=0.9",
            "Des cours courts pour les agents des collectivités",
        ),
        (
            "es-419,es;q=0.9",
            "Cursos breves para funcionarios municipales",
        ),
    ] {
        let (status, h, html) = page(&server, "/", lang).await;
        assert_eq!(status, 200);
        assert!(html.contains(words), "{lang}: {html}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(h.contains_key("referrer-policy"));
        // No inline script or style anywhere.
        assert!(
            !html.contains("<script>") && !html.contains("style="),
            "{html}"
        );
    }
    // ?lang= wins over Accept-Language for someone not signed in.
    let (_, _, html) = page(&server, "/courses?lang=es", "fr").await;
    assert!(html.contains("<html lang=\"es\""), "{html}");
}

#[tokio::test]
async fn unknown_pages_are_readable_404s_in_the_readers_language() {
    let server = TestServer::start().await;
    let (status, h, html) = page(&server, "/no-such-page", "fr").await;
    assert_eq!(status, 404);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(html.contains("Page introuvable"), "{html}");
    let (status, _, html) = page(&server, "/courses/no-such-course", "es").await;
    assert_eq!(status, 404);
    assert!(html.contains("Página no encontrada"), "{html}");
    // The JSON API keeps its JSON errors.
    let (status, body) = server.get_json("/api/v1/nothing").await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], "not_found");
}

#[tokio::test]
async fn forms_refuse_a_missing_csrf_token_and_rerender_bad_input() {
    let server = TestServer::start().await;
    let client = browser_client();
    // Without the token (a forged cross-site post): 403, nothing happens.
    let r = client
        .post(server.url("/sign-up"))
        .header("accept", "text/html")
        .form(&[
            ("email", "a@city.example"),
            ("password", PASSWORD),
            ("display_name", "A"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        server
            .mail_token("mail.verify_email", "a@city.example")
            .await
            .is_none()
    );

    // With the token from the page and its cookie: bad input re-renders.
    let (_, h, html) = page(&server, "/sign-up", "en").await;
    let csrf = csrf_field(&html);
    let cookies = set_cookies(&h).join("; ");
    let long = "x".repeat(5000);
    for (email, password, name, field) in [
        ("not an address", PASSWORD, "Ana", "email"),
        ("ana@city.example", "short", "Ana", "password"),
        ("ana@city.example", PASSWORD, "", "display_name"),
        ("ana@city.example", PASSWORD, long.as_str(), "display_name"),
    ] {
        let r = client
            .post(server.url("/sign-up"))
            .header("cookie", &cookies)
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", email),
                ("password", password),
                ("display_name", name),
                ("locale", "en"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{field}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "{field}: {html}"
        );
    }
    // Garbage bodies never answer 500.
    for body in ["%%%", "csrf=&&&=", "\u{0}\u{1}"] {
        let r = client
            .post(server.url("/sign-in"))
            .header("cookie", &cookies)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{body}: {}", r.status());
    }
    // The right input: 303 to the sign-in page with a flash message.
    let r = client
        .post(server.url("/sign-up"))
        .header("cookie", &cookies)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "ana@city.example"),
            ("password", PASSWORD),
            ("display_name", "Ana"),
            ("locale", "fr"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/sign-in");
    assert!(
        set_cookies(r.headers())
            .iter()
            .any(|c| c.starts_with("agora_flash=ok."))
    );
    assert!(
        server
            .mail_token("mail.verify_email", "ana@city.example")
            .await
            .is_some()
    );
    assert!(!server.logs().contains("status=500"), "{}", server.logs());
}

#[tokio::test]
async fn signed_in_pages_need_a_session_and_the_sessions_csrf_token() {
    let server = TestServer::start().await;
    let client = browser_client();
    // Not signed in: to the sign-in page, and back afterwards.
    let r = client
        .get(server.url("/my-learning"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/sign-in?next=%2Fmy-learning");

    server.learner("ana@city.example").await;
    let (_, h, html) = page(&server, "/sign-in", "en").await;
    let csrf = csrf_field(&html);
    let cookies = set_cookies(&h).join("; ");
    let r = client
        .post(server.url("/sign-in"))
        .header("cookie", &cookies)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "ana@city.example"),
            ("password", "wrong password here"),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("The email address or password is wrong")
    );
    let r = client
        .post(server.url("/sign-in"))
        .header("cookie", &cookies)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "ana@city.example"),
            ("password", PASSWORD),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "/",
        "an outside address is never followed"
    );
    let session = set_cookies(r.headers());
    assert!(session.iter().any(|c| c.starts_with("agora_session=ags_")));
    let cookies = session.join("; ");
    // The anonymous token no longer works once signed in.
    let r = client
        .post(server.url("/courses/localizing-the-sdgs/enrolment"))
        .header("cookie", &cookies)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // The session's token, as the page gives it, does.
    let r = client
        .get(server.url("/courses/localizing-the-sdgs"))
        .header("cookie", &cookies)
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    let csrf = csrf_field(&html);
    let r = client
        .post(server.url("/courses/localizing-the-sdgs/enrolment"))
        .header("cookie", &cookies)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/courses/localizing-the-sdgs/lessons/")
    );
    // Someone else's lesson page: enrol first.
    let other = server.learner("bo@city.example").await;
    let r = client
        .get(server.url("/courses/building-a-learning-city/lessons/what-is-lifelong-learning"))
        .header("cookie", other.cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/courses/building-a-learning-city");
}

#[tokio::test]
async fn the_catalogue_is_light_compressed_and_cached() {
    let server = TestServer::start().await;
    let client = browser_client();
    let r = client
        .get(server.url("/courses"))
        .header("accept", "text/html")
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers().contains_key("content-encoding"),
        "the page is not compressed"
    );
    let html_compressed = r.bytes().await.unwrap().len();
    let (_, _, html) = page(&server, "/courses", "en").await;
    let mut total = html_compressed;
    for ext in ["css", "js"] {
        let at = html.find(&format!(".{ext}\"")).expect("an asset link");
        let start = html[..at].rfind("/static/").unwrap();
        let href = &html[start..at + ext.len() + 1];
        let r = client
            .get(server.url(href))
            .header("accept-encoding", "br, gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{href}");
        assert_eq!(
            r.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert!(r.headers().contains_key("content-encoding"), "{href}");
        total += r.bytes().await.unwrap().len();
    }
    assert!(!html.contains("<img"), "no images on the catalogue");
    assert!(total < 60 * 1024, "the catalogue weighs {total} bytes");
    eprintln!("catalogue page: {total} bytes transferred");
    // An asset under an old hash is gone.
    let r = client
        .get(server.url("/static/app.0000000000.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn the_catalogue_filters_and_searches() {
    let server = TestServer::start().await;
    let (_, _, all) = page(&server, "/courses", "en").await;
    let count = |html: &str| html.matches("class=\"course-card\"").count();
    let shipped = agora_tests::shipped_courses().len();
    assert_eq!(count(&all), shipped);
    let (_, _, sendai) = page(&server, "/courses?theme=sendai:1", "en").await;
    assert!(count(&sendai) >= 1 && count(&sendai) < shipped, "{sendai}");
    assert!(sendai.contains("Localizing the Sendai Framework"));
    // Accents and case do not matter.
    let (_, _, found) = page(&server, "/courses?q=S%C3%89NDAI", "en").await;
    assert!(found.contains("Localizing the Sendai Framework"), "{found}");
    // The search box asks the search service: synonyms and typos, ranked.
    let (_, _, vlr) = page(&server, "/courses?q=VLR", "en").await;
    let cards: Vec<&str> = vlr.split("class=\"course-card\"").skip(1).collect();
    assert!(!cards.is_empty(), "{vlr}");
    assert!(cards[0].contains("Voluntary Local Review"), "{vlr}");
    let (_, _, typo) = page(&server, "/courses?q=resilence", "en").await;
    assert!(typo.contains("Localizing the Sendai Framework"), "{typo}");
    // Words and filters together.
    let (_, _, both) = page(&server, "/courses?q=local&level=advanced", "en").await;
    assert!(count(&both) < 5, "{both}");
    let (_, _, none) = page(&server, "/courses?q=zzzzqqq", "en").await;
    assert_eq!(count(&none), 0);
    assert!(none.contains("No course matches"));
    // Nonsense filters are ignored, never an error page.
    let (status, _, _) = page(
        &server,
        "/courses?theme=nonsense&level=expert&sort=%00",
        "en",
    )
    .await;
    assert_eq!(status, 200);
}

/// A browser-like client for one learner signed in through the pages.
struct WebLearner {
    cookies: String,
}

impl WebLearner {
    async fn sign_in(server: &TestServer, email: &str) -> WebLearner {
        server.learner(email).await;
        let (_, h, html) = page(server, "/sign-in", "en").await;
        let csrf = csrf_field(&html);
        let r = browser_client()
            .post(server.url("/sign-in"))
            .header("cookie", set_cookies(&h).join("; "))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", email),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        WebLearner {
            // The session and its CSRF token; not the one-time message.
            cookies: set_cookies(r.headers())
                .into_iter()
                .filter(|c| !c.starts_with("agora_flash="))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }

    async fn get(&self, server: &TestServer, path: &str) -> reqwest::Response {
        browser_client()
            .get(server.url(path))
            .header("cookie", &self.cookies)
            .header("accept", "text/html")
            .send()
            .await
            .unwrap()
    }

    /// Posts a form the way the page would, with its CSRF token.
    async fn post(
        &self,
        server: &TestServer,
        page_path: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let html = self.get(server, page_path).await.text().await.unwrap();
        let csrf = csrf_field(&html);
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        browser_client()
            .post(server.url(action))
            .header("cookie", &self.cookies)
            .header("accept", "text/html")
            .form(&form)
            .send()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn account_settings_change_name_language_and_reminders_export_and_delete() {
    let server = TestServer::start().await;
    let ana = WebLearner::sign_in(&server, "ana@city.example").await;
    let html = ana.get(&server, "/account").await.text().await.unwrap();
    assert!(
        html.contains("ana@city.example") && html.contains("Ana Silva"),
        "{html}"
    );

    // A name too long is refused next to the field; nothing changes.
    let long = "n".repeat(300);
    let r = ana
        .post(
            &server,
            "/account",
            "/account",
            &[
                ("display_name", &long),
                ("locale", "fr"),
                ("reminders", "on"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("id=\"display_name-error\"")
    );

    // Name, language and reminders (unchecked box: no more reminders).
    let r = ana
        .post(
            &server,
            "/account",
            "/account",
            &[("display_name", "Ana Souza"), ("locale", "fr")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let flash = set_cookies(r.headers()).join("; ");
    assert!(
        flash.contains("agora_flash=ok.flash-settings-saved"),
        "{flash}"
    );
    let html = browser_client()
        .get(server.url("/account"))
        .header("cookie", format!("{}; {flash}", ana.cookies))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<html lang=\"fr\""),
        "the page follows the saved language"
    );
    assert!(html.contains("Ana Souza"));
    assert!(
        html.contains("Vos paramètres sont enregistrés"),
        "no flash message: {html}"
    );
    assert!(
        !html.contains("name=\"reminders\" value=\"on\" checked"),
        "{html}"
    );
    let conn = server.conn().await;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let u = agora_core::entities::user::Entity::find()
        .filter(agora_core::entities::user::Column::Email.eq("ana@city.example"))
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    assert!(u.reminders_opt_out);
    assert_eq!(u.locale, "fr");

    // The language switcher changes the saved preference too.
    let r = ana
        .post(
            &server,
            "/account",
            "/language",
            &[("lang", "es"), ("next", "/courses?lang=fr")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/courses?lang=fr");
    let html = ana.get(&server, "/courses").await.text().await.unwrap();
    assert!(html.contains("<html lang=\"es\""));

    // Download my data.
    let r = ana.get(&server, "/account/export").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let data: serde_json::Value = r.json().await.unwrap();
    assert!(data.to_string().contains("ana@city.example"));

    // Delete: the wrong password is refused in place, the right one deletes.
    let r = ana
        .post(
            &server,
            "/account",
            "/account/deletion",
            &[("password", "not my password at all")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("id=\"password-error\""));
    let r = ana
        .post(
            &server,
            "/account",
            "/account/deletion",
            &[("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = ana.get(&server, "/account").await;
    assert_eq!(r.status(), 303, "the session is gone with the account");
    assert!(
        agora_core::entities::user::Entity::find()
            .filter(agora_core::entities::user::Column::Email.eq("ana@city.example"))
            .one(&conn)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn anonymous_readers_switch_language_with_the_switcher() {
    let server = TestServer::start().await;
    let (_, h, html) = page(&server, "/courses", "en").await;
    let csrf = csrf_field(&html);
    let cookies = set_cookies(&h).join("; ");
    let r = browser_client()
        .post(server.url("/language"))
        .header("cookie", &cookies)
        .form(&[
            ("csrf", csrf.as_str()),
            ("lang", "fr"),
            ("next", "/courses"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let lang = set_cookies(r.headers()).join("; ");
    assert!(lang.contains("agora_lang=fr"));
    let r = browser_client()
        .get(server.url("/courses"))
        .header("cookie", format!("{cookies}; {lang}"))
        .header("accept-language", "es")
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(
        html.contains("<html lang=\"fr\""),
        "the choice beats Accept-Language"
    );
}

#[tokio::test]
async fn password_reset_through_the_pages() {
    let server = TestServer::start().await;
    server.learner("ana@city.example").await;
    let (_, h, html) = page(&server, "/forgot-password", "en").await;
    let csrf = csrf_field(&html);
    let cookies = set_cookies(&h).join("; ");
    let r = browser_client()
        .post(server.url("/forgot-password"))
        .header("cookie", &cookies)
        .form(&[("csrf", csrf.as_str()), ("email", "ana@city.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let token = server
        .mail_token("mail.password_reset", "ana@city.example")
        .await
        .expect("a reset mail job");
    let (status, _, html) = page(&server, &format!("/reset-password?token={token}"), "en").await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("value=\"{token}\"")));
    let post = |password: &'static str, token: String| {
        let cookies = cookies.clone();
        let csrf = csrf.clone();
        let url = server.url("/reset-password");
        async move {
            browser_client()
                .post(url)
                .header("cookie", cookies)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("token", token.as_str()),
                    ("password", password),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let r = post("password", token.clone()).await;
    assert_eq!(r.status(), 422, "a weak password is refused in place");
    let r = post("copper kettle mountain breeze", token.clone()).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/sign-in");
    let r = post("copper kettle mountain breeze", token).await;
    assert_eq!(r.status(), 400, "a spent link says so");
    assert!(
        server
            .sign_in("ana@city.example", "copper kettle mountain breeze")
            .await
            .status()
            == 200
    );
}

#[tokio::test]
async fn files_that_lessons_link_to_download_for_enrolled_learners() {
    let server = TestServer::start().await;
    let ana = WebLearner::sign_in(&server, "ana@city.example").await;
    let path = "/courses/building-a-learning-city/resources/learning-city-self-assessment.md";
    // Not enrolled: back to the course page.
    let r = ana.get(&server, path).await;
    assert_eq!(r.status(), 303);
    let r = ana
        .post(
            &server,
            "/courses/building-a-learning-city",
            "/courses/building-a-learning-city/enrolment",
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = ana.get(&server, path).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("learning-city-self-assessment.md")
    );
    assert!(!r.bytes().await.unwrap().is_empty());
    // The link in the lesson's text points there.
    let html = ana
        .get(
            &server,
            "/courses/building-a-learning-city/lessons/governance-and-partnerships",
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(path), "{html}");
    let r = ana
        .get(
            &server,
            "/courses/building-a-learning-city/resources/nothing.md",
        )
        .await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn the_course_page_lists_the_courses_sources() {
    let server = TestServer::start().await;
    for (lang, heading) in [("en", "Sources"), ("fr", "Sources"), ("es", "Fuentes")] {
        let (status, _, html) = page(&server, "/courses/localizing-sendai-framework", lang).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&format!(">{heading}</h2>")), "{lang}: {html}");
        assert!(
            html.contains("<a href=\"https://www.undrr.org/publication/sendai-framework-disaster-risk-reduction-2015-2030\">Sendai Framework for Disaster Risk Reduction 2015-2030</a>. United Nations Office for Disaster Risk Reduction (UNDRR), 2015."),
            "{lang}: {html}"
        );
    }
}
