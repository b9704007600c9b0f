//! What a search asks for, parsed once at the boundary: the query text with
//! its synonyms, the filters, the facets wanted and the page.

use std::{collections::HashMap, fmt, str::FromStr, sync::LazyLock};

use serde::{Deserialize, Serialize};

use super::text;
use crate::{
    Error, Result,
    domain::{Level, Locale},
};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 512;
/// Only the first words of a query are searched, as Meilisearch does.
pub const MAX_QUERY_WORDS: usize = 10;
pub const MAX_PER_PAGE: u64 = 100;
pub const DEFAULT_PER_PAGE: u64 = 20;
/// Values a single filter may list.
const MAX_FILTER_VALUES: usize = 20;

/// How long a course takes, in bands a learner chooses between.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DurationBand {
    #[serde(rename = "under_1h")]
    Under1h,
    #[serde(rename = "1_3h")]
    From1To3h,
    #[serde(rename = "3_6h")]
    From3To6h,
    #[serde(rename = "over_6h")]
    Over6h,
}

impl DurationBand {
    pub const ALL: [DurationBand; 4] = [
        DurationBand::Under1h,
        DurationBand::From1To3h,
        DurationBand::From3To6h,
        DurationBand::Over6h,
    ];

    /// Lower bounds are inclusive: 60 minutes is `1_3h`, 180 is `3_6h`.
    pub fn of_minutes(minutes: u32) -> Self {
        match minutes {
            0..60 => DurationBand::Under1h,
            60..180 => DurationBand::From1To3h,
            180..360 => DurationBand::From3To6h,
            _ => DurationBand::Over6h,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DurationBand::Under1h => "under_1h",
            DurationBand::From1To3h => "1_3h",
            DurationBand::From3To6h => "3_6h",
            DurationBand::Over6h => "over_6h",
        }
    }

    pub fn code(self) -> u64 {
        self as u64
    }
}

impl fmt::Display for DurationBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DurationBand {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        DurationBand::ALL
            .into_iter()
            .find(|b| b.as_str() == s)
            .ok_or_else(|| "expected one of under_1h, 1_3h, 3_6h, over_6h".to_string())
    }
}

/// The facets a search counts, which are also its filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Facet {
    Sdg,
    Sendai,
    Language,
    Level,
    Duration,
}

impl Facet {
    pub const ALL: [Facet; 5] = [
        Facet::Sdg,
        Facet::Sendai,
        Facet::Language,
        Facet::Level,
        Facet::Duration,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Facet::Sdg => "sdg",
            Facet::Sendai => "sendai",
            Facet::Language => "language",
            Facet::Level => "level",
            Facet::Duration => "duration",
        }
    }
}

impl FromStr for Facet {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Facet::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown facet `{}`: expected sdg, sendai, language, level or duration",
                    s.chars().take(40).collect::<String>()
                )
            })
    }
}

/// Filters: values of one facet are alternatives (any may match); different
/// facets must all match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    pub sdg: Vec<u8>,
    pub sendai: Vec<u8>,
    pub language: Vec<Locale>,
    pub level: Vec<Level>,
    pub duration: Vec<DurationBand>,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        self.sdg.is_empty()
            && self.sendai.is_empty()
            && self.language.is_empty()
            && self.level.is_empty()
            && self.duration.is_empty()
    }
}

/// One word of a query as the engines match it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryWord {
    /// Lowercased, accents folded.
    pub folded: String,
    /// Typos forgiven (0, 1 or 2).
    pub typos: u8,
    /// The last word typed also matches longer words it begins.
    pub prefix: bool,
    /// Its stems, per locale in the order of [`Locale::ALL`] (see [`stems_of`]).
    pub stems: [String; 3],
}

/// A run of query words, and what else may stand for it (its synonyms).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryGroup {
    pub words: Vec<QueryWord>,
    /// Each alternative is a phrase, as folded words, matched without typos.
    pub alternatives: Vec<Vec<String>>,
    /// The synonym group the words name, as an index into [`SYNONYMS`].
    pub synonyms: Option<usize>,
}

/// The text of a search, analysed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryText {
    /// The query as given, whitespace collapsed (what Meilisearch receives).
    pub text: String,
    /// Every group must match.
    pub groups: Vec<QueryGroup>,
}

