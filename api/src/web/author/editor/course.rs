//! The course page of the editor: details, words per language and the
//! outline.

use agora_core::{
    Error,
    course_edit::Edit,
    course_source::CourseSource,
    domain::{LessonKind, Level, Locale, Theme},
};
use poem::{Body, Response, handler, http::StatusCode, web::Path};
use serde::Serialize;

use super::{
    Choice, LocaleTab, edit_locale, errors_of,
    forms::{DetailsForm, LESSON_FIELDS, NewLessonForm, NewModuleForm, TextForm},
    number, open, open_form, reload, tabs, text_of,
};
use crate::{
    http::locale::locale_name,
    web::{
        Ctx, FieldErrors, Flash,
        author::{form_revision, service},
    },
};

#[derive(Serialize)]
pub(super) struct LessonRow {
    pub(super) key: String,
    pub(super) kind: String,
    pub(super) title: String,
    pub(super) translated: bool,
    pub(super) minutes: u32,
    pub(super) first: bool,
    pub(super) last: bool,
}

#[derive(Serialize)]
pub(super) struct ModuleRow {
    pub(super) key: String,
    pub(super) title: String,
    pub(super) translated: bool,
    pub(super) first: bool,
    pub(super) last: bool,
    pub(super) lessons: Vec<LessonRow>,
    pub(super) form: NewLessonForm,
    pub(super) errors: FieldErrors,
}

#[derive(Serialize)]
pub(super) struct CourseEditorPage {
    pub(super) slug: String,
    pub(super) course_title: String,
    pub(super) revision: i64,
    pub(super) locale: &'static str,
    pub(super) locale_name: &'static str,
    pub(super) is_default: bool,
    pub(super) default_name: &'static str,
    pub(super) tabs: Vec<LocaleTab>,
    pub(super) levels: Vec<Choice>,
    pub(super) sdgs: Vec<Choice>,
    pub(super) sendai: Vec<Choice>,
    pub(super) kinds: Vec<Choice>,
    pub(super) resources: Vec<String>,
    pub(super) details: DetailsForm,
    pub(super) details_errors: FieldErrors,
    pub(super) text: TextForm,
    pub(super) text_errors: FieldErrors,
    pub(super) modules: Vec<ModuleRow>,
    pub(super) new_module: NewModuleForm,
    pub(super) module_errors: FieldErrors,
    pub(super) outline_error: Option<String>,
    pub(super) conflict: Option<String>,
}

/// Which form of the page a refused change came from, with what was typed.
pub(super) enum Failed {
    Details(DetailsForm),
    Text(TextForm),
    AddModule(NewModuleForm),
    AddLesson(String, NewLessonForm),
    Outline,
}

pub(super) fn kinds(ctx: &Ctx, selected: &str) -> Vec<Choice> {
    LessonKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.as_str().into(),
            label: ctx.t(&format!("kind-{k}")),
            selected: k.as_str() == selected,
        })
        .collect()
}

pub(super) fn resources_of(source: &CourseSource) -> Vec<String> {
    let mut names: Vec<String> = source
        .texts
        .values()
        .flat_map(|t| t.resources.keys().cloned())
        .collect();
    names.sort();
    names.dedup();
    names
}

pub(super) fn course_page(
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

pub(super) fn render_course(ctx: &Ctx, status: StatusCode, page: &CourseEditorPage) -> Response {
    let title = format!("{} · {}", ctx.t("editor-title"), page.course_title);
    ctx.page(status, "author_editor", &title, page)
}

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
                themes.extend(agora_core::course_edit::tag_themes(&f.tags));
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
