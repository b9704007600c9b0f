//! Cross-cutting HTTP behaviour: request ids and logs, conditional GETs,
//! partner CORS, body limits, and errors no handler answered.

use std::time::Instant;

use agora_core::telemetry::origin;
use poem::{
    Endpoint, IntoResponse, Request, Response, Result,
    http::{HeaderValue, Method, StatusCode, header},
};
use poem_openapi::payload::Json;
use tracing::Instrument;

use crate::{
    http::{
        allow,
        error::{ApiError, ErrorBody, json_error, wants_html},
        locale::page_locale,
        metrics,
        page::error_page,
        security::security_headers,
        server_span, version_tag,
    },
    state::AppState,
};

/// Gives every request an id (the caller's `X-Request-Id` when it is sane),
/// puts it on every log line of the request through a span, on the jobs the
/// request enqueues and on its trace span, and echoes it back.
pub async fn request_context<E: Endpoint>(next: E, req: Request) -> Result<Response> {
    let id = req
        .header("x-request-id")
        .filter(|v| {
            (8..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let html = wants_html(&req);
    let locale = page_locale(&req, None);
    let path = req.uri().path().to_owned();
    let in_flight = metrics::InFlight::start(req.method());
    let method = req.method().clone();
    let span = tracing::info_span!("request", request_id = %id, method = %method, path = %req.uri().path());
    let trace = server_span::start(&req, &id);
    let outer = trace.clone();
    let request_id = Some(id.clone());
    let answer = async move {
        let started = Instant::now();
        let result = next.call(req).await.map(IntoResponse::into_response);
        let route = metrics::route_of(&result);
        let mut resp = match result {
            Ok(r) => r,
            Err(e) => error_response(e),
        };
        // A browser that lands on an unknown address (or a failure outside
        // any page) gets a readable page in its language, not JSON.
        let is_json = resp
            .content_type()
            .is_some_and(|c| c.starts_with("application/json"));
        if html && resp.status().as_u16() >= 400 && is_json {
            resp = error_page(locale, resp.status());
        }
        security_headers(&path, &mut resp);
        server_span::finish(&trace, &method, &route, resp.status());
        in_flight.finish(route, resp.status());
        let status = resp.status().as_u16();
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if status >= 500 {
            tracing::warn!(status, latency_ms = ms, "request failed");
        } else {
            tracing::info!(status, latency_ms = ms, "request");
        }
        if let Ok(v) = HeaderValue::from_str(&id) {
            resp.headers_mut().insert("x-request-id", v);
        }
        Ok(resp)
    }
    .instrument(span);
    origin::on_behalf_of(request_id, answer.instrument(outer)).await
}

/// The partner a path of the partner API names: `/api/v1/partners/{partner}/…`.
fn partner_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/api/v1/partners/")?;
    let partner = rest.split('/').next()?;
    (!partner.is_empty()).then_some(partner)
}

/// CORS for the partner API: only the partner's own allowed origins may read
/// it from a browser. A preflight from any other origin is refused with 403;
/// a simple request from one gets no `Access-Control-Allow-Origin`, so the
/// browser keeps the answer from the page.
pub async fn partner_cors<E: Endpoint>(next: E, req: Request) -> Result<Response> {
    let Some(partner) = partner_of(req.uri().path()).map(str::to_owned) else {
        return next.call(req).await.map(IntoResponse::into_response);
    };
    let origin = req
        .header(header::ORIGIN)
        .and_then(|o| HeaderValue::from_str(o).ok());
    let allowed = match (&origin, req.data::<AppState>()) {
        (Some(o), Some(state)) => match (o.to_str(), state.partners.get(&partner).await) {
            (Ok(o), Ok(p)) => p.allows(o),
            _ => false,
        },
        _ => false,
    };
    let preflight =
        req.method() == Method::OPTIONS && req.header("access-control-request-method").is_some();
    let mut resp = if preflight {
        if !allowed {
            let mut r = json_error(
                StatusCode::FORBIDDEN,
                ErrorBody::new(
                    "origin_not_allowed",
                    "this origin is not among the partner's allowed origins",
                    None,
                ),
            );
            r.headers_mut()
                .insert(header::VARY, HeaderValue::from_static("Origin"));
            return Ok(r);
        }
        let mut r = Response::builder().status(StatusCode::NO_CONTENT).finish();
        let h = r.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, HEAD, OPTIONS"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("X-Api-Key, Authorization, If-None-Match"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        r
    } else {
        match next.call(req).await {
            Ok(r) => r.into_response(),
            Err(e) => error_response(e),
        }
    };
    let h = resp.headers_mut();
    if allowed && let Some(o) = origin {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("ETag, Retry-After"),
        );
    }
    let varies = h
        .get_all(header::VARY)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.contains("Origin")));
    if !varies {
        h.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    Ok(resp)
}

