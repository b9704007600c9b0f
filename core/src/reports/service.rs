//! The report service: reports read through the cache port, one
//! computation per course at a time.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};
use tokio::sync::Mutex as AsyncMutex;
use uuid::Uuid;

use super::{
    CourseReport, ReadableCourse,
    figures::Figures,
    syllabus::{Syllabus, assemble},
};
use crate::{Error, Result, cache::Cache, domain::Locale, entities::course};

/// Course reports, each course's figures kept in the cache port for
/// `fresh_for` (zero: computed on every request).
///
/// Staleness is accepted on purpose rather than invalidated: reports are
/// read by the people who run a course, figures a minute old serve them as
/// well as live ones, and the report says when they were computed.
/// Invalidating on every enrolment, completion and quiz attempt would put
/// the cache on the learners' write path for nothing. A dead or flushed
/// cache only means computing again.
///
/// Only the first reader after a quiet spell waits for the figures: one
/// computation per course runs at a time, and figures read in the last
/// quarter of their life are recomputed in the background.
#[derive(Clone)]
pub struct Reports {
    pub(super) db: DatabaseConnection,
    cache: Cache,
    fresh_for: std::time::Duration,
    /// One computation per course at a time in this process: readers who
    /// miss together wait for the first one's figures instead of each
    /// running the same aggregates over the same rows.
    computing: Arc<Mutex<HashMap<Uuid, Arc<AsyncMutex<()>>>>>,
}

impl Reports {
    pub fn new(db: DatabaseConnection, cache: Cache, fresh_for: std::time::Duration) -> Self {
        Self {
            db,
            cache,
            fresh_for,
            computing: Arc::default(),
        }
    }

    /// The report of a course the caller may read (see
    /// [`Reports::readable`]); titles and prompts in the first of
    /// `preferred` the course has, else its default locale.
    pub async fn course_report(
        &self,
        course: &ReadableCourse,
        preferred: &[Locale],
    ) -> Result<CourseReport> {
        let course = &course.course;
        let (figures, syllabus) = tokio::try_join!(
            self.figures(course.id),
            Syllabus::read(&self.db, course, preferred),
        )?;
        Ok(assemble(course, figures, syllabus))
    }

    async fn figures(&self, course_id: Uuid) -> Result<Figures> {
        if self.fresh_for.is_zero() {
            return Figures::compute(&self.db, course_id).await;
        }
        if let Some(f) = self.cached(course_id).await {
            if self.age(&f) >= self.refresh_after() {
                self.refresh_ahead(course_id);
            }
            return Ok(f);
        }
        let lock = self.lock_for(course_id);
        let _turn = lock.lock().await;
        // Whoever held the lock before us may have just computed them.
        if let Some(f) = self.cached(course_id).await {
            return Ok(f);
        }
        self.compute_and_keep(course_id).await
    }

    /// Figures read while this old are recomputed in the background, so
    /// that a report read steadily never makes a reader wait for them.
    fn refresh_after(&self) -> std::time::Duration {
        self.fresh_for * 3 / 4
    }

    fn age(&self, f: &Figures) -> std::time::Duration {
        let ms = (crate::jobs::now_ms() - f.computed_at_ms).max(0);
        std::time::Duration::from_millis(ms as u64)
    }

    fn lock_for(&self, course_id: Uuid) -> Arc<AsyncMutex<()>> {
        self.computing
            .lock()
            .expect("not poisoned")
            .entry(course_id)
            .or_default()
            .clone()
    }

    /// Recomputes the figures in the background unless that is under way.
    fn refresh_ahead(&self, course_id: Uuid) {
        let Ok(turn) = self.lock_for(course_id).try_lock_owned() else {
            return;
        };
        let this = self.clone();
        tokio::spawn(async move {
            let _turn = turn;
            // A refresh that ended just before we took the lock did the work.
            if let Some(f) = this.cached(course_id).await
                && this.age(&f) < this.refresh_after()
            {
                return;
            }
            if let Err(e) = this.compute_and_keep(course_id).await {
                tracing::warn!(error = %e, %course_id, "report figures were not refreshed");
            }
        });
    }

    async fn compute_and_keep(&self, course_id: Uuid) -> Result<Figures> {
        let f = Figures::compute(&self.db, course_id).await?;
        match serde_json::to_vec(&f) {
            // The computation time as the version: an older computation
            // (from a slower replica) never replaces a newer one.
            Ok(bytes) => {
                self.cache
                    .set(
                        &figures_key(course_id),
                        f.computed_at_ms.max(0) as u64,
                        &bytes,
                    )
                    .await;
            }
            Err(e) => tracing::error!(error = %e, "report figures do not serialize; not cached"),
        }
        Ok(f)
    }

    /// Cached figures younger than `fresh_for`, if any.
    async fn cached(&self, course_id: Uuid) -> Option<Figures> {
        let key = figures_key(course_id);
        let bytes = self
            .cache
            .get_many(std::slice::from_ref(&key))
            .await
            .into_iter()
            .next()
            .flatten()?;
        let f: Figures = match serde_json::from_slice(&bytes) {
            Ok(f) => f,
            Err(e) => {
                // Written by another version of Agora: compute again.
                tracing::warn!(error = %e, %key, "cached report figures do not parse; computing them");
                return None;
            }
        };
        (self.age(&f) < self.fresh_for).then_some(f)
    }
}

/// Versioned: a change to [`Figures`] changes the key.
fn figures_key(course_id: Uuid) -> String {
    format!("report:v1:{course_id}")
}

/// The whole report of one course, computed now, without the cache (see
/// [`Reports`] for the cached one).
pub async fn course_report(
    db: &impl ConnectionTrait,
    course_id: Uuid,
    preferred: &[Locale],
) -> Result<CourseReport> {
    let course = course::Entity::find_by_id(course_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound { what: "course" })?;
    let (figures, syllabus) = tokio::try_join!(
        Figures::compute(db, course.id),
        Syllabus::read(db, &course, preferred),
    )?;
    Ok(assemble(&course, figures, syllabus))
}
