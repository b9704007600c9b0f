//! A synonym of the query (`SDG` for "sustainable development goals"), as
//! one tantivy weight: a course matches in a tier when every word of the
//! phrase is in that tier, exactly or by one of its stems, and scores the
//! weight of the best tier it matches in.
//!
//! Built from tantivy's own queries, each phrase was a disjunction over the
//! three tiers of conjunctions of disjunctions of term queries: about forty
//! weights and scorers for a three-word phrase, and a query such as
//! "SDG indicators" has a dozen phrases. Here, per tier:
//! - every word's terms are looked up first, and a tier where some word has
//!   none is skipped before any postings are read;
//! - the rarest word's postings are read whole, and each other word, rarer
//!   first, only seeks the documents still in the running, until none is.
//!
//! Synonym phrases are mostly common words ("risk", "development"), so most
//! of their postings are never decoded.
//!
//! The phrases of `synonyms.yaml` are the only ones a query brings, so each
//! searcher generation resolves all of them once ([`SynonymPhrases`]), as
//! it gathers its [`super::words::Vocabulary`]: a query naming a synonym
//! group then reads a list of documents per tier instead of looking up and
//! intersecting about forty terms per phrase. This is the index-time
//! synonym expansion of other engines, done when the index is first read.

use std::{collections::HashMap, sync::Arc};

use rustc_hash::FxBuildHasher;
use tantivy::{
    DocId, DocSet, InvertedIndexReader, Score, Searcher, SegmentReader, TERMINATED,
    index::SegmentId,
    postings::TermInfo,
    schema::{Field, IndexRecordOption},
};

use super::words::SegmentScores;
use crate::search::query::SYNONYMS;

/// One tier's terms for a phrase: for each word, the (field, term) pairs
/// that each count as that word.
#[derive(Debug)]
pub(super) struct PhraseTier {
    pub(super) score: Score,
    pub(super) words: Vec<Vec<(Field, Vec<u8>)>>,
}

/// Raises the scores of `docs` to `score`.
fn raise(best: &mut [Score], score: Score, docs: &[DocId]) {
    for &doc in docs {
        if let Some(s) = best.get_mut(doc as usize) {
            *s = s.max(score);
        }
    }
}

/// A phrase resolved in one segment: per tier, its weight and the
/// documents that hold all its words there, in order.
type Resolved = Vec<(Score, Vec<DocId>)>;

/// Every phrase of `synonyms.yaml`, resolved in every segment of one
/// searcher (built once per searcher generation).
#[derive(Default)]
pub(super) struct SynonymPhrases {
    segments: HashMap<SegmentId, HashMap<Vec<String>, Resolved, FxBuildHasher>, FxBuildHasher>,
}

impl SynonymPhrases {
    /// `tiers` gives a phrase's terms per tier, as [`Phrase`] takes them.
    pub(super) fn build(
        searcher: &Searcher,
        tiers: impl Fn(&[String]) -> Vec<PhraseTier>,
    ) -> tantivy::Result<SynonymPhrases> {
        let mut out = SynonymPhrases::default();
        for reader in searcher.segment_readers() {
            let mut phrases: HashMap<Vec<String>, Resolved, FxBuildHasher> = HashMap::default();
            for phrase in SYNONYMS.groups.iter().flatten() {
                if phrases.contains_key(phrase) {
                    continue;
                }
                let resolved = tiers(phrase)
                    .iter()
                    .map(|tier| Ok((tier.score, tier.docs(reader)?)))
                    .collect::<tantivy::Result<Resolved>>()?;
                phrases.insert(phrase.clone(), resolved);
            }
            out.segments.insert(reader.segment_id(), phrases);
        }
        Ok(out)
    }
}

impl std::fmt::Debug for SynonymPhrases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SynonymPhrases")
            .field("segments", &self.segments.len())
            .finish()
    }
}

/// A phrase of `synonyms.yaml`, scored from its [`SynonymPhrases`].
#[derive(Debug)]
pub(super) struct KnownPhrase {
    pub(super) phrases: Arc<SynonymPhrases>,
    pub(super) words: Vec<String>,
}

