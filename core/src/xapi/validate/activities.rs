//! Activities and their definitions, interaction components included.

use serde_json::Value;

use super::values::*;
use crate::xapi::{XResult, bad};

const INTERACTIONS: [&str; 10] = [
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
];

pub(super) fn components(v: &Value, at: &str) -> XResult<()> {
    let Value::Array(items) = v else {
        return Err(bad(format!("{at} must be an array")));
    };
    let mut seen = std::collections::BTreeSet::new();
    for (i, c) in items.iter().enumerate() {
        let cat = format!("{at}[{i}]");
        let o = obj(c, &cat)?;
        only(o, &["id", "description"], &cat)?;
        let id = string(
            o.get("id")
                .ok_or_else(|| bad(format!("{cat}.id is required")))?,
            &cat,
        )?;
        if !seen.insert(id) {
            return Err(bad(format!("{at}: id `{id}` is repeated")));
        }
        if let Some(d) = o.get("description") {
            lang_map(d, &format!("{cat}.description"))?;
        }
    }
    Ok(())
}

pub(super) fn definition(v: &Value, at: &str) -> XResult<()> {
    let o = obj(v, at)?;
    only(
        o,
        &[
            "name",
            "description",
            "type",
            "moreInfo",
            "extensions",
            "interactionType",
            "correctResponsesPattern",
            "choices",
            "scale",
            "source",
            "target",
            "steps",
        ],
        at,
    )?;
    for k in ["name", "description"] {
        if let Some(m) = o.get(k) {
            lang_map(m, &format!("{at}.{k}"))?;
        }
    }
    for k in ["type", "moreInfo"] {
        if let Some(m) = o.get(k) {
            iri(m, &format!("{at}.{k}"))?;
        }
    }
    if let Some(e) = o.get("extensions") {
        extensions(e, &format!("{at}.extensions"))?;
    }
    let kind = match o.get("interactionType") {
        Some(t) => {
            let t = string(t, &format!("{at}.interactionType"))?;
            if !INTERACTIONS.contains(&t) {
                return Err(bad(format!("{at}.interactionType `{t}` is unknown")));
            }
            Some(t)
        }
        None => None,
    };
    if let Some(p) = o.get("correctResponsesPattern") {
        let Value::Array(items) = p else {
            return Err(bad(format!(
                "{at}.correctResponsesPattern must be an array"
            )));
        };
        for i in items {
            string(i, &format!("{at}.correctResponsesPattern"))?;
        }
    }
    let allowed: &[&str] = match kind {
        Some("choice" | "sequencing") => &["choices"],
        Some("likert") => &["scale"],
        Some("matching") => &["source", "target"],
        Some("performance") => &["steps"],
        _ => &[],
    };
    for k in ["choices", "scale", "source", "target", "steps"] {
        if let Some(c) = o.get(k) {
            if !allowed.contains(&k) {
                return Err(bad(format!("{at}.{k} does not fit the interaction type")));
            }
            components(c, &format!("{at}.{k}"))?;
        }
    }
    if kind.is_none() && o.contains_key("correctResponsesPattern") {
        return Err(bad(format!(
            "{at}.correctResponsesPattern needs an interactionType"
        )));
    }
    Ok(())
}

pub fn activity(v: &Value, at: &str) -> XResult<()> {
    let o = obj(v, at)?;
    only(o, &["objectType", "id", "definition"], at)?;
    if let Some(t) = o.get("objectType")
        && t.as_str() != Some("Activity")
    {
        return Err(bad(format!("{at}.objectType must be Activity")));
    }
    iri(
        o.get("id")
            .ok_or_else(|| bad(format!("{at}.id is required")))?,
        &format!("{at}.id"),
    )?;
    if let Some(d) = o.get("definition") {
        definition(d, &format!("{at}.definition"))?;
    }
    Ok(())
}
