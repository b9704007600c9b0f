//! `agora-worker`: runs the background worker alone, for production. Any
//! number can run side by side against PostgreSQL.

use std::process::ExitCode;

use agora_core::{config::Config, db};
use clap::Parser;

#[derive(Parser)]
#[command(name = "agora-worker", version, about = "Agora's background worker")]
struct Cli {
    #[command(flatten)]
    config: Config,
}

fn main() -> ExitCode {
    agora_core::metrics::mark_start();
    let cli = Cli::parse();
    if let Err(e) = cli.config.validate() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the tokio runtime starts");
    let traces = match runtime
        .block_on(async { agora_core::telemetry::init(&cli.config, "agora-worker") })
    {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let code = runtime.block_on(async move {
        let config = cli.config;
        let url = config.database_url();
        let conn = match db::connect(&url, config.database_max_connections).await {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: cannot connect to the database at {url}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let cache = match agora_core::cache::Cache::from_config(
            config.redis_url.as_ref().map(|u| u.expose().as_str()),
        ) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        let search = match agora_core::search::SearchIndex::from_config(&config) {
            Ok(index) => index,
            Err(e) => {
                eprintln!("error: cannot open the search index: {e}");
                return ExitCode::FAILURE;
            }
        };
        // Registered before the worker starts (and says so in the log), so a
        // SIGTERM from then on always stops it gracefully.
        let signal = agora_core::telemetry::shutdown_signal();
        let (stop, stopped) = tokio::sync::watch::channel(false);
        agora_core::metrics::sample_pool(conn.clone(), std::time::Duration::from_secs(5));
        if let Some(bind) = config.worker_metrics_bind {
            let access = agora_core::metrics::Access::new(config.metrics_token.as_ref());
            match agora_worker::metrics_server::serve(bind, access, conn.clone(), stopped.clone())
                .await
            {
                Ok(local) => println!("Agora worker metrics on http://{local}/metrics"),
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        let worker = match agora_worker::spawn(&config, conn, cache, search, stopped).await {
            Ok(w) => w,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        println!(
            "Agora worker is running ({} at a time); stop it with Ctrl-C or SIGTERM",
            config.worker_concurrency
        );
        tokio::spawn(async move {
            signal.await;
            let _ = stop.send(true);
        });
        let _ = worker.await;
        ExitCode::SUCCESS
    });
    // The runtime still runs the batch processor that sends the last spans.
    traces.shutdown();
    code
}
