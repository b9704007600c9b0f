//! An organisation's report: how its staff learn, by course and by
//! department, completions by month, and who has not started.
//!
//! Definitions (of active members who did not hide their progress):
//! - *staff*: such members;
//! - *enrolled*: their enrolments, including those they left;
//! - *in progress*: enrolments still active, not completed, with at least
//!   one lesson done;
//! - *completed*: enrolments with a completion date;
//! - *certificates*: certificates issued for those enrolments, not revoked;
//! - *not started*: staff with no lesson done and no course completed.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    ReadableOrganisation,
    org_sql::{VISIBLE, count, month_grouped, months_between, rows, text, this_month},
};
use crate::{
    Result,
    catalogue::pick_locale,
    domain::Locale,
    entities::{course, course_translation},
};

/// The organisation and network reports (read side of organisations).
#[derive(Clone)]
pub struct OrgReports {
    pub(super) db: DatabaseConnection,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub enrolled: u64,
    pub in_progress: u64,
    pub completed: u64,
    pub certificates: u64,
}

#[derive(Clone, Debug)]
pub struct CourseProgress {
    pub slug: String,
    pub title: String,
    pub progress: Progress,
}

#[derive(Clone, Debug)]
pub struct DepartmentProgress {
    /// As the members wrote it; empty when they gave none.
    pub department: String,
    pub staff: u64,
    pub progress: Progress,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthCount {
    /// `YYYY-MM`, UTC.
    pub month: String,
    pub count: u64,
}

#[derive(Clone, Debug)]
pub struct NotStarted {
    pub name: String,
    pub email: String,
    pub department: String,
    pub job_title: String,
    /// Courses they enrolled in without doing a lesson.
    pub enrolled: u64,
}

#[derive(Clone, Debug)]
pub struct OrganisationReport {
    pub slug: String,
    pub name: String,
    pub generated_at: OffsetDateTime,
    pub staff: u64,
    pub totals: Progress,
    /// Most enrolments first.
    pub courses: Vec<CourseProgress>,
    /// By department name.
    pub departments: Vec<DepartmentProgress>,
    /// Completions per month, from the first to this month, gaps included.
    pub completions: Vec<MonthCount>,
    /// For the organisation's administrators only; `None` for anyone else.
    pub not_started: Option<Vec<NotStarted>>,
}

impl OrgReports {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The report of an organisation the caller may read, course titles in
    /// the first of `preferred` each course has.
    pub async fn organisation_report(
        &self,
        org: &ReadableOrganisation,
        preferred: &[Locale],
    ) -> Result<OrganisationReport> {
        let db = &self.db;
        let id = org.org.id;
        // One statement after the other: each reads one organisation's
        // members through their index and takes a millisecond or two, so
        // running them at once would gain little and hold four of the
        // pool's connections per request (and open new ones when the pool
        // has fewer idle: the first report after a restart took 100 ms,
        // all of it in connecting).
        let by_course = by_course(db, id).await?;
        let departments = by_department(db, id).await?;
        let completions = completions_by_month(db, id).await?;
        let not_started = if org.sees_people {
            Some(not_started(db, id).await?)
        } else {
            None
        };
        let courses = titled(db, by_course, preferred).await?;
        let mut totals = Progress::default();
        let mut staff = 0;
        for d in &departments {
            staff += d.staff;
            totals.enrolled += d.progress.enrolled;
            totals.in_progress += d.progress.in_progress;
            totals.completed += d.progress.completed;
            totals.certificates += d.progress.certificates;
        }
        Ok(OrganisationReport {
            slug: org.org.slug.clone(),
            name: org.org.name.clone(),
            generated_at: OffsetDateTime::now_utc(),
            staff,
            totals,
            courses,
            departments,
            completions,
            not_started,
        })
    }
}

/// The progress columns, over `e` (enrolments) and `c` (certificates).
const PROGRESS: &str = "COUNT(e.id) AS enrolled, \
     CAST(SUM(CASE WHEN e.status = 'active' AND e.completed_at IS NULL AND e.lessons_done > 0 THEN 1 ELSE 0 END) AS BIGINT) AS in_progress, \
     COUNT(e.completed_at) AS completed, COUNT(c.id) AS certificates";

fn progress(row: &sea_orm::QueryResult) -> Result<Progress> {
    Ok(Progress {
        enrolled: count(row, "enrolled")?,
        in_progress: count(row, "in_progress")?,
        completed: count(row, "completed")?,
        certificates: count(row, "certificates")?,
    })
}

async fn by_course(db: &impl ConnectionTrait, org: Uuid) -> Result<Vec<(Uuid, Progress)>> {
    let sql = format!(
        "SELECT e.course_id AS course_id, {PROGRESS}
         FROM organisation_members m
         JOIN enrolments e ON e.user_id = m.user_id
         LEFT JOIN certificates c ON c.enrolment_id = e.id AND c.revoked_at IS NULL
         WHERE m.organisation_id = $1 AND {VISIBLE}
         GROUP BY e.course_id"
    );
    rows(db, &sql, vec![org.into()])
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<Uuid>("", "course_id")?, progress(r)?)))
        .collect()
}

