//! The embedded engine's queries: each word's best match (exact, stemmed,
//! with typos, or as a prefix), per tier, and synonyms as phrases.

use std::sync::Arc;

use tantivy::query::{BooleanQuery, DisjunctionMaxQuery, Occur, Query};

use super::{
    Inner, PREFIX, STEM, TIERS, TYPO,
    phrases::{KnownPhrase, PhraseTier, SynonymPhrases},
    typos::Typos,
    words::{ArrayQuery, Part, Vocabulary, WordParts},
};
use crate::search::query::{QueryGroup, QueryText, QueryWord, stems_of};

impl Inner {
    /// `synonyms`: the phrases of `synonyms.yaml`, resolved in the searcher.
    pub(super) fn text_query(
        &self,
        q: &QueryText,
        vocabulary: &Vocabulary,
        synonyms: &Arc<SynonymPhrases>,
    ) -> Box<dyn Query> {
        let groups: Vec<(Occur, Box<dyn Query>)> = q
            .groups
            .iter()
            .map(|g| (Occur::Must, self.group_query(g, vocabulary, synonyms)))
            .collect();
        Box::new(BooleanQuery::new(groups))
    }

    /// The words as typed (all of them), or any of their synonyms.
    fn group_query(
        &self,
        g: &QueryGroup,
        vocabulary: &Vocabulary,
        synonyms: &Arc<SynonymPhrases>,
    ) -> Box<dyn Query> {
        let typed: Box<dyn Query> = Box::new(BooleanQuery::new(
            g.words
                .iter()
                .map(|w| (Occur::Must, self.word_query(w, vocabulary)))
                .collect(),
        ));
        if g.alternatives.is_empty() {
            return typed;
        }
        let mut options = vec![typed];
        options.extend(
            g.alternatives
                .iter()
                .map(|p| self.phrase_query(p, synonyms)),
        );
        Box::new(DisjunctionMaxQuery::new(options))
    }

    /// The best match of one word: exact, stemmed, with typos, or as a
    /// prefix, in the best tier (see [`WordParts`]).
    fn word_query(&self, w: &QueryWord, vocabulary: &Vocabulary) -> Box<dyn Query> {
        let f = &self.fields;
        let stems = &w.stems;
        let mut parts = Vec::new();
        for (tier, weight) in TIERS {
            let t = tier as usize;
            parts.push(Part {
                field: f.plain[t],
                score: weight,
                terms: vec![w.folded.as_bytes().to_vec()],
            });
            for (li, stem) in stems.iter().enumerate() {
                if !stem.is_empty() {
                    parts.push(Part {
                        field: f.stemmed[t][li],
                        score: weight * STEM,
                        terms: vec![stem.as_bytes().to_vec()],
                    });
                }
            }
        }
        // A prefix automaton with the same typos matches every word the
        // whole-word one does, at the same weight: one walk, not two.
        let kind = if w.prefix {
            Some((true, if w.typos > 0 { TYPO } else { PREFIX }))
        } else if w.typos > 0 {
            Some((false, TYPO))
        } else {
            None
        };
        if let Some((prefix, kind_weight)) = kind
            && let Some(typos) = Typos::new(&w.folded, w.typos, prefix)
        {
            let found = vocabulary.matching(&typos);
            for (tier, weight) in TIERS {
                let t = tier as usize;
                let terms: Vec<Vec<u8>> = found
                    .iter()
                    .filter(|(_, tiers)| tiers & (1 << t) != 0)
                    .map(|(word, _)| word.clone())
                    .collect();
                if !terms.is_empty() {
                    parts.push(Part {
                        field: f.plain[t],
                        score: weight * kind_weight,
                        terms,
                    });
                }
            }
        }
        Box::new(ArrayQuery::new(WordParts(parts)))
    }

    /// A synonym: all its words in the same tier, each exact or stemmed,
    /// read from the phrases resolved (see [`SynonymPhrases`]).
    fn phrase_query(&self, words: &[String], synonyms: &Arc<SynonymPhrases>) -> Box<dyn Query> {
        Box::new(ArrayQuery::new(KnownPhrase {
            phrases: synonyms.clone(),
            words: words.to_vec(),
        }))
    }

    /// A phrase's terms per tier: each word as it is, or by one of its stems.
    pub(super) fn phrase_tiers(&self, words: &[String]) -> Vec<PhraseTier> {
        let f = &self.fields;
        let stems: Vec<[String; 3]> = words.iter().map(|w| stems_of(w)).collect();
        TIERS
            .iter()
            .map(|&(tier, weight)| {
                let t = tier as usize;
                PhraseTier {
                    score: weight,
                    words: words
                        .iter()
                        .zip(&stems)
                        .map(|(w, s)| {
                            let mut any = vec![(f.plain[t], w.as_bytes().to_vec())];
                            for (li, stem) in s.iter().enumerate() {
                                if !stem.is_empty() {
                                    any.push((f.stemmed[t][li], stem.as_bytes().to_vec()));
                                }
                            }
                            any
                        })
                        .collect(),
                }
            })
            .collect()
    }
}