impl QueryText {
    /// `None` when the text has no words at all.
    pub fn parse(q: &str) -> Option<QueryText> {
        let words: Vec<String> = text::words(q).into_iter().take(MAX_QUERY_WORDS).collect();
        if words.is_empty() {
            return None;
        }
        let last = words.len() - 1;
        let word = |i: usize| QueryWord {
            typos: text::typo_budget(&words[i]),
            prefix: i == last,
            stems: stems_of(&words[i]),
            folded: words[i].clone(),
        };
        let mut groups = Vec::new();
        let mut i = 0;
        while i < words.len() {
            match SYNONYMS.longest_at(&words[i..]) {
                Some((len, group)) => {
                    let span = &words[i..i + len];
                    groups.push(QueryGroup {
                        words: (i..i + len).map(word).collect(),
                        alternatives: SYNONYMS.groups[group]
                            .iter()
                            .filter(|phrase| phrase.as_slice() != span)
                            .cloned()
                            .collect(),
                        synonyms: Some(group),
                    });
                    i += len;
                }
                None => {
                    groups.push(QueryGroup {
                        words: vec![word(i)],
                        alternatives: Vec::new(),
                        synonyms: None,
                    });
                    i += 1;
                }
            }
        }
        Some(QueryText {
            text: q.split_whitespace().collect::<Vec<_>>().join(" "),
            groups,
        })
    }

    /// Marks what this query matches: its words by every rule, and the
    /// words of its synonyms as they are or by their stems.
    pub fn highlighter(&self) -> text::Highlighter {
        let words = self.groups.iter().flat_map(|g| &g.words);
        text::Highlighter::with_stems(
            words.map(|w| (w.folded.clone(), w.typos, w.prefix, w.stems.clone())),
        )
        .with_groups(
            self.groups
                .iter()
                .filter_map(|g| SYNONYMS.words.get(g.synonyms?)),
        )
    }
}

/// A word's stems for each locale: known ahead for the words of synonyms
/// (a synonym group brings many words into a query), computed otherwise.
pub fn stems_of(word: &str) -> [String; 3] {
    match SYNONYMS.stems.get(word) {
        Some(stems) => stems.clone(),
        None => text::stems(word),
    }
}

/// The synonym groups of `synonyms.yaml`, each phrase as folded words.
pub struct Synonyms {
    pub groups: Vec<Vec<Vec<String>>>,
    /// The phrases as written, per group (for Meilisearch).
    pub written: Vec<Vec<String>>,
    /// The stems of every word of every phrase.
    stems: HashMap<String, [String; 3]>,
    /// Per group, its words and their stems, as the highlighter looks them up.
    words: Vec<text::ExactWords>,
}

impl Synonyms {
    fn load(yaml: &str) -> Result<Synonyms, String> {
        let written: Vec<Vec<String>> =
            serde_yaml_ng::from_str(yaml).map_err(|e| format!("synonyms.yaml: {e}"))?;
        let mut groups = Vec::new();
        for group in &written {
            let phrases: Vec<Vec<String>> = group
                .iter()
                .map(|p| text::words(p))
                .filter(|w| !w.is_empty())
                .collect();
            if phrases.len() < 2 {
                return Err(format!(
                    "synonyms.yaml: a group needs two phrases: {group:?}"
                ));
            }
            groups.push(phrases);
        }
        let stems = groups
            .iter()
            .flatten()
            .flatten()
            .map(|w| (w.clone(), text::stems(w)))
            .collect::<HashMap<_, _>>();
        let words = groups
            .iter()
            .map(|phrases| {
                text::ExactWords::new(
                    phrases
                        .iter()
                        .flatten()
                        .map(|w| (w.as_str(), &stems[w.as_str()])),
                )
            })
            .collect();
        Ok(Synonyms {
            groups,
            written,
            stems,
            words,
        })
    }

    /// The longest phrase beginning `words`, as (its length, its group).
    fn longest_at(&self, words: &[String]) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize)> = None;
        for (g, phrases) in self.groups.iter().enumerate() {
            for p in phrases {
                if words.starts_with(p) && best.is_none_or(|(len, _)| p.len() > len) {
                    best = Some((p.len(), g));
                }
            }
        }
        best
    }
}

/// The one editable synonym list, embedded in the binary.
pub static SYNONYMS: LazyLock<Synonyms> = LazyLock::new(|| {
    Synonyms::load(include_str!("synonyms.yaml")).expect("the shipped synonyms.yaml is valid")
});

