//! The practices shipped in the repository's `practices/` folder, one YAML
//! file each, loaded at start-up: missing ones are added (published), and
//! shipped ones take the file's words, so a correction in the repository
//! reaches every installation. Each file names its organisation, made when
//! missing. A file that breaks a rule stops the start with its name.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    Set,
};
use serde::Deserialize;
use uuid::Uuid;

use super::{PUBLISHED, PracticeInput, now, workflow::fields};
use crate::{
    Error, Result,
    entities::{organisation, practice},
    organisations::{Kind, PopulationBand, parse_country},
};

/// The organisation a shipped practice belongs to.
#[derive(Clone, Debug, Deserialize)]
pub struct ShippedOrganisation {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    pub kind: String,
    pub website: Option<String>,
}

/// One file of `practices/`.
#[derive(Clone, Debug, Deserialize)]
pub struct ShippedFile {
    pub organisation: ShippedOrganisation,
    #[serde(flatten)]
    pub practice: PracticeInput,
}

#[derive(Debug, Default)]
pub struct ShippedReport {
    pub added: u64,
    pub updated: u64,
    /// Slugs taken by a practice someone submitted: left alone.
    pub skipped: Vec<String>,
}

fn problem(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::invalid("practices", format!("{}: {e}", path.display()))
}

/// Reads and checks every `*.yaml` of `dir`: each must pass the rules of a
/// submitted practice, cite at least one source and be written in English,
/// French and Spanish.
pub fn read_dir(dir: &Path) -> Result<Vec<(PathBuf, ShippedFile)>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| problem(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|e| problem(&path, e))?;
        let file: ShippedFile = serde_yaml_ng::from_str(&text).map_err(|e| problem(&path, e))?;
        let c = file.practice.check().map_err(|e| problem(&path, e))?;
        if c.slug.is_none() {
            return Err(problem(&path, "slug: a shipped practice names its address"));
        }
        if c.sources.is_empty() {
            return Err(problem(&path, "sources: cite at least one public document"));
        }
        for l in ["en", "fr", "es"] {
            if !c.texts.contains_key(l) {
                return Err(problem(&path, format!("texts.{l}: write every language")));
            }
        }
        Kind::parse(&file.organisation.kind).map_err(|e| problem(&path, e))?;
        out.push((path, file));
    }
    Ok(out)
}

async fn organisation_of(
    db: &DatabaseConnection,
    file: &ShippedFile,
) -> Result<organisation::Model> {
    let o = &file.organisation;
    if let Some(found) = organisation::Entity::find()
        .filter(organisation::Column::Slug.eq(&o.slug))
        .one(db)
        .await?
    {
        return Ok(found);
    }
    let country = parse_country(&file.practice.country)?;
    let at = now();
    Ok(organisation::ActiveModel {
        id: Set(Uuid::new_v4()),
        slug: Set(o.slug.clone()),
        name: Set(o.name.clone()),
        names: Set(serde_json::to_value(&o.names).unwrap_or_default()),
        kind: Set(Kind::parse(&o.kind)?.as_str().to_owned()),
        country: Set(country.code.to_owned()),
        m49_region: Set(country.region().to_owned()),
        m49_subregion: Set(country.subregion.to_owned()),
        population_band: Set(PopulationBand::parse(&file.practice.population_band)?
            .as_str()
            .to_owned()),
        website: Set(o.website.clone()),
        public: Set(true),
        auto_approve: Set(false),
        first_enrolment_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await?)
}

/// Loads the shipped practices of `dir` (see the module's comment).
pub async fn load_shipped(db: &DatabaseConnection, dir: &Path) -> Result<ShippedReport> {
    let mut report = ShippedReport::default();
    for (_, file) in read_dir(dir)? {
        let c = file.practice.check()?;
        let slug = file.practice.slug.trim().to_owned();
        let org = organisation_of(db, &file).await?;
        let at = now();
        let existing = practice::Entity::find()
            .filter(practice::Column::Slug.eq(&slug))
            .one(db)
            .await?;
        match existing {
            None => {
                practice::ActiveModel {
                    id: Set(Uuid::new_v4()),
                    slug: Set(slug),
                    organisation_id: Set(org.id),
                    author_id: Set(None),
                    status: Set(PUBLISHED.into()),
                    review_note: Set(None),
                    shipped: Set(true),
                    created_at: Set(at),
                    submitted_at: Set(None),
                    published_at: Set(Some(at)),
                    ..fields(&c, None, at)
                }
                .insert(db)
                .await?;
                report.added += 1;
            }
            Some(p) if p.shipped => {
                let f = fields(&c, None, at);
                let changed = p.texts != *f.texts.as_ref()
                    || p.sources != *f.sources.as_ref()
                    || p.codes != *f.codes.as_ref();
                if changed {
                    let mut row = p.into_active_model();
                    row.texts = f.texts;
                    row.sources = f.sources;
                    row.codes = f.codes;
                    row.city = f.city;
                    row.population_band = f.population_band;
                    row.budget_range = f.budget_range;
                    row.started_year = f.started_year;
                    row.duration_months = f.duration_months;
                    row.updated_at = f.updated_at;
                    row.update(db).await?;
                    report.updated += 1;
                }
            }
            Some(_) => report.skipped.push(slug),
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_practice_parses_cites_sources_and_speaks_three_languages() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../practices");
        let files = read_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
        assert!(files.len() >= 12, "{} shipped practices", files.len());
        for (path, f) in &files {
            assert!(
                f.practice
                    .sources
                    .iter()
                    .all(|s| s.url.starts_with("https://") || s.url.starts_with("http://")),
                "{}",
                path.display()
            );
            assert!(!f.practice.sources.is_empty(), "{}", path.display());
            for l in ["en", "fr", "es"] {
                let t = &f.practice.texts[l];
                assert!(!t.challenge.trim().is_empty(), "{} {l}", path.display());
                assert!(!t.actions.trim().is_empty(), "{} {l}", path.display());
            }
        }
    }
}
