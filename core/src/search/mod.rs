//! Catalogue search: one port over two engines (an embedded tantivy index by
//! default, Meilisearch in production), the documents they index, and the
//! search service the API calls. Nothing outside this module names an engine.

mod discussions;
mod documents;
mod embedded;
mod meili;
mod meili_posts;
pub mod query;
pub mod text;

use std::{
    collections::BTreeMap,
    future::Future,
    pin::Pin,
    sync::{Arc, OnceLock},
    time::Instant,
};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use discussions::{
    IndexThread, enqueue_thread_index, index_thread, load_thread_posts, reindex_discussions,
};
pub use documents::{
    IndexCourse, enqueue_index, enqueue_popularity_refresh, index_course, load_documents, reindex,
};
pub use query::{
    DurationBand, Facet, Filters, MAX_PER_PAGE, MAX_QUERY_CHARS, QueryText, RawSearch,
    SearchRequest,
};

use crate::{
    Error, Result,
    catalogue::pick_locale,
    config::Config,
    domain::{Level, Locale},
};

/// What the engines index about one published course: its facets, its
/// popularity, and its words in every locale it has.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CourseDocument {
    pub id: Uuid,
    pub slug: String,
    pub default_locale: Locale,
    /// The locales the course has, sorted.
    pub languages: Vec<Locale>,
    pub level: Level,
    pub duration_minutes: u32,
    pub duration_band: DurationBand,
    pub sdgs: Vec<u8>,
    pub sendai: Vec<u8>,
    pub tags: Vec<String>,
    pub enrolment_count: u64,
    pub texts: BTreeMap<Locale, LocaleText>,
}

/// A course's words in one locale, by weight: the title counts most, then
/// `about` (summary, module and lesson titles), then `body` (description,
/// objectives and lesson text, without Markdown).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocaleText {
    pub title: String,
    pub summary: String,
    pub about: String,
    pub body: String,
}

/// Counts per facet value, for the courses matching the query and filters.
pub type FacetCounts = BTreeMap<Facet, BTreeMap<String, u64>>;

/// What the port asks an engine.
#[derive(Clone, Copy, Debug)]
pub struct EngineQuery<'a> {
    pub query: Option<&'a QueryText>,
    pub filters: &'a Filters,
    pub offset: u64,
    pub limit: u64,
}

/// What an engine answers: one page of documents (their `body` may be cut
/// to an excerpt), the total, and the facet counts.
#[derive(Clone, Debug, Default)]
pub struct EngineResults {
    pub total: u64,
    pub hits: Vec<Arc<FoundCourse>>,
    pub facets: FacetCounts,
}

/// A course as an engine found it, with where the words of its titles and
/// summaries are, found the first time a search shows it. The embedded
/// engine keeps its copies for as long as its index is unchanged, so a
/// course shown again is not split into words again.
#[derive(Debug)]
pub struct FoundCourse {
    pub doc: CourseDocument,
    /// Per locale of `doc.texts`: the words of the title and of the summary.
    words: [OnceLock<[text::Words; 2]>; 3],
}

impl FoundCourse {
    pub fn new(doc: CourseDocument) -> FoundCourse {
        FoundCourse {
            doc,
            words: Default::default(),
        }
    }

    /// The words of the title and summary of `t`, the text in `locale`.
    fn title_and_summary_words(&self, locale: Locale, t: &LocaleText) -> &[text::Words; 2] {
        self.words[text::locale_index(locale)]
            .get_or_init(|| [text::Words::of(&t.title), text::Words::of(&t.summary)])
    }
}

/// One visible discussion post as the engines index it, with its
/// thread's title (which counts for the thread's opening post only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostDocument {
    pub id: Uuid,
    pub thread_id: Uuid,
    pub space_id: Uuid,
    pub title: String,
    /// The body without Markdown.
    pub body: String,
    pub opening: bool,
    pub created_ms: i64,
}

/// A discussion search: every word must match, in these spaces only.
#[derive(Clone, Copy, Debug)]
pub struct PostQuery<'a> {
    pub query: &'a QueryText,
    /// The spaces the reader can read; none finds nothing.
    pub spaces: &'a [Uuid],
    pub offset: u64,
    pub limit: u64,
}

/// Posts found, best first, and how many match in all.
#[derive(Clone, Debug, Default)]
pub struct PostResults {
    pub total: u64,
    pub hits: Vec<Uuid>,
}

