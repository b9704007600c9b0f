//! Quizzes: the questions as served, grading on the server, attempts and
//! the feedback after one.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::{
    Learning, events,
    grading::{Graded, OptionFeedback, QuestionFeedback, QuizResult, grade, passes, score},
    now,
    progress::{lock_enrolment, record_completion},
};
use crate::{
    Error, Result,
    catalogue::pick_locale,
    domain::{LessonKind, Locale},
    entities::{question_translation, quiz_attempt, quiz_question},
    published::{QuestionView, QuizQuestions, passing_score_of, question_text},
};

#[derive(Clone, Debug)]
pub struct QuizView {
    pub passing_score: u32,
    pub max_attempts: Option<u32>,
    pub attempts_used: u32,
    pub best_score: Option<u32>,
    pub passed: bool,
    pub questions: Vec<QuestionView>,
}

impl Learning {
    /// A quiz as this learner sees it: its questions (rendered once for
    /// everyone) and their attempts so far.
    pub(super) async fn quiz_view(
        &self,
        quiz: &QuizQuestions,
        enrolment_id: Uuid,
        lesson_id: Uuid,
    ) -> Result<QuizView> {
        let attempts: Vec<(i32, bool)> = quiz_attempt::Entity::find()
            .select_only()
            .columns([quiz_attempt::Column::Score, quiz_attempt::Column::Passed])
            .filter(quiz_attempt::Column::EnrolmentId.eq(enrolment_id))
            .filter(quiz_attempt::Column::LessonId.eq(lesson_id))
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(QuizView {
            passing_score: quiz.passing_score,
            max_attempts: quiz.max_attempts,
            attempts_used: attempts.len() as u32,
            best_score: attempts.iter().map(|a| a.0.max(0) as u32).max(),
            passed: attempts.iter().any(|a| a.1),
            questions: quiz.questions.clone(),
        })
    }

