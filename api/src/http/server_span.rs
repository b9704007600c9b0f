//! The server span of each request, exported over OTLP when traces are on:
//! named by method and route template (never the path, which may hold a
//! token), with the status and the request id, continuing the caller's W3C
//! `traceparent`. With traces off the span is disabled and costs nothing.

use agora_core::telemetry::{origin, traces::TARGET};
use opentelemetry::{
    KeyValue,
    trace::{Status, TraceContextExt},
};
use poem::{
    Request,
    http::{Method, StatusCode},
};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use super::metrics::{UNMATCHED, method_label};

/// Starts the request's span, a child of the caller's `traceparent` if it sent one.
pub fn start(req: &Request, request_id: &str) -> tracing::Span {
    let method = method_label(req.method());
    let span = tracing::info_span!(
        target: TARGET,
        "request",
        otel.name = method,
        otel.kind = "server",
        http.request.method = method,
        request_id,
    );
    origin::continue_trace(&span, req.header("traceparent"), req.header("tracestate"));
    span
}

/// Names the span after the route that answered and records the status.
pub fn finish(span: &tracing::Span, method: &Method, route: &str, status: StatusCode) {
    if span.is_disabled() {
        return;
    }
    let cx = span.context();
    let otel = cx.span();
    if route != UNMATCHED {
        otel.update_name(format!("{} {route}", method_label(method)));
        otel.set_attribute(KeyValue::new("http.route", route.to_owned()));
    }
    otel.set_attribute(KeyValue::new(
        "http.response.status_code",
        i64::from(status.as_u16()),
    ));
    if status.is_server_error() {
        otel.set_status(Status::error(
            status.canonical_reason().unwrap_or("server error"),
        ));
    }
}
