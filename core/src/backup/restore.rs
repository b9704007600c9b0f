//! Restoring a backup into a data folder.
//!
//! Nothing in the data folder changes until the whole archive has been read
//! back and every entry matched its size and SHA-256 in the manifest: the
//! entries are extracted to a folder beside the data folder first, then
//! moved in. Afterwards the database is migrated to this build's schema and
//! the search index rebuilt from it, so `agora serve` starts as usual.

use std::{
    collections::BTreeSet,
    io::{Read, Write},
    path::{Path, PathBuf},
};

use agora_migration::MigratorTrait;
use sha2::{Digest, Sha256};
use zip::ZipArchive;

use super::{
    BackupError, DATABASE, FOLDERS, FORMAT, FORMAT_VERSION, MANIFEST, Manifest, SEARCH,
    create::schema_version, is_entry_path, sqlite_file, target_of,
};
use crate::{config::Config, db, search};

/// What `restore` did.
#[derive(Clone, Debug)]
pub struct Restored {
    pub manifest: Manifest,
    /// Courses put back in the search index, or why the index could not be
    /// rebuilt now (then `agora serve` rebuilds it when it finds it empty).
    pub reindexed: Result<u64, String>,
}

/// Restores `archive` into this installation's data folder and SQLite file.
/// Refuses a data folder or database that holds anything unless `force`;
/// with `force`, the database, `files/`, `outbox/` and `search/` are
/// replaced and anything else in the folder is left alone.
pub async fn restore(
    config: &Config,
    archive: &Path,
    force: bool,
) -> Result<Restored, BackupError> {
    let db_file = sqlite_file(config)?;
    let data_dir = config.data_dir.clone();
    if !force && (holds_anything(&data_dir) || db_file.metadata().is_ok_and(|m| m.len() > 0)) {
        return Err(BackupError::NotEmpty(if holds_anything(&data_dir) {
            data_dir
        } else {
            db_file
        }));
    }
    let staging_parent = match data_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&staging_parent).map_err(BackupError::io(format!(
        "cannot create {}",
        staging_parent.display()
    )))?;
    let staging = tempfile::Builder::new()
        .prefix(".agora-restore-")
        .tempdir_in(&staging_parent)
        .map_err(BackupError::io(format!(
            "cannot write in {}",
            staging_parent.display()
        )))?;

    let (archive_path, stage) = (archive.to_owned(), staging.path().to_owned());
    let manifest = tokio::task::spawn_blocking(move || extract(&archive_path, &stage))
        .await
        .map_err(|e| BackupError::Io {
            what: "the archive reader stopped".into(),
            source: std::io::Error::other(e.to_string()),
        })??;
    check_database(archive, &staging.path().join(DATABASE), &manifest).await?;

    move_in(staging.path(), &manifest, &data_dir, &db_file)?;
    let conn = db::connect(&config.database_url(), 2).await?;
    db::migrate(&conn).await?;
    let reindexed = match search::SearchIndex::from_config(config) {
        Ok(index) => search::reindex(&conn, &index, |_, _| {})
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    conn.close().await.ok();
    Ok(Restored {
        manifest,
        reindexed,
    })
}

fn holds_anything(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut l| l.next().is_some())
}

/// Reads the manifest, checks it is ours and agrees with the archive's
/// listing, and extracts every entry into `stage`, checking each.
fn extract(archive: &Path, stage: &Path) -> Result<Manifest, BackupError> {
    let foreign = |reason: String| BackupError::Foreign {
        path: archive.to_owned(),
        reason,
    };
    let corrupt = |reason: String| BackupError::Corrupt {
        path: archive.to_owned(),
        reason,
    };
    let file = std::fs::File::open(archive).map_err(BackupError::io(format!(
        "cannot read {}",
        archive.display()
    )))?;
    let mut zip = ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| foreign(format!("not a zip archive, or a truncated one: {e}")))?;
    let manifest = read_manifest(&mut zip).map_err(foreign)?;

    let listed: BTreeSet<&str> = manifest.entries.iter().map(|e| e.path.as_str()).collect();
    if listed.len() != manifest.entries.len() {
        return Err(corrupt("the manifest lists an entry twice".into()));
    }
    if !listed.contains(DATABASE) {
        return Err(corrupt("the manifest lists no database".into()));
    }
    if let Some(bad) = listed.iter().find(|p| !is_entry_path(p)) {
        return Err(corrupt(format!(
            "the manifest lists an entry out of place: {bad:?}"
        )));
    }
    let in_zip: BTreeSet<String> = zip
        .file_names()
        .map(|n| n.map(|n| n.into_owned()))
        .collect::<Result<_, _>>()
        .map_err(|e| corrupt(format!("unreadable entry name: {e}")))?;
    for name in &in_zip {
        if name != MANIFEST && !name.ends_with('/') && !listed.contains(name.as_str()) {
            return Err(corrupt(format!("{name} is not in the manifest")));
        }
    }
    for entry in &manifest.entries {
        let mut zipped = zip
            .by_name(&entry.path)
            .map_err(|_| corrupt(format!("{} is missing", entry.path)))?;
        let target = stage.join(&entry.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(BackupError::io(format!(
                "cannot create {}",
                parent.display()
            )))?;
        }
        let mut out = std::fs::File::create(&target).map_err(BackupError::io(format!(
            "cannot write {}",
            target.display()
        )))?;
        let (mut hasher, mut size, mut buf) = (Sha256::new(), 0u64, vec![0u8; 64 * 1024]);
        loop {
            // A damaged entry fails here: inflate errors, or zip's CRC check.
            let n = zipped
                .read(&mut buf)
                .map_err(|e| corrupt(format!("{}: {e}", entry.path)))?;
            if n == 0 {
                break;
            }
            size += n as u64;
            if size > entry.size {
                return Err(corrupt(format!(
                    "{}: the size does not match the manifest",
                    entry.path
                )));
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(BackupError::io(format!(
                "cannot write {}",
                target.display()
            )))?;
        }
        if size != entry.size || hex::encode(hasher.finalize()) != entry.sha256 {
            return Err(corrupt(format!(
                "{}: the checksum does not match the manifest",
                entry.path
            )));
        }
        out.sync_all().map_err(BackupError::io(format!(
            "cannot write {}",
            target.display()
        )))?;
    }
    Ok(manifest)
}

