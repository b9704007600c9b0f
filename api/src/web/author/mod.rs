//! Authoring pages: my courses and a course's draft (`courses`), the file
//! editor (`files`), the media section (`media`) and the structured course
//! editor (`editor`). Forms work without JavaScript. This module holds what
//! they share: the service, who may author, and how refusals show.

pub mod courses;
pub mod editor;
pub mod files;
pub mod media;

use agora_core::{accounts::Principal, authoring::Authoring};
use poem::{Response, http::StatusCode, web::Multipart};
use serde::Serialize;

use super::{Ctx, FieldErrors, FormData};

/// The authoring service, built once at start-up.
pub fn service(ctx: &Ctx) -> &Authoring {
    &ctx.state.authoring
}

#[allow(clippy::result_large_err)]
/// The signed-in author or administrator; learners get a 403.
pub fn author(ctx: &Ctx) -> Result<Principal, Response> {
    let u = ctx.require_user()?.clone();
    if u.role == agora_core::accounts::Role::Learner {
        return Err(ctx.error(StatusCode::FORBIDDEN));
    }
    Ok(u)
}

/// The author of a posted form, once its CSRF token checks out.
#[allow(clippy::result_large_err)]
pub fn author_of(ctx: &Ctx, form: &FormData) -> Result<Principal, Response> {
    let who = author(ctx)?;
    ctx.check_csrf(form)?;
    Ok(who)
}

/// The draft revision a form was filled from; a missing one is 0, which
/// every save refuses as a conflict.
pub fn form_revision(form: &FormData) -> i64 {
    form.get("revision")
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// Maps a core validation error onto the form field it names.
pub fn field_error(errors: &mut FieldErrors, e: &agora_core::Error, fields: &[&str]) -> bool {
    use agora_core::Error as E;
    match e {
        E::Invalid { field, reason } | E::Conflict { field, reason } => {
            let key = if fields.contains(&field.as_str()) {
                field.as_str()
            } else {
                "form"
            };
            let text = if key == "form" {
                format!("{field}: {reason}")
            } else {
                reason.clone()
            };
            errors.add(key, text);
            true
        }
        _ => false,
    }
}

/// Reads a multipart form: its text fields and one file.
pub async fn multipart(mut form: Multipart) -> (FormData, Option<(String, Vec<u8>)>) {
    let mut fields = Vec::new();
    let mut file = None;
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file_name) => {
                if let Ok(bytes) = field.bytes().await {
                    file = Some((file_name, bytes));
                }
            }
            None => {
                if let Ok(text) = field.text().await {
                    fields.push((name, text));
                }
            }
        }
    }
    (FormData::from_pairs(fields), file)
}

#[derive(Serialize)]
struct ProblemPage {
    field: String,
    reason: String,
    back: String,
}

/// A refused upload or action: what is wrong, and the way back.
pub fn problem_page(ctx: &Ctx, e: agora_core::Error, back: &str) -> Response {
    use agora_core::Error as E;
    let (status, field, reason) = match e {
        E::Invalid { field, reason } => (StatusCode::UNPROCESSABLE_ENTITY, field, reason),
        E::Conflict { field, reason } => (StatusCode::CONFLICT, field, reason),
        other => return ctx.fail(other),
    };
    ctx.page(
        status,
        "author_problem",
        &ctx.t("author-problem-title"),
        &ProblemPage {
            field,
            reason,
            back: back.to_owned(),
        },
    )
}
