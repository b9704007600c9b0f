//! The xAPI 1.0.3 rules a statement must follow before the LRS stores it.
//! Every refusal names the property at fault.

/// The verb that voids a statement.
pub const VOIDED: &str = "http://adlnet.gov/expapi/verbs/voided";

use serde_json::{Map, Value};
use uuid::Uuid;

use super::{XResult, bad};

type Obj = Map<String, Value>;

fn obj<'a>(v: &'a Value, at: &str) -> XResult<&'a Obj> {
    v.as_object()
        .ok_or_else(|| bad(format!("{at} must be an object")))
}

fn only(o: &Obj, allowed: &[&str], at: &str) -> XResult<()> {
    match o.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(bad(format!("{at}: unknown property `{k}`"))),
        None => Ok(()),
    }
}

fn string<'a>(v: &'a Value, at: &str) -> XResult<&'a str> {
    v.as_str()
        .ok_or_else(|| bad(format!("{at} must be a string")))
}

/// An IRI: an absolute reference with a scheme.
pub fn is_iri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    !rest.is_empty()
        && !s.chars().any(char::is_whitespace)
        && scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn iri(v: &Value, at: &str) -> XResult<()> {
    if is_iri(string(v, at)?) {
        Ok(())
    } else {
        Err(bad(format!("{at} must be an IRI")))
    }
}

pub fn is_uuid(s: &str) -> bool {
    s.len() == 36 && Uuid::parse_str(s).is_ok()
}

fn uuid(v: &Value, at: &str) -> XResult<()> {
    if is_uuid(string(v, at)?) {
        Ok(())
    } else {
        Err(bad(format!("{at} must be a UUID")))
    }
}

/// An RFC 5646 language tag, as far as its shape goes.
pub fn is_language(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or("");
    (1..=8).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn lang_map(v: &Value, at: &str) -> XResult<()> {
    for (k, val) in obj(v, at)? {
        if !is_language(k) {
            return Err(bad(format!("{at}: `{k}` is not a language tag")));
        }
        string(val, &format!("{at}.{k}"))?;
    }
    Ok(())
}

fn extensions(v: &Value, at: &str) -> XResult<()> {
    for k in obj(v, at)?.keys() {
        if !is_iri(k) {
            return Err(bad(format!("{at}: key `{k}` is not an IRI")));
        }
    }
    Ok(())
}

/// ISO 8601 with a time zone (RFC 3339 or its basic variants).
pub fn parse_timestamp(s: &str) -> Option<time::OffsetDateTime> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    // `-00:00` means an unknown offset (RFC 3339) and ISO 8601 forbids it.
    if s.ends_with("-00:00") || s.ends_with("-0000") || s.ends_with("-00") {
        return None;
    }
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    time::OffsetDateTime::parse(s, &Iso8601::DEFAULT).ok()
}

fn timestamp(v: &Value, at: &str) -> XResult<()> {
    parse_timestamp(string(v, at)?)
        .map(|_| ())
        .ok_or_else(|| bad(format!("{at} must be an ISO 8601 time with a time zone")))
}

/// ISO 8601 durations: `P1DT2H3M4.5S`, `PT1H`, `P2W`.
pub fn is_duration(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('P') else {
        return false;
    };
    if rest.is_empty() {
        return false;
    }
    // Weeks stand alone (`P2W`), never with other units.
    if rest.contains('W')
        && !(rest.ends_with('W')
            && rest[..rest.len() - 1]
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.'))
    {
        return false;
    }
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return false,
        None => (rest, None),
    };
    let units_ok = |part: &str, units: &str| {
        let mut num = String::new();
        let mut last = 0usize;
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                num.push(c);
            } else {
                let Some(pos) = units.find(c) else {
                    return false;
                };
                if num.is_empty() || pos < last || num.parse::<f64>().is_err() {
                    return false;
                }
                last = pos + 1;
                num.clear();
            }
        }
        num.is_empty()
    };
    units_ok(date, "YMWD") && time.is_none_or(|t| units_ok(t, "HMS"))
}

pub fn agent(v: &Value, at: &str) -> XResult<()> {
    let o = obj(v, at)?;
    match o.get("objectType").and_then(Value::as_str) {
        Some("Group") => return group(v, at),
        None | Some("Agent") => {}
        Some(_) => return Err(bad(format!("{at}.objectType must be Agent or Group"))),
    }
    if o.get("objectType").is_some_and(|t| !t.is_string()) {
        return Err(bad(format!("{at}.objectType must be a string")));
    }
    only(
        o,
        &[
            "objectType",
            "name",
            "mbox",
            "mbox_sha1sum",
            "openid",
            "account",
        ],
        at,
    )?;
    if ifi_count(o, at)? != 1 {
        return Err(bad(format!("{at} must have exactly one identifier")));
    }
    Ok(())
}

/// Checks the identifiers present and counts them.
fn ifi_count(o: &Obj, at: &str) -> XResult<usize> {
    if let Some(n) = o.get("name") {
        string(n, &format!("{at}.name"))?;
    }
    let mut n = 0;
    if let Some(m) = o.get("mbox") {
        let m = string(m, &format!("{at}.mbox"))?;
        if !m.starts_with("mailto:") || !m.contains('@') {
            return Err(bad(format!("{at}.mbox must be a mailto: IRI")));
        }
        n += 1;
    }
    if let Some(m) = o.get("mbox_sha1sum") {
        let m = string(m, &format!("{at}.mbox_sha1sum"))?;
        if m.len() != 40 || !m.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad(format!("{at}.mbox_sha1sum must be a SHA-1 in hex")));
        }
        n += 1;
    }
    if let Some(m) = o.get("openid") {
        iri(m, &format!("{at}.openid"))?;
        n += 1;
    }
    if let Some(a) = o.get("account") {
        let at = format!("{at}.account");
        let ao = obj(a, &at)?;
        only(ao, &["homePage", "name"], &at)?;
        iri(
            ao.get("homePage")
                .ok_or_else(|| bad(format!("{at}.homePage is required")))?,
            &format!("{at}.homePage"),
        )?;
        string(
            ao.get("name")
                .ok_or_else(|| bad(format!("{at}.name is required")))?,
            &format!("{at}.name"),
        )?;
        n += 1;
    }
    Ok(n)
}

fn group(v: &Value, at: &str) -> XResult<()> {
    let o = obj(v, at)?;
    only(
        o,
        &[
            "objectType",
            "name",
            "mbox",
            "mbox_sha1sum",
            "openid",
            "account",
            "member",
        ],
        at,
    )?;
    let ifis = ifi_count(o, at)?;
    if ifis > 1 {
        return Err(bad(format!("{at} must have at most one identifier")));
    }
    match o.get("member") {
        Some(Value::Array(members)) => {
            for (i, m) in members.iter().enumerate() {
                let mat = format!("{at}.member[{i}]");
                if m.get("objectType").and_then(Value::as_str) == Some("Group") {
                    return Err(bad(format!("{mat}: a group's member cannot be a group")));
                }
                agent(m, &mat)?;
            }
            if ifis == 0 && members.is_empty() {
                return Err(bad(format!("{at}: an anonymous group needs members")));
            }
        }
        Some(_) => return Err(bad(format!("{at}.member must be an array"))),
        None if ifis == 0 => return Err(bad(format!("{at}: an anonymous group needs members"))),
        None => {}
    }
    Ok(())
}

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

fn components(v: &Value, at: &str) -> XResult<()> {
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

fn definition(v: &Value, at: &str) -> XResult<()> {
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
