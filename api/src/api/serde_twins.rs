//! Answers written with serde (`CachedJson`) must be the JSON their
//! poem-openapi schema says: what the tests of those answers share.

use poem_openapi::types::ToJSON;
use serde::Serialize;
use time::OffsetDateTime;

/// Fails unless serde and poem-openapi write `answer` alike.
pub(crate) fn assert_twins<T: Serialize + ToJSON>(answer: &T) {
    assert_eq!(
        serde_json::to_value(answer).unwrap(),
        answer.to_json().unwrap()
    );
}

/// A learner's progress in a course, as core answers it.
pub(crate) fn progress(
    at: OffsetDateTime,
    completed_at: Option<OffsetDateTime>,
) -> agora_core::learning::ProgressSummary {
    agora_core::learning::ProgressSummary {
        enrolment_id: uuid::Uuid::new_v4(),
        course_id: uuid::Uuid::new_v4(),
        status: "active".into(),
        completed_lessons: 2,
        total_lessons: 7,
        percent: 28,
        last_lesson_id: Some(uuid::Uuid::new_v4()),
        resume_lesson_id: None,
        resume_lesson_key: Some("intro".into()),
        enrolled_at: at,
        last_activity_at: at,
        completed_at,
        version: 3,
        completed_lesson_ids: vec![],
    }
}
