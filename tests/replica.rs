//! A second `agora serve` sharing a test server's database, data folder and
//! environment: another replica behind the same load balancer.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use crate::{TestServer, agora_bin, root};

/// A running replica, stopped at drop. It runs no worker: the first
/// server's worker owns the queue, so the job guard still holds.
pub struct Replica {
    pub base: String,
    child: Child,
    output: Arc<Mutex<String>>,
    pub http: reqwest::Client,
}

impl TestServer {
    /// Starts another `agora serve` on the same database and data folder,
    /// with these extra settings (the same Redis, say).
    pub async fn replica(&self, env: &[(String, String)]) -> Replica {
        let mut cmd = Command::new(agora_bin());
        cmd.arg("serve")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AGORA_BIND", "127.0.0.1:0")
            .env("AGORA_DATABASE_URL", &self.db.url)
            .env("AGORA_DATA_DIR", self.data.path())
            .env("AGORA_RUN_WORKER", "false")
            .env("AGORA_LOG", "info")
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start a replica");
        let output = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().expect("stdout");
        let out = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("Agora is listening on ") {
                    let _ = tx.send(addr.trim().to_owned());
                }
                out.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        let stderr = child.stderr.take().expect("stderr");
        let out = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                out.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        let Ok(base) = rx.recv_timeout(Duration::from_secs(120)) else {
            let _ = child.kill();
            panic!("the replica did not start:\n{}", output.lock().unwrap());
        };
        let replica = Replica {
            base,
            child,
            output,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !replica
            .http
            .get(replica.url("/health"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            assert!(
                std::time::Instant::now() < deadline,
                "the replica never became healthy:\n{}",
                replica.logs()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        replica
    }
}

impl Replica {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn logs(&self) -> String {
        self.output.lock().unwrap().clone()
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}
