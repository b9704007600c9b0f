//! Connecting to the database and bringing its schema up to date.

use std::time::Duration;

use agora_migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

use crate::config::DatabaseUrl;

/// Connections opened before `connect` returns, and kept open: the widest
/// request runs three statements at once (the network report), with one
/// to spare for the content generation poll or a second request. A new
/// PostgreSQL connection costs a backend start and, with the default
/// `sslmode=prefer`, a TLS handshake: 40-100 ms on a busy machine, which
/// the first report after a restart paid inside the request when the pool
/// opened with one connection.
const WARM_CONNECTIONS: u32 = 4;

/// Opens a pool, with [`WARM_CONNECTIONS`] (at most `max_connections`)
/// already open. On SQLite, WAL, a busy timeout and foreign keys are set on
/// every connection the pool opens, not once on the pool.
pub async fn connect(url: &DatabaseUrl, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.expose().to_owned());
    options
        .max_connections(max_connections)
        // sqlx opens the minimum before the pool is returned, and opens
        // replacements in the background when connections reach their
        // lifetime: never inside a request.
        .min_connections(WARM_CONNECTIONS.min(max_connections))
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .create_if_missing(true)
        });
    Database::connect(options).await
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// A cheap round trip, for `/ready`.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("SELECT 1").await.map(|_| ())
}

/// Begins a transaction that will write. On SQLite it takes the write lock
/// at `BEGIN` (`IMMEDIATE`), so it waits its turn under the busy timeout. A
/// deferred transaction that reads first would fail at once with
/// `SQLITE_BUSY` if another writer committed between its first read and its
/// first write. PostgreSQL ignores the mode.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}
