//! The cache port: Redis in production, an in-process cache by default.
//!
//! The cache is never the source of truth. Every failure is logged and
//! reported as a miss, so callers fall back to the database; a key whose
//! write failed is remembered and deleted once the backend answers again, so
//! a value that went stale while Redis was away is never served. Nothing
//! outside this module names an adapter.

mod in_process;
mod redis;

use std::{
    collections::HashSet,
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex},
    time::Duration,
};

/// What an adapter's calls return; the error is a sentence for the log.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, String>> + Send + 'a>>;

/// A key-value store for cached values. Two adapters: in process, and Redis.
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
            Some(url) => Arc::new(redis::RedisStore::new(url)?),
            None => Arc::new(in_process::InProcess::new(200_000, ttl)),
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
