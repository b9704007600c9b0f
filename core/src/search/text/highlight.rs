//! The `<mark>`ed words and snippets of a search answer, found by the
//! rules the engines match by, so both engines highlight alike.

use std::{
    cell::RefCell,
    collections::{HashMap, HashSet},
};

use rustc_hash::FxBuildHasher;

use super::{
    ANALYZERS, Analyzers, escape_html, fold_word, letters, locale_index, stems,
    within_distance_chars, word_bounds,
};
use crate::domain::Locale;

/// A query word as the highlighter matches it.
#[derive(Clone, Debug)]
struct MatchWord {
    folded: Vec<char>,
    folded_str: String,
    /// [`letters`] of the word.
    letters: u64,
    stems: [String; 3],
    typos: u8,
    prefix: bool,
}

/// Words matched as they are or by their stems, never by typos nor as
/// prefixes: the words of a query, or of a synonym group (built once for
/// every query that names the group).
#[derive(Clone, Debug, Default)]
pub struct ExactWords {
    exact: HashSet<String, FxBuildHasher>,
    /// Per locale: the words' stems, and their first three bytes (a word
    /// of the text is stemmed only when it begins like one of them).
    stems: [HashSet<String, FxBuildHasher>; 3],
    stem_starts: [HashSet<u32, FxBuildHasher>; 3],
}

impl ExactWords {
    /// `words`: folded words, with their [`stems`].
    pub fn new<'a>(words: impl IntoIterator<Item = (&'a str, &'a [String; 3])>) -> Self {
        let mut out = ExactWords::default();
        for (word, stems) in words {
            if word.is_empty() {
                continue;
            }
            out.exact.insert(word.to_owned());
            for (li, stem) in stems.iter().enumerate() {
                if !stem.is_empty() {
                    out.stem_starts[li].insert(start(stem));
                    out.stems[li].insert(stem.clone());
                }
            }
        }
        out
    }
}

/// Marks the words of a text that a query matches, by the rules the engines
/// use: same folded word, same stem, a typo within the budget, or (for the
/// last word typed) a prefix.
#[derive(Clone, Debug, Default)]
pub struct Highlighter {
    /// The query words that need more than a look-up (typos, prefixes).
    words: Vec<MatchWord>,
    /// Look-ups, checked before the slower typo and prefix rules: the
    /// query's words, and the words of the synonym groups it names.
    own: ExactWords,
    groups: Vec<&'static ExactWords>,
    /// The verdicts so far, by word as written: the search's twenty titles
    /// and summaries repeat their words, and a look-up is cheaper than the
    /// typo and stem rules. Per word, bit `l` says locale `l` was judged and
    /// bit `l + 3` that it matched there.
    seen: RefCell<HashMap<String, u8, FxBuildHasher>>,
}

/// A word's first three bytes, and how many there are, as one number.
fn start(s: &str) -> u32 {
    let b = &s.as_bytes()[..s.len().min(3)];
    b.iter()
        .fold(b.len() as u32, |k, &c| (k << 8) | u32::from(c))
}

/// Where the words of a text are, found once: what the highlighter reads
/// of a text that is shown again and again (a course's title and summary).
#[derive(Clone, Debug, Default)]
pub struct Words(Box<[(u32, u32)]>);

impl Words {
    /// The words of `text`, as [`Highlighter::highlight`] would find them.
    pub fn of(text: &str) -> Words {
        Words(
            word_bounds(text)
                .map_while(|(from, to)| Some((u32::try_from(from).ok()?, u32::try_from(to).ok()?)))
                .collect(),
        )
    }
}

/// Words of context kept before the first match in a snippet.
const SNIPPET_BEFORE: usize = 8;
/// Words in a snippet.
const SNIPPET_WORDS: usize = 32;
/// A snippet is looked for in this many words of a text at most.
const SNIPPET_SCAN: usize = 1_500;

impl Highlighter {
    /// `words`: (folded word, typos allowed, prefix allowed).
    pub fn new(words: impl IntoIterator<Item = (String, u8, bool)>) -> Self {
        Self::with_stems(words.into_iter().map(|(w, typos, prefix)| {
            let stems = stems(&w);
            (w, typos, prefix, stems)
        }))
    }

