//! The quiz part of the lesson editor: its questions as the form shows
//! them, and as read back.

use agora_core::{
    course_edit::{OptionEdit, QuestionEdit},
    course_source::CourseSource,
    domain::{Locale, QuestionKind},
};
use serde::Serialize;

use super::{Choice, text_of};
use crate::web::{Ctx, FormData};

/// The most questions a quiz form is read for.
pub(super) const MAX_FORM_QUESTIONS: usize = 100;

#[derive(Serialize, Clone)]
pub(super) struct OptionRow {
    pub(super) index: usize,
    pub(super) key: String,
    pub(super) text: String,
    pub(super) explanation: String,
    pub(super) correct: bool,
    pub(super) source_text: String,
}

#[derive(Serialize, Clone)]
pub(super) struct QuestionRow {
    pub(super) index: usize,
    pub(super) number: usize,
    pub(super) key: String,
    pub(super) kind: String,
    pub(super) kinds: Vec<Choice>,
    pub(super) prompt: String,
    pub(super) source_prompt: String,
    pub(super) options: Vec<OptionRow>,
    pub(super) prompt_error: Option<String>,
    pub(super) options_error: Option<String>,
    pub(super) correct_error: Option<String>,
    pub(super) is_new: bool,
    pub(super) true_false: bool,
}

pub(super) fn question_kinds(ctx: &Ctx, selected: QuestionKind) -> Vec<Choice> {
    QuestionKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.as_str().into(),
            label: ctx.t(&format!("question-kind-{k}")),
            selected: *k == selected,
        })
        .collect()
}

/// The quiz's questions as the form shows them: saved ones (with room for
/// new options in the default locale) and one blank new question.
pub(super) fn question_rows(
    ctx: &Ctx,
    source: &CourseSource,
    lesson: &str,
    locale: Locale,
    edits: Option<&[QuestionEdit]>,
) -> Vec<QuestionRow> {
    let is_default = locale == source.default_locale;
    let text = source.texts.get(&locale);
    let default_text = source.texts.get(&source.default_locale);
    let Some(l) = source.lessons().find(|l| l.key.as_str() == lesson) else {
        return Vec::new();
    };
    let source_text = |q: &str, o: Option<&str>| -> String {
        let qt = default_text.and_then(|t| t.questions.get(&(lesson.to_owned(), q.to_owned())));
        match o {
            None => qt.map(|t| t.prompt.clone()).unwrap_or_default(),
            Some(o) => qt
                .and_then(|t| t.options.get(o))
                .map(|t| t.text.clone())
                .unwrap_or_default(),
        }
    };
    let mut rows: Vec<QuestionRow> = match edits {
        // A refused save shows what the author sent.
        Some(edits) => edits
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let key = q.key.clone().unwrap_or_default();
                QuestionRow {
                    index: i,
                    number: i + 1,
                    kind: q.kind.to_string(),
                    kinds: question_kinds(ctx, q.kind),
                    prompt: q.prompt.clone(),
                    source_prompt: source_text(&key, None),
                    // Blank rows come back below, as on a fresh form.
                    options: q
                        .options
                        .iter()
                        .filter(|o| o.key.is_some() || !o.text.trim().is_empty())
                        .enumerate()
                        .map(|(j, o)| OptionRow {
                            index: j,
                            key: o.key.clone().unwrap_or_default(),
                            text: o.text.clone(),
                            explanation: o.explanation.clone(),
                            correct: o.correct,
                            source_text: source_text(&key, o.key.as_deref()),
                        })
                        .collect(),
                    prompt_error: None,
                    options_error: None,
                    correct_error: None,
                    is_new: q.key.is_none(),
                    true_false: q.kind == QuestionKind::TrueFalse,
                    key,
                }
            })
            .collect(),
        None => l
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let qt =
                    text.and_then(|t| t.questions.get(&(lesson.to_owned(), q.key.to_string())));
                QuestionRow {
                    index: i,
                    number: i + 1,
                    key: q.key.to_string(),
                    kind: q.kind.to_string(),
                    kinds: question_kinds(ctx, q.kind),
                    prompt: qt.map(|t| t.prompt.clone()).unwrap_or_default(),
                    source_prompt: source_text(q.key.as_str(), None),
                    options: q
                        .options
                        .iter()
                        .enumerate()
                        .map(|(j, o)| {
                            let ot = qt.and_then(|t| t.options.get(o));
                            OptionRow {
                                index: j,
                                key: o.clone(),
                                text: ot.map(|t| t.text.clone()).unwrap_or_default(),
                                explanation: ot.map(|t| t.explanation.clone()).unwrap_or_default(),
                                correct: q.correct.contains(o),
                                source_text: source_text(q.key.as_str(), Some(o)),
                            }
                        })
                        .collect(),
                    prompt_error: None,
                    options_error: None,
                    correct_error: None,
                    is_new: false,
                    true_false: q.kind == QuestionKind::TrueFalse,
                }
            })
            .collect(),
    };
    if is_default {
        // Room for new options, and one new question.
        for q in rows.iter_mut().filter(|q| !q.true_false) {
            let blank = if q.is_new {
                4usize.saturating_sub(q.options.len()).max(2)
            } else {
                2
            };
            for _ in 0..blank {
                q.options.push(OptionRow {
                    index: q.options.len(),
                    key: String::new(),
                    text: String::new(),
                    explanation: String::new(),
                    correct: false,
                    source_text: String::new(),
                });
            }
        }
        if edits.is_none() {
            let i = rows.len();
            rows.push(QuestionRow {
                index: i,
                number: i + 1,
                key: String::new(),
                kind: "single".into(),
                kinds: question_kinds(ctx, QuestionKind::Single),
                prompt: String::new(),
                source_prompt: String::new(),
                options: (0..4)
                    .map(|j| OptionRow {
                        index: j,
                        key: String::new(),
                        text: String::new(),
                        explanation: String::new(),
                        correct: false,
                        source_text: String::new(),
                    })
                    .collect(),
                prompt_error: None,
                options_error: None,
                correct_error: None,
                is_new: true,
                true_false: false,
            });
        }
    }
    rows
}

