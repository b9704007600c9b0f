//! Course structure: a published course with its lessons in learning order,
//! and course titles.

use std::{collections::HashMap, sync::Arc};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::Published;
use crate::{
    Error, Result,
    domain::{CourseStatus, LessonKind, Locale},
    entities::{course, course_translation, lesson, lesson_translation, module},
};

/// A lesson of a course in learning order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OrderedLesson {
    pub(crate) id: Uuid,
    pub(crate) key: String,
    pub(crate) kind: LessonKind,
}

/// A lesson of a published course, as stored, with the locales it has.
#[derive(Clone, Debug)]
pub struct LessonEntry {
    pub model: lesson::Model,
    pub kind: LessonKind,
    pub locales: Vec<Locale>,
}

/// A published course: its row, its lessons in learning order, and every
/// lesson that is not removed by key and by id.
#[derive(Debug)]
pub struct PublishedCourse {
    pub model: course::Model,
    pub default_locale: Locale,
    pub(crate) order: Arc<Vec<OrderedLesson>>,
    lessons: HashMap<String, LessonEntry>,
    keys_by_id: HashMap<Uuid, String>,
}

impl PublishedCourse {
    /// A lesson of the course by key or by id; a lesson of another course is not found.
    pub fn lesson(&self, key_or_id: &str) -> Result<&LessonEntry> {
        let key = match Uuid::parse_str(key_or_id) {
            Ok(id) => self.keys_by_id.get(&id).map(String::as_str),
            Err(_) => Some(key_or_id),
        };
        key.and_then(|k| self.lessons.get(k))
            .ok_or(Error::NotFound { what: "lesson" })
    }
}

/// A course's slug and title in each locale it has.
pub(crate) struct CourseTitles {
    pub(crate) slug: String,
    pub(crate) default_locale: Locale,
    pub(crate) titles: Vec<(Locale, String)>,
}

/// Orders lessons by module position, then lesson position; a lesson whose
/// module is removed (or unknown) is left out.
fn order_of(modules: &HashMap<Uuid, i32>, lessons: &[lesson::Model]) -> Vec<OrderedLesson> {
    let mut ordered: Vec<(i32, i32, OrderedLesson)> = lessons
        .iter()
        .filter_map(|l| {
            let mpos = *modules.get(&l.module_id)?;
            Some((
                mpos,
                l.position,
                OrderedLesson {
                    id: l.id,
                    key: l.key.clone(),
                    kind: l.kind.parse().ok()?,
                },
            ))
        })
        .collect();
    ordered.sort_by_key(|(m, p, _)| (*m, *p));
    ordered.into_iter().map(|(_, _, l)| l).collect()
}

async fn live_modules(db: &impl ConnectionTrait, course_id: Uuid) -> Result<HashMap<Uuid, i32>> {
    Ok(module::Entity::find()
        .filter(module::Column::CourseId.eq(course_id))
        .filter(module::Column::Removed.eq(false))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.position))
        .collect())
}

async fn live_lessons(db: &impl ConnectionTrait, course_id: Uuid) -> Result<Vec<lesson::Model>> {
    Ok(lesson::Entity::find()
        .filter(lesson::Column::CourseId.eq(course_id))
        .filter(lesson::Column::Removed.eq(false))
        .all(db)
        .await?)
}

/// A course's lessons in learning order, read from `db` (inside a
/// transaction when the caller needs one).
pub(crate) async fn ordered_lessons(
    db: &impl ConnectionTrait,
    course_id: Uuid,
) -> Result<Vec<OrderedLesson>> {
    let modules = live_modules(db, course_id).await?;
    Ok(order_of(&modules, &live_lessons(db, course_id).await?))
}

impl Published {
    /// A published course by slug, from memory.
    pub async fn course(&self, slug: &str) -> Result<Arc<PublishedCourse>> {
        let s = self.current_snapshot().await?;
        if let Some(c) = s.courses.get(slug).await {
            return Ok(c);
        }
        let c = Arc::new(self.build_course(slug).await?);
        s.orders.insert(c.model.id, c.order.clone()).await;
        s.courses.insert(slug.to_owned(), c.clone()).await;
        Ok(c)
    }

