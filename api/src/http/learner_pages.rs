//! "My learning" kept rendered per learner: the page's frame of sections
//! (certificates, colleagues' courses) with one slot for the course cards,
//! and each card, both kept under a stamp of what they show. A request
//! reads the learner's courses and certificates from the cache port,
//! compares stamps, and splices: no template runs and nothing is read from
//! the database while nothing changed.

use std::{
    hash::{DefaultHasher, Hash, Hasher},
    sync::Arc,
    time::Duration,
};

use agora_core::{domain::Locale, reports::ColleagueCourse};
use uuid::Uuid;

use super::parts::{Part, parts_bytes, weight};

/// How long courses popular with a learner's colleagues are reused: they
/// are a report over many learners' enrolments, and membership changes are
/// not announced. The learner's own enrolments are always current (courses
/// they enrolled in are taken out per request).
pub const COLLEAGUES_FOR: Duration = Duration::from_secs(5);

/// The page around the cards: its title, and its body with the cards' slot.
pub type KeptShell = Stamped<(Box<str>, Vec<Part>)>;

/// Something rendered, and the stamp of what it shows.
pub struct Stamped<T> {
    pub stamp: u64,
    pub value: T,
}

#[derive(Clone)]
pub struct LearnerPages {
    shells: moka::future::Cache<(Uuid, Locale), Arc<KeptShell>>,
    cards: moka::future::Cache<(Uuid, Locale), Arc<Stamped<Box<str>>>>,
    colleagues: moka::future::Cache<(Uuid, Locale), Arc<Vec<ColleagueCourse>>>,
}

impl Default for LearnerPages {
    fn default() -> Self {
        let idle = Duration::from_secs(600);
        Self {
            // Bounded by bytes (see `page_cache`): 16 MB each.
            shells: moka::future::Cache::builder()
                .max_capacity(16 << 20)
                .weigher(|_: &(Uuid, Locale), v: &Arc<KeptShell>| {
                    weight(v.value.0.len() + parts_bytes(&v.value.1) + 64)
                })
                .time_to_idle(idle)
                .build(),
            cards: moka::future::Cache::builder()
                .max_capacity(16 << 20)
                .weigher(|_: &(Uuid, Locale), v: &Arc<Stamped<Box<str>>>| {
                    weight(v.value.len() + 64)
                })
                .time_to_idle(idle)
                .build(),
            colleagues: moka::future::Cache::builder()
                .max_capacity(20_000)
                .time_to_live(COLLEAGUES_FOR)
                .build(),
        }
    }
}

/// The stamp of anything hashable.
pub fn stamp(of: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    of.hash(&mut h);
    h.finish()
}

impl LearnerPages {
    /// The learner's page frame in `locale`, if kept with this stamp.
    pub async fn shell(&self, user: Uuid, locale: Locale, stamp: u64) -> Option<Arc<KeptShell>> {
        self.shells
            .get(&(user, locale))
            .await
            .filter(|s| s.stamp == stamp)
    }

    pub async fn keep_shell(&self, user: Uuid, locale: Locale, kept: Arc<KeptShell>) {
        self.shells.insert((user, locale), kept).await;
    }

    /// An enrolment's card in `locale`, if kept with this stamp.
    pub async fn card(
        &self,
        enrolment: Uuid,
        locale: Locale,
        stamp: u64,
    ) -> Option<Arc<Stamped<Box<str>>>> {
        self.cards
            .get(&(enrolment, locale))
            .await
            .filter(|c| c.stamp == stamp)
    }

    pub async fn keep_card(&self, enrolment: Uuid, locale: Locale, kept: Arc<Stamped<Box<str>>>) {
        self.cards.insert((enrolment, locale), kept).await;
    }

    /// Courses popular with the learner's colleagues, if read lately.
    pub async fn colleagues(
        &self,
        user: Uuid,
        locale: Locale,
    ) -> Option<Arc<Vec<ColleagueCourse>>> {
        self.colleagues.get(&(user, locale)).await
    }

    pub async fn keep_colleagues(
        &self,
        user: Uuid,
        locale: Locale,
        found: Arc<Vec<ColleagueCourse>>,
    ) {
        self.colleagues.insert((user, locale), found).await;
    }
}
