//! The embedded engine's collector: every match that passes the filters,
//! with its score, popularity and slug rank, and the facet counts of the
//! matches.
//!
//! What the collector needs of each document (its facet values, popularity
//! and slug rank) is read from the fast fields once per searcher generation
//! into [`DocFacts`]: a match then costs one look-up and a few bit
//! operations, with no column decoded and nothing hashed.

use std::sync::Arc;

use tantivy::{
    DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader,
    collector::{Collector, SegmentCollector},
};

use super::{FAST_FIELDS, level_code, locale_code};
use crate::{
    domain::{Level, Locale},
    search::{DurationBand, Facet, FacetCounts, Filters},
};

/// Where each facet's codes sit in a document's mask: (first bit, codes).
/// Goals are 1–17, priorities 1–4, the other codes start at 0.
const FACET_BITS: [(u32, u32); 5] = [(0, 18), (18, 5), (23, 4), (27, 4), (31, 4)];

/// The mask bit of a facet's code; `None` for a code outside its range.
fn bit(facet: usize, code: u64) -> Option<u32> {
    let (first, codes) = FACET_BITS[facet];
    (code < u64::from(codes)).then(|| first + code as u32)
}

/// The (facet, code) of a mask bit.
fn facet_of(bit: u32) -> (usize, u64) {
    let facet = FACET_BITS
        .iter()
        .rposition(|(first, _)| bit >= *first)
        .unwrap_or(0);
    (facet, u64::from(bit - FACET_BITS[facet].0))
}

/// Filters as masks, one per facet (0: no filter on that facet).
#[derive(Clone, Default)]
pub(super) struct FilterCodes([u64; 5]);

impl From<&Filters> for FilterCodes {
    fn from(f: &Filters) -> Self {
        let codes: [Vec<u64>; 5] = [
            f.sdg.iter().map(|n| u64::from(*n)).collect(),
            f.sendai.iter().map(|n| u64::from(*n)).collect(),
            f.language.iter().map(|l| locale_code(*l)).collect(),
            f.level.iter().map(|l| level_code(*l)).collect(),
            f.duration.iter().map(|d| d.code()).collect(),
        ];
        let mut masks = [0u64; 5];
        for (facet, wanted) in codes.iter().enumerate() {
            for &code in wanted {
                // A value no document can have still filters: it matches nothing.
                masks[facet] |= bit(facet, code).map_or(1 << 63, |b| 1 << b);
            }
        }
        FilterCodes(masks)
    }
}

impl FilterCodes {
    fn pass(&self, mask: u64) -> bool {
        self.0
            .iter()
            .all(|&wanted| wanted == 0 || mask & wanted != 0)
    }
}

/// Matches counted per mask bit.
#[derive(Clone)]
pub(super) struct CodeCounts([u64; 64]);

impl Default for CodeCounts {
    fn default() -> Self {
        CodeCounts([0; 64])
    }
}

impl CodeCounts {
    fn add(&mut self, mut mask: u64) {
        while mask != 0 {
            self.0[mask.trailing_zeros() as usize] += 1;
            mask &= mask - 1;
        }
    }

    fn merge(&mut self, other: &CodeCounts) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a += b;
        }
    }
}

pub(super) fn facet_names(counts: CodeCounts) -> FacetCounts {
    let mut out = FacetCounts::new();
    for (b, &n) in counts.0.iter().enumerate() {
        if n == 0 || b == 63 {
            continue;
        }
        let (facet, value) = match facet_of(b as u32) {
            (0, code) => (Facet::Sdg, code.to_string()),
            (1, code) => (Facet::Sendai, code.to_string()),
            (2, code) => (Facet::Language, Locale::ALL[code as usize % 3].to_string()),
            (3, code) => (
                Facet::Level,
                Level::ALL[code as usize % Level::ALL.len()].to_string(),
            ),
            (_, code) => (
                Facet::Duration,
                DurationBand::ALL[code as usize % 4].to_string(),
            ),
        };
        out.entry(facet).or_default().insert(value, n);
    }
    out
}

/// What the collector reads of one document.
#[derive(Clone, Copy, Default)]
pub(super) struct Fact {
    /// Its facet values, one bit each (see [`FACET_BITS`]).
    mask: u64,
    popularity: u64,
    /// Its slug's rank among all slugs (0 without one): ties are broken by
    /// slug without reading slugs, whose dictionary blocks are compressed.
    slug_rank: u32,
}

/// Per segment, per document. Computed once per searcher generation.
pub(super) type DocFacts = Arc<Vec<Vec<Fact>>>;

