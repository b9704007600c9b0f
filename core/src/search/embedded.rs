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
    path::{Path, PathBuf},
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentOrdinal,
    SegmentReader, TantivyDocument, TantivyError, Term,
    collector::{Collector, SegmentCollector},
    columnar::{Column, StrColumn},
    query::{
        AllQuery, AutomatonWeight, BooleanQuery, ConstScoreQuery, DfaWrapper, DisjunctionMaxQuery,
        EnableScoring, FuzzyTermQuery, Occur, Query, TermQuery, Weight,
    },
    schema::{
        FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
        Value,
    },
};
use uuid::Uuid;

use super::{
    CourseDocument, DurationBand, EngineQuery, EngineResults, Facet, FacetCounts, Filters,
    query::{QueryGroup, QueryText, QueryWord},
    text,
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
    dir: PathBuf,
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
    docs: HashMap<DocAddress, Arc<CourseDocument>>,
}

/// The embedded engine. Cloning is cheap; clones share the index.
#[derive(Clone)]
pub struct EmbeddedIndex(Arc<Inner>);

impl EmbeddedIndex {
    /// Opens the index in `dir`, creating it when missing. An index written
    /// with another schema (an older Agora) is replaced by an empty one: the
    /// index is always rebuilt from the database.
    pub fn open(dir: &Path) -> Result<EmbeddedIndex> {
        let (schema, fields) = schema();
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
        let index = if !dir.join("meta.json").exists() {
            create(dir, schema)?
        } else {
            match Index::open_in_dir(dir) {
                Ok(index) if index.schema() == schema => index,
                other => {
                    if let Err(e) = other {
                        tracing::warn!(dir = %dir.display(), error = %e, "the search index cannot be read: starting an empty one");
                    } else {
                        tracing::warn!(dir = %dir.display(), "the search index has an old layout: starting an empty one");
                    }
                    std::fs::remove_dir_all(dir)
                        .and_then(|()| std::fs::create_dir_all(dir))
                        .map_err(|e| {
                            Error::Internal(format!("cannot reset {}: {e}", dir.display()))
                        })?;
                    create(dir, schema)?
                }
            }
        };
        index
            .tokenizers()
            .register(text::PLAIN, text::plain_analyzer());
        for l in Locale::ALL {
            index
                .tokenizers()
                .register(text::stemmed_name(l), text::stemming_analyzer(l));
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(internal("open a reader"))?;
        Ok(EmbeddedIndex(Arc::new(Inner {
            dir: dir.to_owned(),
            index,
            reader,
            fields,
            cache: RwLock::default(),
        })))
    }

    pub fn dir(&self) -> &Path {
        &self.0.dir
    }

    pub fn count(&self) -> u64 {
        self.0.reader.searcher().num_docs()
    }

    /// Changes whenever the searchable contents change.
    pub fn generation(&self) -> u64 {
        self.0.reader.searcher().generation().generation_id()
    }

    pub async fn upsert(&self, docs: Vec<CourseDocument>) -> Result<()> {
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

    pub async fn delete(&self, ids: Vec<Uuid>) -> Result<()> {
        self.write(move |inner, writer| {
            for id in &ids {
                writer.delete_term(Term::from_field_text(inner.fields.id, &id.to_string()));
            }
            Ok(())
        })
        .await
    }

    pub async fn replace_all(
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

    pub async fn search(&self, q: EngineQuery<'_>) -> Result<EngineResults> {
        // Searching a catalogue-sized index takes well under a millisecond:
        // it runs on the request's thread rather than hopping to a pool.
        self.0.search(q)
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
        let query: Box<dyn Query> = match q.query {
            Some(text) => self.text_query(text),
            None => Box::new(AllQuery),
        };
        let collector = Matches {
            filters: FilterCodes::from(q.filters),
        };
        let (mut hits, codes) = searcher
            .search(query.as_ref(), &collector)
            .map_err(internal("search"))?;
        hits.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then(b.1.cmp(&a.1))
                .then(a.2.cmp(&b.2))
                .then(a.3.cmp(&b.3))
        });
        let total = hits.len() as u64;
        let generation = searcher.generation().generation_id();
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
                    let doc = Arc::new(self.stored(&searcher, addr)?);
                    if let Ok(mut c) = self.cache.write() {
                        if c.generation != generation {
                            c.docs.clear();
                            c.generation = generation;
                        }
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

    fn stored(&self, searcher: &tantivy::Searcher, addr: DocAddress) -> Result<CourseDocument> {
        let stored: TantivyDocument = searcher.doc(addr).map_err(internal("read"))?;
        let bytes = stored
            .get_first(self.fields.doc)
            .and_then(|v| v.as_bytes())
            .ok_or_else(|| Error::Internal("search document without its body".into()))?;
        serde_json::from_slice(bytes)
            .map_err(|e| Error::Internal(format!("stored search document: {e}")))
    }

    fn text_query(&self, q: &QueryText) -> Box<dyn Query> {
        let groups: Vec<(Occur, Box<dyn Query>)> = q
            .groups
            .iter()
            .map(|g| (Occur::Must, self.group_query(g)))
            .collect();
        Box::new(BooleanQuery::new(groups))
    }

    /// The words as typed (all of them), or any of their synonyms.
    fn group_query(&self, g: &QueryGroup) -> Box<dyn Query> {
        let typed: Box<dyn Query> = Box::new(BooleanQuery::new(
            g.words
                .iter()
                .map(|w| (Occur::Must, self.word_query(w)))
                .collect(),
        ));
        if g.alternatives.is_empty() {
            return typed;
        }
        let mut options = vec![typed];
        options.extend(g.alternatives.iter().map(|p| self.phrase_query(p)));
        Box::new(DisjunctionMaxQuery::new(options))
    }

    fn stems(word: &str) -> [String; 3] {
        Locale::ALL.map(|l| text::stem(word, l))
    }

    /// The best match of one word: exact, stemmed, with typos, or as a prefix.
    fn word_query(&self, w: &QueryWord) -> Box<dyn Query> {
        let f = &self.fields;
        let stems = Self::stems(&w.folded);
        // Each Levenshtein automaton is built once and run on every tier.
        let automaton = |prefix: bool| {
            let term = Term::from_field_text(f.plain[0], &w.folded);
            let q = if prefix {
                FuzzyTermQuery::new_prefix(term, w.typos, true)
            } else {
                FuzzyTermQuery::new(term, w.typos, true)
            };
            q.automaton().ok().map(Arc::new)
        };
        let fuzzy = if w.typos > 0 { automaton(false) } else { None };
        let prefix = if w.prefix { automaton(true) } else { None };
        let mut options: Vec<Box<dyn Query>> = Vec::new();
        for (tier, weight) in TIERS {
            let t = tier as usize;
            let plain = Term::from_field_text(f.plain[t], &w.folded);
            options.push(scored(term(plain), weight));
            for (li, stem) in stems.iter().enumerate() {
                if !stem.is_empty() {
                    let s = Term::from_field_text(f.stemmed[t][li], stem);
                    options.push(scored(term(s), weight * STEM));
                }
            }
            if let Some(a) = &fuzzy {
                options.push(scored(
                    Box::new(SharedAutomaton(f.plain[t], a.clone())),
                    weight * TYPO,
                ));
            }
            if let Some(a) = &prefix {
                options.push(scored(
                    Box::new(SharedAutomaton(f.plain[t], a.clone())),
                    weight * if w.typos > 0 { TYPO } else { PREFIX },
                ));
            }
        }
        Box::new(DisjunctionMaxQuery::new(options))
    }

    /// A synonym: all its words in the same tier, each exact or stemmed.
    fn phrase_query(&self, words: &[String]) -> Box<dyn Query> {
        let f = &self.fields;
        let stems: Vec<[String; 3]> = words.iter().map(|w| Self::stems(w)).collect();
        let mut options: Vec<Box<dyn Query>> = Vec::new();
        for (tier, weight) in TIERS {
            let t = tier as usize;
            let all: Vec<(Occur, Box<dyn Query>)> = words
                .iter()
                .zip(&stems)
                .map(|(w, s)| {
                    let mut any: Vec<(Occur, Box<dyn Query>)> =
                        vec![(Occur::Should, term(Term::from_field_text(f.plain[t], w)))];
                    for (li, stem) in s.iter().enumerate() {
                        if !stem.is_empty() {
                            any.push((
                                Occur::Should,
                                term(Term::from_field_text(f.stemmed[t][li], stem)),
                            ));
                        }
                    }
                    (
                        Occur::Must,
                        Box::new(BooleanQuery::new(any)) as Box<dyn Query>,
                    )
                })
                .collect();
            options.push(scored(Box::new(BooleanQuery::new(all)), weight));
        }
        Box::new(DisjunctionMaxQuery::new(options))
    }
}

/// A typo or prefix automaton run on one field; clones share the automaton.
#[derive(Clone)]
struct SharedAutomaton(Field, Arc<DfaWrapper>);

impl std::fmt::Debug for SharedAutomaton {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SharedAutomaton({:?})", self.0)
    }
}

impl Query for SharedAutomaton {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(AutomatonWeight::<DfaWrapper>::new(
            self.0,
            self.1.clone(),
        )))
    }
}

