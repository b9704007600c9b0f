//! A second `agora serve` sharing a test server's database, data folder and
//! environment: another replica behind the same load balancer.

use std::{
    process::{Child, Command},
    sync::{Arc, Mutex},
    time::Duration,
};

use crate::{TestServer, servers::spawn_serve};

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
        let mut env = env.to_vec();
        env.push(("AGORA_RUN_WORKER".into(), "false".into()));
        let output = Arc::new(Mutex::new(String::new()));
        let (child, base) = spawn_serve(&self.db, self.data.path(), &self.courses, &env, &output);
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
