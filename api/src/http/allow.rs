//! The `Allow` header of a `405 Method Not Allowed` from the JSON API
//! (RFC 9110, 15.5.6): the methods the OpenAPI document gives the path,
//! plus `HEAD` wherever `GET` is (poem answers it).

use std::{collections::HashMap, sync::OnceLock};

/// Route pattern, as poem's router records it on the answer → `Allow` value.
static ALLOWED: OnceLock<HashMap<String, String>> = OnceLock::new();

/// Learns each path's methods from the OpenAPI document served under
/// `prefix`; once, at start-up.
pub fn learn(prefix: &str, spec: &str) {
    let _ = ALLOWED.set(allowed_by_pattern(prefix, spec));
}

/// The `Allow` value for the route poem matched, when it is the API's
/// (also a route outside the OpenAPI service that serves a documented
/// path, whose parameters have names of their own).
pub fn allowed(pattern: &str) -> Option<&'static str> {
    let numbered = numbered(pattern, |segment| segment.starts_with(':'));
    ALLOWED.get()?.get(&numbered).map(String::as_str)
}

fn allowed_by_pattern(prefix: &str, spec: &str) -> HashMap<String, String> {
    let paths = serde_json::from_str::<serde_json::Value>(spec)
        .ok()
        .and_then(|v| v["paths"].as_object().cloned())
        .unwrap_or_default();
    paths
        .iter()
        .map(|(path, operations)| {
            let mut methods: Vec<String> = operations
                .as_object()
                .map(|ops| ops.keys().map(|m| m.to_ascii_uppercase()).collect())
                .unwrap_or_default();
            if methods.iter().any(|m| m == "GET") && !methods.iter().any(|m| m == "HEAD") {
                methods.push("HEAD".into());
            }
            methods.sort();
            (
                format!("{prefix}{}", poem_pattern(path)),
                methods.join(", "),
            )
        })
        .collect()
}

/// `/courses/{slug}/lessons/{lesson}` as poem-openapi registers it with
/// poem's router: `/courses/:param0/lessons/:param1`.
fn poem_pattern(path: &str) -> String {
    numbered(path, |segment| {
        segment.starts_with('{') && segment.ends_with('}')
    })
}

/// `path` with each parameter segment (as `is_param` tells) renamed
/// `:param0`, `:param1` … in order: the one spelling both sides compare in.
fn numbered(path: &str, is_param: impl Fn(&str) -> bool) -> String {
    let mut n = 0;
    path.split('/')
        .map(|segment| {
            if is_param(segment) {
                n += 1;
                format!(":param{}", n - 1)
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_path_allows_its_documented_methods_and_head_with_get() {
        let spec = r#"{"paths": {
            "/courses/{slug}/enrolment": {"post": {}, "delete": {}},
            "/courses/{slug}/lessons/{lesson}": {"get": {}}
        }}"#;
        let allowed = allowed_by_pattern("/api/v1", spec);
        assert_eq!(allowed["/api/v1/courses/:param0/enrolment"], "DELETE, POST");
        assert_eq!(
            allowed["/api/v1/courses/:param0/lessons/:param1"],
            "GET, HEAD"
        );
    }
}
