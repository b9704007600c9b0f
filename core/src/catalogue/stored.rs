//! The `objectives` column of `course_translations`, which also carries the
//! course's sources.
//!
//! The column is JSON: a list of objectives, as it always was, or, for a
//! course that cites sources, `{"objectives": [...], "sources": [...]}`.
//! Keeping the sources there avoids a schema change while the migrations are
//! being reworked elsewhere; a `sources` column on `courses` can replace it
//! later, and only this file would change.

use serde::{Deserialize, Serialize};

use crate::course_source::Source;

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct WithSources {
    objectives: Vec<String>,
    sources: Vec<Source>,
}

/// The value to store for a locale's objectives and the course's sources.
pub(crate) fn encode(objectives: &[String], sources: &[Source]) -> serde_json::Value {
    if sources.is_empty() {
        serde_json::json!(objectives)
    } else {
        serde_json::json!(WithSources {
            objectives: objectives.to_vec(),
            sources: sources.to_vec(),
        })
    }
}

/// The objectives held in a stored value, in either shape.
pub(crate) fn objectives(value: &serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::Object(_) => serde_json::from_value::<WithSources>(value.clone())
            .map(|w| w.objectives)
            .unwrap_or_default(),
        _ => serde_json::from_value(value.clone()).unwrap_or_default(),
    }
}

/// The sources held in a stored value; none in the older list shape.
pub(crate) fn sources(value: &serde_json::Value) -> Vec<Source> {
    serde_json::from_value::<WithSources>(value.clone())
        .map(|w| w.sources)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_shapes_read_back() {
        let objectives = vec!["Explain the targets.".to_owned()];
        let plain = encode(&objectives, &[]);
        assert!(plain.is_array(), "a course without sources keeps the list");
        assert_eq!(super::objectives(&plain), objectives);
        assert!(sources(&plain).is_empty());

        let cited = vec![Source {
            title: "Transforming our world: the 2030 Agenda for Sustainable Development".into(),
            publisher: "United Nations General Assembly".into(),
            year: 2015,
            url: "https://docs.un.org/en/A/RES/70/1".into(),
        }];
        let both = encode(&objectives, &cited);
        assert_eq!(super::objectives(&both), objectives);
        assert_eq!(sources(&both), cited);
    }
}
