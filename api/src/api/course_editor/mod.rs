//! The structured course editor: the draft as modules, lessons and quizzes
//! in one locale, and the edits of the details form, the outline, the lesson
//! editor and the quiz editor. Every change names the draft revision it
//! starts from (an older one is a 409) and answers the draft.

mod shapes;

use self::shapes::*;
use agora_core::{
    course_edit::Edit,
    domain::{Level, Locale},
};
use poem::web::Data;
use poem_openapi::{
    OpenApi, Tags,
    param::{Path, Query},
    payload::Json,
};

use super::{
    auth::Auth,
    authoring::{Draft, service},
    error::ApiError,
};
use crate::state::AppState;

#[derive(Tags)]
enum ApiTags {
    /// Writing, translating and publishing courses.
    Authoring,
}

pub struct CourseEditorApi;

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
        #[oai(validator(pattern = "^(en|fr|es)$"))] locale: Query<Option<String>>,
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
        #[oai(validator(pattern = "^(en|fr|es)$"))] locale: Path<String>,
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
        #[oai(validator(pattern = "^(en|fr|es)$"))] locale: Path<String>,
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