pub(super) fn doc_facts(searcher: &Searcher) -> tantivy::Result<DocFacts> {
    let mut all_slugs: Vec<(Vec<u8>, usize, DocId)> = Vec::new();
    let mut facts = Vec::with_capacity(searcher.segment_readers().len());
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        let mut of_segment = vec![Fact::default(); reader.max_doc() as usize];
        let fast = reader.fast_fields();
        for (facet, name) in FAST_FIELDS.iter().take(5).enumerate() {
            let column = fast.u64(name)?;
            for (doc, fact) in of_segment.iter_mut().enumerate() {
                for code in column.values_for_doc(doc as DocId) {
                    if let Some(b) = bit(facet, code) {
                        fact.mask |= 1 << b;
                    }
                }
            }
        }
        let popularity = fast.u64(FAST_FIELDS[5])?;
        for (doc, fact) in of_segment.iter_mut().enumerate() {
            fact.popularity = popularity.first(doc as DocId).unwrap_or(0);
        }
        if let Some(slugs) = fast.str("slug")? {
            let ords: Vec<u64> = (0..slugs.dictionary().num_terms() as u64).collect();
            let mut terms = Vec::with_capacity(ords.len());
            slugs
                .dictionary()
                .sorted_ords_to_term_cb(&ords, |t| terms.push(t.to_vec()))?;
            for doc in 0..reader.max_doc() {
                if let Some(term) = slugs
                    .term_ords(doc)
                    .next()
                    .and_then(|o| terms.get(o as usize))
                {
                    all_slugs.push((term.clone(), segment, doc));
                }
            }
        }
        facts.push(of_segment);
    }
    all_slugs.sort_unstable();
    let mut rank = 0;
    for (i, (slug, segment, doc)) in all_slugs.iter().enumerate() {
        if i == 0 || all_slugs[i - 1].0 != *slug {
            rank += 1;
        }
        facts[*segment][*doc as usize].slug_rank = rank;
    }
    Ok(Arc::new(facts))
}

/// Collects every matching course that passes the filters, with its score
/// and popularity, and counts the facet values of those courses.
pub(super) struct Matches {
    pub(super) filters: FilterCodes,
    pub(super) facts: DocFacts,
}

/// Score, popularity, slug rank, where.
pub(super) type Hit = (Score, u64, u32, DocAddress);

impl Collector for Matches {
    type Fruit = (Vec<Hit>, CodeCounts);
    type Child = SegmentMatches;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _: &SegmentReader,
    ) -> tantivy::Result<SegmentMatches> {
        Ok(SegmentMatches {
            segment,
            facts: self.facts.clone(),
            filters: self.filters.clone(),
            hits: Vec::new(),
            counts: CodeCounts::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<(Vec<Hit>, CodeCounts)>) -> tantivy::Result<Self::Fruit> {
        let mut hits = Vec::new();
        let mut counts = CodeCounts::default();
        for (h, c) in fruits {
            hits.extend(h);
            counts.merge(&c);
        }
        Ok((hits, counts))
    }
}

pub(super) struct SegmentMatches {
    segment: SegmentOrdinal,
    facts: DocFacts,
    filters: FilterCodes,
    hits: Vec<Hit>,
    counts: CodeCounts,
}

impl SegmentCollector for SegmentMatches {
    type Fruit = (Vec<Hit>, CodeCounts);

    fn collect(&mut self, doc: DocId, score: Score) {
        let fact = self
            .facts
            .get(self.segment as usize)
            .and_then(|f| f.get(doc as usize))
            .copied()
            .unwrap_or_default();
        if !self.filters.pass(fact.mask) {
            return;
        }
        self.counts.add(fact.mask);
        self.hits.push((
            score,
            fact.popularity,
            fact.slug_rank,
            DocAddress::new(self.segment, doc),
        ));
    }

    fn harvest(self) -> Self::Fruit {
        (self.hits, self.counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_has_its_own_bit_and_comes_back() {
        let ranges = [1..18, 1..5, 0..3, 0..3, 0..4];
        let mut seen = 0u64;
        for (facet, codes) in ranges.into_iter().enumerate() {
            for code in codes {
                let b = bit(facet, code).expect("in range");
                assert_eq!(seen & (1 << b), 0, "bit {b} shared");
                seen |= 1 << b;
                assert_eq!(facet_of(b), (facet, code));
            }
        }
        assert!(bit(0, 18).is_none() && bit(1, 5).is_none());
    }

    #[test]
    fn filters_are_alternatives_within_a_facet_and_all_must_hold() {
        let filters = FilterCodes::from(&Filters {
            sdg: vec![11, 13],
            level: vec![Level::ALL[0]],
            ..Default::default()
        });
        let mask = |sdgs: &[u64], level: u64| {
            sdgs.iter().fold(0u64, |m, s| m | 1 << bit(0, *s).unwrap())
                | 1 << bit(3, level).unwrap()
        };
        assert!(filters.pass(mask(&[13], 0)));
        assert!(filters.pass(mask(&[4, 11], 0)));
        assert!(!filters.pass(mask(&[4], 0)));
        assert!(!filters.pass(mask(&[11], 1)));
        assert!(FilterCodes::default().pass(0));
    }
}
