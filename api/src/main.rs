//! The `agora` command: serve the platform and manage it.

mod api;
mod app;
mod http;
mod middleware;
mod parked;
mod search_setup;
mod state;
mod web;

use std::{path::PathBuf, process::ExitCode, sync::Arc, time::Duration};

use agora_core::{config::Config, course_source, db, import};
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
    /// Generate realistic learners, enrolments and progress (for benchmarks and demos).
    Seed {
        /// Learners to create.
        #[arg(long, default_value_t = 1000)]
        learners: u64,
        /// Courses each learner enrols in.
        #[arg(long, default_value_t = 3)]
        courses_per_learner: usize,
        /// Each enrolment completes a random share of its lessons, from this up to all.
        #[arg(long, default_value_t = 0.0)]
        min_progress: f64,
        /// API tokens to create for the first learners.
        #[arg(long, default_value_t = 0)]
        tokens: u64,
        /// Where to write the tokens, one per line: token, course slug, lesson keys.
        #[arg(long)]
        tokens_out: Option<PathBuf>,
        /// Enrol every learner in this one course (a cohort for course reports),
        /// with quiz attempts and enrolments spread over a year.
        #[arg(long)]
        course: Option<String>,
    },
    /// A bare poem handler answering a fixed body: the baseline of the benchmarks.
    #[command(hide = true)]
    BenchBaseline {
        /// Size of the body, in bytes.
        #[arg(long)]
        bytes: usize,
    },
    /// Renders certificates in memory on one thread: the ceiling of the certificate benchmark.
    #[command(hide = true)]
    BenchCertificates {
        #[arg(long, default_value_t = 200)]
        count: u64,
    },
    /// Sends messages straight through the mail port, without the queue: the
    /// ceiling of the mail benchmark.
    #[command(hide = true)]
    BenchMail {
        #[arg(long, default_value_t = 1000)]
        count: u64,
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
    },
    /// Administrators and roles.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Background jobs: counts, lists, and retrying dead ones.
    Jobs {
        #[command(subcommand)]
        command: Option<JobsCommand>,
    },
    /// Course sources.
    Courses {
        #[command(subcommand)]
        command: CoursesCommand,
    },
    /// Catalogue search.
    Search {
        #[command(subcommand)]
        command: SearchCommand,
    },
}

