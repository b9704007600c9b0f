//! Operations of the command line: connecting and migrating, importing
//! course folders, checking them, the job queue, the mail benchmark and
//! the check of the organisation roll-up.

use std::{process::ExitCode, sync::Arc};

use agora_core::{config::Config, course_source, db, import};
use anyhow::Context;

use super::JobsCommand;

/// Sends `count` rendered enrolment messages through the configured mail
/// port, `concurrency` at a time, and prints the rate.
pub async fn bench_mail(config: &Config, count: u64, concurrency: usize) -> anyhow::Result<()> {
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
pub async fn connect(config: &Config) -> anyhow::Result<sea_orm::DatabaseConnection> {
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

pub async fn import_dir(
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
    // Cohort templates ride along with their courses.
    for w in agora_core::cohorts::import_templates(conn, dir).await? {
        eprintln!("warning: {w}");
    }
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

pub async fn jobs_command(
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

pub fn lint(dir: &std::path::Path, practices_dir: &std::path::Path) -> ExitCode {
    let (courses, warnings) = match course_source::read_all(dir) {
        Ok(r) => r,
        Err(errors) => {
            eprint!("{errors}");
            return ExitCode::FAILURE;
        }
    };
    let mut problems: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
    // `practice:` links must name a practice of the shipped library.
    let practices: std::collections::BTreeSet<String> =
        match agora_core::practices::read_shipped(practices_dir) {
            Ok(files) => files
                .into_iter()
                .map(|(_, f)| f.practice.slug.trim().to_owned())
                .collect(),
            Err(e) => {
                problems.push(e.to_string());
                Default::default()
            }
        };
    let glossary = match course_source::Glossary::find(dir) {
        Ok(g) => g,
        Err(p) => {
            problems.push(p.to_string());
            None
        }
    };
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
        problems.extend(
            course_source::practice_links(c, &cdir, &practices)
                .iter()
                .map(|p| p.to_string()),
        );
        if let Some(g) = &glossary {
            problems.extend(g.check(c, &cdir).iter().map(|p| p.to_string()));
        }
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

/// The network report from the roll-up and from the enrolments, timed and
/// compared (the benchmark's check that the roll-up changes no figure).
pub async fn check_activity(
    conn: sea_orm::DatabaseConnection,
    network: &str,
) -> anyhow::Result<ExitCode> {
    use agora_core::{
        accounts::{Principal, Role, TokenKind},
        reports::OrgReports,
    };
    let reports = OrgReports::new(conn);
    // The global admin reads every network.
    let admin = Principal {
        user_id: uuid::Uuid::nil(),
        role: Role::Admin,
        token_id: uuid::Uuid::nil(),
        kind: TokenKind::Api,
        csrf_hash: None,
        locale: agora_core::domain::Locale::En,
        email_verified: true,
        time_zone: None,
    };
    let network = reports.readable_network(Some(&admin), network).await?;
    let started = std::time::Instant::now();
    let rolled = reports.network_report(&network).await?;
    let rolled_ms = started.elapsed().as_secs_f64() * 1000.0;
    let started = std::time::Instant::now();
    let mut direct = reports.network_report_recomputed(&network).await?;
    let direct_ms = started.elapsed().as_secs_f64() * 1000.0;
    direct.generated_at = rolled.generated_at;
    let same = rolled == direct;
    println!(
        "network report of {} organisations: roll-up {rolled_ms:.0} ms, from the enrolments {direct_ms:.0} ms, identical: {}",
        rolled.organisations,
        if same { "yes" } else { "NO" }
    );
    Ok(if same {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
