//! The facilitator dashboard page: organisations and members with their
//! progress, attendance and who is falling behind (and why), the rules
//! that decide it, and the CSV export.

use agora_core::cohorts::{AssignmentState, BehindReason, BehindRules, WorkState};
use poem::{
    Body, IntoResponse, Response, handler,
    http::{StatusCode, header},
    web::Path,
};
use serde::Serialize;

use super::{checked, form_error, reader_zone, title_in};
use crate::{
    http::i18n::t_args,
    web::{Ctx, Flash, FormData},
};

#[derive(Serialize)]
struct MemberRow {
    name: String,
    organisation: String,
    progress: u8,
    completed: bool,
    last_activity: String,
    attended: u32,
    missed: u32,
    assignments: Vec<WorkRow>,
    behind: Vec<String>,
}

#[derive(Serialize)]
struct WorkRow {
    title: String,
    state: String,
    overdue: bool,
}

fn work(ctx: &Ctx, a: &[AssignmentState]) -> Vec<WorkRow> {
    a.iter()
        .map(|a| WorkRow {
            title: a.assignment.clone(),
            state: ctx.t(match a.state {
                WorkState::NotSubmitted => "cohort-work-not-submitted",
                WorkState::Submitted => "cohort-work-submitted",
                WorkState::Late => "cohort-work-late",
                WorkState::NeedsRevision => "cohort-work-needs-revision",
                WorkState::Accepted => "cohort-work-accepted",
            }),
            overdue: a.overdue,
        })
        .collect()
}

#[derive(Serialize)]
struct OrgRow {
    name: String,
    members: u32,
    mean_progress: u8,
    attended: u32,
    behind: u32,
    assignments: Vec<WorkRow>,
}

#[derive(Serialize)]
struct DashboardPage {
    slug: String,
    title: String,
    zone: &'static str,
    sessions_held: u32,
    inactive_days: i32,
    missed_sessions: i32,
    organisations: Vec<OrgRow>,
    members: Vec<MemberRow>,
    error: Option<String>,
}

fn reason(ctx: &Ctx, r: &BehindReason) -> String {
    match *r {
        BehindReason::Inactive { days } => t_args(
            ctx.locale,
            "cohort-behind-inactive",
            &[("count", (days as f64).into())],
        ),
        BehindReason::MissedSessions { missed } => t_args(
            ctx.locale,
            "cohort-behind-missed",
            &[("count", f64::from(missed).into())],
        ),
        BehindReason::OverdueWork { assignments } => t_args(
            ctx.locale,
            "cohort-behind-overdue",
            &[("count", f64::from(assignments).into())],
        ),
    }
}

async fn dashboard_page(
    ctx: &Ctx,
    slug: &str,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let who = ctx.user.as_ref();
    let (c, d) = match (
        ctx.state.cohorts.get(who, slug).await,
        ctx.state.cohorts.dashboard(who, slug).await,
    ) {
        (Ok(c), Ok(d)) => (c, d),
        (_, Err(e)) | (Err(e), _) => return ctx.fail(e),
    };
    let zone = reader_zone(ctx).await;
    let page = DashboardPage {
        slug: c.slug.clone(),
        title: title_in(ctx, &c.titles, &c.slug),
        zone: zone.name(),
        sessions_held: d.sessions_held,
        inactive_days: d.rules.inactive_days,
        missed_sessions: d.rules.missed_sessions,
        organisations: d
            .organisations
            .iter()
            .map(|o| OrgRow {
                name: o.name.clone(),
                members: o.members,
                mean_progress: o.mean_progress,
                attended: o.attended,
                behind: o.behind,
                assignments: work(ctx, &o.assignments),
            })
            .collect(),
        members: d
            .members
            .iter()
            .map(|m| MemberRow {
                name: m.name.clone(),
                organisation: m.organisation_name.clone(),
                progress: m.progress_percent,
                completed: m.completed,
                last_activity: m
                    .last_activity_at
                    .map(|t| zone.show(t))
                    .unwrap_or_else(|| "—".into()),
                attended: m.attended,
                missed: m.missed,
                assignments: work(ctx, &m.assignments),
                behind: m.behind.iter().map(|r| reason(ctx, r)).collect(),
            })
            .collect(),
        error,
    };
    ctx.page(
        status,
        "cohort_dashboard",
        &ctx.t("cohort-dashboard-title"),
        &page,
    )
}

/// GET `/cohorts/:slug/dashboard`
#[handler]
pub async fn show(ctx: Ctx, Path(slug): Path<String>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    dashboard_page(&ctx, &slug, StatusCode::OK, None).await
}

/// POST `/cohorts/:slug/dashboard/rules`
#[handler]
pub async fn rules(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let number = |k: &str| {
        form.get(k)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(-1)
    };
    let wanted = BehindRules {
        inactive_days: number("inactive_days"),
        missed_sessions: number("missed_sessions"),
    };
    match ctx
        .state
        .cohorts
        .set_behind_rules(ctx.user.as_ref(), &slug, wanted)
        .await
    {
        Ok(_) => ctx.redirect(
            &format!("/cohorts/{slug}/dashboard"),
            Some(Flash::Ok("flash-cohort-saved")),
        ),
        Err(e) => match form_error(&ctx, &e) {
            Some((status, msg)) => dashboard_page(&ctx, &slug, status, Some(msg)).await,
            None => ctx.fail(e),
        },
    }
}

/// GET `/cohorts/:slug/dashboard.csv`
#[handler]
pub async fn csv(ctx: Ctx, Path(slug): Path<String>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    match ctx
        .state
        .cohorts
        .dashboard_csv(ctx.user.as_ref(), &slug)
        .await
    {
        Ok(body) => body
            .with_content_type("text/csv; charset=utf-8")
            .with_header(
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{slug}-dashboard.csv\""),
            )
            .with_header(header::CACHE_CONTROL, "private, no-store")
            .into_response(),
        Err(e) => ctx.fail(e),
    }
}
