//! How learners fare in one course: enrolments over time, completion, the
//! lesson-by-lesson funnel, quiz questions and locales, and their CSV form.
//!
//! Every figure comes from one SQL aggregate (GROUP BY) over the course's
//! rows, so the cost grows with the number of distinct days, lessons,
//! answer sets and locales, not with the number of learners' rows shipped
//! to the server. Still, at 100,000 enrolments those aggregates read about
//! a million rows, so [`Reports`] keeps the figures (not the titles) of each
//! course in the cache port for a short while, and the report says how old
//! they are. The syllabus, titles and prompts are read on every request: a
//! removed lesson or a retitled quiz shows at once. Who may read a report is
//! decided here too (`access`), for the JSON API and the report page alike.
//!
//! Definitions, as the report states them:
//! - *enrolled*: every learner who ever enrolled, including those who left;
//! - *completed*: enrolments with a completion date (they may have left since);
//! - *active*: still enrolled and not yet completed;
//! - *left*: left the course without completing it;
//! - *completion rate*: completed ÷ enrolled;
//! - *funnel*: per lesson still in the syllabus (removed modules and lessons
//!   are skipped), the enrolments that completed it, as a share of enrolled;
//! - *questions*: every recorded attempt counts once per question it
//!   answered (retries included: a question people need three tries for is
//!   a hard question), graded again against the question's current correct
//!   options, exactly as `learning::is_correct` does;
//! - *locales*: the interface locale of every enrolled learner's account.
//!
//! - `service`: the [`Reports`] service and its cache of figures;
//! - `access`: who may read a course's report;
//! - `figures`: the aggregates over learners' rows;
//! - `syllabus`: titles and prompts, and the report laid over them;
//! - `csv`: the report's tables as CSV.
//!
//! Organisations and networks have reports too (issue 17), over active
//! members who did not hide their progress only:
//! - `organisation`: an organisation's staff by course and department;
//! - `network`: a network's organisations by place, kind and theme, with
//!   the "fewer than 5" floor of `floor`;
//! - `org_access`: who reads them; `org_csv`: their tables as CSV;
//! - `first_enrolment`: when an organisation joined through learning;
//! - `colleagues`: courses popular with a learner's colleagues.

mod access;
mod colleagues;
mod csv;
mod figures;
mod first_enrolment;
mod floor;
mod network;
mod network_direct;
mod org_access;
mod org_csv;
mod org_sql;
mod organisation;
mod service;
mod syllabus;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::{Error, Result, domain::LessonKind, entities::course};

pub use access::ReadableCourse;
pub use colleagues::{ColleagueCourse, MIN_COLLEAGUES, popular_with_colleagues};
pub use csv::{ReportTable, csv_field};
pub use figures::periods;
pub use first_enrolment::{organisation_named, organisations_reached};
pub use floor::{FLOOR, Floored};
pub use network::{
    ACTIVITY_LIST, FlooredActivity, Group, MonthActivity, NetworkReport, OrganisationActivity,
    ThemeWeight,
};
pub use org_access::{ReadableNetwork, ReadableOrganisation};
pub use org_csv::{NetworkTable, OrganisationTable};
pub use organisation::{
    CourseProgress, DepartmentProgress, MonthCount, NotStarted, OrgReports, OrganisationReport,
    Progress,
};
pub use service::{Reports, course_report};

#[derive(Clone, Debug)]
pub struct CourseReport {
    pub course_id: Uuid,
    pub slug: String,
    pub title: String,
    /// When the figures were computed (they may come from the cache).
    pub generated_at: OffsetDateTime,
    pub totals: Totals,
    pub granularity: Granularity,
    /// Consecutive periods from the first enrolment to today, empty ones included.
    pub enrolments: Vec<Period>,
    pub funnel: Vec<FunnelStep>,
    pub questions: Vec<QuestionStat>,
    /// Most learners first.
    pub locales: Vec<LocaleCount>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub enrolled: u64,
    pub active: u64,
    pub completed: u64,
    pub left: u64,
    /// completed ÷ enrolled, in whole percent.
    pub completion_percent: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Granularity {
    Day,
    Week,
}

impl Granularity {
    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Day => "day",
            Granularity::Week => "week",
        }
    }
}

/// Enrolments in one day, or in the week (Monday to Sunday, UTC) starting on `start`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    pub start: Date,
    pub enrolments: u64,
    /// Enrolments up to the end of this period.
    pub cumulative: u64,
}

#[derive(Clone, Debug)]
pub struct FunnelStep {
    /// 1-based place in the syllabus.
    pub position: u32,
    pub lesson_id: Uuid,
    pub lesson_key: String,
    pub lesson_title: String,
    pub kind: LessonKind,
    /// Enrolments that completed this lesson.
    pub completed: u64,
    /// completed ÷ enrolled, in whole percent.
    pub percent: u32,
}

#[derive(Clone, Debug)]
pub struct QuestionStat {
    pub lesson_key: String,
    pub lesson_title: String,
    pub question_key: String,
    /// 1-based place in its quiz.
    pub number: u32,
    pub prompt: String,
    /// Attempts that answered this question.
    pub answers: u64,
    pub correct: u64,
    /// correct ÷ answers, in whole percent.
    pub percent: u32,
}

#[derive(Clone, Debug)]
pub struct LocaleCount {
    /// A locale code as stored on the account (en, fr, es).
    pub locale: String,
    pub learners: u64,
    /// learners ÷ enrolled, in whole percent.
    pub percent: u32,
}

/// `part` of `whole` in whole percent, rounded half up; 0 of nothing is 0.
pub fn percent(part: u64, whole: u64) -> u32 {
    if whole == 0 {
        return 0;
    }
    ((part.saturating_mul(200) + whole) / (whole * 2)) as u32
}

/// A course by slug, whatever its status: drafts have reports too.
pub async fn find_course(db: &impl ConnectionTrait, slug: &str) -> Result<course::Model> {
    course::Entity::find()
        .filter(course::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or(Error::NotFound { what: "course" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_half_up_and_survive_nothing() {
        assert_eq!(percent(0, 0), 0);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(2, 3), 67);
        assert_eq!(percent(1, 2), 50);
        assert_eq!(percent(1, 200), 1);
        assert_eq!(percent(5, 5), 100);
    }
}
