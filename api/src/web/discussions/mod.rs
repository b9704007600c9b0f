//! Discussion pages: the spaces (`spaces`), a space's threads and the form
//! to start one (`space`), a thread with its replies and the forms on it
//! (`thread`, `actions`), a post's history for
//! moderators (`history`), the notifications (`notifications`) and the
//! discussion shown under a lesson (`lesson`); reporting and moving from a
//! thread's page (`reports`), the moderators' queue (`moderation`), a
//! space's moderation page with its log, suspensions and named moderators
//! (`space_moderation`), and the admins' community space form
//! (`space_form`). Every rule is the core
//! service's, as for the JSON API; a refusal becomes the matching error
//! page, or the form again with the message next to the field.

pub mod actions;
pub mod history;
pub mod images;
pub mod lesson;
pub mod mail;
pub mod moderation;
pub mod notifications;
pub mod reports;
pub mod search;
pub mod space;
pub mod space_form;
pub mod space_moderation;
pub mod spaces;
pub mod thread;
mod thread_items;
mod thread_kept;

use poem::http::StatusCode;

use agora_core::discussions::NewImage;

use super::{Ctx, FormData};
use crate::http::i18n::t_args;

/// The message for a refused form, and the field it goes next to.
pub fn form_error(ctx: &Ctx, e: &agora_core::Error) -> Option<(StatusCode, &'static str, String)> {
    use agora_core::Error as E;
    Some(match e {
        E::Invalid { field, reason } if field == "body" && reason.starts_with('@') => {
            let name = reason.split_whitespace().next().unwrap_or_default();
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "body",
                t_args(
                    ctx.locale,
                    "discussion-error-mention",
                    &[("name", name.to_owned().into())],
                ),
            )
        }
        E::Invalid { field, reason } if field == "image" => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "image",
            ctx.t(if reason.contains("at most") && reason.contains("images") {
                "discussion-error-image-count"
            } else if reason.contains("MiB") {
                "discussion-error-image-size"
            } else {
                "discussion-error-image"
            }),
        ),
        E::Invalid { field, .. } if field == "alt" => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "alt",
            ctx.t("discussion-error-alt"),
        ),
        E::Conflict { field, .. } if field == "image" => (
            StatusCode::CONFLICT,
            "image",
            ctx.t("discussion-error-image-duplicate"),
        ),
        E::Invalid { field, .. } => {
            let field: &'static str = match field.as_str() {
                "title" => "title",
                "lesson" => "lesson",
                _ => "body",
            };
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                field,
                ctx.t(&format!("discussion-error-{field}")),
            )
        }
        E::Conflict { .. } => (
            StatusCode::CONFLICT,
            "body",
            ctx.t("discussion-error-locked"),
        ),
        E::RateLimited { .. } => (
            StatusCode::TOO_MANY_REQUESTS,
            "body",
            ctx.t("discussion-error-rate"),
        ),
        E::Forbidden { reason } if reason.contains("suspended") => (
            StatusCode::FORBIDDEN,
            "body",
            ctx.t("discussion-error-suspended"),
        ),
        _ => return None,
    })
}

/// A post's form: URL-encoded, or multipart with at most one `image` and
/// its `alt` text (an empty file input attaches nothing).
pub async fn post_form(req: &poem::Request, body: poem::Body) -> (FormData, Option<NewImage>) {
    let multipart = req
        .content_type()
        .is_some_and(|t| t.starts_with("multipart/form-data"));
    if !multipart {
        return (FormData::read(body).await, None);
    }
    let mut body = poem::RequestBody::new(body);
    let Ok(form) = <poem::web::Multipart as poem::FromRequest>::from_request(req, &mut body).await
    else {
        return (FormData::from_pairs(Vec::new()), None);
    };
    let (fields, file) = super::author::multipart(form).await;
    let image = file
        .filter(|(_, data)| !data.is_empty())
        .map(|(name, data)| NewImage {
            name,
            data,
            alt: fields.get("alt").unwrap_or_default().to_owned(),
        });
    (fields, image)
}

/// Checks the reader and CSRF: nothing, or the page to answer.
#[allow(clippy::result_large_err)]
pub fn checked(ctx: &Ctx, form: &FormData) -> Result<(), poem::Response> {
    ctx.require_user().map(drop)?;
    ctx.check_csrf(form)
}

/// "You may not post here until …: reason", next to the field.
pub fn suspended_notice(
    ctx: &Ctx,
    zone: &super::cohorts::ReaderZone,
    until: time::OffsetDateTime,
    reason: &str,
) -> String {
    t_args(
        ctx.locale,
        "discussion-suspended-until",
        &[
            ("date", when(zone, until).into()),
            ("reason", reason.to_owned().into()),
        ],
    )
}

/// A thread's page.
pub fn thread_href(space: &str, id: uuid::Uuid) -> String {
    format!("/discussions/{space}/threads/{id}")
}

/// The date and time shown next to a post, in the reader's zone.
pub fn when(zone: &super::cohorts::ReaderZone, t: time::OffsetDateTime) -> String {
    zone.show(t)
}

/// A refused question's fields, to refill its form.
#[derive(serde::Serialize, Default)]
pub struct Draft {
    pub title: String,
    pub body: String,
    pub question: bool,
    /// The text alternative of a refused image.
    pub alt: String,
}

/// A post form's image and text alternative fields
/// (`discussion_image_fields`): ids start with `id`.
#[derive(serde::Serialize, Default)]
pub struct ImageFields {
    pub id: String,
    pub alt: String,
    pub image_error: Option<String>,
    pub alt_error: Option<String>,
}

impl ImageFields {
    pub fn new(id: impl Into<String>, alt: &str, errors: &super::FieldErrors) -> Self {
        ImageFields {
            id: id.into(),
            alt: alt.to_owned(),
            image_error: errors.0.get("image").cloned(),
            alt_error: errors.0.get("alt").cloned(),
        }
    }
}