    async fn build_course(&self, slug: &str) -> Result<PublishedCourse> {
        let model = course::Entity::find()
            .filter(course::Column::Slug.eq(slug))
            .filter(course::Column::Status.eq(CourseStatus::Published.as_str()))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "course" })?;
        let modules = live_modules(&self.db, model.id).await?;
        let lessons = live_lessons(&self.db, model.id).await?;
        let order = order_of(&modules, &lessons);
        let locales: Vec<(Uuid, String)> = lesson_translation::Entity::find()
            .select_only()
            .columns([
                lesson_translation::Column::LessonId,
                lesson_translation::Column::Locale,
            ])
            .filter(lesson_translation::Column::LessonId.is_in(lessons.iter().map(|l| l.id)))
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut by_lesson: HashMap<Uuid, Vec<Locale>> = HashMap::new();
        for (id, l) in locales {
            if let Ok(l) = l.parse() {
                by_lesson.entry(id).or_default().push(l);
            }
        }
        let mut entries = HashMap::with_capacity(lessons.len());
        let mut keys_by_id = HashMap::with_capacity(lessons.len());
        for l in lessons {
            let kind: LessonKind = l.kind.parse().map_err(Error::Internal)?;
            keys_by_id.insert(l.id, l.key.clone());
            let locales = by_lesson.remove(&l.id).unwrap_or_default();
            entries.insert(
                l.key.clone(),
                LessonEntry {
                    model: l,
                    kind,
                    locales,
                },
            );
        }
        Ok(PublishedCourse {
            default_locale: model.default_locale.parse().unwrap_or(Locale::En),
            model,
            order: Arc::new(order),
            lessons: entries,
            keys_by_id,
        })
    }

    /// Any course's lessons in learning order (published or not: progress
    /// of an archived course is still summarised), from memory.
    pub(crate) async fn order(&self, course_id: Uuid) -> Result<Arc<Vec<OrderedLesson>>> {
        let s = self.current_snapshot().await?;
        if let Some(o) = s.orders.get(&course_id).await {
            return Ok(o);
        }
        let o = Arc::new(ordered_lessons(&self.db, course_id).await?);
        s.orders.insert(course_id, o.clone()).await;
        Ok(o)
    }

    /// A course's slug and titles, from memory.
    pub(crate) async fn titles(&self, course_id: Uuid) -> Result<Arc<CourseTitles>> {
        let s = self.current_snapshot().await?;
        if let Some(t) = s.titles.get(&course_id).await {
            return Ok(t);
        }
        let c = course::Entity::find_by_id(course_id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "course" })?;
        let titles: Vec<(String, String)> = course_translation::Entity::find()
            .select_only()
            .columns([
                course_translation::Column::Locale,
                course_translation::Column::Title,
            ])
            .filter(course_translation::Column::CourseId.eq(course_id))
            .into_tuple()
            .all(&self.db)
            .await?;
        let t = Arc::new(CourseTitles {
            slug: c.slug,
            default_locale: c.default_locale.parse().unwrap_or(Locale::En),
            titles: titles
                .into_iter()
                .filter_map(|(l, t)| Some((l.parse().ok()?, t)))
                .collect(),
        });
        s.titles.insert(course_id, t.clone()).await;
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson(key: &str, module_id: Uuid, position: i32) -> lesson::Model {
        lesson::Model {
            id: Uuid::new_v4(),
            course_id: Uuid::nil(),
            module_id,
            key: key.into(),
            position,
            kind: "text".into(),
            duration_minutes: 5,
            video_url: None,
            resource_file: None,
            passing_score: None,
            max_attempts: None,
            removed: false,
        }
    }

    #[test]
    fn lessons_follow_module_then_lesson_position_and_skip_removed_modules() {
        let (m1, m2, gone) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let modules = HashMap::from([(m1, 1), (m2, 0)]);
        let lessons = [
            lesson("b", m1, 1),
            lesson("a", m1, 0),
            lesson("first", m2, 0),
            lesson("orphan", gone, 0),
        ];
        let keys: Vec<String> = order_of(&modules, &lessons)
            .into_iter()
            .map(|l| l.key)
            .collect();
        assert_eq!(keys, ["first", "a", "b"]);
    }
}
