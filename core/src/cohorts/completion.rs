//! Completing a cohort. A cohort declares what completing it means (its
//! [`Completion`] rule: the course completed, given assignments accepted,
//! at least N sessions attended). When a member meets the rule, a
//! `cohort_completed` job is queued in the transaction of the change that
//! made them meet it (feedback accepting their work, attendance recorded,
//! the rule edited) and, for the course, by the `course_completed` job right
//! after the course certificate. Its dedup key makes it one job per member
//! and cohort; the job issues the cohort certificate
//! (`certificates::cohort`). A rule asking nothing completes no one.

use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Cohorts, Completion, work::owner_of};
use crate::{
    Error, Result,
    accounts::Principal,
    entities::{
        cohort, cohort_assignment, cohort_attendance, cohort_certificate, cohort_member,
        cohort_session, cohort_submission, enrolment,
    },
    jobs::{self, Job},
};

/// At most this many sessions may be asked for.
const MAX_SESSIONS: u32 = 100;

/// Issue the cohort certificate of one member.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CohortCompleted {
    pub cohort_id: Uuid,
    pub user_id: Uuid,
}

impl Job for CohortCompleted {
    const KIND: &'static str = "cohort_completed";
    fn dedup_key(&self) -> Option<String> {
        Some(format!(
            "cohort_completed:{}:{}",
            self.cohort_id, self.user_id
        ))
    }
}

impl Completion {
    /// Asks nothing: completes no one.
    pub fn is_empty(&self) -> bool {
        !self.course_completed && self.assignments.is_empty() && self.min_sessions_attended == 0
    }
}

/// The rule stored on a cohort (none asks nothing).
pub(super) fn rule_of(c: &cohort::Model) -> Completion {
    c.completion
        .as_ref()
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default()
}

/// Checks a rule against the cohort's assignments (none for a cohort being
/// created): every key names one of them.
pub(super) async fn check_rule(
    db: &impl ConnectionTrait,
    cohort_id: Option<Uuid>,
    rule: &Completion,
) -> Result<Completion> {
    if rule.min_sessions_attended > MAX_SESSIONS {
        return Err(Error::invalid(
            "completion_sessions",
            format!("give 0 to {MAX_SESSIONS} sessions"),
        ));
    }
    let keys: BTreeSet<String> = match cohort_id {
        Some(id) => cohort_assignment::Entity::find()
            .filter(cohort_assignment::Column::CohortId.eq(id))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|a| a.key)
            .collect(),
        None => BTreeSet::new(),
    };
    let mut assignments = Vec::new();
    for k in &rule.assignments {
        let k = k.trim();
        if k.is_empty() || assignments.iter().any(|a| a == k) {
            continue;
        }
        if !keys.contains(k) {
            return Err(Error::invalid(
                "completion_assignments",
                format!("no assignment of this cohort has the key `{k}`"),
            ));
        }
        assignments.push(k.to_owned());
    }
    Ok(Completion {
        course_completed: rule.course_completed,
        assignments,
        min_sessions_attended: rule.min_sessions_attended,
    })
}

/// One assignment the rule asks for, and whether the member's work for it
/// is accepted.
#[derive(Clone, Debug)]
pub struct RequiredWork {
    pub key: String,
    pub title: String,
    pub accepted: bool,
}

/// Where one member stands against the cohort's rule.
#[derive(Clone, Debug)]
pub struct CompletionView {
    pub rule: Completion,
    /// Whether they completed the course (asked or not).
    pub course_completed: bool,
    pub assignments: Vec<RequiredWork>,
    pub sessions_attended: u32,
    /// They meet a rule that asks something.
    pub complete: bool,
    /// The cohort certificate's code, once issued.
    pub certificate: Option<String>,
    /// Its PDF is stored.
    pub certificate_ready: bool,
}

