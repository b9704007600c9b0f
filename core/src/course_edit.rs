//! Structured edits of a course: the operations behind the course details
//! form, the outline (add, move, remove modules and lessons), the lesson
//! editor and the quiz editor.
//!
//! An edit changes a parsed [`CourseSource`]; the caller renders the files
//! of the folder format before and after, and saves only the files whose
//! rendering changed. Untouched files keep their bytes (and their dates, which
//! the translation view compares), and the result goes through the same
//! reader as every save, so a structured edit can never store a course that
//! `agora import` would refuse.
//!
//! Each edit checks its own input first and names the form field at fault
//! (`title`, `questions[2].options`…), so the page can show the message next
//! to it. New modules, lessons, questions and options are written in the
//! course's default locale first: that is the text other locales fall back to.

use std::collections::BTreeSet;

use serde_json::json;

use crate::{
    Error, Result,
    course_source::{
        CourseSource, LessonSource, LessonText, ModuleSource, ModuleText, OptionText,
        QuestionSource, QuestionText,
    },
    domain::{LessonKind, Level, Locale, QuestionKind, Slug, Theme},
    markdown,
};

/// Longest title of a course, module or lesson (the reader's limit).
const MAX_TITLE: usize = 200;
/// Longest catalogue summary.
const MAX_SUMMARY: usize = 300;
/// Longest Markdown body of a lesson or description.
const MAX_BODY: usize = 200_000;
/// Most options of one question.
const MAX_OPTIONS: usize = 12;
/// Most questions of one quiz.
const MAX_QUESTIONS: usize = 100;

/// A lesson to add, with its text in the course's default locale.
#[derive(Clone, Debug)]
pub struct NewLesson {
    /// Empty: made from the title.
    pub key: String,
    pub kind: LessonKind,
    pub title: String,
    pub duration_minutes: u32,
    /// The file a resource lesson offers, already uploaded.
    pub file: Option<String>,
    /// A quiz starts with one question (a quiz without questions cannot be read).
    pub first_question: Option<QuestionEdit>,
}

/// One question as the quiz editor sends it.
#[derive(Clone, Debug)]
pub struct QuestionEdit {
    /// `None` for a new question: it gets the next free `qN`.
    pub key: Option<String>,
    pub kind: QuestionKind,
    pub prompt: String,
    /// Options with empty text are dropped. A true/false question has two:
    /// the first is "true", the second "false".
    pub options: Vec<OptionEdit>,
}

#[derive(Clone, Debug)]
pub struct OptionEdit {
    /// `None` for a new option: it gets the next free letter.
    pub key: Option<String>,
    pub text: String,
    pub explanation: String,
    pub correct: bool,
}

#[derive(Clone, Debug)]
pub enum Edit {
    /// What every locale shares: level, duration, themes.
    Details {
        level: Level,
        duration_minutes: u32,
        themes: Vec<String>,
    },
    /// The course's words in one locale; a new locale starts a translation.
    CourseText {
        locale: Locale,
        title: String,
        summary: String,
        description: String,
        objectives: Vec<String>,
    },
    AddModule {
        key: String,
        title: String,
        summary: String,
        /// A module cannot be empty.
        lesson: NewLesson,
    },
    ModuleText {
        module: String,
        locale: Locale,
        title: String,
        summary: String,
    },
    RemoveModule {
        module: String,
    },
    /// The whole order at once: every module and lesson exactly once.
    Outline(Vec<(String, Vec<String>)>),
    MoveModule {
        module: String,
        up: bool,
    },
    /// One step up or down; past the end of its module, a lesson moves into
    /// the neighbouring module.
    MoveLesson {
        lesson: String,
        up: bool,
    },
    AddLesson {
        module: String,
        lesson: NewLesson,
    },
    /// A text, video or resource lesson: its words in one locale and its
    /// settings.
    Lesson {
        lesson: String,
        locale: Locale,
        title: String,
        body: String,
        duration_minutes: u32,
        video_url: Option<String>,
        file: Option<String>,
    },
    RemoveLesson {
        lesson: String,
    },
    /// A quiz: settings, questions and answers, and its words in one locale.
    /// Questions and options can be added, removed or re-answered only in
    /// the default locale; other locales translate them.
    Quiz {
        lesson: String,
        locale: Locale,
        title: String,
        intro: String,
        duration_minutes: u32,
        passing_score: u32,
        max_attempts: Option<u32>,
        questions: Vec<QuestionEdit>,
    },
}

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Error {
    Error::invalid(field, reason)
}

fn required(field: &str, value: &str, max: usize) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(invalid(field, "required"));
    }
    if value.chars().count() > max {
        return Err(invalid(field, format!("at most {max} characters")));
    }
    Ok(value.to_owned())
}

fn optional(field: &str, value: &str, max: usize) -> Result<String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(invalid(field, format!("at most {max} characters")));
    }
    Ok(value.to_owned())
}