fn term(t: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(t, IndexRecordOption::Basic))
}

fn scored(q: Box<dyn Query>, score: f32) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(q, score))
}

/// Filters as the codes stored in fast fields.
#[derive(Clone, Default)]
struct FilterCodes([Vec<u64>; 5]);

impl From<&Filters> for FilterCodes {
    fn from(f: &Filters) -> Self {
        FilterCodes([
            f.sdg.iter().map(|n| u64::from(*n)).collect(),
            f.sendai.iter().map(|n| u64::from(*n)).collect(),
            f.language.iter().map(|l| locale_code(*l)).collect(),
            f.level.iter().map(|l| level_code(*l)).collect(),
            f.duration.iter().map(|d| d.code()).collect(),
        ])
    }
}

/// Counts per (facet position, code).
type CodeCounts = HashMap<(usize, u64), u64>;

fn facet_names(codes: CodeCounts) -> FacetCounts {
    let mut out = FacetCounts::new();
    for ((facet, code), n) in codes {
        let (facet, value) = match facet {
            0 => (Facet::Sdg, code.to_string()),
            1 => (Facet::Sendai, code.to_string()),
            2 => (Facet::Language, Locale::ALL[code as usize % 3].to_string()),
            3 => (
                Facet::Level,
                Level::ALL[code as usize % Level::ALL.len()].to_string(),
            ),
            _ => (
                Facet::Duration,
                DurationBand::ALL[code as usize % 4].to_string(),
            ),
        };
        out.entry(facet).or_default().insert(value, n);
    }
    out
}

