//! The practice library: reading it with facets (anyone), writing and
//! submitting practices (members of an organisation), reviewing them
//! (reviewers), and "Contact this city". Every rule is the core service's.

mod files;
mod library;
mod workflow;

use std::collections::BTreeMap;

use agora_core::practices::{
    Indicator as CoreIndicator, PracticeFile, PracticeInput, PracticeRecord, PracticeText,
    PracticeView, Source as CoreSource,
};
use poem_openapi::{Object, Tags};

pub use self::{files::PracticeFilesApi, library::PracticesApi, workflow::PracticeSubmissionsApi};

#[derive(Tags)]
enum ApiTags {
    /// The practice library: what cities did, for others to learn from.
    Practices,
}

/// A result's indicator, with its figure as the source states it.
#[derive(Object, Clone)]
#[oai(rename = "PracticeIndicator")]
struct Indicator {
    name: String,
    figure: String,
}

/// A document the practice relies on.
#[derive(Object, Clone)]
#[oai(rename = "PracticeSource")]
struct Source {
    url: String,
    title: String,
}

/// A practice's words in one language; `challenge`, `actions`, `results`
/// and `lessons` are Markdown (`practice:<slug>` links to another practice).
#[derive(Object, Clone, Default)]
#[oai(rename = "PracticeText")]
struct Text {
    title: String,
    summary: String,
    #[oai(default)]
    challenge: String,
    #[oai(default)]
    actions: String,
    #[oai(default)]
    results: String,
    #[oai(default)]
    lessons: String,
    #[oai(default)]
    partners: String,
    #[oai(default)]
    indicators: Vec<Indicator>,
}

/// A practice as its authors write it.
#[derive(Object, Clone)]
#[oai(rename = "PracticeInput")]
struct Input {
    /// The organisation's slug; yours when left out.
    #[oai(default)]
    organisation: String,
    /// The URL name; made from the city and the title when left out.
    #[oai(default)]
    slug: String,
    city: String,
    /// ISO 3166-1 alpha-2.
    country: String,
    /// `under-10k`, `10k-50k`, `50k-100k`, `100k-500k`, `500k-1m`, `1m-5m`, `over-5m`.
    population_band: String,
    /// `sdg:11`, `sdg:11.5`, `sendai:1`…`sendai:4`, `sendai-target:a`…`g`.
    #[oai(default)]
    codes: Vec<String>,
    /// US dollars: `under-50k`, `50k-250k`, `250k-1m`, `1m-10m`, `over-10m`.
    budget_range: Option<String>,
    started_year: Option<i32>,
    duration_months: Option<i32>,
    /// You agree to receive "Contact this city" messages (your address stays hidden).
    #[oai(default)]
    contact_opt_in: bool,
    /// The main language: `en`, `fr` or `es`.
    default_locale: String,
    #[oai(default)]
    sources: Vec<Source>,
    /// Per language (`en`, `fr`, `es`); the main one is required.
    texts: BTreeMap<String, Text>,
}

impl From<Input> for PracticeInput {
    fn from(i: Input) -> Self {
        PracticeInput {
            organisation: i.organisation,
            slug: i.slug,
            city: i.city,
            country: i.country,
            population_band: i.population_band,
            codes: i.codes,
            budget_range: i.budget_range,
            started_year: i.started_year,
            duration_months: i.duration_months,
            contact_opt_in: i.contact_opt_in,
            default_locale: i.default_locale,
            sources: i
                .sources
                .into_iter()
                .map(|s| CoreSource {
                    url: s.url,
                    title: s.title,
                })
                .collect(),
            texts: i.texts.into_iter().map(|(l, t)| (l, t.into())).collect(),
        }
    }
}

impl From<Text> for PracticeText {
    fn from(t: Text) -> Self {
        PracticeText {
            title: t.title,
            summary: t.summary,
            challenge: t.challenge,
            actions: t.actions,
            results: t.results,
            lessons: t.lessons,
            partners: t.partners,
            indicators: t
                .indicators
                .into_iter()
                .map(|i| CoreIndicator {
                    name: i.name,
                    figure: i.figure,
                })
                .collect(),
        }
    }
}

impl From<PracticeText> for Text {
    fn from(t: PracticeText) -> Self {
        Text {
            title: t.title,
            summary: t.summary,
            challenge: t.challenge,
            actions: t.actions,
            results: t.results,
            lessons: t.lessons,
            partners: t.partners,
            indicators: t
                .indicators
                .into_iter()
                .map(|i| Indicator {
                    name: i.name,
                    figure: i.figure,
                })
                .collect(),
        }
    }
}