#[derive(Subcommand)]
enum SearchCommand {
    /// Rebuild the search index from the database (safe to run at any time).
    Reindex,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an account with a role (verified), or set the role and password
    /// of an existing one. The password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "admin", value_parser = ["learner", "author", "admin"])]
        role: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// List jobs in one state (default: dead), with their last error.
    List {
        #[arg(long, default_value = "dead", value_parser = ["queued", "running", "dead", "done"])]
        status: String,
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
    /// Put a dead job back in the queue with fresh attempts.
    Retry { id: uuid::Uuid },
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = cli.config.validate() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    if let Err(e) = agora_core::telemetry::init(&cli.config) {
        eprintln!("error: {e}");
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
            import_dir(&conn, &config, &dir).await
        }
        Command::Export { dir } => {
            let conn = connect(&config).await?;
            let mut courses = import::load_sources(&conn).await?;
            let storage = agora_core::storage::Storage::from_config(&config)?;
            for c in &mut courses {
                agora_core::media::load_by_slug(&storage, &conn, c).await?;
            }
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
        Command::Admin {
            command: AdminCommand::Create { email, role, name },
        } => {
            let conn = connect(&config).await?;
            let mut password = String::new();
            if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
                eprint!("password for {email}: ");
            }
            std::io::stdin()
                .read_line(&mut password)
                .context("cannot read the password")?;
            let role: agora_core::accounts::Role = role.parse().map_err(anyhow::Error::msg)?;
            match agora_core::accounts::admin_upsert(
                &conn,
                &agora_core::cache::Cache::from_config(
                    config.redis_url.as_ref().map(|u| u.expose().as_str()),
                )
                .map_err(anyhow::Error::msg)?,
                &email,
                password.trim_end_matches(['\n', '\r']),
                &name,
                role,
            )
            .await
            {
                Ok(true) => println!(
                    "created {} as {}",
                    email.trim().to_lowercase(),
                    role.as_str()
                ),
                Ok(false) => println!(
                    "updated {}: role {} and a new password",
                    email.trim().to_lowercase(),
                    role.as_str()
                ),
                Err(agora_core::Error::Invalid { field, reason }) => {
                    eprintln!("error: {field}: {reason}");
                    return Ok(ExitCode::FAILURE);
                }
                Err(e) => return Err(e.into()),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Seed {
            learners,
            courses_per_learner,
            min_progress,
            tokens,
            tokens_out,
            course,
        } => {
            let conn = connect(&config).await?;
            if import::catalogue_is_empty(&conn).await? {
                import_dir(&conn, &config, &config.courses_dir).await?;
            }
            let bar = indicatif::ProgressBar::new(learners).with_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} learners  {per_sec}  eta {eta}",
                )
                .expect("a valid template"),
            );
            let options = agora_core::seed::SeedOptions {
                learners,
                courses_per_learner,
                min_progress: min_progress.clamp(0.0, 1.0),
                tokens,
                course,
            };
            let report =
                agora_core::seed::seed(&conn, &options, |done| bar.set_position(done)).await?;
            bar.finish();
            println!(
                "seeded {} learners, {} enrolments, {} progress records, {} quiz attempts (password: {:?})",
                report.learners,
                report.enrolments,
                report.progress_records,
                report.quiz_attempts,
                agora_core::seed::SEED_PASSWORD
            );
            if let Some(path) = tokens_out {
                let lines: Vec<String> = report
                    .tokens
                    .iter()
                    .map(|t| format!("{} {} {}", t.token, t.course_slug, t.lesson_keys.join(",")))
                    .collect();
                std::fs::write(&path, lines.join("\n") + "\n")
                    .with_context(|| format!("cannot write {}", path.display()))?;
                println!("wrote {} tokens to {}", lines.len(), path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::BenchBaseline { bytes } => {
            let body: &'static [u8] = Vec::leak(vec![b'x'; bytes]);
            let app = poem::Route::new().at(
                "/*",
                poem::endpoint::make_sync(move |_| {
                    poem::Response::builder()
                        .content_type("application/json")
                        .body(body)
                }),
            );
            let acceptor = TcpListener::bind(config.bind).into_acceptor().await?;
            let local = acceptor.local_addr()[0]
                .as_socket_addr()
                .copied()
                .context("no address")?;
            println!("Agora is listening on http://{local}");
            poem::Server::new_with_acceptor(acceptor)
                .run_with_graceful_shutdown(app, agora_core::telemetry::shutdown_signal(), None)
                .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::BenchCertificates { count } => {
            let started = std::time::Instant::now();
            for i in 0..count {
                let text = agora_core::certificates::pdf::CertificateText {
                    holder_name: format!("Learner {i}"),
                    course_title: "Localizing the Sustainable Development Goals".into(),
                    locale: agora_core::domain::Locale::En,
                    completed_on: time::OffsetDateTime::now_utc().date(),
                    duration_minutes: 150,
                    issuer: config.certificate_issuer.clone(),
                    code: agora_core::certificates::new_code(),
                    verify_url: format!("{}certificates/ABCDE", config.public_url()),
                };
                agora_core::certificates::pdf::render(&text)?;
            }
            let secs = started.elapsed().as_secs_f64();
            println!(
                "rendered {count} certificates in {secs:.2} s: {:.1} per second",
                count as f64 / secs
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::BenchMail { count, concurrency } => {
            bench_mail(&config, count, concurrency).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Jobs { command } => {
            let conn = connect(&config).await?;
            jobs_command(&conn, command).await
        }
        Command::Search {
            command: SearchCommand::Reindex,
        } => {
            let conn = connect(&config).await?;
            search_setup::reindex(&config, &conn).await
        }
    }
}

/// Sends `count` rendered enrolment messages through the configured mail
/// port, `concurrency` at a time, and prints the rate.
async fn bench_mail(config: &Config, count: u64, concurrency: usize) -> anyhow::Result<()> {
    use agora_core::mail::{Mailer, delivery, templates};
    let mailer = Mailer::from_config(config)?;
    let rendered = templates::render(
        agora_core::domain::Locale::En,
        &templates::Enrolled {
            name: "Ana Silva".into(),
            course_title: "Localizing the SDGs".into(),
            course_summary: "How cities turn the global goals into local action.".into(),
            modules: "3 modules".into(),
            lessons: "9 lessons".into(),
            duration: "2 h 30 min".into(),
            first_lesson_title: "Why local action matters".into(),
            first_lesson_link: format!("{}courses/x/lessons/y", config.public_url()),
            course_link: format!("{}courses/x", config.public_url()),
        },
    )?;
    let permits = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let started = std::time::Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..count {
        let permit = permits.clone().acquire_owned().await?;
        let (mailer, rendered) = (mailer.clone(), rendered.clone());
        tasks.spawn(async move {
            let _permit = permit;
            let key = format!("bench:{i}");
            let to = format!("learner{i}@bench.example")
                .parse()
                .expect("an address");
            let message = delivery::build(
                &mailer,
                delivery::message_id(&key, mailer.domain()),
                to,
                rendered,
                None,
            )?;
            mailer
                .send(message, &key)
                .await
                .map_err(|e| agora_core::Error::backend("mail server", e))
        });
    }
    while let Some(r) = tasks.join_next().await {
        r??;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "sent {count} messages in {secs:.2} s: {:.1} per second",
        count as f64 / secs
    );
    Ok(())
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
    config: &Config,
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
    let storage = agora_core::storage::Storage::from_config(config)?;
    let summary = import::import_courses(conn, &storage, &courses).await?;
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

async fn jobs_command(
    conn: &sea_orm::DatabaseConnection,
    command: Option<JobsCommand>,
) -> anyhow::Result<ExitCode> {
    use agora_core::jobs;
    match command {
        None => {
            for (status, n) in jobs::counts(conn).await? {
                println!("{status:<8} {n}");
            }
        }
        Some(JobsCommand::List { status, limit }) => {
            let rows = jobs::list(conn, &status, limit).await?;
            println!("{:<36}  {:<24} {:>8}  last error", "id", "kind", "attempts");
            for j in &rows {
                println!(
                    "{}  {:<24} {:>4}/{:<3}  {}",
                    j.id,
                    j.kind,
                    j.attempts,
                    j.max_attempts,
                    j.last_error
                        .as_deref()
                        .unwrap_or("-")
                        .lines()
                        .next()
                        .unwrap_or("")
                );
            }
            println!("{} {status} job(s)", rows.len());
        }
        Some(JobsCommand::Retry { id }) => match jobs::retry_dead(conn, id).await {
            Ok(()) => println!("job {id} is queued again"),
            Err(e @ (agora_core::Error::NotFound { .. } | agora_core::Error::Conflict { .. })) => {
                eprintln!("error: {e}");
                return Ok(ExitCode::FAILURE);
            }
            Err(e) => return Err(e.into()),
        },
    }
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
    let cache = agora_core::cache::Cache::from_config(
        config.redis_url.as_ref().map(|u| u.expose().as_str()),
    )
    .map_err(anyhow::Error::msg)?;
    let search = search_setup::open(&config, &conn).await?;
    let state = state::AppState {
        search: search.clone(),
        learning: agora_core::learning::Learning::new(conn.clone(), cache.clone()),
        reports: agora_core::reports::Reports::new(
            conn.clone(),
            cache.clone(),
            Duration::from_secs(config.report_cache_seconds),
        ),
        cache,
        limits: Arc::new(agora_core::rate_limit::AuthLimits::default()),
        partners: agora_core::partners::Partners::new(conn.clone()),
        partner_limits: Arc::new(agora_core::rate_limit::PartnerLimits::new(
            config.partner_anonymous_per_minute,
            config.partner_key_per_minute,
        )),
        listings: moka::future::Cache::builder()
            .max_capacity(10_000)
            .time_to_live(Duration::from_secs(config.partner_cache_seconds.max(1)))
            .build(),
        storage: agora_core::storage::Storage::from_config(&config)?,
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
    let (stop, stopped) = tokio::sync::watch::channel(false);
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
    // The server has drained its requests; now let the worker finish its jobs.
    let _ = stop.send(true);
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    tracing::info!("stopped");
    result
}
