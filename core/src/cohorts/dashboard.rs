//! The facilitator dashboard: for each member and each organisation,
//! course progress, attendance and who is falling behind by the cohort's
//! rules (no course activity for N days; M recorded absences). Only what
//! is recorded counts: a session without an attendance record is no
//! absence, and a member who never opened the course is inactive since
//! they joined.
//!
//! Assignments join through `work_states`: each member's state of each
//! assignment (an organisation-scope assignment shares its organisation's
//! submission), and an assignment past due without a submission is
//! overdue work.

use std::collections::{BTreeMap, HashMap};

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    Cohorts, now,
    sessions::sessions_of,
    work_states::{AssignmentState, assignment_states},
};
use crate::{
    Error, Result,
    accounts::Principal,
    entities::{cohort_attendance, cohort_behind_rule, cohort_member, enrolment, lesson},
    reports::csv_field,
};

/// Behind after this many days without course activity, by default.
pub const DEFAULT_INACTIVE_DAYS: i32 = 14;
/// Behind after this many recorded absences, by default.
pub const DEFAULT_MISSED_SESSIONS: i32 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BehindRules {
    pub inactive_days: i32,
    pub missed_sessions: i32,
}

/// Why a member is falling behind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BehindReason {
    /// No course activity for this many days (or since joining).
    Inactive { days: i64 },
    /// This many recorded absences.
    MissedSessions { missed: u32 },
    /// This many assignments past due without a submission.
    OverdueWork { assignments: u32 },
}

#[derive(Clone, Debug)]
pub struct DashboardMember {
    pub user_id: Uuid,
    pub name: String,
    pub organisation_slug: String,
    pub organisation_name: String,
    /// 0 to 100; 0 when not enrolled in the cohort's course.
    pub progress_percent: u8,
    pub completed: bool,
    pub last_activity_at: Option<OffsetDateTime>,
    /// Sessions attended, of those recorded.
    pub attended: u32,
    /// Recorded absences.
    pub missed: u32,
    pub assignments: Vec<AssignmentState>,
    pub behind: Vec<BehindReason>,
}

#[derive(Clone, Debug)]
pub struct DashboardOrganisation {
    pub slug: String,
    pub name: String,
    pub members: u32,
    /// The members' mean progress, 0 to 100.
    pub mean_progress: u8,
    pub attended: u32,
    pub behind: u32,
    /// The organisation's state of each organisation-scope assignment.
    pub assignments: Vec<AssignmentState>,
}

#[derive(Clone, Debug)]
pub struct Dashboard {
    pub rules: BehindRules,
    /// Sessions that have ended and were not cancelled.
    pub sessions_held: u32,
    pub members: Vec<DashboardMember>,
    pub organisations: Vec<DashboardOrganisation>,
}

/// Whether, and why, a member is behind at `at`.
pub fn behind(
    rules: BehindRules,
    joined_at: OffsetDateTime,
    last_activity_at: Option<OffsetDateTime>,
    missed: u32,
    at: OffsetDateTime,
) -> Vec<BehindReason> {
    let mut out = Vec::new();
    let since = last_activity_at.unwrap_or(joined_at).max(joined_at);
    let days = (at - since).whole_days();
    if rules.inactive_days > 0 && days >= i64::from(rules.inactive_days) {
        out.push(BehindReason::Inactive { days });
    }
    if rules.missed_sessions > 0 && missed >= rules.missed_sessions as u32 {
        out.push(BehindReason::MissedSessions { missed });
    }
    out
}

impl Cohorts {
    async fn rules_of(&self, cohort_id: Uuid) -> Result<BehindRules> {
        Ok(cohort_behind_rule::Entity::find_by_id(cohort_id)
            .one(&self.db)
            .await?
            .map(|r| BehindRules {
                inactive_days: r.inactive_days,
                missed_sessions: r.missed_sessions,
            })
            .unwrap_or(BehindRules {
                inactive_days: DEFAULT_INACTIVE_DAYS,
                missed_sessions: DEFAULT_MISSED_SESSIONS,
            }))
    }

