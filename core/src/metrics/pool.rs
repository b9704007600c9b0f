//! The database pool's figures: connections open and idle, and the time to
//! acquire one.

use std::time::Duration;

use sea_orm::{DatabaseBackend, DatabaseConnection};

use super::{Metrics, PoolLabels};

/// The pool's figures for `/metrics`: connections open and idle, the most
/// allowed, and one sample of the time to acquire a connection. sqlx keeps
/// no record of acquire times, so a probe acquires one (at most a second):
/// on a pool that requests exhaust, the probe waits as they do.
pub(super) async fn refresh(db: &DatabaseConnection, m: &Metrics) {
    const PROBE: Duration = Duration::from_secs(1);
    let started = std::time::Instant::now();
    let (size, idle, max) = match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            let _ = tokio::time::timeout(PROBE, pool.acquire()).await;
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        _ => {
            let pool = db.get_sqlite_connection_pool();
            let _ = tokio::time::timeout(PROBE, pool.acquire()).await;
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
    };
    m.db_acquire.observe(started.elapsed().as_secs_f64());
    let idle = i64::try_from(idle).unwrap_or(i64::MAX);
    m.db_pool_connections
        .get_or_create(&PoolLabels { state: "idle" })
        .set(idle);
    m.db_pool_connections
        .get_or_create(&PoolLabels { state: "in_use" })
        .set((i64::from(size) - idle).max(0));
    m.db_pool_max.set(i64::from(max));
}

/// Samples the pool's figures every `period` for as long as the runtime
/// runs, so acquire times between scrapes are seen too.
pub fn sample_pool(db: DatabaseConnection, period: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            refresh(&db, super::get()).await;
        }
    });
}