/// Errors raised outside the API's own types (an unknown route, a wrong
/// method, a body too large) still answer the one JSON error shape.
fn error_response(e: poem::Error) -> Response {
    // The route that failed stays on the answer, for the HTTP figures.
    let route = e.data::<poem::PathPattern>().cloned();
    let mut resp = error_body(e);
    if let Some(route) = route {
        // A 405 names the methods the path does allow.
        if resp.status() == StatusCode::METHOD_NOT_ALLOWED
            && let Some(methods) = allow::allowed(&route.0)
        {
            resp.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(methods));
        }
        resp.set_data(route);
    }
    resp
}

fn error_body(e: poem::Error) -> Response {
    let status = e.status();
    let is_json = |r: &Response| {
        r.content_type()
            .is_some_and(|c| c.starts_with("application/json"))
    };
    if let Some(p) = e.downcast_ref::<poem_openapi::error::ParseParamError>() {
        let field = p.name.to_string();
        return json_error(
            StatusCode::BAD_REQUEST,
            ErrorBody::new(
                "invalid_parameter",
                format!("parameter `{field}` is invalid: {}", plain(&p.reason)),
                Some(field),
            ),
        );
    }
    if let Some(p) = e.downcast_ref::<poem_openapi::error::ParseRequestPayloadError>() {
        // A field outside a constraint the document states (a pattern, a
        // length, a range) is invalid content, named, as core's checks say.
        if let Some(field) = failed_field(&p.reason) {
            return json_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorBody::new(
                    "invalid",
                    format!(
                        "`{field}` is outside what the API document allows: {}",
                        p.reason
                    ),
                    Some(field.to_owned()),
                ),
            );
        }
        return json_error(
            StatusCode::BAD_REQUEST,
            ErrorBody::new(
                "invalid_body",
                format!("the request body is invalid: {}", p.reason),
                None,
            ),
        );
    }
    if e.is::<poem_openapi::error::ContentTypeError>() {
        return ApiError::UnsupportedMediaType(Json(ErrorBody::new(
            "unsupported_media_type",
            "send the body in the content type the operation declares (see /api/openapi.json)",
            None,
        )))
        .into_response();
    }
    // The API's own errors (`ApiError`, including its 503s) already carry
    // the JSON body, written never to leak a cause; keep it.
    let cause = status.is_server_error().then(|| e.to_string());
    let resp = e.into_response();
    if is_json(&resp) {
        return resp;
    }
    if let Some(cause) = cause {
        tracing::error!(error = %cause, "unhandled error");
    }
    fallback_error(status)
}

/// The field poem-openapi names when one of its validators refused it.
/// A parse failure's own words, without poem-openapi's wrapping
/// (`failed to parse "string(theme)": … (occurred while parsing …)`).
fn plain(reason: &str) -> &str {
    let inner = match reason.split_once("\": ") {
        Some((head, rest)) if head.starts_with("failed to parse \"") => rest,
        _ => reason,
    };
    inner
        .split(" (occurred while parsing")
        .next()
        .unwrap_or(inner)
}

fn failed_field(reason: &str) -> Option<&str> {
    let (_, rest) = reason.split_once("field `")?;
    let (field, rest) = rest.split_once('`')?;
    rest.starts_with(" verification failed").then_some(field)
}

fn fallback_error(status: StatusCode) -> Response {
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        s if s.is_server_error() => "internal",
        _ => "error",
    };
    let message = if status.is_server_error() {
        "something went wrong on our side".to_owned()
    } else {
        status.canonical_reason().unwrap_or("error").to_owned()
    };
    json_error(status, ErrorBody::new(code, message, None))
}

