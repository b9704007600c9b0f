//! Organisation pages: the learner's own organisation and the offers of
//! their domain (`mine`), invitations (`mine`), public organisation pages
//! and the list (`public`), what an organisation's administrators
//! manage (`manage`), and what the global admin and network coordinators
//! do: networks and their coordinators (`networks`), new organisations and
//! the networks each belongs to (`placement`). Every rule is the core
//! service's; a refusal becomes the matching error page.

pub mod manage;
pub mod mine;
pub mod networks;
pub mod placement;
pub mod public;

use agora_core::{
    domain::Locale,
    organisations::{Kind, OrganisationView, PopulationBand, area_name, country},
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

/// One option of a `select` or a checkbox list.
#[derive(Serialize)]
pub struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// The kinds of organisation, in the reader's words.
pub fn kind_choices(ctx: &Ctx, selected: &str) -> Vec<Choice> {
    Kind::ALL
        .iter()
        .map(|k| Choice {
            value: k.as_str().into(),
            label: ctx.t(&format!("org-kind-{}", k.as_str())),
            selected: k.as_str() == selected,
        })
        .collect()
}

/// The population bands, in the reader's words.
pub fn band_choices(ctx: &Ctx, selected: &str) -> Vec<Choice> {
    PopulationBand::ALL
        .iter()
        .map(|b| Choice {
            value: b.as_str().into(),
            label: ctx.t(&format!("org-band-{}", b.as_str())),
            selected: b.as_str() == selected,
        })
        .collect()
}

/// The names in French and Spanish from a form's `name_fr` and `name_es`.
pub fn other_names(f: &crate::web::FormData) -> std::collections::BTreeMap<String, String> {
    ["fr", "es"]
        .into_iter()
        .map(|l| {
            (
                l.to_owned(),
                f.get(&format!("name_{l}")).unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The fields whose errors a form shows in the reader's words.
const FIELDS: [&str; 16] = [
    "names",
    "slug",
    "admin_email",
    "networks",
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
