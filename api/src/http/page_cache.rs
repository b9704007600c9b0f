//! Pages of published content kept rendered for anonymous readers: the
//! home page, the catalogue and course pages.
//!
//! An anonymous reader's page depends on the content version (content
//! generation and counts window), the page's address, its language, and
//! the reader's CSRF token (only in the frame, which `frame` fills in per
//! request). Its body is rendered once per version, address and language
//! and kept here; an entry of an older version is never served, so a
//! publication shows at once on the replica that made it and within a poll
//! on the others (see `agora_core::published`).

use std::{sync::Arc, time::Duration};

use agora_core::{domain::Locale, published::CatalogueVersion};

/// A page body and its title, as rendered at `version`.
pub struct KeptPage {
    pub version: CatalogueVersion,
    pub title: String,
    pub body: String,
    /// The page's oEmbed discovery link.
    pub oembed: Option<String>,
}

/// The kept pages, by address (path and query, without `lang`) and language.
#[derive(Clone)]
pub struct PageCache {
    pages: moka::future::Cache<(String, Locale), Arc<KeptPage>>,
    /// JSON answers of the public catalogue, by a key that names their
    /// version (their `ETag`) and their query.
    answers: moka::future::Cache<String, bytes::Bytes>,
    /// Lesson pages' bodies with slots, by course, lesson and language.
    lessons: moka::future::Cache<(String, String, Locale), Arc<KeptLesson>>,
    /// Learners' "my learning" pages.
    pub mine: super::learner_pages::LearnerPages,
}

pub use super::parts::{Part, cut};

/// A lesson page's body as rendered for every learner at `generation`:
/// one for a lesson not yet done, one for a lesson done, and the outline's
/// lessons with and without their tick, by lesson id.
pub struct KeptLesson {
    pub generation: i64,
    pub title: String,
    pub bodies: [Vec<Part>; 2],
    pub items: Vec<(uuid::Uuid, [Box<str>; 2])>,
}

impl Default for PageCache {
    fn default() -> Self {
        Self {
            // Addresses with filters count too: bounded, least used first out.
            pages: moka::future::Cache::builder()
                .max_capacity(2_000)
                .time_to_live(agora_core::published::COUNTS_WINDOW * 2)
                .time_to_idle(Duration::from_secs(600))
                .build(),
            lessons: moka::future::Cache::builder()
                .max_capacity(20_000)
                .time_to_idle(Duration::from_secs(3600))
                .build(),
            answers: moka::future::Cache::builder()
                .max_capacity(2_000)
                .time_to_live(agora_core::published::COUNTS_WINDOW * 2)
                .time_to_idle(Duration::from_secs(600))
                .build(),
            mine: Default::default(),
        }
    }
}

impl PageCache {
    /// The page kept for `here` in `locale` at `version`, if any.
    pub async fn get(
        &self,
        here: &str,
        locale: Locale,
        version: CatalogueVersion,
    ) -> Option<Arc<KeptPage>> {
        let p = self.pages.get(&(here.to_owned(), locale)).await?;
        (p.version == version).then_some(p)
    }

    /// Keeps a page rendered at `version` (read before its content was).
    pub async fn keep(&self, here: &str, locale: Locale, page: KeptPage) {
        self.pages
            .insert((here.to_owned(), locale), Arc::new(page))
            .await;
    }

    /// A JSON answer kept under `key`, which must name its content version.
    pub async fn answer(&self, key: &str) -> Option<bytes::Bytes> {
        self.answers.get(key).await
    }

    /// Keeps a JSON answer rendered from content read after `key`'s version was.
    pub async fn keep_answer(&self, key: String, body: bytes::Bytes) {
        self.answers.insert(key, body).await;
    }

    /// The kept body of a lesson page, if it is of `generation`.
    pub async fn lesson(
        &self,
        slug: &str,
        key: &str,
        locale: Locale,
        generation: i64,
    ) -> Option<Arc<KeptLesson>> {
        let k = self
            .lessons
            .get(&(slug.to_owned(), key.to_owned(), locale))
            .await?;
        (k.generation == generation).then_some(k)
    }

    /// Keeps a lesson page's body, rendered from content read after its generation.
    pub async fn keep_lesson(
        &self,
        slug: &str,
        key: &str,
        locale: Locale,
        kept: Arc<KeptLesson>,
    ) -> Arc<KeptLesson> {
        self.lessons
            .insert((slug.to_owned(), key.to_owned(), locale), kept.clone())
            .await;
        kept
    }
}