async fn standing_of(
    db: &impl ConnectionTrait,
    c: &cohort::Model,
    rule: &Completion,
    m: &cohort_member::Model,
) -> Result<CompletionView> {
    let course_completed = enrolment::Entity::find()
        .filter(enrolment::Column::UserId.eq(m.user_id))
        .filter(enrolment::Column::CourseId.eq(c.course_id))
        .one(db)
        .await?
        .is_some_and(|e| e.completed_at.is_some());
    let mut assignments = Vec::new();
    if !rule.assignments.is_empty() {
        let rows = cohort_assignment::Entity::find()
            .filter(cohort_assignment::Column::CohortId.eq(c.id))
            .filter(cohort_assignment::Column::Key.is_in(rule.assignments.clone()))
            .all(db)
            .await?;
        for key in &rule.assignments {
            let a = rows.iter().find(|a| a.key.as_deref() == Some(key.as_str()));
            let accepted = match a {
                Some(a) => cohort_submission::Entity::find()
                    .filter(cohort_submission::Column::AssignmentId.eq(a.id))
                    .filter(cohort_submission::Column::Owner.eq(owner_of(a, m)))
                    .filter(cohort_submission::Column::Status.eq("accepted"))
                    .one(db)
                    .await?
                    .is_some(),
                // Deleted since the rule named it: nothing to accept.
                None => false,
            };
            assignments.push(RequiredWork {
                key: key.clone(),
                title: a.map(|a| a.title.clone()).unwrap_or_else(|| key.clone()),
                accepted,
            });
        }
    }
    let sessions: Vec<Uuid> = cohort_session::Entity::find()
        .filter(cohort_session::Column::CohortId.eq(c.id))
        .filter(cohort_session::Column::Cancelled.eq(false))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let sessions_attended = if sessions.is_empty() {
        0
    } else {
        cohort_attendance::Entity::find()
            .filter(cohort_attendance::Column::UserId.eq(m.user_id))
            .filter(cohort_attendance::Column::SessionId.is_in(sessions))
            .filter(cohort_attendance::Column::Present.eq(true))
            .all(db)
            .await?
            .len() as u32
    };
    let complete = !rule.is_empty()
        && (!rule.course_completed || course_completed)
        && assignments.iter().all(|a| a.accepted)
        && sessions_attended >= rule.min_sessions_attended;
    let cert = cohort_certificate::Entity::find()
        .filter(cohort_certificate::Column::CohortId.eq(c.id))
        .filter(cohort_certificate::Column::UserId.eq(m.user_id))
        .one(db)
        .await?;
    Ok(CompletionView {
        rule: rule.clone(),
        course_completed,
        assignments,
        sessions_attended,
        complete,
        certificate_ready: cert.as_ref().is_some_and(|c| c.stored_at.is_some()),
        certificate: cert.map(|c| c.code),
    })
}

/// Queues the certificate of every member of `c` (or of those in `only`)
/// who meets its rule, on `db`: the transaction of the change. Each member
/// is queued once, ever.
pub(super) async fn queue_completions(
    db: &impl ConnectionTrait,
    c: &cohort::Model,
    only: Option<&[Uuid]>,
) -> Result<()> {
    let rule = rule_of(c);
    if rule.is_empty() {
        return Ok(());
    }
    let mut q = cohort_member::Entity::find().filter(cohort_member::Column::CohortId.eq(c.id));
    if let Some(only) = only {
        q = q.filter(cohort_member::Column::UserId.is_in(only.to_vec()));
    }
    for m in q.all(db).await? {
        if standing_of(db, c, &rule, &m).await?.complete {
            jobs::enqueue(
                db,
                &CohortCompleted {
                    cohort_id: c.id,
                    user_id: m.user_id,
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// After a course certificate: the learner's cohorts of that course that
/// they now complete, queued in one transaction.
pub async fn after_course_completed(db: &DatabaseConnection, enrolment_id: Uuid) -> Result<()> {
    let Some(e) = enrolment::Entity::find_by_id(enrolment_id).one(db).await? else {
        return Ok(());
    };
    if e.completed_at.is_none() {
        return Ok(());
    }
    let cohorts: Vec<Uuid> = cohort_member::Entity::find()
        .filter(cohort_member::Column::UserId.eq(e.user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.cohort_id)
        .collect();
    if cohorts.is_empty() {
        return Ok(());
    }
    let txn = crate::db::begin_write(db).await?;
    for c in cohort::Entity::find()
        .filter(cohort::Column::Id.is_in(cohorts))
        .filter(cohort::Column::CourseId.eq(e.course_id))
        .all(&txn)
        .await?
    {
        queue_completions(&txn, &c, Some(std::slice::from_ref(&e.user_id))).await?;
    }
    txn.commit().await?;
    Ok(())
}

impl Cohorts {
    /// Where the caller stands against the cohort's completion rule: its
    /// members only.
    pub async fn completion(&self, who: Option<&Principal>, slug: &str) -> Result<CompletionView> {
        let (c, s) = self.inside(who, slug).await?;
        let who = super::require_signed_in(who)?;
        if !s.member {
            return Err(Error::Forbidden {
                reason: "only the cohort's members complete it",
            });
        }
        let m = cohort_member::Entity::find_by_id((c.id, who.user_id))
            .one(&self.db)
            .await?
            .ok_or_else(super::not_found)?;
        standing_of(&self.db, &c, &rule_of(&c), &m).await
    }
}
