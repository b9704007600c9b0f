//! The roll-up the network report reads (migration 000017): per
//! organisation its learners, enrolments and completions; per month its
//! enrolments and completions; per course its completions. Only active
//! members who share their progress count, as everywhere in the reports.
//!
//! Every enrolment row names the organisation it is counted for
//! (`enrolments.organisation_id`, NULL for none), so a change of membership
//! subtracts exactly what was added. The roll-up changes in the transaction
//! of the change that moves a figure:
//! - a new enrolment: [`enrolled`];
//! - a completed course: [`completed`], or on PostgreSQL's one-statement
//!   completion the statements of [`completed_sql`];
//! - a membership that starts or stops counting (joining, approval,
//!   leaving, removal, hiding or sharing progress): [`membership_changed`];
//!   an account deleted: [`account_deleted`].
//!
//! Concurrency (PostgreSQL, read committed): a membership change takes the
//! learner's user row lock, as enrolling does, and then locks their
//! enrolment rows; the one-statement completion reads the organisation
//! from the newest version of the enrolment row it updates. So no change
//! is counted for one organisation and moved from another.
//!
//! [`rebuild`] computes everything from scratch: for the seeders, which
//! write straight to the tables, and as the reference the tests compare to.
//!
//! A leaf module: accounts, learning and organisations all call it.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DatabaseBackend, QueryResult, Statement, Value};
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

use crate::Result;

/// Members whose learning an organisation sees.
const VISIBLE: &str = "m.status = 'active' AND NOT m.hide_progress";