/// Collects every matching course that passes the filters, with its score
/// and popularity, and counts the facet values of those courses.
struct Matches {
    filters: FilterCodes,
}

/// Score, popularity, slug, where.
type Hit = (Score, u64, String, DocAddress);

impl Collector for Matches {
    type Fruit = (Vec<Hit>, CodeCounts);
    type Child = SegmentMatches;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentMatches> {
        let fast = reader.fast_fields();
        let columns = FAST_FIELDS
            .iter()
            .map(|name| fast.u64(name))
            .collect::<tantivy::Result<Vec<Column<u64>>>>()?;
        Ok(SegmentMatches {
            segment,
            columns,
            slugs: fast.str("slug")?,
            slug_ords: Vec::new(),
            filters: self.filters.clone(),
            hits: Vec::new(),
            counts: HashMap::new(),
            values: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<(Vec<Hit>, CodeCounts)>) -> tantivy::Result<Self::Fruit> {
        let mut hits = Vec::new();
        let mut counts = CodeCounts::new();
        for (h, c) in fruits {
            hits.extend(h);
            for (k, n) in c {
                *counts.entry(k).or_default() += n;
            }
        }
        Ok((hits, counts))
    }
}

struct SegmentMatches {
    segment: SegmentOrdinal,
    /// sdg, sendai, language, level, duration, popularity.
    columns: Vec<Column<u64>>,
    slugs: Option<StrColumn>,
    /// Each hit's slug as a term ordinal of the segment, and the hit's place.
    slug_ords: Vec<(u64, usize)>,
    filters: FilterCodes,
    hits: Vec<Hit>,
    counts: CodeCounts,
    values: Vec<(usize, u64)>,
}

impl SegmentCollector for SegmentMatches {
    type Fruit = (Vec<Hit>, CodeCounts);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.values.clear();
        for facet in 0..5 {
            let before = self.values.len();
            self.values
                .extend(self.columns[facet].values_for_doc(doc).map(|v| (facet, v)));
            let wanted = &self.filters.0[facet];
            if !wanted.is_empty()
                && !self.values[before..]
                    .iter()
                    .any(|(_, v)| wanted.contains(v))
            {
                return;
            }
        }
        for &(facet, v) in &self.values {
            *self.counts.entry((facet, v)).or_default() += 1;
        }
        let popularity = self.columns[5].first(doc).unwrap_or(0);
        if let Some(ord) = self.slugs.as_ref().and_then(|s| s.term_ords(doc).next()) {
            self.slug_ords.push((ord, self.hits.len()));
        }
        self.hits.push((
            score,
            popularity,
            String::new(),
            DocAddress::new(self.segment, doc),
        ));
    }

    /// Reads the hits' slugs in one pass over the segment's sorted terms,
    /// rather than a dictionary lookup per hit.
    fn harvest(mut self) -> Self::Fruit {
        if let Some(slugs) = &self.slugs {
            self.slug_ords.sort_unstable();
            let ords: Vec<u64> = self.slug_ords.iter().map(|(ord, _)| *ord).collect();
            let mut places = self.slug_ords.iter().map(|(_, i)| *i);
            let hits = &mut self.hits;
            // An unreadable slug only loses the tie-break.
            let _ = slugs.dictionary().sorted_ords_to_term_cb(&ords, |term| {
                if let Some(i) = places.next() {
                    hits[i].2 = String::from_utf8_lossy(term).into_owned();
                }
            });
        }
        (self.hits, self.counts)
    }
}
