//! Server-rendered pages reached from outside the app: the public
//! certificate verification page and the one-click unsubscribe page. They
//! work without JavaScript and answer readable pages for every error.

use std::sync::OnceLock;

use agora_core::{
    certificates, certificates::pdf::format_date, domain::Locale, mail::templates::format_hours,
    notifications,
};
use handlebars::Handlebars;
use poem::{
    IntoResponse, Request, Response, handler,
    http::StatusCode,
    web::{Data, Html, Path, Query},
};
use serde::{Deserialize, Serialize};

use crate::state::AppState;

fn registry() -> &'static Handlebars<'static> {
    static R: OnceLock<Handlebars<'static>> = OnceLock::new();
    R.get_or_init(|| {
        let mut h = Handlebars::new();
        h.set_strict_mode(true);
        for (name, src) in [
            (
                "layout",
                include_str!("../../frontend/templates/pages/layout.hbs"),
            ),
            (
                "certificate",
                include_str!("../../frontend/templates/pages/certificate.hbs"),
            ),
            (
                "message",
                include_str!("../../frontend/templates/pages/message.hbs"),
            ),
        ] {
            h.register_template_string(name, src)
                .unwrap_or_else(|e| panic!("page template {name}: {e}"));
        }
        h
    })
}

/// The page's language: `?lang=`, then `Accept-Language`, then English.
fn locale(req: &Request, lang: Option<&str>) -> Locale {
    let mut preferred = Vec::new();
    if let Some(Ok(Some(l))) = lang.map(Locale::from_tag) {
        preferred.push(l);
    }
    if let Some(h) = req.header("accept-language") {
        preferred.extend(Locale::from_accept_language(h));
    }
    preferred.first().copied().unwrap_or(Locale::En)
}

#[derive(Serialize)]
struct Language {
    code: &'static str,
    name: &'static str,
    current: bool,
}

#[derive(Serialize)]
struct Layout<'a> {
    lang: &'a str,
    title: &'a str,
    body: &'a str,
    skip: &'a str,
    language_label: &'a str,
    languages: Vec<Language>,
}

fn page(status: StatusCode, locale: Locale, title: &str, body: String) -> Response {
    let chrome = match locale {
        Locale::En => ("Skip to content", "Language"),
        Locale::Fr => ("Aller au contenu", "Langue"),
        Locale::Es => ("Ir al contenido", "Idioma"),
    };
    let languages = [
        (Locale::En, "English"),
        (Locale::Fr, "Français"),
        (Locale::Es, "Español"),
    ]
    .into_iter()
    .map(|(l, name)| Language {
        code: l.as_str(),
        name,
        current: l == locale,
    })
    .collect();
    let html = registry()
        .render(
            "layout",
            &Layout {
                lang: locale.as_str(),
                title,
                body: &body,
                skip: chrome.0,
                language_label: chrome.1,
                languages,
            },
        )
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "the page layout did not render");
            "<!DOCTYPE html><title>Agora</title><p>Something went wrong on our side.</p>".into()
        });
    Html(html)
        .with_status(status)
        .with_header("Cache-Control", "no-store")
        .with_header(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        )
        .with_header("X-Content-Type-Options", "nosniff")
        .with_header("Referrer-Policy", "strict-origin-when-cross-origin")
        .into_response()
}

#[derive(Serialize)]
struct Message<'a> {
    heading: &'a str,
    message: &'a str,
    link: Option<&'a str>,
    link_text: &'a str,
}

fn message(status: StatusCode, locale: Locale, heading: &str, text: &str) -> Response {
    let body = registry()
        .render(
            "message",
            &Message {
                heading,
                message: text,
                link: Some("/"),
                link_text: match locale {
                    Locale::En => "Go to the catalogue",
                    Locale::Fr => "Aller au catalogue",
                    Locale::Es => "Ir al catálogo",
                },
            },
        )
        .unwrap_or_default();
    page(status, locale, heading, body)
}

fn unavailable(locale: Locale) -> Response {
    let (h, m) = match locale {
        Locale::En => (
            "Something went wrong",
            "Something went wrong on our side. Please try again in a moment.",
        ),
        Locale::Fr => (
            "Une erreur est survenue",
            "Une erreur est survenue de notre côté. Merci de réessayer dans un instant.",
        ),
        Locale::Es => (
            "Se produjo un error",
            "Se produjo un error por nuestra parte. Vuelva a intentarlo en un momento.",
        ),
    };
    message(StatusCode::SERVICE_UNAVAILABLE, locale, h, m)
}

#[derive(Serialize)]
struct CertificateWords {
    heading: &'static str,
    valid: &'static str,
    revoked: &'static str,
    holder: &'static str,
    course: &'static str,
    completed: &'static str,
    hours: &'static str,
    issuer: &'static str,
    code: &'static str,
    explain: &'static str,
}

fn certificate_words(l: Locale) -> CertificateWords {
    match l {
        Locale::En => CertificateWords {
            heading: "Certificate of completion",
            valid: "Valid certificate",
            revoked: "Revoked certificate",
            holder: "Awarded to",
            course: "Course",
            completed: "Completed on",
            hours: "Study time",
            issuer: "Issued by",
            code: "Verification code",
            explain: "This page is the authoritative record of this certificate. If the details on a printed copy differ, this page is right.",
        },
        Locale::Fr => CertificateWords {
            heading: "Certificat de réussite",
            valid: "Certificat valide",
            revoked: "Certificat révoqué",
            holder: "Décerné à",
            course: "Cours",
            completed: "Terminé le",
            hours: "Temps d’étude",
            issuer: "Délivré par",
            code: "Code de vérification",
            explain: "Cette page fait foi pour ce certificat. Si une copie imprimée diffère, c’est cette page qui est juste.",
        },
        Locale::Es => CertificateWords {
            heading: "Certificado de finalización",
            valid: "Certificado válido",
            revoked: "Certificado revocado",
            holder: "Otorgado a",
            course: "Curso",
            completed: "Completado el",
            hours: "Tiempo de estudio",
            issuer: "Expedido por",
            code: "Código de verificación",
            explain: "Esta página es el registro oficial de este certificado. Si una copia impresa difiere, lo correcto es lo que dice esta página.",
        },
    }
}

