//! Actors: agents, identified by exactly one inverse functional
//! identifier, and groups.

use serde_json::Value;

use super::{Obj, values::*};
use crate::xapi::{XResult, bad};

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
pub(super) fn ifi_count(o: &Obj, at: &str) -> XResult<usize> {
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

pub(super) fn group(v: &Value, at: &str) -> XResult<()> {
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
