//! The `sources` column of `courses`: the official documents a course's
//! facts come from, as a JSON list of `{title, publisher, year, url}`.

use crate::course_source::Source;

/// The value to store for a course's sources.
pub(crate) fn encode(sources: &[Source]) -> serde_json::Value {
    serde_json::to_value(sources).unwrap_or_else(|_| serde_json::json!([]))
}

/// The sources held in a stored value; none when it is not a list of sources.
pub(crate) fn sources(value: &serde_json::Value) -> Vec<Source> {
    serde_json::from_value(value.clone()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_read_back() {
        let cited = vec![Source {
            title: "Transforming our world: the 2030 Agenda for Sustainable Development".into(),
            publisher: "United Nations General Assembly".into(),
            year: 2015,
            url: "https://docs.un.org/en/A/RES/70/1".into(),
        }];
        assert_eq!(sources(&encode(&cited)), cited);
        assert!(sources(&encode(&[])).is_empty());
        assert!(sources(&serde_json::json!({"not": "a list"})).is_empty());
    }
}
