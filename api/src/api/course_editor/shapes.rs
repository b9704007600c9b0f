//! What the course editor API reads and answers: the draft's structure in
//! one locale, and the bodies of the edits, parsed into core's edits.

use agora_core::{
    Error,
    course_edit::{Edit, NewLesson, OptionEdit, QuestionEdit},
    course_source::CourseSource,
    domain::{LessonKind, Locale, QuestionKind},
};
use poem_openapi::{Object, payload::Json};

use crate::api::{
    auth::Auth,
    authoring::{Draft, draft, service},
    error::ApiError,
};
use crate::state::AppState;

#[derive(Object)]
pub(super) struct StructureOption {
    pub(super) key: String,
    pub(super) text: String,
    pub(super) explanation: String,
    pub(super) correct: bool,
}

#[derive(Object)]
pub(super) struct StructureQuestion {
    pub(super) key: String,
    /// `single`, `multiple` or `true_false`.
    #[oai(validator(pattern = "^(single|multiple|true_false)$"))]
    pub(super) kind: String,
    pub(super) prompt: String,
    pub(super) options: Vec<StructureOption>,
    /// This locale has the words of the question and all its options.
    pub(super) translated: bool,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub(super) struct StructureLesson {
    pub(super) key: String,
    /// `text`, `video`, `resource` or `quiz`.
    #[oai(validator(pattern = "^(text|video|resource|quiz)$"))]
    pub(super) kind: String,
    pub(super) duration_minutes: u32,
    /// Empty when this locale has no text yet (learners see the default locale's).
    pub(super) title: String,
    /// Markdown; for a quiz, its introduction.
    pub(super) body: String,
    pub(super) translated: bool,
    pub(super) video_url: Option<String>,
    pub(super) file: Option<String>,
    pub(super) passing_score: Option<u32>,
    pub(super) max_attempts: Option<u32>,
    pub(super) questions: Vec<StructureQuestion>,
}

#[derive(Object)]
pub(super) struct StructureModule {
    pub(super) key: String,
    pub(super) title: String,
    pub(super) summary: String,
    pub(super) translated: bool,
    pub(super) lessons: Vec<StructureLesson>,
}

#[derive(Object)]
pub(super) struct CourseStructure {
    pub(super) slug: String,
    /// Send it back with every change.
    pub(super) revision: i64,
    pub(super) default_locale: String,
    /// The locale of the words below.
    pub(super) locale: String,
    /// Locales that have the course's words.
    pub(super) locales: Vec<String>,
    pub(super) level: String,
    pub(super) duration_minutes: u32,
    /// `sdg:11`, `sendai:2`, `tag:climate`.
    pub(super) themes: Vec<String>,
    pub(super) title: String,
    pub(super) summary: String,
    pub(super) description: String,
    pub(super) objectives: Vec<String>,
    /// Files in this locale's `resources/` folder, for resource lessons.
    pub(super) resources: Vec<String>,
    pub(super) modules: Vec<StructureModule>,
}

#[derive(Object)]
pub(super) struct DetailsBody {
    pub(super) revision: i64,
    /// `beginner`, `intermediate` or `advanced`.
    #[oai(validator(pattern = "^(beginner|intermediate|advanced)$"))]
    pub(super) level: String,
    #[oai(validator(minimum(value = "1"), maximum(value = "10000")))]
    pub(super) duration_minutes: u32,
    /// `sdg:11`, `sendai:2`, `tag:climate`.
    #[oai(validator(
        max_items = 40,
        max_length = 84,
        pattern = "^(sdg:([1-9]|1[0-7])|sendai:[1-4]|tag:[a-z0-9]+(-[a-z0-9]+)*)$"
    ))]
    pub(super) themes: Vec<String>,
}

