//! JSON request bodies held to the types the OpenAPI document states.
//!
//! poem-openapi reads a JSON number or boolean where the document declares
//! a string (as its text): `{"display_name": false}` would be saved as the
//! name "false", and a client's bug would pass for data. In front of the
//! API's handlers, this layer refuses with a 400 naming the field any JSON
//! body with a value whose type is not the one the served document states
//! at its place (string, integer, number, boolean, array, object, or null
//! where the document allows it). Lengths, patterns and ranges stay
//! poem-openapi's checks, and their 422s.

use std::sync::Arc;

use poem::{Endpoint, IntoResponse, Request, Response, http::StatusCode};
use serde_json::{Map, Value};

use crate::http::error::{ErrorBody, json_error};

/// The request body schema of each operation, and the named schemas they
/// refer to.
pub struct BodyTypes {
    operations: Vec<Operation>,
    schemas: Map<String, Value>,
}

struct Operation {
    method: String,
    /// The path's segments; `None` for a parameter.
    segments: Vec<Option<String>>,
    schema: Value,
}

/// A value of the wrong type, and where it is.
#[derive(Debug, PartialEq)]
pub struct Mismatch {
    pub field: String,
    pub expected: String,
    pub found: &'static str,
}

impl BodyTypes {
    /// From the served document (`document::complete`'s output).
    pub fn from_document(document: &str) -> Self {
        let doc: Value = serde_json::from_str(document).unwrap_or_default();
        let mut operations = Vec::new();
        for (path, ops) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in ops.as_object().into_iter().flatten() {
                let json = op["requestBody"]["content"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .find(|(media, _)| media.starts_with("application/json"));
                if let Some((_, content)) = json {
                    operations.push(Operation {
                        method: method.to_ascii_uppercase(),
                        segments: segments(path),
                        schema: content["schema"].clone(),
                    });
                }
            }
        }
        let schemas = doc["components"]["schemas"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        BodyTypes {
            operations,
            schemas,
        }
    }

    /// The body schema of the operation at `method` and `path` (relative to
    /// the API's prefix). Where a fixed segment and a parameter both match
    /// (`/cohorts/from-template`, `/cohorts/{id}`), the fixed one wins, as
    /// in poem's router.
    fn schema_for(&self, method: &str, path: &str) -> Option<&Value> {
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        self.operations
            .iter()
            .filter(|op| op.method == method && op.segments.len() == parts.len())
            .filter_map(|op| {
                let mut fixed = 0;
                for (want, got) in op.segments.iter().zip(&parts) {
                    match want {
                        Some(s) if s == got => fixed += 1,
                        Some(_) => return None,
                        None => {}
                    }
                }
                Some((fixed, &op.schema))
            })
            .max_by_key(|(fixed, _)| *fixed)
            .map(|(_, schema)| schema)
    }

    /// Whether `value` has, everywhere, the types `schema` states.
    pub fn check(&self, value: &Value, schema: &Value, at: &str) -> Result<(), Mismatch> {
        let schema = self.resolve(schema);
        if value.is_null() && schema["nullable"] == Value::Bool(true) {
            return Ok(());
        }
        for part in schema["allOf"].as_array().into_iter().flatten() {
            self.check(value, part, at)?;
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(forms) = schema[key].as_array()
                && !forms.iter().any(|f| self.check(value, f, at).is_ok())
            {
                return Err(mismatch(at, "one of the forms the document gives", value));
            }
        }
        let Some(expected) = schema["type"].as_str() else {
            return Ok(());
        };
        let fits = match (expected, value) {
            ("integer", Value::Number(n)) => n.is_i64() || n.is_u64(),
            ("number", Value::Number(_))
            | ("string", Value::String(_))
            | ("boolean", Value::Bool(_))
            | ("array", Value::Array(_))
            | ("object", Value::Object(_)) => true,
            _ => false,
        };
        if !fits {
            return Err(mismatch(at, &article(expected), value));
        }
        match value {
            Value::Object(fields) => {
                let extra = schema.get("additionalProperties").filter(|a| a.is_object());
                for (name, field) in fields {
                    let known = schema["properties"].get(name).or(extra);
                    if let Some(field_schema) = known {
                        self.check(field, field_schema, &join(at, name))?;
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.check(item, item_schema, &format!("{at}[{i}]"))?;
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// `schema`, or the named schema it refers to.
    fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        // A bounded walk: a reference to a reference is legal, a loop is not.
        for _ in 0..8 {
            let Some(name) = schema["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            else {
                break;
            };
            match self.schemas.get(name) {
                Some(named) => schema = named,
                None => break,
            }
        }
        schema
    }
}

fn segments(path: &str) -> Vec<Option<String>> {
    path.trim_end_matches('/')
        .split('/')
        .map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_owned()))
        .collect()
}

fn join(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_owned()
    } else {
        format!("{at}.{name}")
    }
}

fn article(ty: &str) -> String {
    match ty {
        "integer" | "array" | "object" => format!("an {ty}"),
        _ => format!("a {ty}"),
    }
}

fn mismatch(at: &str, expected: &str, value: &Value) -> Mismatch {
    Mismatch {
        field: at.to_owned(),
        expected: expected.to_owned(),
        found: match value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        },
    }
}

/// The middleware, around the OpenAPI service (its paths are relative).
pub async fn hold<E: Endpoint>(
    types: Arc<BodyTypes>,
    next: E,
    mut req: Request,
) -> poem::Result<Response> {
    let is_json = req
        .content_type()
        .is_some_and(|c| c.starts_with("application/json"));
    let path = req.uri().path();
    let path = path.strip_prefix("/api/v1").unwrap_or(path).to_owned();
    let schema = match is_json {
        true => types.schema_for(req.method().as_str(), &path),
        false => None,
    };
    if let Some(schema) = schema {
        // The body is already bounded (`middleware::body_limit`).
        let bytes = req.take_body().into_bytes().await?;
        // Unreadable JSON is poem-openapi's to refuse, in its words.
        if let Ok(value) = serde_json::from_slice::<Value>(&bytes)
            && let Err(m) = types.check(&value, schema, "")
        {
            let field = if m.field.is_empty() {
                "the body".to_owned()
            } else {
                format!("`{}`", m.field)
            };
            return Ok(json_error(
                StatusCode::BAD_REQUEST,
                ErrorBody::new(
                    "invalid_body",
                    format!("{field} must be {}, not {}", m.expected, m.found),
                    (!m.field.is_empty()).then_some(m.field),
                ),
            ));
        }
        req.set_body(bytes);
    }
    next.call(req).await.map(IntoResponse::into_response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn types() -> BodyTypes {
        let doc = json!({
            "paths": {
                "/me": {"patch": {"requestBody": {"content": {"application/json; charset=utf-8":
                    {"schema": {"$ref": "#/components/schemas/Change"}}}}}},
                "/cohorts/{id}": {"post": {"requestBody": {"content": {"application/json":
                    {"schema": {"type": "object", "properties": {"a": {"type": "integer"}}}}}}}},
                "/cohorts/from-template": {"post": {"requestBody": {"content": {"application/json":
                    {"schema": {"type": "object", "properties": {"a": {"type": "string"}}}}}}}}
            },
            "components": {"schemas": {"Change": {"type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "zone": {"type": "string", "nullable": true},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "names": {"type": "object", "additionalProperties": {"type": "string"}},
                    "days": {"allOf": [{"type": "integer"}]}
                }}}}
        });
        BodyTypes::from_document(&doc.to_string())
    }

    fn check(method: &str, path: &str, body: Value) -> Result<(), Mismatch> {
        let t = types();
        let schema = t.schema_for(method, path).expect("an operation").clone();
        t.check(&body, &schema, "")
    }

    #[test]
    fn values_of_the_declared_types_pass() {
        let body = json!({"name": "Ana", "zone": null, "tags": ["a"], "names": {"fr": "x"},
                          "days": 3, "unknown": false});
        assert_eq!(check("PATCH", "/me", body), Ok(()));
    }

    #[test]
    fn a_number_or_boolean_for_a_string_is_named() {
        let err = check("PATCH", "/me", json!({"name": false})).unwrap_err();
        assert_eq!((err.field.as_str(), err.found), ("name", "a boolean"));
        assert_eq!(err.expected, "a string");
        let err = check("PATCH", "/me", json!({"name": "a", "tags": ["a", 2]})).unwrap_err();
        assert_eq!(err.field, "tags[1]");
        let err = check("PATCH", "/me", json!({"name": "a", "names": {"fr": 1}})).unwrap_err();
        assert_eq!(err.field, "names.fr");
        let err = check("PATCH", "/me", json!({"name": "a", "days": 1.5})).unwrap_err();
        assert_eq!(err.field, "days");
    }

    #[test]
    fn null_passes_only_where_the_document_allows_it() {
        assert!(check("PATCH", "/me", json!({"name": null})).is_err());
        assert!(check("PATCH", "/me", json!(null)).is_err());
    }

    #[test]
    fn a_fixed_segment_wins_over_a_parameter() {
        assert!(check("POST", "/cohorts/from-template", json!({"a": "x"})).is_ok());
        assert!(check("POST", "/cohorts/7", json!({"a": 1})).is_ok());
        assert!(types().schema_for("GET", "/me").is_none());
    }
}