/// A lesson's estimated minutes; 0 means not estimated (as in the files).
fn lesson_duration(field: &str, minutes: u32) -> Result<u32> {
    if minutes <= 10_000 {
        Ok(minutes)
    } else {
        Err(invalid(field, "at most 10000 minutes"))
    }
}

fn duration(field: &str, minutes: u32) -> Result<u32> {
    if (1..=10_000).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(invalid(field, "between 1 and 10000 minutes"))
    }
}

/// An id from what the author typed, or from the title when they left it
/// empty: lowercase ASCII, accents folded, words joined by hyphens.
pub fn make_key(field: &str, typed: &str, title: &str) -> Result<Slug> {
    let typed = typed.trim();
    if !typed.is_empty() {
        return Slug::parse(typed).map_err(|e| invalid(field, e));
    }
    let mut key = String::new();
    for c in title.chars().flat_map(fold) {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.is_empty() && !key.ends_with('-') {
            key.push('-');
        }
    }
    let mut key = key.trim_end_matches('-').to_owned();
    if key.len() > 60 {
        key.truncate(60);
        key = key.trim_end_matches('-').to_owned();
    }
    Slug::parse(&key).map_err(|_| {
        invalid(
            field,
            "give an id: lowercase letters, digits and hyphens (the title has none to make one from)",
        )
    })
}

/// Latin letters with accents, as their base letters.
fn fold(c: char) -> impl Iterator<Item = char> {
    let base: &str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "o",
        'œ' | 'Œ' => "oe",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        _ => "",
    };
    let mut s: Vec<char> = base.chars().collect();
    if s.is_empty() {
        s.push(c);
    }
    s.into_iter()
}

fn module_index(course: &CourseSource, key: &str) -> Result<usize> {
    course
        .modules
        .iter()
        .position(|m| m.key.as_str() == key)
        .ok_or(Error::NotFound { what: "module" })
}

/// (module index, lesson index) of a lesson.
fn lesson_index(course: &CourseSource, key: &str) -> Result<(usize, usize)> {
    for (mi, m) in course.modules.iter().enumerate() {
        if let Some(li) = m.lessons.iter().position(|l| l.key.as_str() == key) {
            return Ok((mi, li));
        }
    }
    Err(Error::NotFound { what: "lesson" })
}

fn lesson_keys(course: &CourseSource) -> BTreeSet<String> {
    course.lessons().map(|l| l.key.to_string()).collect()
}

/// The default locale's text, which every structural edit writes first.
fn default_text(course: &mut CourseSource) -> &mut crate::course_source::LocaleText {
    let locale = course.default_locale;
    course.texts.entry(locale).or_default()
}

