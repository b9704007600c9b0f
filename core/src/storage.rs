//! The storage port: certificates and media, in an S3-compatible bucket
//! (path-style, for MinIO, s3s and friends) or, by default, in a folder of
//! the data directory.

use std::{path::PathBuf, sync::Arc, time::Duration};

use s3::{Bucket, BucketConfiguration, Region, creds::Credentials, error::S3Error};

use crate::{Error, Result, config::Config};

/// An S3 request that takes longer than this has failed; the job retries.
const S3_TIMEOUT: Duration = Duration::from_secs(30);

enum Backend {
    Folder(PathBuf),
    S3(Box<Bucket>),
}

/// Cheap to clone.
#[derive(Clone)]
pub struct Storage(Arc<Backend>);

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

fn s3_error(e: S3Error) -> Error {
    // The error text names the endpoint and the status, never the credentials.
    Error::backend("storage", e)
}

impl Storage {
    pub fn from_config(config: &Config) -> Result<Self> {
        let Some(endpoint) = &config.s3_endpoint else {
            return Ok(Self::folder(config.data_dir.join("files")));
        };
        let (Some(access), Some(secret)) = (&config.s3_access_key, &config.s3_secret_key) else {
            return Err(Error::invalid(
                "AGORA_S3_ACCESS_KEY",
                "AGORA_S3_ENDPOINT is set but the access or secret key is missing",
            ));
        };
        let region = Region::Custom {
            region: config.s3_region.clone(),
            endpoint: endpoint.as_str().trim_end_matches('/').to_owned(),
        };
        let credentials = Credentials::new(
            Some(access.expose()),
            Some(secret.expose()),
            None,
            None,
            None,
        )
        .map_err(|e| Error::invalid("AGORA_S3_ACCESS_KEY", e.to_string()))?;
        let bucket = Bucket::new(&config.s3_bucket, region, credentials)
            .map_err(s3_error)?
            .with_path_style()
            .with_request_timeout(S3_TIMEOUT)
            .map_err(s3_error)?;
        Ok(Self(Arc::new(Backend::S3(bucket))))
    }

    pub fn folder(dir: PathBuf) -> Self {
        Self(Arc::new(Backend::Folder(dir)))
    }

    /// Creates the bucket when it does not exist yet. Failure is not fatal at
    /// start-up: the jobs that need storage retry until it answers.
    pub async fn ensure_bucket(&self) -> Result<()> {
        match &*self.0 {
            Backend::Folder(dir) => tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| Error::backend("storage", format!("{}: {e}", dir.display()))),
            Backend::S3(bucket) => {
                if bucket.exists().await.map_err(s3_error)? {
                    return Ok(());
                }
                let created = Bucket::create_with_path_style(
                    &bucket.name,
                    bucket.region.clone(),
                    bucket.credentials().await.map_err(s3_error)?,
                    BucketConfiguration::default(),
                )
                .await;
                match created {
                    Ok(_) => Ok(()),
                    // Another process created it first.
                    Err(S3Error::HttpFailWithBody(409, _)) => Ok(()),
                    Err(e) => Err(s3_error(e)),
                }
            }
        }
    }

    /// Stores `bytes` at `key`, replacing what was there; a reader never
    /// sees half an object.
    pub async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<()> {
        check_key(key)?;
        match &*self.0 {
            Backend::Folder(dir) => {
                let path = dir.join(key);
                let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
                let write = async {
                    if let Some(parent) = path.parent() {
                        tokio::fs::create_dir_all(parent).await?;
                    }
                    tokio::fs::write(&tmp, bytes).await?;
                    tokio::fs::rename(&tmp, &path).await
                };
                write
                    .await
                    .map_err(|e| Error::backend("storage", format!("{}: {e}", path.display())))
            }
            Backend::S3(bucket) => {
                match bucket
                    .put_object_with_content_type(key, &bytes, content_type)
                    .await
                {
                    Ok(_) => Ok(()),
                    // A server that lost or never had the bucket (it was down at
                    // start-up, say): create it and try once more.
                    Err(S3Error::HttpFailWithBody(404, body)) if body.contains("NoSuchBucket") => {
                        self.ensure_bucket().await?;
                        bucket
                            .put_object_with_content_type(key, &bytes, content_type)
                            .await
                            .map(drop)
                            .map_err(s3_error)
                    }
                    Err(e) => Err(s3_error(e)),
                }
            }
        }
    }

    /// The object at `key`, or `None` when there is none.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        check_key(key)?;
        match &*self.0 {
            Backend::Folder(dir) => match tokio::fs::read(dir.join(key)).await {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(Error::backend("storage", e)),
            },
            Backend::S3(bucket) => match bucket.get_object(key).await {
                Ok(r) => Ok(Some(r.to_vec())),
                Err(S3Error::HttpFailWithBody(404, _)) => Ok(None),
                Err(e) => Err(s3_error(e)),
            },
        }
    }

    /// Removes the object at `key`; removing nothing is fine.
    pub async fn delete(&self, key: &str) -> Result<()> {
        check_key(key)?;
        match &*self.0 {
            Backend::Folder(dir) => match tokio::fs::remove_file(dir.join(key)).await {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(Error::backend("storage", e)),
            },
            Backend::S3(bucket) => match bucket.delete_object(key).await {
                Ok(_) | Err(S3Error::HttpFailWithBody(404, _)) => Ok(()),
                Err(e) => Err(s3_error(e)),
            },
        }
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

    #[tokio::test]
    async fn the_folder_store_round_trips() {
        let dir = std::env::temp_dir().join(format!("agora-storage-{}", uuid::Uuid::new_v4()));
        let s = Storage::folder(dir.clone());
        assert_eq!(s.get("a/b.pdf").await.unwrap(), None);
        s.put("a/b.pdf", b"one".to_vec(), "application/pdf")
            .await
            .unwrap();
        s.put("a/b.pdf", b"two".to_vec(), "application/pdf")
            .await
            .unwrap();
        assert_eq!(
            s.get("a/b.pdf").await.unwrap().as_deref(),
            Some(&b"two"[..])
        );
        s.delete("a/b.pdf").await.unwrap();
        s.delete("a/b.pdf").await.unwrap();
        assert_eq!(s.get("a/b.pdf").await.unwrap(), None);
        let _ = std::fs::remove_dir_all(dir);
    }
}
