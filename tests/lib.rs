//! Test harness: a fresh database per test, and the real `agora` binary on a free port.
//!
//! The database comes from `AGORA_TEST_DATABASE`: `sqlite` (the default) or
//! `postgres`, with the server at `AGORA_TEST_POSTGRES_URL`
//! (default `postgres://postgres@127.0.0.1:5432/postgres`). Each test gets a
//! new SQLite file or a new PostgreSQL database, dropped when the test ends.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use sea_orm::{ConnectionTrait, Database};

pub mod browser;
mod job_guard;
pub mod lti_platform;
mod otlp_receiver;
mod relays;
mod replica;
mod servers;

pub use lti_platform::LtiPlatform;
pub use otlp_receiver::{OtlpReceiver, ReceivedSpan};
pub use relays::{DelayRelay, SmtpGate};
pub use replica::Replica;
use servers::spawn_serve;
pub use servers::*;

/// Polls `check` every 50 ms until it holds; fails the test after 60 s,
/// naming `what`. For effects that land behind the request (jobs, indexing).
pub async fn wait_until<F: std::future::Future<Output = bool>>(
    what: &str,
    mut check: impl FnMut() -> F,
) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !check().await {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting until {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is in the workspace")
        .to_owned()
}

/// The `agora` binary built from this workspace (scripts/test builds it first).
pub fn agora_bin() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let bin = target.join("debug").join("agora");
    assert!(
        bin.is_file(),
        "{} is missing: run `cargo build -p agora-api` first (scripts/test does)",
        bin.display()
    );
    bin
}

/// The `agora-worker` binary built from this workspace.
pub fn worker_bin() -> PathBuf {
    agora_bin().with_file_name("agora-worker")
}

pub fn postgres_admin_url() -> String {
    std::env::var("AGORA_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn uses_postgres() -> bool {
    std::env::var("AGORA_TEST_DATABASE").is_ok_and(|v| v == "postgres")
}

/// A scratch folder removed at drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let dir =
            std::env::temp_dir().join(format!("agora-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Default for TempDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A database that exists for one test only.
pub struct TestDb {
    pub url: String,
    /// The PostgreSQL database, and the server's admin URL, dropped at drop.
    pg: Option<(String, String)>,
    _dir: TempDir,
}

impl TestDb {
    /// A new SQLite file or PostgreSQL database, as `AGORA_TEST_DATABASE` says.
    pub async fn new() -> TestDb {
        if uses_postgres() {
            Self::on_postgres(&postgres_admin_url()).await
        } else {
            let dir = TempDir::new();
            Self::sqlite_at(&dir.path().join("agora.db"), dir)
        }
    }

    /// A SQLite database in the file `path` (which `dir`, removed at drop,
    /// need not hold: a test may put it on a file system of its own).
    pub fn sqlite_at(path: &Path, dir: TempDir) -> TestDb {
        TestDb {
            url: format!("sqlite://{}?mode=rwc", path.display()),
            pg: None,
            _dir: dir,
        }
    }

    /// A new database on the PostgreSQL server at `admin_url`.
    pub async fn on_postgres(admin_url: &str) -> TestDb {
        let name = format!("agora_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(admin_url)
            .await
            .expect("connect to the PostgreSQL server");
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create the test database");
        admin.close().await.ok();
        let mut url = url::Url::parse(admin_url).expect("the PostgreSQL URL is a URL");
        url.set_path(&name);
        TestDb {
            url: url.to_string(),
            pg: Some((name, admin_url.to_owned())),
            _dir: TempDir::new(),
        }
    }

    pub async fn connect(&self) -> sea_orm::DatabaseConnection {
        Database::connect(&self.url)
            .await
            .expect("connect to the test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((name, admin_url)) = self.pg.take() {
            // Drop runs outside any runtime we may block, so use a thread of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let admin = Database::connect(admin_url).await.ok()?;
                    admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await
                        .ok()
                })
            })
            .join();
        }
    }
}

/// Runs `agora <args>` to completion against a database.
pub fn run_agora(db: &TestDb, data_dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(agora_bin())
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AGORA_DATABASE_URL", &db.url)
        .env("AGORA_DATA_DIR", data_dir)
        .env("AGORA_LOG", "warn")
        .current_dir(root())
        .output()
        .expect("run agora")
}