/// Applies one edit. Returns the audit action and its detail.
pub fn apply(course: &mut CourseSource, edit: Edit) -> Result<(&'static str, serde_json::Value)> {
    match edit {
        Edit::Details {
            level,
            duration_minutes,
            themes,
        } => {
            course.level = level;
            course.duration_minutes = duration("duration_minutes", duration_minutes)?;
            let mut set = BTreeSet::new();
            for t in themes {
                let t = t.trim();
                if t.is_empty() {
                    continue;
                }
                let theme: Theme = t.parse().map_err(|e: String| invalid("themes", e))?;
                set.insert(theme.to_string());
            }
            if set.len() > 40 {
                return Err(invalid("themes", "at most 40 themes"));
            }
            course.themes = set;
            Ok(("course.details_edited", json!({})))
        }
        Edit::CourseText {
            locale,
            title,
            summary,
            description,
            objectives,
        } => {
            let title = required("title", &title, MAX_TITLE)?;
            let summary = required("summary", &summary, MAX_SUMMARY)?;
            let description = required("description", &description, MAX_BODY)?;
            let objectives: Vec<String> = objectives
                .iter()
                .map(|o| o.trim().to_owned())
                .filter(|o| !o.is_empty())
                .collect();
            if objectives.is_empty() {
                return Err(invalid("objectives", "write at least one objective"));
            }
            if objectives.len() > 30 || objectives.iter().any(|o| o.chars().count() > 500) {
                return Err(invalid(
                    "objectives",
                    "at most 30 objectives of at most 500 characters",
                ));
            }
            let text = course.texts.entry(locale).or_default();
            text.title = title;
            text.summary = summary;
            text.description = description;
            text.objectives = objectives;
            Ok(("course.text_edited", json!({ "locale": locale })))
        }
        Edit::AddModule {
            key,
            title,
            summary,
            lesson,
        } => {
            let title = required("title", &title, MAX_TITLE)?;
            let summary = optional("summary", &summary, MAX_SUMMARY)?;
            let key = make_key("key", &key, &title)?;
            if course.modules.iter().any(|m| m.key == key) {
                return Err(invalid(
                    "key",
                    format!("the course already has a module `{key}`"),
                ));
            }
            course.modules.push(ModuleSource {
                key: key.clone(),
                lessons: Vec::new(),
            });
            default_text(course)
                .modules
                .insert(key.to_string(), ModuleText { title, summary });
            let lesson_key = add_lesson(course, course.modules.len() - 1, lesson)?;
            Ok((
                "module.added",
                json!({ "module": key, "lesson": lesson_key }),
            ))
        }
        Edit::ModuleText {
            module,
            locale,
            title,
            summary,
        } => {
            module_index(course, &module)?;
            let title = required("title", &title, MAX_TITLE)?;
            let summary = optional("summary", &summary, MAX_SUMMARY)?;
            let Some(text) = course.texts.get_mut(&locale) else {
                return Err(invalid(
                    "locale",
                    format!("translate the course details into {locale} first"),
                ));
            };
            text.modules
                .insert(module.clone(), ModuleText { title, summary });
            Ok((
                "module.text_edited",
                json!({ "module": module, "locale": locale }),
            ))
        }
        Edit::RemoveModule { module } => {
            let mi = module_index(course, &module)?;
            if course.modules.len() == 1 {
                return Err(invalid(
                    "module",
                    "a course needs at least one module: add another before removing this one",
                ));
            }
            let keys: Vec<String> = course.modules[mi]
                .lessons
                .iter()
                .map(|l| l.key.to_string())
                .collect();
            refuse_if_linked(course, &keys, "module")?;
            let removed = course.modules.remove(mi);
            for text in course.texts.values_mut() {
                text.modules.remove(&module);
            }
            for l in &removed.lessons {
                forget_lesson(course, l);
            }
            Ok((
                "module.removed",
                json!({
                    "module": module,
                    "lessons": removed.lessons.iter().map(|l| l.key.to_string()).collect::<Vec<_>>(),
                }),
            ))
        }
        Edit::Outline(order) => {
            reorder(course, &order)?;
            Ok(("outline.reordered", json!({})))
        }
        Edit::MoveModule { module, up } => {
            let mi = module_index(course, &module)?;
            let to = if up {
                mi.checked_sub(1)
            } else {
                Some(mi + 1).filter(|&t| t < course.modules.len())
            };
            let Some(to) = to else {
                return Err(invalid(
                    "module",
                    if up {
                        "the module is already the first"
                    } else {
                        "the module is already the last"
                    },
                ));
            };
            course.modules.swap(mi, to);
            Ok(("outline.reordered", json!({ "module": module })))
        }
        Edit::MoveLesson { lesson, up } => {
            let (mi, li) = lesson_index(course, &lesson)?;
            let len = course.modules[mi].lessons.len();
            let first_or_last = |what: &str| {
                invalid(
                    "lesson",
                    format!("the lesson is already the {what} of the course"),
                )
            };
            if up {
                if li > 0 {
                    course.modules[mi].lessons.swap(li, li - 1);
                } else if mi > 0 {
                    if len == 1 {
                        return Err(empty_module(&course.modules[mi].key));
                    }
                    let l = course.modules[mi].lessons.remove(0);
                    course.modules[mi - 1].lessons.push(l);
                } else {
                    return Err(first_or_last("first"));
                }
            } else if li + 1 < len {
                course.modules[mi].lessons.swap(li, li + 1);
            } else if mi + 1 < course.modules.len() {
                if len == 1 {
                    return Err(empty_module(&course.modules[mi].key));
                }
                let l = course.modules[mi].lessons.remove(li);
                course.modules[mi + 1].lessons.insert(0, l);
            } else {
                return Err(first_or_last("last"));
            }
            Ok(("outline.reordered", json!({ "lesson": lesson })))
        }
        Edit::AddLesson { module, lesson } => {
            let mi = module_index(course, &module)?;
            let key = add_lesson(course, mi, lesson)?;
            Ok(("lesson.added", json!({ "module": module, "lesson": key })))
        }
        Edit::Lesson {
            lesson,
            locale,
            title,
            body,
            duration_minutes,
            video_url,
            file,
        } => {
            let (mi, li) = lesson_index(course, &lesson)?;
            let title = required("title", &title, MAX_TITLE)?;
            let body = optional("body", &body, MAX_BODY)?;
            let minutes = lesson_duration("duration_minutes", duration_minutes)?;
            let l = &course.modules[mi].lessons[li];
            if l.kind == LessonKind::Quiz {
                return Err(invalid("lesson", "a quiz is edited in the quiz editor"));
            }
            let video_url = match (l.kind, video_url.as_deref().map(str::trim)) {
                (LessonKind::Video, Some(u)) if !u.is_empty() => {
                    match url::Url::parse(u) {
                        Ok(parsed) if parsed.scheme() == "https" && u.len() <= 500 => {}
                        _ => return Err(invalid("video_url", "an https:// address")),
                    }
                    Some(u.to_owned())
                }
                (LessonKind::Video, _) => None,
                (_, Some(u)) if !u.is_empty() => {
                    return Err(invalid("video_url", "only video lessons have a video"));
                }
                _ => None,
            };
            let file = match (l.kind, file.as_deref().map(str::trim)) {
                (LessonKind::Resource, Some(f)) if !f.is_empty() => {
                    let known = course.texts.values().any(|t| t.resources.contains_key(f));
                    if !known {
                        return Err(invalid(
                            "file",
                            format!("no file `{f}` in the course: upload it first"),
                        ));
                    }
                    Some(f.to_owned())
                }
                (LessonKind::Resource, _) => {
                    return Err(invalid("file", "a resource lesson needs a file"));
                }
                (_, Some(f)) if !f.is_empty() => {
                    return Err(invalid("file", "only resource lessons have a file"));
                }
                _ => None,
            };
            if !course.texts.contains_key(&locale) {
                return Err(invalid(
                    "locale",
                    format!("translate the course details into {locale} first"),
                ));
            }
            let l = &mut course.modules[mi].lessons[li];
            l.duration_minutes = minutes;
            if l.kind == LessonKind::Video {
                l.video_url = video_url;
            }
            if l.kind == LessonKind::Resource {
                l.file = file;
            }
            course
                .texts
                .get_mut(&locale)
                .expect("checked above")
                .lessons
                .insert(lesson.clone(), LessonText { title, body });
            Ok((
                "lesson.edited",
                json!({ "lesson": lesson, "locale": locale }),
            ))
        }
        Edit::RemoveLesson { lesson } => {
            let (mi, li) = lesson_index(course, &lesson)?;
            if course.modules[mi].lessons.len() == 1 {
                return Err(invalid(
                    "lesson",
                    format!(
                        "the last lesson of module `{}`: remove the module instead, or add another lesson first",
                        course.modules[mi].key
                    ),
                ));
            }
            refuse_if_linked(course, std::slice::from_ref(&lesson), "lesson")?;
            let removed = course.modules[mi].lessons.remove(li);
            forget_lesson(course, &removed);
            Ok(("lesson.removed", json!({ "lesson": lesson })))
        }
        Edit::Quiz {
            lesson,
            locale,
            title,
            intro,
            duration_minutes,
            passing_score,
            max_attempts,
            questions,
        } => {
            let (mi, li) = lesson_index(course, &lesson)?;
            if course.modules[mi].lessons[li].kind != LessonKind::Quiz {
                return Err(invalid("lesson", "not a quiz"));
            }
            let title = required("title", &title, MAX_TITLE)?;
            let intro = optional("intro", &intro, MAX_BODY)?;
            let minutes = lesson_duration("duration_minutes", duration_minutes)?;
            if !(1..=100).contains(&passing_score) {
                return Err(invalid("passing_score", "a percentage between 1 and 100"));
            }
            if max_attempts == Some(0) || max_attempts.is_some_and(|m| m > 100) {
                return Err(invalid(
                    "max_attempts",
                    "between 1 and 100, or empty for no limit",
                ));
            }
            if !course.texts.contains_key(&locale) {
                return Err(invalid(
                    "locale",
                    format!("translate the course details into {locale} first"),
                ));
            }
            let is_default = locale == course.default_locale;
            let old = course.modules[mi].lessons[li].questions.clone();
            let checked = check_questions(&old, questions)?;
            let structure: Vec<QuestionSource> = checked.iter().map(|(q, _)| q.clone()).collect();
            if !is_default && structure != old {
                return Err(invalid(
                    "questions",
                    format!(
                        "questions, options and answers are changed in the source language ({}); here you translate their words",
                        course.default_locale
                    ),
                ));
            }
            let l = &mut course.modules[mi].lessons[li];
            l.duration_minutes = minutes;
            l.passing_score = Some(passing_score);
            l.max_attempts = max_attempts;
            l.questions = structure.clone();
            // Texts of questions and options that no longer exist go, in every locale.
            for text in course.texts.values_mut() {
                text.questions.retain(|(lk, qk), qt| {
                    if lk != &lesson {
                        return true;
                    }
                    let Some(q) = structure.iter().find(|q| q.key.as_str() == qk) else {
                        return false;
                    };
                    qt.options.retain(|o, _| q.options.contains(o));
                    true
                });
            }
            let text = course.texts.get_mut(&locale).expect("checked above");
            text.lessons
                .insert(lesson.clone(), LessonText { title, body: intro });
            for (q, qt) in checked {
                text.questions
                    .insert((lesson.clone(), q.key.to_string()), qt);
            }
            Ok((
                "quiz.edited",
                json!({ "lesson": lesson, "locale": locale, "questions": structure.len() }),
            ))
        }
    }
}

