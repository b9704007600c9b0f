//! Cohort pages: the list (`list`), a cohort's page for its members and
//! the public (`page`), applying (`apply`), creating and editing a cohort
//! (`edit`), deciding applications (`applications`), live sessions
//! (`sessions`), what follows them (`followup`), the facilitator
//! dashboard (`dashboard`), starting from a template (`template`), the
//! members' work and reviews (`work`) and the facilitators' feedback
//! (`submissions`). Every rule is the
//! core service's, as for the JSON API; a refusal becomes the matching
//! error page, or the form again with the field named.

pub mod applications;
pub mod apply;
pub mod dashboard;
pub mod edit;
pub mod followup;
pub mod list;
pub mod page;
pub mod sessions;
pub mod submissions;
pub mod template;
pub mod work;

use std::collections::BTreeMap;

use agora_core::time_zones::{self, Tz};
use poem::http::StatusCode;
use serde::Serialize;

use super::Ctx;
use crate::http::i18n::t_args;

/// A cohort's title in the reader's language, else in its first.
pub fn title_in(ctx: &Ctx, titles: &BTreeMap<String, String>, slug: &str) -> String {
    titles
        .get(ctx.locale.as_str())
        .or_else(|| titles.values().next())
        .cloned()
        .unwrap_or_else(|| slug.to_owned())
}

/// The zone the reader sees times in, and its name shown next to them.
pub struct ReaderZone {
    pub tz: Tz,
    /// Whether the reader chose it in their account (else it is a guess).
    pub chosen: bool,
}

impl ReaderZone {
    pub fn name(&self) -> &'static str {
        self.tz.name()
    }
    pub fn show(&self, t: time::OffsetDateTime) -> String {
        time_zones::show(t, self.tz)
    }
}

/// The reader's own zone; else the one their `Accept-Language` region
/// suggests; else UTC.
pub async fn reader_zone(ctx: &Ctx) -> ReaderZone {
    // The signed-in principal carries the account's choice (no query).
    let chosen = ctx.user.as_ref().and_then(|u| u.time_zone.clone());
    match chosen {
        Some(z) => ReaderZone {
            tz: time_zones::zone(Some(&z)),
            chosen: true,
        },
        None => ReaderZone {
            tz: time_zones::zone(ctx.zone_hint),
            chosen: false,
        },
    }
}

/// One option of a `select`.
#[derive(Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The fields a cohort form names in the reader's words.
pub(crate) const FIELDS: [&str; 34] = [
    "course",
    "slug",
    "titles",
    "descriptions",
    "starts_on",
    "ends_on",
    "capacity_organisations",
    "capacity_people",
    "admission",
    "locales",
    "status",
    "facilitators",
    "questions",
    "completion_assignments",
    "completion_sessions",
    "organisation",
    "answers",
    "decision",
    "message",
    "title",
    "agenda",
    "starts_at",
    "ends_at",
    "join_url",
    "preparation",
    "present",
    "notes",
    "recording_url",
    "body",
    "inactive_days",
    "missed_sessions",
    "text",
    "files",
    "criteria",
];

/// The message for a refused form: which field, in the reader's language.
pub fn form_error(ctx: &Ctx, e: &agora_core::Error) -> Option<(StatusCode, String)> {
    use agora_core::Error as E;
    let (status, field) = match e {
        E::Invalid { field, .. } => (StatusCode::UNPROCESSABLE_ENTITY, field.as_str()),
        E::Conflict { field, .. } => (StatusCode::CONFLICT, field.as_str()),
        _ => return None,
    };
    let label = FIELDS
        .iter()
        .find(|f| field == **f || field.starts_with(&format!("{f}[")))
        .map(|f| ctx.t(&format!("cohort-field-{f}")));
    Some(match (status, label) {
        (StatusCode::CONFLICT, Some(label)) => (
            status,
            t_args(ctx.locale, "cohort-conflict", &[("name", label.into())]),
        ),
        (_, Some(label)) => (
            status,
            t_args(ctx.locale, "cohort-error", &[("name", label.into())]),
        ),
        (_, None) => (status, ctx.t("cohort-error-other")),
    })
}

/// Reads a form, checks the reader and CSRF: the form, or the page to answer.
#[allow(clippy::result_large_err)]
pub fn checked(ctx: &Ctx, form: &super::FormData) -> Result<(), poem::Response> {
    ctx.require_user().map(drop)?;
    ctx.check_csrf(form)
}
