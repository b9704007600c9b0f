//! The embedded search engine: a tantivy index in `<data>/search`.
//!
//! One document per course. Every text is indexed twice: folded words (for
//! exact, typo-tolerant and prefix matches, across all locales) and stemmed
//! words, in a field per locale analysed by that locale's stemmer. Scores are
//! deliberately coarse (the best kind of match of each query word, weighted
//! by where it is), so that equally good matches tie, and ties go to the
//! more popular course.

use std::{
    collections::HashMap,
    path::Path,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError, Term,
    query::{AllQuery, Query},
    schema::{
        FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
        Value,
    },
};
use uuid::Uuid;

mod collect;
mod phrases;
mod posts;
mod queries;
mod typos;
mod words;

use collect::{DocFacts, FilterCodes, Matches, doc_facts, facet_names};
use phrases::SynonymPhrases;
use words::Vocabulary;

use super::{
    BoxFuture, CourseDocument, EngineQuery, EngineResults, FoundCourse, PostDocument, PostQuery,
    PostResults, SearchPort, text,
};
use crate::{
    Error, Result,
    domain::{Level, Locale},
};

/// Where a word is found, and how much that counts.
#[derive(Clone, Copy)]
enum Tier {
    Title,
    About,
    Body,
}

const TIERS: [(Tier, f32); 3] = [(Tier::Title, 4.0), (Tier::About, 2.0), (Tier::Body, 1.0)];
/// How much each kind of match counts, relative to the same word exactly.
const STEM: f32 = 0.9;
const PREFIX: f32 = 0.7;
const TYPO: f32 = 0.6;
/// Stored text of a locale's body is cut to this, for snippets.
const STORED_BODY_BYTES: usize = 8_000;
/// How long a writer waits for another process (say, `agora search reindex`) to let go.
const LOCK_WAIT: Duration = Duration::from_secs(30);

#[derive(Clone)]
struct Fields {
    id: Field,
    doc: Field,
    /// Folded words, every locale, per tier.
    plain: [Field; 3],
    /// Stemmed words, per tier and locale.
    stemmed: [[Field; 3]; 3],
    sdg: Field,
    sendai: Field,
    language: Field,
    level: Field,
    duration: Field,
    popularity: Field,
    /// Breaks ties, so that the order (and so pagination) holds across
    /// commits and merges, which move documents.
    slug: Field,
}

const FAST_FIELDS: [&str; 6] = [
    "sdg",
    "sendai",
    "language",
    "level",
    "duration",
    "popularity",
];

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::Basic),
        )
    };
    let tiers = ["title", "about", "body"];
    let plain = tiers.map(|t| b.add_text_field(&format!("{t}_plain"), text(text::PLAIN)));
    let stemmed = tiers.map(|t| {
        Locale::ALL.map(|l| b.add_text_field(&format!("{t}_{l}"), text(text::stemmed_name(l))))
    });
    let fields = Fields {
        id: b.add_text_field("id", STRING),
        doc: b.add_bytes_field("doc", STORED),
        plain,
        stemmed,
        sdg: b.add_u64_field("sdg", FAST),
        sendai: b.add_u64_field("sendai", FAST),
        language: b.add_u64_field("language", FAST),
        level: b.add_u64_field("level", FAST),
        duration: b.add_u64_field("duration", FAST),
        popularity: b.add_u64_field("popularity", FAST),
        slug: b.add_text_field("slug", FAST),
    };
    (b.build(), fields)
}

fn locale_code(l: Locale) -> u64 {
    Locale::ALL.iter().position(|x| *x == l).unwrap_or(0) as u64
}

fn level_code(l: Level) -> u64 {
    Level::ALL.iter().position(|x| *x == l).unwrap_or(0) as u64
}

fn internal(context: &str) -> impl Fn(TantivyError) -> Error + '_ {
    move |e| Error::Internal(format!("search index: {context}: {e}"))
}