/// For GETs whose answer is publicly cacheable, adds a strong `ETag` computed
/// from the body and answers `304` when the client already has it.
pub async fn conditional_get<E: Endpoint>(next: E, req: Request) -> Result<Response> {
    let cacheable_method = matches!(*req.method(), Method::GET | Method::HEAD);
    let if_none_match = req.header(header::IF_NONE_MATCH).map(str::to_owned);
    let resp = next.call(req).await?.into_response();
    // A handler that set its own ETag (a cached listing) answered already.
    if resp.headers().contains_key(header::ETAG) {
        return Ok(resp);
    }
    let public = resp
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("public"));
    if !cacheable_method || resp.status() != StatusCode::OK || !public {
        return Ok(resp);
    }
    let (parts, body) = resp.into_parts();
    let bytes = body.into_bytes().await?;
    // 128 bits of XXH3 name the body: a tag only has to differ when the
    // body does, and nothing is secret in it. SHA-256 took 2 % of a search.
    let etag = format!("\"{:032x}\"", xxhash_rust::xxh3::xxh3_128(&bytes));
    let matches = version_tag::matches(if_none_match.as_deref(), &etag);
    let mut resp = if matches {
        let mut r = Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .finish();
        *r.extensions_mut() = parts.extensions.clone();
        for name in [
            header::CACHE_CONTROL,
            header::VARY,
            header::CONTENT_LANGUAGE,
        ] {
            if let Some(v) = parts.headers.get(&name) {
                r.headers_mut().insert(name, v.clone());
            }
        }
        r
    } else {
        Response::from_parts(parts, bytes.into())
    };
    resp.headers_mut().insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("hex is a valid header"),
    );
    Ok(resp)
}

/// Largest body the learning record store accepts (statements and attachments).
pub const XAPI_MAX_BODY: usize = 16 * 1024 * 1024;

/// Largest request body the JSON API accepts; uploads get their own limits.
pub const MAX_BODY: usize = 256 * 1024;

/// The addresses that take a discussion post's image: the API's upload,
/// and the pages' forms that start a thread, reply and edit.
fn carries_post_image(path: &str) -> bool {
    (path.starts_with("/api/v1/discussions/posts/") && path.ends_with("/images"))
        || (path.starts_with("/discussions/")
            && (path.ends_with("/threads") || path.ends_with("/posts") || path.ends_with("/edit")))
}

/// Refuses bodies over [`MAX_BODY`] with 413, whether their length is
/// declared or they arrive in chunks.
pub async fn body_limit<E: Endpoint>(next: E, mut req: Request) -> Result<Response> {
    // Authoring uploads (course files and archives) are bounded by the
    // authoring service's own, per-kind limits under this ceiling.
    let path = req.uri().path();
    let limit = if path.starts_with("/api/v1/authoring/") || path.starts_with("/author/") {
        agora_core::authoring::MAX_ARCHIVE_BYTES
    } else if path.starts_with("/api/v1/cohorts/") && path.ends_with("/submission") {
        // Work handed in: the cohorts service names the file over its own
        // limits; this bounds the whole form.
        agora_core::cohorts::MAX_SUBMISSION_BYTES + 256 * 1024
    } else if carries_post_image(path) {
        // A post's image: the discussions service names a file over its
        // limit next to the field; this bounds the whole form, with room
        // for a file twice too big to still be told so.
        2 * agora_core::media::MAX_IMAGE_BYTES + 256 * 1024
    } else if path.starts_with("/xapi/") {
        // Statements with their attachments.
        XAPI_MAX_BODY
    } else if path == "/credentials/verify" {
        // A pasted credential or a baked badge: the page names anything
        // over its own limit; this bounds the whole form.
        2 * crate::web::MAX_CREDENTIAL_INPUT + 64 * 1024
    } else {
        MAX_BODY
    };
    let declared = req
        .header(header::CONTENT_LENGTH)
        .and_then(|v| v.parse::<usize>().ok());
    let too_large = || {
        let mut r = ApiError::PayloadTooLarge(Json(ErrorBody::new(
            "payload_too_large",
            format!("the body is over {} KiB", limit / 1024),
            None,
        )))
        .into_response();
        // The body is left unread, so the connection cannot carry another
        // request: say so, and the client opens a new one.
        r.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        r
    };
    match declared {
        Some(n) if n > limit => return Ok(too_large()),
        Some(_) => {}
        None if req.header(header::TRANSFER_ENCODING).is_some() => {
            match req.take_body().into_bytes_limit(limit).await {
                Ok(bytes) => req.set_body(bytes),
                Err(_) => return Ok(too_large()),
            }
        }
        None => {}
    }
    next.call(req).await.map(IntoResponse::into_response)
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn parse_failures_keep_their_own_words() {
        let wrapped = "failed to parse \"string(theme)\": write it `sdg:1` (occurred while parsing \"list_string(theme)\")";
        assert_eq!(plain(wrapped), "write it `sdg:1`");
        assert_eq!(
            plain("verification failed. maximum(100)"),
            "verification failed. maximum(100)"
        );
    }
}
