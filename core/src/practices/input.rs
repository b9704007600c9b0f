//! A practice's fields as submitted, and their rules. Each failure names
//! its field (`city`, `codes`, `texts.fr.title`, `sources.2.url`).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::Code;
use crate::{
    Error, Result,
    domain::{Locale, Slug},
    organisations::{Country, PopulationBand, parse_country},
};

pub const MAX_TITLE: usize = 200;
pub const MAX_CITY: usize = 120;
pub const MAX_SUMMARY: usize = 600;
pub const MAX_PARTNERS: usize = 1_000;
/// Each Markdown field: the challenge, what was done, results, lessons.
pub const MAX_MARKDOWN: usize = 10_000;
pub const MAX_INDICATORS: usize = 20;
pub const MAX_SOURCES: usize = 20;
pub const MAX_CODES: usize = 40;

/// What a practice cost, in US dollars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetRange {
    Under50k,
    From50kTo250k,
    From250kTo1m,
    From1mTo10m,
    Over10m,
}

impl BudgetRange {
    pub const ALL: [BudgetRange; 5] = [
        BudgetRange::Under50k,
        BudgetRange::From50kTo250k,
        BudgetRange::From250kTo1m,
        BudgetRange::From1mTo10m,
        BudgetRange::Over10m,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            BudgetRange::Under50k => "under-50k",
            BudgetRange::From50kTo250k => "50k-250k",
            BudgetRange::From250kTo1m => "250k-1m",
            BudgetRange::From1mTo10m => "1m-10m",
            BudgetRange::Over10m => "over-10m",
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|b| b.as_str() == s.trim())
            .ok_or_else(|| {
                Error::invalid(
                    "budget_range",
                    "give one of under-50k, 50k-250k, 250k-1m, 1m-10m, over-10m (US dollars)",
                )
            })
    }
}

/// A result's indicator and its figure, as the source states it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub name: String,
    pub figure: String,
}

/// A document the practice relies on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub url: String,
    pub title: String,
}

/// A practice's words in one language. The challenge, what was done, the
/// results and the lessons are Markdown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PracticeText {
    pub title: String,
    pub summary: String,
    pub challenge: String,
    pub actions: String,
    pub results: String,
    pub lessons: String,
    pub partners: String,
    pub indicators: Vec<Indicator>,
}

/// A practice as its authors write it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PracticeInput {
    /// The organisation's slug; the author's own when empty.
    pub organisation: String,
    /// The URL name; made from the city and title when empty.
    pub slug: String,
    pub city: String,
    pub country: String,
    pub population_band: String,
    pub codes: Vec<String>,
    pub budget_range: Option<String>,
    pub started_year: Option<i32>,
    pub duration_months: Option<i32>,
    /// The author agrees to receive "Contact this city" messages.
    pub contact_opt_in: bool,
    pub default_locale: String,
    pub sources: Vec<Source>,
    pub texts: BTreeMap<String, PracticeText>,
}

/// An input that passed every rule.
pub(super) struct Checked {
    pub slug: Option<Slug>,
    pub city: String,
    pub country: &'static Country,
    pub population_band: PopulationBand,
    pub codes: Vec<Code>,
    pub budget_range: Option<BudgetRange>,
    pub started_year: Option<i32>,
    pub duration_months: Option<i32>,
    pub default_locale: Locale,
    pub texts: BTreeMap<String, PracticeText>,
    pub sources: Vec<Source>,
}

fn sized(field: &str, value: &str, min: usize, max: usize) -> Result<String> {
    let v = value.trim();
    let n = v.chars().count();
    if n < min || n > max {
        let reason = if min == 0 {
            format!("write at most {max} characters")
        } else {
            format!("write {min} to {max} characters")
        };
        return Err(Error::invalid(field, reason));
    }
    Ok(v.to_owned())
}

fn web_address(field: &str, url: &str) -> Result<String> {
    let u = url.trim();
    let ok = u.len() <= 500
        && (u.starts_with("https://") || u.starts_with("http://"))
        && url::Url::parse(u).is_ok_and(|p| p.host_str().is_some_and(|h| h.contains('.')));
    if ok {
        Ok(u.to_owned())
    } else {
        Err(Error::invalid(
            field,
            "give a web address starting with https:// (at most 500 characters)",
        ))
    }
}

fn check_text(locale: &str, t: &PracticeText, full: bool) -> Result<PracticeText> {
    let f = |name: &str| format!("texts.{locale}.{name}");
    let required = usize::from(full);
    let indicators = if t.indicators.len() > MAX_INDICATORS {
        return Err(Error::invalid(
            f("indicators"),
            format!("give at most {MAX_INDICATORS} indicators"),
        ));
    } else {
        t.indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| {
                Ok(Indicator {
                    name: sized(&f(&format!("indicators.{i}.name")), &ind.name, 1, 200)?,
                    figure: sized(&f(&format!("indicators.{i}.figure")), &ind.figure, 1, 100)?,
                })
            })
            .collect::<Result<Vec<_>>>()?
    };
    Ok(PracticeText {
        title: sized(&f("title"), &t.title, 1, MAX_TITLE)?,
        summary: sized(&f("summary"), &t.summary, 1, MAX_SUMMARY)?,
        challenge: sized(&f("challenge"), &t.challenge, required, MAX_MARKDOWN)?,
        actions: sized(&f("actions"), &t.actions, required, MAX_MARKDOWN)?,
        results: sized(&f("results"), &t.results, 0, MAX_MARKDOWN)?,
        lessons: sized(&f("lessons"), &t.lessons, 0, MAX_MARKDOWN)?,
        partners: sized(&f("partners"), &t.partners, 0, MAX_PARTNERS)?,
        indicators,
    })
}