/// What an engine's calls return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// A search engine. Two adapters: an embedded tantivy index, and Meilisearch.
/// Engines may be slow or down; each failure is an [`Error`], and a backend
/// that cannot be reached is [`Error::Unavailable`].
pub trait SearchPort: Send + Sync {
    fn name(&self) -> &'static str;
    /// Makes the engine ready (Meilisearch gets the index and its settings).
    fn prepare(&self) -> BoxFuture<'_, ()>;
    /// Adds or replaces documents (by course id).
    fn upsert(&self, docs: Vec<CourseDocument>) -> BoxFuture<'_, ()>;
    /// Removes courses; removing an absent one is not an error.
    fn delete(&self, ids: Vec<Uuid>) -> BoxFuture<'_, ()>;
    /// Replaces the whole index with `docs`; `progress` hears how many are in.
    fn replace_all<'a>(
        &'a self,
        docs: Vec<CourseDocument>,
        progress: &'a mut (dyn FnMut(u64) + Send),
    ) -> BoxFuture<'a, ()>;
    /// Courses in the index.
    fn count(&self) -> BoxFuture<'_, u64>;
    fn search<'a>(&'a self, q: EngineQuery<'a>) -> BoxFuture<'a, EngineResults>;
    /// What cached answers are valid for: changes at least whenever the
    /// contents may have changed.
    fn epoch(&self) -> u64;
    /// Replaces a discussion thread's posts with `docs` (none when it is gone).
    fn index_thread(&self, thread: Uuid, docs: Vec<PostDocument>) -> BoxFuture<'_, ()>;
    /// Replaces every discussion post.
    fn replace_all_posts(&self, docs: Vec<PostDocument>) -> BoxFuture<'_, ()>;
    /// Discussion posts in the index.
    fn count_posts(&self) -> BoxFuture<'_, u64>;
    fn search_posts<'a>(&'a self, q: PostQuery<'a>) -> BoxFuture<'a, PostResults>;
}

/// The search port's handle. Cloning is cheap; clones share the engine and
/// the cache of recent answers.
#[derive(Clone)]
pub struct SearchIndex {
    engine: Arc<dyn SearchPort>,
    /// Recent pages, keyed by the engine's contents and the request: the
    /// same search (a popular query, a facet being browsed) is answered once.
    /// `None` when switched off (`AGORA_SEARCH_ANSWER_CACHE=off`), to
    /// measure the engine itself.
    pages: Option<moka::future::Cache<String, Arc<SearchPage>>>,
}

/// Pages kept in the cache of recent answers.
const CACHED_PAGES: u64 = 4_000;

impl SearchIndex {
    /// A handle over any engine.
    pub fn new(engine: Arc<dyn SearchPort>) -> SearchIndex {
        SearchIndex {
            engine,
            pages: Some(
                moka::future::Cache::builder()
                    .max_capacity(CACHED_PAGES)
                    .time_to_live(std::time::Duration::from_secs(60))
                    .build(),
            ),
        }
    }

    /// The same handle, reusing recent answers or not.
    pub fn with_answer_cache(mut self, on: bool) -> SearchIndex {
        if !on {
            self.pages = None;
        }
        self
    }

    fn forget_answers(&self) {
        if let Some(pages) = &self.pages {
            pages.invalidate_all();
        }
    }

    /// Meilisearch (index `meili_index`) when `meili_url` is set, else the
    /// embedded index in `<data>/search`.
    pub fn from_config(config: &Config) -> Result<SearchIndex> {
        let engine: Arc<dyn SearchPort> = match &config.meili_url {
            Some(url) => Arc::new(meili::MeiliIndex::new(
                url,
                config.meili_key.as_ref(),
                &config.meili_index,
            )?),
            None => Arc::new(embedded::EmbeddedIndex::open(
                &config.data_dir.join("search"),
            )?),
        };
        Ok(SearchIndex::new(engine).with_answer_cache(config.search_answer_cache))
    }