#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

#[derive(Serialize)]
struct CertificatePage {
    t: CertificateWords,
    valid: bool,
    revoked_notice: String,
    holder_name: String,
    course_title: String,
    course_link: Option<String>,
    completed_on: String,
    hours: String,
    issuer: String,
    code: String,
}

/// `/certificates/{code}`: anyone may verify a certificate.
#[handler]
pub async fn certificate(
    req: &Request,
    state: Data<&AppState>,
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let l = locale(req, q.lang.as_deref());
    let v = match certificates::verify(&state.db, &code).await {
        Ok(v) => v,
        Err(agora_core::Error::NotFound { .. }) => {
            let (h, m) = match l {
                Locale::En => (
                    "No such certificate",
                    "No certificate has this code. Check that it was copied in full: it has four groups of five letters and digits.",
                ),
                Locale::Fr => (
                    "Certificat introuvable",
                    "Aucun certificat ne porte ce code. Vérifiez qu’il a été copié en entier : il compte quatre groupes de cinq lettres et chiffres.",
                ),
                Locale::Es => (
                    "Certificado no encontrado",
                    "Ningún certificado tiene este código. Compruebe que se copió completo: tiene cuatro grupos de cinco letras y cifras.",
                ),
            };
            return message(StatusCode::NOT_FOUND, l, h, m);
        }
        Err(e) => {
            tracing::error!(error = %e, "certificate verification failed");
            return unavailable(l);
        }
    };
    let t = certificate_words(l);
    let revoked_notice = v
        .revoked_at
        .map(|at| match l {
            Locale::En => format!(
                "This certificate was revoked on {}.",
                format_date(l, at.date())
            ),
            Locale::Fr => format!(
                "Ce certificat a été révoqué le {}.",
                format_date(l, at.date())
            ),
            Locale::Es => format!(
                "Este certificado fue revocado el {}.",
                format_date(l, at.date())
            ),
        })
        .unwrap_or_default();
    let title = t.heading;
    let body = CertificatePage {
        valid: v.is_valid(),
        revoked_notice,
        holder_name: v.holder_name,
        course_title: v.course_title,
        course_link: (!v.course_slug.is_empty()).then(|| format!("/courses/{}", v.course_slug)),
        completed_on: format_date(l, v.completed_at.date()),
        hours: format_hours(l, v.duration_minutes),
        issuer: state.config.certificate_issuer.clone(),
        code: v.code,
        t,
    };
    match registry().render("certificate", &body) {
        Ok(html) => page(StatusCode::OK, l, title, html),
        Err(e) => {
            tracing::error!(error = %e, "the certificate page did not render");
            unavailable(l)
        }
    }
}

#[derive(Deserialize)]
pub struct UnsubscribeQuery {
    token: Option<String>,
    lang: Option<String>,
}

/// `/unsubscribe?token=…`: one click (a GET from the mail's link, or the
/// RFC 8058 POST a mail client sends) stops reminder emails.
#[handler]
pub async fn unsubscribe(
    req: &Request,
    state: Data<&AppState>,
    Query(q): Query<UnsubscribeQuery>,
) -> Response {
    let fallback = locale(req, q.lang.as_deref());
    match notifications::unsubscribe(&state.db, q.token.as_deref().unwrap_or("")).await {
        Ok(user_locale) => {
            let l = if q.lang.is_some() {
                fallback
            } else {
                user_locale
            };
            let (h, m) = match l {
                Locale::En => (
                    "You are unsubscribed",
                    "You will no longer receive reminders about courses you have paused. You can turn them back on in your account settings.",
                ),
                Locale::Fr => (
                    "Vous êtes désabonné·e",
                    "Vous ne recevrez plus de rappels pour les cours mis en pause. Vous pouvez les réactiver dans les paramètres de votre compte.",
                ),
                Locale::Es => (
                    "Ha cancelado la suscripción",
                    "Ya no recibirá recordatorios sobre los cursos que ha dejado en pausa. Puede volver a activarlos en la configuración de su cuenta.",
                ),
            };
            message(StatusCode::OK, l, h, m)
        }
        Err(agora_core::Error::NotFound { .. }) => {
            let (h, m) = match fallback {
                Locale::En => (
                    "This link does not work",
                    "This unsubscribe link is not valid. Copy the whole link from the email, or change your email preferences in your account settings.",
                ),
                Locale::Fr => (
                    "Ce lien ne fonctionne pas",
                    "Ce lien de désabonnement n’est pas valide. Copiez le lien entier depuis l’e-mail, ou modifiez vos préférences dans les paramètres de votre compte.",
                ),
                Locale::Es => (
                    "Este enlace no funciona",
                    "Este enlace para cancelar la suscripción no es válido. Copie el enlace completo del correo o cambie sus preferencias en la configuración de su cuenta.",
                ),
            };
            message(StatusCode::NOT_FOUND, fallback, h, m)
        }
        Err(e) => {
            tracing::error!(error = %e, "unsubscribe failed");
            unavailable(fallback)
        }
    }
}
