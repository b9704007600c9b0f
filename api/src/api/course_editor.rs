//! The structured course editor: the draft as modules, lessons and quizzes
//! in one locale, and the edits of the details form, the outline, the lesson
//! editor and the quiz editor. Every change names the draft revision it
//! starts from (an older one is a 409) and answers the draft.

use agora_core::{
    Error,
    course_edit::{Edit, NewLesson, OptionEdit, QuestionEdit},
    course_source::CourseSource,
    domain::{LessonKind, Level, Locale, QuestionKind},
};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi, Tags,
    param::{Path, Query},
    payload::Json,
};

use super::{
    auth::Auth,
    authoring::{Draft, draft, service},
    error::ApiError,
};
use crate::state::AppState;

#[derive(Tags)]
enum ApiTags {
    /// Writing, translating and publishing courses.
    Authoring,
}

pub struct CourseEditorApi;

#[derive(Object)]
struct StructureOption {
    key: String,
    text: String,
    explanation: String,
    correct: bool,
}

#[derive(Object)]
struct StructureQuestion {
    key: String,
    /// `single`, `multiple` or `true_false`.
    kind: String,
    prompt: String,
    options: Vec<StructureOption>,
    /// This locale has the words of the question and all its options.
    translated: bool,
}

#[derive(Object)]
struct StructureLesson {
    key: String,
    /// `text`, `video`, `resource` or `quiz`.
    kind: String,
    duration_minutes: u32,
    /// Empty when this locale has no text yet (learners see the default locale's).
    title: String,
    /// Markdown; for a quiz, its introduction.
    body: String,
    translated: bool,
    video_url: Option<String>,
    file: Option<String>,
    passing_score: Option<u32>,
    max_attempts: Option<u32>,
    questions: Vec<StructureQuestion>,
}

#[derive(Object)]
struct StructureModule {
    key: String,
    title: String,
    summary: String,
    translated: bool,
    lessons: Vec<StructureLesson>,
}

#[derive(Object)]
struct CourseStructure {
    slug: String,
    /// Send it back with every change.
    revision: i64,
    default_locale: String,
    /// The locale of the words below.
    locale: String,
    /// Locales that have the course's words.
    locales: Vec<String>,
    level: String,
    duration_minutes: u32,
    /// `sdg:11`, `sendai:2`, `tag:climate`.
    themes: Vec<String>,
    title: String,
    summary: String,
    description: String,
    objectives: Vec<String>,
    /// Files in this locale's `resources/` folder, for resource lessons.
    resources: Vec<String>,
    modules: Vec<StructureModule>,
}

#[derive(Object)]
struct DetailsBody {
    revision: i64,
    /// `beginner`, `intermediate` or `advanced`.
    level: String,
    duration_minutes: u32,
    #[oai(validator(max_items = 40))]
    themes: Vec<String>,
}

#[derive(Object)]
struct CourseTextBody {
    revision: i64,
    #[oai(validator(max_length = 200))]
    title: String,
    #[oai(validator(max_length = 300))]
    summary: String,
    #[oai(validator(max_length = 200000))]
    description: String,
    #[oai(validator(max_items = 30))]
    objectives: Vec<String>,
}

#[derive(Object)]
struct OptionBody {
    /// Leave out for a new option.
    key: Option<String>,
    #[oai(validator(max_length = 500))]
    text: String,
    #[oai(default, validator(max_length = 2000))]
    explanation: String,
    #[oai(default)]
    correct: bool,
}

#[derive(Object)]
struct QuestionBody {
    /// Leave out for a new question.
    key: Option<String>,
    /// `single`, `multiple` or `true_false` (two options: true, then false).
    kind: String,
    #[oai(validator(max_length = 1000))]
    prompt: String,
    #[oai(validator(max_items = 12))]
    options: Vec<OptionBody>,
}

#[derive(Object)]
struct NewLessonBody {
    /// Leave out to make it from the title.
    #[oai(default)]
    key: String,
    /// `text`, `video`, `resource` or `quiz`.
    kind: String,
    #[oai(validator(max_length = 200))]
    title: String,
    duration_minutes: u32,
    /// For a resource lesson: a file already in the default locale's resources.
    file: Option<String>,
    /// Required for a quiz.
    first_question: Option<QuestionBody>,
}

#[derive(Object)]
struct AddLessonBody {
    revision: i64,
    #[oai(flatten)]
    lesson: NewLessonBody,
}

