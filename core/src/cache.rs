//! The cache port: Redis in production, an in-process cache by default.
//!
//! The cache is never the source of truth. Every failure is logged and
//! reported as a miss, so callers fall back to the database; a key whose
//! write failed is remembered and deleted once the backend answers again, so
//! a value that went stale while Redis was away is never served.

use std::{
    collections::HashSet,
    future::Future,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicI64, Ordering},
    },
    time::Duration,
};

use tokio::sync::Mutex as AsyncMutex;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, String>> + Send + 'a>>;

/// A key-value store for cached values. Two adapters: [`InProcess`] and [`RedisStore`].
pub trait CacheStore: Send + Sync {
    fn get_many<'a>(&'a self, keys: &'a [String]) -> BoxFuture<'a, Vec<Option<Vec<u8>>>>;
    /// Stores `value` unless the stored value has a higher `version`.
    /// Stored values are `<version>:<payload>`.
    fn set_if_newer<'a>(
        &'a self,
        key: &'a str,
        version: u64,
        value: Vec<u8>,
        ttl: Duration,
    ) -> BoxFuture<'a, ()>;
    fn delete<'a>(&'a self, keys: &'a [String]) -> BoxFuture<'a, ()>;
    fn name(&self) -> &'static str;
}

/// A bounded in-process cache: the embedded default.
pub struct InProcess(moka::future::Cache<String, Arc<Vec<u8>>>);

impl InProcess {
    pub fn new(capacity: u64, ttl: Duration) -> Self {
        Self(
            moka::future::Cache::builder()
                .max_capacity(capacity)
                .time_to_live(ttl)
                .build(),
        )
    }
}

impl CacheStore for InProcess {
    fn get_many<'a>(&'a self, keys: &'a [String]) -> BoxFuture<'a, Vec<Option<Vec<u8>>>> {
        Box::pin(async move {
            let mut out = Vec::with_capacity(keys.len());
            for k in keys {
                out.push(self.0.get(k).await.map(|v| v.as_ref().clone()));
            }
            Ok(out)
        })
    }
    fn set_if_newer<'a>(
        &'a self,
        key: &'a str,
        version: u64,
        value: Vec<u8>,
        _ttl: Duration,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            // Computations on one key run one at a time, so this compare-and-set is atomic.
            self.0
                .entry(key.to_owned())
                .and_compute_with(|current| {
                    let keep = current
                        .is_some_and(|c| stored_version(c.value()).is_some_and(|v| v > version));
                    std::future::ready(if keep {
                        moka::ops::compute::Op::Nop
                    } else {
                        moka::ops::compute::Op::Put(Arc::new(value))
                    })
                })
                .await;
            Ok(())
        })
    }
    fn delete<'a>(&'a self, keys: &'a [String]) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            for k in keys {
                self.0.invalidate(k).await;
            }
            Ok(())
        })
    }
    fn name(&self) -> &'static str {
        "in-process"
    }
}

/// Redis, through a connection manager that reconnects by itself. Calls
/// time out quickly, and after a failure Redis is skipped for a moment, so a
/// dead Redis costs requests almost nothing.
pub struct RedisStore {
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
    pub fn new(url: &str) -> Result<Self, String> {
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

/// The version prefix of a stored value.
fn stored_version(stored: &[u8]) -> Option<u64> {
    let end = stored.iter().position(|&b| b == b':')?;
    std::str::from_utf8(&stored[..end]).ok()?.parse().ok()
}

/// A cache in front of the database, for values that can always be rebuilt.
#[derive(Clone)]
pub struct Cache {
    store: Arc<dyn CacheStore>,
    /// Keys whose write failed: never read from the store until deleted there.
    dirty: Arc<Mutex<HashSet<String>>>,
    ttl: Duration,
}

impl Cache {
    pub fn new(store: Arc<dyn CacheStore>, ttl: Duration) -> Self {
        Self {
            store,
            dirty: Arc::default(),
            ttl,
        }
    }

    /// Redis when a URL is given, otherwise in process.
    pub fn from_config(redis_url: Option<&str>) -> Result<Self, String> {
        let ttl = Duration::from_secs(3600);
        let store: Arc<dyn CacheStore> = match redis_url {
            Some(url) => Arc::new(RedisStore::new(url)?),
            None => Arc::new(InProcess::new(200_000, ttl)),
        };
        Ok(Self::new(store, ttl))
    }

    pub fn backend(&self) -> &'static str {
        self.store.name()
    }

    /// Values for each key; `None` for a miss, a dirty key, or a failure.
    pub async fn get_many(&self, keys: &[String]) -> Vec<Option<Vec<u8>>> {
        heal(self.store.as_ref(), &self.dirty).await;
        let dirty: HashSet<String> = self.dirty.lock().expect("not poisoned").clone();
        match self.store.get_many(keys).await {
            Ok(values) => values
                .into_iter()
                .zip(keys)
                .map(|(v, k)| {
                    let v = v.filter(|_| !dirty.contains(k))?;
                    let start = v.iter().position(|&b| b == b':')? + 1;
                    Some(v[start..].to_vec())
                })
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, backend = self.store.name(), "cache read failed; reading the database");
                vec![None; keys.len()]
            }
        }
    }

    /// Writes through unless a newer version is cached; on failure, marks the
    /// key so no stale value is served later.
    pub async fn set(&self, key: &str, version: u64, value: &[u8]) {
        let mut stored = format!("{version}:").into_bytes();
        stored.extend_from_slice(value);
        if let Err(e) = self
            .store
            .set_if_newer(key, version, stored, self.ttl)
            .await
        {
            tracing::warn!(error = %e, backend = self.store.name(), "cache write failed; the key will be cleared when the cache is back");
            self.dirty
                .lock()
                .expect("not poisoned")
                .insert(key.to_owned());
        } else {
            self.dirty.lock().expect("not poisoned").remove(key);
        }
    }

    /// Deletes many keys; on failure, marks them so no stale value is served later.
    pub async fn delete_many(&self, keys: &[String]) {
        for chunk in keys.chunks(500) {
            if self.store.delete(chunk).await.is_err() {
                let mut dirty = self.dirty.lock().expect("not poisoned");
                dirty.extend(chunk.iter().cloned());
            }
        }
    }

    pub async fn delete(&self, key: &str) {
        let keys = [key.to_owned()];
        if self.store.delete(&keys).await.is_err() {
            self.dirty
                .lock()
                .expect("not poisoned")
                .insert(key.to_owned());
        }
    }
}

/// Deletes the keys whose writes failed, once the store answers again.
async fn heal(store: &dyn CacheStore, dirty: &Mutex<HashSet<String>>) {
    let keys: Vec<String> = {
        let dirty = dirty.lock().expect("not poisoned");
        if dirty.is_empty() {
            return;
        }
        dirty.iter().take(500).cloned().collect()
    };
    if store.delete(&keys).await.is_ok() {
        let mut dirty = dirty.lock().expect("not poisoned");
        for k in &keys {
            dirty.remove(k);
        }
        tracing::info!(keys = keys.len(), "cache healed");
    }
}
