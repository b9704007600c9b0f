//! The public faces of published courses, kept rendered: catalogue
//! listings, course pages, and the outline the lesson player shows.
//!
//! Enrolment counts (shown on cards, and the order of the default
//! "popular" sort) change with every enrolment, not with publication. They
//! are not worth a content generation each: listings and course pages are
//! rebuilt once per [`COUNTS_WINDOW`], a clock-aligned minute that every
//! replica agrees on, so a count or a popularity order is at most a minute
//! old. The window is part of [`CatalogueVersion`], so a client revalidating
//! a listing gets fresh counts once the window has turned.

use std::{sync::Arc, time::Duration};

use super::Published;
use crate::{
    Result,
    catalogue::{self, Browse, CourseCard, CourseOutline, CoursePage, CourseQuery},
    domain::Locale,
    search::SearchIndex,
};

/// How long enrolment counts in listings and on course pages may lag.
pub const COUNTS_WINDOW: Duration = Duration::from_secs(60);

/// The version of what the public catalogue pages show: the content
/// generation and the counts window. Equal versions, equal pages (for the
/// same address, locale and build).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CatalogueVersion {
    pub generation: i64,
    pub window: u64,
}

impl std::fmt::Display for CatalogueVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "g{}.w{}", self.generation, self.window)
    }
}

fn counts_window() -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    now.as_secs() / COUNTS_WINDOW.as_secs()
}

impl Published {
    /// The version of the catalogue as this process serves it now: no
    /// database work, so a conditional request costs nothing.
    pub fn catalogue_version(&self) -> CatalogueVersion {
        CatalogueVersion {
            generation: self.generation(),
            window: counts_window(),
        }
    }

    /// A page of the catalogue, built once per version and query.
    pub async fn listing(&self, q: &CourseQuery) -> Result<Arc<CoursePage>> {
        let s = self.current_snapshot().await?;
        let key = format!("{}|{q:?}", counts_window());
        if let Some(p) = s.listings.get(&key).await {
            return Ok(p);
        }
        let p = Arc::new(catalogue::list_courses(&self.db, q).await?);
        s.listings.insert(key, p.clone()).await;
        Ok(p)
    }

    /// The courses matching a reader's filters (from the rendered listing)
    /// and search words (asked of the search port: see
    /// `catalogue::search_within`).
    pub async fn browse(
        &self,
        index: &SearchIndex,
        b: &Browse,
        theme_label: impl Fn(&str) -> Option<String>,
    ) -> Result<Vec<CourseCard>> {
        let page = self.listing(&b.query()).await?;
        Ok(catalogue::search_within(page.items.clone(), index, b, theme_label).await)
    }

    /// A published course's page (card, description, syllabus) in the
    /// reader's locale, built once per version.
    pub async fn course_page(
        &self,
        slug: &str,
        preferred: &[Locale],
    ) -> Result<Arc<CourseOutline>> {
        let s = self.current_snapshot().await?;
        let key = format!("{}|{slug}|{preferred:?}", counts_window());
        if let Some(p) = s.course_pages.get(&key).await {
            return Ok(p);
        }
        let p = Arc::new(catalogue::course_outline(&self.db, slug, preferred).await?);
        s.course_pages.insert(key, p.clone()).await;
        Ok(p)
    }

    /// A published course's modules and lessons in `locale` (with the
    /// course's fallback), for the lesson player: counts do not matter
    /// there, so it lives as long as the content generation.
    pub async fn outline(&self, slug: &str, locale: Locale) -> Result<Arc<CourseOutline>> {
        let s = self.current_snapshot().await?;
        let key = (slug.to_owned(), locale);
        if let Some(o) = s.outlines.get(&key).await {
            return Ok(o);
        }
        let o = Arc::new(catalogue::course_outline(&self.db, slug, &[locale]).await?);
        s.outlines.insert(key, o.clone()).await;
        Ok(o)
    }
}