    /// As [`Highlighter::new`], with each word's [`stems`] already known.
    pub fn with_stems(words: impl IntoIterator<Item = (String, u8, bool, [String; 3])>) -> Self {
        let mut out: Vec<MatchWord> = Vec::new();
        for (w, typos, prefix, stems) in words {
            if w.is_empty() {
                continue;
            }
            if let Some(existing) = out.iter_mut().find(|m| m.folded_str == w) {
                existing.typos = existing.typos.max(typos);
                existing.prefix |= prefix;
                continue;
            }
            out.push(MatchWord {
                folded: w.chars().collect(),
                letters: letters(w.chars()),
                stems,
                folded_str: w,
                typos,
                prefix,
            });
        }
        let own = ExactWords::new(out.iter().map(|w| (w.folded_str.as_str(), &w.stems)));
        // Only the words that need more than a look-up stay in the list.
        let words = out
            .into_iter()
            .filter(|w| w.typos > 0 || w.prefix)
            .collect();
        Highlighter {
            words,
            own,
            ..Default::default()
        }
    }

    /// Also marks the words of these synonym groups, as they are or by
    /// their stems.
    pub fn with_groups(mut self, groups: impl IntoIterator<Item = &'static ExactWords>) -> Self {
        self.groups.extend(groups);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.own.exact.is_empty() && self.groups.is_empty()
    }

    /// Whether a word of a text in `locale` matches; `stem_of` stems it, and
    /// is called only when a stem could match (stemming costs the most).
    fn matches(
        &self,
        folded: &str,
        mut stem_of: impl FnMut() -> String,
        locale: Locale,
        chars: &mut Vec<char>,
    ) -> bool {
        let li = locale_index(locale);
        let tables = std::iter::once(&self.own).chain(self.groups.iter().copied());
        if tables.clone().any(|t| t.exact.contains(folded)) {
            return true;
        }
        let begins = start(folded);
        if tables.clone().any(|t| t.stem_starts[li].contains(&begins)) {
            let stem = stem_of();
            if tables.into_iter().any(|t| t.stems[li].contains(&stem)) {
                return true;
            }
        }
        let len = folded.chars().count();
        let mut seen: Option<u64> = None;
        for w in &self.words {
            if w.prefix && folded.starts_with(&w.folded_str) {
                return true;
            }
            if w.typos == 0 {
                continue;
            }
            // A typo on the first character counts as two, as the engines count it.
            let max = if folded.chars().next() == w.folded.first().copied() {
                w.typos as usize
            } else {
                w.typos as usize - 1
            };
            if max == 0 {
                continue;
            }
            let wlen = w.folded.len();
            let whole = len.abs_diff(wlen) <= max;
            let prefix = w.prefix && len + max >= wlen;
            if !whole && !prefix {
                continue;
            }
            let has = *seen.get_or_insert_with(|| {
                chars.clear();
                chars.extend(folded.chars());
                letters(chars.iter().copied())
            });
            if (w.letters & !has).count_ones() as usize > max {
                continue;
            }
            let c = &chars[..];
            if whole && within_distance_chars(c, &w.folded, max) {
                return true;
            }
            if prefix {
                for n in wlen.saturating_sub(max).max(1)..=(wlen + max).min(c.len()) {
                    if within_distance_chars(&c[..n], &w.folded, max) {
                        return true;
                    }
                }
            }
        }
        false
    }

    /// Byte ranges of the matching words of `text`, within its first `limit` words.
    fn ranges(
        &self,
        text: &str,
        locale: Locale,
        limit: usize,
        first_only: bool,
    ) -> Vec<(usize, usize, usize)> {
        self.ranges_of(text, word_bounds(text), locale, limit, first_only)
    }

