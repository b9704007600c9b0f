//! Enrolment, lessons, quizzes and progress for the signed-in learner.

use crate::api::download::{Download, LessonResource};
use std::collections::BTreeMap;

use agora_core::learning;
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi, Tags,
    param::{Header, Path, Query},
    payload::Json,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    auth::{Auth, content_locales},
    cached_json::CachedJson,
    error::ApiError,
};
use crate::state::AppState;

#[derive(Tags)]
enum ApiTags {
    /// Enrolment, lessons, quizzes and progress.
    Learning,
}

pub struct LearningApi;

// Also `Serialize`, the same JSON as poem-openapi's, for answers written
// straight to bytes (see `me::tests`).
/// Where a learner stands in a course.
#[derive(Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct Progress {
    enrolment_id: Uuid,
    /// active, or left (re-enrolling resumes)
    status: String,
    completed_lessons: u32,
    total_lessons: u32,
    percent: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_lesson_id: Option<Uuid>,
    /// The first lesson not yet completed: where to continue.
    #[serde(skip_serializing_if = "Option::is_none")]
    resume_lesson_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resume_lesson_key: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    enrolled_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    last_activity_at: OffsetDateTime,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    completed_at: Option<OffsetDateTime>,
}

impl From<learning::ProgressSummary> for Progress {
    fn from(s: learning::ProgressSummary) -> Self {
        Progress {
            enrolment_id: s.enrolment_id,
            status: s.status,
            completed_lessons: s.completed_lessons,
            total_lessons: s.total_lessons,
            percent: s.percent,
            last_lesson_id: s.last_lesson_id,
            resume_lesson_id: s.resume_lesson_id,
            resume_lesson_key: s.resume_lesson_key,
            enrolled_at: s.enrolled_at,
            last_activity_at: s.last_activity_at,
            completed_at: s.completed_at,
        }
    }
}

#[derive(Object, serde::Serialize)]
struct ResourceFile {
    file_name: String,
    content_type: String,
    download_path: String,
}

#[derive(Object, serde::Serialize)]
struct QuizOption {
    key: String,
    text: String,
}

/// A question as served before an attempt: no answers, no explanations.
#[derive(Object, serde::Serialize)]
struct QuizQuestion {
    key: String,
    /// single, multiple or true_false
    kind: String,
    prompt: String,
    options: Vec<QuizOption>,
}

#[derive(Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
struct Quiz {
    passing_score: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_attempts: Option<u32>,
    attempts_used: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    best_score: Option<u32>,
    passed: bool,
    questions: Vec<QuizQuestion>,
}

// Served as `CachedJson::serialize`: its serde form is the JSON its
// OpenAPI schema describes (tested below). A plain comment, not a doc
// comment: that would become the schema's description.
#[derive(Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
struct Lesson {
    id: Uuid,
    key: String,
    /// text, video, resource or quiz
    kind: String,
    /// The locale of the content (the course default when yours is missing).
    #[oai(validator(pattern = "^(en|fr|es)$"))]
    locale: String,
    title: String,
    /// Sanitised HTML of the lesson; for a video, its full transcript.
    html: String,
    duration_minutes: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    video_url: Option<String>,
    /// True when the video is not recorded yet: read the transcript.
    video_placeholder: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<ResourceFile>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quiz: Option<Quiz>,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_key: Option<String>,
    completed: bool,
    progress: Progress,
}

#[derive(Object)]
struct Attempt {
    /// Option keys chosen for each question key; every question must be answered.
    answers: BTreeMap<String, Vec<String>>,
}

#[derive(Object)]
struct OptionFeedback {
    key: String,
    text: String,
    explanation: String,
}

#[derive(Object)]
struct QuestionFeedback {
    key: String,
    prompt: String,
    correct: bool,
    chosen: Vec<String>,
    /// The right options; empty until they are revealed, by a pass or on the
    /// last allowed attempt, so a failed attempt cannot be copied into a retry.
    correct_options: Vec<String>,
    /// Every option; explanations of options not chosen only once revealed.
    options: Vec<OptionFeedback>,
}

#[derive(Object)]
struct AttemptResult {
    /// Percent of questions answered right.
    score: u32,
    passing_score: u32,
    passed: bool,
    questions: Vec<QuestionFeedback>,
    progress: Progress,
}

#[derive(ApiResponse)]
enum EnrolResponse {
    /// Enrolled now.
    #[oai(status = 201)]
    Created(Json<Progress>),
    /// Already enrolled: the existing enrolment.
    #[oai(status = 200)]
    Existing(Json<Progress>),
}

#[derive(ApiResponse)]
enum NoContent {
    #[oai(status = 204)]
    Done,
}

fn check_slug(slug: &str) -> Result<(), ApiError> {
    agora_core::domain::Slug::parse(slug)
        .map(drop)
        .map_err(|_| agora_core::Error::NotFound { what: "course" }.into())
}

