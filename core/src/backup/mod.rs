//! Backups of an embedded installation (SQLite and the data folder): one zip
//! archive taken while Agora runs, and restoring it into a data folder.
//!
//! What an archive holds:
//! - `agora.db`: a consistent copy of the database (see [`create`] for how);
//!   it holds the credential signing keys too (table `credential_keys`);
//! - `files/…`: stored objects (certificates, course media and their copies,
//!   cohort submissions) when storage is the local folder; with S3 they live
//!   in the bucket, which needs its own copy;
//! - `outbox/…`: the mail written as `.eml` files when no SMTP server is set;
//! - `manifest.json`: format, versions, creation time, and the size and
//!   SHA-256 of every other entry.
//!
//! Not held: the search index (`search/`), which is rebuilt from the
//! database, and the settings (`AGORA_*`, including
//! `AGORA_CREDENTIAL_SIGNING_KEY` when the key is kept outside the
//! database), which belong to the deployment.
//!
//! PostgreSQL installations are backed up with the database's own tools
//! (`pg_dump`) and the bucket's; [`postgres_plan`] says what to copy.

mod create;
mod restore;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::Config;

pub use create::{Created, create};
pub use restore::{Restored, restore};

/// What the manifest's `format` says.
pub const FORMAT: &str = "agora-backup";
/// The newest format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
pub const MANIFEST: &str = "manifest.json";
/// The database's entry, and its name in the default data folder.
pub const DATABASE: &str = "agora.db";
/// The folders of the data folder that hold what cannot be rebuilt.
pub const FOLDERS: [&str; 2] = ["files", "outbox"];
/// The folder of the embedded search index, rebuilt rather than saved.
pub const SEARCH: &str = "search";

/// The first entry a reader looks at: what the archive is and what it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    /// The version of the `agora` that wrote it.
    pub agora_version: String,
    /// The newest migration applied to the copied database.
    pub schema_version: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// Every entry but the manifest.
    pub entries: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "this installation uses PostgreSQL: agora backup and restore handle SQLite only; use pg_dump and pg_restore (`agora backup` prints how)"
    )]
    NotSqlite,
    #[error("there is no database at {0}")]
    NoDatabase(PathBuf),
    #[error("{0} exists already: choose another name")]
    Exists(PathBuf),
    #[error("{path} is not an Agora backup ({reason})")]
    Foreign { path: PathBuf, reason: String },
    #[error("{path} is damaged ({reason}); nothing was restored")]
    Corrupt { path: PathBuf, reason: String },
    #[error(
        "the backup's database schema ({0}) is newer than this agora knows: restore it with the agora that wrote it, or a newer one"
    )]
    NewerSchema(String),
    #[error("{0} is not empty: restore refuses to overwrite it without --force")]
    NotEmpty(PathBuf),
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
}

impl BackupError {
    fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.into();
        move |source| BackupError::Io { what, source }
    }
}

/// The SQLite file of this installation, or `NotSqlite`.
fn sqlite_file(config: &Config) -> Result<PathBuf, BackupError> {
    config
        .database_url()
        .sqlite_path()
        .ok_or(BackupError::NotSqlite)
}

/// The first column of the first row of `sql` on the SQLite file at
/// `file`, opened read-only and without statement logging (the commands
/// print their own summary).
async fn read_one(file: &Path, sql: &str) -> Result<Option<String>, sea_orm::DbErr> {
    use sea_orm::ConnectionTrait;
    let mut options = sea_orm::ConnectOptions::new(format!("sqlite://{}?mode=ro", file.display()));
    options.max_connections(1).sqlx_logging(false);
    let conn = sea_orm::Database::connect(options).await?;
    let row = conn
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            sql,
        ))
        .await;
    conn.close().await.ok();
    row?.map(|r| r.try_get_by_index(0)).transpose()
}

/// An entry's path is ours only when it is the database or a plain relative
/// path under one of [`FOLDERS`]: nothing absolute, no `..`, no odd
/// characters, so extracting it cannot write outside the data folder.
fn is_entry_path(path: &str) -> bool {
    if path == DATABASE {
        return true;
    }
    let mut parts = path.split('/');
    let top_ok = parts.next().is_some_and(|top| FOLDERS.contains(&top));
    let rest: Vec<&str> = parts.collect();
    top_ok
        && !rest.is_empty()
        && rest.iter().all(|p| {
            !p.is_empty()
                && *p != "."
                && *p != ".."
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'))
        })
}

/// Where an entry goes: the database to its configured file, the rest
/// under the data folder.
fn target_of(entry: &str, data_dir: &Path, db_file: &Path) -> PathBuf {
    if entry == DATABASE {
        db_file.to_owned()
    } else {
        data_dir.join(entry)
    }
}

/// What to copy on PostgreSQL, for `agora backup` to print: a `pg_dump`
/// target without the password, and the bucket when storage is S3.
#[derive(Clone, Debug)]
pub struct PostgresPlan {
    pub database_url: String,
    /// `(endpoint, bucket)`.
    pub bucket: Option<(String, String)>,
    /// The data folder still holds the outbox when no SMTP server is set.
    pub data_dir: PathBuf,
}

/// `None` on SQLite.
pub fn postgres_plan(config: &Config) -> Option<PostgresPlan> {
    let url = config.database_url();
    if url.is_sqlite() {
        return None;
    }
    Some(PostgresPlan {
        database_url: url.without_password(),
        bucket: config
            .s3_endpoint
            .as_ref()
            .map(|e| (e.to_string(), config.s3_bucket.clone())),
        data_dir: config.data_dir.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_paths_stay_inside_the_data_folder() {
        for ok in [
            "agora.db",
            "files/certificates/ABC.pdf",
            "files/media/variants/x-w320.webp",
            "outbox/20261204-abc@agora.localhost.eml",
        ] {
            assert!(is_entry_path(ok), "{ok}");
        }
        for bad in [
            "",
            "files",
            "files/",
            "files//x",
            "files/../agora.db",
            "files/./x",
            "/etc/passwd",
            "search/meta.json",
            "manifest.json",
            "files/a b",
            "outbox/..",
            "files\\x",
        ] {
            assert!(!is_entry_path(bad), "{bad}");
        }
    }
}
