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

use tantivy_fst::Automaton;

use tantivy::{
    DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED,
    query::{EnableScoring, Explanation, Query, Scorer, Weight},
    schema::{Field, IndexRecordOption},
};

/// Every word of the title, about and body tiers, with the tiers it is in
/// (one bit each), as a trie. Built once per searcher generation.
///
/// A typo or prefix automaton walks the trie: words that share a prefix
/// share the automaton's states along it, and once a prefix can no longer
/// match, its whole subtree is skipped in one step. The trie is a plain
/// array of nodes in depth-first order, cheaper to walk than an FST, whose
/// nodes must be decoded on every visit.
pub(super) struct Vocabulary {
    nodes: Vec<Node>,
}

#[derive(Clone, Copy)]
struct Node {
    byte: u8,
    /// The tiers of the word ending here; 0 where no word ends.
    tiers: u8,
    /// How many bytes from the root, this one included (1 and more).
    depth: u16,
    /// The node after this one's subtree.
    end: u32,
}

impl Vocabulary {
    pub(super) fn build(searcher: &Searcher, tiers: &[Field; 3]) -> tantivy::Result<Vocabulary> {
        let mut words: BTreeMap<Vec<u8>, u8> = BTreeMap::new();
        for reader in searcher.segment_readers() {
            for (tier, field) in tiers.iter().enumerate() {
                let index = reader.inverted_index(*field)?;
                let mut terms = index.terms().stream()?;
                while let Some((word, _)) = terms.next() {
                    *words.entry(word.to_vec()).or_default() |= 1 << tier;
                }
            }
        }
        Ok(Vocabulary::from_sorted(words))
    }

    /// From distinct words in byte order. Words longer than a node's depth
    /// can count are left out (the analyser never makes one).
    pub(super) fn from_sorted(words: impl IntoIterator<Item = (Vec<u8>, u8)>) -> Vocabulary {
        let mut nodes: Vec<Node> = Vec::new();
        // open[d]: the node at depth d + 1 on the current path.
        let mut open: Vec<usize> = Vec::new();
        let mut prev: Vec<u8> = Vec::new();
        for (word, tiers) in words {
            if word.is_empty() || word.len() > usize::from(u16::MAX) {
                continue;
            }
            let shared = prev.iter().zip(&word).take_while(|(a, b)| a == b).count();
            for closed in open.drain(shared..) {
                nodes[closed].end = nodes.len() as u32;
            }
            for (d, &byte) in word.iter().enumerate().skip(shared) {
                open.push(nodes.len());
                nodes.push(Node {
                    byte,
                    tiers: 0,
                    depth: (d + 1) as u16,
                    end: 0,
                });
            }
            if let Some(&last) = open.last() {
                nodes[last].tiers |= tiers;
            }
            prev = word;
        }
        for closed in open {
            nodes[closed].end = nodes.len() as u32;
        }
        Vocabulary { nodes }
    }

    /// The words `automaton` accepts, each with its tiers, in byte order.
    pub(super) fn matching<A: Automaton>(&self, automaton: &A) -> Vec<(Vec<u8>, u8)> {
        let mut found = Vec::new();
        // states[d]: the automaton's state after the first d bytes of `path`.
        let mut states = vec![automaton.start()];
        let mut path: Vec<u8> = Vec::new();
        let mut k = 0;
        while let Some(node) = self.nodes.get(k) {
            let depth = usize::from(node.depth);
            let next = automaton.accept(&states[depth - 1], node.byte);
            if !automaton.can_match(&next) {
                k = node.end as usize;
                continue;
            }
            states.truncate(depth);
            states.push(next);
            path.truncate(depth - 1);
            path.push(node.byte);
            if node.tiers != 0 && automaton.is_match(&states[depth]) {
                found.push((path.clone(), node.tiers));
            }
            k += 1;
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

/// What one of this engine's queries computes for a segment: a score per
/// document, 0 where the document does not match.
pub(super) trait SegmentScores: std::fmt::Debug + Send + Sync + 'static {
    fn scores(&self, reader: &SegmentReader) -> tantivy::Result<Vec<Score>>;
}

/// A query scored by filling one array per segment, then walking it
/// ([`BestScores`]): a query word ([`WordParts`]) or a synonym
/// ([`super::phrases::KnownPhrase`]).
#[derive(Debug)]
pub(super) struct ArrayQuery<S>(Arc<S>);

impl<S> Clone for ArrayQuery<S> {
    fn clone(&self) -> Self {
        ArrayQuery(self.0.clone())
    }
}

impl<S: SegmentScores> ArrayQuery<S> {
    pub(super) fn new(scores: S) -> ArrayQuery<S> {
        ArrayQuery(Arc::new(scores))
    }
}

impl<S: SegmentScores> Query for ArrayQuery<S> {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(ArrayWeight(self.0.clone())))
    }
}

