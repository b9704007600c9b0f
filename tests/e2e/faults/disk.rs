//! The disk under the SQLite data folder fills up while learners complete
//! lessons: writes answer 503, nothing is corrupt, and the server serves
//! again once there is space. Always on SQLite (the embedded default), in
//! a small tmpfs the test mounts; it runs as root.

use std::{
    fs::File,
    io::{ErrorKind, Write},
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use agora_tests::{TempDir, TestDb};
use sea_orm::{ConnectionTrait, Statement};

use super::{Cast, Stage, seconds};

/// The tmpfs, in MiB.
const SIZE_MIB: u32 = 32;

/// A tmpfs of [`SIZE_MIB`], unmounted at drop.
struct Tmpfs(TempDir);

impl Tmpfs {
    fn mount() -> Tmpfs {
        let dir = TempDir::new();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={SIZE_MIB}m"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("mount");
        assert!(status.success(), "mounting a tmpfs takes root");
        Tmpfs(dir)
    }

    fn path(&self) -> &Path {
        self.0.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.0.path()).status();
    }
}

/// Writes zeros into `dir` until not one more byte fits.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut file = File::create(&path).expect("create the filler");
    let mut chunk = 1 << 20;
    while chunk > 0 {
        match file.write_all(&vec![0; chunk]) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::StorageFull => chunk /= 2,
            Err(e) => panic!("filling the disk: {e}"),
        }
    }
    path
}

#[tokio::test]
async fn a_full_disk_answers_503_corrupts_nothing_and_recovers() {
    let disk = Tmpfs::mount();
    let data = TempDir(disk.path().join("data"));
    std::fs::create_dir_all(data.path()).unwrap();
    let db = TestDb::sqlite_at(&data.path().join("agora.db"), TempDir::new());
    let stage = Stage::start(Cast {
        s3: false,
        on: Some((db, data)),
        ..Cast::default()
    })
    .await;
    let load = stage.load();
    stage.served(&load, 20, "before the fault").await;

    let filler = fill(disk.path());
    let full = Instant::now();
    while load.tally().errors_of("503") == 0 {
        assert!(
            full.elapsed() < Duration::from_secs(60),
            "no write failed on a full disk: {:?}\n{}",
            load.tally().errors,
            stage.server.logs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(seconds(2, 10)).await;
    std::fs::remove_file(filler).unwrap();
    stage.served(&load, 40, "after space returned").await;
    let tally = load.stop().await;

    let conn = stage.server.conn().await;
    let check = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "PRAGMA integrity_check",
        ))
        .await
        .unwrap()
        .expect("a row");
    assert_eq!(
        check.try_get::<String>("", "integrity_check").unwrap(),
        "ok"
    );
    conn.close().await.ok();
    let fault = format!("disk full under the SQLite data folder (a tmpfs of {SIZE_MIB} MiB)");
    stage.close(&fault, &tally).await;
}