struct Inner {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// Stored documents already read, for the searcher generation they
    /// belong to: reading and parsing one costs more than the search itself.
    cache: RwLock<DocCache>,
}

#[derive(Default)]
struct DocCache {
    generation: u64,
    docs: HashMap<DocAddress, Arc<FoundCourse>>,
    facts: Option<DocFacts>,
    vocabulary: Option<Arc<Vocabulary>>,
    synonyms: Option<Arc<SynonymPhrases>>,
}

/// Where a per-generation value is in the [`DocCache`]: read, and written.
type Slot<T> = (
    fn(&DocCache) -> &Option<T>,
    fn(&mut DocCache) -> &mut Option<T>,
);

impl DocCache {
    /// Empties the cache when the searcher moved to another generation.
    fn follow(&mut self, generation: u64) {
        if self.generation != generation {
            self.docs.clear();
            self.facts = None;
            self.vocabulary = None;
            self.synonyms = None;
            self.generation = generation;
        }
    }
}

/// The embedded engine. Cloning is cheap; clones share the index.
#[derive(Clone)]
pub(super) struct EmbeddedIndex(Arc<Inner>, posts::PostIndex);

/// Opens the index in `dir`, creating it when missing. An index written
/// with another schema (an older Agora) is replaced by an empty one: the
/// index is always rebuilt from the database.
fn open_or_create(dir: &Path, schema: Schema) -> Result<Index> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::Internal(format!(
            "cannot create the search folder {}: {e}",
            dir.display()
        ))
    })?;
    let create = |dir: &Path, schema: Schema| {
        Index::create_in_dir(dir, schema.clone())
            .or_else(|e| match e {
                // Another process created it at the same moment.
                TantivyError::IndexAlreadyExists => Index::open_in_dir(dir),
                e => Err(e),
            })
            .map_err(internal("create"))
    };
    if !dir.join("meta.json").exists() {
        return create(dir, schema);
    }
    match Index::open_in_dir(dir) {
        Ok(index) if index.schema() == schema => Ok(index),
        other => {
            if let Err(e) = other {
                tracing::warn!(dir = %dir.display(), error = %e, "the search index cannot be read: starting an empty one");
            } else {
                tracing::warn!(dir = %dir.display(), "the search index has an old layout: starting an empty one");
            }
            std::fs::remove_dir_all(dir)
                .and_then(|()| std::fs::create_dir_all(dir))
                .map_err(|e| Error::Internal(format!("cannot reset {}: {e}", dir.display())))?;
            create(dir, schema)
        }
    }
}

/// The analysers the fields name: folded words, and a stemmer per locale.
fn register_tokenizers(index: &Index) {
    index
        .tokenizers()
        .register(text::PLAIN, text::plain_analyzer());
    for l in Locale::ALL {
        index
            .tokenizers()
            .register(text::stemmed_name(l), text::stemming_analyzer(l));
    }
}

