//! Organisation and network reports as JSON, and one CSV file per table.
//!
//! Network-wide counts of people below 5 are hidden: every such count is a
//! [`PeopleCount`], `{"value": 12, "suppressed": false}` or
//! `{"value": null, "suppressed": true}` ("fewer than 5"); the CSV files
//! write `fewer than 5` in the cell.

use agora_core::reports::{
    Floored, FlooredActivity, NetworkReport, NetworkTable, OrganisationReport, OrganisationTable,
    Progress,
};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi, Tags,
    param::{Header, Path, Query},
    payload::{Json, PlainText},
};
use time::OffsetDateTime;

use super::{
    auth::{Auth, content_locales},
    error::{ApiError, ErrorBody},
};
use crate::state::AppState;

#[derive(Tags)]
enum ApiTags {
    /// How an organisation's staff and a network's organisations learn.
    OrganisationReports,
}

pub struct OrganisationReportsApi;

/// A count of people in a network-wide report. From 1 to 4 it is hidden
/// (k-anonymity): `value` is null and `suppressed` is true, read "fewer
/// than 5". Zero and 5 or more are exact.
#[derive(Object)]
struct PeopleCount {
    value: Option<u64>,
    suppressed: bool,
}

impl From<Floored> for PeopleCount {
    fn from(f: Floored) -> Self {
        Self {
            value: f.value(),
            suppressed: f.suppressed(),
        }
    }
}

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

#[derive(Object)]
struct NetworkActivity {
    /// Active members who did not hide their progress.
    members: PeopleCount,
    /// Members with at least one enrolment.
    learners: PeopleCount,
    enrolments: PeopleCount,
    completions: PeopleCount,
}

impl From<FlooredActivity> for NetworkActivity {
    fn from(a: FlooredActivity) -> Self {
        Self {
            members: a.members.into(),
            learners: a.learners.into(),
            enrolments: a.enrolments.into(),
            completions: a.completions.into(),
        }
    }
}

#[derive(Object)]
struct NetworkGroup {
    /// Country (ISO 3166-1 alpha-2), UN M49 region code, kind or population band.
    key: String,
    /// Organisations are not people: always exact.
    organisations: u64,
    activity: NetworkActivity,
}

#[derive(Object)]
struct NetworkOrganisation {
    organisation_slug: String,
    organisation_name: String,
    country: String,
    activity: NetworkActivity,
}

#[derive(Object)]
struct NetworkMonth {
    /// YYYY-MM (UTC)
    month: String,
    enrolments: PeopleCount,
    completions: PeopleCount,
}

#[derive(Object)]
struct NetworkTheme {
    /// sdg:1 to sdg:17, sendai:1 to sendai:4
    theme: String,
    /// Completions of courses with this theme.
    completions: PeopleCount,
}

/// How a network's organisations learn; counts of people below 5 are hidden.
#[derive(Object)]
struct NetworkReportBody {
    network_slug: String,
    network_name: String,
    generated_at: OffsetDateTime,
    organisations: u64,
    totals: NetworkActivity,
    countries: Vec<NetworkGroup>,
    /// By UN M49 region code (002 Africa, 019 Americas, 142 Asia, 150 Europe, 009 Oceania).
    regions: Vec<NetworkGroup>,
    kinds: Vec<NetworkGroup>,
    population_bands: Vec<NetworkGroup>,
    /// Enrolments and completions per month.
    months: Vec<NetworkMonth>,
    /// The ten most active organisations, most active first.
    most_active: Vec<NetworkOrganisation>,
    /// The ten least active organisations, least active first.
    least_active: Vec<NetworkOrganisation>,
    /// Organisations whose first member enrolled, by month.
    joined_through_learning: Vec<OrgMonthlyCount>,
    /// SDGs and Sendai priorities, weighted by completions.
    themes: Vec<NetworkTheme>,
    exports: Vec<OrgReportExport>,
}

