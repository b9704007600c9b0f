//! The lesson editor (with its quiz), saving and previewing.

use agora_core::{
    Error, authoring,
    course_edit::{Edit, QuestionEdit},
    course_source::CourseSource,
    domain::{LessonKind, Locale},
};
use poem::{Body, Response, handler, http::StatusCode, web::Path};
use serde::Serialize;

use super::{
    Choice, LocaleTab,
    course::resources_of,
    edit_locale, number, open, open_form, optional_number,
    quiz::{QuestionRow, question_rows, read_questions},
    reload, tabs, text_of,
};
use crate::{
    http::locale::locale_name,
    web::{
        Ctx, FieldErrors, Flash,
        author::{form_revision, service},
    },
};

#[derive(Serialize, Default)]
pub(super) struct LessonForm {
    pub(super) title: String,
    pub(super) body: String,
    pub(super) duration_minutes: String,
    pub(super) video_url: String,
    pub(super) file: String,
    pub(super) passing_score: String,
    pub(super) max_attempts: String,
}

#[derive(Serialize)]
pub(super) struct LessonPage {
    pub(super) slug: String,
    pub(super) key: String,
    pub(super) kind: String,
    pub(super) kind_label: String,
    pub(super) quiz: bool,
    pub(super) video: bool,
    pub(super) resource: bool,
    pub(super) revision: i64,
    pub(super) locale: &'static str,
    pub(super) locale_name: &'static str,
    pub(super) is_default: bool,
    pub(super) default_name: &'static str,
    pub(super) tabs: Vec<LocaleTab>,
    pub(super) source_title: String,
    pub(super) source_body: String,
    pub(super) form: LessonForm,
    pub(super) resources: Vec<Choice>,
    pub(super) questions: Vec<QuestionRow>,
    pub(super) errors: FieldErrors,
    pub(super) conflict: Option<String>,
    pub(super) preview: Option<String>,
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
pub(super) fn lesson_page(
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
