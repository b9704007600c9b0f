//! The published library, filtered by facets and words, with the number of
//! practices behind each facet value.
//!
//! Decision: the library is filtered in SQL to the published practices,
//! then matched and counted here, in one pass over them. A library of city
//! practices holds hundreds, perhaps a few thousand, short rows: counting
//! every facet at once this way is simpler and exact, and needs no second
//! index to keep in step. The search port (tantivy or Meilisearch) is the
//! path if the library ever grows past that.
//!
//! Values within a facet widen the choice (France *or* Japan); facets
//! narrow it (France *and* SDG 11). Each facet's counts apply the other
//! facets' choices, so they say what ticking a value would show.

use std::collections::BTreeMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{
    Code, PUBLISHED, Practices,
    views::{codes_of, pick_locale, texts_of},
};
use crate::{
    Error, Result,
    domain::Locale,
    entities::{organisation, practice},
    organisations::{Kind, PopulationBand, area_name, country, name_in},
};

/// Practices per page.
pub const PAGE_SIZE: usize = 20;

/// The facets, in the order pages show them.
pub const FACETS: [&str; 6] = [
    "country",
    "region",
    "kind",
    "sdg",
    "sendai",
    "population_band",
];

/// What the reader asks the library for.
#[derive(Clone, Debug, Default)]
pub struct LibraryQuery {
    /// Words that must all appear (any language, any text field).
    pub q: Option<String>,
    pub country: Vec<String>,
    pub region: Vec<String>,
    pub kind: Vec<String>,
    /// `1` to `17`.
    pub sdg: Vec<String>,
    /// `sendai:1`…`sendai:4`, `sendai-target:a`…`g`.
    pub sendai: Vec<String>,
    pub population_band: Vec<String>,
    /// From 1.
    pub page: usize,
}

/// One value of a facet.
#[derive(Clone, Debug)]
pub struct FacetValue {
    pub value: String,
    /// Country and region names in the reader's language; empty for the
    /// others (the interfaces name them).
    pub label: String,
    pub count: usize,
    pub selected: bool,
}

#[derive(Clone, Debug)]
pub struct Facet {
    pub name: &'static str,
    pub values: Vec<FacetValue>,
}

/// A practice in the library's list.
#[derive(Clone, Debug)]
pub struct PracticeSummary {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub city: String,
    pub country_name: String,
    pub organisation_name: String,
    pub organisation_kind: String,
    pub sdgs: Vec<u8>,
    pub locale: Locale,
}

/// One page of the library.
#[derive(Clone, Debug)]
pub struct Library {
    pub total: usize,
    pub page: usize,
    pub has_more: bool,
    pub facets: Vec<Facet>,
    pub practices: Vec<PracticeSummary>,
}

fn bad(field: &str, reason: &str) -> Error {
    Error::BadParameter {
        field: field.into(),
        reason: reason.into(),
    }
}

impl LibraryQuery {
    /// Refuses values no practice could have, naming the parameter.
    fn check(&self) -> Result<()> {
        if self.page == 0 || self.page > 10_000 {
            return Err(bad("page", "a page number from 1"));
        }
        if self.q.as_deref().is_some_and(|q| q.chars().count() > 200) {
            return Err(bad("q", "at most 200 characters"));
        }
        let too_many = [
            ("country", &self.country),
            ("region", &self.region),
            ("kind", &self.kind),
            ("sdg", &self.sdg),
            ("sendai", &self.sendai),
            ("population_band", &self.population_band),
        ]
        .into_iter()
        .find(|(_, v)| v.len() > 50);
        if let Some((f, _)) = too_many {
            return Err(bad(f, "at most 50 values"));
        }
        for c in &self.country {
            if country(c).is_none() {
                return Err(bad("country", "an ISO 3166-1 alpha-2 code such as FR"));
            }
        }
        for r in &self.region {
            if r.len() != 3 || area_name(r, Locale::En).is_none() {
                return Err(bad("region", "a UN M49 region code such as 150"));
            }
        }
        for k in &self.kind {
            Kind::parse(k).map_err(|_| bad("kind", "an organisation kind such as municipality"))?;
        }
        for s in &self.sdg {
            if !matches!(s.parse::<u8>(), Ok(1..=17)) || s.starts_with('0') {
                return Err(bad("sdg", "a goal number from 1 to 17"));
            }
        }
        for s in &self.sendai {
            if !s.parse::<Code>().is_ok_and(|c| c.is_sendai()) {
                return Err(bad(
                    "sendai",
                    "sendai:1 to sendai:4 or sendai-target:a to sendai-target:g",
                ));
            }
        }
        for b in &self.population_band {
            PopulationBand::parse(b)
                .map_err(|_| bad("population_band", "a population band such as 1m-5m"))?;
        }
        Ok(())
    }
}

/// A published practice's facet values and searchable words.
struct Entry {
    row: practice::Model,
    values: BTreeMap<&'static str, Vec<String>>,
    words: String,
}

impl Entry {
    fn matches(&self, facet: &str, chosen: &[String]) -> bool {
        chosen.is_empty()
            || self
                .values
                .get(facet)
                .is_some_and(|vs| vs.iter().any(|v| chosen.contains(v)))
    }
}

