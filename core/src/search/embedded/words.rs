//! One query word, scored in one pass over its postings.
//!
//! A word matches a course in one of three tiers (title, about, body) and
//! in one of four ways (exact, stemmed, with typos, as a prefix); its score
//! is the best weight of all the ways it matches. Built from tantivy's own
//! queries that was a disjunction of about fifteen constant-score queries
//! per word, each with its weight, scorer and union buffers, and a typo or
//! prefix automaton walked over each tier's dictionary. Here:
//! - the automaton is walked once, over the [`Vocabulary`] of all three
//!   tiers, which says which tiers hold each word it accepts;
//! - every matching term's postings are read once into one array of best
//!   scores per document, and the word's scorer walks that array.
//!
//! The scores are the ones the disjunction gave (the best constant weight
//! of the ways a document matches), so the order of results is unchanged.

use std::{collections::BTreeMap, sync::Arc};

use tantivy::{
    DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED,
    query::{DfaWrapper, EnableScoring, Explanation, Query, Scorer, Weight},
    schema::{Field, IndexRecordOption},
};
use tantivy_fst::{IntoStreamer, Map, Streamer};

/// Every word of the title, about and body tiers, with the tiers it is in
/// (one bit each). Built once per searcher generation.
pub(super) struct Vocabulary(Map<Vec<u8>>);

impl Vocabulary {
    pub(super) fn build(searcher: &Searcher, tiers: &[Field; 3]) -> tantivy::Result<Vocabulary> {
        let mut words: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        for reader in searcher.segment_readers() {
            for (tier, field) in tiers.iter().enumerate() {
                let index = reader.inverted_index(*field)?;
                let mut terms = index.terms().stream()?;
                while let Some((word, _)) = terms.next() {
                    *words.entry(word.to_vec()).or_default() |= 1 << tier;
                }
            }
        }
        let map = Map::from_iter(words).map_err(|e| {
            tantivy::TantivyError::InternalError(format!("the search vocabulary: {e}"))
        })?;
        Ok(Vocabulary(map))
    }

    /// The words `automaton` accepts, each with its tiers.
    pub(super) fn matching(&self, automaton: &DfaWrapper) -> Vec<(Vec<u8>, u64)> {
        let mut found = Vec::new();
        let mut stream = self.0.search(automaton).into_stream();
        while let Some((word, tiers)) = stream.next() {
            found.push((word.to_vec(), tiers));
        }
        found
    }
}

/// Terms of one field that all score the same for the word.
#[derive(Debug)]
pub(super) struct Part {
    pub(super) field: Field,
    pub(super) score: Score,
    /// The terms' bytes as the field's dictionary keeps them.
    pub(super) terms: Vec<Vec<u8>>,
}

/// A query word: a document's score is the best score of the parts it
/// matches in.
#[derive(Clone, Debug)]
pub(super) struct WordQuery(Arc<Vec<Part>>);

impl WordQuery {
    pub(super) fn new(parts: Vec<Part>) -> WordQuery {
        WordQuery(Arc::new(parts))
    }
}

impl Query for WordQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(WordWeight(self.0.clone())))
    }
}

struct WordWeight(Arc<Vec<Part>>);

impl Weight for WordWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut best = vec![0.0 as Score; reader.max_doc() as usize];
        for part in self.0.iter() {
            let index = reader.inverted_index(part.field)?;
            for term in &part.terms {
                let Some(info) = index.terms().get(term)? else {
                    continue;
                };
                let mut postings =
                    index.read_block_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
                loop {
                    let docs = postings.docs();
                    if docs.is_empty() {
                        break;
                    }
                    for &doc in docs {
                        if let Some(s) = best.get_mut(doc as usize) {
                            *s = s.max(part.score);
                        }
                    }
                    postings.advance();
                }
            }
        }
        Ok(Box::new(BestScores::new(best, boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        Ok(Explanation::new("best match of the word", scorer.score()))
    }
}

/// The documents with a score, in order.
struct BestScores {
    docs: Vec<DocId>,
    best: Vec<Score>,
    at: usize,
    boost: Score,
}

impl BestScores {
    fn new(best: Vec<Score>, boost: Score) -> BestScores {
        let docs = (0..best.len() as DocId)
            .filter(|&d| best[d as usize] > 0.0)
            .collect();
        BestScores {
            docs,
            best,
            at: 0,
            boost,
        }
    }
}

impl DocSet for BestScores {
    fn advance(&mut self) -> DocId {
        if self.at < self.docs.len() {
            self.at += 1;
        }
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.at += self.docs[self.at.min(self.docs.len())..].partition_point(|&d| d < target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        (self.docs.len() - self.at.min(self.docs.len())) as u32
    }
}

impl Scorer for BestScores {
    fn score(&mut self) -> Score {
        let doc = self.doc() as usize;
        self.best.get(doc).copied().unwrap_or(0.0) * self.boost
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_scores_advance_and_seek_in_order() {
        let mut s = BestScores::new(vec![0.0, 2.0, 0.0, 1.0, 4.0, 0.0], 1.0);
        assert_eq!(s.doc(), 1);
        assert_eq!(s.score(), 2.0);
        assert_eq!(s.size_hint(), 3);
        assert_eq!(s.seek(2), 3);
        assert_eq!(s.score(), 1.0);
        assert_eq!(s.seek(3), 3, "seeking where it is stays");
        assert_eq!(s.advance(), 4);
        assert_eq!(s.score(), 4.0);
        assert_eq!(s.advance(), TERMINATED);
        assert_eq!(s.advance(), TERMINATED);
        assert_eq!(s.seek(TERMINATED), TERMINATED);
        let mut empty = BestScores::new(vec![0.0; 4], 1.0);
        assert_eq!(empty.doc(), TERMINATED);
        assert_eq!(empty.seek(2), TERMINATED);
    }
}
