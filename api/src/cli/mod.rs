//! The `agora` command line: its commands, and what each runs. Serving is
//! the binary's own (`main.rs`); the operations are in `ops`.

mod backup;
pub mod ops;

use std::{path::PathBuf, process::ExitCode};

use agora_core::{config::Config, course_source, import};
use anyhow::Context;
use clap::{Parser, Subcommand};
use poem::listener::{Acceptor, Listener, TcpListener};

use self::ops::{bench_mail, connect, import_dir, jobs_command, lint};
use crate::search_setup;

#[derive(Parser)]
#[command(
    name = "agora",
    version,
    about = "Agora: self-paced learning for local and regional governments"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
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
    /// Write a consistent backup of the database and data folder to one
    /// archive, while the server runs (SQLite; on PostgreSQL, prints what
    /// to run instead).
    Backup {
        /// Archive to write (a zip); must not exist.
        file: PathBuf,
    },
    /// Restore a backup into the data folder, check every entry, migrate and
    /// rebuild the search index.
    Restore {
        /// Archive written by `agora backup`.
        file: PathBuf,
        /// Replace the database and the data folder's files when they are not
        /// empty (stop `agora serve` on that folder first).
        #[arg(long)]
        force: bool,
    },
    /// Generate realistic learners, enrolments and progress (for benchmarks and demos).
    Seed {
        /// Learners to create.
        #[arg(long, default_value_t = 1000)]
        learners: u64,
        /// Demo organisations to create (with four networks), whose members
        /// are the seeded learners without an organisation.
        #[arg(long, default_value_t = 0)]
        organisations: u64,
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
    /// Generate discussion threads and posts in a course's space (for
    /// benchmarks and demos; run `seed --course` first for its learners).
    #[command(hide = true)]
    SeedDiscussions {
        /// The course whose space gets them.
        #[arg(long)]
        course: String,
        #[arg(long, default_value_t = 1000)]
        threads: u64,
        /// Posts in all, opening posts included.
        #[arg(long, default_value_t = 50_000)]
        posts: u64,
        /// Posts of the first thread.
        #[arg(long, default_value_t = 100)]
        long_thread: u64,
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
    /// Organisations.
    Organisations {
        #[command(subcommand)]
        command: OrganisationsCommand,
    },
    /// Open Badges credentials.
    Credentials {
        #[command(subcommand)]
        command: CredentialsCommand,
    },
    /// LTI 1.3: Agora's signing key.
    Lti {
        #[command(subcommand)]
        command: LtiCommand,
    },
    /// The xAPI learning record store.
    Xapi {
        #[command(subcommand)]
        command: XapiCommand,
    },
}

#[derive(Subcommand)]
enum LtiCommand {
    /// Make a new LTI signing key and retire the others; they stay
    /// published at /lti/jwks, so what they signed still verifies.
    RotateKey,
}

#[derive(Subcommand)]
enum XapiCommand {
    /// Issue Basic credentials for an LRS client; prints the key and the
    /// secret (shown once).
    CreateClient {
        /// A name for the client (shown to admins and as the statements' authority).
        #[arg(long)]
        name: String,
        /// Comma-separated: read, write, own (reads limited to its own statements).
        #[arg(long, default_value = "read,write")]
        scopes: String,
    },
}

#[derive(Subcommand)]
enum CredentialsCommand {
    /// Retire the signing key and generate a new one in the database; the
    /// old key stays in the DID document, so earlier credentials still
    /// verify. (With AGORA_CREDENTIAL_SIGNING_KEY, change that instead.)
    RotateKey,
}

#[derive(Subcommand)]
enum OrganisationsCommand {
    /// Rebuild the roll-up the network reports read from the enrolments and
    /// memberships, in one transaction (after writing straight to the
    /// database; run it while nothing else writes).
    RebuildActivity,
    /// Compute a network's report from the roll-up and straight from the
    /// enrolments, time both, and fail unless they are identical.
    #[command(hide = true)]
    CheckActivity {
        /// The network's slug.
        network: String,
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
        /// The name shown to others and printed on certificates; defaults to
        /// "Administrator" for admins and to the email's local part otherwise.
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum JobsCommand {
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

/// Runs the command the line asks for.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = cli.config;
    match cli.command {
        Command::Serve => crate::serve(config).await.map(|_| ExitCode::SUCCESS),
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
        Command::Backup { file } => backup::backup(&config, &file).await,
        Command::Restore { file, force } => backup::restore(&config, &file, force).await,
        Command::Courses {
            command: CoursesCommand::Lint { dir },
        } => Ok(lint(&dir, &config.practices_dir)),
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
            let name = name.unwrap_or_else(|| match role.as_str() {
                "admin" => "Administrator".to_owned(),
                _ => email.split('@').next().unwrap_or(&email).to_owned(),
            });
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
        Command::Xapi {
            command: XapiCommand::CreateClient { name, scopes },
        } => {
            let conn = connect(&config).await?;
            let mut parsed = Vec::new();
            for s in scopes.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                match agora_core::xapi::Scope::parse(s) {
                    Some(scope) => parsed.push(scope),
                    None => {
                        eprintln!("error: scopes: `{s}` is not read, write or own");
                        return Ok(ExitCode::FAILURE);
                    }
                }
            }
            let lrs = agora_core::xapi::Lrs::new(conn, config.public_url());
            match lrs.create_client(&name, &parsed).await {
                Ok(created) => {
                    println!("key    {}", created.client.key);
                    println!("secret {}", created.secret);
                    Ok(ExitCode::SUCCESS)
                }
                Err(agora_core::Error::Invalid { field, reason }) => {
                    eprintln!("error: {field}: {reason}");
                    Ok(ExitCode::FAILURE)
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Seed {
            learners,
            organisations,
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
            if organisations > 0 {
                let o = agora_core::seed_organisations::seed_organisations(&conn, organisations)
                    .await?;
                println!(
                    "seeded {} organisations in {} networks, with {} members",
                    o.organisations, o.networks, o.members
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::SeedDiscussions {
            course,
            threads,
            posts,
            long_thread,
        } => {
            let conn = connect(&config).await?;
            let seed = agora_core::seed_discussions::DiscussionSeed {
                course,
                threads,
                posts,
                long_thread,
            };
            let done = agora_core::seed_discussions::seed_discussions(&conn, &seed).await?;
            println!(
                "seeded {} threads and {} posts in {}",
                done.threads, done.posts, done.space
            );
            println!(
                "long thread: /discussions/{}/threads/{}",
                done.space, done.long_thread
            );
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
                    organisation: None,
                    course_title: "Localizing the Sustainable Development Goals".into(),
                    cohort_title: None,
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
        Command::Organisations {
            command: OrganisationsCommand::RebuildActivity,
        } => {
            let conn = connect(&config).await?;
            let started = std::time::Instant::now();
            let txn = agora_core::db::begin_write(&conn).await?;
            agora_core::org_activity::rebuild(&txn).await?;
            txn.commit().await?;
            println!(
                "organisation roll-up rebuilt in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Organisations {
            command: OrganisationsCommand::CheckActivity { network },
        } => {
            let conn = connect(&config).await?;
            ops::check_activity(conn, &network).await
        }
        Command::Lti {
            command: LtiCommand::RotateKey,
        } => {
            let conn = connect(&config).await?;
            let kid = agora_core::lti::Lti::new(conn, config.public_url())
                .rotate_key()
                .await?;
            println!("LTI messages are now signed with key {kid}; earlier keys stay published");
            Ok(ExitCode::SUCCESS)
        }
        Command::Credentials {
            command: CredentialsCommand::RotateKey,
        } => {
            if config.credential_signing_key.is_some() {
                anyhow::bail!(
                    "AGORA_CREDENTIAL_SIGNING_KEY is set: rotate by setting a new key and restarting"
                );
            }
            let conn = connect(&config).await?;
            let public = agora_core::credentials::keys::rotate(&conn).await?;
            println!("credentials are now signed with {public}; earlier keys stay verifiable");
            Ok(ExitCode::SUCCESS)
        }
    }
}
