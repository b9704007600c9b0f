//! The LMS roster of a context, as its instructor sees it: who the
//! platform lists (name, roles, status) and, for each, whether they have
//! started the context's Agora courses. Members are matched to Agora
//! accounts by platform and LTI subject (`user_id` = `sub`), never by
//! email. The roster is fetched from the platform in the request, with
//! short timeouts, and not stored: a failure or refusal of the platform
//! is an answer of its own, never a server error.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    Lti,
    nrps::{self, MemberStatus, RosterFailure},
};
use crate::{
    Error, Result,
    accounts::Principal,
    domain::Locale,
    entities::{
        course, course_translation, enrolment, lti_account, lti_context, lti_context_launch,
        lti_platform,
    },
};

/// How far a member is in Agora, across the context's courses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RosterStanding {
    /// Never launched Agora from this LMS.
    NotLaunched,
    /// Launched, with no lesson done yet.
    Launched,
    /// At least one lesson done.
    Started,
    /// A course completed.
    Completed,
}

/// One of the context's Agora courses, for a member.
#[derive(Clone, Debug, Serialize)]
pub struct CourseProgress {
    pub slug: String,
    pub title: String,
    pub enrolled: bool,
    /// At least one lesson done (or the course completed).
    pub started: bool,
    /// Lessons done over the course's lessons (100 once completed).
    pub progress_percent: u8,
    pub completed: bool,
    pub last_activity_at: Option<OffsetDateTime>,
}

/// One member of the LMS roster.
#[derive(Clone, Debug, Serialize)]
pub struct RosterMember {
    /// Their LTI user id (`sub`) on the platform.
    pub lms_user_id: String,
    pub name: Option<String>,
    pub roles: Vec<String>,
    pub status: MemberStatus,
    pub standing: RosterStanding,
    /// Their progress in each of the context's courses (empty if they
    /// never launched).
    pub courses: Vec<CourseProgress>,
}

/// The context the roster is of.
#[derive(Clone, Debug, Serialize)]
pub struct RosterContext {
    pub id: Uuid,
    pub context_id: String,
    pub title: Option<String>,
    pub platform_name: String,
    /// Its Agora courses: (slug, title).
    pub courses: Vec<(String, String)>,
}

/// A roster, or why the platform gave none.
#[derive(Clone, Debug, Serialize)]
pub struct Roster {
    pub context: RosterContext,
    pub members: Vec<RosterMember>,
    pub failure: Option<RosterFailure>,
    /// Pages the platform answered.
    pub pages: u32,
    /// Whether the bounds (pages, members) cut the list short.
    pub truncated: bool,
}

struct CourseInfo {
    id: Uuid,
    slug: String,
    title: String,
    lessons: i64,
}

impl Lti {
    /// The roster of context `id`, for `caller` (its instructor or an
    /// admin), course titles in the first of `preferred` that has one.
    pub async fn roster(
        &self,
        caller: &Principal,
        id: Uuid,
        preferred: &[Locale],
    ) -> Result<Roster> {
        let ctx = self.readable_context(caller, id).await?;
        let platform = lti_platform::Entity::find_by_id(ctx.platform_id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound {
                what: "LMS context",
            })?;
        let courses = self.context_courses(&ctx, preferred).await?;
        let mut roster = Roster {
            context: RosterContext {
                id: ctx.id,
                context_id: ctx.context_id.clone(),
                title: ctx.title.clone(),
                platform_name: platform.name.clone(),
                courses: courses
                    .iter()
                    .map(|c| (c.slug.clone(), c.title.clone()))
                    .collect(),
            },
            members: vec![],
            failure: None,
            pages: 0,
            truncated: false,
        };
        let Some(url) = ctx.memberships_url.as_deref() else {
            roster.failure = Some(RosterFailure::NotOffered);
            return Ok(roster);
        };
        let fetched = match self.fetch_members(&platform, url).await {
            Ok(f) => f,
            Err(failure) => {
                roster.failure = Some(failure);
                return Ok(roster);
            }
        };
        roster.pages = fetched.pages;
        roster.truncated = fetched.truncated;
        roster.members = self
            .standings(platform.id, &courses, fetched.members)
            .await?;
        Ok(roster)
    }