impl EmbeddedIndex {
    /// Opens the index in `dir`, creating it when missing. An index written
    /// with another schema (an older Agora) is replaced by an empty one: the
    /// index is always rebuilt from the database.
    pub(super) fn open(dir: &Path) -> Result<EmbeddedIndex> {
        let (schema, fields) = schema();
        let index = open_or_create(dir, schema)?;
        register_tokenizers(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(internal("open a reader"))?;
        // The discussions have an index of their own, next to this one.
        let mut posts_dir = dir.as_os_str().to_owned();
        posts_dir.push("-discussions");
        let posts = posts::PostIndex::open(Path::new(&posts_dir))?;
        Ok(EmbeddedIndex(
            Arc::new(Inner {
                index,
                reader,
                fields,
                cache: RwLock::default(),
            }),
            posts,
        ))
    }

    async fn upsert(&self, docs: Vec<CourseDocument>) -> Result<()> {
        self.write(move |inner, writer| {
            for doc in &docs {
                writer.delete_term(Term::from_field_text(inner.fields.id, &doc.id.to_string()));
                writer
                    .add_document(inner.document(doc)?)
                    .map_err(internal("add"))?;
            }
            Ok(())
        })
        .await
    }

    async fn delete(&self, ids: Vec<Uuid>) -> Result<()> {
        self.write(move |inner, writer| {
            for id in &ids {
                writer.delete_term(Term::from_field_text(inner.fields.id, &id.to_string()));
            }
            Ok(())
        })
        .await
    }

    async fn replace_all(
        &self,
        docs: Vec<CourseDocument>,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<()> {
        let inner = self.0.clone();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let work = tokio::task::spawn_blocking(move || -> Result<()> {
            let mut writer = inner.writer(2, 200_000_000)?;
            writer.delete_all_documents().map_err(internal("clear"))?;
            for (i, doc) in docs.iter().enumerate() {
                writer
                    .add_document(inner.document(doc)?)
                    .map_err(internal("add"))?;
                if i % 25 == 24 {
                    let _ = tx.send(i as u64 + 1);
                }
            }
            writer.commit().map_err(internal("commit"))?;
            // One segment: every query walks each segment's term dictionaries
            // with its typo and prefix automata, so fewer is faster.
            let segments = inner
                .index
                .searchable_segment_ids()
                .map_err(internal("segments"))?;
            if segments.len() > 1 {
                writer.merge(&segments).wait().map_err(internal("merge"))?;
            }
            writer.wait_merging_threads().map_err(internal("merge"))?;
            inner.reader.reload().map_err(internal("reload"))?;
            let _ = tx.send(docs.len() as u64);
            Ok(())
        });
        while let Some(done) = rx.recv().await {
            progress(done);
        }
        work.await
            .map_err(|e| Error::Internal(format!("search indexing stopped: {e}")))?
    }

    async fn write(
        &self,
        change: impl FnOnce(&Inner, &mut IndexWriter<TantivyDocument>) -> Result<()> + Send + 'static,
    ) -> Result<()> {
        let inner = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let mut writer = inner.writer(1, 20_000_000)?;
            change(&inner, &mut writer)?;
            writer.commit().map_err(internal("commit"))?;
            writer.wait_merging_threads().map_err(internal("merge"))?;
            inner.reader.reload().map_err(internal("reload"))
        })
        .await
        .map_err(|e| Error::Internal(format!("search indexing stopped: {e}")))?
    }
}

impl SearchPort for EmbeddedIndex {
    fn name(&self) -> &'static str {
        "embedded"
    }

    fn prepare(&self) -> BoxFuture<'_, ()> {
        Box::pin(async { Ok(()) })
    }

    fn upsert(&self, docs: Vec<CourseDocument>) -> BoxFuture<'_, ()> {
        Box::pin(EmbeddedIndex::upsert(self, docs))
    }

    fn delete(&self, ids: Vec<Uuid>) -> BoxFuture<'_, ()> {
        Box::pin(EmbeddedIndex::delete(self, ids))
    }

    fn replace_all<'a>(
        &'a self,
        docs: Vec<CourseDocument>,
        progress: &'a mut (dyn FnMut(u64) + Send),
    ) -> BoxFuture<'a, ()> {
        Box::pin(EmbeddedIndex::replace_all(self, docs, progress))
    }

    fn count(&self) -> BoxFuture<'_, u64> {
        let count = self.0.reader.searcher().num_docs();
        Box::pin(async move { Ok(count) })
    }

    fn search<'a>(&'a self, q: EngineQuery<'a>) -> BoxFuture<'a, EngineResults> {
        // Searching a catalogue-sized index takes well under a millisecond:
        // it runs on the request's thread rather than hopping to a pool.
        let results = self.0.search(q);
        Box::pin(async move { results })
    }

    /// Changes whenever the searchable contents change, even when another
    /// process (`agora search reindex`) wrote them.
    fn epoch(&self) -> u64 {
        self.0.reader.searcher().generation().generation_id()
    }

    fn index_thread(&self, thread: Uuid, docs: Vec<PostDocument>) -> BoxFuture<'_, ()> {
        Box::pin(self.1.index_thread(thread, docs))
    }

    fn replace_all_posts(&self, docs: Vec<PostDocument>) -> BoxFuture<'_, ()> {
        Box::pin(self.1.replace_all(docs))
    }

    fn count_posts(&self) -> BoxFuture<'_, u64> {
        let count = self.1.count();
        Box::pin(async move { Ok(count) })
    }

    fn search_posts<'a>(&'a self, q: PostQuery<'a>) -> BoxFuture<'a, PostResults> {
        let results = self.1.search(q);
        Box::pin(async move { results })
    }
}

