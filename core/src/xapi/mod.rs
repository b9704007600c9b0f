//! xAPI (issue 21): the statements Agora writes for learning events, and
//! the learning record store (LRS) behind `/xapi/`.
//!
//! - `emit`: Agora's own statements, written in the transaction of the
//!   event that causes them (the table is also the forwarding outbox);
//! - `validate`: the xAPI 1.0.3 rules a statement must follow;
//! - `store`: storing statements (ids, conflicts, voiding) and their index;
//! - `query`: `GET /xapi/statements` with every filter and `more` paging;
//! - `documents`: state, activity profile and agent profile documents;
//! - `clients`: the Basic credentials an admin issues, with scopes;
//! - `forward`: the job that forwards Agora's statements to an external LRS.

pub mod attachments;
pub mod clients;
pub mod documents;
pub mod emit;
pub mod forward;
pub mod query;
pub mod signature;
pub mod store;
pub mod validate;

use std::sync::OnceLock;

use sea_orm::DatabaseConnection;
use serde_json::Value;
use url::Url;

pub use clients::{Client, ClientCreated, Scope};
pub use documents::{DocKey, DocKind, Document, Preconditions};
pub use query::{Filters, Page};
pub use store::Stored;

/// The xAPI version Agora speaks.
pub const VERSION: &str = "1.0.3";

/// What `/xapi/` refuses, in the terms of the xAPI specification.
#[derive(Debug, thiserror::Error)]
pub enum XapiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PreconditionFailed(&'static str),
    #[error(transparent)]
    Core(#[from] crate::Error),
}

impl From<sea_orm::DbErr> for XapiError {
    fn from(e: sea_orm::DbErr) -> Self {
        XapiError::Core(e.into())
    }
}

pub type XResult<T> = std::result::Result<T, XapiError>;

pub(crate) fn bad(msg: impl Into<String>) -> XapiError {
    XapiError::BadRequest(msg.into())
}

/// Set once at start-up: where Agora is (activity ids and actors live under
/// its public URL), and whether its statements are forwarded.
struct Settings {
    home: Url,
    forward: bool,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

/// Configures statements for this process (the server and the worker call
/// it at start-up). Until it is called, no statement is written: the
/// library's own unit tests have no public URL.
pub fn configure(public_url: Url, forward: bool) {
    let _ = SETTINGS.set(Settings {
        home: public_url,
        forward,
    });
}

pub(crate) fn home() -> Option<&'static Url> {
    SETTINGS.get().map(|s| &s.home)
}

pub(crate) fn forwarding() -> bool {
    SETTINGS.get().is_some_and(|s| s.forward)
}

/// The canonical key of an agent or identified group: its one identifier.
pub fn agent_key(agent: &Value) -> Option<String> {
    if let Some(m) = agent.get("mbox").and_then(Value::as_str) {
        return Some(format!("mbox:{m}"));
    }
    if let Some(m) = agent.get("mbox_sha1sum").and_then(Value::as_str) {
        return Some(format!("sha1:{m}"));
    }
    if let Some(m) = agent.get("openid").and_then(Value::as_str) {
        return Some(format!("openid:{m}"));
    }
    let account = agent.get("account")?;
    Some(format!(
        "account:{}|{}",
        account.get("homePage")?.as_str()?,
        account.get("name")?.as_str()?
    ))
}

/// The LRS over the database.
#[derive(Clone)]
pub struct Lrs {
    pub db: DatabaseConnection,
    /// Whose statements these are: `authority.account.homePage` of clients.
    pub home: Url,
    pub(crate) auth_cache: clients::AuthCache,
}

impl Lrs {
    pub fn new(db: DatabaseConnection, home: Url) -> Self {
        Self {
            db,
            home,
            auth_cache: Default::default(),
        }
    }
}

pub fn now_ms() -> i64 {
    crate::jobs::now_ms()
}

/// RFC 3339 with milliseconds, UTC, as xAPI timestamps are written.
pub fn rfc3339_ms(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    t.format(&f).unwrap_or_default()
}