#[derive(Object)]
struct AddModuleBody {
    revision: i64,
    /// Leave out to make it from the title.
    #[oai(default)]
    key: String,
    #[oai(validator(max_length = 200))]
    title: String,
    #[oai(default, validator(max_length = 300))]
    summary: String,
    /// A module starts with one lesson.
    lesson: NewLessonBody,
}

#[derive(Object)]
struct ModuleTextBody {
    revision: i64,
    #[oai(validator(max_length = 200))]
    title: String,
    #[oai(default, validator(max_length = 300))]
    summary: String,
}

#[derive(Object)]
struct OutlineModule {
    key: String,
    lessons: Vec<String>,
}

#[derive(Object)]
struct OutlineBody {
    revision: i64,
    /// Every module and lesson of the course exactly once, in the new order.
    #[oai(validator(max_items = 500))]
    modules: Vec<OutlineModule>,
}

#[derive(Object)]
struct LessonBody {
    revision: i64,
    /// The locale of `title` and `body`.
    locale: String,
    #[oai(validator(max_length = 200))]
    title: String,
    #[oai(default, validator(max_length = 200000))]
    body: String,
    duration_minutes: u32,
    /// Video lessons: an https address.
    video_url: Option<String>,
    /// Resource lessons: a file in the resources folder.
    file: Option<String>,
}

#[derive(Object)]
struct QuizBody {
    revision: i64,
    /// The locale of the words. Questions, options and answers change only
    /// in the default locale.
    locale: String,
    #[oai(validator(max_length = 200))]
    title: String,
    #[oai(default, validator(max_length = 200000))]
    intro: String,
    duration_minutes: u32,
    passing_score: u32,
    max_attempts: Option<u32>,
    #[oai(validator(max_items = 100))]
    questions: Vec<QuestionBody>,
}

fn parse<T: std::str::FromStr<Err = String>>(field: &str, value: &str) -> Result<T, ApiError> {
    value
        .parse()
        .map_err(|e: String| ApiError::from(Error::invalid(field, e)))
}

