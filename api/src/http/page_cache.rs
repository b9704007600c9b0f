//! Pages of published content kept rendered for anonymous readers: the
//! home page, the catalogue and course pages.
//!
//! An anonymous reader's page depends on the content version (content
//! generation and counts window), the page's address, its language, and
//! the reader's CSRF token (only in the frame's language form). The whole
//! page, frame included, is rendered once per version, address and language
//! and kept here cut at the token; a request puts its reader's token in
//! between. An entry of an older version is never served, so a publication
//! shows at once on the replica that made it and within a poll on the
//! others (see `agora_core::published`).
//!
//! Every cache here is bounded by the bytes it holds (moka's weigher), not
//! by a count of entries: a catalogue page of a large catalogue weighs a
//! thousand times a course card.

use std::{sync::Arc, time::Duration};

use agora_core::{domain::Locale, published::CatalogueVersion};

/// A whole anonymous page as rendered at `version`, cut where the
/// reader's CSRF token goes (slot 0, the only slot).
pub struct KeptPage {
    pub version: CatalogueVersion,
    pub page: Vec<Part>,
}

impl KeptPage {
    /// The page with `csrf` (escaped as handlebars escapes) in its slots.
    pub fn with_token(&self, csrf: &str) -> String {
        let mut out = String::with_capacity(self.len() + 4 * csrf.len() + 16);
        for p in &self.page {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Slot(_) => super::frame::push_escaped(&mut out, csrf),
            }
        }
        out
    }

    fn len(&self) -> usize {
        self.page
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.len(),
                Part::Slot(_) => 0,
            })
            .sum()
    }
}

/// Bytes each cache may hold (keys and values, roughly; moka evicts the
/// least used first when over).
const PAGES_BYTES: u64 = 24 << 20;
const ANSWERS_BYTES: u64 = 16 << 20;
const LESSONS_BYTES: u64 = 24 << 20;

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
    /// Discussion thread pages.
    pub threads: super::thread_pages::ThreadPages,
}

pub use super::parts::{Part, cut, parts_bytes, weight};

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
                .max_capacity(PAGES_BYTES)
                .weigher(|k: &(String, Locale), v: &Arc<KeptPage>| {
                    weight(k.0.len() + parts_bytes(&v.page) + 64)
                })
                .time_to_live(agora_core::published::COUNTS_WINDOW * 2)
                .time_to_idle(Duration::from_secs(600))
                .build(),
            lessons: moka::future::Cache::builder()
                .max_capacity(LESSONS_BYTES)
                .weigher(|k: &(String, String, Locale), v: &Arc<KeptLesson>| {
                    let items: usize = v
                        .items
                        .iter()
                        .map(|(_, i)| i[0].len() + i[1].len() + 48)
                        .sum();
                    weight(
                        k.0.len()
                            + k.1.len()
                            + v.title.len()
                            + v.bodies.iter().map(|b| parts_bytes(b)).sum::<usize>()
                            + items
                            + 64,
                    )
                })
                .time_to_idle(Duration::from_secs(3600))
                .build(),
            answers: moka::future::Cache::builder()
                .max_capacity(ANSWERS_BYTES)
                .weigher(|k: &String, v: &bytes::Bytes| weight(k.len() + v.len() + 64))
                .time_to_live(agora_core::published::COUNTS_WINDOW * 2)
                .time_to_idle(Duration::from_secs(600))
                .build(),
            mine: Default::default(),
            threads: Default::default(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn version() -> CatalogueVersion {
        CatalogueVersion {
            generation: 1,
            window: 1,
        }
    }

    /// A kept page takes each reader's token in every slot, escaped as
    /// handlebars escapes, and nothing else of the page changes.
    #[test]
    fn a_kept_page_is_the_page_with_the_readers_token() {
        let marker = crate::web::NO_TOKEN;
        let page = format!(
            "<form><input name=\"csrf\" value=\"{marker}\"></form><p>a &amp; b</p>\
             <input value=\"{marker}\">"
        );
        let kept = KeptPage {
            version: version(),
            page: cut(&page, &[marker.to_owned()]),
        };
        for token in ["abc", "a\"<b>&c", ""] {
            let mut escaped = String::new();
            super::super::frame::push_escaped(&mut escaped, token);
            assert_eq!(kept.with_token(token), page.replace(marker, &escaped));
        }
    }

    /// The caches are bounded by bytes: a large page weighs its size.
    #[tokio::test]
    async fn the_page_cache_is_bounded_by_bytes() {
        let cache = PageCache::default();
        let big = "x".repeat(1 << 20);
        for n in 0..64 {
            cache
                .keep(
                    &format!("/courses?page={n}"),
                    Locale::En,
                    KeptPage {
                        version: version(),
                        page: vec![Part::Text(big.as_str().into())],
                    },
                )
                .await;
        }
        cache.pages.run_pending_tasks().await;
        let held = cache.pages.weighted_size();
        assert!(held <= PAGES_BYTES, "{held} bytes held");
        let count = cache.pages.entry_count();
        assert!(count > 0 && count < 64, "{count} pages held");
    }
}
