//! The structured course editor in the browser: course details and words
//! per language, the outline (add, move and remove modules and lessons), the
//! module, lesson and quiz editors. Plain forms: every change is a POST, then
//! a redirect; a refused change shows the form again with the message next
//! to the field. The same core edits serve the JSON API.

use agora_core::{
    Error,
    accounts::Principal,
    authoring,
    course_edit::{Edit, NewLesson, OptionEdit, QuestionEdit},
    course_source::CourseSource,
    domain::{LessonKind, Level, Locale, QuestionKind, Theme},
};
use poem::{Body, Response, handler, http::StatusCode, web::Path};
use serde::Serialize;

use super::{
    Ctx, FieldErrors, Flash, FormData,
    authoring::{author, author_of, field_error, form_revision, service},
};
use crate::http::locale::locale_name;

/// The most questions a quiz form is read for.
const MAX_FORM_QUESTIONS: usize = 100;

/// The locale being edited: `?locale=`, else the course's own.
fn edit_locale(value: Option<&str>, source: &CourseSource) -> Locale {
    value
        .and_then(|l| l.parse().ok())
        .unwrap_or(source.default_locale)
}

fn text_of(form: &FormData, name: &str) -> String {
    // Browsers send CRLF line ends from text areas; files keep LF.
    form.get(name).unwrap_or_default().replace("\r\n", "\n")
}

fn number(form: &FormData, name: &str) -> Result<u32, Error> {
    let raw = form.get(name).unwrap_or_default().trim();
    raw.parse()
        .map_err(|_| Error::invalid(name, "a whole number"))
}

fn optional_number(form: &FormData, name: &str) -> Result<Option<u32>, Error> {
    let raw = form.get(name).unwrap_or_default().trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse()
        .map(Some)
        .map_err(|_| Error::invalid(name, "a whole number, or empty"))
}

#[derive(Serialize)]
struct LocaleTab {
    value: &'static str,
    label: &'static str,
    current: bool,
    exists: bool,
    is_default: bool,
}

fn tabs(source: &CourseSource, locale: Locale) -> Vec<LocaleTab> {
    Locale::ALL
        .iter()
        .map(|l| LocaleTab {
            value: l.as_str(),
            label: locale_name(*l),
            current: *l == locale,
            exists: source.texts.contains_key(l),
            is_default: *l == source.default_locale,
        })
        .collect()
}

#[derive(Serialize, Clone)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Serialize)]
struct LessonRow {
    key: String,
    kind: String,
    title: String,
    translated: bool,
    minutes: u32,
    first: bool,
    last: bool,
}

#[derive(Serialize, Default, Clone)]
struct NewLessonForm {
    key: String,
    kind: String,
    title: String,
    duration_minutes: String,
    file: String,
    question: String,
    answer: String,
}

#[derive(Serialize)]
struct ModuleRow {
    key: String,
    title: String,
    translated: bool,
    first: bool,
    last: bool,
    lessons: Vec<LessonRow>,
    form: NewLessonForm,
    errors: FieldErrors,
}

#[derive(Serialize, Default)]
struct DetailsForm {
    level: String,
    duration_minutes: String,
    tags: String,
}

#[derive(Serialize, Default)]
struct TextForm {
    title: String,
    summary: String,
    description: String,
    objectives: String,
}

#[derive(Serialize, Default)]
struct NewModuleForm {
    key: String,
    title: String,
    summary: String,
    lesson: NewLessonForm,
}

#[derive(Serialize)]
struct CourseEditorPage {
    slug: String,
    course_title: String,
    revision: i64,
    locale: &'static str,
    locale_name: &'static str,
    is_default: bool,
    default_name: &'static str,
    tabs: Vec<LocaleTab>,
    levels: Vec<Choice>,
    sdgs: Vec<Choice>,
    sendai: Vec<Choice>,
    kinds: Vec<Choice>,
    resources: Vec<String>,
    details: DetailsForm,
    details_errors: FieldErrors,
    text: TextForm,
    text_errors: FieldErrors,
    modules: Vec<ModuleRow>,
    new_module: NewModuleForm,
    module_errors: FieldErrors,
    outline_error: Option<String>,
    conflict: Option<String>,
}

