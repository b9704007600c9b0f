//! Organisation and network reports as JSON, and one CSV file per table.
//!
//! Network-wide counts of people below 5 are hidden: every such count is a
//! `PeopleCount` (`network`), `{"value": 12, "suppressed": false}` or
//! `{"value": null, "suppressed": true}` ("fewer than 5"); the CSV files
//! write `fewer than 5` in the cell.

mod network;

use agora_core::reports::{NetworkTable, OrganisationReport, OrganisationTable, Progress};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi, Tags,
    param::{Header, Path, Query},
    payload::Json,
};
use time::OffsetDateTime;

use self::network::{NetworkReportBody, network_body};
use super::{
    auth::{Auth, content_locales},
    error::ApiError,
    report_files::{CsvFile, check_slug, csv_file, table},
};
use crate::state::AppState;

#[derive(Tags)]
enum ApiTags {
    /// How an organisation's staff and a network's organisations learn.
    OrganisationReports,
}

pub struct OrganisationReportsApi;

#[derive(Object)]
struct StaffProgress {
    /// Enrolments, including courses left.
    enrolled: u64,
    /// Active, not completed, at least one lesson done.
    in_progress: u64,
    completed: u64,
    /// Certificates issued and not revoked.
    certificates: u64,
}

impl From<Progress> for StaffProgress {
    fn from(p: Progress) -> Self {
        Self {
            enrolled: p.enrolled,
            in_progress: p.in_progress,
            completed: p.completed,
            certificates: p.certificates,
        }
    }
}

#[derive(Object)]
struct StaffCourseProgress {
    course_slug: String,
    course_title: String,
    progress: StaffProgress,
}

#[derive(Object)]
struct StaffDepartmentProgress {
    /// As members wrote it; empty when they gave none.
    department: String,
    staff: u64,
    progress: StaffProgress,
}

#[derive(Object)]
struct OrgMonthlyCount {
    /// YYYY-MM (UTC)
    month: String,
    count: u64,
}

#[derive(Object)]
struct NotStartedMember {
    name: String,
    email: String,
    department: String,
    job_title: String,
    /// Courses enrolled in without a lesson done.
    enrolled: u64,
}

#[derive(Object)]
struct OrgReportExport {
    table: String,
    /// API path of the CSV file.
    path: String,
}

/// How an organisation's staff learn. Only active members who did not hide
/// their progress are counted or listed.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct OrganisationReportBody {
    organisation_slug: String,
    organisation_name: String,
    generated_at: OffsetDateTime,
    /// Active members who did not hide their progress.
    staff: u64,
    totals: StaffProgress,
    /// Most enrolments first.
    courses: Vec<StaffCourseProgress>,
    departments: Vec<StaffDepartmentProgress>,
    /// Completions per month, from the first to this month.
    completions: Vec<OrgMonthlyCount>,
    /// Staff with no lesson done: for the organisation's administrators
    /// only, null for anyone else.
    not_started: Option<Vec<NotStartedMember>>,
    exports: Vec<OrgReportExport>,
}

fn org_body(r: OrganisationReport) -> OrganisationReportBody {
    let exports = OrganisationTable::ALL
        .into_iter()
        .filter(|t| *t != OrganisationTable::NotStarted || r.not_started.is_some())
        .map(|t| OrgReportExport {
            table: t.as_str().into(),
            path: format!("/api/v1/organisations/{}/report/{}.csv", r.slug, t.as_str()),
        })
        .collect();
    OrganisationReportBody {
        organisation_slug: r.slug,
        organisation_name: r.name,
        generated_at: r.generated_at,
        staff: r.staff,
        totals: r.totals.into(),
        courses: r
            .courses
            .into_iter()
            .map(|c| StaffCourseProgress {
                course_slug: c.slug,
                course_title: c.title,
                progress: c.progress.into(),
            })
            .collect(),
        departments: r
            .departments
            .into_iter()
            .map(|d| StaffDepartmentProgress {
                department: d.department,
                staff: d.staff,
                progress: d.progress.into(),
            })
            .collect(),
        completions: r
            .completions
            .into_iter()
            .map(|m| OrgMonthlyCount {
                month: m.month,
                count: m.count,
            })
            .collect(),
        not_started: r.not_started.map(|list| {
            list.into_iter()
                .map(|p| NotStartedMember {
                    name: p.name,
                    email: p.email,
                    department: p.department,
                    job_title: p.job_title,
                    enrolled: p.enrolled,
                })
                .collect()
        }),
        exports,
    }
}

