//! The `agora` command: serve the platform and manage it.

mod api;
mod app;
mod middleware;
mod state;

use std::{path::PathBuf, process::ExitCode, sync::Arc, time::Duration};

use agora_core::{
    config::{Config, LogFormat},
    course_source, db, import,
};
use anyhow::Context;
use clap::{Parser, Subcommand};
use poem::listener::{Acceptor, Listener, TcpListener};

#[derive(Parser)]
#[command(
    name = "agora",
    version,
    about = "Agora: self-paced learning for local and regional governments"
)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (migrates and imports the shipped courses on first start).
    Serve,
    /// Bring the database schema up to date.
    Migrate,
    /// Import course sources from a folder (one course, or a folder of courses).
    Import {
        /// Folder to read.
        dir: PathBuf,
    },
    /// Write every course back to a folder in the source format.
    Export {
        /// Folder to write; created if missing.
        dir: PathBuf,
    },
    /// Course sources.
    Courses {
        #[command(subcommand)]
        command: CoursesCommand,
    },
}

#[derive(Subcommand)]
enum CoursesCommand {
    /// Check course sources strictly (every locale complete, no short lessons); print statistics.
    Lint {
        /// Folder to check.
        #[arg(default_value = "courses")]
        dir: PathBuf,
    },
}

fn init_logging(config: &Config) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log)
        .with_context(|| format!("AGORA_LOG `{}` is not a valid log filter", config.log))?;
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = cli.config.validate() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    if let Err(e) = init_logging(&cli.config) {
        eprintln!("error: {e:#}");
        return ExitCode::from(2);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the tokio runtime starts");
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = cli.config;
    match cli.command {
        Command::Serve => serve(config).await.map(|_| ExitCode::SUCCESS),
        Command::Migrate => {
            let conn = connect(&config).await?;
            println!(
                "database schema is up to date ({})",
                config.database_url().backend_name()
            );
            drop(conn);
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { dir } => {
            let conn = connect(&config).await?;
            import_dir(&conn, &dir).await
        }
        Command::Export { dir } => {
            let conn = connect(&config).await?;
            let courses = import::load_sources(&conn).await?;
            for c in &courses {
                course_source::write_course(c, &dir.join(c.slug.as_str()))
                    .with_context(|| format!("cannot write {}", dir.display()))?;
            }
            println!("exported {} course(s) to {}", courses.len(), dir.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Courses {
            command: CoursesCommand::Lint { dir },
        } => Ok(lint(&dir)),
    }
}

/// Creates the data folder, connects and migrates.
async fn connect(config: &Config) -> anyhow::Result<sea_orm::DatabaseConnection> {
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data folder {}",
            config.data_dir.display()
        )
    })?;
    let url = config.database_url();
    let conn = db::connect(&url, config.database_max_connections)
        .await
        .with_context(|| format!("cannot connect to the database at {url}"))?;
    db::migrate(&conn).await.context("migrations failed")?;
    Ok(conn)
}

async fn import_dir(
    conn: &sea_orm::DatabaseConnection,
    dir: &std::path::Path,
) -> anyhow::Result<ExitCode> {
    let (courses, warnings) = match course_source::read_all(dir) {
        Ok(r) => r,
        Err(errors) => {
            eprint!("{errors}");
            eprintln!("nothing was imported");
            return Ok(ExitCode::FAILURE);
        }
    };
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let summary = import::import_courses(conn, &courses).await?;
    println!(
        "imported {} course(s) from {}: {} created, {} updated, {} unchanged",
        courses.len(),
        dir.display(),
        summary.created.len(),
        summary.updated.len(),
        summary.unchanged.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn lint(dir: &std::path::Path) -> ExitCode {
    let (courses, warnings) = match course_source::read_all(dir) {
        Ok(r) => r,
        Err(errors) => {
            eprint!("{errors}");
            return ExitCode::FAILURE;
        }
    };
    let mut problems: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
    let mut totals = std::collections::BTreeMap::new();
    println!(
        "{:<32} {:>7} {:>7} {:>9}  words per locale",
        "course", "modules", "lessons", "questions"
    );
    for c in &courses {
        let cdir = course_source::course_dirs(dir)
            .ok()
            .and_then(|ds| {
                ds.into_iter()
                    .find(|d| d.file_name().is_some_and(|n| n == c.slug.as_str()))
            })
            .unwrap_or_else(|| dir.join(c.slug.as_str()));
        problems.extend(course_source::lint(c, &cdir).iter().map(|p| p.to_string()));
        let questions: usize = c.lessons().map(|l| l.questions.len()).sum();
        let words = course_source::word_counts(c);
        println!(
            "{:<32} {:>7} {:>7} {:>9}  {}",
            c.slug.as_str(),
            c.modules.len(),
            c.lessons().count(),
            questions,
            words
                .iter()
                .map(|(l, n)| format!("{l} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for (l, n) in words {
            *totals.entry(l).or_insert(0) += n;
        }
    }
    println!(
        "{} course(s); words: {}",
        courses.len(),
        totals
            .iter()
            .map(|(l, n)| format!("{l} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if problems.is_empty() {
        println!("no problems");
        ExitCode::SUCCESS
    } else {
        for p in &problems {
            eprintln!("{p}");
        }
        eprintln!("{} problem(s)", problems.len());
        ExitCode::FAILURE
    }
}

async fn serve(mut config: Config) -> anyhow::Result<()> {
    let conn = connect(&config).await?;
    if import::catalogue_is_empty(&conn).await? && config.courses_dir.is_dir() {
        tracing::info!(dir = %config.courses_dir.display(), "the catalogue is empty: importing the shipped courses");
        if import_dir(&conn, &config.courses_dir).await? != ExitCode::SUCCESS {
            anyhow::bail!(
                "the shipped courses in {} could not be imported",
                config.courses_dir.display()
            );
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
    let state = state::AppState {
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
    tracing::info!(address = %local, "listening");
    let app = app::build(state);
    poem::Server::new_with_acceptor(acceptor)
        .run_with_graceful_shutdown(app, shutdown_signal(), Some(Duration::from_secs(30)))
        .await
        .context("the server stopped with an error")?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