    /// As [`Highlighter::ranges`], over the text's words already found.
    fn ranges_of(
        &self,
        text: &str,
        words: impl Iterator<Item = (usize, usize)>,
        locale: Locale,
        limit: usize,
        first_only: bool,
    ) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        if self.is_empty() {
            return out;
        }
        ANALYZERS.with_borrow_mut(|a| {
            let Analyzers { plain, stem } = a;
            let stemmer = &mut stem[locale_index(locale)];
            let judged = 1u8 << locale_index(locale);
            let matched = judged << 3;
            let (mut chars, mut folded) = (Vec::new(), String::new());
            for (n, (from, to)) in words.enumerate().take(limit) {
                let word = &text[from..to];
                let verdict = self.seen.borrow().get(word).copied().unwrap_or(0);
                let is_match = if verdict & judged != 0 {
                    verdict & matched != 0
                } else {
                    fold_word(plain, word, &mut folded);
                    let stem_of = || {
                        let mut s = stemmer.token_stream(word);
                        if s.advance() {
                            s.token().text.clone()
                        } else {
                            String::new()
                        }
                    };
                    let m = self.matches(&folded, stem_of, locale, &mut chars);
                    *self.seen.borrow_mut().entry(word.to_owned()).or_default() |=
                        judged | if m { matched } else { 0 };
                    m
                };
                if is_match {
                    out.push((n, from, to));
                    if first_only {
                        break;
                    }
                }
            }
        });
        out
    }

    /// The whole text, HTML-escaped, with matches in `<mark>`; and whether anything matched.
    pub fn highlight(&self, text: &str, locale: Locale) -> (String, bool) {
        let ranges = self.ranges(text, locale, usize::MAX, false);
        (mark(text, &ranges), !ranges.is_empty())
    }

    /// As [`Highlighter::highlight`], with `words` found in `text` before
    /// (by [`Words::of`]).
    pub fn highlight_words(&self, text: &str, words: &Words, locale: Locale) -> (String, bool) {
        let bounds = words
            .0
            .iter()
            .map(|&(from, to)| (from as usize, to as usize));
        let ranges = self.ranges_of(text, bounds, locale, usize::MAX, false);
        (mark(text, &ranges), !ranges.is_empty())
    }

    /// A window of the text around its first match, HTML-escaped, with
    /// matches in `<mark>`; `None` when nothing in it matches.
    pub fn snippet(&self, text: &str, locale: Locale) -> Option<String> {
        let first = self.ranges(text, locale, SNIPPET_SCAN, true);
        let &(index, _, _) = first.first()?;
        // Word boundaries of the window.
        let start_word = index.saturating_sub(SNIPPET_BEFORE);
        let end_word = start_word + SNIPPET_WORDS;
        let (mut start, mut end) = (None, text.len());
        for (n, (from, _)) in word_bounds(text).enumerate() {
            if n == start_word {
                start = Some(from);
            }
            if n == end_word {
                end = from;
                break;
            }
        }
        let start = if start_word == 0 { 0 } else { start? };
        let window = text[start..end].trim_end();
        let ranges = self.ranges(window, locale, usize::MAX, false);
        let mut out = String::new();
        if start > 0 {
            out.push('…');
        }
        out.push_str(mark(window, &ranges).trim());
        if end < text.len() {
            out.push('…');
        }
        Some(out.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

fn mark(text: &str, ranges: &[(usize, usize, usize)]) -> String {
    let mut out = String::with_capacity(text.len() + ranges.len() * 13);
    let mut at = 0;
    for &(_, from, to) in ranges {
        escape_html(&text[at..from], &mut out);
        out.push_str("<mark>");
        escape_html(&text[from..to], &mut out);
        out.push_str("</mark>");
        at = to;
    }
    escape_html(&text[at..], &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_are_escaped_and_marked() {
        let h = Highlighter::new([
            ("resilence".to_string(), 2, false),
            ("loca".into(), 0, true),
        ]);
        let (html, hit) = h.highlight("<b>Urban</b> resilience & local action", Locale::En);
        assert!(hit);
        assert_eq!(
            html,
            "&lt;b&gt;Urban&lt;/b&gt; <mark>resilience</mark> &amp; <mark>local</mark> action"
        );
        let (_, hit) = h.highlight("nothing here", Locale::En);
        assert!(!hit);
    }

    /// As the engines count typos: one on the first character counts as two.
    #[test]
    fn a_typo_on_the_first_character_counts_as_two() {
        let h = Highlighter::new([("tesilience".to_string(), 2, false)]);
        assert!(h.highlight("urban resilience", Locale::En).1);
        let h = Highlighter::new([("tesilence".to_string(), 2, false)]);
        assert!(!h.highlight("urban resilience", Locale::En).1);
        let h = Highlighter::new([("xublic".to_string(), 1, false)]);
        assert!(!h.highlight("public transport", Locale::En).1);
        let h = Highlighter::new([("pubilc".to_string(), 1, false)]);
        assert!(h.highlight("public transport", Locale::En).1);
    }

    #[test]
    fn words_found_before_highlight_alike() {
        let h = Highlighter::new([("risque".to_string(), 1, true)]);
        for text in ["Réduire les <RISQUES> & les risques", "", "—", "risq"] {
            let words = Words::of(text);
            assert_eq!(
                h.highlight_words(text, &words, Locale::Fr),
                h.highlight(text, Locale::Fr),
                "{text}"
            );
        }
    }

    #[test]
    fn snippets_are_windows_around_the_first_match() {
        let text = (0..100)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ")
            + " disaster risk "
            + &(0..100)
                .map(|i| format!("v{i}"))
                .collect::<Vec<_>>()
                .join(" ");
        let h = Highlighter::new([("disaster".to_string(), 1, false)]);
        let s = h.snippet(&text, Locale::En).unwrap();
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<mark>disaster</mark> risk"), "{s}");
        assert!(h.snippet("no match", Locale::En).is_none());
    }
}
