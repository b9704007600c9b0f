//! The learner journey: enrolment, lessons, quizzes and progress.
//!
//! The database is the only source of truth. Each enrolment's progress
//! summary is cached (written through after every change, rebuilt on a
//! miss), so "my learning" never recomputes progress from scratch.
//!
//! - `service`: the [`Learning`] service and the course structure it reads
//!   from the published-content store (`crate::published`);
//! - `enrolment`: enrolling, leaving, "my learning";
//! - `lesson`: the lesson view and its files;
//! - `quiz`: the quiz view, grading and attempts;
//! - `progress`: completion, the progress summary and its cache;
//! - `completion`: completing a lesson (on PostgreSQL in one statement);
//! - `events`: completions and attempts sent with a client event id, each
//!   recorded once however often it is sent (offline learning);
//! - `offline`: what saving a course for offline downloads;
//! - `resume`: "continue where you left off", written behind the request.

mod archive;
mod completion;
mod enrolment;
mod events;
mod grading;
mod lesson;
mod offline;
mod progress;
mod quiz;
mod resume;
mod service;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::jobs::Job;

pub(crate) use crate::published::OrderedLesson;
pub use crate::published::{OptionView, QuestionView, ResourceLink};
pub use archive::{ArchiveLabels, CourseArchive};
pub use enrolment::{Enrolled, EnrolmentView, MyCourse};
pub use grading::{OptionFeedback, QuestionFeedback, QuizResult, is_correct, passes, score};
pub use lesson::{LessonCompleted, LessonView, ResourceFile};
pub use offline::{OfflineCourse, OfflineItem};
pub use progress::ProgressSummary;
pub use quiz::QuizView;

pub use service::Learning;

pub const ACTIVE: &str = "active";
pub const LEFT: &str = "left";

/// Sent when a learner enrols: the enrolment confirmation mail.
#[derive(Debug, Serialize, Deserialize)]
pub struct EnrolledMail {
    pub enrolment_id: Uuid,
}
impl Job for EnrolledMail {
    const KIND: &'static str = "mail.enrolled";
    fn dedup_key(&self) -> Option<String> {
        Some(format!("mail.enrolled:{}", self.enrolment_id))
    }
}

/// A course was completed: the worker issues the certificate and the mail.
#[derive(Debug, Serialize, Deserialize)]
pub struct CourseCompleted {
    pub enrolment_id: Uuid,
}
impl Job for CourseCompleted {
    const KIND: &'static str = "course_completed";
    fn dedup_key(&self) -> Option<String> {
        Some(format!("course_completed:{}", self.enrolment_id))
    }
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}