struct ArrayWeight<S>(Arc<S>);

impl<S: SegmentScores> Weight for ArrayWeight<S> {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(BestScores::new(self.0.scores(reader)?, boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        Ok(Explanation::new("best match", scorer.score()))
    }
}

/// Calls `each` with every document of the segment whose `field` holds
/// `term`; `false` when no document does.
pub(super) fn for_each_doc(
    reader: &SegmentReader,
    field: Field,
    term: &[u8],
    mut each: impl FnMut(DocId),
) -> tantivy::Result<bool> {
    let index = reader.inverted_index(field)?;
    let Some(info) = index.terms().get(term)? else {
        return Ok(false);
    };
    let mut postings = index.read_block_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
    loop {
        let docs = postings.docs();
        if docs.is_empty() {
            return Ok(true);
        }
        for &doc in docs {
            each(doc);
        }
        postings.advance();
    }
}

/// A query word: a document's score is the best score of the parts it
/// matches in.
#[derive(Debug)]
pub(super) struct WordParts(pub(super) Vec<Part>);

impl SegmentScores for WordParts {
    fn scores(&self, reader: &SegmentReader) -> tantivy::Result<Vec<Score>> {
        let mut best = vec![0.0 as Score; reader.max_doc() as usize];
        for part in &self.0 {
            for term in &part.terms {
                for_each_doc(reader, part.field, term, |doc| {
                    if let Some(s) = best.get_mut(doc as usize) {
                        *s = s.max(part.score);
                    }
                })?;
            }
        }
        Ok(best)
    }
}

/// The documents with a score, in order.
pub(super) struct BestScores {
    docs: Vec<DocId>,
    best: Vec<Score>,
    at: usize,
    boost: Score,
}

impl BestScores {
    /// Over one score per document of the segment, 0 where it does not match.
    pub(super) fn new(best: Vec<Score>, boost: Score) -> BestScores {
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
    use tantivy::{Term, query::FuzzyTermQuery, schema::Schema};

    use super::*;

    /// Runs the automaton over the whole word, as an FST walk would.
    fn accepts<A: Automaton>(a: &A, word: &[u8]) -> bool {
        let mut state = a.start();
        for &b in word {
            state = a.accept(&state, b);
            if !a.can_match(&state) {
                return false;
            }
        }
        a.is_match(&state)
    }

    #[test]
    fn the_walk_finds_what_each_word_alone_would() {
        let mut words: Vec<&str> = vec![
            "local",
            "locale",
            "localisation",
            "localización",
            "locally",
            "loca",
            "loc",
            "resilience",
            "résilience",
            "resiliencia",
            "resilient",
            "risk",
            "risks",
            "risque",
            "urban",
            "urbain",
            "urbano",
            "a",
            "ab",
            "abc",
            "water",
            "waste",
            "wa",
            "z",
            "disaster",
            "disasters",
            "desastres",
            "catastrophe",
        ];
        words.sort_unstable();
        words.dedup();
        let vocabulary = Vocabulary::from_sorted(
            words
                .iter()
                .enumerate()
                .map(|(i, w)| (w.as_bytes().to_vec(), (i % 7) as u8 + 1)),
        );
        let field = Schema::builder().add_text_field("f", tantivy::schema::TEXT);
        for (query, typos, prefix) in [
            ("resilence", 2, false),
            ("loca", 0, true),
            ("loca", 1, true),
            ("urbn", 1, false),
            ("risk", 0, true),
            ("wat", 1, true),
            ("disaster", 1, false),
            ("zzz", 2, false),
            ("a", 1, true),
        ] {
            let term = Term::from_field_text(field, query);
            let fuzzy = if prefix {
                FuzzyTermQuery::new_prefix(term, typos, true)
            } else {
                FuzzyTermQuery::new(term, typos, true)
            };
            let dfa = fuzzy.automaton().expect("an automaton");
            let walked: Vec<(Vec<u8>, u8)> = vocabulary.matching(&dfa);
            let alone: Vec<(Vec<u8>, u8)> = words
                .iter()
                .enumerate()
                .filter(|(_, w)| accepts(&dfa, w.as_bytes()))
                .map(|(i, w)| (w.as_bytes().to_vec(), (i % 7) as u8 + 1))
                .collect();
            assert_eq!(
                walked, alone,
                "{query} with {typos} typo(s), prefix {prefix}"
            );
        }
        assert!(
            !vocabulary
                .matching(
                    &FuzzyTermQuery::new_prefix(Term::from_field_text(field, "loca"), 0, true)
                        .automaton()
                        .expect("dfa")
                )
                .is_empty()
        );
    }

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
