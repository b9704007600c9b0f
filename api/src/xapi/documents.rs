//! The document resources (`activities/state`, `activities/profile`,
//! `agents/profile`) and the `activities` and `agents` lookups.

use agora_core::xapi::{Client, DocKey, DocKind, Lrs, Preconditions};
use poem::{Response, http::Method};
use serde_json::json;

use super::{Reply, XRequest, allowed, bad, error};

fn key(r: &XRequest) -> Result<(DocKey, &'static [&'static str]), Response> {
    let (kind, id_name, allowed): (DocKind, &str, &'static [&'static str]) =
        match r.resource.as_str() {
            "activities/state" => (
                DocKind::State,
                "stateId",
                &["activityId", "agent", "registration", "stateId", "since"],
            ),
            "activities/profile" => (
                DocKind::ActivityProfile,
                "profileId",
                &["activityId", "profileId", "since"],
            ),
            _ => (
                DocKind::AgentProfile,
                "profileId",
                &["agent", "profileId", "since"],
            ),
        };
    if let Some(k) = r.params.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(bad(format!("unknown parameter `{k}`")));
    }
    Ok((
        DocKey {
            kind,
            activity_id: r.param("activityId").map(str::to_owned),
            agent: r.param("agent").map(str::to_owned),
            registration: r.param("registration").map(str::to_owned),
            doc_id: r.param(id_name).map(str::to_owned),
        },
        allowed,
    ))
}

pub(super) async fn handle(lrs: &Lrs, c: &Client, r: &XRequest) -> Result<Reply, Response> {
    let (key, _) = key(r)?;
    let pre = Preconditions {
        if_match: r.header("if-match").map(str::to_owned),
        if_none_match: r.header("if-none-match").map(str::to_owned),
    };
    match r.method {
        Method::GET | Method::HEAD => {
            allowed(c, false)?;
            if key.doc_id.is_some() {
                if r.param("since").is_some() {
                    return Err(bad("since lists documents: leave out the document id"));
                }
                match lrs.document(&key).await.map_err(error)? {
                    Some(d) => Ok(Reply::Bytes {
                        content_type: d.content_type,
                        body: d.content,
                        etag: Some(d.etag),
                    }),
                    None => Err(error(agora_core::xapi::XapiError::NotFound(
                        "no such document",
                    ))),
                }
            } else {
                let ids = lrs
                    .document_ids(&key, r.param("since"))
                    .await
                    .map_err(error)?;
                Ok(Reply::Json(json!(ids)))
            }
        }
        Method::PUT | Method::POST => {
            allowed(c, true)?;
            if r.param("since").is_some() {
                return Err(bad("since is for GET"));
            }
            let etag = lrs
                .put_document(
                    &key,
                    r.content_type(),
                    r.body.clone(),
                    r.method == Method::POST,
                    &pre,
                )
                .await
                .map_err(error)?;
            Ok(Reply::NoContent(Some(etag)))
        }
        Method::DELETE => {
            allowed(c, true)?;
            lrs.delete_documents(&key, &pre).await.map_err(error)?;
            Ok(Reply::NoContent(None))
        }
        _ => Err(poem::http::StatusCode::METHOD_NOT_ALLOWED.into()),
    }
}

/// `GET /xapi/activities?activityId=` and `GET /xapi/agents?agent=`.
pub(super) fn lookup_params(r: &XRequest) -> Result<(), Response> {
    let name = if r.resource == "activities" {
        "activityId"
    } else {
        "agent"
    };
    if r.params.keys().any(|k| k != name) {
        return Err(bad(format!("this resource takes {name} only")));
    }
    Ok(())
}

pub(super) async fn lookup(lrs: &Lrs, c: &Client, r: &XRequest) -> Result<Reply, Response> {
    allowed(c, false)?;
    if r.method != Method::GET && r.method != Method::HEAD {
        return Err(poem::http::StatusCode::METHOD_NOT_ALLOWED.into());
    }
    lookup_params(r)?;
    if r.resource == "activities" {
        let id = r
            .param("activityId")
            .ok_or_else(|| bad("activityId is required"))?;
        Ok(Reply::Json(lrs.activity(id).await.map_err(error)?))
    } else {
        let agent = r.param("agent").ok_or_else(|| bad("agent is required"))?;
        Ok(Reply::Json(lrs.person(agent).map_err(error)?))
    }
}
