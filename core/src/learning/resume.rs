//! "Continue where you left off": lesson visits reach the learner's
//! progress summary at once and the database behind the request.
//!
//! Reading a lesson never writes in the request, to the database or to the
//! cache. The visit is noted in memory with the learner's
//! [`ProgressSummary`] after it (last lesson, last activity), one entry per
//! enrolment (a later visit replaces an earlier one); this process's reads
//! of the summary see it at once. A background task writes the noted visits
//! in one batched statement every flush interval (`AGORA_RESUME_FLUSH_MS`,
//! 1 s by default), then the summaries to the cache, where other replicas
//! read them; `agora serve` writes the rest after it has drained its
//! requests on SIGTERM or ctrl-c.
//!
//! So another replica shows the new position within a flush interval plus
//! the second its near copy of the cache may be old: about two seconds with
//! the defaults, while this one shows it at once.
//!
//! **The bound.** A crash (SIGKILL, power loss) loses at most the visits of
//! the last flush interval, plus those of a flush in flight: the resume
//! position and last activity time then read as they were up to that long
//! before. Completions, quiz attempts and enrolments are never deferred: they
//! commit in their own transactions before the request answers.
//!
//! The write is guarded: it applies only where the stored last activity is
//! older than the visit, so it never moves last activity backwards and never
//! replaces the lesson of a completion that came after the visit. It does not
//! bump the progress version, so a summary rebuilt from the database after a
//! flush carries the same version as the cached one, and a completion (which
//! does bump it) always wins in the cache over a visit that raced it.
//!
//! Reminders and reports read the persisted value. A reminder scan that runs
//! in the second after a visit may still see the learner as idle, but the
//! reminder job checks the last activity again before sending; the lag is one
//! flush interval against reminder periods counted in days.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    Learning, OrderedLesson, ProgressSummary, now,
    progress::{apply_visit, store_summary},
};
use crate::{
    Result,
    cache::Cache,
    xapi::emit::{Launch, Subject},
};

/// How often noted visits are written by default.
pub const DEFAULT_FLUSH: Duration = Duration::from_secs(1);

/// Lessons opened kept for their statements between two flushes; past
/// this (a flush failing for long), further openings go unrecorded.
const MAX_LAUNCHES: usize = 100_000;

/// Rows per statement at most (a power of two, see `db::shaped_chunks`):
/// three parameters each, well under SQLite's limit.
const ROWS_PER_STATEMENT: usize = 512;

/// A learner's latest visit in one course, not yet written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Visit {
    pub(super) lesson_id: Uuid,
    pub(super) at: OffsetDateTime,
}

/// A visit not yet written, and the learner's summary after it, not yet
/// in the cache.
#[derive(Clone, Debug)]
pub(super) struct Pending {
    pub(super) visit: Visit,
    pub(super) summary: Arc<ProgressSummary>,
}

/// The visits not yet written, coalesced per enrolment.
pub(super) struct ResumeTracker {
    pending: Mutex<HashMap<Uuid, Pending>>,
    /// The lessons opened since the last flush, for the xAPI
    /// `experienced` statements the flush writes: one per enrolment and
    /// lesson (see [`note`](Self::note)); bounded.
    launched: Mutex<HashMap<(Uuid, Uuid), Launch>>,
    /// Held while writing, so a final flush waits for one in flight.
    flushing: tokio::sync::Mutex<()>,
    flusher_started: AtomicBool,
    interval: Duration,
}

impl ResumeTracker {
    pub(super) fn new(interval: Duration) -> Self {
        Self {
            pending: Mutex::default(),
            launched: Mutex::default(),
            flushing: tokio::sync::Mutex::new(()),
            flusher_started: AtomicBool::new(false),
            interval: interval.max(Duration::from_millis(10)),
        }
    }