    /// Sets the falling-behind rules: those who run the cohort. 0 turns a
    /// rule off.
    pub async fn set_behind_rules(
        &self,
        who: Option<&Principal>,
        slug: &str,
        rules: BehindRules,
    ) -> Result<BehindRules> {
        let (c, _) = self.run_by(who, slug).await?;
        if !(0..=365).contains(&rules.inactive_days) {
            return Err(Error::invalid("inactive_days", "give 0 to 365 days"));
        }
        if !(0..=100).contains(&rules.missed_sessions) {
            return Err(Error::invalid("missed_sessions", "give 0 to 100 sessions"));
        }
        let row = cohort_behind_rule::ActiveModel {
            cohort_id: Set(c.id),
            inactive_days: Set(rules.inactive_days),
            missed_sessions: Set(rules.missed_sessions),
            updated_at: Set(now()),
        };
        let txn = crate::db::begin_write(&self.db).await?;
        cohort_behind_rule::Entity::delete_by_id(c.id)
            .exec(&txn)
            .await?;
        row.insert(&txn).await?;
        txn.commit().await?;
        Ok(rules)
    }

    /// The dashboard: those who run the cohort.
    pub async fn dashboard(&self, who: Option<&Principal>, slug: &str) -> Result<Dashboard> {
        let (c, _) = self.run_by(who, slug).await?;
        let rules = self.rules_of(c.id).await?;
        let at = now();
        let sessions = sessions_of(&self.db, c.id).await?;
        let held: Vec<Uuid> = sessions
            .iter()
            .filter(|s| !s.cancelled && s.ends_at <= at)
            .map(|s| s.id)
            .collect();
        let attended = self.attended_counts(&held).await?;
        let mut recorded: HashMap<Uuid, u32> = HashMap::new();
        if !held.is_empty() {
            for r in cohort_attendance::Entity::find()
                .filter(cohort_attendance::Column::SessionId.is_in(held.clone()))
                .all(&self.db)
                .await?
            {
                *recorded.entry(r.user_id).or_insert(0) += 1;
            }
        }
        let lessons = lesson::Entity::find()
            .filter(lesson::Column::CourseId.eq(c.course_id))
            .filter(lesson::Column::Removed.eq(false))
            .count(&self.db)
            .await?;
        let rows = cohort_member::Entity::find()
            .filter(cohort_member::Column::CohortId.eq(c.id))
            .all(&self.db)
            .await?;
        let ids: Vec<Uuid> = rows.iter().map(|m| m.user_id).collect();
        let enrolments: HashMap<Uuid, enrolment::Model> = enrolment::Entity::find()
            .filter(enrolment::Column::CourseId.eq(c.course_id))
            .filter(enrolment::Column::UserId.is_in(ids.clone()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|e| (e.user_id, e))
            .collect();
        let mut assignments = assignment_states(&self.db, &c, &rows, at).await?;
        let mut members = Vec::new();
        for m in rows {
            let e = enrolments.get(&m.user_id);
            let completed = e.is_some_and(|e| e.completed_at.is_some());
            let progress_percent = match e {
                _ if completed => 100,
                Some(e) if lessons > 0 => {
                    (i64::from(e.lessons_done.max(0)) * 100 / lessons as i64).min(99) as u8
                }
                _ => 0,
            };
            let present = attended.get(&m.user_id).copied().unwrap_or(0);
            let missed = recorded
                .get(&m.user_id)
                .copied()
                .unwrap_or(0)
                .saturating_sub(present);
            let last_activity_at = e.map(|e| e.last_activity_at);
            let view = self.member_view(m.clone()).await?;
            let work = assignments.remove(&m.user_id).unwrap_or_default();
            let mut reasons = behind(rules, m.joined_at, last_activity_at, missed, at);
            let overdue = work.iter().filter(|a| a.overdue).count() as u32;
            if overdue > 0 {
                reasons.push(BehindReason::OverdueWork {
                    assignments: overdue,
                });
            }
            members.push(DashboardMember {
                behind: reasons,
                user_id: m.user_id,
                name: view.name,
                organisation_slug: view.organisation_slug,
                organisation_name: view.organisation_name,
                progress_percent,
                completed,
                last_activity_at,
                attended: present,
                missed,
                assignments: work,
            });
        }
        members
            .sort_by(|a, b| (&a.organisation_name, &a.name).cmp(&(&b.organisation_name, &b.name)));
        Ok(Dashboard {
            rules,
            sessions_held: held.len() as u32,
            organisations: by_organisation(&members),
            members,
        })
    }

    /// The dashboard's members as CSV (RFC 4180, formula-safe).
    pub async fn dashboard_csv(&self, who: Option<&Principal>, slug: &str) -> Result<String> {
        let d = self.dashboard(who, slug).await?;
        let mut out = String::from(
            "name,organisation,progress_percent,completed,last_activity_at,attended,missed,assignments,behind\r\n",
        );
        for m in &d.members {
            let behind: Vec<String> = m
                .behind
                .iter()
                .map(|b| match b {
                    BehindReason::Inactive { days } => format!("inactive {days} days"),
                    BehindReason::MissedSessions { missed } => format!("missed {missed} sessions"),
                    BehindReason::OverdueWork { assignments } => {
                        format!("overdue work {assignments}")
                    }
                })
                .collect();
            let work: Vec<String> = m
                .assignments
                .iter()
                .map(|a| format!("{}: {}", a.assignment, a.state.as_str()))
                .collect();
            let last = m
                .last_activity_at
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .unwrap_or_default();
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{}\r\n",
                csv_field(&m.name),
                csv_field(&m.organisation_name),
                m.progress_percent,
                m.completed,
                last,
                m.attended,
                m.missed,
                csv_field(&work.join("; ")),
                csv_field(&behind.join("; ")),
            ));
        }
        Ok(out)
    }
}

