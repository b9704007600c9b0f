//! The forms of the course page (details, words, new module, new lesson),
//! as shown and as read back.

use agora_core::{
    Error,
    course_edit::{NewLesson, OptionEdit, QuestionEdit},
    domain::{LessonKind, QuestionKind},
};
use serde::Serialize;

use super::text_of;
use crate::web::{Ctx, FormData};

#[derive(Serialize, Default, Clone)]
pub(super) struct NewLessonForm {
    pub(super) key: String,
    pub(super) kind: String,
    pub(super) title: String,
    pub(super) duration_minutes: String,
    pub(super) file: String,
    pub(super) question: String,
    pub(super) answer: String,
}

#[derive(Serialize, Default)]
pub(super) struct DetailsForm {
    pub(super) level: String,
    pub(super) duration_minutes: String,
    pub(super) tags: String,
}

#[derive(Serialize, Default)]
pub(super) struct TextForm {
    pub(super) title: String,
    pub(super) summary: String,
    pub(super) description: String,
    pub(super) objectives: String,
}

#[derive(Serialize, Default)]
pub(super) struct NewModuleForm {
    pub(super) key: String,
    pub(super) title: String,
    pub(super) summary: String,
    pub(super) lesson: NewLessonForm,
}

impl NewLessonForm {
    /// The empty form every module shows.
    pub(super) fn blank() -> NewLessonForm {
        NewLessonForm {
            kind: "text".into(),
            duration_minutes: "10".into(),
            answer: "true".into(),
            ..Default::default()
        }
    }

    pub(super) fn read(form: &FormData) -> NewLessonForm {
        NewLessonForm {
            key: form.get("lesson_key").unwrap_or_default().trim().to_owned(),
            kind: form.get("lesson_kind").unwrap_or("text").to_owned(),
            title: form.get("lesson_title").unwrap_or_default().to_owned(),
            duration_minutes: form
                .get("lesson_duration_minutes")
                .unwrap_or_default()
                .to_owned(),
            file: form.get("lesson_file").unwrap_or_default().to_owned(),
            question: text_of(form, "question"),
            answer: form.get("answer").unwrap_or("true").to_owned(),
        }
    }

    pub(super) fn to_edit(&self, ctx: &Ctx) -> Result<NewLesson, Error> {
        let kind: LessonKind = self
            .kind
            .parse()
            .map_err(|e: String| Error::invalid("lesson_kind", e))?;
        let duration_minutes = self
            .duration_minutes
            .trim()
            .parse()
            .map_err(|_| Error::invalid("lesson_duration_minutes", "a whole number"))?;
        let first_question = (kind == LessonKind::Quiz).then(|| {
            let yes = self.answer != "false";
            QuestionEdit {
                key: None,
                kind: QuestionKind::TrueFalse,
                prompt: self.question.clone(),
                options: vec![
                    OptionEdit {
                        key: None,
                        text: ctx.t("quiz-true"),
                        explanation: String::new(),
                        correct: yes,
                    },
                    OptionEdit {
                        key: None,
                        text: ctx.t("quiz-false"),
                        explanation: String::new(),
                        correct: !yes,
                    },
                ],
            }
        });
        Ok(NewLesson {
            key: self.key.clone(),
            kind,
            title: self.title.clone(),
            duration_minutes,
            file: Some(self.file.clone()).filter(|f| !f.is_empty()),
            first_question,
        })
    }
}

pub(super) const LESSON_FIELDS: &[&str] = &[
    "lesson_key",
    "lesson_kind",
    "lesson_title",
    "lesson_duration_minutes",
    "lesson_file",
    "question",
];
