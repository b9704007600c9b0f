//! The OpenAPI document as served at `/api/openapi.json`: poem-openapi's,
//! with what its own format names leave implicit spelled out in standard
//! JSON Schema, so that generic tools and generated clients know it too.
//! poem-openapi writes `format: uint32` or `naive-date`, which no validator
//! or generator knows: a client would send `-1` or `2026-1-1` and be refused.
//! It also leaves unsaid two things the API does:
//! - an optional field may be sent as `null`, which means absent;
//! - a repeatable query parameter (`theme`) may be left out.

use poem::{Endpoint, IntoResponse, endpoint::make_sync};
use serde_json::{Value, json};

/// `GET /api/openapi.json`.
pub fn endpoint(document: String) -> impl Endpoint + 'static {
    make_sync(move |_| {
        document
            .clone()
            .with_content_type("application/json")
            .into_response()
    })
}

/// The served document, from poem-openapi's.
pub fn complete(spec: &str) -> String {
    let mut doc: Value = serde_json::from_str(spec).expect("poem-openapi writes valid JSON");
    spell_out(&mut doc);
    serde_json::to_string_pretty(&doc).expect("a JSON value serialises")
}

fn spell_out(node: &mut Value) {
    match node {
        Value::Object(map) => {
            let format = map.get("format").and_then(Value::as_str).map(str::to_owned);
            let is_integer = map.get("type").and_then(Value::as_str) == Some("integer");
            if let Some(format) = format {
                if is_integer && let Some((min, max)) = integer_range(&format) {
                    map.entry("minimum").or_insert(min);
                    map.entry("maximum").or_insert(max);
                }
                if format == "naive-date" {
                    map.insert("format".into(), "date".into());
                }
            }
            optional_fields_are_nullable(map);
            if map.get("in").and_then(Value::as_str) == Some("query")
                && map["schema"]["type"] == "array"
                && map["schema"].get("minItems").is_none()
            {
                map.insert("required".into(), false.into());
            }
            map.values_mut().for_each(spell_out);
        }
        Value::Array(items) => items.iter_mut().for_each(spell_out),
        _ => {}
    }
}

/// Each property an object schema does not require gets `nullable`; a bare
/// reference is wrapped, as OpenAPI 3.0 ignores siblings of `$ref`.
fn optional_fields_are_nullable(map: &mut serde_json::Map<String, Value>) {
    let required: Vec<String> = map
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let Some(Value::Object(properties)) = map.get_mut("properties") else {
        return;
    };
    for (name, property) in properties.iter_mut() {
        if required.contains(name) {
            continue;
        }
        let Value::Object(fields) = property else {
            continue;
        };
        if fields.contains_key("$ref") {
            *property = json!({ "allOf": [property.clone()], "nullable": true });
        } else {
            fields.insert("nullable".into(), true.into());
        }
    }
}

/// The range of each integer format poem-openapi writes.
fn integer_range(format: &str) -> Option<(Value, Value)> {
    Some(match format {
        "uint8" => (json!(0), json!(u8::MAX)),
        "uint16" => (json!(0), json!(u16::MAX)),
        "uint32" => (json!(0), json!(u32::MAX)),
        "uint64" => (json!(0), json!(u64::MAX)),
        "int8" => (json!(i8::MIN), json!(i8::MAX)),
        "int16" => (json!(i16::MIN), json!(i16::MAX)),
        "int32" => (json!(i32::MIN), json!(i32::MAX)),
        "int64" => (json!(i64::MIN), json!(i64::MAX)),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_formats_get_their_ranges_and_keep_narrower_ones() {
        let spec = r#"{"a": {"type": "integer", "format": "uint32"},
                       "b": {"type": "integer", "format": "uint64", "minimum": 1, "maximum": 500},
                       "c": [{"type": "string", "format": "naive-date"}]}"#;
        let doc: Value = serde_json::from_str(&complete(spec)).unwrap();
        assert_eq!(doc["a"]["minimum"], 0);
        assert_eq!(doc["a"]["maximum"], u32::MAX);
        assert_eq!(doc["b"]["minimum"], 1);
        assert_eq!(doc["b"]["maximum"], 500);
        assert_eq!(doc["c"][0]["format"], "date");
    }

    #[test]
    fn optional_fields_are_nullable_and_repeatable_parameters_optional() {
        let spec = r##"{"o": {"type": "object", "required": ["a"],
                         "properties": {"a": {"type": "string"}, "b": {"type": "string"},
                                        "c": {"$ref": "#/components/schemas/C"}}},
                        "p": {"in": "query", "name": "theme", "required": true,
                              "schema": {"type": "array", "items": {"type": "string"}}}}"##;
        let doc: Value = serde_json::from_str(&complete(spec)).unwrap();
        assert!(doc["o"]["properties"]["a"].get("nullable").is_none());
        assert_eq!(doc["o"]["properties"]["b"]["nullable"], true);
        assert_eq!(doc["o"]["properties"]["c"]["nullable"], true);
        assert_eq!(
            doc["o"]["properties"]["c"]["allOf"][0]["$ref"],
            "#/components/schemas/C"
        );
        assert_eq!(doc["p"]["required"], false);
    }
}
