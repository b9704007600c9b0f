//! Completing a lesson: on PostgreSQL in one statement, the hot write path;
//! on SQLite in one write transaction.
//!
//! On PostgreSQL one statement is one transaction. It records the lesson, bumps the
//! progress version, counts the lessons done on the enrolment row
//! (`lessons_done`), completes the course when this was the last lesson and
//! enqueues `course_completed` exactly once, and returns the lessons done.
//!
//! Why a counter and not a `COUNT`: a statement reads one snapshot, taken
//! before it waits for the enrolment's row lock, so a count would miss a
//! completion of the same learner that committed while it waited, and two
//! concurrent completions of the last two lessons would both see one
//! missing. The row update, by contrast, is applied to the newest version of
//! the row (PostgreSQL re-checks it after the wait), so the counter sees
//! every committed completion. The counter holds every lesson ever done; the
//! few done lessons no longer in the course (removed since) are counted
//! only when the counter says the course might be complete.

use std::collections::BTreeSet;

use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, FromQueryResult, Statement, Value,
};
use uuid::Uuid;

use super::{
    CourseCompleted, Learning, LessonCompleted, OrderedLesson, events,
    lesson::neighbours,
    now,
    progress::{record_completion, summary_of},
};
use crate::{
    Error, Result,
    domain::LessonKind,
    entities::enrolment,
    jobs::{self, Job},
    xapi::emit,
};

/// The statement; `$13` is the month of `$3`, for the organisation roll-up
/// (see `org_activity::completed_sql`); `$14` and `$15` are where the job
/// comes from (see `telemetry::origin`).
static COMPLETE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        r#"
WITH ins AS (
    INSERT INTO lesson_progress (enrolment_id, lesson_id, completed_at)
    VALUES ($1, $2, $3)
    ON CONFLICT (enrolment_id, lesson_id) DO NOTHING
    RETURNING lesson_id
), n AS (
    SELECT count(*)::int AS k FROM ins
), upd AS (
    UPDATE enrolments e SET
        progress_version = e.progress_version + 1,
        last_activity_at = $3,
        last_lesson_id = $2,
        lessons_done = e.lessons_done + n.k,
        completed_at = CASE
            WHEN e.completed_at IS NULL AND n.k = 1 AND $4 > 0
             AND e.lessons_done + 1 >= $4
             AND e.lessons_done + 1 - (SELECT count(*) FROM lesson_progress p
                  WHERE p.enrolment_id = $1 AND p.lesson_id <> ALL($5::uuid[])) >= $4
            THEN $3 ELSE e.completed_at END
    FROM n
    WHERE e.id = $1
    RETURNING e.*
), roll_done AS (
    SELECT upd.organisation_id, upd.course_id FROM upd
    WHERE upd.completed_at = $3 AND upd.organisation_id IS NOT NULL
), {roll}, job AS (
    INSERT INTO jobs (id, kind, payload, dedup_key, status, run_at, attempts,
                      max_attempts, created_at, updated_at, request_id, traceparent)
    SELECT $6, $7, $8, $9, $10, $11, 0, $12, $11, $11, $14, $15
    FROM upd WHERE upd.completed_at = $3
    ON CONFLICT (dedup_key) DO NOTHING
){{xapi}}
SELECT upd.*,
    (SELECT string_agg(p.lesson_id::text, ',') FROM lesson_progress p
     WHERE p.enrolment_id = $1) AS done
FROM upd
"#,
        roll = crate::org_activity::completed_sql("$13")
    )
});