/// Which form of the page a refused change came from, with what was typed.
enum Failed {
    Details(DetailsForm),
    Text(TextForm),
    AddModule(NewModuleForm),
    AddLesson(String, NewLessonForm),
    Outline,
}

fn kinds(ctx: &Ctx, selected: &str) -> Vec<Choice> {
    LessonKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.as_str().into(),
            label: ctx.t(&format!("kind-{k}")),
            selected: k.as_str() == selected,
        })
        .collect()
}

fn resources_of(source: &CourseSource) -> Vec<String> {
    let mut names: Vec<String> = source
        .texts
        .values()
        .flat_map(|t| t.resources.keys().cloned())
        .collect();
    names.sort();
    names.dedup();
    names
}

fn course_page(
    ctx: &Ctx,
    source: &CourseSource,
    revision: i64,
    locale: Locale,
    failed: Option<(Failed, FieldErrors)>,
    conflict: Option<String>,
) -> CourseEditorPage {
    let text = source.texts.get(&locale);
    let default_text = source.texts.get(&source.default_locale);
    let title_in = |key: &str| -> (String, bool) {
        match text.and_then(|t| t.modules.get(key)) {
            Some(m) => (m.title.clone(), true),
            None => (
                default_text
                    .and_then(|t| t.modules.get(key))
                    .map(|m| m.title.clone())
                    .unwrap_or_else(|| key.to_owned()),
                false,
            ),
        }
    };
    let lesson_title = |key: &str| -> (String, bool) {
        match text.and_then(|t| t.lessons.get(key)) {
            Some(l) => (l.title.clone(), true),
            None => (
                default_text
                    .and_then(|t| t.lessons.get(key))
                    .map(|l| l.title.clone())
                    .unwrap_or_else(|| key.to_owned()),
                false,
            ),
        }
    };
    let mut details = DetailsForm {
        level: source.level.to_string(),
        duration_minutes: source.duration_minutes.to_string(),
        tags: source
            .themes
            .iter()
            .filter_map(|t| t.strip_prefix("tag:"))
            .collect::<Vec<_>>()
            .join(", "),
    };
    let mut text_form = TextForm {
        title: text.map(|t| t.title.clone()).unwrap_or_default(),
        summary: text.map(|t| t.summary.clone()).unwrap_or_default(),
        description: text.map(|t| t.description.clone()).unwrap_or_default(),
        objectives: text.map(|t| t.objectives.join("\n")).unwrap_or_default(),
    };
    let mut details_errors = FieldErrors::default();
    let mut text_errors = FieldErrors::default();
    let mut module_errors = FieldErrors::default();
    let mut new_module = NewModuleForm {
        lesson: NewLessonForm::blank(),
        ..Default::default()
    };
    let mut lesson_failed: Option<(String, NewLessonForm, FieldErrors)> = None;
    let mut outline_error = None;
    match failed {
        Some((Failed::Details(f), e)) => {
            details = f;
            details_errors = e;
        }
        Some((Failed::Text(f), e)) => {
            text_form = f;
            text_errors = e;
        }
        Some((Failed::AddModule(f), e)) => {
            new_module = f;
            module_errors = e;
        }
        Some((Failed::AddLesson(m, f), e)) => lesson_failed = Some((m, f, e)),
        Some((Failed::Outline, e)) => outline_error = e.0.values().next().cloned(),
        None => {}
    }
    let sdgs = (1..=17u8)
        .map(|n| Choice {
            value: format!("sdg:{n}"),
            label: ctx.t(&format!("sdg-{n}")),
            selected: source.themes.contains(&Theme::Sdg(n).to_string()),
        })
        .collect();
    let sendai = (1..=4u8)
        .map(|n| Choice {
            value: format!("sendai:{n}"),
            label: ctx.t(&format!("sendai-{n}")),
            selected: source.themes.contains(&Theme::Sendai(n).to_string()),
        })
        .collect();
    let levels = Level::ALL
        .iter()
        .map(|l| Choice {
            value: l.as_str().into(),
            label: ctx.t(&format!("level-{l}")),
            selected: l.as_str() == details.level,
        })
        .collect();
    let n_modules = source.modules.len();
    let n_lessons = source.lessons().count();
    let mut position = 0;
    let modules = source
        .modules
        .iter()
        .enumerate()
        .map(|(mi, m)| {
            let (title, translated) = title_in(m.key.as_str());
            let (form, errors) = match &lesson_failed {
                Some((key, f, e)) if key == m.key.as_str() => (f.clone(), e.clone()),
                _ => (NewLessonForm::blank(), FieldErrors::default()),
            };
            ModuleRow {
                key: m.key.to_string(),
                title,
                translated,
                first: mi == 0,
                last: mi + 1 == n_modules,
                lessons: m
                    .lessons
                    .iter()
                    .map(|l| {
                        position += 1;
                        let (title, translated) = lesson_title(l.key.as_str());
                        LessonRow {
                            key: l.key.to_string(),
                            kind: ctx.t(&format!("kind-{}", l.kind)),
                            title,
                            translated,
                            minutes: l.duration_minutes,
                            first: position == 1,
                            last: position == n_lessons,
                        }
                    })
                    .collect(),
                form,
                errors,
            }
        })
        .collect();
    CourseEditorPage {
        slug: source.slug.to_string(),
        course_title: default_text
            .map(|t| t.title.clone())
            .unwrap_or_else(|| source.slug.to_string()),
        revision,
        locale: locale.as_str(),
        locale_name: locale_name(locale),
        is_default: locale == source.default_locale,
        default_name: locale_name(source.default_locale),
        tabs: tabs(source, locale),
        levels,
        sdgs,
        sendai,
        kinds: kinds(ctx, &new_module.lesson.kind),
        resources: resources_of(source),
        details,
        details_errors,
        text: text_form,
        text_errors,
        modules,
        new_module,
        module_errors,
        outline_error,
        conflict,
    }
}

