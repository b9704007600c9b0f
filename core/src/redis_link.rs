//! One connection to Redis with a circuit breaker, for each user of Redis
//! (the cache, the shared rate limits).
//!
//! Calls time out quickly, and after a failure Redis is skipped for a
//! moment, so a dead Redis costs requests almost nothing. `/metrics` shows
//! the breaker's state per user.

use std::{
    sync::atomic::{AtomicI64, Ordering},
    time::Duration,
};

use prometheus_client::metrics::gauge::Gauge;
use tokio::sync::Mutex as AsyncMutex;

use crate::metrics::UserLabels;

const REDIS_TIMEOUT: Duration = Duration::from_millis(250);
const BREAKER: Duration = Duration::from_millis(500);

/// Redis, through a connection manager that reconnects by itself.
pub(crate) struct RedisLink {
    client: redis::Client,
    conn: AsyncMutex<Option<redis::aio::ConnectionManager>>,
    /// Epoch ms until which Redis is not tried (a simple circuit breaker).
    open_until: AtomicI64,
    user: &'static str,
    circuit: Gauge,
}

impl RedisLink {
    /// `user` names who calls, in logs and figures (`cache`, `rate_limit`).
    pub(crate) fn new(url: &str, user: &'static str) -> Result<Self, String> {
        let client = redis::Client::open(url).map_err(|e| format!("invalid Redis URL: {e}"))?;
        Ok(Self {
            client,
            conn: AsyncMutex::new(None),
            open_until: AtomicI64::new(0),
            user,
            circuit: crate::metrics::get()
                .redis_circuit_open
                .get_or_create_owned(&UserLabels { user }),
        })
    }

    async fn connection(&self) -> Result<redis::aio::ConnectionManager, String> {
        if crate::jobs::now_ms() < self.open_until.load(Ordering::Relaxed) {
            return Err("redis skipped after a recent failure".into());
        }
        let mut guard = self.conn.lock().await;
        if let Some(c) = guard.as_ref() {
            return Ok(c.clone());
        }
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_TIMEOUT))
            .set_response_timeout(Some(REDIS_TIMEOUT))
            .set_number_of_retries(1);
        match redis::aio::ConnectionManager::new_with_config(self.client.clone(), config).await {
            Ok(c) => {
                *guard = Some(c.clone());
                Ok(c)
            }
            Err(e) => {
                self.trip();
                Err(format!("redis unreachable: {e}"))
            }
        }
    }

    fn trip(&self) {
        self.open_until.store(
            crate::jobs::now_ms() + BREAKER.as_millis() as i64,
            Ordering::Relaxed,
        );
        self.circuit.set(1);
        crate::metrics::get()
            .redis_trips
            .get_or_create(&UserLabels { user: self.user })
            .inc();
    }

    /// Runs one command; a failure or a slow answer opens the breaker.
    pub(crate) async fn run<T: redis::FromRedisValue>(&self, cmd: redis::Cmd) -> Result<T, String> {
        let mut conn = self.connection().await?;
        match tokio::time::timeout(REDIS_TIMEOUT * 2, cmd.query_async::<T>(&mut conn)).await {
            Ok(Ok(v)) => {
                self.circuit.set(0);
                Ok(v)
            }
            Ok(Err(e)) if e.code() == Some("NOSCRIPT") => {
                // Redis answered: the script cache was flushed, nothing is down.
                Err(NO_SCRIPT.into())
            }
            Ok(Err(e)) => {
                self.trip();
                Err(format!("redis: {e}"))
            }
            Err(_) => {
                self.trip();
                Err("redis timed out".into())
            }
        }
    }

    /// Runs a Lua script by its digest (`EVALSHA`), loading it when Redis
    /// does not know it yet, so the script's text crosses the network once.
    pub(crate) async fn eval<T: redis::FromRedisValue>(
        &self,
        script: &LuaScript,
        keys: &[&str],
        args: &[i64],
    ) -> Result<T, String> {
        let call = |verb: &str, first: &str| {
            let mut cmd = redis::cmd(verb);
            cmd.arg(first).arg(keys.len()).arg(keys).arg(args);
            cmd
        };
        let sha = script.sha.lock().expect("not poisoned").clone();
        if let Some(sha) = sha {
            match self.run::<T>(call("EVALSHA", &sha)).await {
                Err(e) if e == NO_SCRIPT => {}
                done => return done,
            }
        }
        let mut load = redis::cmd("SCRIPT");
        load.arg("LOAD").arg(script.text);
        let sha: String = self.run(load).await?;
        *script.sha.lock().expect("not poisoned") = Some(sha.clone());
        self.run::<T>(call("EVALSHA", &sha)).await
    }
}

const NO_SCRIPT: &str = "redis: the script is not loaded";

/// A Lua script and, once Redis has loaded it, its digest.
pub(crate) struct LuaScript {
    text: &'static str,
    sha: std::sync::Mutex<Option<String>>,
}

impl LuaScript {
    pub(crate) const fn new(text: &'static str) -> Self {
        Self {
            text,
            sha: std::sync::Mutex::new(None),
        }
    }
}
