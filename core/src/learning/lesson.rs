//! A lesson for an enrolled learner: its view in their locale and its files.

use std::sync::Arc;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{Learning, OrderedLesson, ProgressSummary, QuizView, ResourceLink};
use crate::{
    Error, Result,
    catalogue::{CourseOutline, pick_locale},
    domain::{LessonKind, Locale},
    entities::{lesson, lesson_resource},
};

#[derive(Clone, Debug)]
pub struct LessonView {
    pub id: Uuid,
    pub key: String,
    pub kind: LessonKind,
    pub locale: Locale,
    pub title: String,
    /// The lesson body (for a video, its transcript) as sanitised HTML.
    pub html: Arc<str>,
    pub duration_minutes: u32,
    pub video_url: Option<String>,
    pub video_placeholder: bool,
    pub resource: Option<ResourceLink>,
    pub quiz: Option<QuizView>,
    pub previous_key: Option<String>,
    pub next_key: Option<String>,
    pub completed: bool,
    /// The course's modules and lessons, for the player's outline; the
    /// ticks are `progress.completed_lesson_ids`.
    pub outline: Arc<CourseOutline>,
    pub progress: ProgressSummary,
}

/// A downloadable file of a lesson.
#[derive(Clone, Debug)]
pub struct ResourceFile {
    pub file_name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

impl From<lesson_resource::Model> for ResourceFile {
    fn from(f: lesson_resource::Model) -> Self {
        Self {
            file_name: f.file_name,
            content_type: f.content_type,
            data: f.data,
        }
    }
}

/// What completing a lesson leads to: the learner's progress, and the key
/// of the lesson after it in course order (none after the last).
#[derive(Clone, Debug)]
pub struct LessonCompleted {
    pub progress: ProgressSummary,
    pub next_key: Option<String>,
}

/// The keys of the lessons before and after `id` in course order. A lesson
/// missing from the order (its module was removed) counts as the first.
pub(crate) fn neighbours(order: &[OrderedLesson], id: Uuid) -> (Option<String>, Option<String>) {
    let pos = order.iter().position(|o| o.id == id).unwrap_or(0);
    let key = |i: Option<usize>| i.and_then(|i| order.get(i)).map(|o| o.key.clone());
    (key(pos.checked_sub(1)), key(Some(pos + 1)))
}

impl Learning {
    /// One lesson for an enrolled learner, in their locale with fallback.
    ///
    /// In the steady state this reads no database: the course, the lesson
    /// and the outline come rendered from the published-content store, the
    /// enrolment and what is completed from the cached progress summary. A
    /// quiz adds one read of the learner's attempts.
    pub async fn lesson(
        &self,
        user_id: Uuid,
        slug: &str,
        key: &str,
        preferred: &[Locale],
    ) -> Result<LessonView> {
        let course = self.published().course(slug).await?;
        let e = self.active_summary(user_id, course.model.id).await?;
        let entry = course.lesson(key)?;
        let l = self.published().lesson(&course, entry, preferred).await?;
        let outline = self.published().outline(slug, l.locale).await?;
        let order = course.order.clone();
        let (previous_key, next_key) = neighbours(&order, l.id);
        let quiz = match &l.quiz {
            Some(q) => Some(self.quiz_view(q, e.enrolment_id, l.id).await?),
            None => None,
        };

        // Remember where the learner is, for "continue where you left off".
        let subject = crate::xapi::emit::Subject {
            user_id,
            enrolment_id: e.enrolment_id,
            course_slug: course.model.slug.clone(),
            language: course.model.default_locale.clone(),
        };
        let summary = self.note_visit(e, (l.id, &l.key), &order, subject).await?;

        Ok(LessonView {
            completed: summary.completed_lesson_ids.contains(&l.id),
            id: l.id,
            key: l.key.clone(),
            kind: l.kind,
            locale: l.locale,
            title: l.title.clone(),
            html: l.html.clone(),
            duration_minutes: l.duration_minutes,
            video_url: l.video_url.clone(),
            video_placeholder: l.video_placeholder,
            resource: l.resource.clone(),
            quiz,
            previous_key,
            next_key,
            outline,
            progress: summary,
        })
    }

    /// The downloadable file of a resource lesson, in the learner's locale with fallback.
    pub async fn resource(
        &self,
        user_id: Uuid,
        slug: &str,
        key: &str,
        preferred: &[Locale],
    ) -> Result<ResourceFile> {
        let course = self.published_course(slug).await?;
        self.active_enrolment(user_id, course.id).await?;
        let l = self.find_lesson(course.id, key).await?;
        let files = lesson_resource::Entity::find()
            .filter(lesson_resource::Column::LessonId.eq(l.id))
            .all(&self.db)
            .await?;
        let available: Vec<Locale> = files.iter().filter_map(|f| f.locale.parse().ok()).collect();
        let locale = pick_locale(
            preferred,
            &available,
            course.default_locale.parse().unwrap_or(Locale::En),
        );
        files
            .into_iter()
            .find(|f| f.locale == locale.as_str())
            .map(ResourceFile::from)
            .ok_or(Error::NotFound { what: "resource" })
    }

    /// A resource file by the name lesson Markdown links to it with
    /// (`resource:sheet.md`, served at `/courses/{slug}/resources/sheet.md`),
    /// for an enrolled learner, in their locale with fallback.
    pub async fn resource_file(
        &self,
        user_id: Uuid,
        slug: &str,
        file_name: &str,
        preferred: &[Locale],
    ) -> Result<ResourceFile> {
        let course = self.published_course(slug).await?;
        self.active_enrolment(user_id, course.id).await?;
        let lesson_ids: Vec<Uuid> = lesson::Entity::find()
            .select_only()
            .column(lesson::Column::Id)
            .filter(lesson::Column::CourseId.eq(course.id))
            .filter(lesson::Column::Removed.eq(false))
            .into_tuple()
            .all(&self.db)
            .await?;
        let files = lesson_resource::Entity::find()
            .filter(lesson_resource::Column::LessonId.is_in(lesson_ids))
            .filter(lesson_resource::Column::FileName.eq(file_name))
            .all(&self.db)
            .await?;
        let available: Vec<Locale> = files.iter().filter_map(|f| f.locale.parse().ok()).collect();
        let locale = pick_locale(
            preferred,
            &available,
            course.default_locale.parse().unwrap_or(Locale::En),
        );
        files
            .into_iter()
            .find(|f| f.locale == locale.as_str())
            .map(ResourceFile::from)
            .ok_or(Error::NotFound { what: "resource" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learning::progress::tests::course;

    #[test]
    fn neighbours_follow_course_order() {
        let order = course(&["a", "b", "c"]);
        let keys = |(p, n): (Option<String>, Option<String>)| (p, n);
        assert_eq!(
            keys(neighbours(&order, order[0].id)),
            (None, Some("b".into()))
        );
        assert_eq!(
            keys(neighbours(&order, order[1].id)),
            (Some("a".into()), Some("c".into()))
        );
        assert_eq!(
            keys(neighbours(&order, order[2].id)),
            (Some("b".into()), None)
        );
    }

    #[test]
    fn a_lesson_outside_the_order_counts_as_the_first() {
        let order = course(&["a", "b"]);
        assert_eq!(neighbours(&order, Uuid::new_v4()), (None, Some("b".into())));
        assert_eq!(neighbours(&[], Uuid::new_v4()), (None, None));
    }
}