impl From<PracticeInput> for Input {
    fn from(i: PracticeInput) -> Self {
        Input {
            organisation: i.organisation,
            slug: i.slug,
            city: i.city,
            country: i.country,
            population_band: i.population_band,
            codes: i.codes,
            budget_range: i.budget_range,
            started_year: i.started_year,
            duration_months: i.duration_months,
            contact_opt_in: i.contact_opt_in,
            default_locale: i.default_locale,
            sources: i
                .sources
                .into_iter()
                .map(|s| Source {
                    url: s.url,
                    title: s.title,
                })
                .collect(),
            texts: i.texts.into_iter().map(|(l, t)| (l, t.into())).collect(),
        }
    }
}

/// A file of a practice: a PDF attachment or an image.
#[derive(Object)]
#[oai(rename = "PracticeFile")]
#[oai(skip_serializing_if_is_none)]
struct File {
    sha256: String,
    /// Where it is served: `/practices/{slug}/files/{sha256}.{ext}`.
    url: String,
    /// The name it was uploaded under.
    name: String,
    /// Sniffed from the content.
    content_type: String,
    size: u64,
    /// Images: what the image shows.
    alt: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
}

fn file_of(slug: &str, f: PracticeFile) -> File {
    File {
        url: format!(
            "{}/files/{}",
            agora_core::links::practice(slug),
            f.public_name()
        ),
        alt: f.is_image().then(|| f.alt.clone()),
        sha256: f.sha256,
        name: f.name,
        content_type: f.content_type,
        size: f.size,
        width: f.width,
        height: f.height,
    }
}

/// A practice as its authors and reviewers see it, with its review state.
#[derive(Object)]
#[oai(rename = "PracticeRecord")]
#[oai(skip_serializing_if_is_none)]
struct Record {
    slug: String,
    /// `draft`, `submitted`, `changes_requested`, `published` or `unpublished`.
    status: String,
    /// The reviewer's note, when they asked for changes.
    review_note: Option<String>,
    practice: Input,
    files: Vec<File>,
    can_edit: bool,
    can_submit: bool,
    can_review: bool,
}

impl From<PracticeRecord> for Record {
    fn from(r: PracticeRecord) -> Self {
        let slug = r.slug;
        Record {
            slug: slug.clone(),
            status: r.status,
            review_note: r.review_note,
            files: r.files.into_iter().map(|f| file_of(&slug, f)).collect(),
            practice: r.input.into(),
            can_edit: r.can_edit,
            can_submit: r.can_submit,
            can_review: r.can_review,
        }
    }
}

/// A published practice, in the reader's language.
#[derive(Object)]
#[oai(rename = "Practice")]
#[oai(skip_serializing_if_is_none)]
struct Practice {
    slug: String,
    url: String,
    organisation: String,
    organisation_name: String,
    organisation_kind: String,
    city: String,
    country: String,
    country_name: String,
    /// UN M49 region code, and its name.
    region: String,
    region_name: String,
    population_band: String,
    codes: Vec<String>,
    budget_range: Option<String>,
    started_year: Option<i32>,
    duration_months: Option<i32>,
    /// The language shown, and every language the practice has.
    locale: String,
    locales: Vec<String>,
    /// The words as written (Markdown where noted).
    text: Text,
    challenge_html: String,
    actions_html: String,
    results_html: String,
    lessons_html: String,
    sources: Vec<Source>,
    /// Images, each with its text alternative.
    images: Vec<File>,
    /// PDF documents.
    attachments: Vec<File>,
    /// "Contact this city" is open.
    contact_open: bool,
}

impl From<PracticeView> for Practice {
    fn from(v: PracticeView) -> Self {
        let slug = v.slug.clone();
        Practice {
            url: agora_core::links::practice(&v.slug),
            slug: slug.clone(),
            organisation: v.organisation_slug,
            organisation_name: v.organisation_name,
            organisation_kind: v.organisation_kind,
            city: v.city,
            country: v.country,
            country_name: v.country_name,
            region: v.region,
            region_name: v.region_name,
            population_band: v.population_band,
            codes: v.codes,
            budget_range: v.budget_range,
            started_year: v.started_year,
            duration_months: v.duration_months,
            locale: v.locale.as_str().to_owned(),
            locales: v.locales.iter().map(|l| l.as_str().to_owned()).collect(),
            text: v.text.into(),
            challenge_html: v.challenge_html,
            actions_html: v.actions_html,
            results_html: v.results_html,
            lessons_html: v.lessons_html,
            sources: v
                .sources
                .into_iter()
                .map(|s| Source {
                    url: s.url,
                    title: s.title,
                })
                .collect(),
            images: v.images.into_iter().map(|f| file_of(&slug, f)).collect(),
            attachments: v
                .attachments
                .into_iter()
                .map(|f| file_of(&slug, f))
                .collect(),
            contact_open: v.contact_open,
        }
    }
}