fn empty_module(key: &Slug) -> Error {
    invalid(
        "lesson",
        format!("the only lesson of module `{key}`: a module cannot be empty"),
    )
}

/// Refuses to remove lessons that other texts link to (`lesson:` links, or
/// `resource:` links to a file only these lessons offer), naming them.
fn refuse_if_linked(course: &CourseSource, keys: &[String], field: &str) -> Result<()> {
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
fn forget_lesson(course: &mut CourseSource, removed: &LessonSource) {
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

fn add_lesson(course: &mut CourseSource, module: usize, new: NewLesson) -> Result<Slug> {
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

/// Checks the questions of a quiz editor and gives each its key: existing
/// keys stay (answers and statistics refer to them), new questions and
/// options get the next free ones.
fn check_questions(
    old: &[QuestionSource],
    questions: Vec<QuestionEdit>,
) -> Result<Vec<(QuestionSource, QuestionText)>> {
    if questions.is_empty() {
        return Err(invalid("questions", "a quiz needs at least one question"));
    }
    if questions.len() > MAX_QUESTIONS {
        return Err(invalid(
            "questions",
            format!("at most {MAX_QUESTIONS} questions"),
        ));
    }
    let mut used: BTreeSet<String> = questions.iter().filter_map(|q| q.key.clone()).collect();
    if used.len() != questions.iter().filter(|q| q.key.is_some()).count() {
        return Err(invalid("questions", "a question is listed twice"));
    }
    for q in old {
        used.insert(q.key.to_string());
    }
    let mut out = Vec::new();
    for (i, q) in questions.into_iter().enumerate() {
        let field = |f: &str| format!("questions[{i}].{f}");
        let key = match q.key {
            Some(k) => Slug::parse(&k).map_err(|e| invalid(field("key"), e))?,
            None => {
                let n = (1..)
                    .find(|n| !used.contains(&format!("q{n}")))
                    .expect("a free key");
                used.insert(format!("q{n}"));
                Slug::parse(&format!("q{n}")).expect("qN is an id")
            }
        };
        let prompt = required(&field("prompt"), &q.prompt, 1000)?;
        let options: Vec<OptionEdit> = q
            .options
            .into_iter()
            .filter(|o| !o.text.trim().is_empty())
            .collect();
        let mut keys: Vec<String> = Vec::new();
        match q.kind {
            QuestionKind::TrueFalse => {
                if options.len() != 2 {
                    return Err(invalid(
                        field("options"),
                        "a true/false question has two options: the words for true and for false",
                    ));
                }
                keys = vec!["true".into(), "false".into()];
            }
            _ => {
                if options.len() < 2 {
                    return Err(invalid(field("options"), "write at least two options"));
                }
                if options.len() > MAX_OPTIONS {
                    return Err(invalid(
                        field("options"),
                        format!("at most {MAX_OPTIONS} options"),
                    ));
                }
                // A new option never takes the key of one that existed: the
                // translations and answer statistics of that key are not its.
                let mut taken: BTreeSet<String> =
                    options.iter().filter_map(|o| o.key.clone()).collect();
                if let Some(before) = old.iter().find(|o| o.key == key) {
                    taken.extend(before.options.iter().cloned());
                }
                for o in &options {
                    let k = match &o.key {
                        Some(k) => {
                            Slug::parse(k).map_err(|e| invalid(field("options"), e))?;
                            k.clone()
                        }
                        None => {
                            let k = ('a'..='z')
                                .map(String::from)
                                .chain((1..).map(|n| format!("o{n}")))
                                .find(|k| !taken.contains(k))
                                .expect("a free option key");
                            taken.insert(k.clone());
                            k
                        }
                    };
                    if keys.contains(&k) {
                        return Err(invalid(field("options"), "an option is listed twice"));
                    }
                    keys.push(k);
                }
            }
        }
        let correct: Vec<String> = options
            .iter()
            .zip(&keys)
            .filter(|(o, _)| o.correct)
            .map(|(_, k)| k.clone())
            .collect();
        match (q.kind, correct.len()) {
            (_, 0) => return Err(invalid(field("correct"), "mark the correct answer")),
            (QuestionKind::Single | QuestionKind::TrueFalse, n) if n > 1 => {
                return Err(invalid(
                    field("correct"),
                    "this kind of question has exactly one correct answer",
                ));
            }
            _ => {}
        }
        let mut texts = std::collections::BTreeMap::new();
        for (o, k) in options.iter().zip(&keys) {
            texts.insert(
                k.clone(),
                OptionText {
                    text: required(&field("options"), &o.text, 500)?,
                    explanation: optional(&field("options"), &o.explanation, 2000)?,
                },
            );
        }
        out.push((
            QuestionSource {
                key,
                kind: q.kind,
                options: keys,
                correct,
            },
            QuestionText {
                prompt,
                options: texts,
            },
        ));
    }
    Ok(out)
}

/// Applies a complete new order of modules and lessons.
fn reorder(course: &mut CourseSource, order: &[(String, Vec<String>)]) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::{
        authoring::read_files,
        course_source::{Report, read_course, render_files},
    };

    fn sdgs() -> CourseSource {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../courses/localizing-the-sdgs");
        let mut report = Report::default();
        let course = read_course(&dir, &mut report).expect("the shipped course reads");
        assert!(report.errors.is_empty());
        course
    }

    /// Applies an edit the way `Authoring::edit` does, and reads the result
    /// back with the importer's reader.
    fn edited(course: &CourseSource, edit: Edit) -> Result<(CourseSource, Vec<String>)> {
        let before = render_files(course);
        let mut changed = course.clone();
        apply(&mut changed, edit)?;
        let after = render_files(&changed);
        let paths: Vec<String> = after
            .iter()
            .filter(|(p, d)| before.get(*p) != Some(*d))
            .map(|(p, _)| p.clone())
            .chain(before.keys().filter(|p| !after.contains_key(*p)).cloned())
            .collect();
        let (read, _) = read_files(&after).unwrap_or_else(|p| panic!("does not read: {p:?}"));
        assert_eq!(
            read, changed,
            "the rendered files read back as the edited course"
        );
        Ok((read, paths))
    }

    fn field_of(e: Error) -> String {
        match e {
            Error::Invalid { field, .. } => field,
            other => panic!("not a field error: {other:?}"),
        }
    }

    fn text_lesson(title: &str) -> NewLesson {
        NewLesson {
            key: String::new(),
            kind: LessonKind::Text,
            title: title.into(),
            duration_minutes: 5,
            file: None,
            first_question: None,
        }
    }

    fn option(text: &str, correct: bool) -> OptionEdit {
        OptionEdit {
            key: None,
            text: text.into(),
            explanation: String::new(),
            correct,
        }
    }

    #[test]
    fn rendering_reads_back_unchanged() {
        let course = sdgs();
        let (read, _) = read_files(&render_files(&course)).expect("reads");
        assert_eq!(read, course);
    }

    #[test]
    fn keys_are_made_from_titles() {
        assert_eq!(
            make_key("k", "", "Élaborer un plan d'action")
                .unwrap()
                .as_str(),
            "elaborer-un-plan-d-action"
        );
        assert_eq!(
            make_key("k", "", "¿Qué es la Agenda 2030?")
                .unwrap()
                .as_str(),
            "que-es-la-agenda-2030"
        );
        assert_eq!(field_of(make_key("key", "", "!!!").unwrap_err()), "key");
        assert_eq!(
            field_of(make_key("key", "Bad Key", "x").unwrap_err()),
            "key"
        );
    }

    #[test]
    fn an_added_lesson_touches_only_the_outline_and_its_own_file() {
        let course = sdgs();
        let (read, paths) = edited(
            &course,
            Edit::AddLesson {
                module: "first-steps".into(),
                lesson: text_lesson("Working with the city council"),
            },
        )
        .unwrap();
        assert_eq!(
            paths,
            ["course.yaml", "en/working-with-the-city-council.md"]
        );
        let m = read
            .modules
            .iter()
            .find(|m| m.key.as_str() == "first-steps")
            .unwrap();
        assert_eq!(
            m.lessons.last().unwrap().key.as_str(),
            "working-with-the-city-council"
        );
        // French learners see the English text until it is translated.
        assert!(
            !read.texts[&Locale::Fr]
                .lessons
                .contains_key("working-with-the-city-council")
        );
        // The same id twice is refused, next to the id field.
        let again = apply(
            &mut read.clone(),
            Edit::AddLesson {
                module: "first-steps".into(),
                lesson: text_lesson("Working with the city council"),
            },
        );
        assert_eq!(field_of(again.unwrap_err()), "lesson_key");
    }

    #[test]
    fn a_quiz_needs_its_first_question_and_a_correct_answer() {
        let course = sdgs();
        let mut quiz = text_lesson("Final check");
        quiz.kind = LessonKind::Quiz;
        assert_eq!(
            field_of(
                apply(
                    &mut course.clone(),
                    Edit::AddLesson {
                        module: "first-steps".into(),
                        lesson: quiz.clone()
                    }
                )
                .unwrap_err()
            ),
            "question"
        );
        quiz.first_question = Some(QuestionEdit {
            key: None,
            kind: QuestionKind::Single,
            prompt: "Which report does a city write?".into(),
            options: vec![option("A VLR", false), option("A VNR", false)],
        });
        assert_eq!(
            field_of(
                apply(
                    &mut course.clone(),
                    Edit::AddLesson {
                        module: "first-steps".into(),
                        lesson: quiz.clone()
                    }
                )
                .unwrap_err()
            ),
            "question"
        );
        quiz.first_question.as_mut().unwrap().options[0].correct = true;
        let (read, _) = edited(
            &course,
            Edit::AddLesson {
                module: "first-steps".into(),
                lesson: quiz,
            },
        )
        .unwrap();
        let l = read
            .lessons()
            .find(|l| l.key.as_str() == "final-check")
            .unwrap();
        assert_eq!(l.questions[0].key.as_str(), "q1");
        assert_eq!(l.questions[0].options, ["a", "b"]);
        assert_eq!(l.questions[0].correct, ["a"]);
    }

    #[test]
    fn lessons_move_across_module_boundaries_and_modules_are_never_empty() {
        let course = sdgs();
        let first_of_second = course.modules[1].lessons[0].key.to_string();
        let (read, paths) = edited(
            &course,
            Edit::MoveLesson {
                lesson: first_of_second.clone(),
                up: true,
            },
        )
        .unwrap();
        assert_eq!(paths, ["course.yaml"]);
        assert_eq!(
            read.modules[0].lessons.last().unwrap().key.as_str(),
            first_of_second
        );
        let first = course.modules[0].lessons[0].key.to_string();
        assert_eq!(
            field_of(
                apply(
                    &mut course.clone(),
                    Edit::MoveLesson {
                        lesson: first,
                        up: true
                    }
                )
                .unwrap_err()
            ),
            "lesson"
        );
        // A full reorder must name everything exactly once.
        let mut order: Vec<(String, Vec<String>)> = course
            .modules
            .iter()
            .map(|m| {
                (
                    m.key.to_string(),
                    m.lessons.iter().map(|l| l.key.to_string()).collect(),
                )
            })
            .collect();
        order.reverse();
        let (read, _) = edited(&course, Edit::Outline(order.clone())).unwrap();
        assert_eq!(read.modules[0].key, course.modules.last().unwrap().key);
        order[0].1.pop();
        assert_eq!(
            field_of(apply(&mut course.clone(), Edit::Outline(order)).unwrap_err()),
            "lessons"
        );
    }

    #[test]
    fn removing_a_lesson_removes_its_words_in_every_locale() {
        let course = sdgs();
        // Other lessons link to this one: refused, naming them.
        let err = apply(
            &mut course.clone(),
            Edit::RemoveLesson {
                lesson: "data-holder".into(),
            },
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("en/goals-targets-indicators"),
            "{err}"
        );
        assert_eq!(field_of(err), "lesson");
        let (read, paths) = edited(
            &course,
            Edit::RemoveLesson {
                lesson: "talk-why-goals-are-local".into(),
            },
        )
        .unwrap();
        assert_eq!(
            paths,
            [
                "course.yaml",
                "en/talk-why-goals-are-local.md",
                "es/talk-why-goals-are-local.md",
                "fr/talk-why-goals-are-local.md"
            ]
        );
        assert!(
            read.lessons()
                .all(|l| l.key.as_str() != "talk-why-goals-are-local")
        );
        // A module's lessons count too: other modules link into this one.
        let err = apply(
            &mut course.clone(),
            Edit::RemoveModule {
                module: "first-steps".into(),
            },
        )
        .unwrap_err();
        assert_eq!(field_of(err), "module");
        let (read, _) = edited(
            &course,
            Edit::RemoveModule {
                module: "why-goals-are-local".into(),
            },
        )
        .unwrap();
        assert!(
            read.texts
                .values()
                .all(|t| !t.lessons.contains_key("local-quiz"))
        );
        assert!(
            read.texts
                .values()
                .all(|t| !t.modules.contains_key("why-goals-are-local"))
        );
    }

    fn quiz_edit(course: &CourseSource, locale: Locale) -> (Vec<QuestionEdit>, Edit) {
        let l = course
            .lessons()
            .find(|l| l.key.as_str() == "agenda-quiz")
            .unwrap();
        let text = &course.texts[&locale];
        let questions: Vec<QuestionEdit> = l
            .questions
            .iter()
            .map(|q| {
                let qt = &text.questions[&("agenda-quiz".to_owned(), q.key.to_string())];
                QuestionEdit {
                    key: Some(q.key.to_string()),
                    kind: q.kind,
                    prompt: qt.prompt.clone(),
                    options: q
                        .options
                        .iter()
                        .map(|o| OptionEdit {
                            key: Some(o.clone()),
                            text: qt.options[o].text.clone(),
                            explanation: qt.options[o].explanation.clone(),
                            correct: q.correct.contains(o),
                        })
                        .collect(),
                }
            })
            .collect();
        let edit = Edit::Quiz {
            lesson: "agenda-quiz".into(),
            locale,
            title: text.lessons["agenda-quiz"].title.clone(),
            intro: text.lessons["agenda-quiz"].body.clone(),
            duration_minutes: l.duration_minutes,
            passing_score: l.passing_score.unwrap(),
            max_attempts: l.max_attempts,
            questions: questions.clone(),
        };
        (questions, edit)
    }

    fn with_questions(edit: Edit, questions: Vec<QuestionEdit>) -> Edit {
        match edit {
            Edit::Quiz {
                lesson,
                locale,
                title,
                intro,
                duration_minutes,
                passing_score,
                max_attempts,
                ..
            } => Edit::Quiz {
                lesson,
                locale,
                title,
                intro,
                duration_minutes,
                passing_score,
                max_attempts,
                questions,
            },
            other => other,
        }
    }

    #[test]
    fn the_quiz_editor_keeps_ids_and_translations_follow() {
        let course = sdgs();
        // Saving the quiz as it is changes nothing.
        let (_, edit) = quiz_edit(&course, Locale::En);
        let (_, paths) = edited(&course, edit).unwrap();
        assert!(paths.is_empty(), "{paths:?}");

        // Drop option d of q1, add an option and a question.
        let (mut questions, edit) = quiz_edit(&course, Locale::En);
        questions[0]
            .options
            .retain(|o| o.key.as_deref() != Some("d"));
        questions[0]
            .options
            .push(option("At the Habitat III conference", false));
        questions.push(QuestionEdit {
            key: None,
            kind: QuestionKind::TrueFalse,
            prompt: "Cities report on the goals in Voluntary Local Reviews.".into(),
            options: vec![option("True", true), option("False", false)],
        });
        let (read, paths) = edited(&course, with_questions(edit, questions)).unwrap();
        assert_eq!(
            paths,
            [
                "course.yaml",
                "en/agenda-quiz.yaml",
                "es/agenda-quiz.yaml",
                "fr/agenda-quiz.yaml"
            ]
        );
        let l = read
            .lessons()
            .find(|l| l.key.as_str() == "agenda-quiz")
            .unwrap();
        assert_eq!(
            l.questions[0].options,
            ["a", "b", "c", "e"],
            "existing ids stay, the new option takes a free one"
        );
        assert_eq!(l.questions.last().unwrap().key.as_str(), "q6");
        assert_eq!(l.questions.last().unwrap().correct, ["true"]);
        // French keeps its words for what still exists, and loses option d.
        let fr = &read.texts[&Locale::Fr].questions[&("agenda-quiz".to_owned(), "q1".to_owned())];
        assert!(fr.options.contains_key("a") && !fr.options.contains_key("d"));

        // In French, only words change.
        let (mut questions, edit) = quiz_edit(&course, Locale::Fr);
        questions[1].prompt = "Les ODD ne concernent que les pays en développement.".into();
        let (read, paths) =
            edited(&course, with_questions(edit.clone(), questions.clone())).unwrap();
        assert_eq!(paths, ["fr/agenda-quiz.yaml"]);
        assert_eq!(
            read.texts[&Locale::Fr].questions[&("agenda-quiz".to_owned(), "q2".to_owned())].prompt,
            "Les ODD ne concernent que les pays en développement."
        );
        for o in &mut questions[0].options {
            o.correct = o.key.as_deref() == Some("a");
        }
        assert_eq!(
            field_of(apply(&mut course.clone(), with_questions(edit, questions)).unwrap_err()),
            "questions"
        );
    }

    #[test]
    fn the_quiz_editor_names_the_field_at_fault() {
        let course = sdgs();
        let (questions, edit) = quiz_edit(&course, Locale::En);
        type Change = Box<dyn Fn(&mut Vec<QuestionEdit>)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|q| q.clear()), "questions"),
            (
                Box::new(|q| q[2].prompt = "  ".into()),
                "questions[2].prompt",
            ),
            (
                Box::new(|q| q[0].options.iter_mut().for_each(|o| o.correct = false)),
                "questions[0].correct",
            ),
            (
                Box::new(|q| q[0].options.iter_mut().for_each(|o| o.correct = true)),
                "questions[0].correct",
            ),
            (
                Box::new(|q| q[0].options.truncate(1)),
                "questions[0].options",
            ),
            (
                Box::new(|q| q[1].options.push(option("Maybe", false))),
                "questions[1].options",
            ),
        ];
        for (change, field) in cases {
            let mut q = questions.clone();
            change(&mut q);
            let err = apply(&mut course.clone(), with_questions(edit.clone(), q)).unwrap_err();
            assert_eq!(field_of(err), field);
        }
        let mut bad_score = edit.clone();
        if let Edit::Quiz { passing_score, .. } = &mut bad_score {
            *passing_score = 0;
        }
        assert_eq!(
            field_of(apply(&mut course.clone(), bad_score).unwrap_err()),
            "passing_score"
        );
    }

    #[test]
    fn course_details_and_a_new_translation() {
        let course = sdgs();
        let (read, paths) = edited(
            &course,
            Edit::Details {
                level: Level::Intermediate,
                duration_minutes: 200,
                themes: vec!["sdg:11".into(), "sendai:1".into(), "tag:urban".into()],
            },
        )
        .unwrap();
        assert_eq!(paths, ["course.yaml"]);
        assert_eq!(read.level, Level::Intermediate);
        assert!(read.themes.contains("sendai:1"));
        let bad = Edit::Details {
            level: Level::Beginner,
            duration_minutes: 10,
            themes: vec!["sdg:18".into()],
        };
        assert_eq!(
            field_of(apply(&mut course.clone(), bad).unwrap_err()),
            "themes"
        );
        let empty_title = Edit::CourseText {
            locale: Locale::Fr,
            title: " ".into(),
            summary: "s".into(),
            description: "d".into(),
            objectives: vec!["o".into()],
        };
        assert_eq!(
            field_of(apply(&mut course.clone(), empty_title).unwrap_err()),
            "title"
        );
        let no_objectives = Edit::CourseText {
            locale: Locale::Fr,
            title: "t".into(),
            summary: "s".into(),
            description: "d".into(),
            objectives: vec!["  ".into()],
        };
        assert_eq!(
            field_of(apply(&mut course.clone(), no_objectives).unwrap_err()),
            "objectives"
        );
    }
}
