//! A language tag as a query parameter (`lang=es`, `lang=fr-CA`), with its
//! form stated in the OpenAPI document and checked by hand: poem-openapi's
//! `pattern` validator compiles its regular expression on every request,
//! which cost a search about 3 % of its time (`bench/README.md`).

use std::ops::Deref;

use poem_openapi::types::{ParseError, ParseFromParameter, ParseResult};

use super::pattern_type::pattern_type;

/// What [`LangParam`] accepts, as JSON Schema states it.
pub const PATTERN: &str = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$";
pub const MAX_LENGTH: usize = 35;

/// A tag of the [`PATTERN`]'s form; whether Agora has that language is the
/// handler's question.
pub struct LangParam(String);

impl Deref for LangParam {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// Whether `tag` has the [`PATTERN`]'s form, within [`MAX_LENGTH`] characters.
fn well_formed(tag: &str) -> bool {
    let mut parts = tag.split(['-', '_']);
    let primary = parts.next().unwrap_or_default();
    tag.len() <= MAX_LENGTH
        && (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

pattern_type!(LangParam, "string(lang)", PATTERN, MAX_LENGTH);

impl ParseFromParameter for LangParam {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        if !well_formed(value) {
            return Err(ParseError::custom(
                "expected a language tag such as `es` or `fr-CA`",
            ));
        }
        Ok(LangParam(value.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parser_takes_what_the_pattern_states() {
        let long = format!("en{}", "-abcdefgh".repeat(4));
        assert_eq!(long.len(), 38);
        for ok in ["es", "fra", "fr-CA", "en_GB", "zh-Hant-TW", "es-419", "EN"] {
            assert!(LangParam::parse_from_parameter(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "e",
            "engl",
            "fr-",
            "fr--CA",
            "-fr",
            "fr-abcdefghi",
            "f1",
            "fr CA",
            "fr-ÇA",
            "é",
            &long,
        ] {
            assert!(LangParam::parse_from_parameter(bad).is_err(), "{bad}");
        }
    }
}