/// The organisation's report, once the slug names one the caller may read,
/// course titles in the caller's languages.
async fn organisation_report(
    state: &AppState,
    auth: &Auth,
    slug: &str,
    lang: &Query<Option<String>>,
    accept_language: &Header<Option<String>>,
) -> Result<OrganisationReport, ApiError> {
    check_slug(slug, "organisation")?;
    let preferred = content_locales(
        lang.0.as_deref(),
        auth.principal(),
        accept_language.0.as_deref(),
    )?;
    let reports = agora_core::reports::OrgReports::new(state.db.clone());
    let org = reports
        .readable_organisation(Some(auth.principal()), slug)
        .await?;
    Ok(reports.organisation_report(&org, &preferred).await?)
}

#[OpenApi(tag = "ApiTags::OrganisationReports")]
impl OrganisationReportsApi {
    /// How an organisation's staff learn
    ///
    /// By course and by department: staff enrolled, in progress, completed and
    /// certificates; completions by month; and, for the organisation's
    /// administrators only, who has not started. For the organisation's
    /// administrators and the global admin. Learners who hid their progress
    /// are never counted or listed.
    #[oai(
        path = "/organisations/:slug/report",
        method = "get",
        operation_id = "organisation_report"
    )]
    async fn organisation_report(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        #[oai(validator(pattern = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$", max_length = 35))]
        lang: Query<Option<String>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> Result<Json<OrganisationReportBody>, ApiError> {
        let r = organisation_report(&state, &auth, &slug, &lang, &accept_language).await?;
        Ok(Json(org_body(r)))
    }

    /// One table of an organisation's report as CSV
    ///
    /// `file` is `courses.csv`, `departments.csv`, `completions.csv` or (for the
    /// organisation's administrators) `not-started.csv`.
    #[oai(
        path = "/organisations/:slug/report/:file",
        method = "get",
        operation_id = "organisation_report_csv"
    )]
    async fn organisation_csv(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        /// courses.csv, departments.csv, completions.csv or not-started.csv
        file: Path<String>,
        #[oai(validator(pattern = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$", max_length = 35))]
        lang: Query<Option<String>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> Result<CsvFile, ApiError> {
        let table = table(
            &file,
            OrganisationTable::parse,
            "courses.csv, departments.csv, completions.csv or not-started.csv",
        )?;
        let r = organisation_report(&state, &auth, &slug, &lang, &accept_language).await?;
        let body = r.csv(table).ok_or_else(|| {
            ApiError::from(agora_core::Error::Forbidden {
                reason: "only the organisation's administrators see who has not started",
            })
        })?;
        Ok(csv_file(&format!("{}-{}", r.slug, table.as_str()), body))
    }

    /// How a network's organisations learn
    ///
    /// Learners, enrolments and completions by country, UN M49 region,
    /// organisation kind and population band, and by month; the most and least
    /// active organisations; organisations that joined through learning; SDGs
    /// and Sendai priorities weighted by completions. Counts of people from 1
    /// to 4 are hidden (`suppressed: true`, read "fewer than 5"). For the
    /// network's coordinators and the global admin.
    #[oai(
        path = "/networks/:slug/report",
        method = "get",
        operation_id = "network_report"
    )]
    async fn network_report(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
    ) -> Result<Json<NetworkReportBody>, ApiError> {
        check_slug(&slug, "network")?;
        let reports = agora_core::reports::OrgReports::new(state.db.clone());
        let network = reports
            .readable_network(Some(auth.principal()), &slug)
            .await?;
        let r = reports.network_report(&network).await?;
        Ok(Json(network_body(&r)))
    }

    /// One table of a network's report as CSV
    ///
    /// `file` is `countries.csv`, `regions.csv`, `kinds.csv`,
    /// `population-bands.csv`, `months.csv`, `organisations.csv`, `joined.csv`
    /// or `themes.csv`. Hidden counts read `fewer than 5`.
    #[oai(
        path = "/networks/:slug/report/:file",
        method = "get",
        operation_id = "network_report_csv"
    )]
    async fn network_csv(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        /// countries.csv, regions.csv, kinds.csv, population-bands.csv, months.csv, organisations.csv, joined.csv or themes.csv
        file: Path<String>,
    ) -> Result<CsvFile, ApiError> {
        let table = table(
            &file,
            NetworkTable::parse,
            "countries.csv, regions.csv, kinds.csv, population-bands.csv, months.csv, organisations.csv, joined.csv or themes.csv",
        )?;
        check_slug(&slug, "network")?;
        let reports = agora_core::reports::OrgReports::new(state.db.clone());
        let network = reports
            .readable_network(Some(auth.principal()), &slug)
            .await?;
        let r = reports.network_report(&network).await?;
        Ok(csv_file(
            &format!("{}-{}", r.slug, table.as_str()),
            r.csv(table),
        ))
    }
}
