//! Interface strings (Fluent, `frontend/locales/`), and numbers and dates
//! written the way each locale writes them.

use std::collections::HashMap;

use agora_core::domain::Locale;
use fluent_templates::{Loader, fluent_bundle::FluentValue, static_loader};
use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderErrorReason,
};

static_loader! {
    pub static LOCALES = {
        locales: "../frontend/locales",
        fallback_language: "en",
        // Bidi isolation marks would show up in attributes and titles; our
        // three languages are all left-to-right.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

fn lang_id(l: Locale) -> fluent_templates::LanguageIdentifier {
    l.as_str()
        .parse()
        .expect("en, fr and es are language identifiers")
}

/// The string `key` in `locale`, with arguments. A missing key shows the key
/// itself (and the locale-completeness test fails).
pub fn t(locale: Locale, key: &str) -> String {
    t_args(locale, key, &[])
}

pub fn t_args(locale: Locale, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let map: HashMap<std::borrow::Cow<'static, str>, FluentValue<'_>> = args
        .iter()
        .map(|(k, v)| (std::borrow::Cow::Owned((*k).to_owned()), v.clone()))
        .collect();
    LOCALES
        .try_lookup_complete(&lang_id(locale), key, (!map.is_empty()).then_some(&map))
        .unwrap_or_else(|| {
            tracing::warn!(key, locale = locale.as_str(), "missing interface string");
            key.to_owned()
        })
}

/// `{{t "key" name=value}}`: the string in the page's language (`lang` at
/// the root of the context), HTML-escaped like any other `{{value}}`.
pub struct TextHelper;

impl TextHelper {
    fn text<'rc>(h: &Helper<'rc>, ctx: &'rc Context) -> Result<String, RenderErrorReason> {
        let key = h
            .param(0)
            .and_then(|p| p.value().as_str())
            .ok_or(RenderErrorReason::ParamNotFoundForIndex("t", 0))?;
        let locale = ctx
            .data()
            .get("lang")
            .and_then(|v| v.as_str())
            .and_then(|s| s.parse::<Locale>().ok())
            .unwrap_or(Locale::En);
        let args: Vec<(&str, FluentValue<'_>)> = h
            .hash()
            .iter()
            .filter_map(|(k, v)| {
                let v = match v.value() {
                    serde_json::Value::Number(n) => FluentValue::from(n.as_f64()?),
                    serde_json::Value::String(s) => FluentValue::from(s.clone()),
                    _ => return None,
                };
                Some((*k, v))
            })
            .collect();
        Ok(t_args(locale, key, &args))
    }
}

impl HelperDef for TextHelper {
    /// As a subexpression, `(t "key")` is a plain string, escaped wherever it is output.
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<handlebars::ScopedJson<'rc>, handlebars::RenderError> {
        Ok(handlebars::ScopedJson::Derived(serde_json::Value::String(
            Self::text(h, ctx)?,
        )))
    }

    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let text = Self::text(h, ctx)?;
        out.write(&handlebars::html_escape(&text))?;
        Ok(())
    }
}

