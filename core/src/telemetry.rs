//! Logging set-up shared by the `agora` and `agora-worker` binaries.

use crate::config::{Config, LogFormat};

/// Human lines by default, one JSON object per line with `AGORA_LOG_FORMAT=json`.
/// Logs go to stderr; stdout is left for what a command prints.
pub fn init(config: &Config) -> Result<(), String> {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log)
        .map_err(|e| format!("AGORA_LOG `{}` is not a valid log filter: {e}", config.log))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match config.log_format {
        LogFormat::Human => builder.init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
    Ok(())
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
