//! Previews of a draft as learners will see it: a Markdown snippet, the
//! course page and a lesson.

use uuid::Uuid;

use super::{MAX_TEXT_BYTES, invalid, now};
use crate::{
    Error, Result,
    course_source::{self, CourseSource},
    domain::Locale,
    links, markdown,
    media::DraftLinks,
};

/// Renders lesson Markdown as learners will see it (sanitised), for the
/// editor's preview.
pub fn preview(slug: &str, markdown_text: &str) -> Result<String> {
    if markdown_text.len() > MAX_TEXT_BYTES {
        return Err(invalid(
            "markdown",
            format!("over the limit of {MAX_TEXT_BYTES} bytes"),
        ));
    }
    Ok(markdown::render(
        markdown_text,
        &DraftLinks { slug, locale: None },
    ))
}

/// A draft's course page as a learner would see it: the outline in the
/// first of `preferred` the draft has, else its default locale; lesson links
/// open the draft preview.
pub fn preview_outline(
    source: &CourseSource,
    preferred: &[Locale],
) -> crate::catalogue::CourseOutline {
    use crate::catalogue::{CourseCard, CourseOutline, LessonOutline, ModuleOutline};
    let available = source.locales();
    let locale = crate::catalogue::pick_locale(preferred, &available, source.default_locale);
    let empty = course_source::LocaleText::default();
    let fallback = source.texts.get(&source.default_locale).unwrap_or(&empty);
    let text = source.texts.get(&locale).unwrap_or(fallback);
    let pick = |own: &str, other: &str| {
        if own.is_empty() {
            other.to_owned()
        } else {
            own.to_owned()
        }
    };
    let slug = source.slug.as_str();
    let cover = source.cover.as_ref().and_then(|name| {
        let m = source.media.get(name)?;
        Some(crate::media::Cover {
            url: links::draft_media(slug, name),
            alt: pick(&text.cover_alt, &fallback.cover_alt),
            width: m.width.unwrap_or_default(),
            height: m.height.unwrap_or_default(),
        })
    });
    let card = CourseCard {
        slug: slug.to_owned(),
        locale,
        default_locale: source.default_locale,
        available_locales: available,
        title: pick(&text.title, &fallback.title),
        summary: pick(&text.summary, &fallback.summary),
        level: source.level,
        duration_minutes: source.duration_minutes,
        themes: source.themes.iter().cloned().collect(),
        module_count: source.modules.len() as u32,
        lesson_count: source.lessons().count() as u32,
        enrolment_count: 0,
        published_at: None,
        updated_at: now(),
        cover,
        sources: source.sources.clone(),
    };
    let description = pick(&text.description, &fallback.description);
    let links = DraftLinks {
        slug,
        locale: Some(locale),
    };
    CourseOutline {
        description_html: markdown::render(&description, &links),
        description,
        objectives: if text.objectives.is_empty() {
            fallback.objectives.clone()
        } else {
            text.objectives.clone()
        },
        modules: source
            .modules
            .iter()
            .map(|m| {
                let mt = text
                    .modules
                    .get(m.key.as_str())
                    .or_else(|| fallback.modules.get(m.key.as_str()));
                ModuleOutline {
                    key: m.key.to_string(),
                    title: mt
                        .map(|t| t.title.clone())
                        .unwrap_or_else(|| m.key.to_string()),
                    summary: mt.map(|t| t.summary.clone()).unwrap_or_default(),
                    lessons: m
                        .lessons
                        .iter()
                        .map(|l| LessonOutline {
                            id: Uuid::nil(),
                            key: l.key.to_string(),
                            title: text
                                .lessons
                                .get(l.key.as_str())
                                .or_else(|| fallback.lessons.get(l.key.as_str()))
                                .map(|t| t.title.clone())
                                .unwrap_or_else(|| l.key.to_string()),
                            kind: l.kind,
                            duration_minutes: l.duration_minutes,
                        })
                        .collect(),
                }
            })
            .collect(),
        card,
    }
}

