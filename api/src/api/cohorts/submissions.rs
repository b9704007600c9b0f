//! Work handed in for assignments, its files, and facilitator feedback.

use crate::api::download::{Download, HandedIn};
use agora_core::cohorts::{
    Assessment, FeedbackView, FileInput, PeerReviewView, Score, SubmissionFileView,
    SubmissionInput, SubmissionView,
};
use poem::web::Data;
use poem_openapi::{
    Multipart, Object, OpenApi, param::Path, payload::Json, types::multipart::Upload,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{ApiTags, manage::Person, uuid_of};
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct CohortSubmissionsApi;

/// A level given on one rubric criterion.
#[derive(Object)]
#[oai(rename = "RubricScore")]
pub(super) struct RubricScore {
    /// The criterion's key.
    criterion: String,
    /// The points of the chosen level.
    points: i32,
    #[oai(default)]
    comment: String,
}

/// A filled-in rubric: every criterion gets a level.
#[derive(Object)]
#[oai(rename = "RubricAssessment")]
pub(super) struct RubricAssessment {
    #[oai(default)]
    comment: String,
    criteria: Vec<RubricScore>,
}

impl From<Assessment> for RubricAssessment {
    fn from(a: Assessment) -> Self {
        RubricAssessment {
            comment: a.comment,
            criteria: a
                .criteria
                .into_iter()
                .map(|s| RubricScore {
                    criterion: s.criterion,
                    points: s.points,
                    comment: s.comment,
                })
                .collect(),
        }
    }
}

impl From<RubricAssessment> for Assessment {
    fn from(a: RubricAssessment) -> Self {
        Assessment {
            comment: a.comment,
            criteria: a
                .criteria
                .into_iter()
                .map(|s| Score {
                    criterion: s.criterion,
                    points: s.points,
                    comment: s.comment,
                })
                .collect(),
        }
    }
}

#[derive(Object)]
#[oai(rename = "SubmissionFile")]
pub(super) struct SubmissionFile {
    id: Uuid,
    name: String,
    content_type: String,
    size: i64,
}

impl From<SubmissionFileView> for SubmissionFile {
    fn from(f: SubmissionFileView) -> Self {
        SubmissionFile {
            id: f.id,
            name: f.name,
            content_type: f.content_type,
            size: f.size,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(rename = "SubmissionFeedback")]
struct Feedback {
    #[oai(flatten)]
    assessment: RubricAssessment,
    by: Option<Person>,
    given_at: OffsetDateTime,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(rename = "PeerReview")]
struct PeerReview {
    id: Uuid,
    /// Named to those who run the cohort, never to the reviewed.
    reviewer: Option<Person>,
    /// Absent until given.
    review: Option<RubricAssessment>,
    submitted_at: Option<OffsetDateTime>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(rename = "Submission")]
struct Submission {
    id: Uuid,
    assignment_id: Uuid,
    /// Who handed it in last.
    author: Person,
    /// Markdown.
    text: String,
    text_html: String,
    /// `submitted`, `needs_revision` or `accepted`.
    status: String,
    revision: i32,
    submitted_at: OffsetDateTime,
    /// Handed in after the due date.
    late: bool,
    files: Vec<SubmissionFile>,
    feedback: Option<Feedback>,
    peer_reviews: Vec<PeerReview>,
}

fn feedback(f: FeedbackView) -> Feedback {
    Feedback {
        assessment: f.assessment.into(),
        by: f.by.as_ref().map(Person::from),
        given_at: f.given_at,
    }
}

fn peer_review(r: PeerReviewView) -> PeerReview {
    PeerReview {
        id: r.id,
        reviewer: r.reviewer.as_ref().map(Person::from),
        review: r.review.map(Into::into),
        submitted_at: r.submitted_at,
    }
}

impl From<SubmissionView> for Submission {
    fn from(s: SubmissionView) -> Self {
        Submission {
            id: s.id,
            assignment_id: s.assignment_id,
            author: (&s.author).into(),
            text: s.text,
            text_html: s.text_html,
            status: s.status,
            revision: s.revision,
            submitted_at: s.submitted_at,
            late: s.late,
            files: s.files.into_iter().map(Into::into).collect(),
            feedback: s.feedback.map(feedback),
            peer_reviews: s.peer_reviews.into_iter().map(peer_review).collect(),
        }
    }
}

/// Work as it is handed in: a text, files, or both.
#[derive(Multipart)]
struct SubmissionForm {
    /// Markdown.
    #[oai(default)]
    text: String,
    /// Up to 5 files of at most 10 MiB (25 MiB together): PDF, DOCX, XLSX,
    /// ODT, PNG, JPEG or WebP, judged by their content.
    files: Vec<Upload>,
}

#[derive(Object)]
#[oai(rename = "FeedbackBody")]
struct FeedbackBody {
    /// `submitted`, `needs_revision` (reopens the work) or `accepted`.
    status: String,
    #[oai(flatten)]
    assessment: RubricAssessment,
}

/// `attachment` with an ASCII fallback name and the exact one (RFC 6266).
fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[OpenApi(tag = "ApiTags::CohortSubmissions")]
impl CohortSubmissionsApi {
    /// Hand in (or replace) your work, or your organisation's: allowed
    /// until a facilitator reviews it, or again after `needs_revision`
    #[oai(
        path = "/cohorts/:cohort/assignments/:assignment/submission",
        method = "put",
        operation_id = "submit_cohort_assignment"
    )]
    async fn submit(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        assignment: Path<String>,
        form: SubmissionForm,
    ) -> Result<Json<Submission>, ApiError> {
        let id = uuid_of(&assignment, "assignment")?;
        let mut files = Vec::new();
        for f in form.files {
            let name = f.file_name().unwrap_or_default().to_owned();
            let bytes = f
                .into_vec()
                .await
                .map_err(|e| agora_core::Error::invalid("files", e.to_string()))?;
            files.push(FileInput { name, bytes });
        }
        let input = SubmissionInput {
            text: form.text,
            files,
        };
        let s = state
            .cohorts
            .submit(Some(auth.principal()), &cohort, id, input)
            .await?;
        Ok(Json(s.into()))
    }

    /// Your (or your organisation's) work, with feedback and peer reviews
    #[oai(
        path = "/cohorts/:cohort/assignments/:assignment/submission",
        method = "get",
        operation_id = "get_my_cohort_submission"
    )]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        assignment: Path<String>,
    ) -> Result<Json<Submission>, ApiError> {
        let id = uuid_of(&assignment, "assignment")?;
        let s = state
            .cohorts
            .my_submission(Some(auth.principal()), &cohort, id)
            .await?;
        Ok(Json(s.into()))
    }

    /// Every submission of an assignment, peer reviewers named (those who
    /// run the cohort)
    #[oai(
        path = "/cohorts/:cohort/assignments/:assignment/submissions",
        method = "get",
        operation_id = "list_cohort_submissions"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        assignment: Path<String>,
    ) -> Result<Json<Vec<Submission>>, ApiError> {
        let id = uuid_of(&assignment, "assignment")?;
        let list = state
            .cohorts
            .submissions(Some(auth.principal()), &cohort, id)
            .await?;
        Ok(Json(list.into_iter().map(Submission::from).collect()))
    }

    /// A file of a submission: to its owners, its peer reviewers and
    /// those who run the cohort
    #[oai(
        path = "/cohorts/:cohort/submissions/:submission/files/:file",
        method = "get",
        operation_id = "get_cohort_submission_file"
    )]
    async fn file(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        submission: Path<String>,
        file: Path<String>,
    ) -> Result<Download<HandedIn>, ApiError> {
        let sid = uuid_of(&submission, "file")?;
        let fid = uuid_of(&file, "file")?;
        let (name, content_type, bytes) = state
            .cohorts
            .submission_file(Some(auth.principal()), &cohort, sid, fid)
            .await?;
        Ok(Download::new(
            bytes,
            content_type,
            disposition(&name),
            Some("private, no-store"),
        ))
    }

    /// Give feedback on a submission: a level per criterion and a status
    /// (those who run the cohort)
    #[oai(
        path = "/cohorts/:cohort/submissions/:submission/feedback",
        method = "put",
        operation_id = "give_cohort_feedback"
    )]
    async fn give_feedback(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        submission: Path<String>,
        body: Json<FeedbackBody>,
    ) -> Result<Json<Submission>, ApiError> {
        let id = uuid_of(&submission, "submission")?;
        let body = body.0;
        let s = state
            .cohorts
            .give_feedback(
                Some(auth.principal()),
                &cohort,
                id,
                &body.status,
                body.assessment.into(),
            )
            .await?;
        Ok(Json(s.into()))
    }
}
