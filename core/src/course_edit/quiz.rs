//! The quiz editor's questions and options, checked, with their ids.

use std::collections::BTreeSet;

use super::{
    OptionEdit, QuestionEdit,
    fields::{MAX_OPTIONS, MAX_QUESTIONS, invalid, optional, required},
    ids::{next_option_key, next_question_key},
};
use crate::{
    Result,
    course_source::{OptionText, QuestionSource, QuestionText},
    domain::{QuestionKind, Slug},
};

/// Checks the questions of a quiz editor and gives each its key: existing
/// keys stay (answers and statistics refer to them), new questions and
/// options get the next free ones.
pub(super) fn check_questions(
    old: &[QuestionSource],
    questions: Vec<QuestionEdit>,
) -> Result<Vec<(QuestionSource, QuestionText)>> {
    if questions.is_empty() {
        return Err(invalid("questions", "a quiz needs at least one question"));
    }
    if questions.len() > MAX_QUESTIONS {
        return Err(invalid(
            "questions",
            format!("at most {MAX_QUESTIONS} questions"),
        ));
    }
    let mut used: BTreeSet<String> = questions.iter().filter_map(|q| q.key.clone()).collect();
    if used.len() != questions.iter().filter(|q| q.key.is_some()).count() {
        return Err(invalid("questions", "a question is listed twice"));
    }
    for q in old {
        used.insert(q.key.to_string());
    }
    let mut out = Vec::new();
    for (i, q) in questions.into_iter().enumerate() {
        let field = |f: &str| format!("questions[{i}].{f}");
        let key = match q.key {
            Some(k) => Slug::parse(&k).map_err(|e| invalid(field("key"), e))?,
            None => {
                let k = next_question_key(&used);
                used.insert(k.clone());
                Slug::parse(&k).expect("qN is an id")
            }
        };
        let prompt = required(&field("prompt"), &q.prompt, 1000)?;
        let options: Vec<OptionEdit> = q
            .options
            .into_iter()
            .filter(|o| !o.text.trim().is_empty())
            .collect();
        let mut keys: Vec<String> = Vec::new();
        match q.kind {
            QuestionKind::TrueFalse => {
                if options.len() != 2 {
                    return Err(invalid(
                        field("options"),
                        "a true/false question has two options: the words for true and for false",
                    ));
                }
                keys = vec!["true".into(), "false".into()];
            }
            _ => {
                if options.len() < 2 {
                    return Err(invalid(field("options"), "write at least two options"));
                }
                if options.len() > MAX_OPTIONS {
                    return Err(invalid(
                        field("options"),
                        format!("at most {MAX_OPTIONS} options"),
                    ));
                }
                // A new option never takes the key of one that existed: the
                // translations and answer statistics of that key are not its.
                let mut taken: BTreeSet<String> =
                    options.iter().filter_map(|o| o.key.clone()).collect();
                if let Some(before) = old.iter().find(|o| o.key == key) {
                    taken.extend(before.options.iter().cloned());
                }
                for o in &options {
                    let k = match &o.key {
                        Some(k) => {
                            Slug::parse(k).map_err(|e| invalid(field("options"), e))?;
                            k.clone()
                        }
                        None => {
                            let k = next_option_key(&taken);
                            taken.insert(k.clone());
                            k
                        }
                    };
                    if keys.contains(&k) {
                        return Err(invalid(field("options"), "an option is listed twice"));
                    }
                    keys.push(k);
                }
            }
        }
        let correct: Vec<String> = options
            .iter()
            .zip(&keys)
            .filter(|(o, _)| o.correct)
            .map(|(_, k)| k.clone())
            .collect();
        match (q.kind, correct.len()) {
            (_, 0) => return Err(invalid(field("correct"), "mark the correct answer")),
            (QuestionKind::Single | QuestionKind::TrueFalse, n) if n > 1 => {
                return Err(invalid(
                    field("correct"),
                    "this kind of question has exactly one correct answer",
                ));
            }
            _ => {}
        }
        let mut texts = std::collections::BTreeMap::new();
        for (o, k) in options.iter().zip(&keys) {
            texts.insert(
                k.clone(),
                OptionText {
                    text: required(&field("options"), &o.text, 500)?,
                    explanation: optional(&field("options"), &o.explanation, 2000)?,
                },
            );
        }
        out.push((
            QuestionSource {
                key,
                kind: q.kind,
                options: keys,
                correct,
            },
            QuestionText {
                prompt,
                options: texts,
            },
        ));
    }
    Ok(out)
}
