//! Text analysis shared by both engines and the highlighter: folding,
//! stemming, typo budgets, Markdown stripping, and `<mark>` snippets.

use std::cell::RefCell;

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, TokenStream,
};

use crate::domain::Locale;

mod highlight;
pub use highlight::{ExactWords, Highlighter, Words};

/// Name of the analyser that lowercases and folds accents (`Désastres` → `desastres`).
pub const PLAIN: &str = "agora_plain";

/// Name of the analyser that also stems words the way `locale` inflects them.
pub fn stemmed_name(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "agora_stem_en",
        Locale::Fr => "agora_stem_fr",
        Locale::Es => "agora_stem_es",
    }
}

/// Words longer than this are noise (URLs, hashes) and are not indexed.
const MAX_WORD_BYTES: usize = 40;

pub fn plain_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Stems before folding: the stemmers know their language's accents.
pub fn stemming_analyzer(locale: Locale) -> TextAnalyzer {
    let language = match locale {
        Locale::En => Language::English,
        Locale::Fr => Language::French,
        Locale::Es => Language::Spanish,
    };
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(LowerCaser)
        .filter(Stemmer::new(language))
        .filter(AsciiFoldingFilter)
        .build()
}

struct Analyzers {
    plain: TextAnalyzer,
    stem: [TextAnalyzer; 3],
}

thread_local! {
    static ANALYZERS: RefCell<Analyzers> = RefCell::new(Analyzers {
        plain: plain_analyzer(),
        stem: Locale::ALL.map(stemming_analyzer),
    });
}

/// The slot of `locale` in the per-locale arrays of the search module.
pub(super) fn locale_index(locale: Locale) -> usize {
    match locale {
        Locale::En => 0,
        Locale::Fr => 1,
        Locale::Es => 2,
    }
}

/// The byte ranges of the words of `text` as the plain analyser splits it:
/// runs of letters and digits, too-long ones left out. The highlighter runs
/// this over every text it looks at, and folds a word only when it has not
/// judged it already.
fn word_bounds(text: &str) -> WordBounds<'_> {
    WordBounds { text, at: 0 }
}

struct WordBounds<'a> {
    text: &'a str,
    at: usize,
}

impl Iterator for WordBounds<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let len = self.text.len();
        loop {
            // The start of the next run of letters and digits.
            while self.at < len {
                let (c, width) = char_at(self.text, self.at);
                if c.is_alphanumeric() {
                    break;
                }
                self.at += width;
            }
            if self.at >= len {
                return None;
            }
            let from = self.at;
            while self.at < len {
                let (c, width) = char_at(self.text, self.at);
                if !c.is_alphanumeric() {
                    break;
                }
                self.at += width;
            }
            if self.at - from < MAX_WORD_BYTES {
                return Some((from, self.at));
            }
        }
    }
}

/// `word` (one of [`word_bounds`]) folded as the plain analyser folds it,
/// into `out`: a word in ASCII, most of them, is lowercased without going
/// through the analyser's chain of boxed streams.
fn fold_word(plain: &mut TextAnalyzer, word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.push_str(word);
        out.make_ascii_lowercase();
    } else {
        let mut stream = plain.token_stream(word);
        if stream.advance() {
            out.push_str(&stream.token().text);
        }
    }
}

/// The character at byte `i` of `text` (a character boundary), and its width.
fn char_at(text: &str, i: usize) -> (char, usize) {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        return (b as char, 1);
    }
    let c = text[i..].chars().next().unwrap_or(' ');
    (c, c.len_utf8())
}

/// The folded words of a text, as the index sees them.
pub fn words(text: &str) -> Vec<String> {
    ANALYZERS.with_borrow_mut(|a| {
        let mut out = Vec::new();
        let mut stream = a.plain.token_stream(text);
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    })
}

/// One word stemmed for `locale` (then folded).
pub fn stem(word: &str, locale: Locale) -> String {
    ANALYZERS.with_borrow_mut(|a| {
        let mut stream = a.stem[locale_index(locale)].token_stream(word);
        if stream.advance() {
            stream.token().text.clone()
        } else {
            String::new()
        }
    })
}

/// One word stemmed for each locale, in the order of [`Locale::ALL`].
pub fn stems(word: &str) -> [String; 3] {
    Locale::ALL.map(|l| stem(word, l))
}

/// Typos forgiven in a query word, as Meilisearch does by default: none
/// below 5 letters, one from 5, two from 9.
pub fn typo_budget(word: &str) -> u8 {
    match word.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Optimal string alignment distance of `a` and `b` is at most `max`
/// (a swap of two neighbouring letters costs one, as in the engines).
pub fn within_distance(a: &str, b: &str, max: u8) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    within_distance_chars(&a, &b, max as usize)
}

fn within_distance_chars(a: &[char], b: &[char], max: usize) -> bool {
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    if a == b {
        return true;
    }
    if max == 0 {
        return false;
    }
    // Three rows of the table; on the stack for words of ordinary length
    // (this runs for many words of every text a search highlights).
    const ROW: usize = 48;
    let width = b.len() + 1;
    if width <= ROW {
        let mut rows = [0usize; 3 * ROW];
        let (prev2, rest) = rows.split_at_mut(ROW);
        let (prev, cur) = rest.split_at_mut(ROW);
        osa_within(
            a,
            b,
            max,
            &mut prev2[..width],
            &mut prev[..width],
            &mut cur[..width],
        )
    } else {
        let (mut prev2, mut prev, mut cur) = (vec![0; width], vec![0; width], vec![0; width]);
        osa_within(a, b, max, &mut prev2, &mut prev, &mut cur)
    }
}

