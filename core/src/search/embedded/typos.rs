//! The typo automaton of a query word, simulated rather than built.
//!
//! It accepts the words within `typos` edits of the query word (an edit is
//! an insertion, a deletion, a substitution, or two neighbouring characters
//! swapped), or, as a prefix automaton, the words that begin with such a
//! word, by the DFA's rule for when a prefix has matched for good (see
//! [`Typos::sink`]). Those are exactly the words the Levenshtein DFA of
//! tantivy's `FuzzyTermQuery` (transpositions counting one) accepts: the
//! unit tests compare the two on the same vocabularies, random ones too.
//!
//! Building that DFA was the largest cost of a search inside the engine:
//! its states and transitions are laid out for the whole alphabet of the
//! query, before a single word is read. Here the automaton's state is the
//! set of states of the nondeterministic one (for each number of edits so
//! far, which query characters have been matched, as bits), and a step is
//! a few shifts and masks per edit allowed (Wu and Manber's bit-parallel
//! matching, anchored at both ends, with transpositions). The vocabulary's
//! trie walk then costs about what it cost with the DFA, and there is
//! nothing to build.
//!
//! Characters, not bytes, are compared: the walk feeds bytes, and a state
//! keeps the bytes of a character not yet complete.
//!
//! **A typo on the first character counts as two**, as in Meilisearch, the
//! other engine: a word that does not begin with the query's first
//! character is matched with one typo fewer (none for a word of five to
//! eight letters, which is then not matched at all). Meilisearch builds
//! this as the union of two DFAs (`milli`'s typo derivations); here the
//! state carries the budget, lowered once the first character differs.
//! Both engines then find the same words, and the walk of the vocabulary
//! leaves most first letters after one step.

use std::sync::Arc;

use tantivy::{
    query::{AutomatonWeight, EnableScoring, Query, Weight},
    schema::Field,
};
use tantivy_fst::Automaton;

/// Edits allowed at most (the typo budget of the longest words).
const MAX_TYPOS: u8 = 2;
const LEVELS: usize = MAX_TYPOS as usize + 1;
/// Query characters at most: bit `m` of a `u64` must exist.
const MAX_CHARS: usize = 63;

/// A query word's typo automaton.
#[derive(Debug)]
pub(super) struct Typos {
    chars: Vec<char>,
    /// For each ASCII byte, the bits `j + 1` where the query's `j`th
    /// character is that byte.
    ascii: [u64; 128],
    typos: usize,
    prefix: bool,
    /// Bit `m`: the whole query matched.
    done: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct TypoState {
    /// Per number of edits `e`: bit `j` says the first `j` query
    /// characters are within `e` edits of the word so far.
    r: [u64; LEVELS],
    /// Per `e`: the states one transposition away, should the next
    /// character be the one swapped (see [`Typos::step`]).
    swap: [u64; LEVELS],
    /// A prefix automaton that has matched matches whatever follows.
    matched: bool,
    /// The edits allowed: the word's budget, one fewer once the first
    /// character read is not the query's.
    budget: u8,
    /// Whether a character has been read.
    started: bool,
    /// The character being read: its bits so far, and bytes still to come.
    pending: u32,
    missing: u8,
}

impl Typos {
    /// `None` when the word is too long or the budget too large for this
    /// automaton. Neither happens with a query word: the analyser keeps
    /// words of 40 bytes at most, and the typo budget is at most two.
    pub(super) fn new(word: &str, typos: u8, prefix: bool) -> Option<Typos> {
        let chars: Vec<char> = word.chars().collect();
        if typos > MAX_TYPOS || chars.len() > MAX_CHARS {
            return None;
        }
        let mut ascii = [0u64; 128];
        for (j, c) in chars.iter().enumerate() {
            if c.is_ascii() {
                ascii[*c as usize] |= 1 << (j + 1);
            }
        }
        Some(Typos {
            done: 1 << chars.len(),
            chars,
            ascii,
            typos: usize::from(typos),
            prefix,
        })
    }

    /// The bits `j + 1` where the query's `j`th character is `c`.
    fn mask(&self, c: char) -> u64 {
        if c.is_ascii() {
            return self.ascii[c as usize];
        }
        self.chars
            .iter()
            .enumerate()
            .filter(|(_, q)| **q == c)
            .fold(0, |m, (j, _)| m | 1 << (j + 1))
    }

