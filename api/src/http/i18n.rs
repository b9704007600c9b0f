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

    /// The page code whose `"some-key"` literals name strings: every file
    /// under `src/web` and `src/lti`, read from the source tree at test time
    /// so a new page file is checked without being listed, plus the files
    /// outside them that speak to people.
    fn code() -> Vec<(String, String)> {
        fn walk(dir: &std::path::Path, root: &std::path::Path, out: &mut Vec<(String, String)>) {
            let mut entries: Vec<_> = std::fs::read_dir(dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .map(|e| e.unwrap().path())
                .collect();
            entries.sort();
            for path in entries {
                if path.is_dir() {
                    walk(&path, root, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let name = path.strip_prefix(root).unwrap().display().to_string();
                    out.push((name, std::fs::read_to_string(&path).unwrap()));
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut out = vec![];
        for dir in ["web", "lti"] {
            walk(&root.join(dir), &root, &mut out);
        }
        for file in ["http/page.rs", "api/partners/listing.rs"] {
            out.push((
                file.into(),
                std::fs::read_to_string(root.join(file)).unwrap(),
            ));
        }
        assert!(
            out.len() > 60,
            "the page code was not found under {}",
            root.display()
        );
        out
    }

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
            "practice-link-failed",
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
            "practice-link-failed",
            // Not strings: a course slug, dates a test refuses, icon file
            // names, a header value and a population band's code.
            "voluntary-local-review",
            "2030-02-28",
            "2030-02-30",
            "2030-13-01",
            "2030-1",
            "icon-192",
            "icon-512",
            "no-cache",
            "100k-500k",
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
        for (name, src) in code() {
            for key in literal_keys(&src) {
                used.push((name.clone(), key));
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
