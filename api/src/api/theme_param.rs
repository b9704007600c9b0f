//! A theme filter as a query parameter (`theme=sdg:11`, repeatable), with
//! its form stated in the OpenAPI document: poem-openapi applies a
//! parameter's validators to the whole list, not to each value, so the
//! pattern lives on the item type.

use agora_core::domain::Theme;
use poem_openapi::types::{ParseError, ParseFromParameter, ParseResult};

use super::pattern_type::pattern_type;

/// What `Theme`'s parser accepts, as JSON Schema states it.
pub const PATTERN: &str = "^(sdg:([1-9]|1[0-7])|sendai:[1-4]|tag:[a-z0-9]+(-[a-z0-9]+)*)$";
/// `tag:` and a slug of up to 80 characters.
pub const MAX_LENGTH: usize = 84;

pub struct ThemeParam(pub Theme);

pattern_type!(ThemeParam, "string(theme)", PATTERN, MAX_LENGTH);

impl ParseFromParameter for ThemeParam {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        let theme: Theme = value.parse().map_err(ParseError::custom)?;
        // Only the written form the pattern states: `sdg:01` is not `sdg:1`.
        if theme.to_string() != value {
            return Err(ParseError::custom(format!("write it `{theme}`")));
        }
        Ok(ThemeParam(theme))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parser_takes_what_the_pattern_states() {
        for ok in ["sdg:1", "sdg:17", "sendai:4", "tag:climate", "tag:a-1"] {
            assert!(ThemeParam::parse_from_parameter(ok).is_ok(), "{ok}");
        }
        for bad in [
            "sdg:0", "sdg:18", "sendai:5", "tag:", "tag:A", "tag:a--b", "x:1", "sdg:01",
        ] {
            assert!(ThemeParam::parse_from_parameter(bad).is_err(), "{bad}");
        }
    }
}