/// The parameters of a search as they arrive, before any check.
#[derive(Clone, Debug, Default)]
pub struct RawSearch {
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    pub sdg: Vec<String>,
    pub sendai: Vec<String>,
    pub language: Vec<String>,
    pub level: Vec<String>,
    pub duration: Vec<String>,
    /// Comma-separated facet names to count; all of them when absent.
    pub facets: Option<String>,
}

/// A valid search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchRequest {
    /// `None`: browse by filters, most popular first.
    pub query: Option<QueryText>,
    pub filters: Filters,
    pub facets: Vec<Facet>,
    pub page: u64,
    pub per_page: u64,
    /// The reader's locales, best first.
    pub preferred: Vec<Locale>,
}

fn bad(field: &str, reason: impl Into<String>) -> Error {
    Error::BadParameter {
        field: field.into(),
        reason: reason.into(),
    }
}

fn parse_values<T>(
    field: &str,
    values: &[String],
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>>
where
    T: PartialEq,
{
    if values.len() > MAX_FILTER_VALUES {
        return Err(bad(
            field,
            format!("at most {MAX_FILTER_VALUES} `{field}` values"),
        ));
    }
    let mut out = Vec::new();
    for raw in values.iter().flat_map(|v| v.split(',')) {
        let v = raw.trim();
        if v.is_empty() || v.len() > 40 {
            return Err(bad(
                field,
                format!("`{field}` has an empty or over-long value"),
            ));
        }
        let parsed = parse(v).map_err(|e| bad(field, format!("`{field}`: {e}")))?;
        if !out.contains(&parsed) {
            out.push(parsed);
        }
    }
    Ok(out)
}

fn number_in(v: &str, max: u8, what: &str) -> Result<u8, String> {
    match v.parse::<u8>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("`{v}` is not {what} (1–{max})")),
    }
}

