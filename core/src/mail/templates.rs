//! Email templates: for each message and locale a subject, a plain-text body
//! and an HTML body, embedded in the binary and rendered with handlebars from
//! a typed context.

use std::sync::OnceLock;

use handlebars::Handlebars;
use serde::Serialize;

use crate::{Error, Result, domain::Locale};

/// A message Agora sends. Each implementor is the typed context of its template.
pub trait Email: Serialize {
    /// The template's name, `frontend/templates/email/<locale>/<NAME>.hbs`.
    const NAME: &'static str;
}

#[derive(Serialize)]
pub struct VerifyEmail {
    pub name: String,
    pub link: String,
    pub hours: u64,
}
impl Email for VerifyEmail {
    const NAME: &'static str = "verify_email";
}

#[derive(Serialize)]
pub struct AccountExists {
    pub name: String,
    pub sign_in_link: String,
    pub reset_link: String,
}
impl Email for AccountExists {
    const NAME: &'static str = "account_exists";
}

#[derive(Serialize)]
pub struct PasswordReset {
    pub name: String,
    pub link: String,
    pub minutes: u64,
}
impl Email for PasswordReset {
    const NAME: &'static str = "password_reset";
}

#[derive(Serialize)]
pub struct Enrolled {
    pub name: String,
    pub course_title: String,
    pub course_summary: String,
    /// "3 modules", already in the locale's words.
    pub modules: String,
    /// "12 lessons".
    pub lessons: String,
    /// Already formatted for the locale, e.g. "2 h 30 min".
    pub duration: String,
    pub first_lesson_title: String,
    pub first_lesson_link: String,
    pub course_link: String,
}
impl Email for Enrolled {
    const NAME: &'static str = "enrolled";
}

#[derive(Serialize)]
pub struct Completed {
    pub name: String,
    pub course_title: String,
    /// Already formatted for the locale.
    pub hours: String,
    pub certificate_link: String,
    pub code: String,
}
impl Email for Completed {
    const NAME: &'static str = "completed";
}

#[derive(Serialize)]
pub struct Reminder {
    pub name: String,
    pub course_title: String,
    pub days: i64,
    pub percent: u8,
    pub continue_link: String,
    pub unsubscribe_link: String,
}
impl Email for Reminder {
    const NAME: &'static str = "reminder";
}

/// An invitation to join an organisation on Agora.
#[derive(Serialize)]
pub struct OrganisationInvitation {
    pub organisation: String,
    pub inviter: String,
    pub link: String,
    pub days: i64,
}
impl Email for OrganisationInvitation {
    const NAME: &'static str = "organisation_invitation";
}

/// A facilitator's decision on an organisation's application to a cohort.
#[derive(Serialize)]
pub struct CohortDecision {
    pub name: String,
    pub cohort: String,
    pub organisation: String,
    pub accepted: bool,
    pub waitlisted: bool,
    pub declined: bool,
    /// The facilitator's message; empty when none.
    pub message: String,
    pub link: String,
}
impl Email for CohortDecision {
    const NAME: &'static str = "cohort_decision";
}

/// A live session of a cohort begins soon.
#[derive(Serialize)]
pub struct SessionReminderEmail {
    pub name: String,
    pub cohort: String,
    pub session: String,
    /// The start, in the member's time zone.
    pub when: String,
    /// 24 or 1.
    pub hours: i64,
    /// Empty when the session has no join link.
    pub join_url: String,
    pub link: String,
}
impl Email for SessionReminderEmail {
    const NAME: &'static str = "cohort_session_reminder";
}

/// A facilitator's announcement to a cohort's members; one may opt out.
#[derive(Serialize)]
pub struct CohortAnnouncement {
    pub name: String,
    pub cohort: String,
    pub author: String,
    pub title: String,
    /// The Markdown, for the plain-text part.
    pub body: String,
    /// The Markdown rendered and sanitised, for the HTML part.
    pub body_html: String,
    pub link: String,
    pub unsubscribe_link: String,
}
impl Email for CohortAnnouncement {
    const NAME: &'static str = "cohort_announcement";
}

/// A member completed a cohort: its certificate is ready.
#[derive(Serialize)]
pub struct CohortCertificateEmail {
    pub name: String,
    pub cohort: String,
    pub course_title: String,
    pub certificate_link: String,
    pub code: String,
}
impl Email for CohortCertificateEmail {
    const NAME: &'static str = "cohort_certificate";
}

/// A "Contact this city" message, to the practice's contact.
#[derive(Serialize)]
pub struct PracticeContact {
    pub name: String,
    pub sender: String,
    /// The sender's organisation; empty when they have none.
    pub organisation: String,
    pub practice: String,
    pub practice_link: String,
    /// Plain text as written (escaped in the HTML part).
    pub body: String,
    pub reveal_link: String,
    pub refuse_link: String,
}
impl Email for PracticeContact {
    const NAME: &'static str = "practice_contact";
}