impl SegmentScores for KnownPhrase {
    fn scores(&self, reader: &SegmentReader) -> tantivy::Result<Vec<Score>> {
        let resolved = self
            .phrases
            .segments
            .get(&reader.segment_id())
            .and_then(|p| p.get(&self.words))
            .ok_or_else(|| {
                // Built from the very searcher the query runs on.
                tantivy::TantivyError::InternalError(format!(
                    "synonym phrase {:?} not resolved in segment {}",
                    self.words,
                    reader.segment_id()
                ))
            })?;
        let mut best = vec![0.0 as Score; reader.max_doc() as usize];
        for (score, docs) in resolved {
            raise(&mut best, *score, docs);
        }
        Ok(best)
    }
}

/// The terms of one word that the segment holds, and how many documents
/// hold any of them at most.
struct Found {
    documents: u32,
    terms: Vec<(Arc<InvertedIndexReader>, TermInfo)>,
}

impl PhraseTier {
    /// The documents that hold every word in this tier, in order.
    fn docs(&self, reader: &SegmentReader) -> tantivy::Result<Vec<DocId>> {
        let mut words = Vec::with_capacity(self.words.len());
        for alternatives in &self.words {
            let mut found = Found {
                documents: 0,
                terms: Vec::new(),
            };
            for (field, term) in alternatives {
                let index = reader.inverted_index(*field)?;
                if let Some(info) = index.terms().get(term)? {
                    found.documents += info.doc_freq;
                    found.terms.push((index, info));
                }
            }
            if found.terms.is_empty() {
                // A word no document has in this tier: the tier matches nothing.
                return Ok(Vec::new());
            }
            words.push(found);
        }
        words.sort_by_key(|w| w.documents);
        let mut words = words.into_iter();
        let Some(rarest) = words.next() else {
            return Ok(Vec::new());
        };
        let mut docs = Vec::with_capacity(rarest.documents as usize);
        for (index, info) in &rarest.terms {
            let mut postings =
                index.read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?;
            while !postings.docs().is_empty() {
                docs.extend_from_slice(postings.docs());
                postings.advance();
            }
        }
        if rarest.terms.len() > 1 {
            docs.sort_unstable();
            docs.dedup();
        }
        for word in words {
            if docs.is_empty() {
                break;
            }
            let mut kept = vec![false; docs.len()];
            for (index, info) in &word.terms {
                let mut postings =
                    index.read_postings_from_terminfo(info, IndexRecordOption::Basic)?;
                for (doc, keep) in docs.iter().zip(kept.iter_mut()) {
                    if postings.doc() > *doc {
                        continue;
                    }
                    let at = postings.seek(*doc);
                    if at == TERMINATED {
                        break;
                    }
                    *keep |= at == *doc;
                }
            }
            let mut k = kept.iter();
            docs.retain(|_| k.next().copied().unwrap_or(false));
        }
        Ok(docs)
    }
}

#[cfg(test)]
mod tests {
    use tantivy::{
        Index, TantivyDocument, Term,
        collector::TopDocs,
        query::{BooleanQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query, TermQuery},
        schema::{Schema, TEXT},
    };

    use super::super::words::ArrayQuery;
    use super::*;

    /// A phrase scored straight from its tiers, as [`SynonymPhrases`]
    /// resolves them: a document's score is the best score of the tiers
    /// that hold all its words.
    #[derive(Debug)]
    struct Phrase(Vec<PhraseTier>);

    impl SegmentScores for Phrase {
        fn scores(&self, reader: &SegmentReader) -> tantivy::Result<Vec<Score>> {
            let mut best = vec![0.0 as Score; reader.max_doc() as usize];
            for tier in &self.0 {
                raise(&mut best, tier.score, &tier.docs(reader)?);
            }
            Ok(best)
        }
    }

    type Fields = ([Field; 2], [Field; 2]);

    /// The scores of the phrase "disaster risk" over `docs` (each the plain
    /// and the stemmed text of two tiers), by this engine and by tantivy's
    /// own composition: a disjunction over tiers of the conjunction of each
    /// word's terms, at the tier's weight.
    fn ours_and_composed(docs: &[([&str; 2], [&str; 2])]) -> [Vec<(u32, Score)>; 2] {
        let mut schema = Schema::builder();
        let plain = [
            schema.add_text_field("p0", TEXT),
            schema.add_text_field("p1", TEXT),
        ];
        let stemmed = [
            schema.add_text_field("s0", TEXT),
            schema.add_text_field("s1", TEXT),
        ];
        let fields: Fields = (plain, stemmed);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        for (p, s) in docs {
            let mut d = TantivyDocument::default();
            for t in 0..2 {
                d.add_text(plain[t], p[t]);
                d.add_text(stemmed[t], s[t]);
            }
            writer.add_document(d).expect("add");
        }
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        let (ours, composed) = queries(fields);
        let run = |q: &dyn Query| {
            let mut found: Vec<(u32, Score)> = searcher
                .search(q, &TopDocs::with_limit(docs.len()).order_by_score())
                .expect("search")
                .into_iter()
                .map(|(score, addr)| (addr.doc_id, score))
                .collect();
            found.sort_by_key(|(doc, _)| *doc);
            found
        };
        [run(&ours), run(&composed)]
    }