async fn by_department(db: &impl ConnectionTrait, org: Uuid) -> Result<Vec<DepartmentProgress>> {
    let sql = format!(
        "SELECT m.department AS department, COUNT(DISTINCT m.user_id) AS staff, {PROGRESS}
         FROM organisation_members m
         LEFT JOIN enrolments e ON e.user_id = m.user_id
         LEFT JOIN certificates c ON c.enrolment_id = e.id AND c.revoked_at IS NULL
         WHERE m.organisation_id = $1 AND {VISIBLE}
         GROUP BY m.department
         ORDER BY m.department"
    );
    rows(db, &sql, vec![org.into()])
        .await?
        .iter()
        .map(|r| {
            Ok(DepartmentProgress {
                department: text(r, "department")?,
                staff: count(r, "staff")?,
                progress: progress(r)?,
            })
        })
        .collect()
}

async fn completions_by_month(db: &impl ConnectionTrait, org: Uuid) -> Result<Vec<MonthCount>> {
    let (group, mo) = month_grouped(db.get_database_backend(), "e.completed_at");
    let sql = format!(
        "SELECT {mo} AS month, COUNT(*) AS n
         FROM organisation_members m
         JOIN enrolments e ON e.user_id = m.user_id
         WHERE m.organisation_id = $1 AND {VISIBLE} AND e.completed_at IS NOT NULL
         GROUP BY {group}"
    );
    let found: HashMap<String, u64> = rows(db, &sql, vec![org.into()])
        .await?
        .iter()
        .map(|r| Ok((text(r, "month")?, count(r, "n")?)))
        .collect::<Result<_>>()?;
    Ok(gap_free(found))
}

/// Monthly counts from the first month found to this month, empty months included.
pub(super) fn gap_free(found: HashMap<String, u64>) -> Vec<MonthCount> {
    let Some(first) = found.keys().min().cloned() else {
        return vec![];
    };
    let last = found
        .keys()
        .max()
        .cloned()
        .unwrap_or_default()
        .max(this_month());
    months_between(&first, &last)
        .into_iter()
        .map(|m| MonthCount {
            count: found.get(&m).copied().unwrap_or(0),
            month: m,
        })
        .collect()
}

async fn not_started(db: &impl ConnectionTrait, org: Uuid) -> Result<Vec<NotStarted>> {
    let sql = format!(
        "SELECT u.display_name AS name, u.email AS email, m.department AS department,
                m.job_title AS job_title, COUNT(e.id) AS enrolled
         FROM organisation_members m
         JOIN users u ON u.id = m.user_id
         LEFT JOIN enrolments e ON e.user_id = m.user_id
         WHERE m.organisation_id = $1 AND {VISIBLE}
         GROUP BY u.id, u.display_name, u.email, m.department, m.job_title
         HAVING SUM(CASE WHEN e.lessons_done > 0 OR e.completed_at IS NOT NULL THEN 1 ELSE 0 END) = 0
            OR COUNT(e.id) = 0
         ORDER BY m.department, u.display_name, u.email"
    );
    rows(db, &sql, vec![org.into()])
        .await?
        .iter()
        .map(|r| {
            Ok(NotStarted {
                name: text(r, "name")?,
                email: text(r, "email")?,
                department: text(r, "department")?,
                job_title: text(r, "job_title")?,
                enrolled: count(r, "enrolled")?,
            })
        })
        .collect()
}

/// Courses with their slug and title in the reader's language, most enrolments first.
async fn titled(
    db: &impl ConnectionTrait,
    figures: Vec<(Uuid, Progress)>,
    preferred: &[Locale],
) -> Result<Vec<CourseProgress>> {
    let ids: Vec<Uuid> = figures.iter().map(|(id, _)| *id).collect();
    let titles = course_titles(db, &ids, preferred).await?;
    let mut out: Vec<CourseProgress> = figures
        .into_iter()
        .filter_map(|(id, progress)| {
            titles.get(&id).map(|(slug, title)| CourseProgress {
                slug: slug.clone(),
                title: title.clone(),
                progress,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.progress
            .enrolled
            .cmp(&a.progress.enrolled)
            .then_with(|| a.title.cmp(&b.title))
    });
    Ok(out)
}

/// Slug and title of each course, in the first of `preferred` it has.
pub(super) async fn course_titles(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    preferred: &[Locale],
) -> Result<HashMap<Uuid, (String, String)>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let courses = course::Entity::find()
        .filter(course::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?;
    let translations = course_translation::Entity::find()
        .filter(course_translation::Column::CourseId.is_in(ids.to_vec()))
        .all(db)
        .await?;
    let mut by_course: HashMap<Uuid, Vec<(Locale, String)>> = HashMap::new();
    for t in translations {
        if let Ok(l) = t.locale.parse::<Locale>() {
            by_course.entry(t.course_id).or_default().push((l, t.title));
        }
    }
    Ok(courses
        .into_iter()
        .map(|c| {
            let titles = by_course.remove(&c.id).unwrap_or_default();
            let available: Vec<Locale> = titles.iter().map(|(l, _)| *l).collect();
            let default = c.default_locale.parse().unwrap_or(Locale::En);
            let pick = pick_locale(preferred, &available, default);
            let title = titles
                .into_iter()
                .find(|(l, _)| *l == pick)
                .map(|(_, t)| t)
                .unwrap_or_else(|| c.slug.clone());
            (c.id, (c.slug, title))
        })
        .collect())
}
