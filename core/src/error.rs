//! The errors of the core, in domain terms. The API maps each to a status.

use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{what} not found")]
    NotFound { what: &'static str },
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// A request parameter is malformed or out of range (answered 400).
    #[error("{field}: {reason}")]
    BadParameter { field: String, reason: String },
    #[error("{field}: {reason}")]
    Conflict { field: String, reason: String },
    #[error("{reason}")]
    Unauthorized { reason: &'static str },
    #[error("{reason}")]
    Forbidden { reason: &'static str },
    #[error("too many attempts; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("{what} is unavailable")]
    Unavailable { what: &'static str },
    /// A backend (mail server, storage) failed; `detail` is for logs and job
    /// records, never for the user.
    #[error("{what}: {detail}")]
    Backend { what: &'static str, detail: String },
    #[error("database error")]
    Database(DbErr),
    #[error("{0}")]
    Internal(String),
}

impl From<DbErr> for Error {
    /// A row that another request deleted between our read and our update
    /// (an account deleted while its membership was being edited) is gone,
    /// not a server fault. A database that cannot serve now (restarting,
    /// its disk full) is a backend that is down: try again shortly.
    fn from(e: DbErr) -> Self {
        match e {
            DbErr::RecordNotUpdated => Error::NotFound { what: "record" },
            e if crate::db::is_unavailable(&e) => Error::backend("database", e),
            e => Error::Database(e),
        }
    }
}

impl Error {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl Error {
    pub fn backend(what: &'static str, detail: impl std::fmt::Display) -> Self {
        Error::Backend {
            what,
            detail: detail.to_string(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