    /// Notes a visit, keeping the latest per enrolment, and starts the
    /// background writer on the first one.
    ///
    /// The lesson's opening is kept once per enrolment and lesson between
    /// two flushes, at its first time: a reload, or the lesson opened
    /// again within the same second, is the same experience, and an LRS
    /// gains nothing from a statement per reload (a learner coming back to
    /// it later gets another).
    fn note(
        self: &Arc<Self>,
        (db, cache): (&DatabaseConnection, &Cache),
        pending: Pending,
        launch: Launch,
    ) {
        let enrolment_id = pending.summary.enrolment_id;
        {
            let mut launched = self.launched.lock().expect("not poisoned");
            if launched.len() < MAX_LAUNCHES {
                keep_first(
                    &mut launched,
                    (enrolment_id, pending.visit.lesson_id),
                    launch,
                );
            }
        }
        merge(
            &mut self.pending.lock().expect("not poisoned"),
            enrolment_id,
            pending,
        );
        if !self.flusher_started.swap(true, Ordering::AcqRel) {
            let (tracker, db, cache) = (Arc::clone(self), db.clone(), cache.clone());
            tokio::spawn(async move {
                let first = tokio::time::Instant::now() + tracker.interval;
                let mut tick = tokio::time::interval_at(first, tracker.interval);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tick.tick().await;
                    if let Err(e) = tracker.flush(&db, &cache).await {
                        tracing::warn!(error = %e, "resume positions not written yet; retrying");
                    }
                }
            });
        }
    }

    /// The visit not yet written for this enrolment, if any.
    pub(super) fn pending(&self, enrolment_id: Uuid) -> Option<Visit> {
        self.pending
            .lock()
            .expect("not poisoned")
            .get(&enrolment_id)
            .map(|p| p.visit)
    }

    /// A summary read from the cache, with this process's visit not yet
    /// there: the summary noted with the visit, unless the cached one is
    /// of a later version (a completion came since) or already as recent.
    pub(super) fn overlay(&self, cached: Arc<ProgressSummary>) -> ProgressSummary {
        let pending = self.pending.lock().expect("not poisoned");
        match pending.get(&cached.enrolment_id) {
            Some(p) if newer(&p.summary, &cached) => p.summary.as_ref().clone(),
            _ => cached.as_ref().clone(),
        }
    }

    /// Writes every noted visit, then the summaries after them to the
    /// cache; what fails to be written is kept for the next flush. A visit
    /// stays readable here (see [`overlay`](Self::overlay)) until both are
    /// done. Returns how many visits were written.
    pub(super) async fn flush(&self, db: &DatabaseConnection, cache: &Cache) -> Result<usize> {
        let _writing = self.flushing.lock().await;
        let mut batch: Vec<(Uuid, Pending)> = self
            .pending
            .lock()
            .expect("not poisoned")
            .iter()
            .map(|(id, p)| (*id, p.clone()))
            .collect();
        // Rows locked in one order: two servers flushing never deadlock.
        batch.sort_by_key(|(id, _)| *id);
        for chunk in crate::db::shaped_chunks(&batch, ROWS_PER_STATEMENT) {
            write_visits(db, chunk).await?;
        }
        for (_, p) in &batch {
            store_summary(cache, &p.summary).await;
        }
        {
            // What moved on since it was read stays for the next flush.
            let mut pending = self.pending.lock().expect("not poisoned");
            for (id, p) in &batch {
                if pending.get(id).is_some_and(|now| now.visit == p.visit) {
                    pending.remove(id);
                }
            }
        }
        let launched = std::mem::take(&mut *self.launched.lock().expect("not poisoned"));
        let mut opened: Vec<&Launch> = launched.values().collect();
        opened.sort_by_key(|l| l.at);
        if let Err(e) = crate::xapi::emit::launches(db, &opened).await {
            let mut again = self.launched.lock().expect("not poisoned");
            let room = MAX_LAUNCHES.saturating_sub(again.len());
            for (key, launch) in launched.into_iter().take(room) {
                keep_first(&mut again, key, launch);
            }
            return Err(e);
        }
        Ok(batch.len())
    }
}

/// Whether a summary noted with a visit is to be read instead of the
/// cached one.
fn newer(noted: &ProgressSummary, cached: &ProgressSummary) -> bool {
    noted.version >= cached.version && noted.last_activity_at > cached.last_activity_at
}

