//! The HTTP figures (requests by route template, method and status, their
//! latency, requests in flight) and the `/metrics` endpoint that serves
//! every figure of the process to the operator's scraper.

use std::{
    sync::LazyLock,
    time::{Duration, Instant},
};

use agora_core::metrics::{self, Access, Denied, Format, Seconds, SecondsFamily};
use poem::{
    IntoResponse, PathPattern, Request, Response, handler,
    http::{HeaderValue, Method, StatusCode, header},
    web::Data,
};
use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{counter::Counter, family::Family, gauge::Gauge},
};

use crate::{
    http::error::{ErrorBody, json_error},
    state::AppState,
};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    /// The route's template (`/courses/:slug/lessons/:key`), never the path.
    route: String,
    status: u16,
}

struct HttpMetrics {
    requests: Family<RequestLabels, Counter>,
    duration: SecondsFamily<RequestLabels>,
    in_flight: Gauge,
}

static HTTP: LazyLock<HttpMetrics> = LazyLock::new(|| {
    let m = HttpMetrics {
        requests: Family::default(),
        duration: Family::new_with_constructor(Seconds),
        in_flight: Gauge::default(),
    };
    metrics::register(
        "agora_http_requests",
        "HTTP requests answered, by method, route template and status",
        m.requests.clone(),
    );
    metrics::register(
        "agora_http_request_duration_seconds",
        "Time to answer an HTTP request (until the body starts), by method, route template and status",
        m.duration.clone(),
    );
    metrics::register(
        "agora_http_requests_in_flight",
        "HTTP requests being answered now",
        m.in_flight.clone(),
    );
    m
});

/// Registers the HTTP figures, so that a scrape shows them before the first request.
pub fn init() {
    LazyLock::force(&HTTP);
}

/// A request being answered; counted in flight until dropped.
pub struct InFlight {
    method: &'static str,
    started: Instant,
}

impl InFlight {
    pub fn start(method: &Method) -> Self {
        HTTP.in_flight.inc();
        Self {
            method: method_label(method),
            started: Instant::now(),
        }
    }

    /// Counts the answer, under the route that matched.
    pub fn finish(self, route: String, status: StatusCode) {
        let labels = RequestLabels {
            method: self.method,
            route,
            status: status.as_u16(),
        };
        HTTP.requests.get_or_create(&labels).inc();
        HTTP.duration
            .get_or_create(&labels)
            .observe(self.elapsed().as_secs_f64());
    }

    fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        HTTP.in_flight.dec();
    }
}

pub fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// poem-openapi registers its operations as `/courses/:param0`; the names
/// the OpenAPI document gives them (`/courses/:slug`) read better on a
/// dashboard. Filled once, when the application is built.
static API_ROUTES: std::sync::OnceLock<std::collections::HashMap<String, String>> =
    std::sync::OnceLock::new();

/// Learns the API's route names from its OpenAPI document (`spec`, JSON),
/// served under `prefix`.
pub fn name_api_routes(prefix: &str, spec: &str) {
    let paths = serde_json::from_str::<serde_json::Value>(spec)
        .ok()
        .and_then(|v| v["paths"].as_object().cloned())
        .unwrap_or_default();
    let names = paths
        .keys()
        .map(|path| {
            let (mut internal, mut named, mut n) = (String::new(), String::new(), 0);
            for (i, segment) in path.split('/').enumerate() {
                if i > 0 {
                    internal.push('/');
                    named.push('/');
                }
                match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => {
                        internal.push_str(&format!(":param{n}"));
                        named.push(':');
                        named.push_str(name);
                        n += 1;
                    }
                    None => {
                        internal.push_str(segment);
                        named.push_str(segment);
                    }
                }
            }
            (format!("{prefix}{internal}"), format!("{prefix}{named}"))
        })
        .collect();
    let _ = API_ROUTES.set(names);
}

/// The route of an answer no route gave.
pub const UNMATCHED: &str = "(unmatched)";

/// The template of the route that answered (poem's router records it on
/// the answer), or `(unmatched)` when no route did: raw paths would make a
/// series per course, lesson and token.
pub fn route_of(result: &poem::Result<Response>) -> String {
    let pattern = match result {
        Ok(resp) => resp.data::<PathPattern>(),
        Err(e) if e.is::<poem::error::NotFoundError>() => None,
        Err(e) => e.data::<PathPattern>(),
    };
    let Some(pattern) = pattern else {
        return UNMATCHED.to_owned();
    };
    API_ROUTES
        .get()
        .and_then(|names| names.get(pattern.0.as_ref()))
        .cloned()
        .unwrap_or_else(|| pattern.0.to_string())
}

/// `GET /metrics`: every figure, for whoever shows `AGORA_METRICS_TOKEN`
/// as a bearer token. Without a configured token it does not exist (404).
#[handler]
pub async fn scrape(req: &Request, state: Data<&AppState>) -> Response {
    let access = Access::new(state.config.metrics_token.as_ref());
    match access.check(req.header(header::AUTHORIZATION)) {
        Ok(()) => {
            let format = Format::from_accept(req.header(header::ACCEPT));
            let body = metrics::scrape(&state.db, format).await;
            Response::builder()
                .content_type(format.content_type())
                .header(header::CACHE_CONTROL, "no-store")
                .body(body)
        }
        Err(Denied::Disabled) => json_error(
            StatusCode::NOT_FOUND,
            ErrorBody::new("not_found", "nothing exists at this address", None),
        ),
        Err(Denied::WrongToken) => {
            let mut r = json_error(
                StatusCode::UNAUTHORIZED,
                ErrorBody::new(
                    "unauthorized",
                    "send the metrics token as `Authorization: Bearer <token>`",
                    None,
                ),
            );
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"metrics\""),
            );
            r.into_response()
        }
    }
}
