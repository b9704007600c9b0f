//! A practice as its reader sees it: in the first of their languages the
//! practice has (else its main one), its Markdown rendered and sanitised.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::{
    Code, PracticeFile, PracticeInput, PracticeText, Source, can_review_practices, files::files_of,
};
use crate::{
    accounts::Principal,
    domain::Locale,
    entities::{organisation, practice},
    markdown::{self, LinkTarget},
    organisations::{area_name, country, name_in},
};

/// A practice's Markdown names no lesson or course file: such links lead nowhere.
pub(super) struct PracticeLinks;

impl LinkTarget for PracticeLinks {
    fn lesson(&self, _key: &str) -> String {
        String::new()
    }
    fn resource(&self, _file: &str) -> String {
        String::new()
    }
}

/// A source as shown.
#[derive(Clone, Debug)]
pub struct SourceView {
    pub url: String,
    pub title: String,
}

/// A practice, in one language, for its reader.
#[derive(Clone, Debug)]
pub struct PracticeView {
    pub id: Uuid,
    pub slug: String,
    pub status: String,
    pub organisation_slug: String,
    pub organisation_name: String,
    /// `municipality`, `region`, …
    pub organisation_kind: String,
    pub city: String,
    pub country: String,
    pub country_name: String,
    pub region: String,
    pub region_name: String,
    pub population_band: String,
    pub codes: Vec<String>,
    pub budget_range: Option<String>,
    pub started_year: Option<i32>,
    pub duration_months: Option<i32>,
    /// The language shown, and every language the practice has.
    pub locale: Locale,
    pub locales: Vec<Locale>,
    /// The words, Markdown as written.
    pub text: PracticeText,
    pub challenge_html: String,
    pub actions_html: String,
    pub results_html: String,
    pub lessons_html: String,
    pub sources: Vec<SourceView>,
    /// Images, each with its text alternative, and PDF attachments.
    pub images: Vec<PracticeFile>,
    pub attachments: Vec<PracticeFile>,
    /// Someone receives "Contact this city" messages.
    pub contact_open: bool,
    /// For its authors and reviewers only.
    pub review_note: Option<String>,
    pub can_edit: bool,
    pub can_review: bool,
    /// The reader is signed in, may write, and is not the contact.
    pub can_contact: bool,
}

/// A practice as its authors edit it.
#[derive(Clone, Debug)]
pub struct PracticeRecord {
    pub slug: String,
    pub status: String,
    pub review_note: Option<String>,
    pub input: PracticeInput,
    pub files: Vec<PracticeFile>,
    pub can_edit: bool,
    pub can_submit: bool,
    pub can_review: bool,
}

pub(super) fn texts_of(p: &practice::Model) -> BTreeMap<String, PracticeText> {
    serde_json::from_value(p.texts.clone()).unwrap_or_default()
}

pub(super) fn sources_of(p: &practice::Model) -> Vec<Source> {
    serde_json::from_value(p.sources.clone()).unwrap_or_default()
}

pub(super) fn codes_of(p: &practice::Model) -> Vec<Code> {
    let raw: Vec<String> = serde_json::from_value(p.codes.clone()).unwrap_or_default();
    raw.iter().filter_map(|c| c.parse().ok()).collect()
}

/// The language to show: the first preferred one the practice has, else
/// its main language.
pub(super) fn pick_locale(
    texts: &BTreeMap<String, PracticeText>,
    default: &str,
    preferred: &[Locale],
) -> Locale {
    preferred
        .iter()
        .copied()
        .find(|l| texts.contains_key(l.as_str()))
        .or_else(|| Locale::from_tag(default).ok().flatten())
        .unwrap_or(Locale::En)
}