/// The client event id of an event sent from a device (offline learning).
fn event_id(id: Option<&str>) -> Result<Option<Uuid>, ApiError> {
    id.map(|id| {
        Uuid::parse_str(id).map_err(|_| {
            ApiError::from(agora_core::Error::invalid(
                "client_event_id",
                "must be a UUID",
            ))
        })
    })
    .transpose()
}

fn check_lesson(key: &str) -> Result<(), ApiError> {
    if key.len() > 80 {
        return Err(agora_core::Error::NotFound { what: "lesson" }.into());
    }
    Ok(())
}

#[OpenApi(tag = "ApiTags::Learning")]
impl LearningApi {
    /// Enrol in a published course
    ///
    /// Enrolling twice returns the existing enrolment; after leaving, it resumes the progress.
    #[oai(
        path = "/courses/:slug/enrolment",
        method = "post",
        operation_id = "enrol"
    )]
    async fn enrol(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        /// The partner whose embed brought the learner (else the `agora_via` cookie).
        via: Query<Option<String>>,
        req: &poem::Request,
    ) -> Result<EnrolResponse, ApiError> {
        check_slug(&slug)?;
        let via = via.0.or_else(|| {
            crate::http::cookies::cookie(req, crate::http::cookies::VIA_COOKIE).map(str::to_owned)
        });
        let e = state
            .learning
            .enrol(auth.principal().user_id, &slug, via.as_deref())
            .await?;
        Ok(if e.created {
            EnrolResponse::Created(Json(e.summary.into()))
        } else {
            EnrolResponse::Existing(Json(e.summary.into()))
        })
    }

    /// Leave a course; the enrolment and its progress are kept
    #[oai(
        path = "/courses/:slug/enrolment",
        method = "delete",
        operation_id = "unenrol"
    )]
    async fn unenrol(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
    ) -> Result<NoContent, ApiError> {
        check_slug(&slug)?;
        state
            .learning
            .unenrol(auth.principal().user_id, &slug)
            .await?;
        Ok(NoContent::Done)
    }

    /// One lesson, for an enrolled learner
    ///
    /// `lesson` is the lesson's key or id. Content comes in `lang`, then your
    /// saved locale, then `Accept-Language`, falling back to the course default.
    #[oai(
        path = "/courses/:slug/lessons/:lesson",
        method = "get",
        operation_id = "get_lesson"
    )]
    async fn lesson(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        lesson: Path<String>,
        #[oai(validator(pattern = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$", max_length = 35))]
        lang: Query<Option<String>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> Result<CachedJson<Lesson>, ApiError> {
        check_slug(&slug)?;
        check_lesson(&lesson)?;
        let p = auth.principal();
        let preferred = content_locales(lang.0.as_deref(), p, accept_language.0.as_deref())?;
        let v = state
            .learning
            .lesson(p.user_id, &slug, &lesson, &preferred)
            .await?;
        // Straight to bytes, without poem-openapi's `serde_json::Value` tree.
        Ok(CachedJson::serialize(&Lesson {
            id: v.id,
            key: v.key,
            kind: v.kind.to_string(),
            locale: v.locale.to_string(),
            title: v.title,
            html: v.html.to_string(),
            duration_minutes: v.duration_minutes,
            video_url: v.video_url,
            video_placeholder: v.video_placeholder,
            resource: v.resource.map(|r| ResourceFile {
                file_name: r.file_name,
                content_type: r.content_type,
                download_path: r.download_path,
            }),
            quiz: v.quiz.map(|q| Quiz {
                passing_score: q.passing_score,
                max_attempts: q.max_attempts,
                attempts_used: q.attempts_used,
                best_score: q.best_score,
                passed: q.passed,
                questions: q
                    .questions
                    .into_iter()
                    .map(|q| QuizQuestion {
                        key: q.key,
                        kind: q.kind.to_string(),
                        prompt: q.prompt,
                        options: q
                            .options
                            .into_iter()
                            .map(|o| QuizOption {
                                key: o.key,
                                text: o.text,
                            })
                            .collect(),
                    })
                    .collect(),
            }),
            previous_key: v.previous_key,
            next_key: v.next_key,
            completed: v.completed,
            progress: v.progress.into(),
        }))
    }

    /// Download the file of a resource lesson
    #[oai(
        path = "/courses/:slug/lessons/:lesson/resource",
        method = "get",
        operation_id = "download_resource"
    )]
    async fn resource(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        lesson: Path<String>,
        #[oai(validator(pattern = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$", max_length = 35))]
        lang: Query<Option<String>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> Result<Download<LessonResource>, ApiError> {
        check_slug(&slug)?;
        check_lesson(&lesson)?;
        let p = auth.principal();
        let preferred = content_locales(lang.0.as_deref(), p, accept_language.0.as_deref())?;
        let file = state
            .learning
            .resource(p.user_id, &slug, &lesson, &preferred)
            .await?;
        Ok(Download::new(
            file.data,
            file.content_type,
            format!("attachment; filename=\"{}\"", file.file_name),
            None,
        ))
    }

    /// Mark a lesson complete (idempotent); quizzes are completed by passing them
    ///
    /// A device that queued the completion offline sends its own event id:
    /// sending the same event again answers the same result and changes
    /// nothing. An event the server refuses (the course was archived) gets
    /// the error with its reason.
    #[oai(
        path = "/courses/:slug/lessons/:lesson/completion",
        method = "post",
        operation_id = "complete_lesson"
    )]
    async fn complete(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        lesson: Path<String>,
        /// A UUID chosen by the client for this event; a repeat is the same event.
        #[oai(validator(
            pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
        ))]
        client_event_id: Query<Option<String>>,
    ) -> Result<Json<Progress>, ApiError> {
        check_slug(&slug)?;
        check_lesson(&lesson)?;
        let event = event_id(client_event_id.0.as_deref())?;
        let done = state
            .learning
            .complete_lesson(auth.principal().user_id, &slug, &lesson, event)
            .await?;
        Ok(Json(done.progress.into()))
    }

    /// Submit a quiz attempt
    ///
    /// Scored on the server. Every attempt is recorded; passing completes the
    /// lesson. The answer shows each question's result and the explanations.
    /// With `client_event_id` (an attempt queued offline), sending the same
    /// event again answers the original result and records nothing; attempt
    /// limits apply in the order the events arrive.
    #[oai(
        path = "/courses/:slug/lessons/:lesson/attempts",
        method = "post",
        operation_id = "submit_quiz"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn attempt(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        lesson: Path<String>,
        #[oai(validator(pattern = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$", max_length = 35))]
        lang: Query<Option<String>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
        /// A UUID chosen by the client for this event; a repeat is the same event.
        #[oai(validator(
            pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
        ))]
        client_event_id: Query<Option<String>>,
        body: Json<Attempt>,
    ) -> Result<Json<AttemptResult>, ApiError> {
        check_slug(&slug)?;
        check_lesson(&lesson)?;
        let event = event_id(client_event_id.0.as_deref())?;
        if body.answers.len() > 200 {
            return Err(agora_core::Error::invalid("answers", "too many answers").into());
        }
        let p = auth.principal();
        let preferred = content_locales(lang.0.as_deref(), p, accept_language.0.as_deref())?;
        let r = state
            .learning
            .submit_quiz(p.user_id, &slug, &lesson, &body.answers, &preferred, event)
            .await?;
        Ok(Json(AttemptResult {
            score: r.score,
            passing_score: r.passing_score,
            passed: r.passed,
            questions: r
                .questions
                .into_iter()
                .map(|q| QuestionFeedback {
                    key: q.key,
                    prompt: q.prompt,
                    correct: q.correct,
                    chosen: q.chosen,
                    correct_options: q.correct_options,
                    options: q
                        .options
                        .into_iter()
                        .map(|o| OptionFeedback {
                            key: o.key,
                            text: o.text,
                            explanation: o.explanation,
                        })
                        .collect(),
                })
                .collect(),
            progress: r.progress.into(),
        }))
    }

    /// Your progress in one course
    #[oai(
        path = "/courses/:slug/progress",
        method = "get",
        operation_id = "course_progress"
    )]
    async fn progress(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
    ) -> Result<Json<Progress>, ApiError> {
        check_slug(&slug)?;
        let summary = state
            .learning
            .course_progress(auth.principal().user_id, &slug)
            .await?;
        Ok(Json(summary.into()))
    }
}

