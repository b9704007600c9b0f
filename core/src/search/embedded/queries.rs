//! The embedded engine's queries: each word's best match (exact, stemmed,
//! with typos, or as a prefix), per tier, and synonyms as phrases.

use std::sync::Arc;

use tantivy::{
    Term,
    query::{
        AutomatonWeight, BooleanQuery, ConstScoreQuery, DfaWrapper, DisjunctionMaxQuery,
        EnableScoring, FuzzyTermQuery, Occur, Query, TermQuery, Weight,
    },
    schema::{Field, IndexRecordOption},
};

use super::{Inner, PREFIX, STEM, TIERS, TYPO};
use crate::search::query::{QueryGroup, QueryText, QueryWord, stems_of};

impl Inner {
    pub(super) fn text_query(&self, q: &QueryText) -> Box<dyn Query> {
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

    /// The best match of one word: exact, stemmed, with typos, or as a prefix.
    fn word_query(&self, w: &QueryWord) -> Box<dyn Query> {
        let f = &self.fields;
        let stems = stems_of(&w.folded);
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
        // A prefix automaton with the same typos matches every word the
        // whole-word one does, at the same weight: one walk per tier, not two.
        let fuzzy = if w.typos > 0 && !w.prefix {
            automaton(false)
        } else {
            None
        };
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
        let stems: Vec<[String; 3]> = words.iter().map(|w| stems_of(w)).collect();
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