#[derive(ApiResponse)]
enum OrgCsvFile {
    /// The table as CSV (RFC 4180), a header row first.
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    File(
        PlainText<String>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

fn not_found(what: &'static str) -> ApiError {
    agora_core::Error::NotFound { what }.into()
}

fn check_slug(slug: &str, what: &'static str) -> Result<(), ApiError> {
    agora_core::domain::Slug::parse(slug)
        .map(drop)
        .map_err(|_| not_found(what))
}

fn no_table(names: &str) -> ApiError {
    ApiError::NotFound(Json(ErrorBody::new(
        "not_found",
        format!("no such report table: ask for {names}"),
        Some("file".into()),
    )))
}

fn csv(name: String, body: String) -> OrgCsvFile {
    OrgCsvFile::File(
        PlainText(body),
        format!("attachment; filename=\"{name}.csv\""),
    )
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

fn group(g: &agora_core::reports::Group) -> NetworkGroup {
    NetworkGroup {
        key: g.key.clone(),
        organisations: g.organisations,
        activity: g.activity.into(),
    }
}

fn org_activity(o: &agora_core::reports::OrganisationActivity) -> NetworkOrganisation {
    NetworkOrganisation {
        organisation_slug: o.slug.clone(),
        organisation_name: o.name.clone(),
        country: o.country.clone(),
        activity: o.activity.into(),
    }
}

fn network_body(r: &NetworkReport) -> NetworkReportBody {
    NetworkReportBody {
        network_slug: r.slug.clone(),
        network_name: r.name.clone(),
        generated_at: r.generated_at,
        organisations: r.organisations,
        totals: r.totals.into(),
        countries: r.countries.iter().map(group).collect(),
        regions: r.regions.iter().map(group).collect(),
        kinds: r.kinds.iter().map(group).collect(),
        population_bands: r.population_bands.iter().map(group).collect(),
        months: r
            .months
            .iter()
            .map(|m| NetworkMonth {
                month: m.month.clone(),
                enrolments: m.enrolments.into(),
                completions: m.completions.into(),
            })
            .collect(),
        most_active: r.most_active().iter().map(org_activity).collect(),
        least_active: r.least_active().into_iter().map(org_activity).collect(),
        joined_through_learning: r
            .joined
            .iter()
            .map(|m| OrgMonthlyCount {
                month: m.month.clone(),
                count: m.count,
            })
            .collect(),
        themes: r
            .themes
            .iter()
            .map(|t| NetworkTheme {
                theme: t.theme.clone(),
                completions: t.completions.into(),
            })
            .collect(),
        exports: NetworkTable::ALL
            .into_iter()
            .map(|t| OrgReportExport {
                table: t.as_str().into(),
                path: format!("/api/v1/networks/{}/report/{}.csv", r.slug, t.as_str()),
            })
            .collect(),
    }
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
        lang: Query<Option<String>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> Result<Json<OrganisationReportBody>, ApiError> {
        check_slug(&slug, "organisation")?;
        let preferred = content_locales(
            lang.0.as_deref(),
            auth.principal(),
            accept_language.0.as_deref(),
        )?;
        let reports = agora_core::reports::OrgReports::new(state.db.clone());
        let org = reports
            .readable_organisation(Some(auth.principal()), &slug)
            .await?;
        let r = reports.organisation_report(&org, &preferred).await?;
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
        lang: Query<Option<String>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> Result<OrgCsvFile, ApiError> {
        let table = file
            .strip_suffix(".csv")
            .and_then(OrganisationTable::parse)
            .ok_or_else(|| {
                no_table("courses.csv, departments.csv, completions.csv or not-started.csv")
            })?;
        check_slug(&slug, "organisation")?;
        let preferred = content_locales(
            lang.0.as_deref(),
            auth.principal(),
            accept_language.0.as_deref(),
        )?;
        let reports = agora_core::reports::OrgReports::new(state.db.clone());
        let org = reports
            .readable_organisation(Some(auth.principal()), &slug)
            .await?;
        let r = reports.organisation_report(&org, &preferred).await?;
        let body = r.csv(table).ok_or_else(|| {
            ApiError::from(agora_core::Error::Forbidden {
                reason: "only the organisation's administrators see who has not started",
            })
        })?;
        Ok(csv(format!("{}-{}", r.slug, table.as_str()), body))
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
    ) -> Result<OrgCsvFile, ApiError> {
        let table = file
            .strip_suffix(".csv")
            .and_then(NetworkTable::parse)
            .ok_or_else(|| {
                no_table("countries.csv, regions.csv, kinds.csv, population-bands.csv, months.csv, organisations.csv, joined.csv or themes.csv")
            })?;
        check_slug(&slug, "network")?;
        let reports = agora_core::reports::OrgReports::new(state.db.clone());
        let network = reports
            .readable_network(Some(auth.principal()), &slug)
            .await?;
        let r = reports.network_report(&network).await?;
        Ok(csv(format!("{}-{}", r.slug, table.as_str()), r.csv(table)))
    }
}
