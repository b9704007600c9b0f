//! Free tags as the course details form takes them.

/// The themes of the free tags an author typed (`Flood, maps`): each word,
/// separated by commas, spaces or semicolons, as a lowercase `tag:` theme.
/// The edit checks each one ([`crate::domain::Theme`]) when it is applied.
pub fn tag_themes(tags: &str) -> Vec<String> {
    tags.split([',', ' ', ';'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| format!("tag:{}", t.to_lowercase()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Theme;

    #[test]
    fn free_tags_become_tag_themes() {
        assert_eq!(
            tag_themes("Flood, maps;resilience  early-warning"),
            [
                "tag:flood",
                "tag:maps",
                "tag:resilience",
                "tag:early-warning"
            ]
        );
        assert!(tag_themes(" , ;").is_empty());
    }

    #[test]
    fn a_tag_that_is_no_id_is_refused_when_applied() {
        let themes = tag_themes("ok-tag Crème");
        assert_eq!(themes, ["tag:ok-tag", "tag:crème"]);
        assert_eq!(
            themes[0].parse::<Theme>().unwrap().to_string(),
            "tag:ok-tag"
        );
        assert!(themes[1].parse::<Theme>().is_err());
    }
}
