//! The outline: adding, removing and reordering modules and lessons.

use std::collections::BTreeSet;

use super::{
    NewLesson,
    fields::{MAX_TITLE, invalid, lesson_duration, required},
    ids::make_key,
    quiz::check_questions,
};
use crate::{
    Error, Result,
    course_source::{CourseSource, LessonSource, LessonText},
    domain::{LessonKind, Slug},
    markdown,
};

pub(super) fn lesson_keys(course: &CourseSource) -> BTreeSet<String> {
    course.lessons().map(|l| l.key.to_string()).collect()
}

/// The default locale's text, which every structural edit writes first.
pub(super) fn default_text(course: &mut CourseSource) -> &mut crate::course_source::LocaleText {
    let locale = course.default_locale;
    course.texts.entry(locale).or_default()
}

pub(super) fn empty_module(key: &Slug) -> Error {
    invalid(
        "lesson",
        format!("the only lesson of module `{key}`: a module cannot be empty"),
    )
}

/// Refuses to remove lessons that other texts link to (`lesson:` links, or
/// `resource:` links to a file only these lessons offer), naming them.
pub(super) fn refuse_if_linked(course: &CourseSource, keys: &[String], field: &str) -> Result<()> {
    let going = |key: &str| keys.iter().any(|k| k == key);
    let files: Vec<&String> = course
        .lessons()
        .filter(|l| going(l.key.as_str()))
        .filter_map(|l| l.file.as_ref())
        .filter(|f| {
            !course
                .lessons()
                .any(|l| !going(l.key.as_str()) && l.file.as_ref() == Some(*f))
        })
        .collect();
    let mut from = BTreeSet::new();
    for (locale, text) in &course.texts {
        let mut bodies = vec![("meta.yaml".to_owned(), text.description.as_str())];
        for l in course.lessons().filter(|l| !going(l.key.as_str())) {
            if let Some(t) = text.lessons.get(l.key.as_str()) {
                bodies.push((l.key.to_string(), t.body.as_str()));
            }
        }
        for (name, body) in bodies {
            let hit = markdown::internal_links(body)
                .iter()
                .any(|(kind, target)| match *kind {
                    "lesson" => going(target),
                    "practice" => false,
                    _ => files.contains(&target),
                });
            if hit {
                from.insert(format!("{locale}/{name}"));
            }
        }
    }
    if from.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = from.into_iter().collect();
    Err(invalid(
        field,
        format!(
            "other texts link to it ({}): change those links first",
            list.join(", ")
        ),
    ))
}

/// Drops a removed lesson's words in every locale, and its file when no
/// other lesson uses it.
pub(super) fn forget_lesson(course: &mut CourseSource, removed: &LessonSource) {
    let key = removed.key.as_str();
    let file_still_used = removed
        .file
        .as_ref()
        .is_some_and(|f| course.lessons().any(|l| l.file.as_ref() == Some(f)));
    for text in course.texts.values_mut() {
        text.lessons.remove(key);
        text.questions.retain(|(lk, _), _| lk != key);
        if let Some(f) = &removed.file
            && !file_still_used
        {
            text.resources.remove(f);
        }
    }
}

pub(super) fn add_lesson(course: &mut CourseSource, module: usize, new: NewLesson) -> Result<Slug> {
    let title = required("lesson_title", &new.title, MAX_TITLE)?;
    let key = make_key("lesson_key", &new.key, &title)?;
    if lesson_keys(course).contains(key.as_str()) {
        return Err(invalid(
            "lesson_key",
            format!("the course already has a lesson `{key}`: lesson ids are unique in a course"),
        ));
    }
    let minutes = lesson_duration("lesson_duration_minutes", new.duration_minutes)?;
    let mut lesson = LessonSource {
        key: key.clone(),
        kind: new.kind,
        duration_minutes: minutes,
        video_url: None,
        file: None,
        passing_score: None,
        max_attempts: None,
        questions: Vec::new(),
    };
    let mut texts = Vec::new();
    match new.kind {
        LessonKind::Quiz => {
            let Some(q) = new.first_question else {
                return Err(invalid(
                    "question",
                    "a quiz needs at least one question: write the first one",
                ));
            };
            let mut checked = check_questions(&[], vec![q]).map_err(|e| match e {
                Error::Invalid { reason, .. } => invalid("question", reason),
                other => other,
            })?;
            let (q, qt) = checked.remove(0);
            lesson.passing_score = Some(70);
            lesson.questions = vec![q.clone()];
            texts.push(((key.to_string(), q.key.to_string()), qt));
        }
        LessonKind::Resource => {
            let Some(file) = new.file.as_deref().map(str::trim).filter(|f| !f.is_empty()) else {
                return Err(invalid(
                    "lesson_file",
                    "a resource lesson offers a file: upload it, then choose it here",
                ));
            };
            let known = course
                .texts
                .get(&course.default_locale)
                .is_some_and(|t| t.resources.contains_key(file));
            if !known {
                return Err(invalid(
                    "lesson_file",
                    format!(
                        "no file `{file}` in {}/resources: upload it first",
                        course.default_locale
                    ),
                ));
            }
            lesson.file = Some(file.to_owned());
        }
        LessonKind::Text | LessonKind::Video => {}
    }
    course.modules[module].lessons.push(lesson);
    let text = default_text(course);
    text.lessons.insert(
        key.to_string(),
        LessonText {
            title,
            body: String::new(),
        },
    );
    for (k, qt) in texts {
        text.questions.insert(k, qt);
    }
    Ok(key)
}

/// Applies a complete new order of modules and lessons.
pub(super) fn reorder(course: &mut CourseSource, order: &[(String, Vec<String>)]) -> Result<()> {
    let modules: BTreeSet<&str> = course.modules.iter().map(|m| m.key.as_str()).collect();
    let given: BTreeSet<&str> = order.iter().map(|(m, _)| m.as_str()).collect();
    if given != modules || order.len() != modules.len() {
        return Err(invalid(
            "modules",
            "list every module of the course exactly once",
        ));
    }
    let lessons = lesson_keys(course);
    let given: Vec<&String> = order.iter().flat_map(|(_, l)| l).collect();
    let given_set: BTreeSet<String> = given.iter().map(|s| (*s).clone()).collect();
    if given_set != lessons || given.len() != lessons.len() {
        return Err(invalid(
            "lessons",
            "list every lesson of the course exactly once",
        ));
    }
    if let Some((m, _)) = order.iter().find(|(_, l)| l.is_empty()) {
        return Err(invalid(
            "lessons",
            format!("module `{m}` has no lessons: a module cannot be empty"),
        ));
    }
    let mut all: Vec<LessonSource> = course
        .modules
        .iter_mut()
        .flat_map(|m| std::mem::take(&mut m.lessons))
        .collect();
    let mut old_modules = std::mem::take(&mut course.modules);
    for (mk, lks) in order {
        let pos = old_modules
            .iter()
            .position(|m| m.key.as_str() == mk)
            .expect("checked above");
        let mut m = old_modules.remove(pos);
        for lk in lks {
            let pos = all
                .iter()
                .position(|l| l.key.as_str() == lk)
                .expect("checked above");
            m.lessons.push(all.remove(pos));
        }
        course.modules.push(m);
    }
    Ok(())
}