impl PracticeInput {
    /// Checks every rule; the first failure names its field.
    pub(super) fn check(&self) -> Result<Checked> {
        let slug = match self.slug.trim() {
            "" => None,
            // `new` is the address of the form that makes one.
            "new" => return Err(Error::invalid("slug", "`new` is reserved: choose another")),
            s => Some(Slug::parse(s).map_err(|e| Error::invalid("slug", e))?),
        };
        let city = sized("city", &self.city, 1, MAX_CITY)?;
        let country = parse_country(&self.country)?;
        let population_band = PopulationBand::parse(&self.population_band)?;
        if self.codes.len() > MAX_CODES {
            return Err(Error::invalid(
                "codes",
                format!("give at most {MAX_CODES} codes"),
            ));
        }
        let mut codes = BTreeSet::new();
        for c in &self.codes {
            codes.insert(c.parse::<Code>().map_err(|e| Error::invalid("codes", e))?);
        }
        let budget_range = match self.budget_range.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(b) => Some(BudgetRange::parse(b)?),
        };
        if let Some(y) = self.started_year
            && !(1950..=2100).contains(&y)
        {
            return Err(Error::invalid("started_year", "give a year from 1950"));
        }
        if let Some(m) = self.duration_months
            && !(1..=600).contains(&m)
        {
            return Err(Error::invalid(
                "duration_months",
                "give a duration of 1 to 600 months",
            ));
        }
        let default_locale = match Locale::from_tag(&self.default_locale) {
            Ok(Some(l)) if self.default_locale.trim().len() == 2 => l,
            _ => {
                return Err(Error::invalid(
                    "default_locale",
                    "give the practice's main language: en, fr or es",
                ));
            }
        };
        let mut texts = BTreeMap::new();
        for (locale, t) in &self.texts {
            if !matches!(locale.as_str(), "en" | "fr" | "es") {
                return Err(Error::invalid(
                    format!("texts.{}", crate::domain::truncate(locale, 8)),
                    "write the practice in en, fr or es",
                ));
            }
            let full = locale == default_locale.as_str();
            texts.insert(locale.clone(), check_text(locale, t, full)?);
        }
        if !texts.contains_key(default_locale.as_str()) {
            return Err(Error::invalid(
                format!("texts.{}.title", default_locale.as_str()),
                "write the practice in its main language first",
            ));
        }
        if self.sources.len() > MAX_SOURCES {
            return Err(Error::invalid(
                "sources",
                format!("give at most {MAX_SOURCES} sources"),
            ));
        }
        let sources = self
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| {
                Ok(Source {
                    url: web_address(&format!("sources.{i}.url"), &s.url)?,
                    title: sized(&format!("sources.{i}.title"), &s.title, 1, 300)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Checked {
            slug,
            city,
            country,
            population_band,
            codes: codes.into_iter().collect(),
            budget_range,
            started_year: self.started_year,
            duration_months: self.duration_months,
            default_locale,
            texts,
            sources,
        })
    }
}

/// A URL name made of the city and the title: lower-case ASCII letters and
/// digits joined by single hyphens, at most 60 characters.
pub(super) fn slug_from(city: &str, title: &str) -> String {
    let mut out = String::new();
    for c in format!("{city} {title}")
        .chars()
        .flat_map(char::to_lowercase)
    {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 60 {
            break;
        }
    }
    let out = out.trim_matches('-').to_owned();
    if out.len() < 3 {
        "practice".to_owned()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> PracticeInput {
        PracticeInput {
            city: "Lyon".into(),
            country: "fr".into(),
            population_band: "100k-500k".into(),
            codes: vec!["sdg:11".into(), "sendai-target:b".into()],
            default_locale: "en".into(),
            texts: BTreeMap::from([(
                "en".into(),
                PracticeText {
                    title: "Flood maps".into(),
                    summary: "Maps.".into(),
                    challenge: "Floods.".into(),
                    actions: "Mapped.".into(),
                    ..Default::default()
                },
            )]),
            ..Default::default()
        }
    }

    fn field(i: PracticeInput) -> String {
        match i.check() {
            Err(Error::Invalid { field, .. }) => field,
            _ => "ok".into(),
        }
    }

    #[test]
    fn every_failure_names_its_field() {
        assert_eq!(field(good()), "ok");
        let mut i = good();
        i.codes.push("sdg:18".into());
        assert_eq!(field(i), "codes");
        let mut i = good();
        i.country = "XX".into();
        assert_eq!(field(i), "country");
        let mut i = good();
        i.sources.push(Source {
            url: "javascript:alert(1)".into(),
            title: "x".into(),
        });
        assert_eq!(field(i), "sources.0.url");
        let mut i = good();
        i.texts.get_mut("en").unwrap().challenge = "x".repeat(MAX_MARKDOWN + 1);
        assert_eq!(field(i), "texts.en.challenge");
        let mut i = good();
        i.default_locale = "fr".into();
        assert_eq!(field(i), "texts.fr.title");
        let mut i = good();
        i.budget_range = Some("lots".into());
        assert_eq!(field(i), "budget_range");
    }

    #[test]
    fn slugs_come_from_the_city_and_title() {
        assert_eq!(
            slug_from("Medellín", "Écoles: retour à l'école"),
            "medellin-ecoles-retour-a-l-ecole"
        );
        assert_eq!(slug_from("", "!!"), "practice");
    }
}