/// A lesson of a draft as a learner would see it, in the first of
/// `preferred` the draft has text for (then its default locale): the same
/// view the lesson player renders, with no progress.
pub fn preview_lesson(
    source: &CourseSource,
    key: &str,
    preferred: &[Locale],
) -> Result<crate::learning::LessonView> {
    use crate::learning::{
        LessonView, OptionView, ProgressSummary, QuestionView, QuizView, ResourceLink,
    };
    let lessons: Vec<&course_source::LessonSource> = source.lessons().collect();
    let at = lessons
        .iter()
        .position(|l| l.key.as_str() == key)
        .ok_or(Error::NotFound { what: "lesson" })?;
    let l = lessons[at];
    let locale = preferred
        .iter()
        .copied()
        .chain([source.default_locale])
        .find(|loc| {
            source
                .texts
                .get(loc)
                .is_some_and(|t| t.lessons.contains_key(key))
        })
        .ok_or(Error::NotFound {
            what: "lesson text",
        })?;
    let text = &source.texts[&locale];
    let fallback = source.texts.get(&source.default_locale);
    let lt = &text.lessons[key];
    let slug = source.slug.as_str();
    let links = DraftLinks {
        slug,
        locale: Some(locale),
    };
    let quiz = (l.kind == crate::domain::LessonKind::Quiz).then(|| QuizView {
        passing_score: l.passing_score.unwrap_or(100),
        max_attempts: l.max_attempts,
        attempts_used: 0,
        best_score: None,
        passed: false,
        questions: l
            .questions
            .iter()
            .map(|q| {
                let qkey = (key.to_owned(), q.key.to_string());
                let qt = text
                    .questions
                    .get(&qkey)
                    .or_else(|| fallback.and_then(|f| f.questions.get(&qkey)));
                QuestionView {
                    key: q.key.to_string(),
                    kind: q.kind,
                    prompt: qt.map(|t| t.prompt.clone()).unwrap_or_default(),
                    options: q
                        .options
                        .iter()
                        .map(|o| OptionView {
                            key: o.clone(),
                            text: qt
                                .and_then(|t| t.options.get(o))
                                .map(|t| t.text.clone())
                                .unwrap_or_else(|| o.clone()),
                        })
                        .collect(),
                }
            })
            .collect(),
    });
    let resource = l.file.as_ref().map(|f| ResourceLink {
        file_name: f.clone(),
        content_type: text
            .resources
            .get(f)
            .map(|r| r.content_type.clone())
            .unwrap_or_default(),
        download_path: markdown::LinkTarget::resource(&links, f),
    });
    let now = now();
    Ok(LessonView {
        id: Uuid::nil(),
        key: key.to_owned(),
        kind: l.kind,
        locale,
        title: lt.title.clone(),
        html: markdown::render(&lt.body, &links).into(),
        duration_minutes: l.duration_minutes,
        video_url: l.video_url.clone(),
        video_placeholder: l.kind == crate::domain::LessonKind::Video && l.video_url.is_none(),
        resource,
        quiz,
        previous_key: at.checked_sub(1).map(|i| lessons[i].key.to_string()),
        next_key: lessons.get(at + 1).map(|l| l.key.to_string()),
        completed: false,
        outline: std::sync::Arc::new(preview_outline(source, &[locale])),
        progress: ProgressSummary {
            enrolment_id: Uuid::nil(),
            course_id: Uuid::nil(),
            status: "active".into(),
            completed_lessons: 0,
            total_lessons: lessons.len() as u32,
            percent: 0,
            last_lesson_id: None,
            resume_lesson_id: None,
            resume_lesson_key: None,
            enrolled_at: now,
            last_activity_at: now,
            completed_at: None,
            version: 0,
            completed_lesson_ids: Vec::new(),
        },
    })
}
