//! How many notifications a person has not read, as the header of every
//! signed-in page shows it, kept in process so that a page reads no
//! database for it.
//!
//! A count is kept with the write counter of its person's stripe, read
//! before the count was: whoever adds, deletes or marks read someone's
//! notifications in this process bumps that counter, and the next page
//! counts again. The counter is bumped inside the writing transaction, so
//! a page read racing that transaction may keep the count from before it;
//! and another process's writes are not seen here. Both last at most
//! [`UNREAD_FOR`], how long a count is kept at all.

use std::{
    hash::BuildHasher,
    sync::{
        OnceLock,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use uuid::Uuid;

/// How long a count may be shown without counting again.
pub const UNREAD_FOR: Duration = Duration::from_secs(2);

const STRIPES: usize = 256;

struct Counters {
    epochs: Box<[AtomicU64]>,
    hasher: std::collections::hash_map::RandomState,
}

fn counters() -> &'static Counters {
    static C: OnceLock<Counters> = OnceLock::new();
    C.get_or_init(|| Counters {
        epochs: (0..STRIPES).map(|_| AtomicU64::new(0)).collect(),
        hasher: Default::default(),
    })
}

fn stripe(user: Uuid) -> &'static AtomicU64 {
    let c = counters();
    &c.epochs[c.hasher.hash_one(user) as usize % STRIPES]
}

/// The write counter of `user`'s stripe, read before counting.
pub(super) fn epoch(user: Uuid) -> u64 {
    stripe(user).load(Ordering::Acquire)
}

/// After this process wrote `users`' notifications (added, deleted, read).
pub(super) fn changed(users: impl IntoIterator<Item = Uuid>) {
    for u in users {
        stripe(u).fetch_add(1, Ordering::AcqRel);
    }
}

/// Counts kept per person with the epoch they were counted at.
#[derive(Clone)]
pub(super) struct UnreadCounts(moka::sync::Cache<Uuid, (u64, u64)>);

impl Default for UnreadCounts {
    fn default() -> Self {
        Self(
            moka::sync::Cache::builder()
                .max_capacity(200_000)
                .time_to_live(UNREAD_FOR)
                .build(),
        )
    }
}

impl UnreadCounts {
    /// `user`'s count, if kept since the last change this process made.
    pub(super) fn get(&self, user: Uuid) -> Option<u64> {
        let (at, n) = self.0.get(&user)?;
        (at == epoch(user)).then_some(n)
    }

    /// Keeps a count made after `at` was read.
    pub(super) fn keep(&self, user: Uuid, at: u64, n: u64) {
        if at == epoch(user) {
            self.0.insert(user, (at, n));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_makes_the_next_read_count_again() {
        let counts = UnreadCounts::default();
        let ana = Uuid::new_v4();
        let at = epoch(ana);
        counts.keep(ana, at, 3);
        assert_eq!(counts.get(ana), Some(3));
        changed([ana]);
        assert_eq!(counts.get(ana), None, "changed since counted");
        // A count begun before a change is not kept.
        let before = epoch(ana);
        changed([ana]);
        counts.keep(ana, before, 3);
        assert_eq!(counts.get(ana), None);
        let now = epoch(ana);
        counts.keep(ana, now, 4);
        assert_eq!(counts.get(ana), Some(4));
    }
}
