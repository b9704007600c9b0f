//! The facilitator dashboard: progress, attendance and who is falling
//! behind, per member and organisation, its CSV, and its rules.

use agora_core::cohorts::{BehindReason, BehindRules, Dashboard, DashboardMember};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::Path,
    payload::{Json, PlainText},
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::ApiTags;
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct CohortDashboardApi;

#[derive(Object)]
#[oai(rename = "CohortBehindRules")]
struct Rules {
    /// Behind after this many days without course activity; 0 turns it off.
    inactive_days: i32,
    /// Behind after this many recorded absences; 0 turns it off.
    missed_sessions: i32,
}

#[derive(Object)]
#[oai(rename = "CohortBehindReason")]
struct Reason {
    /// `inactive`, `missed_sessions` or `overdue_work`.
    rule: String,
    /// Days without activity, sessions missed, or assignments overdue.
    count: i64,
}

#[derive(Object)]
#[oai(rename = "CohortAssignmentState")]
struct AssignmentState {
    assignment_id: Uuid,
    assignment: String,
    /// `individual` or `organisation`.
    scope: String,
    /// `not_submitted`, `submitted`, `late`, `needs_revision` or `accepted`.
    state: String,
    /// Past due and not submitted.
    overdue: bool,
}

fn state(a: agora_core::cohorts::AssignmentState) -> AssignmentState {
    AssignmentState {
        assignment_id: a.assignment_id,
        assignment: a.assignment,
        scope: a.scope,
        state: a.state.as_str().into(),
        overdue: a.overdue,
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(rename = "CohortDashboardMember")]
struct Member {
    user_id: Uuid,
    name: String,
    organisation: String,
    organisation_name: String,
    progress_percent: u8,
    completed: bool,
    last_activity_at: Option<OffsetDateTime>,
    attended: u32,
    missed: u32,
    /// Each assignment's state, in the cohort's order.
    assignments: Vec<AssignmentState>,
    behind: Vec<Reason>,
}

#[derive(Object)]
#[oai(rename = "CohortDashboardOrganisation")]
struct Organisation {
    slug: String,
    name: String,
    members: u32,
    mean_progress: u8,
    attended: u32,
    behind: u32,
    /// The organisation's state of each organisation-scope assignment.
    assignments: Vec<AssignmentState>,
}

#[derive(Object)]
#[oai(rename = "CohortDashboard")]
struct DashboardBody {
    rules: Rules,
    /// Sessions that have ended and were not cancelled.
    sessions_held: u32,
    members: Vec<Member>,
    organisations: Vec<Organisation>,
}

fn reason(r: &BehindReason) -> Reason {
    match *r {
        BehindReason::Inactive { days } => Reason {
            rule: "inactive".into(),
            count: days,
        },
        BehindReason::MissedSessions { missed } => Reason {
            rule: "missed_sessions".into(),
            count: i64::from(missed),
        },
        BehindReason::OverdueWork { assignments } => Reason {
            rule: "overdue_work".into(),
            count: i64::from(assignments),
        },
    }
}

fn member(m: DashboardMember) -> Member {
    Member {
        behind: m.behind.iter().map(reason).collect(),
        user_id: m.user_id,
        name: m.name,
        organisation: m.organisation_slug,
        organisation_name: m.organisation_name,
        progress_percent: m.progress_percent,
        completed: m.completed,
        last_activity_at: m.last_activity_at,
        attended: m.attended,
        missed: m.missed,
        assignments: m.assignments.into_iter().map(state).collect(),
    }
}

fn rules(r: BehindRules) -> Rules {
    Rules {
        inactive_days: r.inactive_days,
        missed_sessions: r.missed_sessions,
    }
}

impl From<Dashboard> for DashboardBody {
    fn from(d: Dashboard) -> Self {
        DashboardBody {
            rules: rules(d.rules),
            sessions_held: d.sessions_held,
            members: d.members.into_iter().map(member).collect(),
            organisations: d
                .organisations
                .into_iter()
                .map(|o| Organisation {
                    slug: o.slug,
                    name: o.name,
                    members: o.members,
                    mean_progress: o.mean_progress,
                    attended: o.attended,
                    behind: o.behind,
                    assignments: o.assignments.into_iter().map(state).collect(),
                })
                .collect(),
        }
    }
}

#[derive(ApiResponse)]
enum CsvFile {
    /// The members as CSV (RFC 4180), a header row first.
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    File(
        PlainText<String>,
        #[oai(header = "Content-Disposition")] String,
        #[oai(header = "Cache-Control")] String,
    ),
}

#[OpenApi(tag = "ApiTags::Cohorts")]
impl CohortDashboardApi {
    /// The facilitator dashboard (those who run the cohort)
    #[oai(
        path = "/cohorts/:cohort/dashboard",
        method = "get",
        operation_id = "get_cohort_dashboard"
    )]
    async fn dashboard(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
    ) -> Result<Json<DashboardBody>, ApiError> {
        let d = state
            .cohorts
            .dashboard(Some(auth.principal()), &cohort)
            .await?;
        Ok(Json(d.into()))
    }

    /// The dashboard's members as CSV
    #[oai(
        path = "/cohorts/:cohort/dashboard/csv",
        method = "get",
        operation_id = "get_cohort_dashboard_csv"
    )]
    async fn csv(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
    ) -> Result<CsvFile, ApiError> {
        let body = state
            .cohorts
            .dashboard_csv(Some(auth.principal()), &cohort)
            .await?;
        Ok(CsvFile::File(
            PlainText(body),
            format!("attachment; filename=\"{}-dashboard.csv\"", cohort.0),
            "private, no-store".into(),
        ))
    }

    /// Set the falling-behind rules (those who run the cohort)
    #[oai(
        path = "/cohorts/:cohort/dashboard/rules",
        method = "put",
        operation_id = "set_cohort_behind_rules"
    )]
    async fn set_rules(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        body: Json<Rules>,
    ) -> Result<Json<Rules>, ApiError> {
        let r = state
            .cohorts
            .set_behind_rules(
                Some(auth.principal()),
                &cohort,
                BehindRules {
                    inactive_days: body.inactive_days,
                    missed_sessions: body.missed_sessions,
                },
            )
            .await?;
        Ok(Json(rules(r)))
    }
}
