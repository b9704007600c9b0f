//! Taking a backup while the server runs.
//!
//! The database is copied with `VACUUM INTO`: SQLite writes a fresh,
//! compacted database file from one read transaction, so the copy is the
//! database as of one instant even while the server commits (under WAL,
//! readers and the writer do not block each other; the copy holds no write
//! lock). The online backup API (`sqlite3_backup_*`) would do as well, but
//! neither sqlx nor sea-orm exposes it, and reaching the raw handle needs
//! `unsafe`, which the workspace forbids; `VACUUM INTO` is one SQL
//! statement through the pool we already have, and its copy is smaller.
//!
//! The files are copied after the database. Objects are written under a
//! temporary name and renamed, and the database names an object only after
//! it is stored, so every object the copied database names is already
//! there; objects stored later are harmless extras.

use std::{
    io::{Read, Write},
    path::{Path, PathBuf},
};

use sea_orm::ConnectionTrait;
use sha2::{Digest, Sha256};
use zip::{CompressionMethod, ZipWriter, write::SimpleFileOptions};

use super::{
    BackupError, DATABASE, Entry, FOLDERS, FORMAT, FORMAT_VERSION, MANIFEST, Manifest,
    is_entry_path, sqlite_file,
};
use crate::{config::Config, db};

/// What `create` wrote.
#[derive(Clone, Debug)]
pub struct Created {
    pub manifest: Manifest,
    /// Bytes of the archive.
    pub size: u64,
    /// Whether stored objects live in S3 (then they are not in the archive).
    pub objects_in_s3: bool,
}

/// Writes a backup of this SQLite installation to `dest`, which must not
/// exist. The archive is written under a temporary name beside `dest` and
/// renamed once complete, so `dest` is never half a backup.
pub async fn create(config: &Config, dest: &Path) -> Result<Created, BackupError> {
    let db_file = sqlite_file(config)?;
    if !db_file.is_file() {
        return Err(BackupError::NoDatabase(db_file));
    }
    if dest.exists() {
        return Err(BackupError::Exists(dest.to_owned()));
    }
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let staging = tempfile::Builder::new()
        .prefix(".agora-backup-")
        .tempdir_in(&parent)
        .map_err(BackupError::io(format!(
            "cannot write in {}",
            parent.display()
        )))?;
    let snapshot = staging.path().join(DATABASE);
    copy_database(config, &snapshot).await?;
    let schema_version = schema_version(&snapshot).await?;

    let data_dir = config.data_dir.clone();
    let partial = staging.path().join("archive.zip");
    let (manifest, size) = {
        let partial = partial.clone();
        tokio::task::spawn_blocking(move || {
            write_archive(&partial, &snapshot, &data_dir, schema_version)
        })
        .await
        .map_err(|e| BackupError::Io {
            what: "the archive writer stopped".into(),
            source: std::io::Error::other(e.to_string()),
        })??
    };
    std::fs::rename(&partial, dest)
        .map_err(BackupError::io(format!("cannot write {}", dest.display())))?;
    Ok(Created {
        manifest,
        size,
        objects_in_s3: config.s3_endpoint.is_some(),
    })
}

/// `VACUUM INTO` on a connection of its own: it waits out a writer's lock
/// under the busy timeout like any reader. The database is not migrated: the
/// running server owns its schema.
async fn copy_database(config: &Config, snapshot: &Path) -> Result<(), BackupError> {
    let conn = db::connect(&config.database_url(), 1).await?;
    let target = snapshot.to_string_lossy().replace('\'', "''");
    let copied = conn
        .execute_unprepared(&format!("VACUUM INTO '{target}'"))
        .await;
    conn.close().await.ok();
    copied?;
    Ok(())
}

/// The newest migration applied to the database at `file`.
pub(super) async fn schema_version(file: &Path) -> Result<String, BackupError> {
    super::read_one(
        file,
        "SELECT version FROM seaql_migrations ORDER BY version DESC LIMIT 1",
    )
    .await?
    .ok_or_else(|| sea_orm::DbErr::RecordNotFound("no migration has run".into()).into())
}

