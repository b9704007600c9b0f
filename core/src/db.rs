//! Connecting to the database and bringing its schema up to date.

use std::time::Duration;

use agora_migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbErr,
    RuntimeErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
    sqlx::sqlite::{SqliteError, SqliteJournalMode, SqliteSynchronous},
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
        })
        .map_sqlx_sqlite_pool_opts(|o| {
            // A COMMIT that failed on a full disk is rolled back by SQLite
            // itself, but the driver may still count the transaction as
            // open: its next `begin` would then be a savepoint inside a
            // transaction that never ends, holding the write lock ("database
            // is locked" for every other connection). Such a connection is
            // closed on its return to the pool, never reused.
            o.after_release(|conn, _| {
                Box::pin(async move {
                    use sea_orm::sqlx::Connection as _;
                    Ok(!conn.is_in_transaction())
                })
            })
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

/// Whether `e` says that the database cannot serve now, rather than that
/// the statement is wrong, so the same request can succeed a little later:
/// no connection within the pool's wait (PostgreSQL restarting), a
/// connection lost mid-statement, PostgreSQL shutting down (`57P01`-`57P03`),
/// a connection failure (class `08`) or a lack of resources (class `53`, a
/// full disk among them), and SQLite's full disk (`SQLITE_FULL`) or failed
/// I/O (`SQLITE_IOERR_*`). Nothing of the failed transaction was kept.
pub fn is_unavailable(e: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    let err = match e {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(RuntimeErr::SqlxError(err)) | DbErr::Query(RuntimeErr::SqlxError(err)) => err,
        _ => return false,
    };
    match err.as_ref() {
        Sqlx::Io(_)
        | Sqlx::Tls(_)
        | Sqlx::Protocol(_)
        | Sqlx::PoolTimedOut
        | Sqlx::PoolClosed
        | Sqlx::WorkerCrashed => true,
        Sqlx::Database(d) => {
            let Some(code) = d.code() else {
                return false;
            };
            if d.try_downcast_ref::<SqliteError>().is_some() {
                // The primary result code is the low byte of the extended one.
                const SQLITE_IOERR: i32 = 10;
                const SQLITE_FULL: i32 = 13;
                code.parse::<i32>()
                    .is_ok_and(|c| matches!(c & 0xff, SQLITE_IOERR | SQLITE_FULL))
            } else {
                code.starts_with("08") || code.starts_with("57P0") || code.starts_with("53")
            }
        }
        _ => false,
    }
}

/// PostgreSQL aborted the transaction to break a deadlock (`40P01`) or as
/// a serialization failure (`40001`): nothing it did was kept, and it can
/// run again as it was.
pub fn is_retryable(e: &crate::Error) -> bool {
    let crate::Error::Database(DbErr::Exec(err) | DbErr::Query(err) | DbErr::Conn(err)) = e else {
        return false;
    };
    let sea_orm::RuntimeErr::SqlxError(err) = err else {
        return false;
    };
    err.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|code| code == "40P01" || code == "40001")
}

/// Runs `work`, a whole transaction, and once more when PostgreSQL aborted
/// it as a deadlock victim or a serialization failure. An account deletion
/// cascades through every row that refers to the account, and can meet a
/// transaction (a membership change, the worker writing a row that refers
/// to the account) that holds some of those rows and waits for one the
/// deletion holds; PostgreSQL aborts one of the two. Run again, it finds
/// the other committed.
pub async fn retry_once<T, F, Fut>(mut work: F) -> crate::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = crate::Result<T>>,
{
    match work().await {
        Err(e) if is_retryable(&e) => {
            tracing::warn!(error = ?e, "transaction aborted by the database; running it again");
            work().await
        }
        done => done,
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::ConnAcquireErr;

    use super::*;

    #[tokio::test]
    async fn a_full_database_is_unavailable_and_a_bad_statement_is_not() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        db.execute_unprepared("CREATE TABLE t (x TEXT)")
            .await
            .unwrap();
        let bad = db
            .execute_unprepared("INSERT INTO nowhere VALUES (1)")
            .await;
        assert!(!is_unavailable(&bad.unwrap_err()));
        // No page more than it has: the next growth fails as a full disk does.
        db.execute_unprepared("PRAGMA max_page_count = 3")
            .await
            .unwrap();
        let full = db
            .execute_unprepared(
                "INSERT INTO t SELECT hex(randomblob(4000)) FROM (SELECT 1 UNION ALL SELECT 2)",
            )
            .await
            .unwrap_err();
        assert!(is_unavailable(&full), "{full:?}");
        assert!(matches!(
            crate::Error::from(full),
            crate::Error::Backend {
                what: "database",
                ..
            }
        ));
        assert!(is_unavailable(&DbErr::ConnectionAcquire(
            ConnAcquireErr::Timeout
        )));
        assert!(!is_unavailable(&DbErr::RecordNotFound("x".into())));
    }
}

/// `items` in chunks of `max` (a power of two), then of decreasing powers
/// of two: a batch of any length is written with at most a dozen statement
/// shapes. The drivers keep each distinct statement prepared per
/// connection, so a batch cut at its exact length left a new prepared
/// statement of up to `max` rows behind on each connection for every
/// length seen (hundreds of kilobytes each, growing with every flush).
pub fn shaped_chunks<T>(items: &[T], max: usize) -> impl Iterator<Item = &[T]> {
    debug_assert!(max.is_power_of_two());
    let mut rest = items;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let n = if rest.len() >= max {
            max
        } else {
            1 << rest.len().ilog2()
        };
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        Some(chunk)
    })
}

#[cfg(test)]
mod chunk_tests {
    use super::shaped_chunks;

    #[test]
    fn chunks_come_in_powers_of_two_and_cover_everything_in_order() {
        for len in [0usize, 1, 2, 3, 7, 200, 511, 512, 513, 1300] {
            let items: Vec<usize> = (0..len).collect();
            let chunks: Vec<&[usize]> = shaped_chunks(&items, 512).collect();
            assert!(
                chunks
                    .iter()
                    .all(|c| c.len().is_power_of_two() && c.len() <= 512)
            );
            assert_eq!(chunks.concat(), items, "{len}");
        }
    }
}