    pub fn engine_name(&self) -> &'static str {
        self.engine.name()
    }

    /// Makes the engine ready: Meilisearch gets the index and its settings.
    pub async fn prepare(&self) -> Result<()> {
        self.engine.prepare().await
    }

    /// Adds or replaces documents (by course id).
    pub async fn upsert(&self, docs: Vec<CourseDocument>) -> Result<()> {
        let done = self.engine.upsert(docs).await;
        self.forget_answers();
        done
    }

    /// Removes courses; removing an absent one is not an error.
    pub async fn delete(&self, ids: Vec<Uuid>) -> Result<()> {
        let done = self.engine.delete(ids).await;
        self.forget_answers();
        done
    }

    /// Replaces the whole index with `docs`; `progress` hears how many are in.
    pub async fn replace_all(
        &self,
        docs: Vec<CourseDocument>,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<()> {
        let done = self.engine.replace_all(docs, progress).await;
        self.forget_answers();
        done
    }

    /// Courses in the index.
    pub async fn count(&self) -> Result<u64> {
        self.engine.count().await
    }

    pub async fn run(&self, q: EngineQuery<'_>) -> Result<EngineResults> {
        self.engine.search(q).await
    }

    /// Replaces a discussion thread's posts (none when it is gone).
    pub async fn index_thread(&self, thread: Uuid, docs: Vec<PostDocument>) -> Result<()> {
        self.engine.index_thread(thread, docs).await
    }

    /// Replaces every discussion post.
    pub async fn replace_all_posts(&self, docs: Vec<PostDocument>) -> Result<()> {
        self.engine.replace_all_posts(docs).await
    }

    /// Discussion posts in the index.
    pub async fn count_posts(&self) -> Result<u64> {
        self.engine.count_posts().await
    }

    /// Discussion posts matching a query, in the given spaces only.
    pub async fn search_posts(&self, q: PostQuery<'_>) -> Result<PostResults> {
        self.engine.search_posts(q).await
    }

    /// What the cached pages are valid for.
    fn epoch(&self) -> u64 {
        self.engine.epoch()
    }
}

/// One course found, in the reader's locale.
#[derive(Clone, Debug)]
pub struct SearchHit {
    pub slug: String,
    /// The locale of `title` and `summary`.
    pub locale: Locale,
    pub default_locale: Locale,
    pub available_locales: Vec<Locale>,
    pub title: String,
    pub summary: String,
    pub level: Level,
    pub duration_minutes: u32,
    pub duration_band: DurationBand,
    pub sdgs: Vec<u8>,
    pub sendai: Vec<u8>,
    pub tags: Vec<String>,
    pub enrolment_count: u64,
    pub highlight: Highlight,
}

/// The matches, as HTML-escaped text with `<mark>` around matching words.
#[derive(Clone, Debug, Default)]
pub struct Highlight {
    pub title: String,
    pub summary: String,
    /// Where the match is, when it is not in the title or summary.
    pub snippet: Option<String>,
    /// The locale of the snippet (the course may match in another locale).
    pub snippet_locale: Option<Locale>,
}

#[derive(Clone, Debug)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
}

#[derive(Clone, Debug)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
    /// The facets asked for, each value with its count, in a stable order.
    pub facets: Vec<(Facet, Vec<FacetValue>)>,
    /// Time spent in the engine.
    pub took_ms: u64,
}

/// Searches the catalogue. A page past the last one is a bad parameter.
pub async fn search(index: &SearchIndex, req: &SearchRequest) -> Result<Arc<SearchPage>> {
    let Some(pages) = &index.pages else {
        return Ok(Arc::new(search_uncached(index, req).await?));
    };
    let key = format!("{}|{req:?}", index.epoch());
    if let Some(page) = pages.get(&key).await {
        count_query(index, "cached");
        return Ok(page);
    }
    let page = Arc::new(search_uncached(index, req).await?);
    pages.insert(key, page.clone()).await;
    Ok(page)
}

/// Counts a search for `/metrics`, by engine and by who answered.
fn count_query(index: &SearchIndex, answer: &'static str) {
    crate::metrics::get()
        .search_queries
        .get_or_create(&crate::metrics::OutcomeLabels {
            backend: index.engine_name(),
            outcome: answer,
        })
        .inc();
}

async fn search_uncached(index: &SearchIndex, req: &SearchRequest) -> Result<SearchPage> {
    let started = Instant::now();
    let offset = (req.page - 1) * req.per_page;
    let results = index
        .run(EngineQuery {
            query: req.query.as_ref(),
            filters: &req.filters,
            offset,
            limit: req.per_page,
        })
        .await?;
    let took = started.elapsed();
    let took_ms = took.as_millis() as u64;
    count_query(index, "engine");
    crate::metrics::get()
        .search_duration
        .get_or_create(&crate::metrics::BackendLabels {
            backend: index.engine_name(),
        })
        .observe(took.as_secs_f64());
    if req.page > 1 && offset >= results.total {
        let pages = results.total.div_ceil(req.per_page);
        return Err(Error::BadParameter {
            field: "page".into(),
            reason: format!(
                "page {} is past the end: {} result(s) on {} page(s)",
                req.page, results.total, pages
            ),
        });
    }
    let highlighter = req
        .query
        .as_ref()
        .map(QueryText::highlighter)
        .unwrap_or_default();
    let hits = results
        .hits
        .into_iter()
        .map(|found| present(&found, &req.preferred, &highlighter))
        .collect::<Result<Vec<_>>>()?;
    Ok(SearchPage {
        hits,
        page: req.page,
        per_page: req.per_page,
        total: results.total,
        facets: order_facets(&results.facets, &req.facets),
        took_ms,
    })
}