impl NewLessonForm {
    /// The empty form every module shows.
    fn blank() -> NewLessonForm {
        NewLessonForm {
            kind: "text".into(),
            duration_minutes: "10".into(),
            answer: "true".into(),
            ..Default::default()
        }
    }

    fn read(form: &FormData) -> NewLessonForm {
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

    fn to_edit(&self, ctx: &Ctx) -> Result<NewLesson, Error> {
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

fn render_course(ctx: &Ctx, status: StatusCode, page: &CourseEditorPage) -> Response {
    let title = format!("{} · {}", ctx.t("editor-title"), page.course_title);
    ctx.page(status, "author_editor", &title, page)
}

/// A refused edit: the field it names, or the whole form.
fn errors_of(e: &Error, fields: &[&str]) -> FieldErrors {
    let mut errors = FieldErrors::default();
    field_error(&mut errors, e, fields);
    errors
}

const LESSON_FIELDS: &[&str] = &[
    "lesson_key",
    "lesson_kind",
    "lesson_title",
    "lesson_duration_minutes",
    "lesson_file",
    "question",
];

/// GET `/author/{slug}/course?locale=…`
#[handler]
pub async fn edit_course(ctx: Ctx, Path(slug): Path<String>, req: &poem::Request) -> Response {
    let (_, source, revision) = match open(&ctx, &slug).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let locale = edit_locale(
        crate::http::locale::query_param(req, "locale").as_deref(),
        &source,
    );
    let page = course_page(&ctx, &source, revision, locale, None, None);
    render_course(&ctx, StatusCode::OK, &page)
}

/// The signed-in author and the draft as a course, or the page that says
/// why not.
async fn open(ctx: &Ctx, slug: &str) -> Result<(Principal, CourseSource, i64), Response> {
    let who = author(ctx)?;
    let (source, revision) = reload(ctx, &who, slug).await?;
    Ok((who, source, revision))
}

/// A form posted to the editor, once its author and CSRF token check out,
/// with the draft it changes.
async fn open_form(
    ctx: &Ctx,
    slug: &str,
    body: Body,
) -> Result<(FormData, Principal, CourseSource, i64), Response> {
    let form = FormData::read(body).await;
    let who = author_of(ctx, &form)?;
    let (source, revision) = reload(ctx, &who, slug).await?;
    Ok((form, who, source, revision))
}

/// The draft as it is now (again, after a refused change).
async fn reload(ctx: &Ctx, who: &Principal, slug: &str) -> Result<(CourseSource, i64), Response> {
    service(ctx)
        .structure(who, slug)
        .await
        .map_err(|e| editor_unavailable(ctx, e, slug))
}

/// A draft whose files do not read opens in the file view instead.
fn editor_unavailable(ctx: &Ctx, e: Error, slug: &str) -> Response {
    match e {
        e @ Error::Conflict { .. } => {
            super::authoring::problem_page(ctx, e, &format!("/author/{slug}"))
        }
        other => ctx.fail(other),
    }
}

/// POST `/author/{slug}/course?locale=…`: one of the page's forms.
#[handler]
pub async fn save_course(
    ctx: Ctx,
    Path(slug): Path<String>,
    req: &poem::Request,
    body: Body,
) -> Response {
    let (form, who, source, _) = match open_form(&ctx, &slug, body).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let s = service(&ctx);
    let locale = edit_locale(
        crate::http::locale::query_param(req, "locale").as_deref(),
        &source,
    );
    let target = |key: &str| form.get(key).unwrap_or_default().to_owned();
    let (edit, failed, anchor): (Result<Edit, Error>, Failed, String) =
        match form.get("action").unwrap_or_default() {
            "details" => {
                let f = DetailsForm {
                    level: target("level"),
                    duration_minutes: target("duration_minutes"),
                    tags: target("tags"),
                };
                let mut themes: Vec<String> = form
                    .all()
                    .iter()
                    .filter(|(k, _)| k == "theme")
                    .map(|(_, v)| v.clone())
                    .collect();
                themes.extend(
                    f.tags
                        .split([',', ' ', ';'])
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(|t| format!("tag:{}", t.to_lowercase())),
                );
                let edit = (|| {
                    Ok(Edit::Details {
                        level: f
                            .level
                            .parse()
                            .map_err(|e: String| Error::invalid("level", e))?,
                        duration_minutes: number(&form, "duration_minutes")?,
                        themes,
                    })
                })();
                (edit, Failed::Details(f), "details".into())
            }
            "text" => {
                let f = TextForm {
                    title: target("title"),
                    summary: text_of(&form, "summary"),
                    description: text_of(&form, "description"),
                    objectives: text_of(&form, "objectives"),
                };
                let edit = Ok(Edit::CourseText {
                    locale,
                    title: f.title.clone(),
                    summary: f.summary.clone(),
                    description: f.description.clone(),
                    objectives: f.objectives.lines().map(str::to_owned).collect(),
                });
                (edit, Failed::Text(f), "words".into())
            }
            "add-module" => {
                let f = NewModuleForm {
                    key: target("key").trim().to_owned(),
                    title: target("title"),
                    summary: text_of(&form, "summary"),
                    lesson: NewLessonForm::read(&form),
                };
                let edit = f.lesson.to_edit(&ctx).map(|lesson| Edit::AddModule {
                    key: f.key.clone(),
                    title: f.title.clone(),
                    summary: f.summary.clone(),
                    lesson,
                });
                (edit, Failed::AddModule(f), "new-module".into())
            }
            "add-lesson" => {
                let module = target("module");
                let f = NewLessonForm::read(&form);
                let edit = f.to_edit(&ctx).map(|lesson| Edit::AddLesson {
                    module: module.clone(),
                    lesson,
                });
                let anchor = format!("module-{module}");
                (edit, Failed::AddLesson(module, f), anchor)
            }
            action @ ("module-up" | "module-down" | "remove-module") => {
                let module = target("module");
                let edit = match action {
                    "remove-module" => Edit::RemoveModule {
                        module: module.clone(),
                    },
                    _ => Edit::MoveModule {
                        module: module.clone(),
                        up: action == "module-up",
                    },
                };
                (Ok(edit), Failed::Outline, format!("module-{module}"))
            }
            action @ ("lesson-up" | "lesson-down" | "remove-lesson") => {
                let lesson = target("lesson");
                let edit = match action {
                    "remove-lesson" => Edit::RemoveLesson {
                        lesson: lesson.clone(),
                    },
                    _ => Edit::MoveLesson {
                        lesson: lesson.clone(),
                        up: action == "lesson-up",
                    },
                };
                (Ok(edit), Failed::Outline, format!("lesson-{lesson}"))
            }
            _ => return ctx.error(StatusCode::BAD_REQUEST),
        };
    let result = match edit {
        Ok(edit) => s.edit(&who, &slug, form_revision(&form), edit).await,
        Err(e) => Err(e),
    };
    let fields: &[&str] = match &failed {
        Failed::Details(_) => &["level", "duration_minutes", "themes"],
        Failed::Text(_) => &["title", "summary", "description", "objectives"],
        Failed::AddModule(_) => &[
            "key",
            "title",
            "summary",
            "lesson_key",
            "lesson_kind",
            "lesson_title",
            "lesson_duration_minutes",
            "lesson_file",
            "question",
        ],
        Failed::AddLesson(..) => LESSON_FIELDS,
        Failed::Outline => &["module", "lesson"],
    };
    match result {
        Ok(()) => ctx.redirect(
            &format!("/author/{slug}/course?locale={locale}#{anchor}"),
            Some(Flash::Ok("flash-author-saved")),
        ),
        Err(e @ Error::Invalid { .. }) => {
            let (source, revision) = match reload(&ctx, &who, &slug).await {
                Ok(d) => d,
                Err(r) => return r,
            };
            let mut errors = errors_of(&e, fields);
            if let Failed::Outline = failed
                && let Some(form_error) = errors.0.remove("form")
            {
                errors.add("outline", form_error);
            }
            let page = course_page(
                &ctx,
                &source,
                revision,
                locale,
                Some((failed, errors)),
                None,
            );
            render_course(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(Error::Conflict { field, reason }) if field == "revision" => {
            let (source, revision) = match reload(&ctx, &who, &slug).await {
                Ok(d) => d,
                Err(r) => return r,
            };
            let _ = reason;
            let page = course_page(
                &ctx,
                &source,
                revision,
                locale,
                Some((failed, FieldErrors::default())),
                Some(ctx.t("editor-conflict")),
            );
            render_course(&ctx, StatusCode::CONFLICT, &page)
        }
        Err(e) => ctx.fail(e),
    }
}

// ---------------------------------------------------------------------------
// The module editor.

#[derive(Serialize)]
struct ModulePage {
    slug: String,
    key: String,
    revision: i64,
    locale: &'static str,
    locale_name: &'static str,
    tabs: Vec<LocaleTab>,
    source_title: String,
    title: String,
    summary: String,
    errors: FieldErrors,
    conflict: Option<String>,
}

/// GET `/author/{slug}/modules/{key}?locale=…`
#[handler]
pub async fn edit_module(
    ctx: Ctx,
    Path((slug, key)): Path<(String, String)>,
    req: &poem::Request,
) -> Response {
    let (_, source, revision) = match open(&ctx, &slug).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    if !source.modules.iter().any(|m| m.key.as_str() == key) {
        return ctx.error(StatusCode::NOT_FOUND);
    }
    let locale = edit_locale(
        crate::http::locale::query_param(req, "locale").as_deref(),
        &source,
    );
    let t = source
        .texts
        .get(&locale)
        .and_then(|t| t.modules.get(&key))
        .cloned()
        .unwrap_or_default();
    module_page(
        &ctx,
        StatusCode::OK,
        &source,
        revision,
        locale,
        key,
        t.title,
        t.summary,
        FieldErrors::default(),
        None,
    )
}

#[allow(clippy::too_many_arguments)]
fn module_page(
    ctx: &Ctx,
    status: StatusCode,
    source: &CourseSource,
    revision: i64,
    locale: Locale,
    key: String,
    title: String,
    summary: String,
    errors: FieldErrors,
    conflict: Option<String>,
) -> Response {
    let source_title = source
        .texts
        .get(&source.default_locale)
        .and_then(|t| t.modules.get(&key))
        .map(|m| m.title.clone())
        .unwrap_or_default();
    let page = ModulePage {
        slug: source.slug.to_string(),
        revision,
        locale: locale.as_str(),
        locale_name: locale_name(locale),
        tabs: tabs(source, locale),
        source_title: source_title.clone(),
        key,
        title,
        summary,
        errors,
        conflict,
    };
    let heading = format!("{} · {}", ctx.t("editor-module"), source_title);
    ctx.page(status, "author_module", &heading, &page)
}

/// POST `/author/{slug}/modules/{key}?locale=…`
#[handler]
pub async fn save_module(
    ctx: Ctx,
    Path((slug, key)): Path<(String, String)>,
    req: &poem::Request,
    body: Body,
) -> Response {
    let (form, who, source, _) = match open_form(&ctx, &slug, body).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let s = service(&ctx);
    let locale = edit_locale(
        crate::http::locale::query_param(req, "locale").as_deref(),
        &source,
    );
    let title = form.get("title").unwrap_or_default().to_owned();
    let summary = text_of(&form, "summary");
    let edit = Edit::ModuleText {
        module: key.clone(),
        locale,
        title: title.clone(),
        summary: summary.clone(),
    };
    match s.edit(&who, &slug, form_revision(&form), edit).await {
        Ok(_) => ctx.redirect(
            &format!("/author/{slug}/course?locale={locale}#module-{key}"),
            Some(Flash::Ok("flash-author-saved")),
        ),
        Err(e @ (Error::Invalid { .. } | Error::Conflict { .. })) => {
            let (source, revision) = match reload(&ctx, &who, &slug).await {
                Ok(d) => d,
                Err(r) => return r,
            };
            let (status, errors, conflict) = match &e {
                Error::Conflict { .. } => (
                    StatusCode::CONFLICT,
                    FieldErrors::default(),
                    Some(ctx.t("editor-conflict")),
                ),
                _ => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    errors_of(&e, &["title", "summary"]),
                    None,
                ),
            };
            module_page(
                &ctx, status, &source, revision, locale, key, title, summary, errors, conflict,
            )
        }
        Err(e) => ctx.fail(e),
    }
}

// ---------------------------------------------------------------------------
// The lesson and quiz editor.

#[derive(Serialize, Clone)]
struct OptionRow {
    index: usize,
    key: String,
    text: String,
    explanation: String,
    correct: bool,
    source_text: String,
}

#[derive(Serialize, Clone)]
struct QuestionRow {
    index: usize,
    number: usize,
    key: String,
    kind: String,
    kinds: Vec<Choice>,
    prompt: String,
    source_prompt: String,
    options: Vec<OptionRow>,
    prompt_error: Option<String>,
    options_error: Option<String>,
    correct_error: Option<String>,
    is_new: bool,
    true_false: bool,
}

#[derive(Serialize, Default)]
struct LessonForm {
    title: String,
    body: String,
    duration_minutes: String,
    video_url: String,
    file: String,
    passing_score: String,
    max_attempts: String,
}

#[derive(Serialize)]
struct LessonPage {
    slug: String,
    key: String,
    kind: String,
    kind_label: String,
    quiz: bool,
    video: bool,
    resource: bool,
    revision: i64,
    locale: &'static str,
    locale_name: &'static str,
    is_default: bool,
    default_name: &'static str,
    tabs: Vec<LocaleTab>,
    source_title: String,
    source_body: String,
    form: LessonForm,
    resources: Vec<Choice>,
    questions: Vec<QuestionRow>,
    errors: FieldErrors,
    conflict: Option<String>,
    preview: Option<String>,
}

fn question_kinds(ctx: &Ctx, selected: QuestionKind) -> Vec<Choice> {
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
fn question_rows(
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
fn read_questions(form: &FormData) -> Vec<QuestionEdit> {
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

/// GET `/author/{slug}/lessons/{key}?locale=…`
#[handler]
pub async fn edit_lesson(
    ctx: Ctx,
    Path((slug, key)): Path<(String, String)>,
    req: &poem::Request,
) -> Response {
    let (_, source, revision) = match open(&ctx, &slug).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let Some(l) = source.lessons().find(|l| l.key.as_str() == key) else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    let locale = edit_locale(
        crate::http::locale::query_param(req, "locale").as_deref(),
        &source,
    );
    let t = source.texts.get(&locale).and_then(|t| t.lessons.get(&key));
    let form = LessonForm {
        title: t.map(|t| t.title.clone()).unwrap_or_default(),
        body: t.map(|t| t.body.clone()).unwrap_or_default(),
        duration_minutes: l.duration_minutes.to_string(),
        video_url: l.video_url.clone().unwrap_or_default(),
        file: l.file.clone().unwrap_or_default(),
        passing_score: l.passing_score.map(|p| p.to_string()).unwrap_or_default(),
        max_attempts: l.max_attempts.map(|p| p.to_string()).unwrap_or_default(),
    };
    lesson_page(
        &ctx,
        StatusCode::OK,
        &source,
        revision,
        locale,
        &key,
        form,
        None,
        FieldErrors::default(),
        None,
        None,
    )
}

#[allow(clippy::too_many_arguments)]
fn lesson_page(
    ctx: &Ctx,
    status: StatusCode,
    source: &CourseSource,
    revision: i64,
    locale: Locale,
    key: &str,
    form: LessonForm,
    edits: Option<&[QuestionEdit]>,
    mut errors: FieldErrors,
    conflict: Option<String>,
    preview: Option<String>,
) -> Response {
    let Some(l) = source.lessons().find(|l| l.key.as_str() == key) else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    let default_text = source
        .texts
        .get(&source.default_locale)
        .and_then(|t| t.lessons.get(key));
    let mut questions = question_rows(ctx, source, key, locale, edits);
    // Question errors go next to their question.
    let names: Vec<String> = errors.0.keys().cloned().collect();
    for name in names {
        let Some(rest) = name.strip_prefix("questions[") else {
            continue;
        };
        let Some((i, field)) = rest.split_once("].") else {
            continue;
        };
        let Ok(i) = i.parse::<usize>() else {
            continue;
        };
        if let Some(row) = questions.get_mut(i) {
            let message = errors.0.remove(&name);
            match field {
                "prompt" => row.prompt_error = message,
                "correct" => row.correct_error = message,
                _ => row.options_error = message,
            }
        }
    }
    let resources = resources_of(source)
        .into_iter()
        .map(|r| Choice {
            selected: r == form.file,
            label: r.clone(),
            value: r,
        })
        .collect();
    let page = LessonPage {
        slug: source.slug.to_string(),
        key: key.to_owned(),
        kind: l.kind.to_string(),
        kind_label: ctx.t(&format!("kind-{}", l.kind)),
        quiz: l.kind == LessonKind::Quiz,
        video: l.kind == LessonKind::Video,
        resource: l.kind == LessonKind::Resource,
        revision,
        locale: locale.as_str(),
        locale_name: locale_name(locale),
        is_default: locale == source.default_locale,
        default_name: locale_name(source.default_locale),
        tabs: tabs(source, locale),
        source_title: default_text.map(|t| t.title.clone()).unwrap_or_default(),
        source_body: default_text.map(|t| t.body.clone()).unwrap_or_default(),
        form,
        resources,
        questions,
        errors: std::mem::take(&mut errors),
        conflict,
        preview,
    };
    let heading = format!(
        "{} · {}",
        ctx.t("editor-lesson"),
        if page.form.title.is_empty() {
            page.source_title.clone()
        } else {
            page.form.title.clone()
        }
    );
    // The preview shows authored Markdown, with its allow-listed players.
    let mut resp = ctx.page(status, "author_lesson", &heading, &page);
    crate::http::security::allow_video_frames(&mut resp);
    resp
}

/// POST `/author/{slug}/lessons/{key}?locale=…`: save or preview.
#[handler]
pub async fn save_lesson(
    ctx: Ctx,
    Path((slug, key)): Path<(String, String)>,
    req: &poem::Request,
    body: Body,
) -> Response {
    let (form, who, source, current) = match open_form(&ctx, &slug, body).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let s = service(&ctx);
    let Some(l) = source.lessons().find(|l| l.key.as_str() == key) else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    let kind = l.kind;
    let locale = edit_locale(
        crate::http::locale::query_param(req, "locale").as_deref(),
        &source,
    );
    let values = LessonForm {
        title: form.get("title").unwrap_or_default().to_owned(),
        body: text_of(&form, "body"),
        duration_minutes: form.get("duration_minutes").unwrap_or_default().to_owned(),
        video_url: form.get("video_url").unwrap_or_default().trim().to_owned(),
        file: form.get("file").unwrap_or_default().to_owned(),
        passing_score: form.get("passing_score").unwrap_or_default().to_owned(),
        max_attempts: form.get("max_attempts").unwrap_or_default().to_owned(),
    };
    let questions = (kind == LessonKind::Quiz).then(|| read_questions(&form));
    let sent_revision = form_revision(&form);
    if form.get("action") == Some("preview") {
        let preview = match authoring::preview(&slug, &values.body) {
            Ok(html) => html,
            Err(e) => return ctx.fail(e),
        };
        return lesson_page(
            &ctx,
            StatusCode::OK,
            &source,
            sent_revision.min(current),
            locale,
            &key,
            values,
            questions.as_deref(),
            FieldErrors::default(),
            None,
            Some(preview),
        );
    }
    let edit = (|| -> Result<Edit, Error> {
        let duration_minutes = number(&form, "duration_minutes")?;
        Ok(match kind {
            LessonKind::Quiz => Edit::Quiz {
                lesson: key.clone(),
                locale,
                title: values.title.clone(),
                intro: values.body.clone(),
                duration_minutes,
                passing_score: number(&form, "passing_score")?,
                max_attempts: optional_number(&form, "max_attempts")?,
                questions: questions.clone().unwrap_or_default(),
            },
            _ => Edit::Lesson {
                lesson: key.clone(),
                locale,
                title: values.title.clone(),
                body: values.body.clone(),
                duration_minutes,
                video_url: Some(values.video_url.clone()),
                file: Some(values.file.clone()),
            },
        })
    })();
    let result = match edit {
        Ok(edit) => s.edit(&who, &slug, sent_revision, edit).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => ctx.redirect(
            &format!("/author/{slug}/lessons/{key}?locale={locale}"),
            Some(Flash::Ok("flash-author-saved")),
        ),
        Err(e @ (Error::Invalid { .. } | Error::Conflict { .. })) => {
            let (source, revision) = match reload(&ctx, &who, &slug).await {
                Ok(d) => d,
                Err(r) => return r,
            };
            let conflict = matches!(e, Error::Conflict { .. });
            let mut errors = FieldErrors::default();
            if let Error::Invalid { field, reason } = &e {
                let known = [
                    "title",
                    "body",
                    "intro",
                    "duration_minutes",
                    "video_url",
                    "file",
                    "passing_score",
                    "max_attempts",
                    "questions",
                ];
                if known.contains(&field.as_str()) || field.starts_with("questions[") {
                    let field = if field == "intro" {
                        "body"
                    } else {
                        field.as_str()
                    };
                    errors.add(field, reason.clone());
                } else {
                    errors.add("form", format!("{field}: {reason}"));
                }
            }
            lesson_page(
                &ctx,
                if conflict {
                    StatusCode::CONFLICT
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                },
                &source,
                // After a conflict the form keeps the author's words, and
                // saving again deliberately overwrites with them.
                if conflict { revision } else { sent_revision },
                locale,
                &key,
                values,
                questions.as_deref(),
                errors,
                conflict.then(|| ctx.t("editor-conflict")),
                None,
            )
        }
        Err(e) => ctx.fail(e),
    }
}

/// GET `/author/{slug}/preview/{key}?locale=…`: a lesson of the draft in the
/// lesson player, exactly as learners will see it once published.
#[handler]
pub async fn preview_lesson(
    ctx: Ctx,
    Path((slug, key)): Path<(String, String)>,
    req: &poem::Request,
) -> Response {
    let (_, source, _) = match open(&ctx, &slug).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let mut preferred = ctx.preferred();
    if let Some(l) =
        crate::http::locale::query_param(req, "locale").and_then(|l| l.parse::<Locale>().ok())
    {
        preferred.insert(0, l);
    }
    let view = match authoring::preview_lesson(&source, &key, &preferred) {
        Ok(v) => v,
        Err(e) => return ctx.fail(e),
    };
    let course_title = source
        .texts
        .get(&view.locale)
        .or_else(|| source.texts.get(&source.default_locale))
        .map(|t| t.title.clone())
        .unwrap_or_else(|| slug.clone());
    super::learning::draft_preview(&ctx, &slug, course_title, view)
}

/// GET `/author/{slug}/preview?locale=…`: the draft's course page as
/// learners will see it once published.
#[handler]
pub async fn preview_course(ctx: Ctx, Path(slug): Path<String>, req: &poem::Request) -> Response {
    let (_, source, _) = match open(&ctx, &slug).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let mut preferred = ctx.preferred();
    if let Some(l) =
        crate::http::locale::query_param(req, "locale").and_then(|l| l.parse::<Locale>().ok())
    {
        preferred.insert(0, l);
    }
    let outline = authoring::preview_outline(&source, &preferred);
    let back = format!("/author/{slug}/course?locale={}", outline.card.locale);
    super::catalogue::draft_course_preview(&ctx, outline, back)
}
