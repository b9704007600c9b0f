//! Course reports for the people who run a course: how learners fare, as
//! JSON and as one CSV file per table.

use agora_core::reports::{ReadableCourse, ReportTable};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi, Tags,
    param::{Header, Path, Query},
    payload::Json,
};
use time::{Date, OffsetDateTime};

use super::lang_param::LangParam;
use super::{
    auth::{Auth, content_locales},
    error::ApiError,
    report_files::{CsvFile, check_slug, csv_file, table},
};
use crate::state::AppState;

#[derive(Tags)]
enum ApiTags {
    /// How learners fare in a course.
    Reports,
}

pub struct ReportsApi;

#[derive(Object)]
struct ReportTotals {
    /// Everyone who ever enrolled, including those who left.
    enrolled: u64,
    /// Still enrolled and not yet completed.
    active: u64,
    /// Enrolments that completed the course.
    completed: u64,
    /// Left without completing.
    left: u64,
    /// completed ÷ enrolled, in whole percent.
    completion_percent: u32,
}

#[derive(Object)]
struct EnrolmentPeriod {
    /// The day, or the Monday that starts the week (UTC).
    start: Date,
    enrolments: u64,
    /// Enrolments up to the end of this period.
    cumulative: u64,
}

#[derive(Object)]
struct FunnelStep {
    /// 1-based place in the syllabus.
    position: u32,
    lesson_key: String,
    lesson_title: String,
    /// text, video, resource or quiz
    kind: String,
    /// Enrolled learners who completed this lesson.
    completed: u64,
    /// completed ÷ enrolled, in whole percent.
    percent: u32,
}

#[derive(Object)]
struct QuestionStat {
    lesson_key: String,
    lesson_title: String,
    /// 1-based place in its quiz.
    number: u32,
    question_key: String,
    prompt: String,
    /// Attempts that answered this question (every attempt, retries included).
    answers: u64,
    /// Of those, answered right.
    correct: u64,
    /// correct ÷ answers, in whole percent.
    percent: u32,
}

#[derive(Object)]
struct LocaleShare {
    /// The locale of the learners' accounts.
    #[oai(validator(pattern = "^(en|fr|es)$"))]
    locale: String,
    learners: u64,
    /// learners ÷ enrolled, in whole percent.
    percent: u32,
}

#[derive(Object)]
struct CsvExport {
    /// enrolments, funnel, questions or locales
    table: String,
    /// API path of the CSV file.
    path: String,
}

/// How learners fare in one course.
#[derive(Object)]
struct CourseReport {
    course_slug: String,
    course_title: String,
    generated_at: OffsetDateTime,
    totals: ReportTotals,
    /// day (young courses) or week
    granularity: String,
    /// Enrolments per period, from the first enrolment to today, empty periods included.
    enrolments: Vec<EnrolmentPeriod>,
    /// Each lesson of the syllabus, in order.
    funnel: Vec<FunnelStep>,
    /// Each quiz question, in syllabus order.
    questions: Vec<QuestionStat>,
    /// Learners by account locale, most first.
    locales: Vec<LocaleShare>,
    exports: Vec<CsvExport>,
}

fn csv_path(slug: &str, table: ReportTable) -> String {
    format!("/api/v1/courses/{slug}/report/{}.csv", table.as_str())
}

/// The course, once the caller may read its report.
async fn readable_course(
    state: &AppState,
    auth: &Auth,
    slug: &str,
) -> Result<ReadableCourse, ApiError> {
    check_slug(slug, "course")?;
    Ok(state.reports.readable(Some(auth.principal()), slug).await?)
}

#[OpenApi(tag = "ApiTags::Reports")]
impl ReportsApi {
    /// How learners fare in a course
    ///
    /// Enrolments over time, totals and the completion rate, the lesson-by-lesson
    /// funnel, each quiz question's share of correct answers, and learners by
    /// locale. Titles come in `lang`, then your locale, then `Accept-Language`.
    /// For administrators (and, with course ownership, the course's authors).
    #[oai(
        path = "/courses/:slug/report",
        method = "get",
        operation_id = "course_report"
    )]
    async fn report(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        lang: Query<Option<LangParam>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> Result<Json<CourseReport>, ApiError> {
        let course = readable_course(&state, &auth, &slug).await?;
        let preferred = content_locales(
            lang.0.as_deref(),
            auth.principal(),
            accept_language.0.as_deref(),
        )?;
        let r = state.reports.course_report(&course, &preferred).await?;
        Ok(Json(CourseReport {
            exports: ReportTable::ALL
                .into_iter()
                .map(|t| CsvExport {
                    table: t.as_str().into(),
                    path: csv_path(&r.slug, t),
                })
                .collect(),
            course_slug: r.slug,
            course_title: r.title,
            generated_at: r.generated_at,
            totals: ReportTotals {
                enrolled: r.totals.enrolled,
                active: r.totals.active,
                completed: r.totals.completed,
                left: r.totals.left,
                completion_percent: r.totals.completion_percent,
            },
            granularity: r.granularity.as_str().into(),
            enrolments: r
                .enrolments
                .into_iter()
                .map(|p| EnrolmentPeriod {
                    start: p.start,
                    enrolments: p.enrolments,
                    cumulative: p.cumulative,
                })
                .collect(),
            funnel: r
                .funnel
                .into_iter()
                .map(|s| FunnelStep {
                    position: s.position,
                    lesson_key: s.lesson_key,
                    lesson_title: s.lesson_title,
                    kind: s.kind.to_string(),
                    completed: s.completed,
                    percent: s.percent,
                })
                .collect(),
            questions: r
                .questions
                .into_iter()
                .map(|q| QuestionStat {
                    lesson_key: q.lesson_key,
                    lesson_title: q.lesson_title,
                    number: q.number,
                    question_key: q.question_key,
                    prompt: q.prompt,
                    answers: q.answers,
                    correct: q.correct,
                    percent: q.percent,
                })
                .collect(),
            locales: r
                .locales
                .into_iter()
                .map(|l| LocaleShare {
                    locale: l.locale,
                    learners: l.learners,
                    percent: l.percent,
                })
                .collect(),
        }))
    }

    /// One table of a course's report as CSV
    ///
    /// `file` is `enrolments.csv`, `funnel.csv`, `questions.csv` or `locales.csv`.
    #[oai(
        path = "/courses/:slug/report/:file",
        method = "get",
        operation_id = "course_report_csv"
    )]
    async fn csv(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        /// enrolments.csv, funnel.csv, questions.csv or locales.csv
        file: Path<String>,
        lang: Query<Option<LangParam>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> Result<CsvFile, ApiError> {
        let table = table(
            &file,
            ReportTable::parse,
            "enrolments.csv, funnel.csv, questions.csv or locales.csv",
        )?;
        let course = readable_course(&state, &auth, &slug).await?;
        let preferred = content_locales(
            lang.0.as_deref(),
            auth.principal(),
            accept_language.0.as_deref(),
        )?;
        let r = state.reports.course_report(&course, &preferred).await?;
        Ok(csv_file(
            &format!("{}-{}", r.slug, table.as_str()),
            r.csv(table),
        ))
    }
}