fn present(
    found: &FoundCourse,
    preferred: &[Locale],
    highlighter: &text::Highlighter,
) -> Result<SearchHit> {
    let doc = &found.doc;
    let locale = pick_locale(preferred, &doc.languages, doc.default_locale);
    let (shown_locale, shown) = doc
        .texts
        .get_key_value(&locale)
        .or_else(|| doc.texts.iter().next())
        .ok_or_else(|| Error::Internal(format!("indexed course {} has no text", doc.slug)))?;
    let [title_words, summary_words] = found.title_and_summary_words(*shown_locale, shown);
    let (title, in_title) = highlighter.highlight_words(&shown.title, title_words, locale);
    let (summary, in_summary) = highlighter.highlight_words(&shown.summary, summary_words, locale);
    let mut highlight = Highlight {
        title,
        summary,
        snippet: None,
        snippet_locale: None,
    };
    if !highlighter.is_empty() && !in_title && !in_summary {
        // Titles and summaries first, in every locale (the reader's, then
        // the course's default, then the rest): they are short, and a
        // Spanish reader searching in English sees the English title that
        // matched without the whole Spanish lesson text being scanned first.
        // Then each locale's longer texts, the reader's first.
        let mut order = vec![locale];
        for l in std::iter::once(doc.default_locale).chain(doc.texts.keys().copied()) {
            if !order.contains(&l) {
                order.push(l);
            }
        }
        let short: [fn(&LocaleText) -> &str; 2] = [|t| &t.title, |t| &t.summary];
        let long: [fn(&LocaleText) -> &str; 2] = [|t| &t.about, |t| &t.body];
        let places = short
            .iter()
            .flat_map(|f| order.iter().map(move |l| (*l, f)))
            .chain(order.iter().flat_map(|l| long.iter().map(move |f| (*l, f))));
        for (l, field) in places {
            let Some(t) = doc.texts.get(&l) else { continue };
            if let Some(s) = highlighter.snippet(field(t), l) {
                highlight.snippet = Some(s);
                highlight.snippet_locale = Some(l);
                break;
            }
        }
    }
    Ok(SearchHit {
        title: shown.title.clone(),
        summary: shown.summary.clone(),
        slug: doc.slug.clone(),
        locale,
        default_locale: doc.default_locale,
        available_locales: doc.languages.clone(),
        level: doc.level,
        duration_minutes: doc.duration_minutes,
        duration_band: doc.duration_band,
        sdgs: doc.sdgs.clone(),
        sendai: doc.sendai.clone(),
        tags: doc.tags.clone(),
        enrolment_count: doc.enrolment_count,
        highlight,
    })
}

/// Facet values in their natural order: goals by number, locales and levels
/// and bands as declared.
fn order_facets(counts: &FacetCounts, wanted: &[Facet]) -> Vec<(Facet, Vec<FacetValue>)> {
    let rank = |facet: Facet, value: &str| -> u64 {
        match facet {
            Facet::Sdg | Facet::Sendai => value.parse().unwrap_or(u64::MAX),
            Facet::Language => Locale::ALL
                .iter()
                .position(|l| l.as_str() == value)
                .map_or(u64::MAX, |p| p as u64),
            Facet::Level => Level::ALL
                .iter()
                .position(|l| l.as_str() == value)
                .map_or(u64::MAX, |p| p as u64),
            Facet::Duration => DurationBand::ALL
                .iter()
                .position(|b| b.as_str() == value)
                .map_or(u64::MAX, |p| p as u64),
        }
    };
    wanted
        .iter()
        .map(|&facet| {
            let mut values: Vec<FacetValue> = counts
                .get(&facet)
                .into_iter()
                .flatten()
                .filter(|(_, n)| **n > 0)
                .map(|(v, n)| FacetValue {
                    value: v.clone(),
                    count: *n,
                })
                .collect();
            values.sort_by(|a, b| {
                rank(facet, &a.value)
                    .cmp(&rank(facet, &b.value))
                    .then_with(|| a.value.cmp(&b.value))
            });
            (facet, values)
        })
        .collect()
}