/// A running `agora serve`, stopped at drop. The drop fails the test when
/// the queue holds jobs the test did not expect (see `job_guard`).
pub struct TestServer {
    pub base: String,
    child: Option<Child>,
    pub output: Arc<Mutex<String>>,
    pub db: TestDb,
    pub data: TempDir,
    pub http: reqwest::Client,
    /// Whether the server runs the worker in process.
    runs_worker: bool,
    jobs_left: Mutex<Vec<job_guard::Expected>>,
    /// What a restart needs to start the same server again.
    courses: PathBuf,
    env: Vec<(String, String)>,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(ServerOptions::default()).await
    }

    pub async fn start_with(opts: ServerOptions) -> TestServer {
        Self::start_on(TestDb::new().await, TempDir::new(), opts).await
    }

    /// Starts `agora serve` on a database and data folder that exist
    /// already (a restored backup).
    pub async fn start_on(db: TestDb, data: TempDir, opts: ServerOptions) -> TestServer {
        let runs_worker = !opts
            .env
            .iter()
            .any(|(k, v)| k == "AGORA_RUN_WORKER" && v == "false");
        let courses = opts.courses_dir.unwrap_or_else(|| root().join("courses"));
        let output = Arc::new(Mutex::new(String::new()));
        let (child, base) = spawn_serve(&db, data.path(), &courses, &opts.env, &output);
        let server = TestServer {
            base,
            child: Some(child),
            output,
            db,
            data,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            runs_worker,
            jobs_left: Mutex::default(),
            courses,
            env: opts.env,
        };
        server.wait_ready().await;
        server
    }

    /// Starts `agora serve` again on the same database and data folder,
    /// after `terminate` or `kill`. The address changes.
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "stop the server first");
        let (child, base) = spawn_serve(
            &self.db,
            self.data.path(),
            &self.courses,
            &self.env,
            &self.output,
        );
        self.child = Some(child);
        self.base = base;
        self.wait_ready().await;
    }

    /// Kills the server with SIGKILL: no graceful stop, nothing flushed.
    pub fn kill(&mut self) {
        let mut child = self.child.take().expect("running");
        child.kill().expect("SIGKILL the server");
        child.wait().expect("wait for the killed server");
    }

    /// Polls `/health` until it answers: readiness, never a sleep.
    async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = self.http.get(self.url("/health")).send().await
                && r.status().is_success()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server never became healthy:\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("request")
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        let body = r.json().await.unwrap_or(serde_json::Value::Null);
        (status, body)
    }

    pub fn logs(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Sends SIGTERM and waits for the process to exit.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "the server ignored SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl TestServer {
    /// Declares that this test leaves jobs of `kind` dead or queued on
    /// purpose, and why; the job guard then lets them be.
    pub fn expect_jobs_left(&self, kind: &str, why: &str) {
        assert!(!why.trim().is_empty(), "say why {kind} jobs are left");
        self.jobs_left.lock().unwrap().push(job_guard::Expected {
            kind: kind.to_owned(),
            why: why.to_owned(),
        });
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // A test that failed already says why; the guard would only add noise.
        let verdict = if std::thread::panicking() {
            Ok(())
        } else {
            let expected = self.jobs_left.lock().unwrap().clone();
            let worker_running = self.runs_worker && self.child.is_some();
            job_guard::check(&self.db.url, &expected, worker_running)
        };
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Err(report) = verdict {
            panic!("{report}");
        }
    }
}

