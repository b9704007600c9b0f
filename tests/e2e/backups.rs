//! `agora backup` and `agora restore` through the real binary: a backup
//! taken while learners register, enrol and complete lessons restores row
//! for row and serves; damaged and foreign archives are refused. On
//! PostgreSQL, `agora backup` prints the pg_dump guidance and refuses.

use std::{
    collections::BTreeMap,
    path::Path,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
};

use agora_tests::{
    ServerOptions, TempDir, TestDb, TestServer, agora_bin, root, run_agora, uses_postgres,
    wait_until, write_fixture_course,
};
use reqwest::Method;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};

const FIXTURE: &str = "/api/v1/courses/fixture-course";
/// The exit code of a refusal (see api/src/cli/backup.rs).
const REFUSED: i32 = 3;

async fn fixture_server(courses: &TempDir) -> TestServer {
    write_fixture_course(courses.path(), "fixture-course");
    TestServer::start_with(ServerOptions {
        courses_dir: Some(courses.path().to_owned()),
        ..Default::default()
    })
    .await
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// One learner's writes: registration (with its mail job), verification,
/// sign-in, enrolment, two lesson completions and a passed quiz, which
/// completes the course (a certificate, stored as a file by the worker).
async fn learner_journey(server: &TestServer, email: &str) {
    let l = server.learner(email).await;
    let (status, body) = server
        .call(&l, Method::POST, &format!("{FIXTURE}/enrolment"), None)
        .await;
    assert_eq!(status, 201, "{body}");
    for lesson in ["intro", "sheet"] {
        let path = format!("{FIXTURE}/lessons/{lesson}/completion");
        let (status, body) = server.call(&l, Method::POST, &path, None).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    let answers = serde_json::json!({ "answers": { "q1": ["b"], "q2": ["false"] } });
    let path = format!("{FIXTURE}/lessons/check/attempts");
    let (status, body) = server.call(&l, Method::POST, &path, Some(answers)).await;
    assert!(status == 200 || status == 201, "{path}: {status} {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_under_write_load_restores_row_for_row_and_serves() {
    if uses_postgres() {
        return postgres_backup_prints_guidance().await;
    }
    let courses = TempDir::new();
    let server = Arc::new(fixture_server(&courses).await);
    let out_dir = TempDir::new();
    let archive = out_dir.path().join("agora-backup.zip");
    let before = backup_under_load(&server, &archive).await;

    let backup_db = TempDir::new();
    let backup_conn = check_snapshot(&server, &archive, backup_db.path(), &before).await;

    // Restored into a fresh folder and database: every table, row for row.
    let (db, data) = (TestDb::new().await, TempDir::new());
    let out = run_agora(&db, data.path(), &["restore", archive.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("search index rebuilt: 1 published"),
        "{stdout}"
    );
    let restored = db.connect().await;
    assert_same_rows(&backup_conn, &restored).await;
    check_restored_files(&server, &restored, data.path()).await;
    // A job the old worker held at the instant of the copy is "running" in
    // it, until that worker's lease runs out (minutes after the test).
    let held = restored
        .query_all_raw(raw(
            "SELECT DISTINCT kind FROM jobs WHERE status = 'running'",
        ))
        .await
        .unwrap();
    drop((restored, backup_conn));

    // The restored installation serves: the course, its search, a learner.
    let restored = TestServer::start_on(
        db,
        data,
        ServerOptions {
            courses_dir: Some(courses.path().to_owned()),
            ..Default::default()
        },
    )
    .await;
    for row in held {
        restored.expect_jobs_left(
            &row.try_get_by_index::<String>(0).unwrap(),
            "held by the first server's worker when the backup was taken; it runs again when that lease ends",
        );
    }
    let (status, course) = restored.get_json(FIXTURE).await;
    assert_eq!(status, 200, "{course}");
    let (status, found) = restored.get_json("/api/v1/search?q=fixture").await;
    assert_eq!(status, 200);
    assert_eq!(found["items"][0]["slug"], "fixture-course", "{found}");
    let ana = restored.signed_in(&before[0]).await;
    let (status, progress) = restored
        .call(&ana, Method::GET, &format!("{FIXTURE}/progress"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(progress["completed_lessons"], 3, "{progress}");
}

/// Runs `agora backup` to `archive` while four learners at a time go
/// through their journeys, each finishing one more once the backup is
/// done, so writes run before, during and after it. Returns the learners
/// that had finished before the backup started.
async fn backup_under_load(server: &Arc<TestServer>, archive: &Path) -> Vec<String> {
    let finished = Arc::new(Mutex::new(Vec::<String>::new()));
    let backup_done = Arc::new(AtomicBool::new(false));
    let mut load = tokio::task::JoinSet::new();
    for task in 0..4 {
        let (server, finished, done) = (server.clone(), finished.clone(), backup_done.clone());
        load.spawn(async move {
            for i in 0.. {
                let was_done = done.load(Ordering::SeqCst);
                let email = format!("load{task}-{i}@city.gov");
                learner_journey(&server, &email).await;
                finished.lock().unwrap().push(email);
                // At most 7 journeys each: 28 sign-ins stay within the
                // sign-in limit of 30 per client address.
                if was_done || i >= 6 {
                    break;
                }
            }
        });
    }
    let (outbox, stored) = (
        server.data.path().join("outbox"),
        server.data.path().join("files"),
    );
    wait_until(
        "a few learners have finished, been mailed and certified",
        || async {
            finished.lock().unwrap().len() >= 4
                && !files_in(&outbox).is_empty()
                && !files_in(&stored).is_empty()
        },
    )
    .await;
    let before = finished.lock().unwrap().clone();
    let out = {
        let (server, archive) = (server.clone(), archive.to_owned());
        tokio::task::spawn_blocking(move || {
            run_agora(
                &server.db,
                server.data.path(),
                &["backup", archive.to_str().unwrap()],
            )
        })
        .await
        .unwrap()
    };
    backup_done.store(true, Ordering::SeqCst);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("backed up the database and"),
        "{}",
        text(&out.stdout)
    );
    while let Some(r) = load.join_next().await {
        r.unwrap();
    }
    before
}

/// The archive's manifest lists what it should, and its database is whole,
/// keeps its foreign keys, and is a snapshot taken mid-load: it holds every
/// learner finished before the backup and fewer than the live database.
async fn check_snapshot(
    server: &TestServer,
    archive: &Path,
    dir: &Path,
    before: &[String],
) -> DatabaseConnection {
    let manifest = extract_database(archive, dir);
    for key in [
        "format_version",
        "agora_version",
        "schema_version",
        "created_at",
    ] {
        assert!(!manifest[key].is_null(), "manifest lacks {key}: {manifest}");
    }
    let entries = manifest["entries"].as_array().unwrap();
    for entry in entries {
        let path = entry["path"].as_str().unwrap();
        assert!(
            path == "agora.db" || path.starts_with("files/") || path.starts_with("outbox/"),
            "{path}"
        );
        assert_eq!(entry["sha256"].as_str().unwrap().len(), 64);
    }
    for folder in ["files/", "outbox/"] {
        assert!(
            entries
                .iter()
                .any(|e| e["path"].as_str().unwrap().starts_with(folder)),
            "{folder} is in the backup: {manifest}"
        );
    }
    let conn = sqlite(&dir.join("agora.db")).await;
    assert_eq!(scalar(&conn, "PRAGMA integrity_check").await, "ok");
    let fk = conn
        .query_all_raw(raw("PRAGMA foreign_key_check"))
        .await
        .unwrap();
    assert!(fk.is_empty(), "the snapshot breaks a foreign key");
    let mut emails = Vec::new();
    for row in conn
        .query_all_raw(raw("SELECT email FROM users"))
        .await
        .unwrap()
    {
        emails.push(row.try_get_by_index::<String>(0).unwrap());
    }
    for email in before {
        assert!(emails.contains(email), "{email} finished before the backup");
    }
    let live: i64 = scalar(&server.conn().await, "SELECT count(*) FROM users")
        .await
        .parse()
        .unwrap();
    assert!(
        (emails.len() as i64) < live,
        "the backup holds {} accounts, the live database {live} after the load",
        emails.len()
    );
    conn
}

async fn assert_same_rows(backup: &DatabaseConnection, restored: &DatabaseConnection) {
    let (expected, got) = (all_rows(backup).await, all_rows(restored).await);
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        got.keys().collect::<Vec<_>>(),
        "the same tables"
    );
    for (table, rows) in &expected {
        assert_eq!(rows.len(), got[table].len(), "rows of {table}");
        if let Some((a, b)) = rows
            .iter()
            .zip(&got[table])
            .find(|(a, b)| a != b && !settled_by_the_rebuild(table, a, b))
        {
            panic!("{table} differs:\n backup:   {a}\n restored: {b}");
        }
    }
}

/// `agora restore` rebuilds the search index from the restored database,
/// which covers the index jobs queued in it: the rebuild settles them
/// (`search::reindex`). Such a job is the same row, now done, never tried.
fn settled_by_the_rebuild(table: &str, backup: &str, restored: &str) -> bool {
    let id = |row: &str| row.split('|').next().map(str::to_owned);
    table == "jobs"
        && id(backup) == id(restored)
        && backup.contains("|'search.index_course'|")
        && backup.contains("|'queued'|")
        && restored.contains("|'done'|")
        && restored.split('|').nth(6) == Some("0")
}

/// Restored files are the live ones, byte for byte; and, as files are
/// copied after the database, every certificate the copy says is stored is
/// there.
async fn check_restored_files(server: &TestServer, restored: &DatabaseConnection, data: &Path) {
    for folder in ["outbox", "files"] {
        let restored_files = files_in(&data.join(folder));
        assert!(!restored_files.is_empty(), "{folder} is restored");
        for (rel, _) in &restored_files {
            let live = std::fs::read(server.data.path().join(folder).join(rel)).unwrap();
            let back = std::fs::read(data.join(folder).join(rel)).unwrap();
            assert_eq!(live, back, "{folder}/{rel}");
        }
    }
    for row in restored
        .query_all_raw(raw(
            "SELECT storage_key FROM certificates WHERE stored_at IS NOT NULL",
        ))
        .await
        .unwrap()
    {
        let key: String = row.try_get_by_index(0).unwrap();
        assert!(data.join("files").join(&key).is_file(), "{key}");
    }
}

#[tokio::test]
async fn restore_refuses_damaged_foreign_and_occupied_targets() {
    if uses_postgres() {
        return postgres_restore_is_refused().await;
    }
    let courses = TempDir::new();
    let server = fixture_server(&courses).await;
    let dir = TempDir::new();
    let good = dir.path().join("good.zip");
    let out = run_agora(
        &server.db,
        server.data.path(),
        &["backup", good.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let again = run_agora(
        &server.db,
        server.data.path(),
        &["backup", good.to_str().unwrap()],
    );
    assert_eq!(again.status.code(), Some(REFUSED));
    assert!(text(&again.stderr).contains("exists already"));
    let bytes = std::fs::read(&good).unwrap();

    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    for b in &mut flipped[middle..middle + 16] {
        *b ^= 0x5a;
    }
    let truncated = bytes[..bytes.len() / 3].to_vec();
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("flipped.zip", flipped, "is damaged"),
        (
            "swapped.zip",
            with_entry_replaced(&bytes),
            "does not match the manifest",
        ),
        ("truncated.zip", truncated, "is not an Agora backup"),
        (
            "notes.zip",
            b"just some notes\n".to_vec(),
            "is not an Agora backup",
        ),
    ];
    for (name, content, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let (db, data) = (TestDb::new().await, TempDir::new());
        let out = run_agora(&db, data.path(), &["restore", path.to_str().unwrap()]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(REFUSED), "{name}: {stderr}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        assert!(files_in(data.path()).is_empty(), "{name}: nothing restored");
    }

    // A data folder in use is kept unless --force.
    let out = run_agora(
        &server.db,
        server.data.path(),
        &["restore", good.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(REFUSED));
    assert!(
        text(&out.stderr).contains("refuses to overwrite it without --force"),
        "{}",
        text(&out.stderr)
    );
    let (db, data) = (TestDb::new().await, TempDir::new());
    std::fs::write(data.path().join("leftover.txt"), "kept").unwrap();
    let out = run_agora(&db, data.path(), &["restore", good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(REFUSED));
    let out = run_agora(
        &db,
        data.path(),
        &["restore", "--force", good.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(data.path().join("leftover.txt")).unwrap(),
        "kept"
    );
}

/// On PostgreSQL, `agora backup` says what to run, without the password,
/// and fails.
async fn postgres_backup_prints_guidance() {
    let db = TestDb::new().await;
    let data = TempDir::new();
    let mut url = url::Url::parse(&db.url).unwrap();
    url.set_password(Some("pw-not-for-logs")).unwrap();
    let archive = data.path().join("b.zip");
    let out = std::process::Command::new(agora_bin())
        .args(["backup", archive.to_str().unwrap()])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AGORA_DATABASE_URL", url.as_str())
        .env("AGORA_DATA_DIR", data.path())
        .current_dir(root())
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(REFUSED), "{stderr}");
    assert!(stderr.contains("uses PostgreSQL"), "{stderr}");
    assert!(stderr.contains("pg_dump --format=custom"), "{stderr}");
    url.set_password(None).unwrap();
    assert!(stderr.contains(url.as_str()), "{stderr}");
    assert!(!format!("{stdout}{stderr}").contains("pw-not-for-logs"));
    assert!(!archive.exists());
}

/// On PostgreSQL, `agora restore` refuses a file and changes nothing.
async fn postgres_restore_is_refused() {
    let (db, data) = (TestDb::new().await, TempDir::new());
    let archive = data.path().join("b.zip");
    std::fs::write(&archive, b"anything").unwrap();
    let out = run_agora(&db, data.path(), &["restore", archive.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(REFUSED));
    assert!(text(&out.stderr).contains("uses PostgreSQL"));
    assert_eq!(files_in(data.path()).len(), 1);
}

fn raw(sql: &str) -> Statement {
    Statement::from_string(DbBackend::Sqlite, sql)
}

async fn sqlite(file: &Path) -> DatabaseConnection {
    Database::connect(format!("sqlite://{}?mode=ro", file.display()))
        .await
        .unwrap()
}

/// The first column of the first row, as text.
async fn scalar(conn: &DatabaseConnection, sql: &str) -> String {
    let row = conn.query_one_raw(raw(sql)).await.unwrap().unwrap();
    row.try_get_by_index::<String>(0)
        .or_else(|_| row.try_get_by_index::<i64>(0).map(|n| n.to_string()))
        .unwrap()
}

/// Every row of every table, each as its columns quoted by SQLite, sorted.
async fn all_rows(conn: &DatabaseConnection) -> BTreeMap<String, Vec<String>> {
    let tables = conn
        .query_all_raw(raw(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        ))
        .await
        .unwrap();
    let mut all = BTreeMap::new();
    for t in tables {
        let table: String = t.try_get_by_index(0).unwrap();
        let columns = conn
            .query_all_raw(raw(&format!(
                "SELECT name FROM pragma_table_info('{table}')"
            )))
            .await
            .unwrap();
        let row = columns
            .iter()
            .map(|c| format!("quote(\"{}\")", c.try_get_by_index::<String>(0).unwrap()))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let mut rows: Vec<String> = conn
            .query_all_raw(raw(&format!("SELECT {row} FROM \"{table}\"")))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get_by_index(0).unwrap())
            .collect();
        rows.sort();
        all.insert(table, rows);
    }
    all
}

/// Writes the archive's database into `dir`; returns the manifest.
fn extract_database(archive: &Path, dir: &Path) -> serde_json::Value {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(archive).unwrap()).unwrap();
    let mut db = zip.by_name("agora.db").unwrap();
    let mut out = std::fs::File::create(dir.join("agora.db")).unwrap();
    std::io::copy(&mut db, &mut out).unwrap();
    drop(db);
    serde_json::from_reader(zip.by_name("manifest.json").unwrap()).unwrap()
}

/// The archive rewritten with the same manifest and the database's bytes
/// changed: a well-formed zip whose content is not what was backed up.
fn with_entry_replaced(archive: &[u8]) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut replaced = false;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name == "agora.db" {
            bytes.extend_from_slice(b"tampered");
            replaced = true;
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    assert!(replaced, "the backup holds the database");
    out.finish().unwrap().into_inner()
}

/// Files under `dir`, relative, with their sizes.
fn files_in(dir: &Path) -> Vec<(String, u64)> {
    let mut found = Vec::new();
    let Ok(listing) = std::fs::read_dir(dir) else {
        return found;
    };
    for e in listing.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if e.path().is_dir() {
            for (rel, size) in files_in(&e.path()) {
                found.push((format!("{name}/{rel}"), size));
            }
        } else {
            found.push((name, e.metadata().map(|m| m.len()).unwrap_or(0)));
        }
    }
    found.sort();
    found
}