/// The address a practice's contact chose to share with a sender.
#[derive(Serialize)]
pub struct PracticeReveal {
    pub name: String,
    pub recipient: String,
    pub address: String,
    pub practice: String,
    pub practice_link: String,
}
impl Email for PracticeReveal {
    const NAME: &'static str = "practice_reveal";
}

/// Someone posted in a discussion the reader hears of at once.
#[derive(Serialize)]
pub struct DiscussionActivity {
    pub name: String,
    pub actor: String,
    pub space: String,
    pub thread_title: String,
    /// One of these four is true.
    pub mention: bool,
    pub reply: bool,
    pub answer: bool,
    pub thread: bool,
    /// The post's words (Markdown as written, cut), for both parts.
    pub excerpt: String,
    pub link: String,
    pub settings_link: String,
    pub unsubscribe_link: String,
}
impl Email for DiscussionActivity {
    const NAME: &'static str = "discussion_activity";
}

/// What happened in a person's discussions over a day or a week.
#[derive(Serialize)]
pub struct DiscussionDigest {
    pub name: String,
    pub daily: bool,
    /// How many threads it lists.
    pub count: usize,
    pub spaces: Vec<DigestSpace>,
    pub settings_link: String,
    pub unsubscribe_link: String,
}
impl Email for DiscussionDigest {
    const NAME: &'static str = "discussion_digest";
}

/// One space of a digest.
#[derive(Serialize)]
pub struct DigestSpace {
    pub title: String,
    pub threads: Vec<DigestThread>,
}

/// One thread of a digest, and what happened in it.
#[derive(Serialize)]
pub struct DigestThread {
    pub title: String,
    pub link: String,
    /// It was started in the period.
    pub new: bool,
    /// Replies in the period (0 when none).
    pub replies: usize,
    pub mentioned: bool,
    pub answered: bool,
}

/// A message ready to send.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

macro_rules! sources {
    ($($locale:literal / $name:literal),* $(,)?) => {
        &[$(($locale, $name, include_str!(concat!("../../../frontend/templates/email/", $locale, "/", $name, ".hbs")))),*]
    };
}

/// Every template, checked at compile time to exist.
const SOURCES: &[(&str, &str, &str)] = sources![
    "en" / "verify_email",
    "en" / "account_exists",
    "en" / "password_reset",
    "en" / "enrolled",
    "en" / "completed",
    "en" / "reminder",
    "en" / "organisation_invitation",
    "en" / "cohort_decision",
    "en" / "cohort_session_reminder",
    "en" / "cohort_announcement",
    "en" / "cohort_certificate",
    "en" / "practice_contact",
    "en" / "practice_reveal",
    "en" / "discussion_activity",
    "en" / "discussion_digest",
    "fr" / "verify_email",
    "fr" / "account_exists",
    "fr" / "password_reset",
    "fr" / "enrolled",
    "fr" / "completed",
    "fr" / "reminder",
    "fr" / "organisation_invitation",
    "fr" / "cohort_decision",
    "fr" / "cohort_session_reminder",
    "fr" / "cohort_announcement",
    "fr" / "cohort_certificate",
    "fr" / "practice_contact",
    "fr" / "practice_reveal",
    "fr" / "discussion_activity",
    "fr" / "discussion_digest",
    "es" / "verify_email",
    "es" / "account_exists",
    "es" / "password_reset",
    "es" / "enrolled",
    "es" / "completed",
    "es" / "reminder",
    "es" / "organisation_invitation",
    "es" / "cohort_decision",
    "es" / "cohort_session_reminder",
    "es" / "cohort_announcement",
    "es" / "cohort_certificate",
    "es" / "practice_contact",
    "es" / "practice_reveal",
    "es" / "discussion_activity",
    "es" / "discussion_digest",
];

const LAYOUT: &str = include_str!("../../../frontend/templates/email/layout.html.hbs");

struct Registries {
    /// Subjects and plain text: nothing is HTML-escaped.
    plain: Handlebars<'static>,
    /// HTML bodies and the layout: everything interpolated is escaped.
    html: Handlebars<'static>,
}

fn split(source: &str) -> std::result::Result<(&str, &str, &str), String> {
    let rest = source
        .strip_prefix("=== subject ===\n")
        .ok_or("must start with `=== subject ===`")?;
    let (subject, rest) = rest
        .split_once("\n=== text ===\n")
        .ok_or("has no `=== text ===` section")?;
    let (text, html) = rest
        .split_once("\n=== html ===\n")
        .ok_or("has no `=== html ===` section")?;
    Ok((subject.trim(), text.trim(), html.trim()))
}

