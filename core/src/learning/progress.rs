//! Progress: recording completed lessons, completing the course, and each
//! enrolment's progress summary with its cache.

use std::collections::BTreeSet;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set,
    TransactionTrait,
    sea_query::{Expr, OnConflict},
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{CourseCompleted, Learning, OrderedLesson, now};
use crate::{
    Error, Result,
    cache::Cache,
    entities::{enrolment, lesson_progress},
    jobs,
};

/// Where a learner stands in one course.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressSummary {
    pub enrolment_id: Uuid,
    pub course_id: Uuid,
    pub status: String,
    pub completed_lessons: u32,
    pub total_lessons: u32,
    pub percent: u8,
    pub last_lesson_id: Option<Uuid>,
    /// The lesson to continue with: the first one not yet completed.
    pub resume_lesson_id: Option<Uuid>,
    pub resume_lesson_key: Option<String>,
    pub enrolled_at: OffsetDateTime,
    pub last_activity_at: OffsetDateTime,
    pub completed_at: Option<OffsetDateTime>,
    /// The enrolment's progress version this summary was built from.
    pub version: i64,
    /// Every lesson the learner completed (the ticks of the lesson
    /// player's outline), so that no page reads them per request.
    pub completed_lesson_ids: Vec<Uuid>,
}

pub(super) fn cache_key(enrolment_id: Uuid) -> String {
    // v2: summaries carry the completed lessons.
    format!("agora:progress:v2:{enrolment_id}")
}

/// How far a learner is through a course's lessons.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Standing<'a> {
    pub(crate) completed: u32,
    pub(crate) total: u32,
    pub(crate) percent: u8,
    /// Where to continue: the first lesson not done; when all are done, the
    /// last one visited; else the first.
    pub(crate) resume: Option<&'a OrderedLesson>,
}

/// The standing of a learner who has done the lessons in `done`. A completed
/// course is 100% even when lessons were added to it since.
pub(crate) fn standing<'a>(
    order: &'a [OrderedLesson],
    done: &BTreeSet<Uuid>,
    last_lesson_id: Option<Uuid>,
    course_completed: bool,
) -> Standing<'a> {
    let completed = order.iter().filter(|l| done.contains(&l.id)).count() as u32;
    let total = order.len() as u32;
    let resume = order
        .iter()
        .find(|l| !done.contains(&l.id))
        .or_else(|| last_lesson_id.and_then(|id| order.iter().find(|l| l.id == id)))
        .or(order.first());
    let percent = if course_completed {
        100
    } else {
        (completed * 100).checked_div(total).unwrap_or(0) as u8
    };
    Standing {
        completed,
        total,
        percent,
        resume,
    }
}

/// Whether `done` of the `required` lessons complete the course: all of
/// them, and a course without lessons is never completed.
pub(crate) fn completes_course(required: usize, done: u64) -> bool {
    required > 0 && done >= required as u64
}

/// Changes an enrolment under its row lock (PostgreSQL) or the write lock
/// (SQLite), taken before anything else is read. Every change to progress
/// passes here, so every change bumps the progress version that cached
/// summaries carry. Returns the enrolment as it now is.
async fn change_enrolment(
    db: &impl ConnectionTrait,
    enrolment_id: Uuid,
    status: Option<&str>,
    lesson_id: Option<Uuid>,
) -> Result<enrolment::Model> {
    use sea_orm::sea_query::ExprTrait;
    let mut update = enrolment::Entity::update_many()
        .col_expr(
            enrolment::Column::ProgressVersion,
            Expr::col(enrolment::Column::ProgressVersion).add(1),
        )
        .col_expr(enrolment::Column::LastActivityAt, Expr::value(now()));
    if let Some(status) = status {
        update = update.col_expr(enrolment::Column::Status, Expr::value(status));
    }
    if let Some(lesson_id) = lesson_id {
        update = update.col_expr(
            enrolment::Column::LastLessonId,
            Expr::value(Some(lesson_id)),
        );
    }
    update
        .filter(enrolment::Column::Id.eq(enrolment_id))
        .exec_with_returning(db)
        .await?
        .pop()
        .ok_or(Error::NotFound { what: "enrolment" })
}

pub(super) async fn set_status(
    db: &impl ConnectionTrait,
    enrolment_id: Uuid,
    status: &str,
) -> Result<enrolment::Model> {
    change_enrolment(db, enrolment_id, Some(status), None).await
}

