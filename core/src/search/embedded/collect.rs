//! The embedded engine's collector: every match that passes the filters,
//! with its score, popularity and slug, and the facet counts of the matches.

use std::collections::HashMap;

use tantivy::{
    DocAddress, DocId, Score, SegmentOrdinal, SegmentReader,
    collector::{Collector, SegmentCollector},
    columnar::{Column, StrColumn},
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

/// Collects every matching course that passes the filters, with its score
/// and popularity, and counts the facet values of those courses.
pub(super) struct Matches {
    pub(super) filters: FilterCodes,
}

/// Score, popularity, slug, where.
pub(super) type Hit = (Score, u64, String, DocAddress);

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
            slugs: fast.str("slug")?,
            slug_ords: Vec::new(),
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
    slugs: Option<StrColumn>,
    /// Each hit's slug as a term ordinal of the segment, and the hit's place.
    slug_ords: Vec<(u64, usize)>,
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
        if let Some(ord) = self.slugs.as_ref().and_then(|s| s.term_ords(doc).next()) {
            self.slug_ords.push((ord, self.hits.len()));
        }
        self.hits.push((
            score,
            popularity,
            String::new(),
            DocAddress::new(self.segment, doc),
        ));
    }

    /// Reads the hits' slugs in one pass over the segment's sorted terms,
    /// rather than a dictionary lookup per hit.
    fn harvest(mut self) -> Self::Fruit {
        if let Some(slugs) = &self.slugs {
            self.slug_ords.sort_unstable();
            let ords: Vec<u64> = self.slug_ords.iter().map(|(ord, _)| *ord).collect();
            let mut places = self.slug_ords.iter().map(|(_, i)| *i);
            let hits = &mut self.hits;
            // An unreadable slug only loses the tie-break.
            let _ = slugs.dictionary().sorted_ords_to_term_cb(&ords, |term| {
                if let Some(i) = places.next() {
                    hits[i].2 = String::from_utf8_lossy(term).into_owned();
                }
            });
        }
        (self.hits, self.counts)
    }
}
