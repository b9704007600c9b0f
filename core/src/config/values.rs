//! The kinds of value settings take: secrets that never reach a log, URLs
//! checked at start-up, and the log format.

use std::{fmt, str::FromStr};

use clap::ValueEnum;
use url::Url;

/// A value that must never reach a log line or `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"[redacted]\"")
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// A URL that may carry credentials (`redis://:pw@host`, `smtp://user:pw@host`):
/// `Debug` and `Display` hide the password.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(Url);

impl SecretUrl {
    pub fn expose(&self) -> &Url {
        &self.0
    }
    /// The URL with its password replaced, fit for logs.
    pub fn redacted(&self) -> String {
        let mut url = self.0.clone();
        if url.password().is_some() {
            let _ = url.set_password(Some("redacted"));
        }
        url.to_string()
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl FromStr for SecretUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Url::parse(s)
            .map(Self)
            .map_err(|e| format!("not a valid URL ({e})"))
    }
}

/// Where the data lives: SQLite by default, PostgreSQL by URL.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(SecretUrl);

impl DatabaseUrl {
    pub fn expose(&self) -> &str {
        self.0.expose().as_str()
    }
    pub fn is_sqlite(&self) -> bool {
        self.0.expose().scheme() == "sqlite"
    }
    pub fn sqlite_in(data_dir: &std::path::Path) -> Self {
        let path = data_dir.join("agora.db");
        let url = format!("sqlite://{}?mode=rwc", path.display());
        Self(SecretUrl(
            Url::parse(&url).expect("a path joined to sqlite:// is a valid URL"),
        ))
    }
    /// The file of a SQLite database, as sqlx reads it: what follows
    /// `sqlite://` up to the query, percent-decoded
    /// (`sqlite:///abs/agora.db?mode=rwc`, `sqlite://data/agora.db`). `None`
    /// for PostgreSQL and in-memory databases.
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        if !self.is_sqlite() {
            return None;
        }
        let raw = self.expose();
        let rest = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))?;
        let path = percent_encoding::percent_decode_str(rest.split('?').next().unwrap_or_default())
            .decode_utf8_lossy()
            .into_owned();
        (!path.is_empty() && !path.contains(":memory:")).then(|| path.into())
    }
    /// The URL without its password (not even a placeholder), for commands
    /// an operator copies: the password comes from `PGPASSWORD` or `~/.pgpass`.
    pub fn without_password(&self) -> String {
        let mut url = self.0.expose().clone();
        let _ = url.set_password(None);
        url.to_string()
    }
    pub fn backend_name(&self) -> &'static str {
        if self.is_sqlite() {
            "SQLite"
        } else {
            "PostgreSQL"
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for DatabaseUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let url: SecretUrl = s.parse()?;
        match url.expose().scheme() {
            "sqlite" | "postgres" | "postgresql" => Ok(Self(url)),
            other => Err(format!(
                "unsupported database scheme `{other}`: use sqlite://path or postgres://user@host/db"
            )),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Readable lines for a terminal.
    Human,
    /// One JSON object per line, for log collectors.
    Json,
}

pub(super) fn parse_http_url(s: &str) -> Result<Url, String> {
    let url = Url::parse(s).map_err(|e| format!("not a valid URL ({e})"))?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        other => Err(format!("expected an http or https URL, got `{other}:`")),
    }
}

pub(super) fn parse_smtp_url(s: &str) -> Result<SecretUrl, String> {
    let url: SecretUrl = s.parse()?;
    match url.expose().scheme() {
        "smtp" | "smtps" => Ok(url),
        other => Err(format!(
            "expected smtp:// (plain or STARTTLS with ?tls=required) or smtps:// (TLS), got `{other}:`"
        )),
    }
}

pub(super) fn parse_redis_url(s: &str) -> Result<SecretUrl, String> {
    let url: SecretUrl = s.parse()?;
    match url.expose().scheme() {
        "redis" | "rediss" => Ok(url),
        other => Err(format!("expected redis:// or rediss://, got `{other}:`")),
    }
}