#[cfg(test)]
mod tests {
    use crate::api::serde_twins::{assert_twins, progress};

    #[test]
    fn a_lesson_serialises_as_poem_openapi_would() {
        let at = time::macros::datetime!(2026-12-05 14:05:06.789 UTC);
        let progress = progress(at, None);
        let quiz = super::Quiz {
            passing_score: 70,
            max_attempts: None,
            attempts_used: 1,
            best_score: Some(50),
            passed: false,
            questions: vec![super::QuizQuestion {
                key: "q1".into(),
                kind: "single".into(),
                prompt: "Which \"one\" <é>?".into(),
                options: vec![super::QuizOption {
                    key: "a".into(),
                    text: "Ça".into(),
                }],
            }],
        };
        let lesson = |quiz, resource, video_url: Option<String>| super::Lesson {
            id: uuid::Uuid::new_v4(),
            key: "risk-maps".into(),
            kind: "text".into(),
            locale: "fr".into(),
            title: "Cartes \"des\" risques".into(),
            html: "<p>Texte &amp; <em>carte</em></p>\n".into(),
            duration_minutes: 12,
            video_url,
            video_placeholder: false,
            resource,
            quiz,
            previous_key: None,
            next_key: Some("next".into()),
            completed: true,
            progress: progress.clone().into(),
        };
        let resource = super::ResourceFile {
            file_name: "plan.pdf".into(),
            content_type: "application/pdf".into(),
            download_path: "/api/v1/courses/c/lessons/l/resource".into(),
        };
        for l in [
            lesson(Some(quiz), None, None),
            lesson(None, Some(resource), Some("https://video.example/v".into())),
        ] {
            assert_twins(&l);
        }
    }
}
