//! The fault suite (issue 22): each fault strikes while learners enrol,
//! complete lessons and take quizzes; then the books are kept: every
//! acknowledged write exists exactly once, every due mail and certificate
//! exactly once. Each test prints its row of the table that `scripts/faults`
//! assembles (and appends it to the file `AGORA_FAULTS_REPORT` names).
//!
//! `scripts/test` runs the short version; `AGORA_FAULTS=full` (what
//! `scripts/faults` sets) gives the sizes of the issue: 50 kills, 10 s
//! without Redis, 30 s without mail, 30 s without storage.

mod books;
mod disk;
mod load;
mod postgres;
mod redis;
mod sigterm;
mod smtp_s3;
mod worker_kills;

use std::{io::Write, time::Duration};

use agora_tests::{
    Learner, S3Server, ServerOptions, SmtpSink, TempDir, TestDb, TestServer, write_fixture_course,
};

use books::{Books, Pdfs};
use load::{Load, Tally, Target};

/// `short` in the normal suite, `full` with `AGORA_FAULTS=full`.
fn size<T>(short: T, full: T) -> T {
    if std::env::var("AGORA_FAULTS").is_ok_and(|v| v == "full") {
        full
    } else {
        short
    }
}

fn seconds(short: u64, full: u64) -> Duration {
    Duration::from_secs(size(short, full))
}

/// How a fault's servers are set up.
struct Cast {
    learners: usize,
    courses: usize,
    /// The learners' pause after each acknowledged request.
    pace: Duration,
    /// Extra settings of `agora serve`.
    env: Vec<(String, String)>,
    /// Certificates in S3, or else in the data folder.
    s3: bool,
    /// A database and data folder of the fault's own.
    on: Option<(TestDb, TempDir)>,
}

impl Default for Cast {
    fn default() -> Self {
        Cast {
            learners: 6,
            courses: 4,
            pace: Duration::ZERO,
            env: Vec::new(),
            s3: true,
            on: None,
        }
    }
}

/// The server, its mail and storage servers, and the load's learners.
struct Stage {
    server: TestServer,
    sink: SmtpSink,
    s3: Option<S3Server>,
    learners: Vec<Learner>,
    slugs: Vec<String>,
    pace: Duration,
    _courses: TempDir,
}

impl Stage {
    async fn start(cast: Cast) -> Stage {
        let sink = SmtpSink::start();
        let s3 = cast.s3.then(S3Server::start);
        let courses = TempDir::new();
        let slugs: Vec<String> = (0..cast.courses)
            .map(|i| format!("fault-course-{i}"))
            .collect();
        for slug in &slugs {
            write_fixture_course(courses.path(), slug);
        }
        let mut env = vec![
            ("AGORA_SMTP_URL".to_owned(), sink.url()),
            // Retries of mail and certificates come back soon after an outage.
            ("AGORA_JOB_RETRY_SECONDS".to_owned(), "1".to_owned()),
            // A job whose end could not be recorded (the database down) is
            // run again after its lease, as in `WorkerProcess`.
            ("AGORA_JOB_LEASE_SECONDS".to_owned(), "5".to_owned()),
        ];
        env.extend(s3.iter().flat_map(S3Server::env));
        env.extend(cast.env);
        let opts = ServerOptions {
            courses_dir: Some(courses.path().to_owned()),
            env,
        };
        let server = match cast.on {
            Some((db, data)) => TestServer::start_on(db, data, opts).await,
            None => TestServer::start_with(opts).await,
        };
        let mut learners = Vec::new();
        for i in 0..cast.learners {
            learners.push(server.learner(&format!("learner{i}@city.gov")).await);
        }
        Stage {
            server,
            sink,
            s3,
            learners,
            slugs,
            pace: cast.pace,
            _courses: courses,
        }
    }

    /// The load, on this server.
    fn load(&self) -> Load {
        self.load_on(Target::new(vec![self.server.base.clone()]))
    }

    fn load_on(&self, target: Target) -> Load {
        Load::start(target, &self.learners, &self.slugs, self.pace)
    }

    /// Waits until the load has `n` more requests acknowledged.
    async fn served(&self, load: &Load, n: u64, when: &str) {
        assert!(
            load.wait_for_successes(n).await,
            "{when}: not {n} requests acknowledged in 120 s; {:?}\n{}",
            load.tally().errors,
            self.trouble()
        );
    }

    /// The server's warnings and errors.
    fn trouble(&self) -> String {
        let logs = self.server.logs();
        let lines: Vec<&str> = logs
            .lines()
            .filter(|l| l.contains("ERROR") || l.contains("WARN"))
            .collect();
        lines.join("\n")
    }

    /// Waits for the queue to drain, keeps the books and reports the row.
    async fn close(&self, fault: &str, tally: &Tally) -> Books {
        let conn = self.server.conn().await;
        if let Err(open) = books::settle(&conn, seconds(90, 240)).await {
            panic!("{fault}: {open}\n{}", self.trouble());
        }
        let pdfs = match &self.s3 {
            Some(s3) => Pdfs::S3(s3),
            None => Pdfs::Folder(self.server.data.path().join("files")),
        };
        let emails: Vec<String> = self.learners.iter().map(|l| l.email.clone()).collect();
        let books = books::audit(&conn, tally, &emails, &self.sink, pdfs).await;
        conn.close().await.ok();
        let database = if self.server.db.url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        };
        report(fault, database, tally, &books, &self.trouble());
        books
    }
}

/// Prints the row (and appends it to `AGORA_FAULTS_REPORT`), then fails
/// when anything was lost or doubled, or a request met a 5xx other than
/// a 503.
fn report(fault: &str, database: &str, tally: &Tally, books: &Books, logs: &str) {
    let resent = match books.resent {
        0 => String::new(),
        n => format!(" ({n} mail re-sent with its Message-ID)"),
    };
    let row = format!(
        "| {fault} | {database} | {} | {} | {} | {}{resent} |",
        tally.requests,
        tally.errors_text(),
        books.lost,
        books.doubled,
    );
    eprintln!("fault row: {row}");
    if let Some(path) = std::env::var_os("AGORA_FAULTS_REPORT") {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .expect("open AGORA_FAULTS_REPORT");
        writeln!(file, "{row}").expect("write the row");
    }
    assert!(
        books.lost == 0 && books.doubled == 0,
        "{fault}: {}\n{logs}",
        books.notes.join("\n")
    );
    assert_eq!(
        tally.errors_of("5xx"),
        0,
        "{fault}: a request met a server error other than 503: {:?}\n{logs}",
        tally.errors
    );
}