/// The slugs of the shipped courses (the folders of `courses/` with a
/// `course.yaml`), sorted: tests count the catalogue from here, so adding a
/// course changes no test.
pub fn shipped_courses() -> Vec<String> {
    let mut slugs: Vec<String> = std::fs::read_dir(root().join("courses"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("course.yaml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    slugs.sort();
    slugs
}

/// The `sources` a shipped course's `course.yaml` cites, as JSON.
pub fn shipped_sources(slug: &str) -> serde_json::Value {
    let path = root().join("courses").join(slug).join("course.yaml");
    let yaml: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    serde_json::to_value(&yaml["sources"]).unwrap()
}

/// Copies a folder tree (for editing course sources in a test).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A small valid course used where the shipped catalogue would be too much.
pub fn write_fixture_course(dir: &Path, slug: &str) {
    let c = dir.join(slug);
    std::fs::create_dir_all(c.join("en/resources")).unwrap();
    std::fs::create_dir_all(c.join("fr")).unwrap();
    std::fs::write(
        c.join("course.yaml"),
        format!(
            "slug: {slug}\ndefault_locale: en\nlevel: beginner\nduration_minutes: 30\nthemes:\n  sdgs: [11]\n  sendai: [1]\n  tags: [test]\nmodules:\n  - id: first\n    lessons:\n      - id: intro\n        kind: text\n        duration_minutes: 5\n      - id: sheet\n        kind: resource\n        file: sheet.md\n      - id: check\n        kind: quiz\n        passing_score: 70\n        questions:\n          - id: q1\n            kind: single\n            options: [a, b]\n            correct: [b]\n          - id: q2\n            kind: true_false\n            answer: false\n"
        ),
    )
    .unwrap();
    std::fs::write(
        c.join("en/meta.yaml"),
        "title: Fixture course\nsummary: A small course for tests.\ndescription: A description with a [link](lesson:intro).\nobjectives: [Learn]\nmodules:\n  first: { title: First module, summary: The only module. }\n",
    )
    .unwrap();
    std::fs::write(
        c.join("en/intro.md"),
        "---\ntitle: Introduction\n---\nHello, see [the sheet](resource:sheet.md).\n",
    )
    .unwrap();
    std::fs::write(
        c.join("en/sheet.md"),
        "---\ntitle: Worksheet\n---\nDownload it.\n",
    )
    .unwrap();
    std::fs::write(
        c.join("en/resources/sheet.md"),
        "# Worksheet\n\n- [ ] one\n",
    )
    .unwrap();
    std::fs::write(
        c.join("en/check.yaml"),
        "title: Check\nquestions:\n  q1:\n    prompt: Pick b\n    options:\n      a: { text: A, explanation: No. }\n      b: { text: B, explanation: Yes. }\n  q2:\n    prompt: False?\n    options:\n      \"true\": { text: \"True\", explanation: No. }\n      \"false\": { text: \"False\", explanation: Yes. }\n",
    )
    .unwrap();
    std::fs::write(
        c.join("fr/meta.yaml"),
        "title: Cours d'essai\nsummary: Un petit cours pour les tests.\ndescription: Une description.\nobjectives: [Apprendre]\nmodules:\n  first: { title: Premier module, summary: Le seul module. }\n",
    )
    .unwrap();
    std::fs::write(
        c.join("fr/intro.md"),
        "---\ntitle: Introduction (fr)\n---\nBonjour.\n",
    )
    .unwrap();
}

/// A signed-in learner, for tests that act through the API.
pub struct Learner {
    pub email: String,
    pub password: String,
    pub token: String,
    pub csrf: String,
    pub cookie: String,
}

pub const PASSWORD: &str = "harbour lantern quietly";

impl TestServer {
    pub async fn conn(&self) -> sea_orm::DatabaseConnection {
        self.db.connect().await
    }

    pub async fn post_json(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let r = self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn register(&self, email: &str) -> (u16, serde_json::Value) {
        self.post_json(
            "/api/v1/accounts",
            serde_json::json!({ "email": email, "password": PASSWORD, "display_name": "Ana Silva" }),
        )
        .await
    }

    /// The token carried by the newest mail job of `kind` for this address
    /// (the worker turns these jobs into mail).
    pub async fn mail_token(&self, kind: &str, email: &str) -> Option<String> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        let conn = self.conn().await;
        let user = agora_core::entities::user::Entity::find()
            .filter(agora_core::entities::user::Column::Email.eq(email.to_lowercase()))
            .one(&conn)
            .await
            .unwrap()?;
        agora_core::entities::job::Entity::find()
            .filter(agora_core::entities::job::Column::Kind.eq(kind))
            .order_by_desc(agora_core::entities::job::Column::CreatedAt)
            .all(&conn)
            .await
            .unwrap()
            .into_iter()
            .find(|j| j.payload["user_id"] == serde_json::json!(user.id))
            .and_then(|j| j.payload["token"].as_str().map(str::to_owned))
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        self.http
            .post(self.url("/api/v1/auth/sign-in"))
            .json(&serde_json::json!({ "email": email, "password": password }))
            .send()
            .await
            .expect("request")
    }

    /// Registers, verifies and signs in a new learner.
    pub async fn learner(&self, email: &str) -> Learner {
        let (status, body) = self.register(email).await;
        assert_eq!(status, 202, "{body}");
        let token = self
            .mail_token("mail.verify_email", email)
            .await
            .expect("a verification mail job");
        let (status, body) = self
            .post_json(
                "/api/v1/accounts/verify",
                serde_json::json!({ "token": token }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        self.signed_in(email).await
    }

    /// A request as this learner, with the bearer token.
    pub fn as_learner(
        &self,
        learner: &Learner,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .bearer_auth(&learner.token)
    }

    pub async fn call(
        &self,
        learner: &Learner,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut req = self.as_learner(learner, method, path);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }
}

/// The text of a PDF, by poppler's `pdftotext`.
pub fn pdf_text(bytes: &[u8]) -> String {
    let dir = TempDir::new();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by scripts/test");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl TestServer {
    /// A verified administrator, created with `agora admin create`.
    pub async fn admin(&self, email: &str) -> Learner {
        self.with_role(email, "admin").await
    }

    /// A verified author (knowledge manager), created with `agora admin create`.
    pub async fn author(&self, email: &str) -> Learner {
        self.with_role(email, "author").await
    }

    async fn with_role(&self, email: &str, role: &str) -> Learner {
        use std::io::Write;
        let mut child = Command::new(agora_bin())
            .args(["admin", "create", "--email", email, "--role", role])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AGORA_DATABASE_URL", &self.db.url)
            .env("AGORA_DATA_DIR", self.data.path())
            .env("AGORA_LOG", "warn")
            .current_dir(root())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("run agora admin create");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{PASSWORD}\n").as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success(), "agora admin create failed");
        self.signed_in(email).await
    }

    /// Signs in an existing, verified account.
    pub async fn signed_in(&self, email: &str) -> Learner {
        let r = self.sign_in(email, PASSWORD).await;
        assert_eq!(r.status(), 200, "sign in {email}");
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
        let body: serde_json::Value = r.json().await.unwrap();
        Learner {
            email: email.into(),
            password: PASSWORD.into(),
            token: body["token"].as_str().unwrap().into(),
            csrf: body["csrf_token"].as_str().unwrap().into(),
            cookie,
        }
    }
}