fn question(q: QuestionBody, field: &str) -> Result<QuestionEdit, ApiError> {
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

fn new_lesson(l: NewLessonBody) -> Result<NewLesson, ApiError> {
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
fn structure_of(source: &CourseSource, revision: i64, locale: Locale) -> CourseStructure {
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

async fn apply(
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

#[OpenApi(tag = "ApiTags::Authoring")]
impl CourseEditorApi {
    /// The draft as modules, lessons and quizzes, with its words in one
    /// locale (default: the course's own)
    #[oai(
        path = "/authoring/courses/:slug/structure",
        method = "get",
        operation_id = "get_course_structure"
    )]
    async fn structure(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        locale: Query<Option<String>>,
    ) -> Result<Json<CourseStructure>, ApiError> {
        let (source, revision) = service(&state).structure(auth.principal(), &slug).await?;
        let locale = match locale.0.as_deref() {
            Some(l) => parse::<Locale>("locale", l)?,
            None => source.default_locale,
        };
        Ok(Json(structure_of(&source, revision, locale)))
    }

    /// Level, duration and themes
    #[oai(
        path = "/authoring/courses/:slug/details",
        method = "put",
        operation_id = "edit_course_details"
    )]
    async fn details(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        body: Json<DetailsBody>,
    ) -> Result<Json<Draft>, ApiError> {
        let body = body.0;
        let edit = Edit::Details {
            level: parse::<Level>("level", &body.level)?,
            duration_minutes: body.duration_minutes,
            themes: body.themes,
        };
        apply(&state, &auth, &slug, body.revision, edit).await
    }

    /// The course's title, summary, description and objectives in one
    /// locale; a locale the course does not have yet starts its translation
    #[oai(
        path = "/authoring/courses/:slug/texts/:locale",
        method = "put",
        operation_id = "edit_course_text"
    )]
    async fn course_text(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        locale: Path<String>,
        body: Json<CourseTextBody>,
    ) -> Result<Json<Draft>, ApiError> {
        let body = body.0;
        let edit = Edit::CourseText {
            locale: parse("locale", &locale)?,
            title: body.title,
            summary: body.summary,
            description: body.description,
            objectives: body.objectives,
        };
        apply(&state, &auth, &slug, body.revision, edit).await
    }

    /// Add a module at the end, with its first lesson
    #[oai(
        path = "/authoring/courses/:slug/modules",
        method = "post",
        operation_id = "add_module"
    )]
    async fn add_module(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        body: Json<AddModuleBody>,
    ) -> Result<Json<Draft>, ApiError> {
        let body = body.0;
        let edit = Edit::AddModule {
            key: body.key,
            title: body.title,
            summary: body.summary,
            lesson: new_lesson(body.lesson)?,
        };
        apply(&state, &auth, &slug, body.revision, edit).await
    }

    /// A module's title and summary in one locale
    #[oai(
        path = "/authoring/courses/:slug/modules/:module/texts/:locale",
        method = "put",
        operation_id = "edit_module_text"
    )]
    async fn module_text(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        module: Path<String>,
        locale: Path<String>,
        body: Json<ModuleTextBody>,
    ) -> Result<Json<Draft>, ApiError> {
        let body = body.0;
        let edit = Edit::ModuleText {
            module: module.0,
            locale: parse("locale", &locale)?,
            title: body.title,
            summary: body.summary,
        };
        apply(&state, &auth, &slug, body.revision, edit).await
    }

    /// Remove a module and its lessons (learners' progress on them stops counting once published)
    #[oai(
        path = "/authoring/courses/:slug/modules/:module",
        method = "delete",
        operation_id = "remove_module"
    )]
    async fn remove_module(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        module: Path<String>,
        revision: Query<i64>,
    ) -> Result<Json<Draft>, ApiError> {
        let edit = Edit::RemoveModule { module: module.0 };
        apply(&state, &auth, &slug, revision.0, edit).await
    }

    /// Reorder modules and lessons (lessons may change module)
    #[oai(
        path = "/authoring/courses/:slug/outline",
        method = "put",
        operation_id = "reorder_outline"
    )]
    async fn outline(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        body: Json<OutlineBody>,
    ) -> Result<Json<Draft>, ApiError> {
        let body = body.0;
        let edit = Edit::Outline(
            body.modules
                .into_iter()
                .map(|m| (m.key, m.lessons))
                .collect(),
        );
        apply(&state, &auth, &slug, body.revision, edit).await
    }

    /// Add a lesson at the end of a module, titled in the default locale
    #[oai(
        path = "/authoring/courses/:slug/modules/:module/lessons",
        method = "post",
        operation_id = "add_lesson"
    )]
    async fn add_lesson(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        module: Path<String>,
        body: Json<AddLessonBody>,
    ) -> Result<Json<Draft>, ApiError> {
        let body = body.0;
        let edit = Edit::AddLesson {
            module: module.0,
            lesson: new_lesson(body.lesson)?,
        };
        apply(&state, &auth, &slug, body.revision, edit).await
    }

    /// A text, video or resource lesson: its words in one locale and its settings
    #[oai(
        path = "/authoring/courses/:slug/lessons/:lesson",
        method = "put",
        operation_id = "edit_lesson"
    )]
    async fn lesson(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        lesson: Path<String>,
        body: Json<LessonBody>,
    ) -> Result<Json<Draft>, ApiError> {
        let body = body.0;
        let edit = Edit::Lesson {
            lesson: lesson.0,
            locale: parse("locale", &body.locale)?,
            title: body.title,
            body: body.body,
            duration_minutes: body.duration_minutes,
            video_url: body.video_url,
            file: body.file,
        };
        apply(&state, &auth, &slug, body.revision, edit).await
    }

    /// Remove a lesson, with its words in every locale
    #[oai(
        path = "/authoring/courses/:slug/lessons/:lesson",
        method = "delete",
        operation_id = "remove_lesson"
    )]
    async fn remove_lesson(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        lesson: Path<String>,
        revision: Query<i64>,
    ) -> Result<Json<Draft>, ApiError> {
        let edit = Edit::RemoveLesson { lesson: lesson.0 };
        apply(&state, &auth, &slug, revision.0, edit).await
    }

    /// A quiz: settings, questions, options, answers and explanations.
    /// Existing questions and options keep their keys; new ones get free keys
    #[oai(
        path = "/authoring/courses/:slug/quizzes/:lesson",
        method = "put",
        operation_id = "edit_quiz"
    )]
    async fn quiz(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        lesson: Path<String>,
        body: Json<QuizBody>,
    ) -> Result<Json<Draft>, ApiError> {
        let body = body.0;
        let questions = body
            .questions
            .into_iter()
            .enumerate()
            .map(|(i, q)| question(q, &format!("questions[{i}].kind")))
            .collect::<Result<Vec<_>, _>>()?;
        let edit = Edit::Quiz {
            lesson: lesson.0,
            locale: parse("locale", &body.locale)?,
            title: body.title,
            intro: body.intro,
            duration_minutes: body.duration_minutes,
            passing_score: body.passing_score,
            max_attempts: body.max_attempts,
            questions,
        };
        apply(&state, &auth, &slug, body.revision, edit).await
    }
}
