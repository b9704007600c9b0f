//! The practice library's pages: the library with its facets and a
//! practice's page with "Contact this city" (`library`), writing and
//! reviewing practices (`edit`), and the pages the contact mail links to
//! (`messages`). Every rule is the core service's, as for the JSON API; a
//! refusal becomes the matching error page, or the form again with the
//! message next to the field.

pub mod edit;
pub mod files;
pub mod library;
pub mod messages;

use poem::http::StatusCode;

use super::{Ctx, FormData};

/// The form fields a core failure can name.
const FIELDS: [&str; 20] = [
    "slug",
    "city",
    "country",
    "population_band",
    "codes",
    "budget_range",
    "started_year",
    "duration_months",
    "default_locale",
    "sources",
    "title",
    "summary",
    "challenge",
    "actions",
    "results",
    "lessons",
    "partners",
    "indicators",
    "body",
    "note",
];

/// The form field a core field names: `texts.fr.title` is the title,
/// `sources.2.url` the sources.
fn form_field(core: &str) -> &'static str {
    let name = core
        .strip_prefix("texts.")
        .map(|r| r.split_once('.').map(|(_, f)| f).unwrap_or(r))
        .unwrap_or(core);
    let head = name.split('.').next().unwrap_or(name);
    FIELDS.into_iter().find(|f| *f == head).unwrap_or("title")
}

/// The message for a refused form, and the field it goes next to.
pub fn form_error(ctx: &Ctx, e: &agora_core::Error) -> Option<(StatusCode, &'static str, String)> {
    use agora_core::Error as E;
    Some(match e {
        E::Invalid { field, .. } => {
            let f = form_field(field);
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                f,
                ctx.t(&format!("practice-error-{f}")),
            )
        }
        E::Conflict { field, .. } if field == "slug" => (
            StatusCode::CONFLICT,
            "slug",
            ctx.t("practice-error-slug-taken"),
        ),
        E::Conflict { field, .. } if field == "body" => (
            StatusCode::CONFLICT,
            "body",
            ctx.t("practice-error-no-contact"),
        ),
        E::Conflict { .. } => (StatusCode::CONFLICT, "note", ctx.t("practice-error-state")),
        E::RateLimited { .. } => (
            StatusCode::TOO_MANY_REQUESTS,
            "body",
            ctx.t("practice-error-rate"),
        ),
        E::Forbidden { reason } if reason.contains("does not accept") => (
            StatusCode::FORBIDDEN,
            "body",
            ctx.t("practice-error-refused"),
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

/// A practice's page.
pub fn practice_href(slug: &str) -> String {
    agora_core::links::practice(slug)
}

#[cfg(test)]
mod tests {
    #[test]
    fn core_fields_map_to_form_fields() {
        assert_eq!(super::form_field("texts.fr.title"), "title");
        assert_eq!(
            super::form_field("texts.en.indicators.2.name"),
            "indicators"
        );
        assert_eq!(super::form_field("sources.3.url"), "sources");
        assert_eq!(super::form_field("codes"), "codes");
        assert_eq!(super::form_field("texts.de"), "title");
    }
}
