//! Checks across a whole course (every text present, every link resolves)
//! and the stricter lint of a shipped catalogue.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use super::{MIN_LESSON_WORDS, Problem, Report, media_folder, model::CourseSource, parity};
use crate::{
    domain::{LessonKind, Locale},
    markdown,
};

/// Missing texts in the default locale are errors; in other locales, warnings
/// (learners see the default locale's text). Broken links are errors everywhere.
pub(super) fn check_completeness(dir: &Path, course: &CourseSource, report: &mut Report) {
    for (locale, text) in &course.texts {
        let ldir = dir.join(locale.as_str());
        let is_default = *locale == course.default_locale;
        let missing = |report: &mut Report, path: PathBuf, what: String| {
            if is_default {
                report.error(&path, None, format!("missing: {what}"));
            } else {
                report.warn(&path, format!("translation missing: {what}"));
            }
        };
        if text.description.is_empty() {
            missing(report, ldir.join("meta.yaml"), "description".into());
        }
        if text.objectives.is_empty() {
            missing(report, ldir.join("meta.yaml"), "objectives".into());
        }
        for m in &course.modules {
            if text
                .modules
                .get(m.key.as_str())
                .is_none_or(|t| t.title.trim().is_empty())
            {
                missing(
                    report,
                    ldir.join("meta.yaml"),
                    format!("title of module `{}`", m.key),
                );
            }
        }
        for l in course.lessons() {
            let key = l.key.as_str();
            let file = match l.kind {
                LessonKind::Quiz => format!("{key}.yaml"),
                _ => format!("{key}.md"),
            };
            if !text.lessons.contains_key(key) {
                missing(report, ldir.join(&file), format!("lesson `{key}`"));
                continue;
            }
            if let Some(f) = &l.file
                && !text.resources.contains_key(f)
            {
                missing(
                    report,
                    ldir.join("resources").join(f),
                    format!("resource file of `{key}`"),
                );
            }
            for q in &l.questions {
                match text.questions.get(&(key.to_owned(), q.key.to_string())) {
                    None => missing(report, ldir.join(&file), format!("question `{}`", q.key)),
                    Some(qt) => {
                        for o in &q.options {
                            match qt.options.get(o) {
                                None => missing(
                                    report,
                                    ldir.join(&file),
                                    format!("question `{}`, option `{o}`", q.key),
                                ),
                                Some(ot) if ot.explanation.trim().is_empty() => report.warn(
                                    &ldir.join(&file),
                                    format!(
                                        "question `{}`, option `{o}` has no explanation",
                                        q.key
                                    ),
                                ),
                                Some(_) => {}
                            }
                        }
                    }
                }
            }
        }
        // Links must point inside the course.
        let mut bodies: Vec<(PathBuf, &str)> =
            vec![(ldir.join("meta.yaml"), text.description.as_str())];
        for l in course.lessons() {
            if let Some(lt) = text.lessons.get(l.key.as_str()) {
                let ext = if l.kind == LessonKind::Quiz {
                    "yaml"
                } else {
                    "md"
                };
                bodies.push((ldir.join(format!("{}.{ext}", l.key)), lt.body.as_str()));
            }
        }
        for (path, body) in bodies {
            media_folder::check_uses(&path, body, course, report);
            for (kind, target) in markdown::internal_links(body) {
                let ok = match kind {
                    "lesson" => course.lessons().any(|l| l.key.as_str() == target),
                    // Whether the practice exists is the linter's question
                    // (`practice_links`): here, only its name's form.
                    "practice" => crate::domain::Slug::parse(&target).is_ok(),
                    _ => course
                        .lessons()
                        .any(|l| l.file.as_deref() == Some(target.as_str())),
                };
                if !ok {
                    report.error(
                        &path,
                        None,
                        format!("broken link `{kind}:{target}`: no such {kind} in the course"),
                    );
                }
            }
        }
    }
}

/// The stricter checks of `agora courses lint`, for a shipped catalogue:
/// every locale complete, every option explained, no short lessons, sources
/// cited, and every translated lesson in the shape of the default locale's.
pub fn lint(course: &CourseSource, dir: &Path) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut push = |file: PathBuf, message: String| {
        problems.push(Problem {
            file,
            line: None,
            message,
        })
    };
    if course.sources.is_empty() {
        push(
            dir.join("course.yaml"),
            "sources: cite the official documents the course relies on (title, publisher, year, url)"
                .into(),
        );
    }
    let original = course.texts.get(&course.default_locale);
    for locale in Locale::ALL {
        let Some(text) = course.texts.get(&locale) else {
            push(
                dir.join(locale.as_str()),
                "translation missing: the whole locale".into(),
            );
            continue;
        };
        for l in course.lessons() {
            if let Some(lt) = text.lessons.get(l.key.as_str())
                && matches!(l.kind, LessonKind::Text | LessonKind::Video)
            {
                let words = markdown::word_count(&lt.body);
                if words < MIN_LESSON_WORDS {
                    push(
                        dir.join(locale.as_str()).join(format!("{}.md", l.key)),
                        format!("only {words} words: a lesson needs at least {MIN_LESSON_WORDS}"),
                    );
                }
            }
            if locale != course.default_locale
                && l.kind != LessonKind::Quiz
                && let (Some(lt), Some(ot)) = (
                    text.lessons.get(l.key.as_str()),
                    original.and_then(|o| o.lessons.get(l.key.as_str())),
                )
            {
                for d in parity::differences(&ot.body, &lt.body, course.default_locale.as_str()) {
                    push(dir.join(locale.as_str()).join(format!("{}.md", l.key)), d);
                }
            }
        }
    }
    problems
}

/// Words per locale: descriptions, lessons, quizzes and text resources.
pub fn word_counts(course: &CourseSource) -> BTreeMap<Locale, usize> {
    course
        .texts
        .iter()
        .map(|(locale, t)| {
            let mut n = markdown::word_count(&t.description) + markdown::word_count(&t.summary);
            n += t
                .lessons
                .values()
                .map(|l| markdown::word_count(&l.body))
                .sum::<usize>();
            for q in t.questions.values() {
                n += markdown::word_count(&q.prompt);
                n += q
                    .options
                    .values()
                    .map(|o| markdown::word_count(&o.text) + markdown::word_count(&o.explanation))
                    .sum::<usize>();
            }
            n += t
                .resources
                .values()
                .filter(|r| r.content_type.starts_with("text/"))
                .map(|r| markdown::word_count(&String::from_utf8_lossy(&r.data)))
                .sum::<usize>();
            (*locale, n)
        })
        .collect()
}

/// `practice:` links of a course that name no practice in `known` (the
/// linter passes the shipped library's names).
pub fn practice_links(
    course: &CourseSource,
    dir: &Path,
    known: &std::collections::BTreeSet<String>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (locale, text) in &course.texts {
        let ldir = dir.join(locale.as_str());
        let mut bodies = vec![(ldir.join("meta.yaml"), text.description.as_str())];
        for l in course.lessons() {
            if let Some(lt) = text.lessons.get(l.key.as_str()) {
                bodies.push((ldir.join(format!("{}.md", l.key)), lt.body.as_str()));
            }
        }
        for (file, body) in bodies {
            for (kind, target) in markdown::internal_links(body) {
                if kind == "practice" && !known.contains(&target) {
                    problems.push(Problem {
                        file: file.clone(),
                        line: None,
                        message: format!(
                            "broken link `practice:{target}`: no such practice in the library"
                        ),
                    });
                }
            }
        }
    }
    problems
}