fn by_organisation(members: &[DashboardMember]) -> Vec<DashboardOrganisation> {
    let mut orgs: BTreeMap<(String, String), Vec<&DashboardMember>> = BTreeMap::new();
    for m in members {
        orgs.entry((m.organisation_name.clone(), m.organisation_slug.clone()))
            .or_default()
            .push(m);
    }
    orgs.into_iter()
        .map(|((name, slug), ms)| DashboardOrganisation {
            slug,
            name,
            members: ms.len() as u32,
            mean_progress: (ms
                .iter()
                .map(|m| u32::from(m.progress_percent))
                .sum::<u32>()
                / ms.len().max(1) as u32) as u8,
            attended: ms.iter().map(|m| m.attended).sum(),
            behind: ms.iter().filter(|m| !m.behind.is_empty()).count() as u32,
            // Every member shares the organisation's submission.
            assignments: ms
                .first()
                .map(|m| {
                    m.assignments
                        .iter()
                        .filter(|a| a.scope == super::Scope::Organisation.as_str())
                        .cloned()
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::*;

    const RULES: BehindRules = BehindRules {
        inactive_days: 14,
        missed_sessions: 2,
    };

    #[test]
    fn inactivity_counts_from_the_last_activity_or_joining() {
        let at = OffsetDateTime::now_utc();
        let joined = at - Duration::days(30);
        assert_eq!(
            behind(RULES, joined, None, 0, at),
            vec![BehindReason::Inactive { days: 30 }]
        );
        assert!(behind(RULES, joined, Some(at - Duration::days(3)), 0, at).is_empty());
        // Activity before joining the cohort counts from joining.
        let recent = at - Duration::days(2);
        assert!(behind(RULES, recent, Some(at - Duration::days(90)), 0, at).is_empty());
    }

    #[test]
    fn recorded_absences_count_and_zero_turns_a_rule_off() {
        let at = OffsetDateTime::now_utc();
        let joined = at - Duration::days(1);
        assert_eq!(
            behind(RULES, joined, None, 2, at),
            vec![BehindReason::MissedSessions { missed: 2 }]
        );
        assert!(behind(RULES, joined, None, 1, at).is_empty());
        let off = BehindRules {
            inactive_days: 0,
            missed_sessions: 0,
        };
        assert!(behind(off, at - Duration::days(400), None, 9, at).is_empty());
    }
}
