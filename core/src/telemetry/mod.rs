//! Logs and traces, set up once for the `agora` and `agora-worker`
//! binaries, and the shutdown signal they share.

pub mod origin;
pub mod traces;

use tracing_subscriber::{
    Layer, Registry,
    filter::{FilterExt, LevelFilter, filter_fn},
    layer::SubscriberExt,
    util::SubscriberInitExt,
};

use crate::config::{Config, LogFormat};
pub use traces::Traces;

/// Logs: human lines by default, one JSON object per line with
/// `AGORA_LOG_FORMAT=json`, to stderr (stdout is left for what a command
/// prints). Traces: sent over OTLP as `service` when an endpoint is
/// configured; otherwise no layer exists and a trace span costs nothing.
///
/// Must be called within the tokio runtime: the traces' batch processor
/// runs on it.
pub fn init(config: &Config, service: &'static str) -> Result<Traces, String> {
    let registry = tracing_subscriber::registry().with(logs(&config.log, config.log_format)?);
    let Some(endpoint) = config.otlp_endpoint()? else {
        registry.init();
        return Ok(Traces::off());
    };
    let (exporter, traces) = traces::layer(&endpoint, service)?;
    registry.with(exporter).init();
    tracing::info!(%endpoint, service, "traces are sent over OTLP");
    Ok(traces)
}

/// The log lines: every event and span the `AGORA_LOG` filter lets through,
/// except the exported spans, which are not log spans.
fn logs(filter: &str, format: LogFormat) -> Result<impl Layer<Registry> + use<>, String> {
    let level = tracing_subscriber::EnvFilter::try_new(filter)
        .map_err(|e| format!("AGORA_LOG `{filter}` is not a valid log filter: {e}"))?;
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let lines = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    let lines = match format {
        LogFormat::Human => lines.boxed(),
        LogFormat::Json => lines
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .boxed(),
    };
    // The hint keeps the filter's level as the process's ceiling: without
    // one, `log` records of every level (rustls, tantivy, …) would be built
    // and then thrown away, and every disabled `debug!` would be looked at.
    let not_exported =
        filter_fn(|m| m.target() != traces::TARGET).with_max_level_hint(LevelFilter::TRACE);
    Ok(lines.with_filter(level.and(not_exported)))
}

/// Resolves on SIGTERM or ctrl-c.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    // Register for SIGTERM now, not when the future is first polled: a
    // signal that arrives in between would otherwise kill the process
    // without a graceful stop.
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let term = async move {
            match term {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            _ = term => {},
        }
        tracing::info!("shutting down: finishing work in flight");
    }
}

#[cfg(test)]
mod tests {
    use tracing::Subscriber;

    use super::*;

    /// The level hint is what lets `log` records and disabled events be
    /// skipped at once; neither the log filter nor the traces may lose it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn logs_and_traces_keep_the_level_ceiling() {
        let only_logs =
            tracing_subscriber::registry().with(logs("info", LogFormat::Human).unwrap());
        assert_eq!(only_logs.max_level_hint(), Some(LevelFilter::INFO));
        let endpoint = url::Url::parse("http://127.0.0.1:9").unwrap();
        let (exporter, traces) = traces::layer(&endpoint, "agora-test").unwrap();
        let both = tracing_subscriber::registry()
            .with(logs("warn", LogFormat::Json).unwrap())
            .with(exporter);
        // The exported spans are INFO spans: INFO stays the ceiling.
        assert_eq!(both.max_level_hint(), Some(LevelFilter::INFO));
        drop(both);
        traces.shutdown();
    }
}
