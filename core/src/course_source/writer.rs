//! Writing: the inverse of reading, for `agora export` and for drafts.

use std::{collections::BTreeMap, path::Path};

use serde::Serialize;

use super::{
    media,
    model::CourseSource,
    raw::{FrontMatter, RawCourse, RawLesson, RawMeta, RawModule, RawQuestion, RawQuiz, RawThemes},
};
use crate::domain::{LessonKind, QuestionKind, Theme};

pub fn write_course(course: &CourseSource, dir: &Path) -> std::io::Result<()> {
    for (path, data) in render_files(course) {
        let target = dir.join(&path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(target, data)?;
    }
    Ok(())
}

/// The files of a course in the folder format, keyed by their path relative
/// to the course folder (`course.yaml`, `fr/meta.yaml`, …).
pub fn render_files(course: &CourseSource) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut themes = RawThemes::default();
    for t in &course.themes {
        match t.parse::<Theme>() {
            Ok(Theme::Sdg(n)) => themes.sdgs.push(n),
            Ok(Theme::Sendai(n)) => themes.sendai.push(n),
            Ok(Theme::Tag(s)) => themes.tags.push(s.to_string()),
            Err(_) => {}
        }
    }
    let raw = RawCourse {
        slug: course.slug.to_string(),
        default_locale: course.default_locale.to_string(),
        level: course.level.to_string(),
        duration_minutes: course.duration_minutes,
        status: Some(course.status.to_string()),
        themes,
        cover: course.cover.clone(),
        sources: course.sources.clone(),
        modules: course
            .modules
            .iter()
            .map(|m| RawModule {
                id: m.key.to_string(),
                lessons: m
                    .lessons
                    .iter()
                    .map(|l| RawLesson {
                        id: l.key.to_string(),
                        kind: l.kind.to_string(),
                        duration_minutes: l.duration_minutes,
                        video_url: l.video_url.clone(),
                        file: l.file.clone(),
                        passing_score: l.passing_score,
                        max_attempts: l.max_attempts,
                        questions: (l.kind == LessonKind::Quiz).then(|| {
                            l.questions
                                .iter()
                                .map(|q| match q.kind {
                                    QuestionKind::TrueFalse => RawQuestion {
                                        id: q.key.to_string(),
                                        kind: q.kind.to_string(),
                                        options: None,
                                        correct: None,
                                        answer: Some(
                                            q.correct.first().is_some_and(|c| c == "true"),
                                        ),
                                    },
                                    _ => RawQuestion {
                                        id: q.key.to_string(),
                                        kind: q.kind.to_string(),
                                        options: Some(q.options.clone()),
                                        correct: Some(q.correct.clone()),
                                        answer: None,
                                    },
                                })
                                .collect()
                        }),
                    })
                    .collect(),
            })
            .collect(),
    };
    files.insert("course.yaml".to_owned(), yaml(&raw).into_bytes());
    for (locale, text) in &course.texts {
        let ldir = locale.as_str();
        let meta = RawMeta {
            title: text.title.clone(),
            summary: text.summary.clone(),
            description: text.description.clone(),
            objectives: text.objectives.clone(),
            modules: text.modules.clone(),
            cover_alt: text.cover_alt.clone(),
        };
        files.insert(format!("{ldir}/meta.yaml"), yaml(&meta).into_bytes());
        for l in course.lessons() {
            let Some(lt) = text.lessons.get(l.key.as_str()) else {
                continue;
            };
            if l.kind == LessonKind::Quiz {
                let quiz = RawQuiz {
                    title: lt.title.clone(),
                    intro: lt.body.clone(),
                    questions: text
                        .questions
                        .iter()
                        .filter(|((lk, _), _)| lk == l.key.as_str())
                        .map(|((_, qk), qt)| (qk.clone(), qt.clone()))
                        .collect(),
                };
                files.insert(format!("{ldir}/{}.yaml", l.key), yaml(&quiz).into_bytes());
            } else {
                let front = yaml(&FrontMatter {
                    title: lt.title.clone(),
                });
                files.insert(
                    format!("{ldir}/{}.md", l.key),
                    format!("---\n{front}---\n{}\n", lt.body).into_bytes(),
                );
            }
        }
        for (name, r) in &text.resources {
            files.insert(format!("{ldir}/resources/{name}"), r.data.clone());
        }
    }
    for (name, m) in &course.media {
        files.insert(format!("{}/{name}", media::MEDIA_DIR), m.data.clone());
    }
    files
}

fn yaml<T: Serialize>(value: &T) -> String {
    serde_yaml_ng::to_string(value).expect("plain data serialises to YAML")
}
