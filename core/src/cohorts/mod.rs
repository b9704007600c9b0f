//! Cohorts: facilitated runs of a published course (issue 18).
//!
//! Who is what to a cohort, decided here and nowhere else:
//! - the global admin and the cohort's authors (its creator and the
//!   course's authors) manage it and its facilitators;
//! - facilitators decide applications and run the live sessions;
//! - members (staff of an accepted organisation who joined) see the
//!   cohort's sessions, members and calendar;
//! - anyone else sees an open cohort's public profile only. Every private
//!   resource of a cohort answers "not found" to them, so a member of
//!   cohort A learns nothing of cohort B.
//!
//! - `manage`: creating, editing, listing and reading cohorts;
//! - `applications`: applying for an organisation, decisions and their mail;
//! - `members`: staff joining up to the capacity, the member list;
//! - `sessions`: live sessions, rescheduling, cancelling, reminders;
//! - `calendar`: `.ics` files and private calendar feeds;
//! - `assignments`: assignments and their rubrics;
//! - `submissions`: work handed in, its files in the storage port;
//! - `feedback`: facilitator feedback, and how submissions are shown;
//! - `reviews`, `peer_allocation`: peer reviews and who gives them;
//! - `template`: cohort templates shipped with courses.
//! - `attendance`: who attended a session, its notes and recording;
//! - `announcements`: posted by those who run it, mailed once per member;
//! - `dashboard`: progress, attendance and who falls behind, with CSV;
//! - `completion`: what completing means, and the cohort certificate's job.

mod announcements;
mod applications;
mod assignments;
mod attendance;
mod calendar;
mod completion;
mod dashboard;
mod feedback;
mod input;
mod invitations;
mod manage;
mod members;
pub mod peer_allocation;
mod reviews;
mod sessions;
mod submissions;
mod template;
mod work;
mod work_states;

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};
use time::OffsetDateTime;
use url::Url;
use uuid::Uuid;

pub use self::{
    announcements::{AnnouncementMail, AnnouncementView, send_announcement},
    applications::{ApplicationView, DecisionMail, send_decision},
    assignments::{AssignmentInput, AssignmentView, Criterion, Level, MAX_PEER_REVIEWS, Scope},
    attendance::AttendanceView,
    calendar::FeedCreated,
    completion::{CohortCompleted, CompletionView, RequiredWork, after_course_completed},
    dashboard::{BehindReason, BehindRules, Dashboard, DashboardMember, DashboardOrganisation},
    feedback::{
        Assessment, FeedbackView, PeerReviewView, Score, SubmissionFileView, SubmissionView,
    },
    input::CohortInput,
    manage::{CohortView, PersonView},
    members::CohortMemberView,
    reviews::ReviewTaskView,
    sessions::{SessionInput, SessionReminder, SessionView, send_reminder},
    submissions::{FileInput, MAX_FILE_BYTES, MAX_FILES, MAX_SUBMISSION_BYTES, SubmissionInput},
    template::{Completion, FromTemplateInput, import_templates},
    work::SubmissionStatus,
    work_states::{AssignmentState, WorkState},
};
use crate::{
    Error, Result,
    accounts::{Principal, Role},
    entities::{cohort, cohort_facilitator, cohort_member, course_author},
    storage::Storage,
};

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn map_of(v: &serde_json::Value) -> BTreeMap<String, String> {
    serde_json::from_value(v.clone()).unwrap_or_default()
}

fn list_of(v: &serde_json::Value) -> Vec<String> {
    serde_json::from_value(v.clone()).unwrap_or_default()
}

/// `open`, `application` or `invitation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    Open,
    Application,
    Invitation,
}

impl Admission {
    pub fn as_str(self) -> &'static str {
        match self {
            Admission::Open => "open",
            Admission::Application => "application",
            Admission::Invitation => "invitation",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Admission::Open),
            "application" => Some(Admission::Application),
            "invitation" => Some(Admission::Invitation),
            _ => None,
        }
    }
}

/// `draft`, `open` or `closed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CohortStatus {
    Draft,
    Open,
    Closed,
}

impl CohortStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CohortStatus::Draft => "draft",
            CohortStatus::Open => "open",
            CohortStatus::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(CohortStatus::Draft),
            "open" => Some(CohortStatus::Open),
            "closed" => Some(CohortStatus::Closed),
            _ => None,
        }
    }
}

/// The state of an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Pending,
    Accepted,
    Waitlisted,
    Declined,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Pending => "pending",
            Decision::Accepted => "accepted",
            Decision::Waitlisted => "waitlisted",
            Decision::Declined => "declined",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Decision::Pending),
            "accepted" => Some(Decision::Accepted),
            "waitlisted" => Some(Decision::Waitlisted),
            "declined" => Some(Decision::Declined),
            _ => None,
        }
    }
}