fn read_manifest<R: Read + std::io::Seek>(zip: &mut ZipArchive<R>) -> Result<Manifest, String> {
    let mut text = String::new();
    zip.by_name(MANIFEST)
        .map_err(|_| format!("it has no {MANIFEST}"))?
        .take(16 * 1024 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| format!("unreadable {MANIFEST}: {e}"))?;
    let manifest: Manifest =
        serde_json::from_str(&text).map_err(|e| format!("unreadable {MANIFEST}: {e}"))?;
    if manifest.format != FORMAT {
        return Err(format!("its format is {:?}", manifest.format));
    }
    if manifest.format_version > FORMAT_VERSION {
        return Err(format!(
            "format version {}, and this agora reads up to {FORMAT_VERSION}",
            manifest.format_version
        ));
    }
    Ok(manifest)
}

/// The copied database must be whole and at the schema the manifest names,
/// a schema this build knows.
async fn check_database(
    archive: &Path,
    file: &Path,
    manifest: &Manifest,
) -> Result<(), BackupError> {
    let corrupt = |reason: String| BackupError::Corrupt {
        path: archive.to_owned(),
        reason,
    };
    let known = agora_migration::Migrator::migrations()
        .iter()
        .any(|m| m.name() == manifest.schema_version);
    if !known {
        return Err(BackupError::NewerSchema(manifest.schema_version.clone()));
    }
    let verdict = super::read_one(file, "PRAGMA integrity_check")
        .await
        .map_err(|e| corrupt(format!("the database cannot be read: {e}")))?
        .unwrap_or_default();
    if verdict != "ok" {
        return Err(corrupt(format!("the database fails its check: {verdict}")));
    }
    let version = schema_version(file)
        .await
        .map_err(|e| corrupt(format!("the database has no schema version: {e}")))?;
    if version != manifest.schema_version {
        return Err(corrupt(format!(
            "the database is at {version}, the manifest says {}",
            manifest.schema_version
        )));
    }
    Ok(())
}

/// Replaces the database and the folders with the staged ones. The search
/// index goes too: it described the data being replaced.
fn move_in(
    stage: &Path,
    manifest: &Manifest,
    data_dir: &Path,
    db_file: &Path,
) -> Result<(), BackupError> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = db_file.as_os_str().to_owned();
        name.push(suffix);
        remove(Path::new(&name))?;
    }
    for folder in FOLDERS.iter().chain([&SEARCH]) {
        remove(&data_dir.join(folder))?;
    }
    std::fs::create_dir_all(data_dir).map_err(BackupError::io(format!(
        "cannot create {}",
        data_dir.display()
    )))?;
    if let Some(parent) = db_file.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(BackupError::io(format!(
            "cannot create {}",
            parent.display()
        )))?;
    }
    for entry in &manifest.entries {
        let target = target_of(&entry.path, data_dir, db_file);
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(BackupError::io(format!(
                "cannot create {}",
                parent.display()
            )))?;
        }
        let staged = stage.join(&entry.path);
        // The database may live on another file system than the data folder.
        if std::fs::rename(&staged, &target).is_err() {
            std::fs::copy(&staged, &target).map_err(BackupError::io(format!(
                "cannot write {}",
                target.display()
            )))?;
        }
    }
    Ok(())
}

fn remove(path: &Path) -> Result<(), BackupError> {
    let removed = match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => Err(e),
    };
    removed.map_err(BackupError::io(format!("cannot remove {}", path.display())))
}
