//! Structured edits of a course: the operations behind the course details
//! form, the outline (add, move, remove modules and lessons), the lesson
//! editor and the quiz editor.
//!
//! An edit changes a parsed [`crate::course_source::CourseSource`]; the
//! caller renders the files of the folder format before and after, and saves
//! only the files whose rendering changed. Untouched files keep their bytes
//! (and the revision that last changed them, which the translation view
//! compares), and the result goes through the same reader as every save, so a
//! structured edit can never store a course that `agora import` would refuse.
//!
//! Each edit checks its own input first and names the form field at fault
//! (`title`, `questions[2].options`…), so the page can show the message next
//! to it. New modules, lessons, questions and options are written in the
//! course's default locale first: that is the text other locales fall back to.

use crate::domain::{LessonKind, Level, Locale, QuestionKind};

mod apply;
mod fields;
mod ids;
mod outline;
mod quiz;
mod themes;

pub use apply::apply;
pub use ids::make_key;
pub use themes::tag_themes;

/// A lesson to add, with its text in the course's default locale.
#[derive(Clone, Debug)]
pub struct NewLesson {
    /// Empty: made from the title.
    pub key: String,
    pub kind: LessonKind,
    pub title: String,
    pub duration_minutes: u32,
    /// The file a resource lesson offers, already uploaded.
    pub file: Option<String>,
    /// A quiz starts with one question (a quiz without questions cannot be read).
    pub first_question: Option<QuestionEdit>,
}

/// One question as the quiz editor sends it.
#[derive(Clone, Debug)]
pub struct QuestionEdit {
    /// `None` for a new question: it gets the next free `qN`.
    pub key: Option<String>,
    pub kind: QuestionKind,
    pub prompt: String,
    /// Options with empty text are dropped. A true/false question has two:
    /// the first is "true", the second "false".
    pub options: Vec<OptionEdit>,
}

#[derive(Clone, Debug)]
pub struct OptionEdit {
    /// `None` for a new option: it gets the next free letter.
    pub key: Option<String>,
    pub text: String,
    pub explanation: String,
    pub correct: bool,
}

#[derive(Clone, Debug)]
pub enum Edit {
    /// What every locale shares: level, duration, themes.
    Details {
        level: Level,
        duration_minutes: u32,
        themes: Vec<String>,
    },
    /// The course's words in one locale; a new locale starts a translation.
    CourseText {
        locale: Locale,
        title: String,
        summary: String,
        description: String,
        objectives: Vec<String>,
    },
    AddModule {
        key: String,
        title: String,
        summary: String,
        /// A module cannot be empty.
        lesson: NewLesson,
    },
    ModuleText {
        module: String,
        locale: Locale,
        title: String,
        summary: String,
    },
    RemoveModule {
        module: String,
    },
    /// The whole order at once: every module and lesson exactly once.
    Outline(Vec<(String, Vec<String>)>),
    MoveModule {
        module: String,
        up: bool,
    },
    /// One step up or down; past the end of its module, a lesson moves into
    /// the neighbouring module.
    MoveLesson {
        lesson: String,
        up: bool,
    },
    AddLesson {
        module: String,
        lesson: NewLesson,
    },
    /// A text, video or resource lesson: its words in one locale and its
    /// settings.
    Lesson {
        lesson: String,
        locale: Locale,
        title: String,
        body: String,
        duration_minutes: u32,
        video_url: Option<String>,
        file: Option<String>,
    },
    RemoveLesson {
        lesson: String,
    },
    /// A quiz: settings, questions and answers, and its words in one locale.
    /// Questions and options can be added, removed or re-answered only in
    /// the default locale; other locales translate them.
    Quiz {
        lesson: String,
        locale: Locale,
        title: String,
        intro: String,
        duration_minutes: u32,
        passing_score: u32,
        max_attempts: Option<u32>,
        questions: Vec<QuestionEdit>,
    },
}

#[cfg(test)]
mod tests;
