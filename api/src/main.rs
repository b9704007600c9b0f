//! The `agora` command: serve the platform and manage it.

mod api;
mod app;
mod cli;
mod http;
mod lti;
mod middleware;
mod search_setup;
mod state;
mod web;
mod xapi;

use std::{process::ExitCode, sync::Arc, time::Duration};

use agora_core::{config::Config, import};
use anyhow::Context;
use clap::Parser;
use poem::listener::{Acceptor, Listener, TcpListener};

use crate::cli::{
    Cli,
    ops::{connect, import_dir},
};

/// glibc gives every thread that allocates an arena of its own (up to
/// eight per core); SQLite's connection threads and the runtime's workers
/// then each keep what they once freed, and a server under load grew past
/// 300 MB resident. Two arenas keep it near what it holds (measured in
/// `bench/README.md`). glibc reads `MALLOC_ARENA_MAX` only as the process
/// starts (and this crate has no unsafe code to call `mallopt`), so when it
/// is not set the binary starts itself again, at once, with it set; a value
/// already in the environment is kept.
fn cap_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        use std::os::unix::process::CommandExt;
        if let Ok(exe) = std::env::current_exe() {
            let err = std::process::Command::new(exe)
                .args(std::env::args_os().skip(1))
                .env("MALLOC_ARENA_MAX", "2")
                .exec();
            // `exec` returns only when it failed: go on as we are.
            eprintln!("note: not restarted with MALLOC_ARENA_MAX=2 ({err})");
        }
    }
}

fn main() -> ExitCode {
    cap_malloc_arenas();
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
    let traces =
        match runtime.block_on(async { agora_core::telemetry::init(&cli.config, "agora-api") }) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
    let code = match runtime.block_on(cli::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    };
    // The runtime still runs the batch processor that sends the last spans.
    traces.shutdown();
    code
}

