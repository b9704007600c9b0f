//! Events a learner's device sends with its own id (issue 23): a lesson
//! completion or a quiz attempt made offline and synced later, perhaps more
//! than once when an answer was lost. The first time, the event is recorded
//! in `client_events` in the same transaction as its effect; a repeat with
//! the same id (per learner) finds it there and gets the original result
//! back without changing anything. The table's key (learner, event id) is
//! what decides: two concurrent sends of one event cannot both insert.

use std::collections::BTreeMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

use super::{
    Learning, LessonCompleted, QuizResult,
    grading::{grade, score},
    lesson::neighbours,
    now,
};
use crate::{
    Error, Result,
    domain::{CourseStatus, Locale},
    entities::{client_event, course, lesson, quiz_attempt, quiz_question},
    published::passing_score_of,
};

pub(super) const COMPLETION: &str = "completion";
pub(super) const ATTEMPT: &str = "attempt";

/// The event as the device sent it, before its effect is known.
pub(super) struct NewEvent {
    pub(super) user_id: Uuid,
    pub(super) event_id: Uuid,
    pub(super) kind: &'static str,
    pub(super) enrolment_id: Uuid,
    pub(super) lesson_id: Uuid,
    pub(super) attempt_id: Option<Uuid>,
}

fn reused() -> Error {
    Error::Conflict {
        field: "client_event_id".into(),
        reason: "this event id was already used for another event".into(),
    }
}

/// The event already recorded under this id, if any; it must be of the
/// same kind and lesson (`lesson` is the key or id the request named).
pub(super) async fn recorded(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    event_id: Uuid,
    kind: &str,
    lesson: &str,
) -> Result<Option<client_event::Model>> {
    let Some(ev) = client_event::Entity::find_by_id((user_id, event_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let same_lesson = ev.lesson_id.to_string() == lesson
        || lesson::Entity::find_by_id(ev.lesson_id)
            .one(db)
            .await?
            .is_some_and(|l| l.key == lesson);
    if ev.kind != kind || !same_lesson {
        return Err(reused());
    }
    Ok(Some(ev))
}

/// Records the event in `txn`, before its effect. `None`: it is new, go on.
/// `Some`: it was recorded already (perhaps by a concurrent send that just
/// committed): the caller rolls back and answers the original result.
pub(super) async fn claim(
    txn: &impl ConnectionTrait,
    e: &NewEvent,
) -> Result<Option<client_event::Model>> {
    let inserted = client_event::Entity::insert(client_event::ActiveModel {
        user_id: Set(e.user_id),
        event_id: Set(e.event_id),
        kind: Set(e.kind.into()),
        enrolment_id: Set(e.enrolment_id),
        lesson_id: Set(e.lesson_id),
        attempt_id: Set(e.attempt_id),
        reveal: Set(false),
        created_at: Set(now()),
    })
    .on_conflict(
        OnConflict::columns([client_event::Column::UserId, client_event::Column::EventId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    if inserted == 1 {
        return Ok(None);
    }
    let ev = client_event::Entity::find_by_id((e.user_id, e.event_id))
        .one(txn)
        .await?
        .ok_or(Error::NotFound { what: "event" })?;
    if ev.kind != e.kind || ev.lesson_id != e.lesson_id {
        return Err(reused());
    }
    Ok(Some(ev))
}

/// Notes that an attempt event's feedback revealed the right answers, so
/// that its replay reveals them too.
pub(super) async fn revealed(
    txn: &impl ConnectionTrait,
    user_id: Uuid,
    event_id: Uuid,
) -> Result<()> {
    client_event::Entity::update_many()
        .col_expr(client_event::Column::Reveal, Expr::value(true))
        .filter(client_event::Column::UserId.eq(user_id))
        .filter(client_event::Column::EventId.eq(event_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Why an event for the course `slug` cannot be recorded, when the course
/// is not published: an archived course says so; else `e` as it was.
pub(super) async fn refusal(db: &impl ConnectionTrait, slug: &str, e: Error) -> Error {
    if !matches!(e, Error::NotFound { what: "course" }) {
        return e;
    }
    let archived = course::Entity::find()
        .filter(course::Column::Slug.eq(slug))
        .filter(course::Column::Status.eq(CourseStatus::Archived.as_str()))
        .one(db)
        .await;
    match archived {
        Ok(Some(_)) => Error::Conflict {
            field: "course".into(),
            reason: "this course is archived: the event was not recorded".into(),
        },
        Ok(None) => e,
        Err(db) => db.into(),
    }
}

impl Learning {
    /// The original result of a completion event recorded before: the
    /// progress as it now is, and the lesson after.
    pub(super) async fn replayed_completion(
        &self,
        ev: client_event::Model,
    ) -> Result<LessonCompleted> {
        let progress = self.refresh_summary(ev.enrolment_id).await?;
        let next_key = match self.lessons_of(progress.course_id).await {
            Ok(order) => neighbours(&order, ev.lesson_id).1,
            Err(_) => None,
        };
        Ok(LessonCompleted { progress, next_key })
    }

    /// The original result of an attempt event recorded before: the
    /// attempt's score and feedback, with the progress as it now is.
    pub(super) async fn replayed_attempt(
        &self,
        ev: client_event::Model,
        preferred: &[Locale],
    ) -> Result<QuizResult> {
        let attempt = quiz_attempt::Entity::find_by_id(ev.attempt_id.unwrap_or_default())
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "attempt" })?;
        let l = lesson::Entity::find_by_id(ev.lesson_id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "lesson" })?;
        let default: Locale = course::Entity::find_by_id(l.course_id)
            .one(&self.db)
            .await?
            .and_then(|c| c.default_locale.parse().ok())
            .unwrap_or(Locale::En);
        let questions = quiz_question::Entity::find()
            .filter(quiz_question::Column::LessonId.eq(l.id))
            .order_by_asc(quiz_question::Column::Position)
            .all(&self.db)
            .await?;
        let answers: BTreeMap<String, Vec<String>> =
            serde_json::from_value(attempt.answers).unwrap_or_default();
        // Questions changed since (a republication): the score stands, the
        // feedback of each question is no longer known.
        let (questions, graded) = match grade(&questions, &answers) {
            Ok(g)
                if score(g.iter().filter(|g| g.correct).count(), g.len()) as i32
                    == attempt.score =>
            {
                (questions, g)
            }
            _ => (Vec::new(), Vec::new()),
        };
        let questions = self
            .feedback(&questions, graded, ev.reveal, default, preferred)
            .await?;
        let progress = self.refresh_summary(ev.enrolment_id).await?;
        Ok(QuizResult {
            score: attempt.score.max(0) as u32,
            passing_score: passing_score_of(l.passing_score),
            passed: attempt.passed,
            questions,
            progress,
        })
    }
}