/// Reads the quiz editor's questions. A new question left without a prompt
/// is the blank one the form always offers: it is ignored.
pub(super) fn read_questions(form: &FormData) -> Vec<QuestionEdit> {
    let mut out = Vec::new();
    for i in 0..=MAX_FORM_QUESTIONS {
        let p = format!("q{i}.");
        let Some(kind) = form.get(&format!("{p}kind")) else {
            break;
        };
        let key = form
            .get(&format!("{p}key"))
            .filter(|k| !k.is_empty())
            .map(str::to_owned);
        let prompt = text_of(form, &format!("{p}prompt"));
        if form.get(&format!("{p}remove")).is_some() || (key.is_none() && prompt.trim().is_empty())
        {
            continue;
        }
        let kind = kind.parse().unwrap_or(QuestionKind::Single);
        let mut options = Vec::new();
        for j in 0..=24 {
            let o = format!("{p}o{j}.");
            let Some(text) = form.get(&format!("{o}text")) else {
                break;
            };
            let key = form
                .get(&format!("{o}key"))
                .filter(|k| !k.is_empty())
                .map(str::to_owned);
            if form.get(&format!("{o}remove")).is_some() {
                continue;
            }
            // Single choice and true/false send one radio value per question.
            let correct = form.get(&format!("{o}correct")).is_some()
                || form.get(&format!("{p}correct")) == Some(j.to_string().as_str());
            options.push(OptionEdit {
                key,
                text: text.to_owned(),
                explanation: text_of(form, &format!("{o}explanation")),
                correct,
            });
        }
        out.push(QuestionEdit {
            key,
            kind,
            prompt,
            options,
        });
    }
    out
}
