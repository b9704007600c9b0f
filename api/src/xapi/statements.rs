//! `/xapi/statements`: PUT one with its id, POST one or many, GET one or a
//! filtered page with `more`.

use agora_core::xapi::{Client, Filters, Lrs};
use poem::{
    Response,
    http::{HeaderValue, Method},
};
use serde_json::{Value, json, value::RawValue};
use uuid::Uuid;

use super::{Reply, XRequest, allowed, attachments, bad, error};

const QUERY_PARAMS: [&str; 15] = [
    "statementId",
    "voidedStatementId",
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
    "cursor",
];

fn flag(r: &XRequest, name: &str) -> Result<bool, Response> {
    match r.param(name) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(bad(format!("{name} must be true or false"))),
    }
}

/// A `StatementResult` as written: the statements' JSON goes out as
/// stored, without being parsed and written again.
#[derive(serde::Serialize)]
struct StatementResult<'a> {
    statements: &'a [Box<RawValue>],
    more: String,
}

fn internal(why: String) -> agora_core::xapi::XapiError {
    agora_core::xapi::XapiError::Core(agora_core::Error::Internal(why))
}

fn raw<T: serde::Serialize>(v: &T) -> Result<Box<RawValue>, Response> {
    serde_json::value::to_raw_value(v).map_err(|e| error(internal(e.to_string())))
}

pub(super) async fn handle(lrs: &Lrs, c: &Client, r: &XRequest) -> Result<Reply, Response> {
    match r.method {
        Method::PUT => put(lrs, c, r).await,
        Method::POST => post(lrs, c, r).await,
        Method::GET | Method::HEAD => get(lrs, c, r).await,
        _ => Err(poem::http::StatusCode::METHOD_NOT_ALLOWED.into()),
    }
}

/// The statements of a body: JSON, or the first part of `multipart/mixed`
/// with the attachments after it.
async fn statements_of(lrs: &Lrs, r: &XRequest) -> Result<Vec<Value>, Response> {
    let ct = r.content_type();
    let (json, parts) = if ct.starts_with("multipart/mixed") {
        attachments::split(ct, &r.body).map_err(bad)?
    } else if ct.starts_with("application/json") {
        (r.body.clone(), Vec::new())
    } else {
        return Err(bad(
            "send statements as application/json or multipart/mixed",
        ));
    };
    let v: Value = serde_json::from_slice(&json).map_err(|_| bad("the statements are not JSON"))?;
    let list = match v {
        Value::Array(list) => list,
        one @ Value::Object(_) => vec![one],
        _ => return Err(bad("send a statement or an array of statements")),
    };
    attachments::check_and_store(lrs, &list, parts)
        .await
        .map_err(error)?;
    Ok(list)
}

async fn put(lrs: &Lrs, c: &Client, r: &XRequest) -> Result<Reply, Response> {
    allowed(c, true)?;
    if r.params.keys().any(|k| k != "statementId") {
        return Err(bad("PUT takes statementId only"));
    }
    let id = r
        .param("statementId")
        .ok_or_else(|| bad("statementId is required"))?;
    let id = Uuid::parse_str(id).map_err(|_| bad("statementId must be a UUID"))?;
    let mut list = statements_of(lrs, r).await?;
    if list.len() != 1 || !list[0].is_object() {
        return Err(bad("PUT one statement"));
    }
    let st = list.remove(0);
    lrs.store(vec![st], Some(id), lrs.authority(c), c.id)
        .await
        .map_err(error)?;
    Ok(Reply::NoContent(None))
}

async fn post(lrs: &Lrs, c: &Client, r: &XRequest) -> Result<Reply, Response> {
    allowed(c, true)?;
    if !r.params.is_empty() {
        return Err(bad("POST takes no parameters"));
    }
    let list = statements_of(lrs, r).await?;
    if list.is_empty() {
        return Err(bad("send at least one statement"));
    }
    let stored = lrs
        .store(list, None, lrs.authority(c), c.id)
        .await
        .map_err(error)?;
    Ok(Reply::Json(json!(
        stored.ids.iter().map(Uuid::to_string).collect::<Vec<_>>()
    )))
}

async fn get(lrs: &Lrs, c: &Client, r: &XRequest) -> Result<Reply, Response> {
    allowed(c, false)?;
    if let Some(k) = r
        .params
        .keys()
        .find(|k| !QUERY_PARAMS.contains(&k.as_str()))
    {
        return Err(bad(format!("unknown parameter `{k}`")));
    }
    let with_attachments = flag(r, "attachments")?;
    let languages: Vec<String> = r
        .header("accept-language")
        .unwrap_or("")
        .split(',')
        .map(|l| l.split(';').next().unwrap_or("").trim().to_owned())
        .filter(|l| !l.is_empty() && l != "*")
        .collect();
    let format = r.param("format");
    let own = c.own_only().then_some(c.id);
    let single = match (r.param("statementId"), r.param("voidedStatementId")) {
        (Some(_), Some(_)) => return Err(bad("give statementId or voidedStatementId, not both")),
        (Some(id), None) => Some((id, false)),
        (None, Some(id)) => Some((id, true)),
        (None, None) => None,
    };
    let (body, consistent) = if let Some((id, voided)) = single {
        if r.params.keys().any(|k| {
            !matches!(
                k.as_str(),
                "statementId" | "voidedStatementId" | "format" | "attachments"
            )
        }) {
            return Err(bad(
                "with a statement id, only format and attachments may be given",
            ));
        }
        let st = lrs
            .statement(id, voided, format, own, &languages)
            .await
            .map_err(error)?;
        (raw(&st)?, lrs.consistent_through())
    } else {
        let limit = match r.param("limit") {
            None => None,
            Some(l) => Some(
                l.parse::<u64>()
                    .map_err(|_| bad("limit must be a whole number"))?,
            ),
        };
        let after = match r.param("cursor") {
            None => None,
            Some(s) => Some(
                s.parse::<i32>()
                    .map_err(|_| bad("cursor is not one of ours"))?,
            ),
        };
        let f = Filters {
            agent: r.param("agent").map(str::to_owned),
            verb: r.param("verb").map(str::to_owned),
            activity: r.param("activity").map(str::to_owned),
            registration: r.param("registration").map(str::to_owned),
            related_activities: flag(r, "related_activities")?,
            related_agents: flag(r, "related_agents")?,
            since: r.param("since").map(str::to_owned),
            until: r.param("until").map(str::to_owned),
            limit,
            format: format.map(str::to_owned),
            ascending: flag(r, "ascending")?,
            after,
            languages,
        };
        let consistent = lrs.consistent_through();
        let page = lrs.statements(&f, own).await.map_err(error)?;
        let more = page.more.map(|seq| {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in r.params.iter().filter(|(k, _)| *k != "cursor") {
                q.append_pair(k, v);
            }
            q.append_pair("cursor", &seq.to_string());
            format!("/xapi/statements?{}", q.finish())
        });
        let result = StatementResult {
            statements: &page.statements,
            more: more.unwrap_or_default(),
        };
        (raw(&result)?, consistent)
    };
    let mut resp = if with_attachments {
        let body: Value =
            serde_json::from_str(body.get()).map_err(|e| error(internal(e.to_string())))?;
        attachments::multipart(lrs, &body).await.map_err(error)?
    } else {
        Response::builder()
            .content_type("application/json")
            .body(Box::<str>::from(body).into_string())
    };
    if let Ok(v) = HeaderValue::from_str(&consistent) {
        resp.headers_mut()
            .insert("X-Experience-API-Consistent-Through", v);
    }
    Ok(Reply::Raw(resp))
}