impl Practices {
    /// A page of the published library, with the count of each facet value.
    pub async fn library(&self, query: &LibraryQuery, preferred: &[Locale]) -> Result<Library> {
        query.check()?;
        let locale = preferred.first().copied().unwrap_or(Locale::En);
        let rows = practice::Entity::find()
            .filter(practice::Column::Status.eq(PUBLISHED))
            .order_by_desc(practice::Column::PublishedAt)
            .order_by_asc(practice::Column::Slug)
            .all(&self.db)
            .await?;
        let orgs = self
            .organisations(rows.iter().map(|p| p.organisation_id).collect())
            .await?;
        let entries: Vec<Entry> = rows.into_iter().map(|row| entry(row, &orgs)).collect();
        let words: Vec<String> = query
            .q
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let chosen: BTreeMap<&str, &Vec<String>> = FACETS
            .into_iter()
            .zip([
                &query.country,
                &query.region,
                &query.kind,
                &query.sdg,
                &query.sendai,
                &query.population_band,
            ])
            .collect();
        let texts_match = |e: &Entry| words.iter().all(|w| e.words.contains(w.as_str()));
        let others_match = |e: &Entry, except: &str| {
            chosen
                .iter()
                .filter(|(f, _)| **f != except)
                .all(|(f, v)| e.matches(f, v))
        };
        let facets = FACETS
            .into_iter()
            .map(|name| {
                let mut counts: BTreeMap<String, usize> = BTreeMap::new();
                for e in entries
                    .iter()
                    .filter(|e| texts_match(e) && others_match(e, name))
                {
                    for v in e.values.get(name).into_iter().flatten() {
                        *counts.entry(v.clone()).or_default() += 1;
                    }
                }
                for v in chosen[name].iter() {
                    counts.entry(v.clone()).or_default();
                }
                Facet {
                    name,
                    values: counts
                        .into_iter()
                        .map(|(value, count)| FacetValue {
                            label: label(name, &value, locale),
                            selected: chosen[name].contains(&value),
                            value,
                            count,
                        })
                        .collect(),
                }
            })
            .collect();
        let hits: Vec<&Entry> = entries
            .iter()
            .filter(|e| texts_match(e) && others_match(e, ""))
            .collect();
        let start = (query.page - 1) * PAGE_SIZE;
        let practices = hits
            .iter()
            .skip(start)
            .take(PAGE_SIZE)
            .map(|e| summary(&e.row, &orgs, preferred))
            .collect();
        Ok(Library {
            total: hits.len(),
            page: query.page,
            has_more: hits.len() > start + PAGE_SIZE,
            facets,
            practices,
        })
    }
}

fn label(facet: &str, value: &str, locale: Locale) -> String {
    match facet {
        "country" => country(value).map(|c| c.name(locale)).unwrap_or_default(),
        "region" => area_name(value, locale).unwrap_or_default(),
        _ => "",
    }
    .to_owned()
}

fn entry(
    row: practice::Model,
    orgs: &std::collections::HashMap<uuid::Uuid, organisation::Model>,
) -> Entry {
    let codes = codes_of(&row);
    let mut goals: Vec<u8> = codes.iter().filter_map(Code::goal).collect();
    goals.sort_unstable();
    goals.dedup();
    let sdgs: Vec<String> = goals.iter().map(ToString::to_string).collect();
    let sendai: Vec<String> = codes
        .iter()
        .filter(|c| c.is_sendai())
        .map(ToString::to_string)
        .collect();
    let org = orgs.get(&row.organisation_id);
    let mut words = format!("{} {}", row.city, row.slug);
    if let Some(o) = org {
        words.push(' ');
        words.push_str(&o.name);
        for n in o.names.as_object().into_iter().flat_map(|m| m.values()) {
            words.push(' ');
            words.push_str(n.as_str().unwrap_or_default());
        }
    }
    for t in texts_of(&row).values() {
        for part in [
            &t.title,
            &t.summary,
            &t.challenge,
            &t.actions,
            &t.results,
            &t.lessons,
            &t.partners,
        ] {
            words.push(' ');
            words.push_str(part);
        }
    }
    let values = BTreeMap::from([
        ("country", vec![row.country.clone()]),
        ("region", vec![row.m49_region.clone()]),
        (
            "kind",
            org.map(|o| vec![o.kind.clone()]).unwrap_or_default(),
        ),
        ("sdg", sdgs),
        ("sendai", sendai),
        ("population_band", vec![row.population_band.clone()]),
    ]);
    Entry {
        words: words.to_lowercase(),
        values,
        row,
    }
}

fn summary(
    p: &practice::Model,
    orgs: &std::collections::HashMap<uuid::Uuid, organisation::Model>,
    preferred: &[Locale],
) -> PracticeSummary {
    let texts = texts_of(p);
    let locale = pick_locale(&texts, &p.default_locale, preferred);
    let text = texts.get(locale.as_str()).cloned().unwrap_or_default();
    let org = orgs.get(&p.organisation_id);
    let mut sdgs: Vec<u8> = codes_of(p).iter().filter_map(Code::goal).collect();
    sdgs.sort_unstable();
    sdgs.dedup();
    PracticeSummary {
        slug: p.slug.clone(),
        title: text.title,
        summary: text.summary,
        city: p.city.clone(),
        country_name: country(&p.country)
            .map(|c| c.name(locale))
            .unwrap_or_default()
            .to_owned(),
        organisation_name: org
            .map(|o| name_in(&o.name, &o.names, locale))
            .unwrap_or_default(),
        organisation_kind: org.map(|o| o.kind.clone()).unwrap_or_default(),
        sdgs,
        locale,
    }
}
