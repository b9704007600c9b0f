//! `agora backup` and `agora restore`: each calls `agora_core::backup` and
//! says what happened. On PostgreSQL, `agora backup` prints what to run
//! instead and fails; see the README's "Backups".

use std::{path::Path, process::ExitCode};

use agora_core::{
    backup::{self, BackupError, PostgresPlan},
    config::Config,
};

/// Exit code of a refusal the operator can act on (a foreign or damaged
/// archive, a non-empty data folder, PostgreSQL): distinct from a crash.
const REFUSED: u8 = 3;

pub async fn backup(config: &Config, dest: &Path) -> anyhow::Result<ExitCode> {
    if let Some(plan) = backup::postgres_plan(config) {
        eprint!("{}", postgres_guidance(&plan, dest));
        return Ok(ExitCode::from(REFUSED));
    }
    match backup::create(config, dest).await {
        Ok(done) => {
            let m = &done.manifest;
            println!(
                "backed up the database and {} file(s) ({} bytes) to {}: schema {}, agora {}",
                m.entries.len().saturating_sub(1),
                done.size,
                dest.display(),
                m.schema_version,
                m.agora_version
            );
            if done.objects_in_s3 {
                println!(
                    "note: stored files are in the S3 bucket, not in the archive; copy the bucket too"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refused(e),
    }
}

pub async fn restore(config: &Config, archive: &Path, force: bool) -> anyhow::Result<ExitCode> {
    match backup::restore(config, archive, force).await {
        Ok(done) => {
            let m = &done.manifest;
            println!(
                "restored the database and {} file(s) from {} (taken {} by agora {}, schema {}) into {}",
                m.entries.len().saturating_sub(1),
                archive.display(),
                m.created_at,
                m.agora_version,
                m.schema_version,
                config.data_dir.display()
            );
            match done.reindexed {
                Ok(n) => println!("search index rebuilt: {n} published course(s)"),
                Err(e) => println!(
                    "the search index could not be rebuilt now ({e}); run `agora search reindex` once the search backend answers"
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refused(e),
    }
}

/// Refusals are the operator's to fix and end with [`REFUSED`]; failures
/// of the machine (disk, database) end as any error does.
fn refused(e: BackupError) -> anyhow::Result<ExitCode> {
    match e {
        BackupError::Io { .. } | BackupError::Database(_) => Err(e.into()),
        e => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(REFUSED))
        }
    }
}

/// What to run on PostgreSQL. The URL carries no password: pg_dump reads it
/// from `PGPASSWORD` or `~/.pgpass`.
fn postgres_guidance(plan: &PostgresPlan, dest: &Path) -> String {
    let mut text = format!(
        "error: agora backup copies embedded (SQLite) installations; this one uses PostgreSQL.\n\
         Back up the database with PostgreSQL's own tool, online and consistent:\n\n  \
         pg_dump --format=custom --file={dest} '{url}'\n\n\
         (the password comes from PGPASSWORD or ~/.pgpass; restore with pg_restore --clean --dbname=…)\n",
        dest = dest.display(),
        url = plan.database_url,
    );
    match &plan.bucket {
        Some((endpoint, bucket)) => text.push_str(&format!(
            "\nStored files are in the S3 bucket `{bucket}` at {endpoint}; copy it with your S3 tools. Its layout:\n  \
             certificates/<code>.pdf, certificates/cohorts/<code>.pdf   issued certificates\n  \
             media/<sha256>.<ext>, media/variants/…                     course media and their resized copies\n  \
             cohorts/<cohort id>/submissions/<file>                   cohort assignment files\n"
        )),
        None => text.push_str(&format!(
            "\nStored files are in {}: copy that folder too.\n",
            plan.data_dir.join("files").display()
        )),
    }
    text.push_str(
        "The search index is rebuilt from the database (`agora search reindex`); it needs no backup.\n",
    );
    text
}
