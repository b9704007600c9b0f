//! A quiz's questions as served before an attempt: no correct answers, no
//! explanations. The same for every learner, so rendered once.

use std::collections::BTreeMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    Error, Result,
    domain::{Locale, QuestionKind},
    entities::{lesson, question_translation, quiz_question},
};

/// A question as served before an attempt: no correct answers, no explanations.
#[derive(Clone, Debug)]
pub struct QuestionView {
    pub key: String,
    pub kind: QuestionKind,
    pub prompt: String,
    pub options: Vec<OptionView>,
}

#[derive(Clone, Debug)]
pub struct OptionView {
    pub key: String,
    pub text: String,
}

/// A quiz lesson's rules and questions, in one locale.
#[derive(Clone, Debug)]
pub struct QuizQuestions {
    pub passing_score: u32,
    pub max_attempts: Option<u32>,
    pub questions: Vec<QuestionView>,
}

/// The passing score of a quiz; a quiz without one needs 100.
pub(crate) fn passing_score_of(stored: Option<i32>) -> u32 {
    stored.unwrap_or(100).max(0) as u32
}

/// A question's prompt and option texts in `locale`, else the course's
/// default locale, else whichever translation there is.
pub(crate) fn question_text(
    texts: &[question_translation::Model],
    q: &quiz_question::Model,
    locale: Locale,
    default: Locale,
) -> (String, BTreeMap<String, crate::course_source::OptionText>) {
    let text = texts
        .iter()
        .filter(|t| t.question_id == q.id)
        .max_by_key(|t| (t.locale == locale.as_str(), t.locale == default.as_str()));
    let options = text
        .and_then(|t| serde_json::from_value(t.options.clone()).ok())
        .unwrap_or_default();
    (text.map(|t| t.prompt.clone()).unwrap_or_default(), options)
}

/// Reads and words a quiz lesson's questions in `locale`.
pub(super) async fn build(
    db: &impl ConnectionTrait,
    l: &lesson::Model,
    locale: Locale,
    default: Locale,
) -> Result<QuizQuestions> {
    let questions = quiz_question::Entity::find()
        .filter(quiz_question::Column::LessonId.eq(l.id))
        .order_by_asc(quiz_question::Column::Position)
        .all(db)
        .await?;
    let texts = question_translation::Entity::find()
        .filter(
            question_translation::Column::QuestionId
                .is_in(questions.iter().map(|q| q.id).collect::<Vec<_>>()),
        )
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(questions.len());
    for q in &questions {
        let (prompt, option_texts) = question_text(&texts, q, locale, default);
        let keys: Vec<String> = serde_json::from_value(q.options.clone()).unwrap_or_default();
        out.push(QuestionView {
            key: q.key.clone(),
            kind: q.kind.parse().map_err(Error::Internal)?,
            prompt,
            options: keys
                .iter()
                .map(|k| OptionView {
                    key: k.clone(),
                    text: option_texts
                        .get(k)
                        .map(|o| o.text.clone())
                        .unwrap_or_else(|| k.clone()),
                })
                .collect(),
        });
    }
    Ok(QuizQuestions {
        passing_score: passing_score_of(l.passing_score),
        max_attempts: l.max_attempts.map(|m| m.max(0) as u32),
        questions: out,
    })
}
