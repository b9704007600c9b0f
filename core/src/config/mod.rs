//! The one typed configuration: every setting is a flag and an `AGORA_*` variable.

mod checks;
mod values;

use std::{net::SocketAddr, path::PathBuf};

use clap::Args;
use url::Url;

pub use values::{DatabaseUrl, LogFormat, Secret, SecretUrl};
use values::{parse_http_url, parse_redis_url, parse_smtp_url};

/// Every setting of Agora. Flags are global, so they may be given before or
/// after the subcommand; each one can also come from its environment variable.
#[derive(Clone, Debug, Args)]
pub struct Config {
    /// Address and port the HTTP server listens on (port 0 picks a free one).
    #[arg(
        long,
        env = "AGORA_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: SocketAddr,

    /// The URL learners reach Agora at, used in links, emails and certificates.
    /// Defaults to http://<bind address>.
    #[arg(long, env = "AGORA_PUBLIC_URL", value_parser = parse_http_url, global = true)]
    pub public_url: Option<Url>,

    /// Folder for the SQLite database, the outbox, stored files and the search index.
    #[arg(long, env = "AGORA_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    /// Database URL: sqlite://path/to/file.db or postgres://user:password@host/db.
    /// Defaults to a SQLite file in the data folder.
    #[arg(long, env = "AGORA_DATABASE_URL", global = true)]
    pub database_url: Option<DatabaseUrl>,