pub(super) fn input_of(p: &practice::Model, org: &organisation::Model) -> PracticeInput {
    PracticeInput {
        organisation: org.slug.clone(),
        slug: p.slug.clone(),
        city: p.city.clone(),
        country: p.country.clone(),
        population_band: p.population_band.clone(),
        codes: codes_of(p).iter().map(ToString::to_string).collect(),
        budget_range: p.budget_range.clone(),
        started_year: p.started_year,
        duration_months: p.duration_months,
        contact_opt_in: p.contact_user_id.is_some(),
        default_locale: p.default_locale.clone(),
        sources: sources_of(p),
        texts: texts_of(p),
    }
}

/// What the reader may do with a practice.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Rights {
    pub read: bool,
    pub edit: bool,
    pub review: bool,
}

pub(super) fn view(
    p: &practice::Model,
    org: &organisation::Model,
    who: Option<&Principal>,
    rights: Rights,
    preferred: &[Locale],
) -> PracticeView {
    let texts = texts_of(p);
    let locale = pick_locale(&texts, &p.default_locale, preferred);
    let text = texts
        .get(locale.as_str())
        .or_else(|| texts.get(&p.default_locale))
        .cloned()
        .unwrap_or_default();
    let render = |md: &str| without_images(markdown::render(md, &PracticeLinks));
    let c = country(&p.country);
    let contact_open = p.contact_user_id.is_some() && p.status == super::PUBLISHED;
    let (images, attachments) = files_of(p).into_iter().partition(PracticeFile::is_image);
    PracticeView {
        id: p.id,
        slug: p.slug.clone(),
        status: p.status.clone(),
        organisation_slug: org.slug.clone(),
        organisation_name: name_in(&org.name, &org.names, locale),
        organisation_kind: org.kind.clone(),
        city: p.city.clone(),
        country: p.country.clone(),
        country_name: c.map(|c| c.name(locale)).unwrap_or_default().to_owned(),
        region: p.m49_region.clone(),
        region_name: area_name(&p.m49_region, locale)
            .unwrap_or_default()
            .to_owned(),
        population_band: p.population_band.clone(),
        codes: codes_of(p).iter().map(ToString::to_string).collect(),
        budget_range: p.budget_range.clone(),
        started_year: p.started_year,
        duration_months: p.duration_months,
        locale,
        locales: Locale::ALL
            .into_iter()
            .filter(|l| texts.contains_key(l.as_str()))
            .collect(),
        challenge_html: render(&text.challenge),
        actions_html: render(&text.actions),
        results_html: render(&text.results),
        lessons_html: render(&text.lessons),
        text,
        sources: sources_of(p)
            .into_iter()
            .map(|s| SourceView {
                url: s.url,
                title: s.title,
            })
            .collect(),
        images,
        attachments,
        contact_open,
        review_note: (rights.edit || rights.review)
            .then(|| p.review_note.clone())
            .flatten(),
        can_edit: rights.edit,
        can_review: rights.review,
        can_contact: contact_open && who.is_some_and(|w| Some(w.user_id) != p.contact_user_id),
    }
}

pub(super) async fn reviewer(
    db: &impl sea_orm::ConnectionTrait,
    who: Option<&Principal>,
) -> crate::Result<bool> {
    match who {
        Some(w) => can_review_practices(db, w).await,
        None => Ok(false),
    }
}

/// Drops every `<img>` of a practice's rendered text: its images are its
/// uploaded files, each shown with its text alternative, never pictures
/// pulled in by the text (whose alt text nobody checked). Works on the
/// sanitiser's output, where attribute values are double-quoted.
fn without_images(html: String) -> String {
    if !html.contains("<img") {
        return html;
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(at) = rest.find("<img") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        rest = &tail[markdown::tag_len(tail)..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn images_in_a_practice_text_are_dropped() {
        let html = super::without_images(crate::markdown::render(
            "a <img src=x onerror=\"alert(1)\"> b ![x](https://e.org/a.png \"t>\") c",
            &super::PracticeLinks,
        ));
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains('a') && html.contains(" c"), "{html}");
    }
}
