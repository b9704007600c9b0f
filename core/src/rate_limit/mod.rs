//! Rate limits on sign-in, password reset and the partner API, per address,
//! per client and per key.
//!
//! Every check runs in process. With Redis configured, a check that passes
//! here is also checked in Redis (GCRA, see [`shared`]), so N replicas let
//! through what one would, not N times as much. When Redis does not answer,
//! the in-process limit alone decides: each replica still holds its own
//! limit (the allowance is at most N times the shared one while Redis is
//! away), a limit is never dropped, and no request fails for it.

mod shared;

use std::{
    num::NonZeroU32,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

pub use shared::SharedLimits;

use crate::{
    Error, Result,
    metrics::{self, LimitLabels},
};

/// One limit: `burst` at once, then one every `every`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rule {
    name: &'static str,
    burst: u32,
    every: Duration,
}

impl Rule {
    fn quota(&self) -> Quota {
        Quota::with_period(self.every)
            .expect("a non-zero period")
            .allow_burst(NonZeroU32::new(self.burst.max(1)).expect("a non-zero burst"))
    }
}

/// A limit kept in process, and in Redis when there is one.
struct Limit {
    rule: Rule,
    local: DefaultKeyedRateLimiter<String>,
}

impl Limit {
    fn new(name: &'static str, burst: u32, every: Duration) -> Self {
        let rule = Rule { name, burst, every };
        Self {
            local: RateLimiter::keyed(rule.quota()),
            rule,
        }
    }

    fn per_minute(name: &'static str, n: u32) -> Self {
        let n = n.max(1);
        Self::new(name, n, Duration::from_secs(60) / n)
    }

    async fn check(&self, shared: Option<&SharedLimits>, key: &str) -> Result<()> {
        let count = |outcome, store| {
            metrics::get()
                .rate_limit_checks
                .get_or_create(&LimitLabels {
                    limit: self.rule.name,
                    outcome,
                    store,
                })
                .inc();
        };
        // A replica never lets through more than it would alone.
        if let Err(not_until) = self.local.check_key(&key.to_owned()) {
            count("limited", "local");
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            return Err(limited(wait));
        }
        let Some(shared) = shared else {
            count("allowed", "local");
            return Ok(());
        };
        match shared.check(&self.rule, key).await {
            Ok(None) => {
                count("allowed", "redis");
                Ok(())
            }
            Ok(Some(wait)) => {
                count("limited", "redis");
                Err(limited(wait))
            }
            Err(e) => {
                metrics::get().rate_limit_fallbacks.inc();
                tracing::debug!(error = %e, limit = self.rule.name, "rate limit decided in process: Redis did not answer");
                count("allowed", "local");
                Ok(())
            }
        }
    }
}

fn limited(wait: Duration) -> Error {
    Error::RateLimited {
        retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
    }
}

fn forget_quiet(checks: &AtomicU64, every: u64, limits: &[&Limit]) {
    // Forget keys that have been quiet, so memory stays bounded.
    if checks.fetch_add(1, Ordering::Relaxed).is_multiple_of(every) {
        for l in limits {
            l.local.retain_recent();
        }
    }
}

pub struct AuthLimits {
    sign_in_address: Limit,
    sign_in_client: Limit,
    reset_address: Limit,
    reset_client: Limit,
    shared: Option<Arc<SharedLimits>>,
    checks: AtomicU64,
}

impl Default for AuthLimits {
    /// In process only.
    fn default() -> Self {
        Self::new(None)
    }
}

impl AuthLimits {
    /// Shared through Redis when `shared` is given.
    pub fn new(shared: Option<Arc<SharedLimits>>) -> Self {
        Self {
            // Five tries at one address, then one every 12 s.
            sign_in_address: Limit::new("sign_in_address", 5, Duration::from_secs(12)),
            // A shared office connection may have many people signing in.
            sign_in_client: Limit::new("sign_in_client", 30, Duration::from_secs(2)),
            reset_address: Limit::new("reset_address", 3, Duration::from_secs(300)),
            reset_client: Limit::new("reset_client", 10, Duration::from_secs(6)),
            shared,
            checks: AtomicU64::new(0),
        }
    }

    fn housekeeping(&self) {
        forget_quiet(
            &self.checks,
            1024,
            &[
                &self.sign_in_address,
                &self.sign_in_client,
                &self.reset_address,
                &self.reset_client,
            ],
        );
    }

    pub async fn sign_in(&self, address: &str, client: &str) -> Result<()> {
        self.housekeeping();
        let shared = self.shared.as_deref();
        self.sign_in_client.check(shared, client).await?;
        self.sign_in_address
            .check(shared, &address.trim().to_lowercase())
            .await
    }

    pub async fn password_reset(&self, address: &str, client: &str) -> Result<()> {
        self.housekeeping();
        let shared = self.shared.as_deref();
        self.reset_client.check(shared, client).await?;
        self.reset_address
            .check(shared, &address.trim().to_lowercase())
            .await
    }
}

/// Partner API reads: a lower limit per client address for anonymous
/// reads, a higher one per API key.
pub struct PartnerLimits {
    anonymous: Limit,
    keyed: Limit,
    shared: Option<Arc<SharedLimits>>,
    checks: AtomicU64,
}

