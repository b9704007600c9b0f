//! The storage port: certificates and media, in an S3-compatible bucket
//! (path-style, for MinIO, s3s and friends) or, by default, in a folder of
//! the data directory. Nothing outside this module names an adapter.

mod local;
mod s3;

use std::{future::Future, pin::Pin, sync::Arc};

use crate::{Error, Result, config::Config};

/// What an adapter's calls return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// Where objects live. Two adapters: a folder, and an S3 bucket. Keys are
/// checked by [`Storage`] before they reach an adapter.
pub trait StoragePort: Send + Sync {
    /// Makes the place ready (creates the folder or the bucket).
    fn ensure_ready(&self) -> BoxFuture<'_, ()>;
    /// Stores `bytes` at `key`, replacing what was there; a reader never
    /// sees half an object.
    fn put<'a>(&'a self, key: &'a str, bytes: Vec<u8>, content_type: &'a str) -> BoxFuture<'a, ()>;
    /// The object at `key`, or `None` when there is none.
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Option<Vec<u8>>>;
    /// Removes the object at `key`; removing nothing is fine.
    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, ()>;
    fn name(&self) -> &'static str;
}

/// The storage port's handle. Cheap to clone.
#[derive(Clone)]
pub struct Storage(Arc<dyn StoragePort>);

/// A key is a relative path of safe characters: `certificates/ABC.pdf`.
fn check_key(key: &str) -> Result<()> {
    let ok = !key.is_empty()
        && key.len() <= 200
        && !key.starts_with('/')
        && key
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(Error::Internal(format!("not a storage key: {key:?}")))
    }
}

impl Storage {
    /// S3 when an endpoint is set (then its keys are required), else the
    /// folder `<data>/files`.
    pub fn from_config(config: &Config) -> Result<Self> {
        let port: Arc<dyn StoragePort> = match &config.s3_endpoint {
            Some(endpoint) => Arc::new(s3::Bucket::from_config(endpoint, config)?),
            None => Arc::new(local::Folder::new(config.data_dir.join("files"))),
        };
        Ok(Self(port))
    }

    /// A handle over any adapter.
    pub fn new(port: Arc<dyn StoragePort>) -> Self {
        Self(port)
    }

    pub fn backend(&self) -> &'static str {
        self.0.name()
    }

    /// Creates the bucket (or folder) when it does not exist yet. Failure is
    /// not fatal at start-up: the jobs that need storage retry until it answers.
    pub async fn ensure_bucket(&self) -> Result<()> {
        self.0.ensure_ready().await
    }

    /// Stores `bytes` at `key`, replacing what was there; a reader never
    /// sees half an object.
    pub async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<()> {
        check_key(key)?;
        self.0.put(key, bytes, content_type).await
    }

    /// The object at `key`, or `None` when there is none.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        check_key(key)?;
        self.0.get(key).await
    }

    /// Removes the object at `key`; removing nothing is fine.
    pub async fn delete(&self, key: &str) -> Result<()> {
        check_key(key)?;
        self.0.delete(key).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_inside_the_store() {
        assert!(check_key("certificates/ABCDE-12345.pdf").is_ok());
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a//b",
            "a b",
            "a\\b",
            "é",
        ] {
            assert!(check_key(bad).is_err(), "{bad:?}");
        }
    }
}
