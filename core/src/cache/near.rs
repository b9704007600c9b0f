//! A short-lived copy, inside the process, of what a shared cache answered.
//!
//! With Redis every signed-in request read the caller and the progress
//! summaries over the network. This front keeps each value read for at most
//! [`NEAR_TTL`]: another replica's change is seen within that bound, and this
//! replica's own writes and deletions drop the copy at once.
//!
//! A copy also keeps what it decodes to, the first time a caller asks for a
//! type: a hit then costs a reference count, not a JSON decoding.

use std::{
    any::Any,
    hash::BuildHasher,
    sync::{
        Arc, OnceLock,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use serde::de::DeserializeOwned;

/// How stale a value written by another replica may be read here.
pub(super) const NEAR_TTL: Duration = Duration::from_secs(1);

/// Stripes of write counters: a read that raced a write to a key of its
/// stripe does not keep what it read (it may predate the write).
const STRIPES: usize = 256;

/// A value as the store answered it, and what it decoded to.
pub(super) struct Entry {
    /// `<version>:<payload>`.
    stored: Box<[u8]>,
    decoded: OnceLock<Arc<dyn Any + Send + Sync>>,
}

impl Entry {
    pub(super) fn new(stored: Vec<u8>) -> Self {
        Self {
            stored: stored.into_boxed_slice(),
            decoded: OnceLock::new(),
        }
    }

    /// The stored value without its `<version>:` prefix.
    pub(super) fn payload(&self) -> Option<&[u8]> {
        let start = self.stored.iter().position(|&b| b == b':')? + 1;
        Some(&self.stored[start..])
    }

    /// The payload decoded as JSON, decoded once per entry and type (a
    /// second type asking for the same entry is decoded each time).
    pub(super) fn decoded<T: DeserializeOwned + Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        if let Some(kept) = self.decoded.get()
            && let Ok(t) = Arc::clone(kept).downcast::<T>()
        {
            return Some(t);
        }
        let t: Arc<T> = Arc::new(serde_json::from_slice(self.payload()?).ok()?);
        let _ = self
            .decoded
            .set(Arc::clone(&t) as Arc<dyn Any + Send + Sync>);
        Some(t)
    }
}

pub(super) struct Near {
    values: moka::sync::Cache<String, Arc<Entry>>,
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
                // The decoded copy is counted as about the size of its
                // JSON again: hence twice the stored bytes.
                .weigher(|k: &String, v: &Arc<Entry>| {
                    (k.len() + 2 * v.stored.len() + 64).min(u32::MAX as usize) as u32
                })
                .time_to_live(NEAR_TTL)
                .build(),
            epochs: (0..STRIPES).map(|_| AtomicU64::new(0)).collect(),
            hasher: Default::default(),
        }
    }

    fn stripe(&self, key: &str) -> usize {
        self.hasher.hash_one(key) as usize % STRIPES
    }

    /// The stored value, if read lately.
    pub(super) fn get(&self, key: &str) -> Option<Arc<Entry>> {
        self.values.get(key)
    }

    /// Taken before reading `key` from the shared store.
    pub(super) fn ticket(&self, key: &str) -> Ticket {
        let s = self.stripe(key);
        Ticket(s, self.epochs[s].load(Ordering::Acquire))
    }

    /// Keeps a value read from the shared store, unless this process wrote
    /// to a key of its stripe since the read began.
    pub(super) fn keep(&self, key: &str, ticket: Ticket, entry: &Arc<Entry>) {
        if self.epochs[ticket.0].load(Ordering::Acquire) == ticket.1 {
            self.values.insert(key.to_owned(), Arc::clone(entry));
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
        near.keep("k", before, &Arc::new(Entry::new(b"1:old".to_vec())));
        assert!(near.get("k").is_none());
        let after = near.ticket("k");
        near.keep("k", after, &Arc::new(Entry::new(b"2:new".to_vec())));
        let kept = near.get("k").expect("kept");
        assert_eq!(kept.payload(), Some(&b"new"[..]));
        near.forget("k");
        assert!(near.get("k").is_none());
    }

    #[test]
    fn a_value_is_decoded_once_per_entry() {
        let e = Entry::new(b"3:[1,2,3]".to_vec());
        let a = e.decoded::<Vec<u32>>().expect("decodes");
        let b = e.decoded::<Vec<u32>>().expect("decodes");
        assert!(Arc::ptr_eq(&a, &b), "the second read is the first's value");
        assert_eq!(*a, vec![1, 2, 3]);
        // Another type still reads the bytes; a wrong one is a miss.
        assert_eq!(e.decoded::<Vec<u64>>().as_deref(), Some(&vec![1u64, 2, 3]));
        assert!(e.decoded::<String>().is_none());
        assert!(Entry::new(b"no prefix".to_vec()).payload().is_none());
    }
}