/// Serves the platform until a shutdown signal, with the worker in process
/// when configured.
async fn serve(mut config: Config) -> anyhow::Result<()> {
    let shutdown = agora_core::telemetry::shutdown_signal();
    let conn = connect(&config).await?;
    if import::catalogue_is_empty(&conn).await? && config.courses_dir.is_dir() {
        tracing::info!(dir = %config.courses_dir.display(), "the catalogue is empty: importing the shipped courses");
        if import_dir(&conn, &config, &config.courses_dir).await? != ExitCode::SUCCESS {
            anyhow::bail!(
                "the shipped courses in {} could not be imported",
                config.courses_dir.display()
            );
        }
    }
    // The network-wide discussion spaces every Agora starts with.
    agora_core::discussions::seed_community_spaces(&conn).await?;
    // The practices shipped with Agora: a broken file stops the start;
    // another replica adding the same practice at once does not.
    if config.practices_dir.is_dir() {
        match agora_core::practices::load_shipped(&conn, &config.practices_dir).await {
            Ok(r) => tracing::info!(
                added = r.added,
                updated = r.updated,
                skipped = ?r.skipped,
                "shipped practices loaded"
            ),
            Err(e @ agora_core::Error::Invalid { .. }) => anyhow::bail!("{e}"),
            Err(e) => tracing::warn!(error = %e, "shipped practices not loaded"),
        }
    }
    let acceptor = TcpListener::bind(config.bind)
        .into_acceptor()
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let local = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .context("the listener has no address")?;
    config.bind = local;
    let redis_url = config.redis_url.as_ref().map(|u| u.expose().as_str());
    let cache = agora_core::cache::Cache::from_config(redis_url).map_err(anyhow::Error::msg)?;
    // Rate limits are shared through the same Redis as the cache.
    let shared_limits =
        agora_core::rate_limit::shared_from_config(redis_url).map_err(anyhow::Error::msg)?;
    http::metrics::init();
    agora_core::metrics::sample_pool(conn.clone(), Duration::from_secs(5));
    let search = search_setup::open(&config, &conn).await?;
    let storage = agora_core::storage::Storage::from_config(&config)?;
    // Agora's xAPI statements name this site; forwarded when an LRS is set.
    agora_core::xapi::configure(config.public_url(), config.xapi_forward_url.is_some());
    let learning = agora_core::learning::Learning::new(conn.clone(), cache.clone())
        .with_visit_flush(Duration::from_millis(config.resume_flush_ms));
    let visits = learning.clone();
    // The signing key exists from the first start on (generated once, or configured).
    agora_core::credentials::Credentials::new(conn.clone(), &config)
        .ensure_key()
        .await?;
    let state = state::AppState {
        search: search.clone(),
        authoring: agora_core::authoring::Authoring::new(
            conn.clone(),
            learning.clone(),
            storage.clone(),
        ),
        learning,
        reports: agora_core::reports::Reports::new(
            conn.clone(),
            cache.clone(),
            Duration::from_secs(config.report_cache_seconds),
        ),
        cache,
        limits: Arc::new(agora_core::rate_limit::AuthLimits::new(
            shared_limits.clone(),
        )),
        partners: agora_core::partners::Partners::new(
            conn.clone(),
            Arc::new(api::partners::ListingJson::new(config.public_url())),
            Duration::from_secs(config.partner_cache_seconds),
        ),
        partner_limits: Arc::new(
            agora_core::rate_limit::PartnerLimits::new(
                config.partner_anonymous_per_minute,
                config.partner_key_per_minute,
            )
            .with_shared(shared_limits.clone()),
        ),
        organisations: agora_core::organisations::Organisations::new(conn.clone()),
        cohorts: agora_core::cohorts::Cohorts::new(
            conn.clone(),
            config.public_url(),
            storage.clone(),
        ),
        credentials: agora_core::credentials::Credentials::new(conn.clone(), &config),
        lti: agora_core::lti::Lti::new(conn.clone(), config.public_url()),
        discussions: agora_core::discussions::Discussions::new(
            conn.clone(),
            Arc::new(agora_core::rate_limit::PostLimits::new(
                shared_limits.clone(),
            )),
            storage.clone(),
        ),
        xapi: agora_core::xapi::Lrs::new(conn.clone(), config.public_url()),
        practices: agora_core::practices::Practices::new(
            conn.clone(),
            Arc::new(agora_core::rate_limit::ContactLimits::new(
                shared_limits.clone(),
            )),
            storage.clone(),
        ),
        storage,
        pages: Default::default(),
        db: conn,
        config: Arc::new(config.clone()),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .context("cannot build the HTTP client")?,
    };
    println!("Agora is listening on http://{local}");
    println!("  public URL   {}", config.public_url());
    for (name, backend) in config.backends() {
        println!("  {name:<12} {backend}");
    }
    println!("  API explorer http://{local}/api/docs");
    println!(
        "  metrics      {}",
        if config.metrics_token.is_some() {
            format!("http://{local}/metrics (bearer AGORA_METRICS_TOKEN)")
        } else {
            "off (set AGORA_METRICS_TOKEN)".to_owned()
        }
    );
    tracing::info!(address = %local, "listening");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    // Other replicas' publications reach this one within a poll.
    state.learning.published().poll().await?;
    state.learning.published().watch(stopped.clone());
    let worker = if config.run_worker {
        let handle = agora_worker::spawn(
            &config,
            state.db.clone(),
            state.cache.clone(),
            search,
            stopped,
        )
        .await?;
        println!(
            "  worker       in process ({} at a time)",
            config.worker_concurrency
        );
        Some(handle)
    } else {
        None
    };
    let app = app::build(state);
    let server = poem::Server::new_with_acceptor(acceptor).run_with_graceful_shutdown(
        app,
        shutdown,
        Some(Duration::from_secs(30)),
    );
    let result = server.await.context("the server stopped with an error");
    // No request is left to note a visit: write the ones not yet written.
    match visits.flush_visits().await {
        Ok(n) => tracing::info!(visits = n, "resume positions written"),
        Err(e) => tracing::error!(error = %e, "resume positions could not be written"),
    }
    // The server has drained its requests; now let the worker finish its jobs.
    let _ = stop.send(true);
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    tracing::info!("stopped");
    result
}