fn registries() -> &'static Registries {
    static REGISTRIES: OnceLock<Registries> = OnceLock::new();
    REGISTRIES.get_or_init(|| {
        let mut plain = Handlebars::new();
        plain.set_strict_mode(true);
        plain.register_escape_fn(handlebars::no_escape);
        let mut html = Handlebars::new();
        html.set_strict_mode(true);
        for (locale, name, source) in SOURCES {
            // The sources are compiled in: a broken one is a bug that the
            // template tests catch, so failing loudly here is right.
            let (subject, text, body) =
                split(source).unwrap_or_else(|e| panic!("email template {locale}/{name} {e}"));
            for (is_html, part, src) in [
                (false, "subject", subject),
                (false, "text", text),
                (true, "html", body),
            ] {
                let registry = if is_html { &mut html } else { &mut plain };
                registry
                    .register_template_string(&format!("{locale}/{name}/{part}"), src)
                    .unwrap_or_else(|e| panic!("email template {locale}/{name}/{part}: {e}"));
            }
        }
        html.register_template_string("layout", LAYOUT)
            .unwrap_or_else(|e| panic!("email layout: {e}"));
        Registries { plain, html }
    })
}

fn footer(locale: Locale) -> &'static str {
    match locale {
        Locale::En => {
            "You receive this message because of your account on Agora, the learning platform for local and regional governments."
        }
        Locale::Fr => {
            "Vous recevez ce message en raison de votre compte sur Agora, la plateforme d’apprentissage des collectivités locales et régionales."
        }
        Locale::Es => {
            "Recibe este mensaje por su cuenta en Agora, la plataforma de aprendizaje para gobiernos locales y regionales."
        }
    }
}

/// Renders `email` in `locale`.
pub fn render<E: Email>(locale: Locale, email: &E) -> Result<Rendered> {
    let r = registries();
    let name = format!("{}/{}", locale.as_str(), E::NAME);
    let fail = |e: handlebars::RenderError| Error::Internal(format!("email {name}: {e}"));
    let subject = r
        .plain
        .render(&format!("{name}/subject"), email)
        .map_err(fail)?;
    let text = r
        .plain
        .render(&format!("{name}/text"), email)
        .map_err(fail)?;
    let body = r
        .html
        .render(&format!("{name}/html"), email)
        .map_err(fail)?;
    #[derive(Serialize)]
    struct Layout<'a> {
        lang: &'a str,
        subject: &'a str,
        body: &'a str,
        footer: &'a str,
    }
    let html = r
        .html
        .render(
            "layout",
            &Layout {
                lang: locale.as_str(),
                subject: &subject,
                body: &body,
                footer: footer(locale),
            },
        )
        .map_err(fail)?;
    Ok(Rendered {
        subject,
        text: text + "\n",
        html,
    })
}

#[derive(Clone, Copy)]
pub enum Noun {
    Module,
    Lesson,
}

/// "1 module", "3 leçons", "2 lecciones".
pub fn count(locale: Locale, n: u32, noun: Noun) -> String {
    let one = n == 1 || (locale == Locale::Fr && n == 0);
    let word = match (locale, noun, one) {
        (Locale::En, Noun::Module, true) => "module",
        (Locale::En, Noun::Module, false) => "modules",
        (Locale::En, Noun::Lesson, true) => "lesson",
        (Locale::En, Noun::Lesson, false) => "lessons",
        (Locale::Fr, Noun::Module, true) => "module",
        (Locale::Fr, Noun::Module, false) => "modules",
        (Locale::Fr, Noun::Lesson, true) => "leçon",
        (Locale::Fr, Noun::Lesson, false) => "leçons",
        (Locale::Es, Noun::Module, true) => "módulo",
        (Locale::Es, Noun::Module, false) => "módulos",
        (Locale::Es, Noun::Lesson, true) => "lección",
        (Locale::Es, Noun::Lesson, false) => "lecciones",
    };
    format!("{n} {word}")
}

/// "2 h 30 min", "45 min", in the locale's way.
pub fn format_duration(locale: Locale, minutes: u32) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    let _ = locale; // h and min are the written abbreviations in all three languages
    match (h, m) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m:02} min"),
    }
}

/// "3 hours", "1,5 heures", "2 horas".
pub fn format_hours(locale: Locale, minutes: u32) -> String {
    let tenths = (minutes * 10 + 30) / 60; // to the nearest tenth of an hour
    let (whole, frac) = (tenths / 10, tenths % 10);
    let number = match (frac, locale) {
        (0, _) => whole.to_string(),
        (f, Locale::En) => format!("{whole}.{f}"),
        (f, _) => format!("{whole},{f}"),
    };
    // French puts everything under two in the singular; English and Spanish only one.
    let one = match locale {
        Locale::Fr => tenths < 20,
        _ => tenths == 10,
    };
    let unit = match (locale, one) {
        (Locale::En, true) => "hour",
        (Locale::En, false) => "hours",
        (Locale::Fr, true) => "heure",
        (Locale::Fr, false) => "heures",
        (Locale::Es, true) => "hora",
        (Locale::Es, false) => "horas",
    };
    format!("{number} {unit}")
}

#[cfg(test)]
mod tests;
