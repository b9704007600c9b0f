//! The embedded engine's discussion index: a tantivy index of its own
//! (`<data>/search-discussions`), so the catalogue's index and its speed
//! stay as they are. One document per visible post, with its thread's
//! title; searches are always limited to a list of spaces.

use std::{
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use tantivy::{
    Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError, Term,
    collector::{Count, TopDocs},
    query::{BooleanQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query, TermQuery},
    schema::{
        FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
        Value,
    },
};
use uuid::Uuid;

use super::typos::TypoQuery;
use crate::{
    Error, Result,
    domain::Locale,
    search::{
        PostDocument, PostQuery, PostResults,
        query::{QueryText, QueryWord},
        text,
    },
};

const LOCK_WAIT: Duration = Duration::from_secs(30);
/// A title counts twice a body; a stem, a typo or a prefix a little less.
const TITLE: f32 = 2.0;
const STEM: f32 = 0.9;
const PREFIX: f32 = 0.7;
const TYPO: f32 = 0.6;

#[derive(Clone)]
struct Fields {
    id: Field,
    thread: Field,
    space: Field,
    /// Folded words: title, body.
    plain: [Field; 2],
    /// Stemmed words per locale: title, body.
    stemmed: [[Field; 3]; 2],
    created: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::Basic),
        )
    };
    let parts = ["title", "body"];
    let plain = parts.map(|p| b.add_text_field(&format!("{p}_plain"), text(text::PLAIN)));
    let stemmed = parts.map(|p| {
        Locale::ALL.map(|l| b.add_text_field(&format!("{p}_{l}"), text(text::stemmed_name(l))))
    });
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        thread: b.add_text_field("thread", STRING),
        space: b.add_text_field("space", STRING),
        plain,
        stemmed,
        created: b.add_i64_field("created", FAST),
    };
    (b.build(), fields)
}

fn internal(context: &str) -> impl Fn(TantivyError) -> Error + '_ {
    move |e| Error::Internal(format!("discussion index: {context}: {e}"))
}

struct Inner {
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

/// The discussion index. Cloning is cheap; clones share it.
#[derive(Clone)]
pub(in crate::search) struct PostIndex(Arc<Inner>);

impl PostIndex {
    /// Opens the index in `dir`, creating it (or replacing one of another
    /// layout) as the catalogue's index does: it is rebuilt from the database.
    pub(in crate::search) fn open(dir: &Path) -> Result<PostIndex> {
        let (schema, fields) = schema();
        let index = super::open_or_create(dir, schema)?;
        super::register_tokenizers(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(internal("open a reader"))?;
        Ok(PostIndex(Arc::new(Inner {
            index,
            reader,
            fields,
        })))
    }

    /// Replaces a thread's posts with `docs` (none: the thread is gone).
    pub(in crate::search) async fn index_thread(
        &self,
        thread: Uuid,
        docs: Vec<PostDocument>,
    ) -> Result<()> {
        self.write(false, move |inner, writer| {
            writer.delete_term(Term::from_field_text(
                inner.fields.thread,
                &thread.to_string(),
            ));
            for d in &docs {
                writer
                    .add_document(inner.document(d))
                    .map_err(internal("add"))?;
            }
            Ok(())
        })
        .await
    }

    /// Replaces every post.
    pub(in crate::search) async fn replace_all(&self, docs: Vec<PostDocument>) -> Result<()> {
        self.write(true, move |inner, writer| {
            writer.delete_all_documents().map_err(internal("clear"))?;
            for d in &docs {
                writer
                    .add_document(inner.document(d))
                    .map_err(internal("add"))?;
            }
            Ok(())
        })
        .await
    }

    pub(in crate::search) fn count(&self) -> u64 {
        self.0.reader.searcher().num_docs()
    }

    pub(in crate::search) fn search(&self, q: PostQuery<'_>) -> Result<PostResults> {
        if q.spaces.is_empty() || q.limit == 0 {
            return Ok(PostResults::default());
        }
        let f = &self.0.fields;
        let spaces: Vec<(Occur, Box<dyn Query>)> = q
            .spaces
            .iter()
            .map(|s| {
                (
                    Occur::Should,
                    term(Term::from_field_text(f.space, &s.to_string())),
                )
            })
            .collect();
        let query = BooleanQuery::new(vec![
            (Occur::Must, self.0.text_query(q.query)),
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(
                    Box::new(BooleanQuery::new(spaces)),
                    0.0,
                )),
            ),
        ]);
        let searcher = self.0.reader.searcher();
        let top = TopDocs::with_limit(q.limit as usize)
            .and_offset(q.offset as usize)
            .order_by_score();
        let (hits, total) = searcher
            .search(&query, &(top, Count))
            .map_err(internal("search"))?;
        let mut ids = Vec::with_capacity(hits.len());
        for (_, addr) in hits {
            let doc: TantivyDocument = searcher.doc(addr).map_err(internal("read"))?;
            let id = doc
                .get_first(f.id)
                .and_then(|v| v.as_str())
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| Error::Internal("a discussion document without its id".into()))?;
            ids.push(id);
        }
        Ok(PostResults {
            total: total as u64,
            hits: ids,
        })
    }

    async fn write(
        &self,
        merge: bool,
        change: impl FnOnce(&Inner, &mut IndexWriter<TantivyDocument>) -> Result<()> + Send + 'static,
    ) -> Result<()> {
        let inner = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let mut writer = inner.writer()?;
            change(&inner, &mut writer)?;
            writer.commit().map_err(internal("commit"))?;
            if merge {
                let segments = inner
                    .index
                    .searchable_segment_ids()
                    .map_err(internal("segments"))?;
                if segments.len() > 1 {
                    writer.merge(&segments).wait().map_err(internal("merge"))?;
                }
            }
            writer.wait_merging_threads().map_err(internal("merge"))?;
            inner.reader.reload().map_err(internal("reload"))
        })
        .await
        .map_err(|e| Error::Internal(format!("discussion indexing stopped: {e}")))?
    }
}

