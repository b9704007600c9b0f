//! The storage adapter for production: an S3-compatible bucket, addressed
//! path-style (MinIO, s3s and friends).

use std::time::Duration;

use ::s3::{BucketConfiguration, Region, creds::Credentials, error::S3Error};
use url::Url;

use super::{BoxFuture, StoragePort};
use crate::{Error, Result, config::Config};

/// An S3 request that takes longer than this has failed; the job retries.
const S3_TIMEOUT: Duration = Duration::from_secs(30);

pub(super) struct Bucket(Box<::s3::Bucket>);

fn s3_error(e: S3Error) -> Error {
    // The error text names the endpoint and the status, never the credentials.
    Error::backend("storage", e)
}

impl Bucket {
    /// The bucket at `endpoint`; incomplete settings are an error here, at start-up.
    pub(super) fn from_config(endpoint: &Url, config: &Config) -> Result<Self> {
        let (Some(access), Some(secret)) = (&config.s3_access_key, &config.s3_secret_key) else {
            return Err(Error::invalid(
                "AGORA_S3_ACCESS_KEY",
                "AGORA_S3_ENDPOINT is set but the access or secret key is missing",
            ));
        };
        if config.s3_bucket.trim().is_empty() {
            return Err(Error::invalid(
                "AGORA_S3_BUCKET",
                "AGORA_S3_ENDPOINT is set but the bucket name is empty",
            ));
        }
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
        let bucket = ::s3::Bucket::new(&config.s3_bucket, region, credentials)
            .map_err(s3_error)?
            .with_path_style()
            .with_request_timeout(S3_TIMEOUT)
            .map_err(s3_error)?;
        Ok(Self(bucket))
    }

    async fn create(&self) -> Result<()> {
        let bucket = &self.0;
        if bucket.exists().await.map_err(s3_error)? {
            return Ok(());
        }
        let created = ::s3::Bucket::create_with_path_style(
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

impl StoragePort for Bucket {
    fn ensure_ready(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.create())
    }

    fn put<'a>(&'a self, key: &'a str, bytes: Vec<u8>, content_type: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let bucket = &self.0;
            match bucket
                .put_object_with_content_type(key, &bytes, content_type)
                .await
            {
                Ok(_) => Ok(()),
                // A server that lost or never had the bucket (it was down at
                // start-up, say): create it and try once more.
                Err(S3Error::HttpFailWithBody(404, body)) if body.contains("NoSuchBucket") => {
                    self.create().await?;
                    bucket
                        .put_object_with_content_type(key, &bytes, content_type)
                        .await
                        .map(drop)
                        .map_err(s3_error)
                }
                Err(e) => Err(s3_error(e)),
            }
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            match self.0.get_object(key).await {
                Ok(r) => Ok(Some(r.to_vec())),
                Err(S3Error::HttpFailWithBody(404, _)) => Ok(None),
                Err(e) => Err(s3_error(e)),
            }
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            match self.0.delete_object(key).await {
                Ok(_) | Err(S3Error::HttpFailWithBody(404, _)) => Ok(()),
                Err(e) => Err(s3_error(e)),
            }
        })
    }

    fn name(&self) -> &'static str {
        "S3"
    }
}