/// Locks the enrolment and records the lesson as the last one visited.
pub(super) async fn lock_enrolment(
    db: &impl ConnectionTrait,
    enrolment_id: Uuid,
    lesson_id: Uuid,
) -> Result<enrolment::Model> {
    change_enrolment(db, enrolment_id, None, Some(lesson_id)).await
}

/// Records a completed lesson and, when it was the last one, completes the
/// course and enqueues `course_completed` in the same transaction. The
/// enrolment row lock makes two concurrent completions of the last two
/// lessons see each other: exactly one completes the course.
pub(super) async fn record_completion(
    db: &impl ConnectionTrait,
    enrolment_id: Uuid,
    lessons: &[OrderedLesson],
    lesson_id: Uuid,
) -> Result<enrolment::Model> {
    let mut e = lock_enrolment(db, enrolment_id, lesson_id).await?;
    let inserted = lesson_progress::Entity::insert(lesson_progress::ActiveModel {
        enrolment_id: Set(enrolment_id),
        lesson_id: Set(lesson_id),
        completed_at: Set(now()),
    })
    .on_conflict(
        OnConflict::columns([
            lesson_progress::Column::EnrolmentId,
            lesson_progress::Column::LessonId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted == 0 {
        return Ok(e);
    }
    let subject = crate::xapi::emit::Subject::load(db, enrolment_id).await?;
    if let (Some(s), Some(l)) = (&subject, lessons.iter().find(|l| l.id == lesson_id)) {
        crate::xapi::emit::record(
            db,
            s.user_id,
            [crate::xapi::emit::lesson_completed(s, &l.key)],
        )
        .await?;
    }
    use sea_orm::sea_query::ExprTrait;
    enrolment::Entity::update_many()
        .col_expr(
            enrolment::Column::LessonsDone,
            Expr::col(enrolment::Column::LessonsDone).add(1),
        )
        .filter(enrolment::Column::Id.eq(enrolment_id))
        .exec(db)
        .await?;
    e.lessons_done += 1;
    // Already complete: the course's state cannot change.
    if e.completed_at.is_some() {
        return Ok(e);
    }
    let required: Vec<Uuid> = lessons.iter().map(|l| l.id).collect();
    let done = lesson_progress::Entity::find()
        .filter(lesson_progress::Column::EnrolmentId.eq(enrolment_id))
        .filter(lesson_progress::Column::LessonId.is_in(required.clone()))
        .count(db)
        .await?;
    if completes_course(required.len(), done) {
        let at = now();
        let res = enrolment::Entity::update_many()
            .col_expr(enrolment::Column::CompletedAt, Expr::value(Some(at)))
            .filter(enrolment::Column::Id.eq(enrolment_id))
            .filter(enrolment::Column::CompletedAt.is_null())
            .exec(db)
            .await?;
        if res.rows_affected == 1 {
            e.completed_at = Some(at);
            crate::org_activity::completed(db, enrolment_id, at).await?;
            jobs::enqueue(db, &CourseCompleted { enrolment_id }).await?;
            if let Some(s) = &subject {
                crate::xapi::emit::record(db, s.user_id, [crate::xapi::emit::course_completed(s)])
                    .await?;
            }
        }
    }
    Ok(e)
}

/// The summary of an enrolment as `db` sees it; `e` must be its current row.
async fn build_summary(
    db: &impl ConnectionTrait,
    e: enrolment::Model,
    order: &[OrderedLesson],
) -> Result<ProgressSummary> {
    let done: BTreeSet<Uuid> = lesson_progress::Entity::find()
        .select_only()
        .column(lesson_progress::Column::LessonId)
        .filter(lesson_progress::Column::EnrolmentId.eq(e.id))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(summary_of(e, &done, order))
}

/// Writes a summary to the cache, unless a later version is there.
pub(super) async fn store_summary(cache: &Cache, summary: &ProgressSummary) {
    let json = serde_json::to_vec(summary).expect("summaries serialise");
    cache
        .set(
            &cache_key(summary.enrolment_id),
            summary.version.max(0) as u64,
            &json,
        )
        .await;
}

/// The summary after a visit to `lesson_id` at `at`; an older visit changes nothing.
pub(super) fn apply_visit(
    summary: &mut ProgressSummary,
    order: &[OrderedLesson],
    lesson_id: Uuid,
    at: OffsetDateTime,
) {
    if at <= summary.last_activity_at {
        return;
    }
    summary.last_lesson_id = Some(lesson_id);
    summary.last_activity_at = at;
    // With every lesson done the learner resumes where they were (see
    // `standing`); otherwise at the first lesson not done, which a visit
    // does not change.
    if summary.total_lessons > 0 && summary.completed_lessons >= summary.total_lessons {
        let resume = order.iter().find(|l| l.id == lesson_id).or(order.first());
        summary.resume_lesson_id = resume.map(|l| l.id);
        summary.resume_lesson_key = resume.map(|l| l.key.clone());
    }
}

/// The summary of an enrolment whose done lessons are `done`.
pub(super) fn summary_of(
    e: enrolment::Model,
    done: &BTreeSet<Uuid>,
    order: &[OrderedLesson],
) -> ProgressSummary {
    let s = standing(order, done, e.last_lesson_id, e.completed_at.is_some());
    ProgressSummary {
        enrolment_id: e.id,
        course_id: e.course_id,
        status: e.status,
        completed_lessons: s.completed,
        total_lessons: s.total,
        percent: s.percent,
        last_lesson_id: e.last_lesson_id,
        resume_lesson_id: s.resume.map(|l| l.id),
        resume_lesson_key: s.resume.map(|l| l.key.clone()),
        enrolled_at: e.enrolled_at,
        last_activity_at: e.last_activity_at,
        completed_at: e.completed_at,
        version: e.progress_version,
        completed_lesson_ids: done.iter().copied().collect(),
    }
}

impl Learning {
    /// Recomputes an enrolment's summary from the database and writes it to the cache.
    pub async fn refresh_summary(&self, enrolment_id: Uuid) -> Result<ProgressSummary> {
        let isolation = match self.db.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => Some(sea_orm::IsolationLevel::RepeatableRead),
            // A SQLite transaction reads one snapshot already.
            _ => None,
        };
        // The course never changes for an enrolment: read its structure
        // before the transaction, which must not wait for a second connection.
        let course_id: Uuid = enrolment::Entity::find_by_id(enrolment_id)
            .select_only()
            .column(enrolment::Column::CourseId)
            .into_tuple()
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "enrolment" })?;
        let order = self.lessons_of(course_id).await?;
        let txn = self.db.begin_with_config(isolation, None).await?;
        let e = enrolment::Entity::find_by_id(enrolment_id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound { what: "enrolment" })?;
        let mut summary = build_summary(&txn, e, &order).await?;
        txn.commit().await?;
        // A visit this process has not written yet is newer than the database.
        if let Some(v) = self.visits.pending(enrolment_id) {
            apply_visit(&mut summary, &order, v.lesson_id, v.at);
        }
        self.store_summary(&summary).await;
        Ok(summary)
    }

    pub(super) async fn store_summary(&self, summary: &ProgressSummary) {
        store_summary(&self.cache, summary).await;
    }

    /// Builds the summary inside the transaction that changed the progress
    /// (so it matches the version it bumped), commits, then caches it.
    pub(super) async fn commit_with_summary(
        &self,
        txn: sea_orm::DatabaseTransaction,
        e: enrolment::Model,
        order: &[OrderedLesson],
    ) -> Result<ProgressSummary> {
        let summary = build_summary(&txn, e, order).await?;
        txn.commit().await?;
        self.store_summary(&summary).await;
        Ok(summary)
    }

    /// Summaries for these enrolments: from the cache, rebuilt on a miss,
    /// with this process's lesson visits not yet written (see `resume`).
    pub async fn summaries(&self, enrolment_ids: &[Uuid]) -> Result<Vec<ProgressSummary>> {
        let keys: Vec<String> = enrolment_ids.iter().map(|id| cache_key(*id)).collect();
        let cached = self.cache.get_many_as::<ProgressSummary>(&keys).await;
        let mut out = Vec::with_capacity(enrolment_ids.len());
        for (id, hit) in enrolment_ids.iter().zip(cached) {
            match hit {
                Some(s) => out.push(self.visits.overlay(s)),
                None => out.push(self.refresh_summary(*id).await?),
            }
        }
        Ok(out)
    }

    /// The learner's progress in one course they are enrolled in, from the cache.
    pub async fn course_progress(&self, user_id: Uuid, slug: &str) -> Result<ProgressSummary> {
        let course = self.published().course(slug).await?;
        self.active_summary(user_id, course.model.id)
            .await
            .map_err(|_| Error::NotFound { what: "enrolment" })
    }

    /// The summary of the learner's active enrolment in a course, from the
    /// cache (their enrolments, then the summaries): no database read in
    /// the steady state. Not enrolled, or left: forbidden, after one read.
    pub(super) async fn active_summary(
        &self,
        user_id: Uuid,
        course_id: Uuid,
    ) -> Result<ProgressSummary> {
        let ids = self.enrolment_ids(user_id).await?;
        if let Some(s) = self
            .summaries(&ids)
            .await?
            .into_iter()
            .find(|s| s.course_id == course_id && s.status == super::ACTIVE)
        {
            return Ok(s);
        }
        // Not there: not enrolled, or enrolled through another server whose
        // cache this one does not share (no Redis). The database says which.
        let e = self.active_enrolment(user_id, course_id).await?;
        self.reload_enrolment_ids(user_id).await?;
        self.refresh_summary(e.id).await
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::domain::LessonKind;

    pub(in crate::learning) fn course(keys: &[&str]) -> Vec<OrderedLesson> {
        keys.iter()
            .map(|k| OrderedLesson {
                id: Uuid::new_v4(),
                key: (*k).into(),
                kind: LessonKind::Text,
            })
            .collect()
    }

    fn done(order: &[OrderedLesson], keys: &[&str]) -> BTreeSet<Uuid> {
        order
            .iter()
            .filter(|l| keys.contains(&l.key.as_str()))
            .map(|l| l.id)
            .collect()
    }

    #[test]
    fn a_new_learner_starts_at_the_first_lesson() {
        let order = course(&["a", "b", "c"]);
        let s = standing(&order, &BTreeSet::new(), None, false);
        assert_eq!((s.completed, s.total, s.percent), (0, 3, 0));
        assert_eq!(s.resume.map(|l| l.key.as_str()), Some("a"));
    }

    #[test]
    fn the_learner_resumes_at_the_first_lesson_not_done() {
        let order = course(&["a", "b", "c"]);
        let s = standing(&order, &done(&order, &["a", "c"]), Some(order[2].id), false);
        assert_eq!((s.completed, s.percent), (2, 66));
        assert_eq!(s.resume.map(|l| l.key.as_str()), Some("b"));
    }

    #[test]
    fn with_everything_done_the_learner_resumes_where_they_were() {
        let order = course(&["a", "b", "c"]);
        let all = done(&order, &["a", "b", "c"]);
        let s = standing(&order, &all, Some(order[1].id), true);
        assert_eq!((s.completed, s.percent), (3, 100));
        assert_eq!(s.resume.map(|l| l.key.as_str()), Some("b"));
        // A last lesson that was removed since: back to the start.
        let s = standing(&order, &all, Some(Uuid::new_v4()), true);
        assert_eq!(s.resume.map(|l| l.key.as_str()), Some("a"));
    }

    #[test]
    fn a_completed_course_stays_complete_when_lessons_are_added() {
        let order = course(&["a", "b", "new"]);
        let s = standing(&order, &done(&order, &["a", "b"]), None, true);
        assert_eq!((s.completed, s.total, s.percent), (2, 3, 100));
        assert_eq!(s.resume.map(|l| l.key.as_str()), Some("new"));
    }

    #[test]
    fn lessons_done_outside_the_syllabus_do_not_count() {
        let order = course(&["a", "b"]);
        let mut d = done(&order, &["a"]);
        d.insert(Uuid::new_v4());
        let s = standing(&order, &d, None, false);
        assert_eq!((s.completed, s.percent), (1, 50));
    }

    #[test]
    fn an_empty_course_is_zero_percent_and_never_completes() {
        let s = standing(&[], &BTreeSet::new(), None, false);
        assert_eq!((s.completed, s.total, s.percent, s.resume), (0, 0, 0, None));
        assert!(!completes_course(0, 0));
    }

    #[test]
    fn the_course_completes_with_its_last_required_lesson() {
        assert!(!completes_course(3, 2));
        assert!(completes_course(3, 3));
        assert!(completes_course(1, 1));
    }
}