    /// Reads one whole character.
    fn step(&self, s: &TypoState, c: char) -> TypoState {
        let m = self.mask(c);
        let budget = if !s.started && self.chars.first() != Some(&c) {
            s.budget.saturating_sub(1)
        } else {
            s.budget
        };
        let mut next = TypoState {
            r: [0; LEVELS],
            swap: [0; LEVELS],
            matched: s.matched,
            budget,
            started: true,
            pending: 0,
            missing: 0,
        };
        // The levels below the budget are the same whatever the budget:
        // the automaton with one typo fewer is the first levels of this one.
        for e in 0..=usize::from(budget) {
            // The query's next character is this one: no edit.
            let mut r = (s.r[e] << 1) & m;
            if e > 0 {
                let below = s.r[e - 1];
                // This character is extra (inserted), or replaces the
                // query's next one; or it is the second of a swapped pair.
                r |= below | (below << 1) | (s.swap[e] & (m << 1));
                // Query characters left out (deleted), after this one.
                r |= next.r[e - 1] << 1;
                // Should the next character be the query's `j`th, this
                // one being its `j + 1`th, the pair is one swap from `j + 2`.
                next.swap[e] = (below << 2) & m;
            }
            next.r[e] = r & (self.done | (self.done - 1));
        }
        next.matched |= self.sink(&next.r, budget);
        next
    }

    /// Whether a prefix automaton has matched for good here: the whole
    /// query is within the budget, and no shorter part of it is closer
    /// (a closer one could still become a better match). This is the
    /// DFA's own rule, and why it is not "some prefix of the word is
    /// within the budget": a word that would be only by a longer detour
    /// is not taken.
    fn sink(&self, r: &[u64; LEVELS], budget: u8) -> bool {
        if !self.prefix {
            return false;
        }
        match (0..=usize::from(budget)).find(|&e| r[e] & self.done != 0) {
            Some(0) => true,
            Some(k) => r[k - 1] == 0,
            None => false,
        }
    }
}

impl Automaton for Typos {
    type State = TypoState;

    fn start(&self) -> TypoState {
        let mut r = [0; LEVELS];
        // With `e` edits, the first `e` query characters may be left out.
        for (e, bits) in r.iter_mut().enumerate().take(self.typos + 1) {
            *bits = ((1u64 << (e + 1)) - 1) & (self.done | (self.done - 1));
        }
        let budget = self.typos as u8;
        TypoState {
            matched: self.sink(&r, budget),
            r,
            swap: [0; LEVELS],
            budget,
            started: false,
            pending: 0,
            missing: 0,
        }
    }

    fn is_match(&self, s: &TypoState) -> bool {
        let b = usize::from(s.budget);
        s.missing == 0 && (s.matched || s.r[b] & self.done != 0)
    }

    fn can_match(&self, s: &TypoState) -> bool {
        let b = usize::from(s.budget);
        s.matched || s.r[b] != 0 || s.swap[b] != 0
    }