impl Inner {
    fn writer(&self) -> Result<IndexWriter<TantivyDocument>> {
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            match self.index.writer_with_num_threads(1, 30_000_000) {
                Ok(w) => return Ok(w),
                Err(TantivyError::LockFailure(..)) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(TantivyError::LockFailure(..)) => {
                    return Err(Error::Unavailable {
                        what: "the discussion index (another process is writing it)",
                    });
                }
                Err(e) => return Err(internal("open a writer")(e)),
            }
        }
    }

    fn document(&self, doc: &PostDocument) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.id, doc.id.to_string());
        d.add_text(f.thread, doc.thread_id.to_string());
        d.add_text(f.space, doc.space_id.to_string());
        // The thread's title counts for its opening post only: a thread
        // found by its title is found once.
        let title = if doc.opening { doc.title.as_str() } else { "" };
        for (i, value) in [title, doc.body.as_str()].into_iter().enumerate() {
            d.add_text(f.plain[i], value);
            for li in 0..Locale::ALL.len() {
                d.add_text(f.stemmed[i][li], value);
            }
        }
        d.add_i64(f.created, doc.created_ms);
        d
    }

    /// Every word must match (as itself, its stem, with its typos, or as
    /// the start of a longer word for the last one), in the title or body.
    fn text_query(&self, q: &QueryText) -> Box<dyn Query> {
        let words: Vec<(Occur, Box<dyn Query>)> = q
            .groups
            .iter()
            .flat_map(|g| g.words.iter())
            .map(|w| (Occur::Must, self.word_query(w)))
            .collect();
        Box::new(BooleanQuery::new(words))
    }

    fn word_query(&self, w: &QueryWord) -> Box<dyn Query> {
        let f = &self.fields;
        let stems = &w.stems;
        let mut options: Vec<Box<dyn Query>> = Vec::new();
        for (i, weight) in [(0, TITLE), (1, 1.0)] {
            let plain = Term::from_field_text(f.plain[i], &w.folded);
            options.push(scored(term(plain), weight));
            for (li, stem) in stems.iter().enumerate() {
                if !stem.is_empty() {
                    let s = Term::from_field_text(f.stemmed[i][li], stem);
                    options.push(scored(term(s), weight * STEM));
                }
            }
            // Typos and prefixes as the catalogue's search counts them (a
            // typo on the first character counts as two, see [`TypoQuery`]).
            let kind = match (w.prefix, w.typos > 0) {
                (_, true) => Some(TYPO),
                (true, false) => Some(PREFIX),
                (false, false) => None,
            };
            if let Some(kind) = kind
                && let Some(q) = TypoQuery::new(f.plain[i], &w.folded, w.typos, w.prefix)
            {
                options.push(scored(Box::new(q), weight * kind));
            }
        }
        Box::new(DisjunctionMaxQuery::new(options))
    }
}

fn term(t: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(t, IndexRecordOption::Basic))
}

fn scored(q: Box<dyn Query>, score: f32) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(q, score))
}
