//! The xAPI 1.0.3 rules a statement must follow before the LRS stores it.
//! Every refusal names the property at fault.
//!
//! - [`values`]: IRIs, UUIDs, languages, timestamps, durations;
//! - [`agents`]: agents and groups;
//! - [`activities`]: activities and their definitions;
//! - here: the statement, its object, result, context and attachments.

mod activities;
mod agents;
mod values;

pub use activities::activity;
pub use agents::agent;
use agents::{group, ifi_count};
pub use values::{is_duration, is_iri, is_language, is_uuid, parse_timestamp};

/// The verb that voids a statement.
pub const VOIDED: &str = "http://adlnet.gov/expapi/verbs/voided";

use serde_json::{Map, Value};

use super::{XResult, bad};

type Obj = Map<String, Value>;

use values::*;

fn verb(v: &Value) -> XResult<()> {
    let o = obj(v, "verb")?;
    only(o, &["id", "display"], "verb")?;
    iri(
        o.get("id").ok_or_else(|| bad("verb.id is required"))?,
        "verb.id",
    )?;
    if let Some(d) = o.get("display") {
        lang_map(d, "verb.display")?;
    }
    Ok(())
}

fn statement_ref(v: &Value, at: &str) -> XResult<()> {
    let o = obj(v, at)?;
    only(o, &["objectType", "id"], at)?;
    uuid(
        o.get("id")
            .ok_or_else(|| bad(format!("{at}.id is required")))?,
        &format!("{at}.id"),
    )
}

fn object(v: &Value, sub: bool) -> XResult<()> {
    let o = obj(v, "object")?;
    let t = match o.get("objectType") {
        None => "Activity",
        Some(t) => string(t, "object.objectType")?,
    };
    match t {
        "Activity" => activity(v, "object"),
        "Agent" | "Group" => agent(v, "object"),
        "StatementRef" => statement_ref(v, "object"),
        "SubStatement" if !sub => substatement(o),
        _ => Err(bad(format!("object.objectType `{t}` is not allowed here"))),
    }
}

fn substatement(o: &Obj) -> XResult<()> {
    only(
        o,
        &[
            "objectType",
            "actor",
            "verb",
            "object",
            "result",
            "context",
            "timestamp",
            "attachments",
        ],
        "object",
    )?;
    parts(o, true)
}

fn score(v: &Value) -> XResult<()> {
    let o = obj(v, "result.score")?;
    only(o, &["scaled", "raw", "min", "max"], "result.score")?;
    let num = |k: &str| -> XResult<Option<f64>> {
        o.get(k)
            .map(|n| {
                n.as_f64()
                    .ok_or_else(|| bad(format!("result.score.{k} must be a number")))
            })
            .transpose()
    };
    let (scaled, raw, min, max) = (num("scaled")?, num("raw")?, num("min")?, num("max")?);
    if scaled.is_some_and(|s| !(-1.0..=1.0).contains(&s)) {
        return Err(bad("result.score.scaled must be between -1 and 1"));
    }
    if let (Some(a), Some(b)) = (min, max)
        && a >= b
    {
        return Err(bad("result.score.min must be less than max"));
    }
    if let Some(r) = raw
        && (min.is_some_and(|m| r < m) || max.is_some_and(|m| r > m))
    {
        return Err(bad("result.score.raw must be between min and max"));
    }
    Ok(())
}

fn result(v: &Value) -> XResult<()> {
    let o = obj(v, "result")?;
    only(
        o,
        &[
            "score",
            "success",
            "completion",
            "response",
            "duration",
            "extensions",
        ],
        "result",
    )?;
    if let Some(s) = o.get("score") {
        score(s)?;
    }
    for k in ["success", "completion"] {
        if o.get(k).is_some_and(|b| !b.is_boolean()) {
            return Err(bad(format!("result.{k} must be true or false")));
        }
    }
    if let Some(r) = o.get("response") {
        string(r, "result.response")?;
    }
    if let Some(d) = o.get("duration")
        && !is_duration(string(d, "result.duration")?)
    {
        return Err(bad("result.duration must be an ISO 8601 duration"));
    }
    if let Some(e) = o.get("extensions") {
        extensions(e, "result.extensions")?;
    }
    Ok(())
}

fn context(v: &Value, object_is_activity: bool) -> XResult<()> {
    let o = obj(v, "context")?;
    only(
        o,
        &[
            "registration",
            "instructor",
            "team",
            "contextActivities",
            "revision",
            "platform",
            "language",
            "statement",
            "extensions",
        ],
        "context",
    )?;
    if let Some(r) = o.get("registration") {
        uuid(r, "context.registration")?;
    }
    if let Some(i) = o.get("instructor") {
        agent(i, "context.instructor")?;
    }
    if let Some(t) = o.get("team") {
        if t.get("objectType").and_then(Value::as_str) != Some("Group") {
            return Err(bad("context.team must be a Group"));
        }
        group(t, "context.team")?;
    }
    if let Some(ca) = o.get("contextActivities") {
        let co = obj(ca, "context.contextActivities")?;
        only(
            co,
            &["parent", "grouping", "category", "other"],
            "context.contextActivities",
        )?;
        for (k, val) in co {
            let at = format!("context.contextActivities.{k}");
            match val {
                Value::Array(items) => {
                    for a in items {
                        activity(a, &at)?;
                    }
                }
                one => activity(one, &at)?,
            }
        }
    }
    for k in ["revision", "platform"] {
        if let Some(s) = o.get(k) {
            string(s, &format!("context.{k}"))?;
            if !object_is_activity {
                return Err(bad(format!("context.{k} is only for activities")));
            }
        }
    }
    if let Some(l) = o.get("language")
        && !is_language(string(l, "context.language")?)
    {
        return Err(bad("context.language must be a language tag"));
    }
    if let Some(s) = o.get("statement") {
        if s.get("objectType").and_then(Value::as_str) != Some("StatementRef") {
            return Err(bad("context.statement must be a StatementRef"));
        }
        statement_ref(s, "context.statement")?;
    }
    if let Some(e) = o.get("extensions") {
        extensions(e, "context.extensions")?;
    }
    Ok(())
}

