//! Grading rules and what a learner is told after an attempt: pure
//! functions of the questions and the answers, shared by a quiz submitted
//! online (`quiz`) and one synced later from a device (`events`).

use std::collections::{BTreeMap, BTreeSet};

use super::ProgressSummary;
use crate::{
    Error, Result, domain::QuestionKind, entities::quiz_question, published::passing_score_of,
};
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use uuid::Uuid;

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