fn write_archive(
    out: &Path,
    snapshot: &Path,
    data_dir: &Path,
    schema_version: String,
) -> Result<(Manifest, u64), BackupError> {
    let file = std::fs::File::create(out)
        .map_err(BackupError::io(format!("cannot write {}", out.display())))?;
    let mut zip = ZipWriter::new(std::io::BufWriter::new(file));
    let mut entries = vec![add_file(&mut zip, DATABASE, snapshot)?.expect("the copy exists")];
    for folder in FOLDERS {
        for (name, path) in files_under(&data_dir.join(folder), folder)? {
            // A file removed since the listing is simply not in the backup.
            if let Some(entry) = add_file(&mut zip, &name, &path)? {
                entries.push(entry);
            }
        }
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        agora_version: env!("CARGO_PKG_VERSION").into(),
        schema_version,
        created_at: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .expect("a UTC time formats"),
        entries,
    };
    let json = serde_json::to_vec_pretty(&manifest).expect("a manifest serialises");
    let zipped = |e: zip::result::ZipError| BackupError::Io {
        what: format!("cannot write {}", out.display()),
        source: std::io::Error::other(e),
    };
    zip.start_file(MANIFEST, options(json.len() as u64))
        .map_err(zipped)?;
    zip.write_all(&json)
        .map_err(BackupError::io(format!("cannot write {}", out.display())))?;
    let file = zip
        .finish()
        .map_err(zipped)?
        .into_inner()
        .map_err(|e| BackupError::Io {
            what: format!("cannot write {}", out.display()),
            source: e.into_error(),
        })?;
    file.sync_all()
        .map_err(BackupError::io(format!("cannot write {}", out.display())))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    Ok((manifest, size))
}

fn options(size: u64) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(size >= u32::MAX as u64)
}

/// Adds `path` as `name`, hashing it on the way; `None` when it has gone.
fn add_file<W: Write + std::io::Seek>(
    zip: &mut ZipWriter<W>,
    name: &str,
    path: &Path,
) -> Result<Option<Entry>, BackupError> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(BackupError::io(format!("cannot read {}", path.display()))(
                e,
            ));
        }
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    zip.start_file(name, options(len))
        .map_err(|e| BackupError::Io {
            what: format!("cannot add {name}"),
            source: std::io::Error::other(e),
        })?;
    let (mut hasher, mut size, mut buf) = (Sha256::new(), 0u64, vec![0u8; 64 * 1024]);
    loop {
        let n = file
            .read(&mut buf)
            .map_err(BackupError::io(format!("cannot read {}", path.display())))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
        zip.write_all(&buf[..n])
            .map_err(BackupError::io(format!("cannot add {name}")))?;
    }
    Ok(Some(Entry {
        path: name.to_owned(),
        size,
        sha256: hex::encode(hasher.finalize()),
    }))
}

/// Every finished file under `dir`, named `prefix/relative/path`, sorted.
/// Files being written (a temporary name: `.x.tmp`, `x.tmp-<id>`) and
/// hidden folders (a backup being written there) are left out, and so is
/// anything whose name an archive entry cannot carry.
fn files_under(dir: &Path, prefix: &str) -> Result<Vec<(String, PathBuf)>, BackupError> {
    let mut found = Vec::new();
    let mut stack = vec![(dir.to_owned(), prefix.to_owned())];
    while let Some((dir, name)) = stack.pop() {
        let listing = match std::fs::read_dir(&dir) {
            Ok(l) => l,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(BackupError::io(format!("cannot list {}", dir.display()))(e)),
        };
        for item in listing {
            let item = item.map_err(BackupError::io(format!("cannot list {}", dir.display())))?;
            let file_name = item.file_name().to_string_lossy().into_owned();
            let entry = format!("{name}/{file_name}");
            let Ok(kind) = item.file_type() else { continue };
            if kind.is_dir() && !is_temporary(&file_name) {
                stack.push((item.path(), entry));
            } else if kind.is_file() && !is_temporary(&file_name) && is_entry_path(&entry) {
                found.push((entry, item.path()));
            }
        }
    }
    found.sort();
    Ok(found)
}

fn is_temporary(file_name: &str) -> bool {
    file_name.starts_with('.')
        || Path::new(file_name)
            .extension()
            .is_some_and(|e| e.to_string_lossy().starts_with("tmp-"))
}