/// Keeps the earliest opening of a lesson per (enrolment, lesson).
fn keep_first(launched: &mut HashMap<(Uuid, Uuid), Launch>, key: (Uuid, Uuid), launch: Launch) {
    launched
        .entry(key)
        .and_modify(|kept| {
            if launch.at < kept.at {
                *kept = launch.clone();
            }
        })
        .or_insert(launch);
}

fn merge(pending: &mut HashMap<Uuid, Pending>, enrolment_id: Uuid, p: Pending) {
    match pending.entry(enrolment_id) {
        std::collections::hash_map::Entry::Occupied(mut kept) => {
            if p.visit.at > kept.get().visit.at {
                kept.insert(p);
            }
        }
        std::collections::hash_map::Entry::Vacant(v) => {
            v.insert(p);
        }
    }
}

/// One guarded `UPDATE … FROM (VALUES …)` for a batch of visits.
async fn write_visits(db: &DatabaseConnection, visits: &[(Uuid, Pending)]) -> Result<()> {
    let backend = db.get_database_backend();
    let mut values = Vec::with_capacity(visits.len() * 3);
    let mut rows = Vec::with_capacity(visits.len());
    for (id, Pending { visit, .. }) in visits {
        rows.push(match backend {
            DatabaseBackend::Postgres => {
                let n = values.len();
                format!("(${}, ${}, ${})", n + 1, n + 2, n + 3)
            }
            _ => "(?, ?, ?)".to_owned(),
        });
        values.push(Value::from(*id));
        values.push(Value::from(visit.lesson_id));
        values.push(Value::from(visit.at));
    }
    // SQLite keeps times as text whose fraction has no fixed width, so it
    // compares them as Julian days (millisecond precision).
    let newer = match backend {
        DatabaseBackend::Postgres => "enrolments.last_activity_at < v.at",
        _ => "julianday(enrolments.last_activity_at) < julianday(v.at)",
    };
    let sql = format!(
        "WITH v(id, lesson_id, at) AS (VALUES {}) \
         UPDATE enrolments SET last_lesson_id = v.lesson_id, last_activity_at = v.at \
         FROM v WHERE enrolments.id = v.id AND {newer}",
        rows.join(", ")
    );
    db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(())
}

impl Learning {
    /// Remembers that the learner is at this lesson: at once in this
    /// process, and in the database and the cache within a flush interval.
    pub(super) async fn note_visit(
        &self,
        mut summary: ProgressSummary,
        (lesson_id, lesson_key): (Uuid, &str),
        order: &[OrderedLesson],
        subject: Subject,
    ) -> Result<ProgressSummary> {
        let visit = Visit {
            lesson_id,
            at: now(),
        };
        let launch = Launch {
            subject,
            lesson_key: lesson_key.to_owned(),
            at: visit.at,
        };
        apply_visit(&mut summary, order, lesson_id, visit.at);
        let pending = Pending {
            visit,
            summary: Arc::new(summary.clone()),
        };
        self.visits.note((&self.db, &self.cache), pending, launch);
        Ok(summary)
    }

