//! The learning record store at `/xapi/` (xAPI 1.0.3): statements, the
//! document resources, activities, agents and about. Basic authentication
//! with the credentials an admin issues (see `web::admin` and the API);
//! every answer carries `X-Experience-API-Version`. Stands on `http/` only.

// A refusal is the finished answer (`Err(Response)`), as in `web`.
#![allow(clippy::result_large_err)]

mod attachments;
mod documents;
mod request;
mod statements;

use agora_core::xapi::{Client, Lrs, Scope, XapiError};
use base64::Engine;
use poem::{
    Body, IntoResponse, Request, Response, Route, handler,
    http::{HeaderValue, Method, StatusCode, header},
    web::Data,
};
use serde_json::json;

use crate::http::error::{ApiError, ErrorBody, json_error};
use request::XRequest;

pub fn routes(route: Route) -> Route {
    route.at("/xapi/*path", endpoint).at("/xapi", endpoint)
}

/// The version every answer names.
const VERSION: &str = "1.0.3";

/// An answer of the LRS, before its common headers.
pub(crate) enum Reply {
    NoContent(Option<String>),
    Json(serde_json::Value),
    Bytes {
        content_type: String,
        body: Vec<u8>,
        etag: Option<String>,
    },
    Raw(Response),
}

pub(crate) fn error(e: XapiError) -> Response {
    let (status, code) = match &e {
        XapiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
        XapiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
        XapiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
        XapiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
        XapiError::PreconditionFailed(_) => {
            (StatusCode::PRECONDITION_FAILED, "precondition_failed")
        }
        XapiError::Core(
            agora_core::Error::Invalid { .. } | agora_core::Error::BadParameter { .. },
        ) => (StatusCode::BAD_REQUEST, "bad_request"),
        XapiError::Core(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    };
    if status == StatusCode::INTERNAL_SERVER_ERROR
        && let XapiError::Core(core) = e
    {
        return ApiError::from(core).into_response();
    }
    json_error(status, ErrorBody::new(code, e.to_string(), None))
}

fn bad(msg: impl Into<String>) -> Response {
    error(XapiError::BadRequest(msg.into()))
}

fn unauthorized() -> Response {
    let mut r = json_error(
        StatusCode::UNAUTHORIZED,
        ErrorBody::new(
            "unauthorized",
            "send the Basic credentials an admin issued",
            None,
        ),
    );
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"xAPI\""),
    );
    r
}

/// The client these Basic credentials belong to.
async fn client(lrs: &Lrs, r: &XRequest) -> Result<Client, Response> {
    let Some(encoded) = r.header("authorization").and_then(|a| {
        let (scheme, rest) = a.split_once(' ')?;
        scheme.eq_ignore_ascii_case("basic").then_some(rest.trim())
    }) else {
        return Err(unauthorized());
    };
    let Some((key, secret)) = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split_once(':').map(|(k, p)| (k.to_owned(), p.to_owned())))
    else {
        return Err(unauthorized());
    };
    match lrs.authenticate(&key, &secret).await {
        Ok(Some(c)) => Ok(c),
        Ok(None) => Err(unauthorized()),
        Err(e) => Err(error(e.into())),
    }
}

/// Reads need `read` or `own`; writes need `write`.
pub(crate) fn allowed(c: &Client, write: bool) -> Result<(), Response> {
    let ok = if write {
        c.can(Scope::Write)
    } else {
        c.can(Scope::Read) || c.can(Scope::Own)
    };
    if ok {
        Ok(())
    } else {
        Err(error(XapiError::Forbidden(
            "these credentials do not have the scope this needs",
        )))
    }
}

#[handler]
async fn endpoint(req: &Request, body: Body, state: Data<&crate::state::AppState>) -> Response {
    let body = match body.into_vec().await {
        Ok(b) => b,
        Err(_) => return bad("the body could not be read"),
    };
    let statements_get = req
        .uri()
        .path()
        .trim_end_matches('/')
        .ends_with("/statements")
        && (req.method() == Method::GET
            || req.method() == Method::HEAD
            || req.uri().query().is_some_and(|q| q.contains("method=GET")));
    let mut resp = answer(req, body, &state.xapi).await;
    if statements_get
        && !resp
            .headers()
            .contains_key("X-Experience-API-Consistent-Through")
        && let Ok(v) = HeaderValue::from_str(&state.xapi.consistent_through())
    {
        resp.headers_mut()
            .insert("X-Experience-API-Consistent-Through", v);
    }
    resp.headers_mut().insert(
        "X-Experience-API-Version",
        HeaderValue::from_static(VERSION),
    );
    resp
}

async fn answer(req: &Request, body: Vec<u8>, lrs: &Lrs) -> Response {
    let r = match request::parse(req, body) {
        Ok(r) => r,
        Err(msg) => return bad(msg),
    };
    if r.resource == "about" {
        if r.method != Method::GET && r.method != Method::HEAD {
            return StatusCode::METHOD_NOT_ALLOWED.into_response();
        }
        return finish(
            Reply::Json(
                json!({ "version": ["1.0.3", "1.0.2", "1.0.1", "1.0.0"], "extensions": {} }),
            ),
            &r,
        );
    }
    match r.header("x-experience-api-version") {
        Some(v) if v.starts_with("1.0") => {}
        Some(_) => return bad("X-Experience-API-Version must be 1.0.x"),
        None => return bad("send X-Experience-API-Version: 1.0.3"),
    }
    let c = match client(lrs, &r).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let reply = match r.resource.as_str() {
        "statements" => statements::handle(lrs, &c, &r).await,
        "activities/state" | "activities/profile" | "agents/profile" => {
            documents::handle(lrs, &c, &r).await
        }
        "activities" | "agents" => documents::lookup(lrs, &c, &r).await,
        _ => {
            return json_error(
                StatusCode::NOT_FOUND,
                ErrorBody::new("not_found", "no such xAPI resource", None),
            );
        }
    };
    match reply {
        Ok(reply) => finish(reply, &r),
        Err(resp) => resp,
    }
}

fn finish(reply: Reply, r: &XRequest) -> Response {
    let head = r.method == Method::HEAD;
    let mut resp = match reply {
        Reply::NoContent(etag) => {
            let mut b = Response::builder().status(StatusCode::NO_CONTENT);
            if let Some(t) = etag {
                b = b.header(header::ETAG, t);
            }
            b.finish()
        }
        Reply::Json(v) => Response::builder()
            .content_type("application/json")
            .body(v.to_string()),
        Reply::Bytes {
            content_type,
            body,
            etag,
        } => {
            let mut b = Response::builder().content_type(content_type);
            if let Some(t) = etag {
                b = b.header(header::ETAG, t);
            }
            b.body(body)
        }
        Reply::Raw(resp) => resp,
    };
    if head {
        resp.set_body(Body::empty());
    }
    resp
}