/// A whole number with the locale's grouping: 12,345 · 12 345 · 12.345.
pub fn format_count(locale: Locale, n: u64) -> String {
    let digits = n.to_string();
    let sep = match locale {
        Locale::En => ",",
        Locale::Fr => "\u{202f}",
        Locale::Es => ".",
    };
    // Spanish groups only from five digits (RAE): 1234 but 12.345.
    if locale == Locale::Es && digits.len() <= 4 {
        return digits;
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

/// A percentage: 42% in English, 42 % in French and Spanish.
pub fn format_percent(locale: Locale, n: u32) -> String {
    match locale {
        Locale::En => format!("{n}%"),
        _ => format!("{n}\u{a0}%"),
    }
}

/// A duration in minutes: "45 min", or hours and minutes.
pub fn format_minutes(locale: Locale, minutes: u32) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m, locale) {
        (0, m, _) => format!("{m}\u{a0}min"),
        (h, 0, _) => format!("{h}\u{a0}h"),
        (h, m, Locale::En) => format!("{h}\u{a0}h {m}\u{a0}min"),
        (h, m, _) => format!("{h}\u{a0}h\u{a0}{m:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_locale() {
        assert_eq!(format_count(Locale::En, 12345), "12,345");
        assert_eq!(format_count(Locale::Fr, 12345), "12\u{202f}345");
        assert_eq!(format_count(Locale::Es, 1234), "1234");
        assert_eq!(format_count(Locale::Es, 1234567), "1.234.567");
        assert_eq!(format_count(Locale::En, 999), "999");
        assert_eq!(format_percent(Locale::Fr, 40), "40\u{a0}%");
        assert_eq!(format_minutes(Locale::En, 193), "3\u{a0}h 13\u{a0}min");
        assert_eq!(format_minutes(Locale::Fr, 193), "3\u{a0}h\u{a0}13");
        assert_eq!(format_minutes(Locale::Es, 30), "30\u{a0}min");
    }
}

/// Every interface string exists in every language, and every key the
/// templates and page code use exists.
#[cfg(test)]
mod completeness {
    use std::collections::BTreeSet;

    const FILES: [(&str, &str); 3] = [
        ("en", include_str!("../../../frontend/locales/en/main.ftl")),
        ("fr", include_str!("../../../frontend/locales/fr/main.ftl")),
        ("es", include_str!("../../../frontend/locales/es/main.ftl")),
    ];

    const CODE: [(&str, &str); 61] = [
        ("web/account.rs", include_str!("../web/account.rs")),
        (
            "web/lti_platforms.rs",
            include_str!("../web/lti_platforms.rs"),
        ),
        ("lti/page.rs", include_str!("../lti/page.rs")),
        ("lti/deep_link.rs", include_str!("../lti/deep_link.rs")),
        ("web/lti_roster.rs", include_str!("../web/lti_roster.rs")),
        ("web/admin.rs", include_str!("../web/admin.rs")),
        ("web/auth.rs", include_str!("../web/auth.rs")),
        (
            "web/author/courses.rs",
            include_str!("../web/author/courses.rs"),
        ),
        (
            "web/author/editor/course.rs",
            include_str!("../web/author/editor/course.rs"),
        ),
        (
            "web/author/editor/forms.rs",
            include_str!("../web/author/editor/forms.rs"),
        ),
        (
            "web/author/editor/lesson.rs",
            include_str!("../web/author/editor/lesson.rs"),
        ),
        (
            "web/author/editor/mod.rs",
            include_str!("../web/author/editor/mod.rs"),
        ),
        (
            "web/author/editor/module.rs",
            include_str!("../web/author/editor/module.rs"),
        ),
        (
            "web/author/editor/preview.rs",
            include_str!("../web/author/editor/preview.rs"),
        ),
        (
            "web/author/editor/quiz.rs",
            include_str!("../web/author/editor/quiz.rs"),
        ),
        (
            "web/author/files.rs",
            include_str!("../web/author/files.rs"),
        ),
        (
            "web/author/media.rs",
            include_str!("../web/author/media.rs"),
        ),
        ("web/author/mod.rs", include_str!("../web/author/mod.rs")),
        (
            "web/catalogue/mod.rs",
            include_str!("../web/catalogue/mod.rs"),
        ),
        (
            "web/catalogue/course_page.rs",
            include_str!("../web/catalogue/course_page.rs"),
        ),
        (
            "web/certificates.rs",
            include_str!("../web/certificates.rs"),
        ),
        ("web/embed.rs", include_str!("../web/embed.rs")),
        (
            "web/learning/mod.rs",
            include_str!("../web/learning/mod.rs"),
        ),
        (
            "web/learning/my_learning.rs",
            include_str!("../web/learning/my_learning.rs"),
        ),
        (
            "web/learning/player.rs",
            include_str!("../web/learning/player.rs"),
        ),
        ("web/mod.rs", include_str!("../web/mod.rs")),
        ("web/reports.rs", include_str!("../web/reports.rs")),
        ("web/ctx.rs", include_str!("../web/ctx.rs")),
        ("web/form.rs", include_str!("../web/form.rs")),
        (
            "web/org_reports/mod.rs",
            include_str!("../web/org_reports/mod.rs"),
        ),
        (
            "web/org_reports/page.rs",
            include_str!("../web/org_reports/page.rs"),
        ),
        (
            "web/org_reports/organisation.rs",
            include_str!("../web/org_reports/organisation.rs"),
        ),
        (
            "web/org_reports/network.rs",
            include_str!("../web/org_reports/network.rs"),
        ),
        (
            "web/organisations/mod.rs",
            include_str!("../web/organisations/mod.rs"),
        ),
        (
            "web/organisations/manage.rs",
            include_str!("../web/organisations/manage.rs"),
        ),
        (
            "web/organisations/mine.rs",
            include_str!("../web/organisations/mine.rs"),
        ),
        (
            "web/organisations/public.rs",
            include_str!("../web/organisations/public.rs"),
        ),
        (
            "web/organisations/networks.rs",
            include_str!("../web/organisations/networks.rs"),
        ),
        (
            "web/organisations/placement.rs",
            include_str!("../web/organisations/placement.rs"),
        ),
        (
            "api/partners/listing.rs",
            include_str!("../api/partners/listing.rs"),
        ),
        ("web/cohorts/mod.rs", include_str!("../web/cohorts/mod.rs")),
        (
            "web/cohorts/list.rs",
            include_str!("../web/cohorts/list.rs"),
        ),
        (
            "web/cohorts/page.rs",
            include_str!("../web/cohorts/page.rs"),
        ),
        (
            "web/cohorts/apply.rs",
            include_str!("../web/cohorts/apply.rs"),
        ),
        (
            "web/cohorts/edit.rs",
            include_str!("../web/cohorts/edit.rs"),
        ),
        (
            "web/cohorts/applications.rs",
            include_str!("../web/cohorts/applications.rs"),
        ),
        (
            "web/cohorts/sessions.rs",
            include_str!("../web/cohorts/sessions.rs"),
        ),
        (
            "web/cohorts/dashboard.rs",
            include_str!("../web/cohorts/dashboard.rs"),
        ),
        (
            "web/cohorts/followup.rs",
            include_str!("../web/cohorts/followup.rs"),
        ),
        ("http/page.rs", include_str!("../http/page.rs")),
        (
            "web/discussions/mod.rs",
            include_str!("../web/discussions/mod.rs"),
        ),
        (
            "web/discussions/space.rs",
            include_str!("../web/discussions/space.rs"),
        ),
        (
            "web/discussions/thread.rs",
            include_str!("../web/discussions/thread.rs"),
        ),
        (
            "web/discussions/actions.rs",
            include_str!("../web/discussions/actions.rs"),
        ),
        (
            "web/discussions/notifications.rs",
            include_str!("../web/discussions/notifications.rs"),
        ),
        (
            "web/discussions/mail.rs",
            include_str!("../web/discussions/mail.rs"),
        ),
        (
            "web/discussions/search.rs",
            include_str!("../web/discussions/search.rs"),
        ),
        (
            "web/discussions/lesson.rs",
            include_str!("../web/discussions/lesson.rs"),
        ),
        (
            "web/discussions/spaces.rs",
            include_str!("../web/discussions/spaces.rs"),
        ),
        (
            "web/discussions/history.rs",
            include_str!("../web/discussions/history.rs"),
        ),
        ("i18n.rs", ""),
    ];

    fn keys(ftl: &str) -> BTreeSet<String> {
        ftl.lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_owned()))
            .collect()
    }

    /// Keys built at run time from a family name.
    fn dynamic_keys() -> Vec<String> {
        let mut out = vec![];
        for l in ["beginner", "intermediate", "advanced"] {
            out.push(format!("level-{l}"));
        }
        for m in agora_core::discussions::MailMode::ALL {
            out.push(format!("discussion-mail-{}", m.as_str()));
        }
        for k in [
            "discussion-unsubscribed-space",
            "discussion-unsubscribed-all",
        ] {
            out.push(format!("{k}-title"));
            out.push(format!("{k}-text"));
        }
        for k in ["text", "video", "resource", "quiz"] {
            out.push(format!("kind-{k}"));
        }
        for k in ["single", "multiple", "true_false"] {
            out.push(format!("question-kind-{k}"));
        }
        for s in ["popular", "title", "newest", "duration", "duration-desc"] {
            out.push(format!("sort-{s}"));
        }
        for n in 1..=17 {
            out.push(format!("sdg-{n}"));
        }
        for n in 1..=4 {
            out.push(format!("sendai-{n}"));
        }
        for l in ["en", "fr", "es"] {
            out.push(format!("report-locale-{l}"));
        }
        for k in [
            "municipality",
            "region",
            "metropolitan",
            "association",
            "other",
        ] {
            out.push(format!("org-kind-{k}"));
        }
        for f in crate::web::cohorts::FIELDS {
            out.push(format!("cohort-field-{f}"));
        }
        for a in ["open", "application", "invitation"] {
            out.push(format!("cohort-admission-{a}"));
        }
        for st in ["draft", "open", "closed"] {
            out.push(format!("cohort-status-{st}"));
        }
        for r in ["admin", "author", "facilitator", "member"] {
            out.push(format!("cohort-role-{r}"));
        }
        for d in ["pending", "accepted", "waitlisted", "declined"] {
            out.push(format!("cohort-application-{d}"));
        }
        for k in ["course", "cohort", "community"] {
            out.push(format!("discussion-kind-{k}"));
        }
        for k in ["latest", "unanswered", "helpful"] {
            out.push(format!("discussion-sort-{k}"));
        }
        for k in ["title", "lesson", "body"] {
            out.push(format!("discussion-error-{k}"));
        }
        for k in ["reply", "mention", "answer", "thread"] {
            out.push(format!("notification-{k}"));
        }
        for r in ["002", "019", "142", "150", "009"] {
            out.push(format!("m49-{r}"));
        }
        for r in agora_core::lti::Rejection::ALL {
            out.push(format!("lti-rejected-{}", r.code()));
        }
        for e in ["400", "403", "404", "429", "500", "503"] {
            out.push(format!("error-{e}-title"));
            out.push(format!("error-{e}-text"));
        }
        for m in [
            "verified",
            "verify-failed",
            "reset-failed",
            "certificate-unknown",
            "unsubscribed",
            "unsubscribe-failed",
            "discussion-unsubscribed-space",
            "discussion-unsubscribed-all",
        ] {
            out.push(format!("{m}-title"));
            out.push(format!("{m}-text"));
        }
        out
    }

    /// `"some-key"` string literals of the page code that name strings.
    fn literal_keys(src: &str) -> Vec<String> {
        let not_keys = [
            "no-store",
            "same-origin",
            "x-content-type-options",
            "content-security-policy",
            "referrer-policy",
            "x-frame-options",
            "cross-origin-opener-policy",
            "accept-language",
            // The data saver's request header (`Save-Data: on`).
            "save-data",
            "embed-frame",
            "x-api-key",
            "text-",
            "sign-in",
            "my-learning",
            "field-error",
            "course-card",
            "sign-up",
            "my-learning",
            "sendai-",
            "sdg-",
            "kind-",
            "level-",
            "sort-",
            "error-",
            "flash-",
            // Form actions of the course editor.
            "add-module",
            "new-module",
            "add-lesson",
            "module-up",
            "module-down",
            "remove-module",
            "lesson-up",
            "lesson-down",
            "remove-lesson",
            // Message families: `-title` and `-text` are checked below.
            "verify-failed",
            "reset-failed",
            "certificate-unknown",
            "unsubscribe-failed",
            "discussion-unsubscribed-space",
            "discussion-unsubscribed-all",
        ];
        src.split('"')
            .skip(1)
            .step_by(2)
            .filter(|s| {
                s.len() > 3
                    && s.contains('-')
                    && s.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !s.starts_with('-')
                    && !s.ends_with('-')
            })
            .filter(|s| !not_keys.contains(s))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn every_key_is_in_every_language() {
        let en = keys(FILES[0].1);
        assert!(en.len() > 100, "the English file did not parse");
        for (lang, ftl) in &FILES[1..] {
            let other = keys(ftl);
            let missing: Vec<_> = en.difference(&other).collect();
            let extra: Vec<_> = other.difference(&en).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            assert!(extra.is_empty(), "{lang} has keys English lacks: {extra:?}");
        }
    }

    #[test]
    fn every_key_used_exists() {
        let en = keys(FILES[0].1);
        let mut used: Vec<(String, String)> = vec![];
        for (name, src) in super::super::templates::PAGES {
            for part in src.split("t \"").skip(1) {
                let key = part.split('"').next().unwrap_or_default();
                used.push((name.to_owned(), key.to_owned()));
            }
        }
        for (name, src) in CODE {
            for key in literal_keys(src) {
                used.push((name.to_owned(), key));
            }
        }
        for key in dynamic_keys() {
            used.push(("(built at run time)".into(), key));
        }
        let missing: Vec<_> = used.iter().filter(|(_, k)| !en.contains(k)).collect();
        assert!(missing.is_empty(), "keys used but not defined: {missing:?}");
    }

    #[test]
    fn every_language_renders_every_key() {
        for (lang, ftl) in FILES {
            let locale: agora_core::domain::Locale = lang.parse().unwrap();
            for key in keys(ftl) {
                let text = super::t_args(
                    locale,
                    &key,
                    &[
                        ("count", 2.0.into()),
                        ("formatted", "2".into()),
                        ("minutes", 2.0.into()),
                        ("number", 1.0.into()),
                        ("name", "x".into()),
                        ("done", 1.0.into()),
                        ("total", 2.0.into()),
                        ("used", 1.0.into()),
                        ("max", 3.0.into()),
                        ("score", "50%".into()),
                        ("passing", "70%".into()),
                        ("date", "1 May".into()),
                        ("code", 404.0.into()),
                        ("list", "English".into()),
                        ("time", "15:40".into()),
                        ("size", "1 MB".into()),
                        ("reason", "the course is archived".into()),
                        ("attended", 1.0.into()),
                        ("required", 2.0.into()),
                        ("detail", "a detail".into()),
                        ("terms", "a, b".into()),
                        ("page", 1.0.into()),
                        ("thread", "A thread".into()),
                        ("from", "learning-cities".into()),
                        ("to", "disaster-risk-reduction".into()),
                        ("space", "Learning cities".into()),
                    ],
                );
                assert!(!text.is_empty() && text != key, "{lang}: {key}");
                assert!(!text.contains('{'), "{lang}: {key} = {text}");
            }
        }
    }
}