impl SearchRequest {
    pub fn parse(raw: RawSearch, preferred: Vec<Locale>) -> Result<SearchRequest> {
        let q = raw.q.as_deref().unwrap_or("");
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(bad(
                "q",
                format!("`q` is longer than {MAX_QUERY_CHARS} characters"),
            ));
        }
        if q.chars().any(char::is_control) {
            return Err(bad("q", "`q` contains control characters"));
        }
        let filters = Filters {
            sdg: parse_values("sdg", &raw.sdg, |v| {
                number_in(v, 17, "a Sustainable Development Goal")
            })?,
            sendai: parse_values("sendai", &raw.sendai, |v| {
                number_in(v, 4, "a Sendai Framework priority")
            })?,
            language: parse_values("language", &raw.language, |v| v.parse::<Locale>())?,
            level: parse_values("level", &raw.level, |v| v.parse::<Level>())?,
            duration: parse_values("duration", &raw.duration, |v| v.parse::<DurationBand>())?,
        };
        let query = QueryText::parse(q);
        if query.is_none() && filters.is_empty() {
            return Err(bad(
                "q",
                if q.trim().is_empty() {
                    "give `q`, at least one filter, or both"
                } else {
                    "`q` has no words to search for"
                },
            ));
        }
        let facets = match raw.facets.as_deref() {
            None => Facet::ALL.to_vec(),
            Some(list) => parse_values("facets", &[list.to_owned()], |v| v.parse::<Facet>())?,
        };
        let page = raw.page.unwrap_or(1);
        if !(1..=10_000).contains(&page) {
            return Err(bad("page", "`page` must be between 1 and 10000"));
        }
        let per_page = raw.per_page.unwrap_or(DEFAULT_PER_PAGE);
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(bad(
                "per_page",
                format!("`per_page` must be between 1 and {MAX_PER_PAGE}"),
            ));
        }
        Ok(SearchRequest {
            query,
            filters,
            facets,
            page,
            per_page,
            preferred,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(q: &str) -> RawSearch {
        RawSearch {
            q: Some(q.into()),
            ..Default::default()
        }
    }

    #[test]
    fn synonyms_become_alternatives() {
        let q = QueryText::parse("VLR guide").unwrap();
        assert_eq!(q.groups.len(), 2);
        assert!(q.groups[0].alternatives.contains(&vec![
            "voluntary".into(),
            "local".into(),
            "review".into()
        ]));
        let q = QueryText::parse("Réduction des risques de catastrophe").unwrap();
        assert_eq!(q.groups.len(), 1, "{q:?}");
        assert!(q.groups[0].alternatives.contains(&vec!["drr".to_string()]));
        let q = QueryText::parse("objetivos de desarrollo sostenible").unwrap();
        assert!(q.groups[0].alternatives.contains(&vec!["sdg".to_string()]));
    }

    #[test]
    fn synonym_groups_highlight_as_their_words_listed_would() {
        let texts = [
            ("Sustainable development goals: SDG indicators", Locale::En),
            (
                "Les objectifs de développement durable, les ODD",
                Locale::Fr,
            ),
            (
                "Objetivos de Desarrollo Sostenible (ODS) locales",
                Locale::Es,
            ),
            ("Voluntary local reviews and a <b>VLR</b> guide", Locale::En),
            ("Réduire les risques de catastrophe", Locale::Fr),
        ];
        let queries = [
            "SDG indicators",
            "objetivos de desarrollo sostenible",
            "VLR",
            "examen local volontaire",
            "disaster risk",
        ];
        let mut marked = 0;
        for q in queries {
            let q = QueryText::parse(q).unwrap();
            // Every word of every alternative listed, as the highlighter was built before.
            let listed = text::Highlighter::with_stems(q.groups.iter().flat_map(|g| {
                let typed = g.words.iter();
                let typed = typed.map(|w| (w.folded.clone(), w.typos, w.prefix, w.stems.clone()));
                let others = g.alternatives.iter().flatten();
                typed.chain(others.map(|w| (w.clone(), 0, false, stems_of(w))))
            }));
            let h = q.highlighter();
            for (t, l) in texts {
                let got = h.highlight(t, l);
                assert_eq!(got, listed.highlight(t, l), "{q:?} in {t}");
                marked += usize::from(got.1);
            }
        }
        assert!(marked >= 8, "{marked} texts marked");
    }

    #[test]
    fn the_last_word_is_a_prefix() {
        let q = QueryText::parse("urban loca").unwrap();
        assert!(!q.groups[0].words[0].prefix);
        assert!(q.groups[1].words[0].prefix);
    }

    #[test]
    fn bad_input_names_its_field() {
        let field = |r: RawSearch| match SearchRequest::parse(r, vec![]) {
            Err(Error::BadParameter { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(raw("")), "q");
        assert_eq!(field(raw("   ")), "q");
        assert_eq!(field(raw("?!")), "q");
        assert_eq!(field(raw(&"a".repeat(513))), "q");
        assert_eq!(field(raw("risk\u{7}")), "q");
        let mut r = raw("risk");
        r.sdg = vec!["18".into()];
        assert_eq!(field(r), "sdg");
        let mut r = raw("risk");
        r.level = vec!["expert".into()];
        assert_eq!(field(r), "level");
        let mut r = raw("risk");
        r.facets = Some("sdg,colour".into());
        assert_eq!(field(r), "facets");
        let mut r = raw("risk");
        r.per_page = Some(101);
        assert_eq!(field(r), "per_page");
        let longest = format!("{}xy", "xylophone ".repeat(51));
        assert_eq!(longest.chars().count(), 512);
        assert!(SearchRequest::parse(raw(&longest), vec![]).is_ok());
        // One 512-letter "word" is no word: words over 40 bytes are not indexed.
        assert_eq!(field(raw(&"é".repeat(512))), "q");
    }

    #[test]
    fn filters_alone_browse() {
        let r = RawSearch {
            sdg: vec!["11,13".into()],
            duration: vec!["3_6h".into()],
            ..Default::default()
        };
        let req = SearchRequest::parse(r, vec![]).unwrap();
        assert!(req.query.is_none());
        assert_eq!(req.filters.sdg, [11, 13]);
        assert_eq!(req.filters.duration, [DurationBand::From3To6h]);
    }

    #[test]
    fn duration_bands() {
        assert_eq!(DurationBand::of_minutes(30), DurationBand::Under1h);
        assert_eq!(DurationBand::of_minutes(60), DurationBand::From1To3h);
        assert_eq!(DurationBand::of_minutes(190), DurationBand::From3To6h);
        assert_eq!(DurationBand::of_minutes(600), DurationBand::Over6h);
        assert_eq!("1_3h".parse::<DurationBand>(), Ok(DurationBand::From1To3h));
    }

    #[test]
    fn the_synonym_list_loads() {
        assert!(SYNONYMS.groups.len() >= 3);
    }
}