impl PartnerLimits {
    pub fn new(anonymous_per_minute: u32, key_per_minute: u32) -> Self {
        Self {
            anonymous: Limit::per_minute("partner_anonymous", anonymous_per_minute),
            keyed: Limit::per_minute("partner_key", key_per_minute),
            shared: None,
            checks: AtomicU64::new(0),
        }
    }

    /// Shares the limits through Redis.
    pub fn with_shared(mut self, shared: Option<Arc<SharedLimits>>) -> Self {
        self.shared = shared;
        self
    }

    fn housekeeping(&self) {
        forget_quiet(&self.checks, 4096, &[&self.anonymous, &self.keyed]);
    }

    pub async fn anonymous(&self, client: &str) -> Result<()> {
        self.housekeeping();
        self.anonymous.check(self.shared.as_deref(), client).await
    }

    pub async fn key(&self, key_id: uuid::Uuid) -> Result<()> {
        self.housekeeping();
        self.keyed
            .check(self.shared.as_deref(), &key_id.to_string())
            .await
    }
}

/// Posting in discussions, per person: ten posts at once, then one every
/// twenty seconds (enough for a conversation, not for a flood).
pub struct PostLimits {
    per_person: Limit,
    /// Reports of posts: five at once, then one a minute.
    reports: Limit,
    shared: Option<Arc<SharedLimits>>,
    checks: AtomicU64,
}

impl Default for PostLimits {
    /// In process only.
    fn default() -> Self {
        Self::new(None)
    }
}

impl PostLimits {
    /// Shared through Redis when `shared` is given.
    pub fn new(shared: Option<Arc<SharedLimits>>) -> Self {
        Self {
            per_person: Limit::new("discussion_post", 10, Duration::from_secs(20)),
            reports: Limit::new("discussion_report", 5, Duration::from_secs(60)),
            shared,
            checks: AtomicU64::new(0),
        }
    }

    pub async fn post(&self, user_id: uuid::Uuid) -> Result<()> {
        forget_quiet(&self.checks, 1024, &[&self.per_person, &self.reports]);
        self.per_person
            .check(self.shared.as_deref(), &user_id.to_string())
            .await
    }

    pub async fn report(&self, user_id: uuid::Uuid) -> Result<()> {
        forget_quiet(&self.checks, 1024, &[&self.per_person, &self.reports]);
        self.reports
            .check(self.shared.as_deref(), &user_id.to_string())
            .await
    }
}

/// The shared store when Redis is configured, else `None` (in process only).
/// "Contact this city", per sender: three messages at once, then one every
/// twenty minutes (enough to reach a few cities, not to spam them).
pub struct ContactLimits {
    per_sender: Limit,
    shared: Option<Arc<SharedLimits>>,
    checks: AtomicU64,
}

impl Default for ContactLimits {
    /// In process only.
    fn default() -> Self {
        Self::new(None)
    }
}

impl ContactLimits {
    /// Shared through Redis when `shared` is given.
    pub fn new(shared: Option<Arc<SharedLimits>>) -> Self {
        Self {
            per_sender: Limit::new("practice_contact", 3, Duration::from_secs(20 * 60)),
            shared,
            checks: AtomicU64::new(0),
        }
    }

    pub async fn message(&self, sender: uuid::Uuid) -> Result<()> {
        forget_quiet(&self.checks, 1024, &[&self.per_sender]);
        self.per_sender
            .check(self.shared.as_deref(), &sender.to_string())
            .await
    }
}

pub fn shared_from_config(redis_url: Option<&str>) -> Result<Option<Arc<SharedLimits>>, String> {
    redis_url
        .map(|url| SharedLimits::new(url).map(Arc::new))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sign_in_is_limited_per_address() {
        let limits = AuthLimits::default();
        for _ in 0..5 {
            limits.sign_in("a@city.gov", "10.0.0.1").await.unwrap();
        }
        match limits.sign_in("A@City.gov ", "10.0.0.2").await {
            Err(Error::RateLimited { retry_after_secs }) => {
                assert!((1..=12).contains(&retry_after_secs))
            }
            other => panic!("{other:?}"),
        }
        limits.sign_in("b@city.gov", "10.0.0.1").await.unwrap();
    }

    #[tokio::test]
    async fn partner_keys_have_their_own_allowance() {
        let limits = PartnerLimits::new(2, 5);
        limits.anonymous("10.0.0.1").await.unwrap();
        limits.anonymous("10.0.0.1").await.unwrap();
        assert!(matches!(
            limits.anonymous("10.0.0.1").await,
            Err(Error::RateLimited { retry_after_secs }) if retry_after_secs >= 1
        ));
        let key = uuid::Uuid::new_v4();
        for _ in 0..5 {
            limits.key(key).await.unwrap();
        }
        assert!(limits.key(key).await.is_err());
        limits.key(uuid::Uuid::new_v4()).await.unwrap();
    }

    #[tokio::test]
    async fn an_unreachable_redis_leaves_the_limit_in_process() {
        // Nothing listens on port 1: every shared check fails at once.
        let shared = shared_from_config(Some("redis://127.0.0.1:1")).unwrap();
        let limits = AuthLimits::new(shared);
        for _ in 0..5 {
            limits.sign_in("c@city.gov", "10.0.0.3").await.unwrap();
        }
        assert!(matches!(
            limits.sign_in("c@city.gov", "10.0.0.3").await,
            Err(Error::RateLimited { .. })
        ));
    }
}
