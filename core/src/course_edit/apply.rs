//! Applying one structured edit to a parsed course.

use std::collections::BTreeSet;

use serde_json::json;

use super::{
    Edit,
    fields::{
        MAX_BODY, MAX_SUMMARY, MAX_TITLE, duration, invalid, lesson_duration, optional, required,
    },
    ids::make_key,
    outline::{add_lesson, default_text, empty_module, forget_lesson, refuse_if_linked, reorder},
    quiz::check_questions,
};
use crate::{
    Error, Result,
    course_source::{CourseSource, LessonText, ModuleSource, ModuleText, QuestionSource},
    domain::{LessonKind, Theme},
};

fn module_index(course: &CourseSource, key: &str) -> Result<usize> {
    course
        .modules
        .iter()
        .position(|m| m.key.as_str() == key)
        .ok_or(Error::NotFound { what: "module" })
}

/// (module index, lesson index) of a lesson.
pub(super) fn lesson_index(course: &CourseSource, key: &str) -> Result<(usize, usize)> {
    for (mi, m) in course.modules.iter().enumerate() {
        if let Some(li) = m.lessons.iter().position(|l| l.key.as_str() == key) {
            return Ok((mi, li));
        }
    }
    Err(Error::NotFound { what: "lesson" })
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