    /// Writes the visits not yet written; `agora serve` calls this once its
    /// requests have drained. Returns how many were written.
    pub async fn flush_visits(&self) -> Result<usize> {
        self.visits.flush(&self.db, &self.cache).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learning::progress::tests::course;

    fn summary(order: &[OrderedLesson], completed: u32) -> ProgressSummary {
        let at = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
        ProgressSummary {
            enrolment_id: Uuid::new_v4(),
            course_id: Uuid::new_v4(),
            status: "active".into(),
            completed_lessons: completed,
            total_lessons: order.len() as u32,
            percent: 0,
            last_lesson_id: None,
            resume_lesson_id: order.get(completed as usize).map(|l| l.id),
            resume_lesson_key: order.get(completed as usize).map(|l| l.key.clone()),
            enrolled_at: at,
            last_activity_at: at,
            completed_at: None,
            version: 7,
            completed_lesson_ids: order
                .iter()
                .take(completed as usize)
                .map(|l| l.id)
                .collect(),
        }
    }

    #[test]
    fn a_visit_moves_the_last_lesson_but_not_the_version_or_the_resume_point() {
        let order = course(&["a", "b", "c"]);
        let mut s = summary(&order, 1);
        let at = s.last_activity_at + time::Duration::seconds(5);
        apply_visit(&mut s, &order, order[2].id, at);
        assert_eq!(s.last_lesson_id, Some(order[2].id));
        assert_eq!(s.last_activity_at, at);
        assert_eq!(s.version, 7);
        assert_eq!(s.resume_lesson_key.as_deref(), Some("b"));
    }

    #[test]
    fn an_older_visit_changes_nothing() {
        let order = course(&["a", "b"]);
        let mut s = summary(&order, 0);
        let before = s.clone();
        let at = s.last_activity_at;
        apply_visit(&mut s, &order, order[1].id, at);
        assert_eq!(s, before);
    }

    #[test]
    fn with_everything_done_a_visit_is_where_the_learner_resumes() {
        let order = course(&["a", "b", "c"]);
        let mut s = summary(&order, 3);
        let at = s.last_activity_at + time::Duration::seconds(1);
        apply_visit(&mut s, &order, order[1].id, at);
        assert_eq!(s.resume_lesson_key.as_deref(), Some("b"));
    }

    #[test]
    fn a_lesson_opened_again_before_a_flush_is_one_opening_at_its_first_time() {
        let t = OffsetDateTime::UNIX_EPOCH;
        let subject = Subject {
            user_id: Uuid::new_v4(),
            enrolment_id: Uuid::new_v4(),
            course_slug: "c".into(),
            language: "en".into(),
        };
        let opened = |key: &str, secs| Launch {
            subject: subject.clone(),
            lesson_key: key.into(),
            at: t + time::Duration::milliseconds(secs),
        };
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let e = subject.enrolment_id;
        let mut launched = HashMap::new();
        keep_first(&mut launched, (e, a), opened("a", 300));
        keep_first(&mut launched, (e, a), opened("a", 100));
        keep_first(&mut launched, (e, a), opened("a", 900));
        keep_first(&mut launched, (e, b), opened("b", 500));
        // Another learner's opening of the same lesson is theirs.
        keep_first(&mut launched, (Uuid::new_v4(), a), opened("a", 200));
        assert_eq!(launched.len(), 3);
        assert_eq!(launched[&(e, a)].at, t + time::Duration::milliseconds(100));
        assert_eq!(launched[&(e, b)].lesson_key, "b");
    }

    #[test]
    fn visits_coalesce_to_the_latest_per_enrolment() {
        let order = course(&["a", "b"]);
        let s = Arc::new(summary(&order, 0));
        let mut pending = HashMap::new();
        let e = s.enrolment_id;
        let t = OffsetDateTime::UNIX_EPOCH;
        let late = Visit {
            lesson_id: Uuid::new_v4(),
            at: t + time::Duration::seconds(2),
        };
        let noted = |visit| Pending {
            visit,
            summary: Arc::clone(&s),
        };
        merge(&mut pending, e, noted(late));
        merge(
            &mut pending,
            e,
            noted(Visit {
                lesson_id: Uuid::new_v4(),
                at: t,
            }),
        );
        assert_eq!(pending.get(&e).map(|p| p.visit), Some(late));
    }

    #[test]
    fn a_noted_visit_is_read_over_the_cache_unless_a_later_version_is_there() {
        let order = course(&["a", "b", "c"]);
        let cached = summary(&order, 1);
        let mut noted = cached.clone();
        let at = cached.last_activity_at + time::Duration::seconds(3);
        apply_visit(&mut noted, &order, order[2].id, at);
        assert!(newer(&noted, &cached), "the visit is read at once");
        assert!(!newer(&noted, &noted), "the cache has it now");
        let mut completed = cached.clone();
        completed.version += 1;
        completed.completed_lessons = 2;
        assert!(!newer(&noted, &completed), "a completion came since");
        let mut older = noted.clone();
        older.last_activity_at = cached.last_activity_at;
        assert!(!newer(&older, &cached), "nothing new in it");
    }
}
