//! The storage adapter for a laptop: objects are files in a folder of the
//! data directory.

use std::path::PathBuf;

use super::{BoxFuture, StoragePort};
use crate::Error;

pub(super) struct Folder(PathBuf);

impl Folder {
    pub(super) fn new(dir: PathBuf) -> Self {
        Self(dir)
    }
}

impl StoragePort for Folder {
    fn ensure_ready(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            tokio::fs::create_dir_all(&self.0)
                .await
                .map_err(|e| Error::backend("storage", format!("{}: {e}", self.0.display())))
        })
    }

    fn put<'a>(
        &'a self,
        key: &'a str,
        bytes: Vec<u8>,
        _content_type: &'a str,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let path = self.0.join(key);
            // Written beside, then renamed: a reader never sees half a file.
            let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
            let write = async {
                if let Some(parent) = path.parent() {
                    tokio::fs::create_dir_all(parent).await?;
                }
                tokio::fs::write(&tmp, bytes).await?;
                tokio::fs::rename(&tmp, &path).await
            };
            let written = write.await;
            if written.is_err() {
                // A disk that filled up mid-write keeps no half file.
                let _ = tokio::fs::remove_file(&tmp).await;
            }
            written.map_err(|e| Error::backend("storage", format!("{}: {e}", path.display())))
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            match tokio::fs::read(self.0.join(key)).await {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(Error::backend("storage", e)),
            }
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            match tokio::fs::remove_file(self.0.join(key)).await {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(Error::backend("storage", e)),
            }
        })
    }

    fn name(&self) -> &'static str {
        "folder"
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::storage::Storage;

    #[tokio::test]
    async fn the_folder_store_round_trips() {
        let dir = std::env::temp_dir().join(format!("agora-storage-{}", uuid::Uuid::new_v4()));
        let s = Storage::new(Arc::new(Folder::new(dir.clone())));
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