/// What the caller is to one cohort. Several can hold at once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    pub admin: bool,
    /// Created the cohort, or authors its course.
    pub author: bool,
    pub facilitator: bool,
    pub member: bool,
}

impl Standing {
    /// Edits the cohort itself and names its facilitators.
    pub fn edits(self) -> bool {
        self.admin || self.author
    }
    /// Runs it: sessions, the applications list.
    pub fn runs(self) -> bool {
        self.admin || self.author || self.facilitator
    }
    /// Decides applications.
    pub fn decides(self) -> bool {
        self.admin || self.facilitator
    }
    /// Sees the cohort's private resources.
    pub fn inside(self) -> bool {
        self.runs() || self.member
    }
    /// The caller's role, strongest first, for the views.
    pub fn role(self) -> Option<&'static str> {
        if self.admin {
            Some("admin")
        } else if self.author {
            Some("author")
        } else if self.facilitator {
            Some("facilitator")
        } else if self.member {
            Some("member")
        } else {
            None
        }
    }
}

/// The cohorts service, built once at start-up.
#[derive(Clone)]
pub struct Cohorts {
    db: DatabaseConnection,
    /// Where submitted files live.
    storage: Storage,
    /// Where links and calendar UIDs point.
    public_url: Url,
}

impl Cohorts {
    pub fn new(db: DatabaseConnection, public_url: Url, storage: Storage) -> Self {
        Cohorts {
            db,
            storage,
            public_url,
        }
    }

    fn host(&self) -> String {
        self.public_url.host_str().unwrap_or("agora").to_owned()
    }
}

use crate::accounts::require_signed_in;

fn not_found() -> Error {
    Error::NotFound { what: "cohort" }
}

async fn find_cohort(db: &impl ConnectionTrait, slug: &str) -> Result<cohort::Model> {
    use sea_orm::{ColumnTrait, QueryFilter};
    cohort::Entity::find()
        .filter(cohort::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

pub(crate) async fn standing(
    db: &impl ConnectionTrait,
    who: Option<&Principal>,
    c: &cohort::Model,
) -> Result<Standing> {
    match who {
        None => Ok(Standing::default()),
        Some(who) => standing_for(db, who.user_id, who.role, c).await,
    }
}

async fn standing_for(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    role: Role,
    c: &cohort::Model,
) -> Result<Standing> {
    Ok(Standing {
        admin: role == Role::Admin,
        author: c.created_by == Some(user_id)
            || course_author::Entity::find_by_id((c.course_id, user_id))
                .one(db)
                .await?
                .is_some(),
        facilitator: cohort_facilitator::Entity::find_by_id((c.id, user_id))
            .one(db)
            .await?
            .is_some(),
        member: cohort_member::Entity::find_by_id((c.id, user_id))
            .one(db)
            .await?
            .is_some(),
    })
}

impl Cohorts {
    /// The cohort if the caller may see its profile: an open or closed
    /// cohort to everyone, a draft only to those inside it.
    async fn visible(
        &self,
        who: Option<&Principal>,
        slug: &str,
    ) -> Result<(cohort::Model, Standing)> {
        let c = find_cohort(&self.db, slug).await?;
        let s = standing(&self.db, who, &c).await?;
        if c.status != CohortStatus::Draft.as_str() || s.inside() {
            Ok((c, s))
        } else {
            Err(not_found())
        }
    }

    /// The cohort if the caller is inside it; "not found" otherwise, so
    /// other cohorts' people learn nothing.
    async fn inside(
        &self,
        who: Option<&Principal>,
        slug: &str,
    ) -> Result<(cohort::Model, Standing)> {
        require_signed_in(who)?;
        let c = find_cohort(&self.db, slug).await?;
        let s = standing(&self.db, who, &c).await?;
        if s.inside() {
            Ok((c, s))
        } else {
            Err(not_found())
        }
    }

    /// Whether the caller runs the cohort: the same answer as any of its
    /// facilitators' actions, for a form refused before reaching one.
    pub async fn check_runs(&self, who: Option<&Principal>, slug: &str) -> Result<()> {
        self.run_by(who, slug).await.map(drop)
    }

    /// The cohort if the caller runs it: forbidden to its members, not
    /// found to everyone else.
    async fn run_by(
        &self,
        who: Option<&Principal>,
        slug: &str,
    ) -> Result<(cohort::Model, Standing)> {
        let (c, s) = self.inside(who, slug).await?;
        if s.runs() {
            Ok((c, s))
        } else {
            Err(Error::Forbidden {
                reason: "only the cohort's facilitators may do this",
            })
        }
    }
}