impl Learning {
    /// Completes a lesson, in one write transaction (on PostgreSQL one
    /// statement), and says which lesson comes next. Idempotent; quizzes are
    /// completed by passing them. With a client `event` id, a repeat of the
    /// event answers the original result (see `events`).
    pub async fn complete_lesson(
        &self,
        user_id: Uuid,
        slug: &str,
        key: &str,
        event: Option<Uuid>,
    ) -> Result<LessonCompleted> {
        if let Some(id) = event
            && let Some(ev) =
                events::recorded(&self.db, user_id, id, events::COMPLETION, key).await?
        {
            return self.replayed_completion(ev).await;
        }
        let course = match self.published_course(slug).await {
            Err(e) if event.is_some() => return Err(events::refusal(&self.db, slug, e).await),
            c => c?,
        };
        let e = self.active_enrolment(user_id, course.id).await?;
        let lessons = self.lessons_of(course.id).await?;
        let by_id = Uuid::parse_str(key).ok();
        let l = lessons
            .iter()
            .find(|l| Some(l.id) == by_id || l.key == key)
            .ok_or(Error::NotFound { what: "lesson" })?;
        if l.kind == LessonKind::Quiz {
            return Err(Error::Conflict {
                field: "lesson".into(),
                reason: "a quiz is completed by passing it".into(),
            });
        }
        let (_, next_key) = neighbours(&lessons, l.id);
        // An event from a device is recorded with its effect, in one
        // transaction (see `events`).
        if event.is_none() && self.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            let subject = crate::xapi::emit::Subject::of(&e, &course);
            let r = complete_in_one_statement(&self.db, e.id, &lessons, l.id, &subject).await?;
            let progress = if r.done_is_complete {
                let s = summary_of(r.enrolment, &r.done, &lessons);
                self.store_summary(&s).await;
                s
            } else {
                // A completion of the same learner raced this one: read again.
                self.refresh_summary(e.id).await?
            };
            return Ok(LessonCompleted { progress, next_key });
        }
        let txn = crate::db::begin_write(&self.db).await?;
        if let Some(event_id) = event {
            let new = events::NewEvent {
                user_id,
                event_id,
                kind: events::COMPLETION,
                enrolment_id: e.id,
                lesson_id: l.id,
                attempt_id: None,
            };
            if let Some(ev) = events::claim(&txn, &new).await? {
                drop(txn);
                return self.replayed_completion(ev).await;
            }
        }
        let e = record_completion(&txn, e.id, &lessons, l.id).await?;
        let progress = self.commit_with_summary(txn, e, &lessons).await?;
        Ok(LessonCompleted { progress, next_key })
    }
}

/// The enrolment after the completion, and the lessons done as far as the
/// statement could see (see `complete_in_one_statement`).
pub(super) struct Recorded {
    pub(super) enrolment: enrolment::Model,
    pub(super) done: BTreeSet<Uuid>,
    /// Whether `done` is every lesson done: false when a completion of the
    /// same learner committed while this one waited for the row.
    pub(super) done_is_complete: bool,
}

/// Records a completed lesson on PostgreSQL, in one statement.
pub(super) async fn complete_in_one_statement(
    db: &DatabaseConnection,
    enrolment_id: Uuid,
    lessons: &[OrderedLesson],
    lesson_id: Uuid,
    subject: &crate::xapi::emit::Subject,
) -> Result<Recorded> {
    debug_assert_eq!(db.get_database_backend(), DatabaseBackend::Postgres);
    let at = now();
    let job = CourseCompleted { enrolment_id };
    let payload =
        serde_json::to_value(&job).map_err(|e| Error::Internal(format!("job payload: {e}")))?;
    let required = format!(
        "{{{}}}",
        lessons
            .iter()
            .map(|l| l.id.to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    let now_ms = jobs::now_ms();
    let mut values: Vec<Value> = vec![
        enrolment_id.into(),
        lesson_id.into(),
        at.into(),
        (lessons.len() as i32).into(),
        required.into(),
        Uuid::new_v4().into(),
        CourseCompleted::KIND.into(),
        payload.into(),
        job.dedup_key().into(),
        jobs::QUEUED.into(),
        now_ms.into(),
        CourseCompleted::MAX_ATTEMPTS.into(),
        crate::org_activity::month_of(at).into(),
        crate::telemetry::origin::request_id().into(),
        crate::telemetry::origin::traceparent().into(),
    ];
    // The xAPI statements of the completion, in the same statement: the
    // lesson's when it was recorded now, the course's when it completed now.
    let mut xapi = String::new();
    let key = lessons
        .iter()
        .find(|l| l.id == lesson_id)
        .map(|l| l.key.as_str())
        .unwrap_or_default();
    if let (Some(done), Some(course)) = (
        emit::lesson_completed(subject, key),
        emit::course_completed(subject),
    ) {
        for (name, st, from) in [
            ("xapi_lesson", done, "ins"),
            ("xapi_course", course, "upd WHERE upd.completed_at = $3"),
        ] {
            let (sql, v) = emit::cte(name, subject.user_id, st, values.len() + 1, from);
            xapi.push_str(",\n");
            xapi.push_str(&sql);
            values.extend(v);
        }
    }
    let sql = COMPLETE.replace("{xapi}", &xapi);
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            sql,
            values,
        ))
        .await?
        .ok_or(Error::NotFound { what: "enrolment" })?;
    let enrolment = enrolment::Model::from_query_result(&row, "")?;
    let listed: Option<String> = row.try_get("", "done")?;
    let mut done: BTreeSet<Uuid> = listed
        .unwrap_or_default()
        .split(',')
        .filter_map(|id| Uuid::parse_str(id).ok())
        .collect();
    // Inserted by this statement, or by one it waited for: not in its snapshot.
    done.insert(lesson_id);
    let done_is_complete = done.len() as i64 == i64::from(enrolment.lessons_done);
    Ok(Recorded {
        enrolment,
        done,
        done_is_complete,
    })
}
