//! The cache port: Redis in production, an in-process cache by default.
//!
//! The cache is never the source of truth. Every failure is logged and
//! reported as a miss, so callers fall back to the database; a key whose
//! write failed is remembered and deleted once the backend answers again, so
//! a value that went stale while Redis was away is never served. Nothing
//! outside this module names an adapter.

mod in_process;
mod near;
mod redis;

use std::{
    collections::HashSet,
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex},
    time::Duration,
};

use near::Entry;
use serde::de::DeserializeOwned;

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

/// What the in-process copy of a shared cache may hold.
const NEAR_BYTES: u64 = 32 << 20;

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
    /// With a shared store, a copy of what it answered kept for a second.
    near: Option<Arc<near::Near>>,
}

impl Cache {
    pub fn new(store: Arc<dyn CacheStore>, ttl: Duration) -> Self {
        Self {
            store,
            dirty: Arc::default(),
            ttl,
            near: None,
        }
    }

    /// Keeps what the shared store answers in process for up to a second
    /// (at most `max_bytes`): signed-in requests then read the caller and
    /// their progress from memory. This process's own writes and deletions
    /// drop its copy at once; other processes' are seen within the second.
    pub fn with_near_copy(mut self, max_bytes: u64) -> Self {
        self.near = Some(Arc::new(near::Near::new(max_bytes)));
        self
    }

    /// Redis when a URL is given, otherwise in process.
    pub fn from_config(redis_url: Option<&str>) -> Result<Self, String> {
        let ttl = Duration::from_secs(3600);
        let store: Arc<dyn CacheStore> = match redis_url {
            Some(url) => {
                let store = Arc::new(redis::RedisStore::new(url)?);
                return Ok(Self::new(store, ttl).with_near_copy(NEAR_BYTES));
            }
            None => Arc::new(in_process::InProcess::new(200_000, ttl)),
        };
        Ok(Self::new(store, ttl))
    }

    pub fn backend(&self) -> &'static str {
        self.store.name()
    }

    /// Values for each key; `None` for a miss, a dirty key, or a failure.
    /// Each read counts as a hit or a miss of its kind in `/metrics`.
    pub async fn get_many(&self, keys: &[String]) -> Vec<Option<Vec<u8>>> {
        self.read_counted(keys)
            .await
            .into_iter()
            .map(|e| Some(e?.payload()?.to_vec()))
            .collect()
    }

    /// Values for each key decoded from JSON; `None` for a miss, a value
    /// that does not decode as `T`, a dirty key, or a failure. With a
    /// shared store, a value read lately is decoded once, not on each hit.
    pub async fn get_many_as<T>(&self, keys: &[String]) -> Vec<Option<Arc<T>>>
    where
        T: DeserializeOwned + Send + Sync + 'static,
    {
        self.read_counted(keys)
            .await
            .into_iter()
            .map(|e| e?.decoded::<T>())
            .collect()
    }

    /// One value decoded from JSON (see [`get_many_as`](Self::get_many_as)).
    pub async fn get_as<T>(&self, key: &str) -> Option<Arc<T>>
    where
        T: DeserializeOwned + Send + Sync + 'static,
    {
        self.get_many_as(&[key.to_owned()]).await.pop().flatten()
    }

    async fn read_counted(&self, keys: &[String]) -> Vec<Option<Arc<Entry>>> {
        let values = self.read_many(keys).await;
        for (k, v) in keys.iter().zip(&values) {
            crate::metrics::cache_read(k, v.is_some());
        }
        values
    }

    async fn read_many(&self, keys: &[String]) -> Vec<Option<Arc<Entry>>> {
        heal(self.store.as_ref(), &self.dirty).await;
        let dirty: Option<HashSet<String>> = {
            let d = self.dirty.lock().expect("not poisoned");
            (!d.is_empty()).then(|| d.clone())
        };
        let is_dirty = |k: &String| dirty.as_ref().is_some_and(|d| d.contains(k));
        let Some(near) = &self.near else {
            return match self.store.get_many(keys).await {
                Ok(values) => values
                    .into_iter()
                    .zip(keys)
                    .map(|(v, k)| Some(Arc::new(Entry::new(v.filter(|_| !is_dirty(k))?))))
                    .collect(),
                Err(e) => {
                    tracing::warn!(error = %e, backend = self.store.name(), "cache read failed; reading the database");
                    vec![None; keys.len()]
                }
            };
        };
        let mut out: Vec<Option<Arc<Entry>>> = Vec::with_capacity(keys.len());
        let mut missing = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            match near.get(k) {
                Some(v) if !is_dirty(k) => out.push(Some(v)),
                _ => {
                    out.push(None);
                    missing.push(i);
                }
            }
        }
        if missing.is_empty() {
            return out;
        }
        let wanted: Vec<String> = missing.iter().map(|&i| keys[i].clone()).collect();
        let tickets: Vec<_> = wanted.iter().map(|k| near.ticket(k)).collect();
        match self.store.get_many(&wanted).await {
            Ok(values) => {
                for ((v, k), (i, t)) in values
                    .into_iter()
                    .zip(&wanted)
                    .zip(missing.into_iter().zip(tickets))
                {
                    if let Some(v) = v.filter(|_| !is_dirty(k)) {
                        let entry = Arc::new(Entry::new(v));
                        near.keep(k, t, &entry);
                        out[i] = Some(entry);
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, backend = self.store.name(), "cache read failed; reading the database");
            }
        }
        out
    }

    /// Drops this process's copy of keys it just wrote or deleted.
    fn forget_near(&self, keys: &[String]) {
        for k in keys {
            self.forget_near_one(k);
        }
    }

    fn forget_near_one(&self, key: &str) {
        if let Some(near) = &self.near {
            near.forget(key);
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
            self.forget_near_one(key);
            tracing::warn!(error = %e, backend = self.store.name(), "cache write failed; the key will be cleared when the cache is back");
            self.dirty
                .lock()
                .expect("not poisoned")
                .insert(key.to_owned());
        } else {
            self.forget_near_one(key);
            self.dirty.lock().expect("not poisoned").remove(key);
        }
    }

    /// Deletes many keys; on failure, marks them so no stale value is served later.
    pub async fn delete_many(&self, keys: &[String]) {
        for chunk in keys.chunks(500) {
            let failed = self.store.delete(chunk).await.is_err();
            self.forget_near(chunk);
            if failed {
                let mut dirty = self.dirty.lock().expect("not poisoned");
                dirty.extend(chunk.iter().cloned());
            }
        }
    }

    pub async fn delete(&self, key: &str) {
        let keys = [key.to_owned()];
        let failed = self.store.delete(&keys).await.is_err();
        self.forget_near(&keys);
        if failed {
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