    /// Most database connections to keep open.
    #[arg(
        long,
        env = "AGORA_DATABASE_MAX_CONNECTIONS",
        default_value_t = 16,
        global = true
    )]
    pub database_max_connections: u32,

    /// Folder of course sources imported at start-up when the catalogue is empty.
    #[arg(
        long,
        env = "AGORA_COURSES_DIR",
        default_value = "courses",
        global = true
    )]
    pub courses_dir: PathBuf,

    /// Folder of the shipped practices (one YAML file each), loaded at start-up.
    #[arg(
        long,
        env = "AGORA_PRACTICES_DIR",
        default_value = "practices",
        global = true
    )]
    pub practices_dir: PathBuf,

    /// Redis URL for the progress cache; an in-process cache when unset.
    #[arg(long, env = "AGORA_REDIS_URL", value_parser = parse_redis_url, global = true)]
    pub redis_url: Option<SecretUrl>,

    /// Meilisearch URL for catalogue search; an embedded engine when unset.
    #[arg(long, env = "AGORA_MEILI_URL", value_parser = parse_http_url, global = true)]
    pub meili_url: Option<Url>,

    /// Name of the Meilisearch index (one Meilisearch server can serve several Agoras).
    #[arg(
        long,
        env = "AGORA_MEILI_INDEX",
        default_value = "courses",
        global = true
    )]
    pub meili_index: String,

    /// Whether catalogue search reuses its recent answers (`on`), or runs
    /// every search in the engine (`off`: to measure the engine itself).
    #[arg(
        long,
        env = "AGORA_SEARCH_ANSWER_CACHE",
        default_value = "on",
        value_parser = clap::builder::BoolishValueParser::new(),
        action = clap::ArgAction::Set,
        global = true
    )]
    pub search_answer_cache: bool,

    /// Meilisearch API key.
    #[arg(long, env = "AGORA_MEILI_KEY", hide_env_values = true, global = true)]
    pub meili_key: Option<Secret>,

    /// S3 endpoint URL (path-style addressing); a folder in the data folder when unset.
    #[arg(long, env = "AGORA_S3_ENDPOINT", value_parser = parse_http_url, global = true)]
    pub s3_endpoint: Option<Url>,

    /// S3 bucket for certificates and media.
    #[arg(long, env = "AGORA_S3_BUCKET", default_value = "agora", global = true)]
    pub s3_bucket: String,

    /// S3 region.
    #[arg(
        long,
        env = "AGORA_S3_REGION",
        default_value = "us-east-1",
        global = true
    )]
    pub s3_region: String,

    /// S3 access key id.
    #[arg(
        long,
        env = "AGORA_S3_ACCESS_KEY",
        hide_env_values = true,
        global = true
    )]
    pub s3_access_key: Option<Secret>,

    /// S3 secret access key.
    #[arg(
        long,
        env = "AGORA_S3_SECRET_KEY",
        hide_env_values = true,
        global = true
    )]
    pub s3_secret_key: Option<Secret>,

    /// SMTP URL: smtp://user:password@host:port (STARTTLS with ?tls=required) or
    /// smtps://… (TLS). Mail is written to <data>/outbox as .eml files when unset.
    #[arg(long, env = "AGORA_SMTP_URL", value_parser = parse_smtp_url, hide_env_values = true, global = true)]
    pub smtp_url: Option<SecretUrl>,

    /// SMTP user name, when it is not in the URL.
    #[arg(long, env = "AGORA_SMTP_USERNAME", global = true)]
    pub smtp_username: Option<String>,

    /// SMTP password, when it is not in the URL.
    #[arg(
        long,
        env = "AGORA_SMTP_PASSWORD",
        hide_env_values = true,
        global = true
    )]
    pub smtp_password: Option<Secret>,

    /// Sender address of every email.
    #[arg(
        long,
        env = "AGORA_MAIL_FROM",
        default_value = "Agora <no-reply@agora.localhost>",
        global = true
    )]
    pub mail_from: String,

    /// The organisation named as issuer on certificates.
    #[arg(
        long,
        env = "AGORA_CERTIFICATE_ISSUER",
        default_value = "Agora Learning Platform",
        global = true
    )]
    pub certificate_issuer: String,

    /// The Ed25519 key that signs Open Badges credentials: its 32-byte seed
    /// as 64 hex digits. Unset, a key is generated on first start and kept in
    /// the database. Changing it retires the earlier key, which stays in the
    /// DID document so that earlier credentials still verify.
    #[arg(
        long,
        env = "AGORA_CREDENTIAL_SIGNING_KEY",
        global = true,
        hide_env_values = true
    )]
    pub credential_signing_key: Option<Secret>,

    /// Days without activity in a course before its learner gets a reminder
    /// (at most one per period, never after completion or an opt-out).
    #[arg(long, env = "AGORA_REMINDER_DAYS", default_value_t = 7, global = true)]
    pub reminder_days: u32,

    /// Seconds between two looks for learners to remind.
    #[arg(
        long,
        env = "AGORA_REMINDER_SCAN_SECONDS",
        default_value_t = 3600,
        global = true
    )]
    pub reminder_scan_seconds: u64,

    /// The length of a "day" for discussion digests, in seconds: daily
    /// digests close every day at midnight UTC, weekly ones on Mondays.
    /// Only tests and demos shorten it.
    #[arg(
        long,
        env = "AGORA_DIGEST_DAY_SECONDS",
        default_value_t = 86_400,
        global = true
    )]
    pub digest_day_seconds: u64,

    /// An external learning record store to forward Agora's xAPI statements
    /// to: its xAPI base address, e.g. https://lrs.example/xapi/ (unset: none).
    #[arg(long, env = "AGORA_XAPI_FORWARD_URL", value_parser = parse_http_url, global = true)]
    pub xapi_forward_url: Option<Url>,

    /// Basic user name for the external LRS.
    #[arg(long, env = "AGORA_XAPI_FORWARD_USERNAME", global = true)]
    pub xapi_forward_username: Option<String>,

    /// Basic password for the external LRS (never logged).
    #[arg(long, env = "AGORA_XAPI_FORWARD_PASSWORD", global = true)]
    pub xapi_forward_password: Option<Secret>,

    /// Seconds before the first retry of a failed job; each retry waits twice as long.
    #[arg(
        long,
        env = "AGORA_JOB_RETRY_SECONDS",
        default_value_t = 5,
        global = true
    )]
    pub job_retry_seconds: u64,

    /// Run the background worker inside `agora serve` (set false when
    /// `agora-worker` processes run separately).
    #[arg(long, env = "AGORA_RUN_WORKER", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub run_worker: bool,

    /// Background jobs a worker runs at the same time.
    #[arg(
        long,
        env = "AGORA_WORKER_CONCURRENCY",
        default_value_t = 2,
        global = true
    )]
    pub worker_concurrency: usize,

    /// Seconds a worker holds a job before another may reclaim it.
    #[arg(
        long,
        env = "AGORA_JOB_LEASE_SECONDS",
        default_value_t = 300,
        global = true
    )]
    pub job_lease_seconds: u64,

    /// Partner catalogue reads without an API key, per client address and minute.
    #[arg(
        long,
        env = "AGORA_PARTNER_ANONYMOUS_PER_MINUTE",
        default_value_t = 120,
        global = true
    )]
    pub partner_anonymous_per_minute: u32,

    /// Partner API reads with a key, per key and minute.
    #[arg(
        long,
        env = "AGORA_PARTNER_KEY_PER_MINUTE",
        default_value_t = 6000,
        global = true
    )]
    pub partner_key_per_minute: u32,

    /// Seconds a rendered partner collection listing is reused (0: never).
    #[arg(
        long,
        env = "AGORA_PARTNER_CACHE_SECONDS",
        default_value_t = 30,
        global = true
    )]
    pub partner_cache_seconds: u64,

    /// Seconds a course report's figures are reused before they are
    /// computed again (0: on every request). Reports say how old they are.
    #[arg(
        long,
        env = "AGORA_REPORT_CACHE_SECONDS",
        default_value_t = 60,
        global = true
    )]
    pub report_cache_seconds: u64,

    /// Milliseconds between writes of "continue where you left off" to the
    /// database. Lesson visits reach the cache at once; a crash loses at most
    /// this long of them (never a completion).
    #[arg(
        long,
        env = "AGORA_RESUME_FLUSH_MS",
        default_value_t = 1000,
        value_parser = clap::value_parser!(u64).range(10..=60_000),
        global = true
    )]
    pub resume_flush_ms: u64,

    /// Bearer token that `/metrics` asks for (at least 16 characters).
    /// Unset, `/metrics` answers 404 and no figures leave the process.
    #[arg(
        long,
        env = "AGORA_METRICS_TOKEN",
        hide_env_values = true,
        global = true
    )]
    pub metrics_token: Option<Secret>,

    /// Address where `agora-worker` serves `/metrics` (port 0 picks a free
    /// one); unset, it serves none. `agora serve` serves `/metrics` on its
    /// own address.
    #[arg(long, env = "AGORA_WORKER_METRICS_BIND", global = true)]
    pub worker_metrics_bind: Option<SocketAddr>,

    /// Base address of an OpenTelemetry collector's OTLP/HTTP receiver
    /// (`http://collector:4318`); spans go to its `/v1/traces` as protobuf.
    /// Unset, the standard `OTEL_EXPORTER_OTLP_ENDPOINT` is read instead;
    /// with neither, no span is recorded or sent.
    #[arg(long, env = "AGORA_OTLP_ENDPOINT", value_parser = parse_http_url, global = true)]
    pub otlp_endpoint: Option<Url>,

    /// Log format.
    #[arg(long, env = "AGORA_LOG_FORMAT", value_enum, default_value_t = LogFormat::Human, global = true)]
    pub log_format: LogFormat,

    /// Log filter, in tracing's EnvFilter syntax.
    #[arg(long, env = "AGORA_LOG", default_value = "info", global = true)]
    pub log: String,
}