    fn accept(&self, s: &TypoState, byte: u8) -> TypoState {
        if s.matched {
            return s.clone();
        }
        let (pending, missing) = match (s.missing, byte) {
            (0, 0x00..=0x7f) => return self.step(s, char::from(byte)),
            (0, 0xc0..=0xdf) => (u32::from(byte & 0x1f), 1),
            (0, 0xe0..=0xef) => (u32::from(byte & 0x0f), 2),
            (0, _) => (u32::from(byte & 0x07), 3),
            (n, _) => ((s.pending << 6) | u32::from(byte & 0x3f), n - 1),
        };
        if missing > 0 {
            return TypoState {
                pending,
                missing,
                ..s.clone()
            };
        }
        let c = char::from_u32(pending).unwrap_or(char::REPLACEMENT_CHARACTER);
        self.step(
            &TypoState {
                pending: 0,
                missing: 0,
                ..s.clone()
            },
            c,
        )
    }
}

/// The terms of one field that a [`Typos`] accepts, each scoring one (as
/// tantivy's `FuzzyTermQuery` does with its DFA).
#[derive(Clone, Debug)]
pub(super) struct TypoQuery {
    field: Field,
    typos: Arc<Typos>,
}

impl TypoQuery {
    /// `None` where [`Typos::new`] is.
    pub(super) fn new(field: Field, word: &str, typos: u8, prefix: bool) -> Option<TypoQuery> {
        Some(TypoQuery {
            field,
            typos: Arc::new(Typos::new(word, typos, prefix)?),
        })
    }
}

impl Query for TypoQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(AutomatonWeight::<Typos>::new(
            self.field,
            self.typos.clone(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use tantivy::{Term, query::FuzzyTermQuery, schema::Field};

    use super::*;
    use crate::search::embedded::words::Vocabulary;

    fn vocabulary(words: &[String]) -> Vocabulary {
        let sorted: BTreeMap<Vec<u8>, u8> = words
            .iter()
            .enumerate()
            .map(|(i, w)| (w.as_bytes().to_vec(), 1 << (i % 3)))
            .collect();
        Vocabulary::from_sorted(sorted)
    }

    /// The words Meilisearch's construction accepts, and the words this
    /// automaton accepts, from the same vocabulary. Meilisearch (`milli`)
    /// takes the words that begin with the query's first character from
    /// the Levenshtein DFA of the word's budget, and the others from the
    /// DFA of one typo fewer; the DFAs are tantivy's `FuzzyTermQuery`'s,
    /// the same `levenshtein_automata` crate.
    fn both(words: &[String], query: &str, typos: u8, prefix: bool) -> [Vec<(Vec<u8>, u8)>; 2] {
        let v = vocabulary(words);
        let dfa = |typos: u8| {
            let term = Term::from_field_text(Field::from_field_id(0), query);
            let fuzzy = if prefix {
                FuzzyTermQuery::new_prefix(term, typos, true)
            } else {
                FuzzyTermQuery::new(term, typos, true)
            };
            v.matching(&fuzzy.automaton().expect("a DFA"))
        };
        let first = query.chars().next();
        let begins = |w: &[u8]| String::from_utf8_lossy(w).chars().next() == first;
        let mut expected: Vec<_> = dfa(typos).into_iter().filter(|(w, _)| begins(w)).collect();
        if typos > 0 {
            expected.extend(dfa(typos - 1).into_iter().filter(|(w, _)| !begins(w)));
        }
        expected.sort();
        let ours = Typos::new(query, typos, prefix).expect("a short word");
        [expected, v.matching(&ours)]
    }

    fn words(list: &str) -> Vec<String> {
        list.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn typos_swaps_and_prefixes_match_as_meilisearch_does() {
        let vocabulary = words(
            "resilience resiliance resilence reslience resilienec resiliency \
             resident loca local locale locality logical lodge vocal \
             transport transprot tranport transports publc public publique \
             desastres desastre disaster disasters sec secure security second \
             étude etude étudiant 日本 日本語 straße strasse ñandú nandu",
        );
        for (query, typos, prefix) in [
            ("resilence", 2, false),
            ("resilence", 1, true),
            ("loca", 0, true),
            ("transprot", 2, true),
            ("publc", 1, false),
            ("sec", 0, true),
            ("disater", 1, false),
            ("etude", 1, false),
            ("étude", 1, true),
            ("日本", 0, true),
            ("strase", 1, false),
            ("nandu", 1, false),
            ("tesilience", 2, false),
            ("tesilence", 2, false),
            ("xublic", 1, false),
            ("pubilc", 1, false),
            ("ransport", 2, true),
        ] {
            let [dfa, ours] = both(&vocabulary, query, typos, prefix);
            assert_eq!(ours, dfa, "{query} typos {typos} prefix {prefix}");
        }
        let [dfa, _] = both(&vocabulary, "resilence", 2, false);
        assert!(dfa.len() >= 5, "{dfa:?}");
        // A typo on the first character counts as two.
        let found = |query: &str, typos: u8| -> Vec<String> {
            let ours = Typos::new(query, typos, false).expect("a short word");
            vocabulary_words(&vocabulary, &ours)
        };
        assert!(found("tesilience", 2).contains(&"resilience".to_string()));
        assert!(!found("tesilence", 2).contains(&"resilience".to_string()));
        assert!(found("resilence", 2).contains(&"resilience".to_string()));
        assert!(!found("xublic", 1).contains(&"public".to_string()));
        assert!(found("pubilc", 1).contains(&"public".to_string()));
    }

    fn vocabulary_words(words: &[String], typos: &Typos) -> Vec<String> {
        vocabulary(words)
            .matching(typos)
            .into_iter()
            .map(|(w, _)| String::from_utf8(w).expect("UTF-8"))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn any_vocabulary_and_word_match_as_meilisearch_does(
            vocabulary in proptest::collection::vec("[abcé日ß]{1,7}", 1..60),
            query in "[abcé日ß]{1,9}",
            typos in 0u8..=2,
            prefix in any::<bool>(),
        ) {
            let [dfa, ours] = both(&vocabulary, &query, typos, prefix);
            prop_assert_eq!(ours, dfa);
        }
    }
}
