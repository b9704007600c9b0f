//! A lesson as published, in one locale: its HTML (Markdown rendered and
//! sanitised, media links resolved), what describes it, and its quiz.

use std::sync::Arc;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{LessonEntry, Published, PublishedCourse, QuizQuestions, quiz};
use crate::{
    Error, Result,
    catalogue::{CourseLinks, pick_locale},
    domain::{LessonKind, Locale},
    entities::{lesson_resource, lesson_translation},
    links, markdown,
    media::PublishedLinks,
};

#[derive(Clone, Debug)]
pub struct ResourceLink {
    pub file_name: String,
    pub content_type: String,
    pub download_path: String,
}

/// What every learner of a lesson in one locale is served alike.
#[derive(Clone, Debug)]
pub struct RenderedLesson {
    pub id: Uuid,
    pub key: String,
    pub kind: LessonKind,
    /// The locale of the text served: the reader's where the lesson has it.
    pub locale: Locale,
    pub title: String,
    /// The lesson body (for a video, its transcript) as sanitised HTML,
    /// shared by every reader.
    pub html: std::sync::Arc<str>,
    pub duration_minutes: u32,
    pub video_url: Option<String>,
    pub video_placeholder: bool,
    pub resource: Option<ResourceLink>,
    /// A quiz lesson's questions, without answers.
    pub quiz: Option<QuizQuestions>,
}

impl Published {
    /// A lesson of `course` in the first of the reader's locales it has,
    /// else the course's default, rendered once per content generation.
    pub async fn lesson(
        &self,
        course: &PublishedCourse,
        entry: &LessonEntry,
        preferred: &[Locale],
    ) -> Result<Arc<RenderedLesson>> {
        let locale = pick_locale(preferred, &entry.locales, course.default_locale);
        let s = self.current_snapshot().await?;
        let key = (entry.model.id, locale);
        if let Some(l) = s.lessons.get(&key).await {
            return Ok(l);
        }
        let l = Arc::new(self.render_lesson(course, entry, locale).await?);
        s.lessons.insert(key, l.clone()).await;
        Ok(l)
    }

    async fn render_lesson(
        &self,
        course: &PublishedCourse,
        entry: &LessonEntry,
        locale: Locale,
    ) -> Result<RenderedLesson> {
        let l = &entry.model;
        let default = course.default_locale;
        let texts = lesson_translation::Entity::find()
            .filter(lesson_translation::Column::LessonId.eq(l.id))
            .all(&self.db)
            .await?;
        let text = texts
            .iter()
            .find(|t| t.locale == locale.as_str())
            .or_else(|| texts.first())
            .ok_or(Error::Internal("lesson without text".into()))?;
        let slug = &course.model.slug;
        let media = crate::media::published_refs(&self.db, course.model.id).await?;
        let links = PublishedLinks {
            course: CourseLinks { slug },
            media: &media,
        };
        let resource = if entry.kind == LessonKind::Resource {
            lesson_resource::Entity::find()
                .select_only()
                .columns([
                    lesson_resource::Column::FileName,
                    lesson_resource::Column::ContentType,
                ])
                .filter(lesson_resource::Column::LessonId.eq(l.id))
                .into_tuple::<(String, String)>()
                .one(&self.db)
                .await?
                .map(|(file_name, content_type)| ResourceLink {
                    download_path: links::lesson_resource_download(slug, &l.key),
                    file_name,
                    content_type,
                })
        } else {
            None
        };
        let quiz = if entry.kind == LessonKind::Quiz {
            Some(quiz::build(&self.db, l, locale, default).await?)
        } else {
            None
        };
        Ok(RenderedLesson {
            id: l.id,
            key: l.key.clone(),
            kind: entry.kind,
            locale: text.locale.parse().unwrap_or(default),
            title: text.title.clone(),
            html: markdown::render(&text.body, &links).into(),
            duration_minutes: l.duration_minutes.max(0) as u32,
            video_url: l.video_url.clone(),
            video_placeholder: entry.kind == LessonKind::Video && l.video_url.is_none(),
            resource,
            quiz,
        })
    }
}