impl Config {
    pub fn database_url(&self) -> DatabaseUrl {
        self.database_url
            .clone()
            .unwrap_or_else(|| DatabaseUrl::sqlite_in(&self.data_dir))
    }

    pub fn public_url(&self) -> Url {
        self.public_url.clone().unwrap_or_else(|| {
            Url::parse(&format!("http://{}", self.bind)).expect("a socket address makes a URL")
        })
    }

    /// Where traces go: `AGORA_OTLP_ENDPOINT`, or else the standard
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` that collectors and their operators set.
    pub fn otlp_endpoint(&self) -> Result<Option<Url>, String> {
        if let Some(url) = &self.otlp_endpoint {
            return Ok(Some(url.clone()));
        }
        match std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT") {
            Ok(v) if !v.trim().is_empty() => parse_http_url(v.trim())
                .map(Some)
                .map_err(|e| format!("OTEL_EXPORTER_OTLP_ENDPOINT is {e}")),
            _ => Ok(None),
        }
    }
}

/// A command line made of the configuration alone.
#[derive(clap::Parser)]
#[command(name = "agora")]
struct Probe {
    #[command(flatten)]
    config: Config,
}

impl Config {
    /// The configuration from flags (the first item is the program name),
    /// then the `AGORA_*` variables, then the defaults, exactly as the
    /// binaries read it, and validated: for tests and tools that build the
    /// services the way `agora` does.
    pub fn parse_from<I, T>(args: I) -> Result<Config, String>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        use clap::Parser;
        let config = Probe::try_parse_from(args)
            .map_err(|e| e.to_string())?
            .config;
        config.validate()?;
        Ok(config)
    }
}

/// The names of every environment variable the configuration reads.
pub fn known_env_vars() -> Vec<String> {
    use clap::CommandFactory;
    Probe::command()
        .get_arguments()
        .filter_map(|a| a.get_env().map(|e| e.to_string_lossy().into_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_in_debug() {
        let url: SecretUrl = "redis://:hunter2@localhost:6379".parse().unwrap();
        assert!(!format!("{url:?}").contains("hunter2"));
        assert!(!format!("{url}").contains("hunter2"));
        let db: DatabaseUrl = "postgres://agora:hunter2@db/agora".parse().unwrap();
        assert!(!format!("{db:?}").contains("hunter2"));
        assert!(format!("{:?}", Secret::new("hunter2")).contains("redacted"));
    }

    #[test]
    fn database_url_rejects_other_schemes() {
        let err = "mysql://localhost/agora"
            .parse::<DatabaseUrl>()
            .unwrap_err();
        assert!(err.contains("unsupported database scheme"), "{err}");
        assert!(
            "sqlite://data/agora.db"
                .parse::<DatabaseUrl>()
                .unwrap()
                .is_sqlite()
        );
    }

    #[test]
    fn a_database_url_names_its_sqlite_file_and_drops_its_password() {
        let file = |u: &str| u.parse::<DatabaseUrl>().unwrap().sqlite_path();
        assert_eq!(
            file("sqlite:///srv/agora/agora.db?mode=rwc"),
            Some("/srv/agora/agora.db".into())
        );
        assert_eq!(file("sqlite://data/agora.db"), Some("data/agora.db".into()));
        assert_eq!(file("sqlite::memory:"), None);
        assert_eq!(file("postgres://u:pw@db/agora"), None);
        let pg: DatabaseUrl = "postgres://agora:s3cret@db:5432/agora".parse().unwrap();
        assert_eq!(pg.without_password(), "postgres://agora@db:5432/agora");
        assert_eq!(
            DatabaseUrl::sqlite_in(std::path::Path::new("/my data")).sqlite_path(),
            Some("/my data/agora.db".into())
        );
        assert_eq!(file("sqlite:///a%2x/100%"), Some("/a%2x/100%".into()));
    }

    #[test]
    fn a_backend_that_cannot_work_is_refused_at_start_up() {
        let refused = |args: &[&str]| {
            let mut argv = vec!["agora"];
            argv.extend_from_slice(args);
            Config::parse_from(argv).unwrap_err()
        };
        assert!(refused(&["--smtp-url", "smtp://"]).contains("names no server"));
        assert!(
            refused(&["--smtp-url", "smtp://mail", "--smtp-username", "ana"])
                .contains("AGORA_SMTP_PASSWORD")
        );
        assert!(
            refused(&["--s3-endpoint", "http://s3", "--s3-access-key", "k"])
                .contains("AGORA_S3_SECRET_KEY")
        );
        assert!(refused(&["--meili-index", "a b"]).contains("AGORA_MEILI_INDEX"));
        let fine = Config::parse_from(["agora", "--smtp-url", "smtp://mail:1025"]).unwrap();
        assert_eq!(fine.meili_index, "courses");
    }

    #[test]
    fn the_search_answer_cache_is_on_unless_switched_off() {
        let cache = |args: &[&str]| {
            let mut argv = vec!["agora"];
            argv.extend_from_slice(args);
            Config::parse_from(argv).unwrap().search_answer_cache
        };
        assert!(cache(&[]));
        assert!(!cache(&["--search-answer-cache", "off"]));
        assert!(cache(&["--search-answer-cache", "on"]));
    }

    #[test]
    fn every_setting_has_an_agora_variable() {
        let vars = known_env_vars();
        assert!(vars.len() >= 18, "{vars:?}");
        assert!(vars.iter().all(|v| v.starts_with("AGORA_")));
        assert!(vars.contains(&"AGORA_DATABASE_URL".to_string()));
    }
}
