//! The cache adapter for production: Redis, shared by every process.

use std::{
    sync::atomic::{AtomicI64, Ordering},
    time::Duration,
};

use tokio::sync::Mutex as AsyncMutex;

use super::{BoxFuture, CacheStore};

/// Redis, through a connection manager that reconnects by itself. Calls
/// time out quickly, and after a failure Redis is skipped for a moment, so a
/// dead Redis costs requests almost nothing.
pub(super) struct RedisStore {
    client: redis::Client,
    conn: AsyncMutex<Option<redis::aio::ConnectionManager>>,
    /// Epoch ms until which Redis is not tried (a simple circuit breaker).
    open_until: AtomicI64,
}

/// Compare-and-set on the `<version>:` prefix, atomic inside Redis.
const SET_IF_NEWER: &str = r#"
local current = redis.call('GET', KEYS[1])
if current then
  local v = tonumber(string.match(current, '^(%d+):'))
  if v and v > tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"#;

const REDIS_TIMEOUT: Duration = Duration::from_millis(250);
const BREAKER: Duration = Duration::from_millis(500);

impl RedisStore {
    pub(super) fn new(url: &str) -> Result<Self, String> {
        let client = redis::Client::open(url).map_err(|e| format!("invalid Redis URL: {e}"))?;
        Ok(Self {
            client,
            conn: AsyncMutex::new(None),
            open_until: AtomicI64::new(0),
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
    }

    async fn run<T: redis::FromRedisValue>(&self, cmd: redis::Cmd) -> Result<T, String> {
        let mut conn = self.connection().await?;
        match tokio::time::timeout(REDIS_TIMEOUT * 2, cmd.query_async::<T>(&mut conn)).await {
            Ok(Ok(v)) => Ok(v),
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
}

impl CacheStore for RedisStore {
    fn get_many<'a>(&'a self, keys: &'a [String]) -> BoxFuture<'a, Vec<Option<Vec<u8>>>> {
        Box::pin(async move {
            if keys.is_empty() {
                return Ok(vec![]);
            }
            let mut cmd = redis::cmd("MGET");
            cmd.arg(keys);
            self.run::<Vec<Option<Vec<u8>>>>(cmd).await
        })
    }
    fn set_if_newer<'a>(
        &'a self,
        key: &'a str,
        version: u64,
        value: Vec<u8>,
        ttl: Duration,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let mut cmd = redis::cmd("EVAL");
            cmd.arg(SET_IF_NEWER)
                .arg(1)
                .arg(key)
                .arg(version)
                .arg(value)
                .arg(ttl.as_millis() as u64);
            self.run::<i64>(cmd).await.map(drop)
        })
    }
    fn delete<'a>(&'a self, keys: &'a [String]) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if keys.is_empty() {
                return Ok(());
            }
            let mut cmd = redis::cmd("DEL");
            cmd.arg(keys);
            self.run::<()>(cmd).await
        })
    }
    fn name(&self) -> &'static str {
        "redis"
    }
}
