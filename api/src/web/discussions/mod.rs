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

use poem::http::StatusCode;

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
}