fn attachments(v: &Value) -> XResult<()> {
    let Value::Array(items) = v else {
        return Err(bad("attachments must be an array"));
    };
    for (i, a) in items.iter().enumerate() {
        let at = format!("attachments[{i}]");
        let o = obj(a, &at)?;
        only(
            o,
            &[
                "usageType",
                "display",
                "description",
                "contentType",
                "length",
                "sha2",
                "fileUrl",
            ],
            &at,
        )?;
        iri(
            o.get("usageType")
                .ok_or_else(|| bad(format!("{at}.usageType is required")))?,
            &at,
        )?;
        lang_map(
            o.get("display")
                .ok_or_else(|| bad(format!("{at}.display is required")))?,
            &at,
        )?;
        if let Some(d) = o.get("description") {
            lang_map(d, &at)?;
        }
        string(
            o.get("contentType")
                .ok_or_else(|| bad(format!("{at}.contentType is required")))?,
            &at,
        )?;
        if !o.get("length").is_some_and(|l| l.is_u64()) {
            return Err(bad(format!("{at}.length must be a whole number")));
        }
        string(
            o.get("sha2")
                .ok_or_else(|| bad(format!("{at}.sha2 is required")))?,
            &at,
        )?;
        if let Some(u) = o.get("fileUrl") {
            iri(u, &format!("{at}.fileUrl"))?;
        }
    }
    Ok(())
}

/// Actor, verb, object, result, context, timestamp and attachments.
fn parts(o: &Obj, sub: bool) -> XResult<()> {
    agent(
        o.get("actor").ok_or_else(|| bad("actor is required"))?,
        "actor",
    )?;
    verb(o.get("verb").ok_or_else(|| bad("verb is required"))?)?;
    let obj_v = o.get("object").ok_or_else(|| bad("object is required"))?;
    object(obj_v, sub)?;
    if let Some(r) = o.get("result") {
        result(r)?;
    }
    let is_activity = obj_v
        .get("objectType")
        .is_none_or(|t| t.as_str() == Some("Activity"));
    if let Some(c) = o.get("context") {
        context(c, is_activity)?;
    }
    if let Some(t) = o.get("timestamp") {
        timestamp(t, "timestamp")?;
    }
    if let Some(a) = o.get("attachments") {
        attachments(a)?;
    }
    let verb_id = o["verb"].get("id").and_then(Value::as_str);
    if verb_id == Some(VOIDED) && !sub {
        let t = obj_v.get("objectType").and_then(Value::as_str);
        if t != Some("StatementRef") {
            return Err(bad("a voiding statement's object must be a StatementRef"));
        }
    }
    Ok(())
}

/// Checks a statement as a client sent it.
pub fn statement(v: &Value) -> XResult<()> {
    let o = obj(v, "statement")?;
    only(
        o,
        &[
            "id",
            "actor",
            "verb",
            "object",
            "result",
            "context",
            "timestamp",
            "stored",
            "authority",
            "version",
            "attachments",
        ],
        "statement",
    )?;
    if let Some(id) = o.get("id") {
        uuid(id, "id")?;
    }
    if let Some(v) = o.get("version") {
        let v = string(v, "version")?;
        if !v.starts_with("1.0.") && v != "1.0" {
            return Err(bad("version must be 1.0.x"));
        }
    }
    if let Some(s) = o.get("stored") {
        timestamp(s, "stored")?;
    }
    if let Some(a) = o.get("authority") {
        agent(a, "authority")?;
        // A group as authority is the OAuth pair: anonymous, two agents.
        if a.get("objectType").and_then(Value::as_str) == Some("Group") {
            let ao = obj(a, "authority")?;
            let members = ao
                .get("member")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if ifi_count(ao, "authority")? > 0 || members != 2 {
                return Err(bad(
                    "a group authority is anonymous and has exactly two members",
                ));
            }
        }
    }
    if o.values().any(Value::is_null) {
        return Err(bad("a statement's properties cannot be null"));
    }
    parts(o, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok() -> Value {
        json!({
            "actor": {"account": {"homePage": "https://a.example", "name": "1"}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
            "object": {"id": "https://a.example/courses/x"}
        })
    }

    #[test]
    fn a_plain_statement_passes_and_broken_ones_do_not() {
        assert!(statement(&ok()).is_ok());
        let mut two_ifis = ok();
        two_ifis["actor"]["mbox"] = json!("mailto:a@b.c");
        assert!(statement(&two_ifis).is_err());
        let mut no_verb = ok();
        no_verb.as_object_mut().unwrap().remove("verb");
        assert!(statement(&no_verb).is_err());
        let mut extra = ok();
        extra["foo"] = json!(1);
        assert!(statement(&extra).is_err());
        let mut scaled = ok();
        scaled["result"] = json!({"score": {"scaled": 2}});
        assert!(statement(&scaled).is_err());
    }

    #[test]
    fn durations_and_languages() {
        assert!(is_duration("PT1H30M") && is_duration("P1DT2.5S") && is_duration("P3W"));
        assert!(!is_duration("P") && !is_duration("PT") && !is_duration("1H"));
        assert!(is_language("en-US") && is_language("fr") && !is_language("not a tag"));
    }
}
