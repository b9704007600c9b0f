//! Reading one locale folder: `meta.yaml`, the lessons' texts and quizzes,
//! and `resources/`.

use std::{collections::BTreeSet, path::Path};

use super::{
    Report,
    model::{CourseSource, LessonText, LocaleText, Resource},
    raw::{FrontMatter, RawMeta, RawQuiz},
    text::{line_of, parse_yaml, read_text, split_front_matter},
};
use crate::domain::LessonKind;

pub(super) fn read_locale(
    dir: &Path,
    course: &CourseSource,
    report: &mut Report,
) -> Option<LocaleText> {
    let meta_path = dir.join("meta.yaml");
    if !meta_path.is_file() {
        report.error(
            &meta_path,
            None,
            "missing: every locale folder needs a meta.yaml",
        );
        return None;
    }
    let meta_text = read_text(&meta_path, report)?;
    let meta: RawMeta = parse_yaml(&meta_path, &meta_text, report)?;
    let mut text = LocaleText {
        title: meta.title.trim().to_owned(),
        summary: meta.summary.trim().to_owned(),
        description: meta.description.trim().to_owned(),
        objectives: meta
            .objectives
            .iter()
            .map(|o| o.trim().to_owned())
            .collect(),
        modules: meta.modules,
        cover_alt: meta.cover_alt.trim().to_owned(),
        ..LocaleText::default()
    };
    if text.title.is_empty() || text.title.chars().count() > 200 {
        report.error(
            &meta_path,
            line_of(&meta_text, "title:"),
            "title: must be 1–200 characters",
        );
    }
    if text.summary.is_empty() || text.summary.chars().count() > 300 {
        report.error(
            &meta_path,
            line_of(&meta_text, "summary:"),
            "summary: must be 1–300 characters",
        );
    }
    for key in text.modules.keys() {
        if !course.modules.iter().any(|m| m.key.as_str() == key) {
            report.error(
                &meta_path,
                line_of(&meta_text, &format!("{key}:")),
                format!("modules: `{key}` is not a module of course.yaml"),
            );
        }
    }

    let mut expected = BTreeSet::from(["meta.yaml".to_owned(), "resources".to_owned()]);
    for lesson in course.lessons() {
        let key = lesson.key.as_str();
        if lesson.kind == LessonKind::Quiz {
            let path = dir.join(format!("{key}.yaml"));
            expected.insert(format!("{key}.yaml"));
            if !path.is_file() {
                continue;
            }
            let Some(raw) = read_text(&path, report) else {
                continue;
            };
            let Some(quiz) = parse_yaml::<RawQuiz>(&path, &raw, report) else {
                continue;
            };
            text.lessons.insert(
                key.to_owned(),
                LessonText {
                    title: quiz.title.trim().to_owned(),
                    body: quiz.intro.trim().to_owned(),
                },
            );
            for (qkey, qtext) in quiz.questions {
                let Some(q) = lesson.questions.iter().find(|q| q.key.as_str() == qkey) else {
                    report.error(
                        &path,
                        line_of(&raw, &format!("{qkey}:")),
                        format!("question `{qkey}` is not in course.yaml"),
                    );
                    continue;
                };
                for okey in qtext.options.keys() {
                    if !q.options.contains(okey) {
                        report.error(
                            &path,
                            line_of(&raw, &format!("{qkey}:")),
                            format!("question `{qkey}`: option `{okey}` is not in course.yaml"),
                        );
                    }
                }
                text.questions.insert((key.to_owned(), qkey), qtext);
            }
        } else {
            let path = dir.join(format!("{key}.md"));
            expected.insert(format!("{key}.md"));
            if !path.is_file() {
                continue;
            }
            let Some(raw) = read_text(&path, report) else {
                continue;
            };
            let Some((front, body)) = split_front_matter(&raw) else {
                report.error(
                    &path,
                    Some(1),
                    "missing front matter: start with `---`, a `title:` line and `---`",
                );
                continue;
            };
            let Some(fm) = parse_yaml::<FrontMatter>(&path, front, report) else {
                continue;
            };
            text.lessons.insert(
                key.to_owned(),
                LessonText {
                    title: fm.title.trim().to_owned(),
                    body: body.trim().to_owned(),
                },
            );
            if let Some(file) = &lesson.file {
                let rpath = dir.join("resources").join(file);
                if rpath.is_file() {
                    match std::fs::read(&rpath)
                        .map_err(|e| e.to_string())
                        .and_then(|d| Resource::new(file, d))
                    {
                        Ok(r) => drop(text.resources.insert(file.clone(), r)),
                        Err(e) => report.error(&rpath, None, e),
                    }
                }
            }
        }
    }
    // Files that belong to nothing are mistakes (a typo in a lesson id, say).
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !expected.contains(&name) && !name.starts_with('.') {
                report.error(
                    &e.path(),
                    None,
                    "this file belongs to no lesson of course.yaml",
                );
            }
        }
    }
    if let Ok(rd) = std::fs::read_dir(dir.join("resources")) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !course
                .lessons()
                .any(|l| l.file.as_deref() == Some(name.as_str()))
                && !name.starts_with('.')
            {
                report.error(
                    &e.path(),
                    None,
                    "this file is the `file` of no resource lesson",
                );
            }
        }
    }
    for (key, lt) in &text.lessons {
        if lt.title.is_empty() || lt.title.chars().count() > 200 {
            report.error(&dir.join(key), None, "title: must be 1–200 characters");
        }
    }
    Some(text)
}
