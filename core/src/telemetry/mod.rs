//! Logs and traces, set up once for the `agora` and `agora-worker`
//! binaries, and the shutdown signal they share.

pub mod origin;
pub mod traces;

use tracing_subscriber::{
    Layer,
    filter::{FilterExt, filter_fn},
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
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log)
        .map_err(|e| format!("AGORA_LOG `{}` is not a valid log filter: {e}", config.log))?;
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let logs = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    let logs = match config.log_format {
        LogFormat::Human => logs.boxed(),
        LogFormat::Json => logs
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .boxed(),
    };
    // The exported spans duplicate the log spans' ids; logs keep their own.
    let logs = logs.with_filter(filter.and(filter_fn(|m| m.target() != traces::TARGET)));
    let registry = tracing_subscriber::registry().with(logs);
    let Some(endpoint) = config.otlp_endpoint()? else {
        registry.init();
        return Ok(Traces::off());
    };
    let (exporter, traces) = traces::layer(&endpoint, service)?;
    registry.with(exporter).init();
    tracing::info!(%endpoint, service, "traces are sent over OTLP");
    Ok(traces)
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
