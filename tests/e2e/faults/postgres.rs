//! PostgreSQL restarts under load: requests answer 503 while it is down,
//! the pool reconnects by itself, and nothing is lost or doubled. The
//! test runs its own PostgreSQL cluster (the shared one serves the other
//! tests), on a free port, in a folder removed afterwards.

use std::{
    path::PathBuf,
    process::{Command, Output},
};

use agora_tests::{TempDir, TestDb, free_port};

use super::{Cast, Stage, seconds};

/// A PostgreSQL cluster of the test's own, run as the `postgres` user.
struct Cluster {
    bin: PathBuf,
    dir: TempDir,
    port: u16,
}

impl Cluster {
    fn start() -> Cluster {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL is installed (scripts/test installs it)")
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|b| b.join("initdb").is_file())
            .max_by_key(|b| {
                let version = b.parent().and_then(|v| v.file_name());
                version.and_then(|v| v.to_str()?.parse::<u32>().ok())
            })
            .expect("initdb under /usr/lib/postgresql/*/bin");
        let dir = TempDir::new();
        let chown = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(dir.path())
            .status()
            .expect("chown");
        assert!(chown.success(), "the test runs as root to start PostgreSQL");
        let cluster = Cluster {
            bin,
            dir,
            port: free_port(),
        };
        cluster.run(
            "initdb",
            &[
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
                "-D",
            ],
        );
        cluster.start_again();
        cluster
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    /// Runs `program args… <data folder>` as the `postgres` user.
    fn run(&self, program: &str, args: &[&str]) -> Output {
        let out = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join(program))
            .args(args)
            .arg(self.data())
            .output()
            .expect("runuser");
        assert!(
            out.status.success(),
            "{program} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log").display().to_string();
        self.run("pg_ctl", &["start", "-w", "-l", &log, "-o", &options, "-D"]);
    }

    /// A fast shutdown: open transactions are rolled back, sessions ended.
    fn stop(&self) {
        self.run("pg_ctl", &["stop", "-w", "-m", "fast", "-D"]);
    }

    fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .args(["stop", "-w", "-m", "immediate", "-D"])
            .arg(self.data())
            .output();
    }
}

#[tokio::test]
async fn postgres_restarted_under_load_answers_503_and_recovers() {
    let cluster = Cluster::start();
    let down = seconds(3, 15);
    let stage = Stage::start(Cast {
        on: Some((
            TestDb::on_postgres(&cluster.admin_url()).await,
            TempDir::new(),
        )),
        ..Cast::default()
    })
    .await;
    let load = stage.load();
    stage.served(&load, 20, "before the fault").await;
    cluster.stop();
    tokio::time::sleep(down).await;
    cluster.start_again();
    stage.served(&load, 40, "after PostgreSQL came back").await;
    let tally = load.stop().await;
    let fault = format!("PostgreSQL stopped for {} s and restarted", down.as_secs());
    stage.close(&fault, &tally).await;
    // Longer than the pool's 10 s wait for a connection, requests answer
    // 503 (the short version may see none: they wait out the restart).
    if down.as_secs() > 10 {
        assert!(tally.errors_of("503") > 0, "{:?}", tally.errors);
    }
}
