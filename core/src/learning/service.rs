//! The learning service, and the course structure it reads from the
//! published-content store.

use std::sync::Arc;

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
    entities::{course, enrolment, lesson},
    published::{CourseTitles, OrderedLesson, Published, ordered_lessons},
};

#[derive(Clone)]
pub struct Learning {
    pub db: DatabaseConnection,
    pub cache: Cache,
    /// Published content, rendered once per content generation: course
    /// structure, lessons, outlines.
    published: Published,
    /// Lesson visits not yet written to the database.
    pub(super) visits: Arc<ResumeTracker>,
}

impl Learning {
    pub fn new(db: DatabaseConnection, cache: Cache) -> Self {
        Self {
            published: Published::new(db.clone()),
            db,
            cache,
            visits: Arc::new(ResumeTracker::new(DEFAULT_FLUSH)),
        }
    }

    /// Writes lesson visits to the database every `interval` (see `resume`).
    pub fn with_visit_flush(mut self, interval: std::time::Duration) -> Self {
        self.visits = Arc::new(ResumeTracker::new(interval));
        self
    }

    /// The published-content store this service reads from; the pages and
    /// the catalogue read from the same one.
    pub fn published(&self) -> &Published {
        &self.published
    }

    /// After a change to a course's published content has committed with
    /// content generation `generation`: this process drops what it rendered
    /// at once (the others follow when they poll the generation), and the
    /// shared cache forgets the course's progress summaries, whose lesson
    /// totals may have changed.
    pub async fn forget_course(&self, course_id: Uuid, generation: i64) -> Result<()> {
        self.published.advance(generation);
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

    /// The published course by slug, from the published-content store.
    pub(super) async fn published_course(&self, slug: &str) -> Result<Arc<course::Model>> {
        Ok(Arc::new(self.published.course(slug).await?.model.clone()))
    }

    /// The course's lessons in learning order, from the published-content store.
    pub(super) async fn lessons_of(&self, course_id: Uuid) -> Result<Arc<Vec<OrderedLesson>>> {
        self.published.order(course_id).await
    }

    pub(crate) async fn ordered_lessons(
        db: &impl ConnectionTrait,
        course_id: Uuid,
    ) -> Result<Vec<OrderedLesson>> {
        ordered_lessons(db, course_id).await
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

    /// A course's slug and titles, from the published-content store.
    pub(super) async fn titles_of(&self, course_id: Uuid) -> Result<Arc<CourseTitles>> {
        self.published.titles(course_id).await
    }
}
