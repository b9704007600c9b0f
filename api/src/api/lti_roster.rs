//! The LMS roster of an LTI context (Names and Role Provisioning
//! Services), for the context's instructors and administrators: each
//! member the platform lists and whether they have started in Agora.

use agora_core::{
    domain::Locale,
    lti::{CourseProgress, MemberStatus, RosterFailure, RosterMember, RosterStanding},
};
use poem::web::Data;
use poem_openapi::{Enum, Object, OpenApi, Tags, param::Path, payload::Json};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    auth::Auth,
    error::{ApiError, ErrorBody},
};
use crate::state::AppState;

#[derive(Tags)]
enum ApiTags {
    /// LTI 1.3: the LMSs that may launch Agora.
    Lti,
}

pub struct LtiRosterApi;

/// A member's status in the LMS course.
#[derive(Enum)]
#[oai(rename_all = "snake_case")]
enum Status {
    Active,
    Inactive,
    Deleted,
}

/// How far a member is in Agora.
#[derive(Enum)]
#[oai(rename_all = "snake_case")]
enum Standing {
    /// Never launched Agora from the LMS.
    NotLaunched,
    /// Launched, no lesson done yet.
    Launched,
    /// At least one lesson done.
    Started,
    /// A course completed.
    Completed,
}

/// A member's progress in one of the context's Agora courses.
#[derive(Object)]
struct CourseProgressInfo {
    slug: String,
    title: String,
    enrolled: bool,
    /// At least one lesson done.
    started: bool,
    /// 0–100.
    progress_percent: u8,
    completed: bool,
    last_activity_at: Option<OffsetDateTime>,
}

/// One member of the LMS roster.
#[derive(Object)]
struct MemberInfo {
    /// Their LTI user id (`sub`) on the platform.
    lms_user_id: String,
    name: Option<String>,
    /// Short role names, e.g. `Learner`, `Instructor`.
    roles: Vec<String>,
    status: Status,
    standing: Standing,
    /// Progress per course of the context (empty if never launched).
    courses: Vec<CourseProgressInfo>,
}

/// One Agora course of the context.
#[derive(Object)]
struct ContextCourse {
    slug: String,
    title: String,
}

/// The roster of an LMS context.
#[derive(Object)]
struct RosterInfo {
    /// Agora's id of the context.
    id: Uuid,
    /// The LMS's id of the context.
    context_id: String,
    title: Option<String>,
    /// The registered LMS.
    platform_name: String,
    courses: Vec<ContextCourse>,
    members: Vec<MemberInfo>,
    /// Pages the LMS answered.
    pages: u32,
    /// Whether the list was cut short (more than 50 pages).
    truncated: bool,
}

fn member(m: RosterMember) -> MemberInfo {
    MemberInfo {
        lms_user_id: m.lms_user_id,
        name: m.name,
        roles: m.roles,
        status: match m.status {
            MemberStatus::Active => Status::Active,
            MemberStatus::Inactive => Status::Inactive,
            MemberStatus::Deleted => Status::Deleted,
        },
        standing: match m.standing {
            RosterStanding::NotLaunched => Standing::NotLaunched,
            RosterStanding::Launched => Standing::Launched,
            RosterStanding::Started => Standing::Started,
            RosterStanding::Completed => Standing::Completed,
        },
        courses: m.courses.into_iter().map(course).collect(),
    }
}

fn course(c: CourseProgress) -> CourseProgressInfo {
    CourseProgressInfo {
        slug: c.slug,
        title: c.title,
        enrolled: c.enrolled,
        started: c.started,
        progress_percent: c.progress_percent,
        completed: c.completed,
        last_activity_at: c.last_activity_at,
    }
}

/// The platform gave no roster: the one error shape, with a code saying why.
fn failed(f: RosterFailure) -> ApiError {
    let body = |code: &str, message: &str| {
        poem_openapi::payload::Json(ErrorBody::new(code, message, None))
    };
    match f {
        RosterFailure::NotOffered => ApiError::Conflict(body(
            "roster_not_offered",
            "the LMS offers no roster for this course (Names and Role Provisioning Services is off)",
        )),
        RosterFailure::Unreachable => ApiError::Unavailable(body(
            "lms_unreachable",
            "the LMS did not answer in time; try again shortly",
        )),
        RosterFailure::Refused => ApiError::Unavailable(body(
            "lms_refused",
            "the LMS refused to give the roster; ask its administrator to allow Names and Role Provisioning Services for Agora",
        )),
        RosterFailure::Malformed => ApiError::Unavailable(body(
            "lms_malformed",
            "the LMS answered something that is not a roster",
        )),
    }
}

#[OpenApi(tag = "ApiTags::Lti")]
impl LtiRosterApi {
    /// The LMS roster of a context, and who has started
    ///
    /// Fetched from the LMS (Names and Role Provisioning Services) at each
    /// call, within 15 seconds. For the context's instructors (who launched
    /// Agora from it as Instructor) and administrators.
    #[oai(
        path = "/lti/contexts/:id/roster",
        method = "get",
        operation_id = "get_lti_roster"
    )]
    async fn roster(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Json<RosterInfo>, ApiError> {
        let me = auth.principal();
        let mut preferred = vec![me.locale];
        preferred.extend(Locale::ALL.into_iter().filter(|l| *l != me.locale));
        let r = state.lti.roster(me, id.0, &preferred).await?;
        if let Some(f) = r.failure {
            return Err(failed(f));
        }
        Ok(Json(RosterInfo {
            id: r.context.id,
            context_id: r.context.context_id,
            title: r.context.title,
            platform_name: r.context.platform_name,
            courses: r
                .context
                .courses
                .into_iter()
                .map(|(slug, title)| ContextCourse { slug, title })
                .collect(),
            members: r.members.into_iter().map(member).collect(),
            pages: r.pages,
            truncated: r.truncated,
        }))
    }
}
