//! Organisation pages: the learner's own organisation and the offers of
//! their domain (`mine`), invitations (`mine`), public organisation pages
//! and the list (`public`), and what an organisation's administrators
//! manage (`manage`). Every rule is the core service's; a refusal becomes
//! the matching error page.

pub mod manage;
pub mod mine;
pub mod public;

use agora_core::{
    domain::Locale,
    organisations::{OrganisationView, area_name, country},
};
use poem::http::StatusCode;
use serde::Serialize;

use super::Ctx;

/// An organisation as its pages show it (never its staff).
#[derive(Serialize)]
pub struct OrgSummary {
    slug: String,
    name: String,
    kind: String,
    country: String,
    region: String,
    subregion: String,
    population: String,
    website: Option<String>,
    networks: Vec<String>,
    public: bool,
}

pub fn summary(ctx: &Ctx, o: &OrganisationView) -> OrgSummary {
    let l: Locale = ctx.locale;
    OrgSummary {
        slug: o.slug.clone(),
        name: o.name_in(l).to_owned(),
        kind: ctx.t(&format!("org-kind-{}", o.kind)),
        country: country(&o.country)
            .map(|c| c.name(l))
            .unwrap_or(&o.country)
            .to_owned(),
        region: area_name(&o.m49_region, l).unwrap_or_default().to_owned(),
        subregion: area_name(&o.m49_subregion, l)
            .unwrap_or_default()
            .to_owned(),
        population: ctx.t(&format!("org-band-{}", o.population_band)),
        website: o.website.clone(),
        networks: o.networks.iter().map(|n| n.name_in(l).to_owned()).collect(),
        public: o.public,
    }
}

/// The fields whose errors a form shows in the reader's words.
const FIELDS: [&str; 12] = [
    "name",
    "kind",
    "country",
    "population_band",
    "website",
    "domain",
    "email",
    "role",
    "days",
    "consent",
    "job_title",
    "organisation",
];

/// The message for a refused form: which field, in the reader's language.
pub fn form_error(ctx: &Ctx, e: &agora_core::Error) -> Option<(StatusCode, String)> {
    use agora_core::Error as E;
    let (status, field) = match e {
        E::Invalid { field, .. } => (StatusCode::UNPROCESSABLE_ENTITY, field.as_str()),
        E::Conflict { field, .. } => (StatusCode::CONFLICT, field.as_str()),
        _ => return None,
    };
    let key = FIELDS
        .iter()
        .find(|f| field == **f || field.starts_with(&format!("{f}.")))
        .map(|f| format!("org-error-{f}"))
        .unwrap_or_else(|| "org-error-other".into());
    Some((status, ctx.t(&key)))
}