    /// The Agora courses launched into from `ctx`, with their titles.
    async fn context_courses(
        &self,
        ctx: &lti_context::Model,
        preferred: &[Locale],
    ) -> Result<Vec<CourseInfo>> {
        let mut ids: Vec<Uuid> = lti_context_launch::Entity::find()
            .filter(lti_context_launch::Column::ContextRef.eq(ctx.id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|l| l.course_id)
            .collect();
        ids.sort();
        ids.dedup();
        let rows = course::Entity::find()
            .filter(course::Column::Id.is_in(ids.clone()))
            .all(&self.db)
            .await?;
        let titles = course_translation::Entity::find()
            .filter(course_translation::Column::CourseId.is_in(ids))
            .all(&self.db)
            .await?;
        let mut out: Vec<CourseInfo> = rows
            .into_iter()
            .map(|c| {
                let of = |l: &str| {
                    titles
                        .iter()
                        .find(|t| t.course_id == c.id && t.locale == l)
                        .map(|t| t.title.clone())
                };
                let title = preferred
                    .iter()
                    .find_map(|l| of(l.as_str()))
                    .or_else(|| of(&c.default_locale))
                    .unwrap_or_else(|| c.slug.clone());
                CourseInfo {
                    id: c.id,
                    slug: c.slug,
                    title,
                    lessons: i64::from(c.lesson_count.max(0)),
                }
            })
            .collect();
        out.sort_by(|a, b| a.title.cmp(&b.title));
        Ok(out)
    }

    /// Each member with their accounts' progress, matched by subject.
    async fn standings(
        &self,
        platform_id: Uuid,
        courses: &[CourseInfo],
        members: Vec<nrps::Member>,
    ) -> Result<Vec<RosterMember>> {
        let mut accounts: HashMap<String, Uuid> = HashMap::new();
        let subjects: Vec<String> = members.iter().map(|m| m.user_id.clone()).collect();
        for chunk in subjects.chunks(500) {
            for a in lti_account::Entity::find()
                .filter(lti_account::Column::PlatformId.eq(platform_id))
                .filter(lti_account::Column::Subject.is_in(chunk.to_vec()))
                .all(&self.db)
                .await?
            {
                accounts.insert(a.subject, a.user_id);
            }
        }
        let users: Vec<Uuid> = accounts.values().copied().collect();
        let course_ids: Vec<Uuid> = courses.iter().map(|c| c.id).collect();
        let mut enrolments: HashMap<(Uuid, Uuid), enrolment::Model> = HashMap::new();
        for chunk in users.chunks(500) {
            if course_ids.is_empty() {
                break;
            }
            for e in enrolment::Entity::find()
                .filter(enrolment::Column::UserId.is_in(chunk.to_vec()))
                .filter(enrolment::Column::CourseId.is_in(course_ids.clone()))
                .all(&self.db)
                .await?
            {
                enrolments.insert((e.user_id, e.course_id), e);
            }
        }
        Ok(members
            .into_iter()
            .map(|m| {
                let user = accounts.get(&m.user_id).copied();
                let mut standing = if user.is_some() {
                    RosterStanding::Launched
                } else {
                    RosterStanding::NotLaunched
                };
                let progress: Vec<CourseProgress> = match user {
                    None => vec![],
                    Some(u) => courses
                        .iter()
                        .map(|c| {
                            let e = enrolments.get(&(u, c.id));
                            let p = progress_of(e, c.lessons);
                            standing = standing.max(p.1);
                            CourseProgress {
                                slug: c.slug.clone(),
                                title: c.title.clone(),
                                enrolled: e.is_some(),
                                started: p.1 >= RosterStanding::Started,
                                progress_percent: p.0,
                                completed: p.1 == RosterStanding::Completed,
                                last_activity_at: e.map(|e| e.last_activity_at),
                            }
                        })
                        .collect(),
                };
                RosterMember {
                    lms_user_id: m.user_id,
                    name: m.name,
                    roles: m.roles,
                    status: m.status,
                    standing,
                    courses: progress,
                }
            })
            .collect())
    }
}

/// The percent done of an enrolment in a course of `lessons` lessons, and
/// where that puts its learner.
fn progress_of(e: Option<&enrolment::Model>, lessons: i64) -> (u8, RosterStanding) {
    match e {
        None => (0, RosterStanding::Launched),
        Some(e) if e.completed_at.is_some() => (100, RosterStanding::Completed),
        Some(e) if e.lessons_done > 0 => {
            let pct = if lessons > 0 {
                (i64::from(e.lessons_done) * 100 / lessons).clamp(1, 99) as u8
            } else {
                0
            };
            (pct, RosterStanding::Started)
        }
        Some(_) => (0, RosterStanding::Launched),
    }
}
