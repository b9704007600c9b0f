//! The cache adapter by default: a bounded cache inside the process.

use std::{sync::Arc, time::Duration};

use super::{BoxFuture, CacheStore, stored_version};

/// A bounded in-process cache: the embedded default.
pub(super) struct InProcess(moka::future::Cache<String, Arc<Vec<u8>>>);

impl InProcess {
    pub(super) fn new(capacity: u64, ttl: Duration) -> Self {
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