impl Inner {
    /// Takes the index's single writer, waiting while another process holds it.
    fn writer(&self, threads: usize, memory: usize) -> Result<IndexWriter<TantivyDocument>> {
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            match self.index.writer_with_num_threads(threads, memory) {
                Ok(w) => return Ok(w),
                Err(TantivyError::LockFailure(..)) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(TantivyError::LockFailure(..)) => {
                    return Err(Error::Unavailable {
                        what: "the search index (another process is writing it)",
                    });
                }
                Err(e) => return Err(internal("open a writer")(e)),
            }
        }
    }

    fn document(&self, doc: &CourseDocument) -> Result<TantivyDocument> {
        let f = &self.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.id, doc.id.to_string());
        let mut stored = doc.clone();
        for t in stored.texts.values_mut() {
            let cut = text::truncate_words(&t.body, STORED_BODY_BYTES).len();
            t.body.truncate(cut);
        }
        let json = serde_json::to_vec(&stored)
            .map_err(|e| Error::Internal(format!("search document: {e}")))?;
        d.add_bytes(f.doc, &json);
        let tags = doc.tags.join(" ").replace('-', " ");
        for (locale, t) in &doc.texts {
            let li = locale_code(*locale) as usize;
            let tiers = [
                (0, t.title.as_str()),
                (1, t.summary.as_str()),
                (1, t.about.as_str()),
                (2, t.body.as_str()),
            ];
            for (tier, value) in tiers {
                d.add_text(f.plain[tier], value);
                d.add_text(f.stemmed[tier][li], value);
            }
        }
        d.add_text(f.plain[1], &tags);
        d.add_text(f.stemmed[1][0], &tags);
        for n in &doc.sdgs {
            d.add_u64(f.sdg, u64::from(*n));
        }
        for n in &doc.sendai {
            d.add_u64(f.sendai, u64::from(*n));
        }
        for l in &doc.languages {
            d.add_u64(f.language, locale_code(*l));
        }
        d.add_u64(f.level, level_code(doc.level));
        d.add_u64(f.duration, doc.duration_band.code());
        d.add_u64(f.popularity, doc.enrolment_count);
        d.add_text(f.slug, &doc.slug);
        Ok(d)
    }

    fn search(&self, q: EngineQuery<'_>) -> Result<EngineResults> {
        let searcher = self.reader.searcher();
        let generation = searcher.generation().generation_id();
        let query: Box<dyn Query> = match q.query {
            Some(text) => {
                let vocabulary = self.vocabulary(&searcher, generation)?;
                let synonyms = self.synonyms(&searcher, generation)?;
                self.text_query(text, &vocabulary, &synonyms)
            }
            None => Box::new(AllQuery),
        };
        let collector = Matches {
            filters: FilterCodes::from(q.filters),
            facts: self.facts(&searcher, generation)?,
        };
        let (mut hits, codes) = searcher
            .search(query.as_ref(), &collector)
            .map_err(internal("search"))?;
        let total = hits.len() as u64;
        // Best first: score, then popularity, then a stable tie-break. Only
        // the pages up to the one asked for are put in order.
        let order = |a: &collect::Hit, b: &collect::Hit| {
            b.0.total_cmp(&a.0)
                .then(b.1.cmp(&a.1))
                .then(a.2.cmp(&b.2))
                .then(a.3.cmp(&b.3))
        };
        let shown = (q.offset.saturating_add(q.limit) as usize).min(hits.len());
        if shown < hits.len() {
            hits.select_nth_unstable_by(shown, order);
            hits.truncate(shown);
        }
        hits.sort_unstable_by(order);
        let mut docs = Vec::new();
        for (_, _, _, addr) in hits
            .into_iter()
            .skip(q.offset as usize)
            .take(q.limit as usize)
        {
            let cached = self.cache.read().ok().and_then(|c| {
                (c.generation == generation)
                    .then(|| c.docs.get(&addr).cloned())
                    .flatten()
            });
            let doc = match cached {
                Some(doc) => doc,
                None => {
                    let doc = Arc::new(FoundCourse::new(self.stored(&searcher, addr)?));
                    if let Ok(mut c) = self.cache.write() {
                        c.follow(generation);
                        c.docs.insert(addr, doc.clone());
                    }
                    doc
                }
            };
            docs.push(doc);
        }
        Ok(EngineResults {
            total,
            hits: docs,
            facets: facet_names(codes),
        })
    }

    /// What `build` makes of a searcher, made once per generation and kept
    /// in the cache (`slot` reads its place, `slot_mut` writes it).
    fn per_generation<T: Clone>(
        &self,
        generation: u64,
        (slot, slot_mut): Slot<T>,
        build: impl FnOnce() -> tantivy::Result<T>,
        what: &str,
    ) -> Result<T> {
        let kept = self.cache.read().ok().and_then(|c| {
            (c.generation == generation)
                .then(|| slot(&c).clone())
                .flatten()
        });
        if let Some(v) = kept {
            return Ok(v);
        }
        let v = build().map_err(internal(what))?;
        if let Ok(mut c) = self.cache.write() {
            c.follow(generation);
            *slot_mut(&mut c) = Some(v.clone());
        }
        Ok(v)
    }

    /// What the collector reads of this searcher's documents.
    fn facts(&self, searcher: &tantivy::Searcher, generation: u64) -> Result<DocFacts> {
        self.per_generation(
            generation,
            (|c| &c.facts, |c| &mut c.facts),
            || doc_facts(searcher),
            "document facts",
        )
    }

    /// The words of the searcher's tiers.
    fn vocabulary(&self, searcher: &tantivy::Searcher, generation: u64) -> Result<Arc<Vocabulary>> {
        self.per_generation(
            generation,
            (|c| &c.vocabulary, |c| &mut c.vocabulary),
            || Vocabulary::build(searcher, &self.fields.plain).map(Arc::new),
            "vocabulary",
        )
    }

    /// The phrases of `synonyms.yaml`, resolved in the searcher's segments.
    fn synonyms(
        &self,
        searcher: &tantivy::Searcher,
        generation: u64,
    ) -> Result<Arc<SynonymPhrases>> {
        self.per_generation(
            generation,
            (|c| &c.synonyms, |c| &mut c.synonyms),
            || SynonymPhrases::build(searcher, |p| self.phrase_tiers(p)).map(Arc::new),
            "synonym phrases",
        )
    }

    fn stored(&self, searcher: &tantivy::Searcher, addr: DocAddress) -> Result<CourseDocument> {
        let stored: TantivyDocument = searcher.doc(addr).map_err(internal("read"))?;
        let bytes = stored
            .get_first(self.fields.doc)
            .and_then(|v| v.as_bytes())
            .ok_or_else(|| Error::Internal("search document without its body".into()))?;
        serde_json::from_slice(bytes)
            .map_err(|e| Error::Internal(format!("stored search document: {e}")))
    }
}