fn stmt(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Statement {
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Sqlite => sql.replace('$', "?"),
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

async fn exec(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<u64> {
    Ok(db.execute_raw(stmt(db, sql, values)).await?.rows_affected())
}

async fn all(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<Vec<QueryResult>> {
    Ok(db.query_all_raw(stmt(db, sql, values)).await?)
}

/// The organisation an enrolment row (`enrolments`) counts for now: its
/// learner's, while they are an active member who shares their progress.
fn counts_for() -> String {
    format!(
        "(SELECT m.organisation_id FROM organisation_members m
          WHERE m.user_id = enrolments.user_id AND {VISIBLE})"
    )
}

/// Adds `rows` (a `VALUES` list or a `SELECT` of `organisation_id,
/// learners, enrolments, completions`) to the per-organisation table.
fn add_to_totals(rows: &str) -> String {
    format!(
        "INSERT INTO organisation_activity (organisation_id, learners, enrolments, completions)
         {rows}
         ON CONFLICT (organisation_id) DO UPDATE SET
           learners = organisation_activity.learners + excluded.learners,
           enrolments = organisation_activity.enrolments + excluded.enrolments,
           completions = organisation_activity.completions + excluded.completions"
    )
}

/// Adds `rows` (`organisation_id, month, enrolments, completions`) to the
/// per-month table.
fn add_to_months(rows: &str) -> String {
    format!(
        "INSERT INTO organisation_activity_months (organisation_id, month, enrolments, completions)
         {rows}
         ON CONFLICT (organisation_id, month) DO UPDATE SET
           enrolments = organisation_activity_months.enrolments + excluded.enrolments,
           completions = organisation_activity_months.completions + excluded.completions"
    )
}

/// Adds `rows` (`organisation_id, course_id, completions`) to the
/// per-course table.
fn add_to_courses(rows: &str) -> String {
    format!(
        "INSERT INTO organisation_activity_courses (organisation_id, course_id, completions)
         {rows}
         ON CONFLICT (organisation_id, course_id) DO UPDATE SET
           completions = organisation_activity_courses.completions + excluded.completions"
    )
}

/// `YYYY-MM`, UTC: the month a figure is counted in.
pub fn month_of(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    format!("{:04}-{:02}", at.year(), u8::from(at.month()))
}

/// One enrolment as the roll-up counts it.
struct Counted {
    organisation: Option<Uuid>,
    course: Uuid,
    enrolled_at: OffsetDateTime,
    completed_at: Option<OffsetDateTime>,
}

impl Counted {
    fn of(r: &QueryResult) -> Result<Counted> {
        Ok(Counted {
            organisation: r.try_get("", "organisation_id")?,
            course: r.try_get("", "course_id")?,
            enrolled_at: r.try_get("", "enrolled_at")?,
            completed_at: r.try_get("", "completed_at")?,
        })
    }
}

/// A change to one organisation's rows of the roll-up.
#[derive(Default)]
struct Delta {
    learners: i64,
    enrolments: i64,
    completions: i64,
    /// Month → (enrolments, completions).
    months: BTreeMap<String, (i64, i64)>,
    /// Course → completions.
    courses: BTreeMap<Uuid, i64>,
}

impl Delta {
    /// Every enrolment of `rows` (one learner's), added (`sign` 1) or taken
    /// away (−1); `learner` says whether the learner counts or stops
    /// counting as one of the organisation's learners.
    fn of(rows: &[&Counted], sign: i64, learner: bool) -> Delta {
        let mut d = Delta {
            learners: if learner { sign } else { 0 },
            ..Delta::default()
        };
        for e in rows {
            d.enrolments += sign;
            d.months.entry(month_of(e.enrolled_at)).or_default().0 += sign;
            if let Some(done) = e.completed_at {
                d.completions += sign;
                d.months.entry(month_of(done)).or_default().1 += sign;
                *d.courses.entry(e.course).or_default() += sign;
            }
        }
        d
    }

    async fn apply(&self, db: &impl ConnectionTrait, org: Uuid) -> Result<()> {
        exec(
            db,
            &add_to_totals("VALUES ($1, $2, $3, $4)"),
            vec![
                org.into(),
                self.learners.into(),
                self.enrolments.into(),
                self.completions.into(),
            ],
        )
        .await?;
        if !self.months.is_empty() {
            let mut values: Vec<Value> = vec![org.into()];
            let mut rows = Vec::new();
            for (month, (e, c)) in &self.months {
                let n = values.len();
                rows.push(format!("($1, ${}, ${}, ${})", n + 1, n + 2, n + 3));
                values.extend([month.clone().into(), (*e).into(), (*c).into()]);
            }
            let sql = add_to_months(&format!("VALUES {}", rows.join(", ")));
            exec(db, &sql, values).await?;
        }
        if !self.courses.is_empty() {
            let mut values: Vec<Value> = vec![org.into()];
            let mut rows = Vec::new();
            for (course, c) in &self.courses {
                let n = values.len();
                rows.push(format!("($1, ${}, ${})", n + 1, n + 2));
                values.extend([(*course).into(), (*c).into()]);
            }
            let sql = add_to_courses(&format!("VALUES {}", rows.join(", ")));
            exec(db, &sql, values).await?;
        }
        Ok(())
    }
}

/// A new enrolment, in its transaction, after the learner's user row lock:
/// records the organisation it counts for and counts it there.
pub async fn enrolled(db: &impl ConnectionTrait, enrolment_id: Uuid) -> Result<()> {
    exec(
        db,
        &format!(
            "UPDATE enrolments SET organisation_id = {} WHERE id = $1",
            counts_for()
        ),
        vec![enrolment_id.into()],
    )
    .await?;
    let rows = all(
        db,
        "SELECT e.organisation_id, e.course_id, e.enrolled_at, e.completed_at,
                (SELECT COUNT(*) FROM enrolments o
                 WHERE o.user_id = e.user_id AND o.organisation_id = e.organisation_id
                   AND o.id <> e.id) AS others
         FROM enrolments e WHERE e.id = $1",
        vec![enrolment_id.into()],
    )
    .await?;
    let Some(r) = rows.first() else {
        return Ok(());
    };
    let e = Counted::of(r)?;
    let Some(org) = e.organisation else {
        return Ok(());
    };
    let others: i64 = r.try_get("", "others")?;
    Delta::of(&[&e], 1, others == 0).apply(db, org).await
}

/// A course completed, in the completion's transaction (the enrolment row
/// is locked), at `at`.
pub async fn completed(
    db: &impl ConnectionTrait,
    enrolment_id: Uuid,
    at: OffsetDateTime,
) -> Result<()> {
    let rows = all(
        db,
        "SELECT organisation_id, course_id FROM enrolments WHERE id = $1",
        vec![enrolment_id.into()],
    )
    .await?;
    let Some(r) = rows.first() else {
        return Ok(());
    };
    let Some(org) = r.try_get::<Option<Uuid>>("", "organisation_id")? else {
        return Ok(());
    };
    let course: Uuid = r.try_get("", "course_id")?;
    let d = Delta {
        completions: 1,
        months: BTreeMap::from([(month_of(at), (0, 1))]),
        courses: BTreeMap::from([(course, 1)]),
        ..Delta::default()
    };
    d.apply(db, org).await
}

/// The common table expressions that count a completion in PostgreSQL's
/// one-statement completion: `roll_done` must be a CTE of the completed
/// enrolment's `(organisation_id, course_id)` (no row when the statement
/// completed nothing), `$month` the placeholder of the completion's month.
/// Read from the row the statement updated, so from its newest version.
pub fn completed_sql(month: &str) -> String {
    format!(
        "roll_total AS ({}), roll_month AS ({}), roll_course AS ({})",
        add_to_totals("SELECT organisation_id, 0, 0, 1 FROM roll_done"),
        add_to_months(&format!(
            "SELECT organisation_id, {month}, 0, 1 FROM roll_done"
        )),
        add_to_courses("SELECT organisation_id, course_id, 1 FROM roll_done"),
    )
}

/// A membership changed (joined, approved, left, removed, hid or shared
/// progress), in the change's transaction, after the change: the
/// learner's enrolments move to the organisation they count for now.
pub async fn membership_changed(db: &impl ConnectionTrait, user_id: Uuid) -> Result<()> {
    lock_learner(db, user_id).await?;
    let rows = all(
        db,
        &format!(
            "SELECT m.organisation_id FROM organisation_members m
             WHERE m.user_id = $1 AND {VISIBLE}"
        ),
        vec![user_id.into()],
    )
    .await?;
    let now = match rows.first() {
        Some(r) => Some(r.try_get::<Uuid>("", "organisation_id")?),
        None => None,
    };
    move_to(db, user_id, now).await
}

/// An account is about to be deleted, in the deletion's transaction: its
/// enrolments stop counting anywhere.
pub async fn account_deleted(db: &impl ConnectionTrait, user_id: Uuid) -> Result<()> {
    lock_learner(db, user_id).await?;
    move_to(db, user_id, None).await
}

/// The learner's user row lock: one learner's enrolments and membership
/// change one at a time.
///
/// Every transaction that changes a learner's membership takes it FIRST,
/// before it writes the membership row: the row's foreign key holds a
/// share lock on the user, so a membership change that took this lock only
/// after its write could deadlock with an account deletion (which takes this
/// lock, then deletes the user and waits for the membership row).
pub async fn lock_learner(db: &impl ConnectionTrait, user_id: Uuid) -> Result<()> {
    exec(
        db,
        "UPDATE users SET updated_at = updated_at WHERE id = $1",
        vec![user_id.into()],
    )
    .await?;
    Ok(())
}

async fn move_to(db: &impl ConnectionTrait, user_id: Uuid, now: Option<Uuid>) -> Result<()> {
    let lock = match db.get_database_backend() {
        DatabaseBackend::Postgres => " FOR UPDATE",
        _ => "",
    };
    let rows = all(
        db,
        &format!(
            "SELECT organisation_id, course_id, enrolled_at, completed_at
             FROM enrolments WHERE user_id = $1{lock}"
        ),
        vec![user_id.into()],
    )
    .await?
    .iter()
    .map(Counted::of)
    .collect::<Result<Vec<_>>>()?;
    let moving: Vec<&Counted> = rows.iter().filter(|e| e.organisation != now).collect();
    if moving.is_empty() {
        return Ok(());
    }
    let mut from: BTreeMap<Uuid, Vec<&Counted>> = BTreeMap::new();
    for e in &moving {
        if let Some(o) = e.organisation {
            from.entry(o).or_default().push(e);
        }
    }
    // Every row of an organisation other than `now` moves: the learner
    // stops being one of its learners.
    let mut deltas: BTreeMap<Uuid, Delta> = from
        .iter()
        .map(|(org, rows)| (*org, Delta::of(rows, -1, true)))
        .collect();
    if let Some(org) = now {
        let already = moving.len() < rows.len();
        deltas.insert(org, Delta::of(&moving, 1, !already));
    }
    // In the order of their ids, as every transaction that moves learners
    // between organisations: two of them never wait for each other in turn.
    for (org, delta) in &deltas {
        delta.apply(db, *org).await?;
    }
    exec(
        db,
        "UPDATE enrolments SET organisation_id = $2 WHERE user_id = $1",
        vec![user_id.into(), now.into()],
    )
    .await?;
    Ok(())
}

/// The statements that build the roll-up from the enrolments and
/// memberships, in order.
fn rebuild_statements(backend: DatabaseBackend) -> Vec<String> {
    let month = |col: &str| match backend {
        DatabaseBackend::Postgres => format!("to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM')"),
        _ => format!("strftime('%Y-%m', {col})"),
    };
    let (enrolled, completed) = (month("enrolled_at"), month("completed_at"));
    vec![
        format!("UPDATE enrolments SET organisation_id = {}", counts_for()),
        "DELETE FROM organisation_activity_months".into(),
        "DELETE FROM organisation_activity_courses".into(),
        "DELETE FROM organisation_activity".into(),
        // The tables are empty: the statements that add to them insert.
        add_to_totals(
            "SELECT organisation_id, COUNT(DISTINCT user_id), COUNT(*), COUNT(completed_at)
             FROM enrolments WHERE organisation_id IS NOT NULL GROUP BY organisation_id",
        ),
        add_to_months(&format!(
            "SELECT organisation_id, month, SUM(e), SUM(c) FROM (
               SELECT organisation_id, {enrolled} AS month, 1 AS e, 0 AS c
               FROM enrolments WHERE organisation_id IS NOT NULL
               UNION ALL
               SELECT organisation_id, {completed} AS month, 0 AS e, 1 AS c
               FROM enrolments WHERE organisation_id IS NOT NULL AND completed_at IS NOT NULL
             ) x GROUP BY organisation_id, month"
        )),
        add_to_courses(
            "SELECT organisation_id, course_id, COUNT(completed_at)
             FROM enrolments WHERE organisation_id IS NOT NULL AND completed_at IS NOT NULL
             GROUP BY organisation_id, course_id",
        ),
    ]
}

/// Builds the whole roll-up again from the enrolments and memberships, in
/// one transaction (`db` should be one).
pub async fn rebuild(db: &impl ConnectionTrait) -> Result<()> {
    for sql in rebuild_statements(db.get_database_backend()) {
        exec(db, &sql, vec![]).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn months_are_utc() {
        assert_eq!(month_of(datetime!(2026-11-30 23:30 -02:00)), "2026-12");
        assert_eq!(month_of(datetime!(2026-01-01 00:30 +01:00)), "2025-12");
    }

    #[test]
    fn a_delta_counts_enrolments_by_their_month_and_completions_by_theirs() {
        let course = Uuid::new_v4();
        let a = Counted {
            organisation: None,
            course,
            enrolled_at: datetime!(2026-10-03 10:00 UTC),
            completed_at: Some(datetime!(2026-11-02 10:00 UTC)),
        };
        let b = Counted {
            organisation: None,
            course: Uuid::new_v4(),
            enrolled_at: datetime!(2026-10-20 10:00 UTC),
            completed_at: None,
        };
        let d = Delta::of(&[&a, &b], -1, true);
        assert_eq!((d.learners, d.enrolments, d.completions), (-1, -2, -1));
        assert_eq!(d.months["2026-10"], (-2, 0));
        assert_eq!(d.months["2026-11"], (0, -1));
        assert_eq!(d.courses, BTreeMap::from([(course, -1)]));
    }
}