fn osa_within<'r>(
    a: &[char],
    b: &[char],
    max: usize,
    mut prev2: &'r mut [usize],
    mut prev: &'r mut [usize],
    mut cur: &'r mut [usize],
) -> bool {
    for (j, v) in prev.iter_mut().enumerate() {
        *v = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return false;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()] <= max
}

/// Which letters and digits a word has, one bit each (the rest share one):
/// a word within `n` typos of another lacks at most `n` of its letters, so
/// most words of a text are ruled out without computing a distance.
fn letters(word: impl IntoIterator<Item = char>) -> u64 {
    word.into_iter().fold(0, |m, c| {
        let bit = match c {
            'a'..='z' => c as u32 - 'a' as u32,
            '0'..='9' => 26 + c as u32 - '0' as u32,
            _ => 63,
        };
        m | (1u64 << bit)
    })
}

/// The readable text of a Markdown document: no markup, no link targets.
pub fn strip_markdown(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell,
            ) => out.push('\n'),
            _ => {}
        }
    }
    out
}

/// Cuts a text to at most `max` bytes, at a word boundary.
pub fn truncate_words(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    match text[..end].rfind(char::is_whitespace) {
        Some(space) if space > max / 2 => &text[..space],
        _ => &text[..end],
    }
}

pub fn escape_html(text: &str, out: &mut String) {
    // Runs of plain text are copied whole; the five characters are ASCII,
    // so a byte position found here is always a character boundary.
    let mut at = 0;
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[at..i]);
        out.push_str(entity);
        at = i + 1;
    }
    out.push_str(&text[at..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped_around_any_text() {
        let mut out = String::from("x");
        escape_html("Été <b>\"l'eau\"</b> & ñ", &mut out);
        assert_eq!(out, "xÉté &lt;b&gt;&quot;l&#39;eau&quot;&lt;/b&gt; &amp; ñ");
        let mut out = String::new();
        escape_html("", &mut out);
        escape_html("&", &mut out);
        escape_html("plain", &mut out);
        assert_eq!(out, "&amp;plain");
    }

    #[test]
    fn folding_and_stemming() {
        assert_eq!(words("Désastres, REDUCCIÓN!"), ["desastres", "reduccion"]);
        assert_eq!(stem("desastres", Locale::Es), stem("desastre", Locale::Es));
        assert_eq!(
            stem("Localizing", Locale::En),
            stem("localization", Locale::En)
        );
    }

    #[test]
    fn the_word_walk_sees_the_words_the_index_sees() {
        let texts = [
            "Réduire les RISQUES de catastrophe: l'Évaluation des données (2024)!",
            "Gestión del agua — ñandú, ÁRBOL, Straße, İstanbul, ǅemal, ﬁnance",
            "https://example.org/a-very-long-address-with-no-spaces-at-all-in-it-whatsoever ok",
            "mixed123 ABCdef 東京 emoji🙂word  tabs\tand\nlines",
            "",
            "   …   ",
            "x",
        ];
        for text in texts {
            let mut walked = Vec::new();
            let mut folded = String::new();
            ANALYZERS.with_borrow_mut(|a| {
                for (n, (from, to)) in word_bounds(text).enumerate() {
                    fold_word(&mut a.plain, &text[from..to], &mut folded);
                    walked.push((n, from, to, folded.clone()));
                }
            });
            let mut expected = Vec::new();
            let mut plain = plain_analyzer();
            let mut stream = plain.token_stream(text);
            let mut n = 0;
            while stream.advance() {
                let t = stream.token();
                expected.push((n, t.offset_from, t.offset_to, t.text.clone()));
                n += 1;
            }
            assert_eq!(walked, expected, "{text}");
        }
    }

    #[test]
    fn distances_count_swaps_as_one() {
        assert!(within_distance("resilence", "resilience", 1));
        assert!(within_distance("disatser", "disaster", 1));
        assert!(!within_distance("disaster", "desastre", 1));
        assert!(within_distance("same", "same", 0));
        assert!(!within_distance("samo", "same", 0));
    }

    #[test]
    fn the_letters_filter_never_rules_out_a_word_within_reach() {
        let words = [
            "resilience",
            "resilence",
            "resiliance",
            "disaster",
            "disatser",
            "desastre",
            "transport",
            "transprot",
            "public",
            "publc",
            "local",
            "loca",
            "locale",
            "water",
            "waters",
            "wtaer",
            "housing",
            "husing",
            "hosuing",
            "sdg",
            "sdgs",
            "climate",
        ];
        for a in words {
            for b in words {
                for max in 0..=2u8 {
                    if within_distance(a, b, max) {
                        let missing = (letters(b.chars()) & !letters(a.chars())).count_ones();
                        assert!(missing <= u32::from(max), "{a} {b} {max}");
                    }
                }
            }
        }
        // And it does rule out most words.
        assert!((letters("housing".chars()) & !letters("water".chars())).count_ones() > 2);
    }

    #[test]
    fn typo_budgets_follow_word_length() {
        assert_eq!(typo_budget("risk"), 0);
        assert_eq!(typo_budget("local"), 1);
        assert_eq!(typo_budget("resilence"), 2);
    }

    #[test]
    fn markdown_is_stripped() {
        let text =
            strip_markdown("# Title\n\nSome **bold** [link](lesson:x) and `code`.\n\n- item");
        assert!(text.contains("Title"));
        assert!(text.contains("Some bold link and code."));
        assert!(!text.contains("lesson:x") && !text.contains("**"));
    }
}
