//! A short-lived copy, inside the process, of what a shared cache answered.
//!
//! With Redis every signed-in request read the caller and the progress
//! summaries over the network. This front keeps each value read for at most
//! [`NEAR_TTL`]: another replica's change is seen within that bound, and this
//! replica's own writes and deletions drop the copy at once.

use std::{
    hash::BuildHasher,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

/// How stale a value written by another replica may be read here.
pub(super) const NEAR_TTL: Duration = Duration::from_secs(1);

/// Stripes of write counters: a read that raced a write to a key of its
/// stripe does not keep what it read (it may predate the write).
const STRIPES: usize = 256;

pub(super) struct Near {
    values: moka::sync::Cache<String, Arc<[u8]>>,
    epochs: Box<[AtomicU64]>,
    hasher: std::collections::hash_map::RandomState,
}

/// Where a key's read started, to keep its answer only if no write came between.
pub(super) struct Ticket(usize, u64);

impl Near {
    pub(super) fn new(max_bytes: u64) -> Self {
        Self {
            values: moka::sync::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|k: &String, v: &Arc<[u8]>| (k.len() + v.len() + 64) as u32)
                .time_to_live(NEAR_TTL)
                .build(),
            epochs: (0..STRIPES).map(|_| AtomicU64::new(0)).collect(),
            hasher: Default::default(),
        }
    }

    fn stripe(&self, key: &str) -> usize {
        self.hasher.hash_one(key) as usize % STRIPES
    }

    /// The stored value (with its `<version>:` prefix), if read lately.
    pub(super) fn get(&self, key: &str) -> Option<Arc<[u8]>> {
        self.values.get(key)
    }

    /// Taken before reading `key` from the shared store.
    pub(super) fn ticket(&self, key: &str) -> Ticket {
        let s = self.stripe(key);
        Ticket(s, self.epochs[s].load(Ordering::Acquire))
    }

    /// Keeps a value read from the shared store, unless this process wrote
    /// to a key of its stripe since the read began.
    pub(super) fn keep(&self, key: &str, ticket: Ticket, stored: &[u8]) {
        if self.epochs[ticket.0].load(Ordering::Acquire) == ticket.1 {
            self.values.insert(key.to_owned(), Arc::from(stored));
        }
    }

    /// After this process wrote or deleted `key` in the shared store.
    pub(super) fn forget(&self, key: &str) {
        self.epochs[self.stripe(key)].fetch_add(1, Ordering::AcqRel);
        self.values.invalidate(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_that_raced_a_write_is_not_kept() {
        let near = Near::new(1 << 20);
        let before = near.ticket("k");
        near.forget("k");
        near.keep("k", before, b"1:old");
        assert!(near.get("k").is_none());
        let after = near.ticket("k");
        near.keep("k", after, b"2:new");
        assert_eq!(near.get("k").as_deref(), Some(&b"2:new"[..]));
        near.forget("k");
        assert!(near.get("k").is_none());
    }
}
