//! Browsing the catalogue: filters and search words together, with a
//! fallback that keeps the catalogue answering when the search engine is down.

use sea_orm::DatabaseConnection;

use super::{CourseCard, CourseQuery, CourseSort, MAX_PER_PAGE, list_courses};
use crate::{
    Result,
    domain::{Level, Locale, Theme},
    search::{self, SearchIndex},
};

/// What a reader browsing the catalogue asks for.
#[derive(Clone, Debug, Default)]
pub struct Browse {
    /// The search words, as typed (empty for none).
    pub words: String,
    pub theme: Option<Theme>,
    pub language: Option<Locale>,
    pub level: Option<Level>,
    pub sort: CourseSort,
    /// The reader's locales, best first.
    pub preferred: Vec<Locale>,
}

impl Browse {
    /// The catalogue query behind a browse: every course passing the
    /// filters, sorted as asked, before the search words narrow them.
    pub fn query(&self) -> CourseQuery {
        CourseQuery {
            page: 1,
            per_page: MAX_PER_PAGE,
            themes: self.theme.iter().cloned().collect(),
            language: self.language,
            level: self.level,
            sort: self.sort,
            preferred: self.preferred.clone(),
        }
    }
}

/// The courses matching the filters and the search words, read from `db`
/// (`published::Published::browse` is the same from the rendered listing).
pub async fn browse(
    db: &DatabaseConnection,
    index: &SearchIndex,
    b: &Browse,
    theme_label: impl Fn(&str) -> Option<String>,
) -> Result<Vec<CourseCard>> {
    let page = list_courses(db, &b.query()).await?;
    Ok(search_within(page.items, index, b, theme_label).await)
}

/// Narrows the cards of `b`'s filters by its search words.
///
/// Without words the cards stay as they are (sorted as asked). With words
/// the search port ranks the courses (typos, stems, synonyms, every locale)
/// and the cards follow the search's order. When the search backend is
/// down, the catalogue still answers: the words are then matched against
/// the titles, summaries, slugs and theme labels of the cards
/// (`theme_label` names a theme code in the reader's language).
pub async fn search_within(
    cards: Vec<CourseCard>,
    index: &SearchIndex,
    b: &Browse,
    theme_label: impl Fn(&str) -> Option<String>,
) -> Vec<CourseCard> {
    let Some(query) = search::QueryText::parse(&b.words) else {
        return cards;
    };
    let mut filters = search::Filters::default();
    match &b.theme {
        Some(Theme::Sdg(n)) => filters.sdg.push(*n),
        Some(Theme::Sendai(n)) => filters.sendai.push(*n),
        _ => {}
    }
    filters.language.extend(b.language);
    filters.level.extend(b.level);
    let request = search::SearchRequest {
        query: Some(query),
        filters,
        facets: Vec::new(),
        page: 1,
        per_page: search::MAX_PER_PAGE,
        preferred: b.preferred.clone(),
    };
    match search::search(index, &request).await {
        Ok(found) => in_search_order(cards, &found.hits),
        Err(e) => {
            tracing::warn!(error = %e, "search failed; matching words against the catalogue");
            match_words(cards, &b.words, theme_label)
        }
    }
}

/// The cards the search found, in its order; cards it did not find are dropped.
fn in_search_order(mut cards: Vec<CourseCard>, hits: &[search::SearchHit]) -> Vec<CourseCard> {
    hits.iter()
        .filter_map(|hit| {
            let at = cards.iter().position(|c| c.slug == hit.slug)?;
            Some(cards.swap_remove(at))
        })
        .collect()
}

/// The fallback of `browse`: every word must appear in the title, summary,
/// slug or a theme's label, ignoring case and accents.
fn match_words(
    cards: Vec<CourseCard>,
    words: &str,
    theme_label: impl Fn(&str) -> Option<String>,
) -> Vec<CourseCard> {
    let words: Vec<String> = fold(words).split_whitespace().map(str::to_owned).collect();
    cards
        .into_iter()
        .filter(|c| {
            let themes: Vec<String> = c.themes.iter().filter_map(|t| theme_label(t)).collect();
            let hay = fold(&format!(
                "{} {} {} {}",
                c.title,
                c.summary,
                c.slug,
                themes.join(" ")
            ));
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect()
}

/// Lowercased, without accents: "Résilience" finds "resilience".
fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::*;

    fn card(slug: &str, title: &str, themes: &[&str]) -> CourseCard {
        CourseCard {
            slug: slug.into(),
            locale: Locale::En,
            default_locale: Locale::En,
            available_locales: vec![Locale::En],
            title: title.into(),
            summary: String::new(),
            level: Level::Beginner,
            duration_minutes: 60,
            themes: themes.iter().map(|t| (*t).to_owned()).collect(),
            module_count: 1,
            lesson_count: 1,
            enrolment_count: 0,
            published_at: None,
            updated_at: OffsetDateTime::UNIX_EPOCH,
            cover: None,
            sources: vec![],
        }
    }

    fn slugs(cards: &[CourseCard]) -> Vec<&str> {
        cards.iter().map(|c| c.slug.as_str()).collect()
    }

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(fold("Résilience Urbaine"), "resilience urbaine");
        assert_eq!(fold("PLANIFICACIÓN"), "planificacion");
    }

    #[test]
    fn every_word_must_match_the_title_slug_or_a_theme_label() {
        let cards = vec![
            card("sendai", "Localizing the Sendai Framework", &["sendai:1"]),
            card("sdgs", "Localizing the SDGs", &["sdg:11"]),
        ];
        let label = |code: &str| (code == "sdg:11").then(|| "Villes durables".to_owned());
        assert_eq!(
            slugs(&match_words(cards.clone(), "localizing", label)),
            ["sendai", "sdgs"]
        );
        assert_eq!(
            slugs(&match_words(cards.clone(), "SENDAI framework", label)),
            ["sendai"]
        );
        assert_eq!(
            slugs(&match_words(cards.clone(), "villes", label)),
            ["sdgs"]
        );
        assert!(match_words(cards, "villes sendai", label).is_empty());
    }
}
