//! The learning service and the course structure it keeps at hand:
//! published courses, each course's lessons in order, and course titles.

use std::{collections::HashMap, sync::Arc};

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::{
    ACTIVE,
    progress::cache_key,
    resume::{DEFAULT_FLUSH, ResumeTracker},
};
use crate::{
    Error, Result,
    cache::Cache,
    domain::{CourseStatus, LessonKind, Locale},
    entities::{course, course_translation, enrolment, lesson, module},
};

/// A lesson of a course in learning order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OrderedLesson {
    pub(crate) id: Uuid,
    pub(crate) key: String,
    pub(crate) kind: LessonKind,
}

/// How long course structure (published courses, lesson order) is reused
/// before it is read again: publishing reaches every server within this.
const STRUCTURE_TTL: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Clone)]
pub struct Learning {
    pub db: DatabaseConnection,
    pub cache: Cache,
    /// Published courses by slug.
    courses: moka::future::Cache<String, Arc<course::Model>>,
    /// Each course's lessons in learning order.
    lessons: moka::future::Cache<Uuid, Arc<Vec<OrderedLesson>>>,
    titles: moka::future::Cache<Uuid, Arc<CourseTitles>>,
    /// Lesson visits not yet written to the database.
    pub(super) visits: Arc<ResumeTracker>,
}

/// A course's slug and title in each locale it has.
pub(super) struct CourseTitles {
    pub(super) slug: String,
    pub(super) default_locale: Locale,
    pub(super) titles: Vec<(Locale, String)>,
}

impl Learning {
    pub fn new(db: DatabaseConnection, cache: Cache) -> Self {
        Self {
            db,
            cache,
            courses: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(STRUCTURE_TTL)
                .build(),
            titles: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(STRUCTURE_TTL)
                .build(),
            lessons: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(STRUCTURE_TTL)
                .build(),
            visits: Arc::new(ResumeTracker::new(DEFAULT_FLUSH)),
        }
    }

    /// Writes lesson visits to the database every `interval` (see `resume`).
    pub fn with_visit_flush(mut self, interval: std::time::Duration) -> Self {
        self.visits = Arc::new(ResumeTracker::new(interval));
        self
    }

    /// Forgets what this process and the shared cache hold about a course's
    /// structure, after a new version is published or its status changes.
    /// Other processes' structure caches expire within `STRUCTURE_TTL`.
    pub async fn forget_course(&self, course_id: Uuid) -> Result<()> {
        self.courses.invalidate_all();
        self.lessons.invalidate(&course_id).await;
        self.titles.invalidate(&course_id).await;
        let ids: Vec<Uuid> = enrolment::Entity::find()
            .select_only()
            .column(enrolment::Column::Id)
            .filter(enrolment::Column::CourseId.eq(course_id))
            .into_tuple()
            .all(&self.db)
            .await?;
        let keys: Vec<String> = ids.into_iter().map(cache_key).collect();
        self.cache.delete_many(&keys).await;
        Ok(())
    }

    pub(super) async fn published_course(&self, slug: &str) -> Result<Arc<course::Model>> {
        if let Some(c) = self.courses.get(slug).await {
            return Ok(c);
        }
        let c = course::Entity::find()
            .filter(course::Column::Slug.eq(slug))
            .filter(course::Column::Status.eq(CourseStatus::Published.as_str()))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "course" })?;
        let c = Arc::new(c);
        self.courses.insert(slug.to_owned(), c.clone()).await;
        Ok(c)
    }

    /// The course's lessons in learning order, from the structure cache.
    pub(super) async fn lessons_of(&self, course_id: Uuid) -> Result<Arc<Vec<OrderedLesson>>> {
        if let Some(l) = self.lessons.get(&course_id).await {
            return Ok(l);
        }
        let l = Arc::new(Self::ordered_lessons(&self.db, course_id).await?);
        self.lessons.insert(course_id, l.clone()).await;
        Ok(l)
    }

    pub(crate) async fn ordered_lessons(
        db: &impl ConnectionTrait,
        course_id: Uuid,
    ) -> Result<Vec<OrderedLesson>> {
        let modules: HashMap<Uuid, i32> = module::Entity::find()
            .filter(module::Column::CourseId.eq(course_id))
            .filter(module::Column::Removed.eq(false))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.id, m.position))
            .collect();
        let mut lessons: Vec<(i32, i32, OrderedLesson)> = lesson::Entity::find()
            .filter(lesson::Column::CourseId.eq(course_id))
            .filter(lesson::Column::Removed.eq(false))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|l| {
                let mpos = *modules.get(&l.module_id)?;
                Some((
                    mpos,
                    l.position,
                    OrderedLesson {
                        id: l.id,
                        key: l.key,
                        kind: l.kind.parse().ok()?,
                    },
                ))
            })
            .collect();
        lessons.sort_by_key(|(m, p, _)| (*m, *p));
        Ok(lessons.into_iter().map(|(_, _, l)| l).collect())
    }

    pub(super) async fn active_enrolment(
        &self,
        user_id: Uuid,
        course_id: Uuid,
    ) -> Result<enrolment::Model> {
        enrolment::Entity::find()
            .filter(enrolment::Column::UserId.eq(user_id))
            .filter(enrolment::Column::CourseId.eq(course_id))
            .filter(enrolment::Column::Status.eq(ACTIVE))
            .one(&self.db)
            .await?
            .ok_or(Error::Forbidden {
                reason: "enrol in this course first",
            })
    }

    /// Finds a lesson of the course by key or by id; a lesson of another course is not found.
    pub(super) async fn find_lesson(
        &self,
        course_id: Uuid,
        key_or_id: &str,
    ) -> Result<lesson::Model> {
        let mut q = lesson::Entity::find()
            .filter(lesson::Column::CourseId.eq(course_id))
            .filter(lesson::Column::Removed.eq(false));
        q = match Uuid::parse_str(key_or_id) {
            Ok(id) => q.filter(lesson::Column::Id.eq(id)),
            Err(_) => q.filter(lesson::Column::Key.eq(key_or_id)),
        };
        q.one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "lesson" })
    }

    /// A course's slug and titles, from the structure cache.
    pub(super) async fn titles_of(&self, course_id: Uuid) -> Result<Arc<CourseTitles>> {
        if let Some(t) = self.titles.get(&course_id).await {
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
        self.titles.insert(course_id, t.clone()).await;
        Ok(t)
    }
}
