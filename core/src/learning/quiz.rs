//! Quizzes: the questions as served, grading on the server, attempts and
//! the feedback after one.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::{
    Learning, ProgressSummary, events, now,
    progress::{lock_enrolment, record_completion},
};
use crate::{
    Error, Result,
    catalogue::pick_locale,
    domain::{LessonKind, Locale, QuestionKind},
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

#[derive(Clone, Debug)]
pub struct QuizResult {
    pub score: u32,
    pub passing_score: u32,
    pub passed: bool,
    pub questions: Vec<QuestionFeedback>,
    pub progress: ProgressSummary,
}

#[derive(Clone, Debug)]
pub struct QuestionFeedback {
    pub key: String,
    pub prompt: String,
    pub correct: bool,
    pub chosen: Vec<String>,
    /// Empty until the answers are revealed (a pass, or the last attempt).
    pub correct_options: Vec<String>,
    pub options: Vec<OptionFeedback>,
}

#[derive(Clone, Debug)]
pub struct OptionFeedback {
    pub key: String,
    pub text: String,
    pub explanation: String,
}

// ---------------------------------------------------------------------------
// Grading rules.

/// An answer is right when the chosen options are exactly the correct ones,
/// in any order.
pub fn is_correct(chosen: &[String], correct: &[String]) -> bool {
    let mut chosen = chosen.to_vec();
    let mut correct = correct.to_vec();
    chosen.sort();
    correct.sort();
    chosen == correct
}

/// The score of an attempt in whole percent, rounded down: `right` of
/// `questions`. A quiz without questions scores 0.
pub fn score(right: usize, questions: usize) -> u32 {
    (right * 100 / questions.max(1)) as u32
}

/// Whether a score passes a quiz; a quiz without a passing score needs 100.
pub fn passes(score: u32, passing_score: Option<i32>) -> bool {
    score >= passing_score_of(passing_score)
}

pub(super) struct Graded {
    pub(super) correct: bool,
    pub(super) chosen: Vec<String>,
    pub(super) expected: Vec<String>,
}

/// Checks that every question is answered with valid options, then grades
/// each answer.
pub(super) fn grade(
    questions: &[quiz_question::Model],
    answers: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<Graded>> {
    for key in answers.keys() {
        if !questions.iter().any(|q| &q.key == key) {
            return Err(Error::invalid(
                format!("answers.{}", truncate(key)),
                "there is no such question in this quiz",
            ));
        }
    }
    let mut out = Vec::new();
    for q in questions {
        let field = format!("answers.{}", q.key);
        let chosen = answers
            .get(&q.key)
            .ok_or_else(|| Error::invalid(&field, "answer every question"))?;
        let options: Vec<String> = serde_json::from_value(q.options.clone()).unwrap_or_default();
        let mut expected: Vec<String> =
            serde_json::from_value(q.correct.clone()).unwrap_or_default();
        let unique: BTreeSet<&String> = chosen.iter().collect();
        if unique.len() != chosen.len() {
            return Err(Error::invalid(&field, "an option is chosen twice"));
        }
        if let Some(bad) = chosen.iter().find(|c| !options.contains(c)) {
            return Err(Error::invalid(
                &field,
                format!("`{}` is not an option of this question", truncate(bad)),
            ));
        }
        let kind: QuestionKind = q.kind.parse().map_err(Error::Internal)?;
        match kind {
            QuestionKind::Single | QuestionKind::TrueFalse if chosen.len() != 1 => {
                return Err(Error::invalid(&field, "choose exactly one option"));
            }
            QuestionKind::Multiple if chosen.is_empty() => {
                return Err(Error::invalid(&field, "choose at least one option"));
            }
            _ => {}
        }
        expected.sort();
        out.push(Graded {
            correct: is_correct(chosen, &expected),
            chosen: chosen.clone(),
            expected,
        });
    }
    Ok(out)
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn question(
        key: &str,
        kind: QuestionKind,
        options: &[&str],
        correct: &[&str],
    ) -> quiz_question::Model {
        quiz_question::Model {
            id: Uuid::new_v4(),
            lesson_id: Uuid::nil(),
            key: key.into(),
            position: 0,
            kind: kind.as_str().into(),
            options: json!(options),
            correct: json!(correct),
        }
    }

    fn answers(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).into(), v.iter().map(|s| (*s).into()).collect()))
            .collect()
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).into()).collect()
    }

    fn field(e: Error) -> String {
        match e {
            Error::Invalid { field, .. } => field,
            other => panic!("expected an invalid answer, got {other:?}"),
        }
    }

    #[test]
    fn an_answer_is_right_when_it_is_exactly_the_correct_options_in_any_order() {
        assert!(is_correct(&strings(&["b", "a"]), &strings(&["a", "b"])));
        assert!(!is_correct(&strings(&["a"]), &strings(&["a", "b"])));
        assert!(!is_correct(
            &strings(&["a", "b", "c"]),
            &strings(&["a", "b"])
        ));
        assert!(!is_correct(&strings(&["c"]), &strings(&["a"])));
    }

    #[test]
    fn scores_round_down_and_pass_at_the_passing_score() {
        assert_eq!(score(2, 3), 66);
        assert_eq!(score(3, 3), 100);
        assert_eq!(score(0, 0), 0);
        assert!(passes(66, Some(66)));
        assert!(!passes(65, Some(66)));
        // Without a passing score, every answer must be right.
        assert!(!passes(99, None));
        assert!(passes(100, None));
        assert!(passes(0, Some(-5)));
    }

    #[test]
    fn grading_marks_each_answer() {
        let qs = [
            question("q1", QuestionKind::Single, &["a", "b"], &["a"]),
            question("q2", QuestionKind::Multiple, &["a", "b", "c"], &["c", "a"]),
            question(
                "q3",
                QuestionKind::TrueFalse,
                &["true", "false"],
                &["false"],
            ),
        ];
        let g = grade(
            &qs,
            &answers(&[("q1", &["a"]), ("q2", &["a", "c"]), ("q3", &["true"])]),
        )
        .unwrap();
        assert_eq!(
            g.iter().map(|g| g.correct).collect::<Vec<_>>(),
            [true, true, false]
        );
        assert_eq!(g[1].expected, strings(&["a", "c"]));
        assert_eq!(g[2].chosen, strings(&["true"]));
    }

    #[test]
    fn grading_refuses_incomplete_or_malformed_answers() {
        let qs = [
            question("q1", QuestionKind::Single, &["a", "b"], &["a"]),
            question("q2", QuestionKind::Multiple, &["a", "b"], &["a"]),
        ];
        type Answers<'a> = &'a [(&'a str, &'a [&'a str])];
        let cases: [(Answers, &str); 6] = [
            (&[("q1", &["a"])], "answers.q2"),
            (
                &[("q1", &["a"]), ("q2", &["a"]), ("q9", &["a"])],
                "answers.q9",
            ),
            (&[("q1", &["a", "b"]), ("q2", &["a"])], "answers.q1"),
            (&[("q1", &["a"]), ("q2", &[])], "answers.q2"),
            (&[("q1", &["z"]), ("q2", &["a"])], "answers.q1"),
            (&[("q1", &["a"]), ("q2", &["a", "a"])], "answers.q2"),
        ];
        for (given, expected) in cases {
            let e = grade(&qs, &answers(given)).err().expect("refused");
            assert_eq!(field(e), expected, "{given:?}");
        }
    }
}
