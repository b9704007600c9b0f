//! The value types of statements: IRIs, UUIDs, language tags and maps,
//! extensions, timestamps and durations.

use serde_json::Value;
use uuid::Uuid;

use super::Obj;
use crate::xapi::{XResult, bad};

pub(super) fn obj<'a>(v: &'a Value, at: &str) -> XResult<&'a Obj> {
    v.as_object()
        .ok_or_else(|| bad(format!("{at} must be an object")))
}

pub(super) fn only(o: &Obj, allowed: &[&str], at: &str) -> XResult<()> {
    match o.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(bad(format!("{at}: unknown property `{k}`"))),
        None => Ok(()),
    }
}

pub(super) fn string<'a>(v: &'a Value, at: &str) -> XResult<&'a str> {
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

pub(super) fn iri(v: &Value, at: &str) -> XResult<()> {
    if is_iri(string(v, at)?) {
        Ok(())
    } else {
        Err(bad(format!("{at} must be an IRI")))
    }
}

pub fn is_uuid(s: &str) -> bool {
    s.len() == 36 && Uuid::parse_str(s).is_ok()
}

pub(super) fn uuid(v: &Value, at: &str) -> XResult<()> {
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

pub(super) fn lang_map(v: &Value, at: &str) -> XResult<()> {
    for (k, val) in obj(v, at)? {
        if !is_language(k) {
            return Err(bad(format!("{at}: `{k}` is not a language tag")));
        }
        string(val, &format!("{at}.{k}"))?;
    }
    Ok(())
}

pub(super) fn extensions(v: &Value, at: &str) -> XResult<()> {
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

pub(super) fn timestamp(v: &Value, at: &str) -> XResult<()> {
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
