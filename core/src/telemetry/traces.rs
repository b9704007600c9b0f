//! OpenTelemetry traces over OTLP/HTTP (protobuf): the exporter, sent with
//! the workspace's reqwest by the batch processor on the tokio runtime, and
//! the layer that turns Agora's trace spans into OpenTelemetry spans.
//!
//! Only spans of [`TARGET`] are exported, never log events nor any other
//! span: a span leaves the process only when it was written for export,
//! with fields that hold no secret (no path, query, token or address).

use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::{
    Resource, runtime,
    trace::{SdkTracerProvider, span_processor_with_async_runtime::BatchSpanProcessor},
};
use tracing_subscriber::{
    Layer,
    filter::{FilterFn, LevelFilter, filter_fn},
    registry::LookupSpan,
};
use url::Url;

/// The target of the spans that are exported (and kept out of the logs,
/// which have their own spans with the same ids).
pub const TARGET: &str = "agora::trace";

/// How long shutdown waits for the last spans to reach the collector.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// The tracer provider while traces are on; flushed and stopped by [`Traces::shutdown`].
#[must_use = "keep it until the end of main and call `shutdown`, or the last spans are lost"]
pub struct Traces(Option<SdkTracerProvider>);

impl Traces {
    pub(super) fn off() -> Self {
        Self(None)
    }

    /// Sends the spans still queued and stops the exporter. Call it from
    /// outside the runtime's workers (after `block_on` returns) while the
    /// runtime still runs: the batch processor lives on it.
    pub fn shutdown(self) {
        if let Some(provider) = self.0
            && let Err(e) = provider.shutdown_with_timeout(EXPORT_TIMEOUT)
        {
            eprintln!("warning: the last spans could not be sent: {e}");
        }
    }
}

/// The layer that exports [`TARGET`] spans to `endpoint` as `service`, and
/// the handle that flushes it. Must be called within a tokio runtime.
pub(super) fn layer<S>(
    endpoint: &Url,
    service: &'static str,
) -> Result<(impl Layer<S> + use<S>, Traces), String>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(traces_url(endpoint))
        .with_http_client(Reqwest(
            reqwest::Client::builder()
                .timeout(EXPORT_TIMEOUT)
                .build()
                .map_err(|e| format!("the OTLP client: {e}"))?,
        ))
        .build()
        .map_err(|e| format!("the OTLP exporter: {e}"))?;
    let provider = SdkTracerProvider::builder()
        .with_span_processor(BatchSpanProcessor::builder(exporter, runtime::Tokio).build())
        .with_resource(Resource::builder().with_service_name(service).build())
        .build();
    let layer = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("agora"))
        .with_location(false)
        .with_threads(false)
        .with_level(false)
        .with_target(false)
        .with_tracked_inactivity(false)
        .with_filter(exported());
    Ok((layer, Traces(Some(provider))))
}

/// Spans of [`TARGET`], and nothing else. They are `INFO` spans: the hint
/// says so, so that this filter does not lower the process's level ceiling.
fn exported() -> FilterFn<impl Fn(&tracing::Metadata<'_>) -> bool> {
    filter_fn(|meta| meta.is_span() && meta.target() == TARGET)
        .with_max_level_hint(LevelFilter::INFO)
}

/// The collector's traces address: `/v1/traces` under the base address, as
/// the OTLP specification has it for `OTEL_EXPORTER_OTLP_ENDPOINT`.
fn traces_url(base: &Url) -> String {
    format!("{}/v1/traces", base.as_str().trim_end_matches('/'))
}

/// The workspace's reqwest as the exporter's HTTP client: the OTLP crate's
/// own client feature would bring a second reqwest.
#[derive(Debug)]
struct Reqwest(reqwest::Client);

#[async_trait::async_trait]
impl HttpClient for Reqwest {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let (parts, body) = request.into_parts();
        let sent = self
            .0
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body)
            .send()
            .await?;
        let status = sent.status();
        let headers = sent.headers().clone();
        // The collector answers a small protobuf or status; bound it anyway.
        let body = sent.bytes().await?;
        if body.len() > 4 * 1024 * 1024 {
            return Err("the collector's answer is over 4 MiB".into());
        }
        let mut response = Response::builder().status(status).body(body)?;
        *response.headers_mut() = headers;
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traces_go_under_the_base_address() {
        let url = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            traces_url(&url("http://collector:4318")),
            "http://collector:4318/v1/traces"
        );
        assert_eq!(
            traces_url(&url("https://otel.example.org/otlp/")),
            "https://otel.example.org/otlp/v1/traces"
        );
    }
}
