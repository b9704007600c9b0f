//! A synonym of the query (`SDG` for "sustainable development goals"), as
//! one tantivy weight: a course matches in a tier when every word of the
//! phrase is in that tier, exactly or by one of its stems, and scores the
//! weight of the best tier it matches in.
//!
//! Built from tantivy's own queries, each phrase was a disjunction over the
//! three tiers of conjunctions of disjunctions of term queries: about forty
//! weights and scorers for a three-word phrase, and a query such as
//! "SDG indicators" has a dozen phrases. Here each term's postings are read
//! once into per-document counts, as [`super::words`] does for one word.

use tantivy::{Score, SegmentReader, schema::Field};

use super::words::{SegmentScores, for_each_doc};

/// One tier's terms for a phrase: for each word, the (field, term) pairs
/// that each count as that word.
#[derive(Debug)]
pub(super) struct PhraseTier {
    pub(super) score: Score,
    pub(super) words: Vec<Vec<(Field, Vec<u8>)>>,
}

/// A phrase: a document's score is the best score of the tiers that hold
/// all its words (run as a [`super::words::ArrayQuery`]).
#[derive(Debug)]
pub(super) struct Phrase(pub(super) Vec<PhraseTier>);

impl SegmentScores for Phrase {
    fn scores(&self, reader: &SegmentReader) -> tantivy::Result<Vec<Score>> {
        let max_doc = reader.max_doc() as usize;
        let mut best = vec![0.0 as Score; max_doc];
        // Per document: how many of the phrase's words it has in this tier,
        // and the last word counted (so that a word found by two of its
        // terms counts once).
        let mut count = vec![0u16; max_doc];
        let mut last = vec![0u16; max_doc];
        for tier in &self.0 {
            let Ok(needed) = u16::try_from(tier.words.len()) else {
                continue;
            };
            if needed == 0 {
                continue;
            }
            count.fill(0);
            last.fill(0);
            for (i, alternatives) in tier.words.iter().enumerate() {
                let stamp = i as u16 + 1;
                let mut any = false;
                for (field, term) in alternatives {
                    for_each_doc(reader, *field, term, |doc| {
                        let d = doc as usize;
                        if d < max_doc && last[d] != stamp {
                            last[d] = stamp;
                            count[d] += 1;
                            any = true;
                        }
                    })?;
                }
                if !any {
                    // A word no document has in this tier: the tier matches nothing.
                    count.fill(0);
                    break;
                }
            }
            for (d, n) in count.iter().enumerate() {
                if *n == needed {
                    best[d] = best[d].max(tier.score);
                }
            }
        }
        Ok(best)
    }
}

#[cfg(test)]
mod tests {
    use tantivy::{
        Index, TantivyDocument, Term,
        collector::TopDocs,
        query::{BooleanQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query, TermQuery},
        schema::{IndexRecordOption, Schema, TEXT},
    };

    use super::super::words::ArrayQuery;
    use super::*;

    /// Scores as tantivy's own composition gave them: a disjunction over
    /// tiers of the conjunction of each word's terms, at the tier's weight.
    #[test]
    fn scores_as_the_composed_queries_did() {
        let mut schema = Schema::builder();
        let plain = [
            schema.add_text_field("p0", TEXT),
            schema.add_text_field("p1", TEXT),
        ];
        let stemmed = [
            schema.add_text_field("s0", TEXT),
            schema.add_text_field("s1", TEXT),
        ];
        let index = Index::create_in_ram(schema.build());
        let mut writer = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        let docs = [
            (["disaster risk", ""], ["", ""]),
            (["disaster", "risk"], ["", ""]),
            (["", "risk of a disaster"], ["", ""]),
            (["risk", "risk"], ["disast", ""]),
            (["nothing", "here"], ["", ""]),
            (["risk disaster", "disaster risk"], ["", ""]),
            (["", ""], ["", "disast risk"]),
        ];
        for (p, s) in docs {
            let mut d = TantivyDocument::default();
            for t in 0..2 {
                d.add_text(plain[t], p[t]);
                d.add_text(stemmed[t], s[t]);
            }
            writer.add_document(d).expect("add");
        }
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        let words = [("disaster", "disast"), ("risk", "risk")];
        let weights = [4.0, 2.0];
        let ours = ArrayQuery::new(Phrase(
            (0..2)
                .map(|t| PhraseTier {
                    score: weights[t],
                    words: words
                        .iter()
                        .map(|(w, s)| {
                            vec![
                                (plain[t], w.as_bytes().to_vec()),
                                (stemmed[t], s.as_bytes().to_vec()),
                            ]
                        })
                        .collect(),
                })
                .collect(),
        ));
        let composed = DisjunctionMaxQuery::new(
            (0..2)
                .map(|t| {
                    let all: Vec<(Occur, Box<dyn Query>)> = words
                        .iter()
                        .map(|(w, s)| {
                            let any: Vec<(Occur, Box<dyn Query>)> = [
                                Term::from_field_text(plain[t], w),
                                Term::from_field_text(stemmed[t], s),
                            ]
                            .into_iter()
                            .map(|term| {
                                (
                                    Occur::Should,
                                    Box::new(TermQuery::new(term, IndexRecordOption::Basic))
                                        as Box<dyn Query>,
                                )
                            })
                            .collect();
                            (
                                Occur::Must,
                                Box::new(BooleanQuery::new(any)) as Box<dyn Query>,
                            )
                        })
                        .collect();
                    Box::new(ConstScoreQuery::new(
                        Box::new(BooleanQuery::new(all)),
                        weights[t],
                    )) as Box<dyn Query>
                })
                .collect(),
        );
        let run = |q: &dyn Query| {
            let mut found: Vec<(u32, Score)> = searcher
                .search(q, &TopDocs::with_limit(10).order_by_score())
                .expect("search")
                .into_iter()
                .map(|(score, addr)| (addr.doc_id, score))
                .collect();
            found.sort_by_key(|(doc, _)| *doc);
            found
        };
        let expected = run(&composed);
        assert_eq!(
            expected,
            [(0, 4.0), (2, 2.0), (3, 4.0), (5, 4.0), (6, 2.0)],
            "the composition matches where every word is in one tier"
        );
        assert_eq!(run(&ours), expected);
    }
}
