//! The embedded engine's collector: every match that passes the filters,
//! with its score, popularity and slug rank, and the facet counts of the
//! matches.

use std::{collections::HashMap, sync::Arc};

use tantivy::{
    DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader,
    collector::{Collector, SegmentCollector},
    columnar::Column,
};

use super::{FAST_FIELDS, level_code, locale_code};
use crate::{
    domain::{Level, Locale},
    search::{DurationBand, Facet, FacetCounts, Filters},
};

/// Filters as the codes stored in fast fields.
#[derive(Clone, Default)]
pub(super) struct FilterCodes([Vec<u64>; 5]);

impl From<&Filters> for FilterCodes {
    fn from(f: &Filters) -> Self {
        FilterCodes([
            f.sdg.iter().map(|n| u64::from(*n)).collect(),
            f.sendai.iter().map(|n| u64::from(*n)).collect(),
            f.language.iter().map(|l| locale_code(*l)).collect(),
            f.level.iter().map(|l| level_code(*l)).collect(),
            f.duration.iter().map(|d| d.code()).collect(),
        ])
    }
}

/// Counts per (facet position, code).
pub(super) type CodeCounts = HashMap<(usize, u64), u64>;

pub(super) fn facet_names(codes: CodeCounts) -> FacetCounts {
    let mut out = FacetCounts::new();
    for ((facet, code), n) in codes {
        let (facet, value) = match facet {
            0 => (Facet::Sdg, code.to_string()),
            1 => (Facet::Sendai, code.to_string()),
            2 => (Facet::Language, Locale::ALL[code as usize % 3].to_string()),
            3 => (
                Facet::Level,
                Level::ALL[code as usize % Level::ALL.len()].to_string(),
            ),
            _ => (
                Facet::Duration,
                DurationBand::ALL[code as usize % 4].to_string(),
            ),
        };
        out.entry(facet).or_default().insert(value, n);
    }
    out
}

/// Each document's slug as its rank among all the slugs of a searcher's
/// segments (per segment, per document; 0 without a slug): ties are broken
/// by slug without reading a slug per hit (each read decompresses a block
/// of the slug dictionary). Computed once per searcher generation.
pub(super) type SlugRanks = Arc<Vec<Vec<u32>>>;

pub(super) fn slug_ranks(searcher: &Searcher) -> tantivy::Result<SlugRanks> {
    let mut all: Vec<(Vec<u8>, usize, DocId)> = Vec::new();
    let mut ranks = Vec::with_capacity(searcher.segment_readers().len());
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        ranks.push(vec![0; reader.max_doc() as usize]);
        let Some(slugs) = reader.fast_fields().str("slug")? else {
            continue;
        };
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
                all.push((term.clone(), segment, doc));
            }
        }
    }
    all.sort_unstable();
    let mut rank = 0;
    for (i, (slug, segment, doc)) in all.iter().enumerate() {
        if i == 0 || all[i - 1].0 != *slug {
            rank += 1;
        }
        ranks[*segment][*doc as usize] = rank;
    }
    Ok(Arc::new(ranks))
}

/// Collects every matching course that passes the filters, with its score
/// and popularity, and counts the facet values of those courses.
pub(super) struct Matches {
    pub(super) filters: FilterCodes,
    pub(super) slug_ranks: SlugRanks,
}

/// Score, popularity, slug rank, where.
pub(super) type Hit = (Score, u64, u32, DocAddress);

impl Collector for Matches {
    type Fruit = (Vec<Hit>, CodeCounts);
    type Child = SegmentMatches;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentMatches> {
        let fast = reader.fast_fields();
        let columns = FAST_FIELDS
            .iter()
            .map(|name| fast.u64(name))
            .collect::<tantivy::Result<Vec<Column<u64>>>>()?;
        Ok(SegmentMatches {
            segment,
            columns,
            slug_ranks: self.slug_ranks.clone(),
            filters: self.filters.clone(),
            hits: Vec::new(),
            counts: HashMap::new(),
            values: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<(Vec<Hit>, CodeCounts)>) -> tantivy::Result<Self::Fruit> {
        let mut hits = Vec::new();
        let mut counts = CodeCounts::new();
        for (h, c) in fruits {
            hits.extend(h);
            for (k, n) in c {
                *counts.entry(k).or_default() += n;
            }
        }
        Ok((hits, counts))
    }
}

pub(super) struct SegmentMatches {
    segment: SegmentOrdinal,
    /// sdg, sendai, language, level, duration, popularity.
    columns: Vec<Column<u64>>,
    slug_ranks: SlugRanks,
    filters: FilterCodes,
    hits: Vec<Hit>,
    counts: CodeCounts,
    values: Vec<(usize, u64)>,
}

impl SegmentCollector for SegmentMatches {
    type Fruit = (Vec<Hit>, CodeCounts);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.values.clear();
        for facet in 0..5 {
            let before = self.values.len();
            self.values
                .extend(self.columns[facet].values_for_doc(doc).map(|v| (facet, v)));
            let wanted = &self.filters.0[facet];
            if !wanted.is_empty()
                && !self.values[before..]
                    .iter()
                    .any(|(_, v)| wanted.contains(v))
            {
                return;
            }
        }
        for &(facet, v) in &self.values {
            *self.counts.entry((facet, v)).or_default() += 1;
        }
        let popularity = self.columns[5].first(doc).unwrap_or(0);
        let rank = self
            .slug_ranks
            .get(self.segment as usize)
            .and_then(|r| r.get(doc as usize))
            .copied()
            .unwrap_or(0);
        self.hits
            .push((score, popularity, rank, DocAddress::new(self.segment, doc)));
    }

    fn harvest(self) -> Self::Fruit {
        (self.hits, self.counts)
    }
}
