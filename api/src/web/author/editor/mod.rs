//! The structured course editor in the browser: course details and words
//! per language, the outline (add, move and remove modules and lessons)
//! (`course`), the module (`module`), lesson and quiz editors (`lesson`,
//! `quiz`) and the draft's preview (`preview`). Plain forms (`forms`):
//! every change is a POST, then a redirect; a refused change shows the form
//! again with the message next to the field. The same core edits serve the
//! JSON API. This module holds what the pages share.

pub mod course;
mod forms;
pub mod lesson;
pub mod module;
pub mod preview;
mod quiz;

use agora_core::{Error, accounts::Principal, course_source::CourseSource, domain::Locale};
use poem::{Body, Response};
use serde::Serialize;

use super::{author, author_of, field_error, service};
use crate::{
    http::locale::locale_name,
    web::{Ctx, FieldErrors, FormData},
};

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

/// A refused edit: the field it names, or the whole form.
fn errors_of(e: &Error, fields: &[&str]) -> FieldErrors {
    let mut errors = FieldErrors::default();
    field_error(&mut errors, e, fields);
    errors
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
        e @ Error::Conflict { .. } => super::problem_page(ctx, e, &format!("/author/{slug}")),
        other => ctx.fail(other),
    }
}