    fn queries((plain, stemmed): Fields) -> (ArrayQuery<Phrase>, DisjunctionMaxQuery) {
        let words = [("disaster", "disast"), ("risk", "risk")];
        let weights = [4.0, 2.0];
        let ours = ArrayQuery::new(Phrase(
            (0..2)
                .map(|t| PhraseTier {
                    score: weights[t],
                    words: words
                        .iter()
                        .map(|(w, s)| {
                            vec![
                                (plain[t], w.as_bytes().to_vec()),
                                (stemmed[t], s.as_bytes().to_vec()),
                            ]
                        })
                        .collect(),
                })
                .collect(),
        ));
        let composed = DisjunctionMaxQuery::new(
            (0..2)
                .map(|t| {
                    let all: Vec<(Occur, Box<dyn Query>)> = words
                        .iter()
                        .map(|(w, s)| {
                            let any: Vec<(Occur, Box<dyn Query>)> = [
                                Term::from_field_text(plain[t], w),
                                Term::from_field_text(stemmed[t], s),
                            ]
                            .into_iter()
                            .map(|term| {
                                (
                                    Occur::Should,
                                    Box::new(TermQuery::new(term, IndexRecordOption::Basic))
                                        as Box<dyn Query>,
                                )
                            })
                            .collect();
                            (
                                Occur::Must,
                                Box::new(BooleanQuery::new(any)) as Box<dyn Query>,
                            )
                        })
                        .collect();
                    Box::new(ConstScoreQuery::new(
                        Box::new(BooleanQuery::new(all)),
                        weights[t],
                    )) as Box<dyn Query>
                })
                .collect(),
        );
        (ours, composed)
    }

    #[test]
    fn scores_as_the_composed_queries_did() {
        let docs = [
            (["disaster risk", ""], ["", ""]),
            (["disaster", "risk"], ["", ""]),
            (["", "risk of a disaster"], ["", ""]),
            (["risk", "risk"], ["disast", ""]),
            (["nothing", "here"], ["", ""]),
            (["risk disaster", "disaster risk"], ["", ""]),
            (["", ""], ["", "disast risk"]),
        ];
        let [ours, composed] = ours_and_composed(&docs);
        assert_eq!(
            composed,
            [(0, 4.0), (2, 2.0), (3, 4.0), (5, 4.0), (6, 2.0)],
            "the composition matches where every word is in one tier"
        );
        assert_eq!(ours, composed);
    }

    /// Over many blocks of postings (128 documents each), where the rare
    /// word's documents make the common word's postings seek across blocks.
    #[test]
    fn scores_as_the_composed_queries_did_over_many_blocks() {
        let texts = [
            "risk",
            "disaster",
            "disaster risk",
            "",
            "risk risk",
            "other",
        ];
        let docs: Vec<([&str; 2], [&str; 2])> = (0..2_000u32)
            .map(|i| {
                // A cheap scramble, so that each field varies on its own.
                let h = |k: u32| (i.wrapping_mul(2_654_435_761).rotate_left(k) % 97) as usize;
                let rare = |k: u32| {
                    if h(k) < 3 {
                        texts[h(k + 7) % 3]
                    } else {
                        texts[3 + h(k + 11) % 3]
                    }
                };
                ([texts[h(1) % 6], rare(5)], [rare(9), texts[h(13) % 6]])
            })
            .collect();
        let [ours, composed] = ours_and_composed(&docs);
        assert!(
            composed.len() > 100 && composed.iter().any(|(_, s)| *s == 2.0),
            "the documents match in both tiers: {}",
            composed.len()
        );
        assert_eq!(ours, composed);
    }
}
