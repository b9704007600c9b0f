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

use tantivy_fst::Automaton;

/// Edits allowed at most (the typo budget of the longest words).
const MAX_TYPOS: u8 = 2;
const LEVELS: usize = MAX_TYPOS as usize + 1;
/// Query characters at most: bit `m` of a `u64` must exist.
const MAX_CHARS: usize = 63;

/// A query word's typo automaton.
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
        let mut next = TypoState {
            r: [0; LEVELS],
            swap: [0; LEVELS],
            matched: s.matched,
            pending: 0,
            missing: 0,
        };
        for e in 0..=self.typos {
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
        next.matched |= self.sink(&next.r);
        next
    }

    /// Whether a prefix automaton has matched for good here: the whole
    /// query is within the budget, and no shorter part of it is closer
    /// (a closer one could still become a better match). This is the
    /// DFA's own rule, and why it is not "some prefix of the word is
    /// within the budget": a word that would be only by a longer detour
    /// is not taken.
    fn sink(&self, r: &[u64; LEVELS]) -> bool {
        if !self.prefix {
            return false;
        }
        match (0..=self.typos).find(|&e| r[e] & self.done != 0) {
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
        TypoState {
            matched: self.sink(&r),
            r,
            swap: [0; LEVELS],
            pending: 0,
            missing: 0,
        }
    }

    fn is_match(&self, s: &TypoState) -> bool {
        s.missing == 0 && (s.matched || s.r[self.typos] & self.done != 0)
    }

    fn can_match(&self, s: &TypoState) -> bool {
        s.matched || s.r[self.typos] != 0 || s.swap[self.typos] != 0
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

    /// The words tantivy's Levenshtein DFA accepts, and the words this
    /// automaton accepts, from the same vocabulary.
    fn both(words: &[String], query: &str, typos: u8, prefix: bool) -> [Vec<(Vec<u8>, u8)>; 2] {
        let v = vocabulary(words);
        let term = Term::from_field_text(Field::from_field_id(0), query);
        let fuzzy = if prefix {
            FuzzyTermQuery::new_prefix(term, typos, true)
        } else {
            FuzzyTermQuery::new(term, typos, true)
        };
        let dfa = fuzzy.automaton().expect("a DFA");
        let ours = Typos::new(query, typos, prefix).expect("a short word");
        [v.matching(&dfa), v.matching(&ours)]
    }

    fn words(list: &str) -> Vec<String> {
        list.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn typos_swaps_and_prefixes_match_as_the_dfa_does() {
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
        ] {
            let [dfa, ours] = both(&vocabulary, query, typos, prefix);
            assert_eq!(ours, dfa, "{query} typos {typos} prefix {prefix}");
        }
        let [dfa, _] = both(&vocabulary, "resilence", 2, false);
        assert!(dfa.len() >= 5, "{dfa:?}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn any_vocabulary_and_word_match_as_the_dfa_does(
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