    /// Scores a quiz on the server, records the attempt, and completes the
    /// lesson when it passes.
    pub async fn submit_quiz(
        &self,
        user_id: Uuid,
        slug: &str,
        key: &str,
        answers: &BTreeMap<String, Vec<String>>,
        preferred: &[Locale],
        event: Option<Uuid>,
    ) -> Result<QuizResult> {
        if let Some(id) = event
            && let Some(ev) = events::recorded(&self.db, user_id, id, events::ATTEMPT, key).await?
        {
            return self.replayed_attempt(ev, preferred).await;
        }
        let course = match self.published_course(slug).await {
            Err(e) if event.is_some() => return Err(events::refusal(&self.db, slug, e).await),
            c => c?,
        };
        let e = self.active_enrolment(user_id, course.id).await?;
        let l = self.find_lesson(course.id, key).await?;
        if l.kind != LessonKind::Quiz.as_str() {
            return Err(Error::Conflict {
                field: "lesson".into(),
                reason: "this lesson is not a quiz".into(),
            });
        }
        let questions = quiz_question::Entity::find()
            .filter(quiz_question::Column::LessonId.eq(l.id))
            .order_by_asc(quiz_question::Column::Position)
            .all(&self.db)
            .await?;
        let graded = grade(&questions, answers)?;
        let score = score(graded.iter().filter(|g| g.correct).count(), questions.len());
        let passing = passing_score_of(l.passing_score);
        let passed = passes(score, l.passing_score);

        let lessons = self.lessons_of(course.id).await?;
        let attempt_id = Uuid::new_v4();
        let txn = crate::db::begin_write(&self.db).await?;
        if let Some(event_id) = event {
            let new = events::NewEvent {
                user_id,
                event_id,
                kind: events::ATTEMPT,
                enrolment_id: e.id,
                lesson_id: l.id,
                attempt_id: Some(attempt_id),
            };
            if let Some(ev) = events::claim(&txn, &new).await? {
                drop(txn);
                return self.replayed_attempt(ev, preferred).await;
            }
        }
        // Lock the enrolment first: attempt counting and completion then
        // cannot race with another submission of the same learner.
        let mut locked = lock_enrolment(&txn, e.id, l.id).await?;
        // The right answers are shown once they can no longer be copied
        // into a retry: after a pass, or when this was the last attempt.
        let mut reveal = passed;
        if let Some(max) = l.max_attempts {
            let used = quiz_attempt::Entity::find()
                .filter(quiz_attempt::Column::EnrolmentId.eq(e.id))
                .filter(quiz_attempt::Column::LessonId.eq(l.id))
                .count(&txn)
                .await?;
            if used >= max.max(0) as u64 {
                return Err(Error::Conflict {
                    field: "attempts".into(),
                    reason: format!("all {max} attempts at this quiz are used"),
                });
            }
            reveal |= used + 1 >= max.max(0) as u64;
        }
        if let (Some(event_id), true) = (event, reveal) {
            events::revealed(&txn, user_id, event_id).await?;
        }
        {
            use crate::xapi::emit;
            let subject = emit::Subject::of(&e, &course);
            let response = serde_json::json!(answers).to_string();
            let answered = questions
                .iter()
                .zip(&graded)
                .map(|(q, g)| emit::answered(&subject, &l.key, &q.key, &g.chosen, g.correct));
            let result = emit::quiz_result(&subject, &l.key, score, passed, &response);
            emit::record(&txn, user_id, answered.chain([result]).collect::<Vec<_>>()).await?;
        }
        quiz_attempt::ActiveModel {
            id: Set(attempt_id),
            enrolment_id: Set(e.id),
            lesson_id: Set(l.id),
            answers: Set(serde_json::json!(answers)),
            score: Set(score as i32),
            passed: Set(passed),
            created_at: Set(now()),
        }
        .insert(&txn)
        .await?;
        if passed {
            locked = record_completion(&txn, e.id, &lessons, l.id).await?;
        }
        let progress = self.commit_with_summary(txn, locked, &lessons).await?;

        let default: Locale = course.default_locale.parse().unwrap_or(Locale::En);
        let feedback = self
            .feedback(&questions, graded, reveal, default, preferred)
            .await?;
        Ok(QuizResult {
            score,
            passing_score: passing,
            passed,
            questions: feedback,
            progress,
        })
    }

    /// Feedback in the learner's locale: whether each answer was right and
    /// why the chosen options are (not) right; every option's explanation
    /// and the right options only when `reveal`.
    pub(super) async fn feedback(
        &self,
        questions: &[quiz_question::Model],
        graded: Vec<Graded>,
        reveal: bool,
        default: Locale,
        preferred: &[Locale],
    ) -> Result<Vec<QuestionFeedback>> {
        let texts = question_translation::Entity::find()
            .filter(
                question_translation::Column::QuestionId
                    .is_in(questions.iter().map(|q| q.id).collect::<Vec<_>>()),
            )
            .all(&self.db)
            .await?;
        let available: BTreeSet<Locale> =
            texts.iter().filter_map(|t| t.locale.parse().ok()).collect();
        let locale = pick_locale(
            preferred,
            &available.into_iter().collect::<Vec<_>>(),
            default,
        );
        Ok(questions
            .iter()
            .zip(graded)
            .map(|(q, g)| {
                let (prompt, option_texts) = question_text(&texts, q, locale, default);
                let keys: Vec<String> =
                    serde_json::from_value(q.options.clone()).unwrap_or_default();
                let options = keys
                    .iter()
                    .map(|k| OptionFeedback {
                        key: k.clone(),
                        text: option_texts
                            .get(k)
                            .map(|o| o.text.clone())
                            .unwrap_or_default(),
                        explanation: option_texts
                            .get(k)
                            .filter(|_| reveal || g.chosen.contains(k))
                            .map(|o| o.explanation.clone())
                            .unwrap_or_default(),
                    })
                    .collect();
                QuestionFeedback {
                    key: q.key.clone(),
                    prompt,
                    correct: g.correct,
                    correct_options: if reveal { g.expected } else { Vec::new() },
                    chosen: g.chosen,
                    options,
                }
            })
            .collect())
    }
}
