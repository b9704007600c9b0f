//! The LMS roster page (`/lti/contexts/{id}/roster`): who the LMS lists in
//! the course Agora was launched from, and whether each has started in
//! Agora. For the context's instructors and administrators; linked from
//! the course report, where instructors land. Works without JavaScript.

use agora_core::{
    certificates::pdf::format_date,
    lti::{MemberStatus, Roster, RosterFailure, RosterMember, RosterStanding},
};
use poem::{Response, handler, http::StatusCode, web::Path};
use serde::Serialize;
use uuid::Uuid;

use super::Ctx;
use crate::http::i18n::{format_percent, t_args};

#[derive(Serialize)]
struct CourseCell {
    title: String,
    slug: String,
    text: String,
}

#[derive(Serialize)]
struct MemberRow {
    name: String,
    roles: String,
    status: String,
    inactive: bool,
    standing: &'static str,
    /// Never launched: one line, no courses.
    not_launched: bool,
    courses: Vec<CourseCell>,
}

#[derive(Serialize)]
struct RosterPage {
    title: String,
    platform: String,
    courses: Vec<CourseCell>,
    summary: String,
    failure: Option<String>,
    failure_code: Option<&'static str>,
    truncated: bool,
    /// Whether the context has more than one course (each cell names it).
    many_courses: bool,
    members: Vec<MemberRow>,
}

fn role_name(ctx: &Ctx, role: &str) -> String {
    let key = match role {
        "Learner" => "lti-roster-role-learner",
        "Instructor" => "lti-roster-role-instructor",
        "TeachingAssistant" => "lti-roster-role-teaching-assistant",
        "Mentor" => "lti-roster-role-mentor",
        "ContentDeveloper" => "lti-roster-role-content-developer",
        "Administrator" => "lti-roster-role-administrator",
        _ => return role.to_owned(),
    };
    ctx.t(key)
}

fn failure_text(ctx: &Ctx, f: RosterFailure) -> String {
    ctx.t(match f {
        RosterFailure::NotOffered => "lti-roster-failure-not-offered",
        RosterFailure::Unreachable => "lti-roster-failure-unreachable",
        RosterFailure::Refused => "lti-roster-failure-refused",
        RosterFailure::Malformed => "lti-roster-failure-malformed",
    })
}

fn row(ctx: &Ctx, m: RosterMember) -> MemberRow {
    let l = ctx.locale;
    let courses = m
        .courses
        .iter()
        .map(|c| {
            let last = c
                .last_activity_at
                .map(|t| format_date(l, t.date()))
                .unwrap_or_default();
            let text = if c.completed {
                t_args(l, "lti-roster-completed", &[("date", last.into())])
            } else if c.started {
                t_args(
                    l,
                    "lti-roster-started",
                    &[
                        (
                            "score",
                            format_percent(l, u32::from(c.progress_percent)).into(),
                        ),
                        ("date", last.into()),
                    ],
                )
            } else {
                ctx.t("lti-roster-launched")
            };
            CourseCell {
                title: c.title.clone(),
                slug: c.slug.clone(),
                text,
            }
        })
        .collect();
    MemberRow {
        name: m.name.unwrap_or_else(|| m.lms_user_id.clone()),
        roles: m
            .roles
            .iter()
            .map(|r| role_name(ctx, r))
            .collect::<Vec<_>>()
            .join(", "),
        status: ctx.t(match m.status {
            MemberStatus::Active => "lti-roster-status-active",
            MemberStatus::Inactive => "lti-roster-status-inactive",
            MemberStatus::Deleted => "lti-roster-status-deleted",
        }),
        inactive: m.status != MemberStatus::Active,
        standing: match m.standing {
            RosterStanding::NotLaunched => "not_launched",
            RosterStanding::Launched => "launched",
            RosterStanding::Started => "started",
            RosterStanding::Completed => "completed",
        },
        not_launched: m.standing == RosterStanding::NotLaunched,
        courses,
    }
}

fn page(ctx: &Ctx, r: Roster) -> RosterPage {
    let l = ctx.locale;
    let total = r.members.len();
    let launched = r
        .members
        .iter()
        .filter(|m| m.standing != RosterStanding::NotLaunched)
        .count();
    let started = r
        .members
        .iter()
        .filter(|m| m.standing >= RosterStanding::Started)
        .count();
    RosterPage {
        title: r
            .context
            .title
            .clone()
            .unwrap_or_else(|| r.context.context_id.clone()),
        platform: r.context.platform_name.clone(),
        courses: r
            .context
            .courses
            .iter()
            .map(|(slug, title)| CourseCell {
                title: title.clone(),
                slug: slug.clone(),
                text: String::new(),
            })
            .collect(),
        summary: t_args(
            l,
            "lti-roster-summary",
            &[
                ("total", (total as f64).into()),
                ("used", (launched as f64).into()),
                ("done", (started as f64).into()),
            ],
        ),
        failure: r.failure.map(|f| failure_text(ctx, f)),
        failure_code: r.failure.map(RosterFailure::code),
        truncated: r.truncated,
        many_courses: r.context.courses.len() > 1,
        members: r.members.into_iter().map(|m| row(ctx, m)).collect(),
    }
}

/// GET `/lti/contexts/{id}/roster`: the roster, fetched from the LMS now.
/// When the LMS fails or refuses, the page says so (503, or 200 when the
/// LMS simply does not offer the service).
#[handler]
pub async fn roster(ctx: Ctx, Path(id): Path<String>) -> Response {
    let user = match ctx.require_user() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    let r = match ctx.state.lti.roster(&user, id, &ctx.preferred()).await {
        Ok(r) => r,
        Err(e) => return ctx.fail(e),
    };
    let status = match r.failure {
        None | Some(RosterFailure::NotOffered) => StatusCode::OK,
        Some(_) => StatusCode::SERVICE_UNAVAILABLE,
    };
    let data = page(&ctx, r);
    let title = t_args(
        ctx.locale,
        "lti-roster-title",
        &[("name", data.title.clone().into())],
    );
    ctx.page(status, "lti_roster", &title, &data)
}
