//! Real SMTP and S3 servers, one per test, that a test can stop and restart,
//! and the `agora serve` process itself.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use crate::{TempDir, TestDb, TestServer, agora_bin, root, worker_bin};

/// A port nobody listens on yet.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn tool(var: &str, default: PathBuf, what: &str) -> PathBuf {
    let path = std::env::var_os(var).map(PathBuf::from).unwrap_or(default);
    assert!(
        path.is_file(),
        "{} is missing ({what}): run scripts/test, which installs it, or set {var}",
        path.display()
    );
    path
}

pub fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/root".into())
}

/// Python with aiosmtpd, installed by scripts/test.
pub fn test_python() -> PathBuf {
    tool(
        "AGORA_TEST_PYTHON",
        home().join(".cache/agora-test/venv/bin/python"),
        "a Python with aiosmtpd",
    )
}

/// The s3s-fs S3 server, installed by scripts/test.
pub fn s3s_fs_bin() -> PathBuf {
    tool(
        "AGORA_TEST_S3S_FS",
        home().join(".cargo/bin/s3s-fs"),
        "the s3s-fs S3 server",
    )
}

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} never listened on {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn stop_child(child: &mut Option<Child>) {
    if let Some(mut c) = child.take() {
        let _ = c.kill();
        let _ = c.wait();
    }
}

/// A message the SMTP server received.
#[derive(Clone, Debug)]
pub struct Mail {
    /// Envelope recipients.
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
    pub raw: String,
}

impl Mail {
    /// The header's value, if present.
    pub fn header(&self, name: &str) -> Option<String> {
        let parsed = mail_parser::MessageParser::default().parse(self.raw.as_bytes())?;
        parsed
            .header_raw(name)
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// Every `http(s)://` link in the plain-text part.
    pub fn links(&self) -> Vec<String> {
        self.text
            .split_whitespace()
            .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
            .map(|w| w.trim_end_matches(['.', ',', ')']).to_owned())
            .collect()
    }
}

/// aiosmtpd, saving every message to a folder.
pub struct SmtpSink {
    pub port: u16,
    pub dir: TempDir,
    child: Option<Child>,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let mut sink = SmtpSink {
            port: free_port(),
            dir: TempDir::new(),
            child: None,
        };
        sink.restart();
        sink
    }

    /// A sink that is not running yet: its port refuses connections.
    pub fn stopped() -> SmtpSink {
        SmtpSink {
            port: free_port(),
            dir: TempDir::new(),
            child: None,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Starts (again) on the same port and folder.
    pub fn restart(&mut self) {
        stop_child(&mut self.child);
        let mut child = Command::new(test_python())
            .arg(root().join("tests/support/smtp_sink.py"))
            .arg(self.port.to_string())
            .arg(self.dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the SMTP sink");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the SMTP sink starts");
        assert_eq!(line.trim(), "ready", "the SMTP sink did not start");
        self.child = Some(child);
        wait_for_port(self.port, "the SMTP sink");
    }

    pub fn stop(&mut self) {
        stop_child(&mut self.child);
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<Mail> {
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(self.dir.path())
            .map(|rd| {
                rd.flatten()
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".eml"))
                    .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                    .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
            .into_iter()
            .map(|(_, p)| {
                let raw = std::fs::read_to_string(&p).expect("read a message");
                let parsed = mail_parser::MessageParser::default()
                    .parse(raw.as_bytes())
                    .expect("a parsable message");
                Mail {
                    to: parsed
                        .header_raw("X-Envelope-To")
                        .unwrap_or_default()
                        .trim()
                        .to_owned(),
                    subject: parsed.subject().unwrap_or_default().to_owned(),
                    text: parsed.body_text(0).unwrap_or_default().into_owned(),
                    html: parsed.body_html(0).unwrap_or_default().into_owned(),
                    message_id: parsed.message_id().unwrap_or_default().to_owned(),
                    raw,
                }
            })
            .collect()
    }

    /// The messages to `to`, waiting until there are at least `n`.
    pub async fn wait_for(&self, to: &str, n: usize) -> Vec<Mail> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let mine: Vec<Mail> = self
                .messages()
                .into_iter()
                .filter(|m| m.to.eq_ignore_ascii_case(to))
                .collect();
            if mine.len() >= n {
                return mine;
            }
            assert!(
                Instant::now() < deadline,
                "{to} received {} message(s), expected {n}",
                mine.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        stop_child(&mut self.child);
    }
}

pub const S3_ACCESS_KEY: &str = "agora-test-key";
pub const S3_SECRET_KEY: &str = "agora-test-secret-7f3a";
pub const S3_BUCKET: &str = "agora-test";

/// s3s-fs: a real S3 server over a folder.
pub struct S3Server {
    pub port: u16,
    pub dir: TempDir,
    child: Option<Child>,
}

impl S3Server {
    pub fn start() -> S3Server {
        let mut s = S3Server {
            port: free_port(),
            dir: TempDir::new(),
            child: None,
        };
        s.restart();
        s
    }

    pub fn restart(&mut self) {
        stop_child(&mut self.child);
        let child = Command::new(s3s_fs_bin())
            .args(["--host", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--access-key", S3_ACCESS_KEY, "--secret-key", S3_SECRET_KEY])
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start s3s-fs");
        self.child = Some(child);
        wait_for_port(self.port, "s3s-fs");
    }

    pub fn stop(&mut self) {
        stop_child(&mut self.child);
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The `AGORA_S3_*` settings that point Agora at this server.
    pub fn env(&self) -> Vec<(String, String)> {
        [
            ("AGORA_S3_ENDPOINT", self.endpoint()),
            ("AGORA_S3_BUCKET", S3_BUCKET.to_owned()),
            ("AGORA_S3_REGION", "us-east-1".to_owned()),
            ("AGORA_S3_ACCESS_KEY", S3_ACCESS_KEY.to_owned()),
            ("AGORA_S3_SECRET_KEY", S3_SECRET_KEY.to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    /// The objects stored under `prefix` in the test bucket, as files on disk.
    pub fn objects(&self, prefix: &str) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if !e.file_name().to_string_lossy().starts_with('.') {
                    out.push(p);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.dir.path().join(S3_BUCKET).join(prefix), &mut out);
        // s3s-fs keeps metadata beside each object; count the objects only.
        out.retain(|p| !p.to_string_lossy().contains(".s3s"));
        out
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        stop_child(&mut self.child);
    }
}

/// An `agora-worker` process on a test server's database, with a 5 s lease
/// and 1 s retries unless `env` says otherwise; killed at drop.
pub struct WorkerProcess(Child);

impl WorkerProcess {
    pub fn start(server: &TestServer, env: &[(String, String)]) -> WorkerProcess {
        let mut cmd = Command::new(worker_bin());
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AGORA_DATABASE_URL", &server.db.url)
            .env("AGORA_DATA_DIR", server.data.path())
            .env("AGORA_PUBLIC_URL", &server.base)
            .env("AGORA_LOG", "warn")
            .env("AGORA_JOB_LEASE_SECONDS", "5")
            .env("AGORA_JOB_RETRY_SECONDS", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        WorkerProcess(cmd.spawn().expect("start agora-worker"))
    }

    pub fn pid(&self) -> u32 {
        self.0.id()
    }

    /// SIGKILL: the worker dies mid-job, releasing nothing.
    pub fn kill9(&mut self) {
        let status = Command::new("kill")
            .args(["-KILL", &self.0.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let _ = self.0.wait();
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `agora serve` on a free port; returns it with its base URL once
/// it says where it listens. Its output is appended to `output`.
pub(crate) fn spawn_serve(
    db: &TestDb,
    data: &Path,
    courses: &Path,
    env: &[(String, String)],
    output: &Arc<Mutex<String>>,
) -> (Child, String) {
    let mut cmd = Command::new(agora_bin());
    cmd.arg("serve")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AGORA_BIND", "127.0.0.1:0")
        .env("AGORA_DATABASE_URL", &db.url)
        .env("AGORA_DATA_DIR", data)
        .env("AGORA_COURSES_DIR", courses)
        // The shipped practice library only where a test asks for it
        // (`AGORA_PRACTICES_DIR` in its options): its organisations would
        // change the counts other tests check.
        .env("AGORA_PRACTICES_DIR", data.join("no-practices"))
        .env("AGORA_LOG", "info")
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start agora serve");
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
    match rx.recv_timeout(Duration::from_secs(120)) {
        Ok(base) => (child, base),
        Err(_) => {
            let _ = child.kill();
            panic!("the server did not start:\n{}", output.lock().unwrap());
        }
    }
}

#[derive(Default)]
pub struct ServerOptions {
    pub courses_dir: Option<PathBuf>,
    pub env: Vec<(String, String)>,
}