#[derive(Object)]
pub(super) struct CourseTextBody {
    pub(super) revision: i64,
    #[oai(validator(max_length = 200))]
    pub(super) title: String,
    #[oai(validator(max_length = 300))]
    pub(super) summary: String,
    #[oai(validator(max_length = 200000))]
    pub(super) description: String,
    #[oai(validator(max_items = 30))]
    pub(super) objectives: Vec<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub(super) struct OptionBody {
    /// Leave out for a new option.
    pub(super) key: Option<String>,
    #[oai(validator(max_length = 500))]
    pub(super) text: String,
    #[oai(default, validator(max_length = 2000))]
    pub(super) explanation: String,
    #[oai(default)]
    pub(super) correct: bool,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub(super) struct QuestionBody {
    /// Leave out for a new question.
    pub(super) key: Option<String>,
    /// `single`, `multiple` or `true_false` (two options: true, then false).
    #[oai(validator(pattern = "^(single|multiple|true_false)$"))]
    pub(super) kind: String,
    #[oai(validator(max_length = 1000))]
    pub(super) prompt: String,
    #[oai(validator(max_items = 12))]
    pub(super) options: Vec<OptionBody>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub(super) struct NewLessonBody {
    /// Leave out to make it from the title.
    #[oai(default)]
    pub(super) key: String,
    /// `text`, `video`, `resource` or `quiz`.
    #[oai(validator(pattern = "^(text|video|resource|quiz)$"))]
    pub(super) kind: String,
    #[oai(validator(max_length = 200))]
    pub(super) title: String,
    #[oai(validator(maximum(value = "10000")))]
    pub(super) duration_minutes: u32,
    /// For a resource lesson: a file already in the default locale's resources.
    pub(super) file: Option<String>,
    /// Required for a quiz.
    pub(super) first_question: Option<QuestionBody>,
}

#[derive(Object)]
pub(super) struct AddLessonBody {
    pub(super) revision: i64,
    #[oai(flatten)]
    pub(super) lesson: NewLessonBody,
}

#[derive(Object)]
pub(super) struct AddModuleBody {
    pub(super) revision: i64,
    /// Leave out to make it from the title.
    #[oai(default)]
    pub(super) key: String,
    #[oai(validator(max_length = 200))]
    pub(super) title: String,
    #[oai(default, validator(max_length = 300))]
    pub(super) summary: String,
    /// A module starts with one lesson.
    pub(super) lesson: NewLessonBody,
}

#[derive(Object)]
pub(super) struct ModuleTextBody {
    pub(super) revision: i64,
    #[oai(validator(max_length = 200))]
    pub(super) title: String,
    #[oai(default, validator(max_length = 300))]
    pub(super) summary: String,
}

#[derive(Object)]
pub(super) struct OutlineModule {
    pub(super) key: String,
    pub(super) lessons: Vec<String>,
}

#[derive(Object)]
pub(super) struct OutlineBody {
    pub(super) revision: i64,
    /// Every module and lesson of the course exactly once, in the new order.
    #[oai(validator(max_items = 500))]
    pub(super) modules: Vec<OutlineModule>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub(super) struct LessonBody {
    pub(super) revision: i64,
    /// The locale of `title` and `body`.
    #[oai(validator(pattern = "^(en|fr|es)$"))]
    pub(super) locale: String,
    #[oai(validator(max_length = 200))]
    pub(super) title: String,
    #[oai(default, validator(max_length = 200000))]
    pub(super) body: String,
    #[oai(validator(maximum(value = "10000")))]
    pub(super) duration_minutes: u32,
    /// Video lessons: an https address.
    pub(super) video_url: Option<String>,
    /// Resource lessons: a file in the resources folder.
    pub(super) file: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub(super) struct QuizBody {
    pub(super) revision: i64,
    /// The locale of the words. Questions, options and answers change only
    /// in the default locale.
    #[oai(validator(pattern = "^(en|fr|es)$"))]
    pub(super) locale: String,
    #[oai(validator(max_length = 200))]
    pub(super) title: String,
    #[oai(default, validator(max_length = 200000))]
    pub(super) intro: String,
    #[oai(validator(maximum(value = "10000")))]
    pub(super) duration_minutes: u32,
    pub(super) passing_score: u32,
    pub(super) max_attempts: Option<u32>,
    #[oai(validator(max_items = 100))]
    pub(super) questions: Vec<QuestionBody>,
}

pub(super) fn parse<T: std::str::FromStr<Err = String>>(
    field: &str,
    value: &str,
) -> Result<T, ApiError> {
    value
        .parse()
        .map_err(|e: String| ApiError::from(Error::invalid(field, e)))
}

pub(super) fn question(q: QuestionBody, field: &str) -> Result<QuestionEdit, ApiError> {
    Ok(QuestionEdit {
        key: q.key,
        kind: parse::<QuestionKind>(field, &q.kind)?,
        prompt: q.prompt,
        options: q
            .options
            .into_iter()
            .map(|o| OptionEdit {
                key: o.key,
                text: o.text,
                explanation: o.explanation,
                correct: o.correct,
            })
            .collect(),
    })
}

pub(super) fn new_lesson(l: NewLessonBody) -> Result<NewLesson, ApiError> {
    Ok(NewLesson {
        key: l.key,
        kind: parse::<LessonKind>("lesson_kind", &l.kind)?,
        title: l.title,
        duration_minutes: l.duration_minutes,
        file: l.file,
        first_question: l
            .first_question
            .map(|q| question(q, "question"))
            .transpose()?,
    })
}

/// The draft in one locale, for editors.
pub(super) fn structure_of(
    source: &CourseSource,
    revision: i64,
    locale: Locale,
) -> CourseStructure {
    let text = source.texts.get(&locale);
    let lesson_text = |key: &str| text.and_then(|t| t.lessons.get(key));
    CourseStructure {
        slug: source.slug.to_string(),
        revision,
        default_locale: source.default_locale.to_string(),
        locale: locale.to_string(),
        locales: source.texts.keys().map(|l| l.to_string()).collect(),
        level: source.level.to_string(),
        duration_minutes: source.duration_minutes,
        themes: source.themes.iter().cloned().collect(),
        title: text.map(|t| t.title.clone()).unwrap_or_default(),
        summary: text.map(|t| t.summary.clone()).unwrap_or_default(),
        description: text.map(|t| t.description.clone()).unwrap_or_default(),
        objectives: text.map(|t| t.objectives.clone()).unwrap_or_default(),
        resources: text
            .map(|t| t.resources.keys().cloned().collect())
            .unwrap_or_default(),
        modules: source
            .modules
            .iter()
            .map(|m| {
                let mt = text.and_then(|t| t.modules.get(m.key.as_str()));
                StructureModule {
                    key: m.key.to_string(),
                    title: mt.map(|t| t.title.clone()).unwrap_or_default(),
                    summary: mt.map(|t| t.summary.clone()).unwrap_or_default(),
                    translated: mt.is_some(),
                    lessons: m
                        .lessons
                        .iter()
                        .map(|l| {
                            let lt = lesson_text(l.key.as_str());
                            StructureLesson {
                                key: l.key.to_string(),
                                kind: l.kind.to_string(),
                                duration_minutes: l.duration_minutes,
                                title: lt.map(|t| t.title.clone()).unwrap_or_default(),
                                body: lt.map(|t| t.body.clone()).unwrap_or_default(),
                                translated: lt.is_some(),
                                video_url: l.video_url.clone(),
                                file: l.file.clone(),
                                passing_score: l.passing_score,
                                max_attempts: l.max_attempts,
                                questions: l
                                    .questions
                                    .iter()
                                    .map(|q| {
                                        let qt = text.and_then(|t| {
                                            t.questions.get(&(l.key.to_string(), q.key.to_string()))
                                        });
                                        StructureQuestion {
                                            key: q.key.to_string(),
                                            kind: q.kind.to_string(),
                                            prompt: qt
                                                .map(|t| t.prompt.clone())
                                                .unwrap_or_default(),
                                            translated: qt.is_some_and(|t| {
                                                q.options.iter().all(|o| t.options.contains_key(o))
                                            }),
                                            options: q
                                                .options
                                                .iter()
                                                .map(|o| {
                                                    let ot = qt.and_then(|t| t.options.get(o));
                                                    StructureOption {
                                                        key: o.clone(),
                                                        text: ot
                                                            .map(|t| t.text.clone())
                                                            .unwrap_or_default(),
                                                        explanation: ot
                                                            .map(|t| t.explanation.clone())
                                                            .unwrap_or_default(),
                                                        correct: q.correct.contains(o),
                                                    }
                                                })
                                                .collect(),
                                        }
                                    })
                                    .collect(),
                            }
                        })
                        .collect(),
                }
            })
            .collect(),
    }
}

pub(super) async fn apply(
    state: &AppState,
    auth: &Auth,
    slug: &str,
    revision: i64,
    edit: Edit,
) -> Result<Json<Draft>, ApiError> {
    let s = service(state);
    s.edit(auth.principal(), slug, revision, edit).await?;
    Ok(Json(draft(s.draft(auth.principal(), slug).await?)))
}
