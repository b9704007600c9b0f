//! Submitted forms, where to go after them, and the errors shown under
//! their fields.

use poem::Body;
use serde::Serialize;

/// A submitted form (`application/x-www-form-urlencoded`), keeping
/// repeated fields (checkboxes).
pub struct FormData(Vec<(String, String)>);

impl FormData {
    pub async fn read(body: Body) -> FormData {
        // The body limit middleware already refused anything large.
        let bytes = body.into_vec().await.unwrap_or_default();
        FormData(
            url::form_urlencoded::parse(&bytes)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn from_pairs(pairs: Vec<(String, String)>) -> FormData {
        FormData(pairs)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self) -> &[(String, String)] {
        &self.0
    }
}

/// A local path to go back to after a form, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && n.len() < 500
                && !n.chars().any(char::is_control) =>
        {
            n.to_owned()
        }
        _ => "/".into(),
    }
}

/// The error message under a form field, in the reader's language.
#[derive(Serialize, Default, Clone)]
pub struct FieldErrors(pub std::collections::BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: String) {
        self.0.entry(field.to_owned()).or_insert(message);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/courses/x")), "/courses/x");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
