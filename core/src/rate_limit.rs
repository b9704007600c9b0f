//! Rate limits on sign-in and password reset, per address and per client.

use std::{
    num::NonZeroU32,
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

use crate::{Error, Result};

pub struct AuthLimits {
    sign_in_address: DefaultKeyedRateLimiter<String>,
    sign_in_client: DefaultKeyedRateLimiter<String>,
    reset_address: DefaultKeyedRateLimiter<String>,
    reset_client: DefaultKeyedRateLimiter<String>,
    checks: AtomicU64,
}

fn quota(burst: u32, every: Duration) -> Quota {
    Quota::with_period(every)
        .expect("a non-zero period")
        .allow_burst(NonZeroU32::new(burst).expect("a non-zero burst"))
}

impl Default for AuthLimits {
    fn default() -> Self {
        Self {
            // Five tries at one address, then one every 12 s.
            sign_in_address: RateLimiter::keyed(quota(5, Duration::from_secs(12))),
            // A shared office connection may have many people signing in.
            sign_in_client: RateLimiter::keyed(quota(30, Duration::from_secs(2))),
            reset_address: RateLimiter::keyed(quota(3, Duration::from_secs(300))),
            reset_client: RateLimiter::keyed(quota(10, Duration::from_secs(6))),
            checks: AtomicU64::new(0),
        }
    }
}

fn check(limiter: &DefaultKeyedRateLimiter<String>, key: &str) -> Result<()> {
    limiter.check_key(&key.to_owned()).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        Error::RateLimited {
            retry_after_secs: wait.as_secs().max(1),
        }
    })
}

impl AuthLimits {
    fn housekeeping(&self) {
        // Forget keys that have been quiet, so memory stays bounded.
        if self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(1024)
        {
            for l in [
                &self.sign_in_address,
                &self.sign_in_client,
                &self.reset_address,
                &self.reset_client,
            ] {
                l.retain_recent();
            }
        }
    }

    pub fn sign_in(&self, address: &str, client: &str) -> Result<()> {
        self.housekeeping();
        check(&self.sign_in_client, client)?;
        check(&self.sign_in_address, &address.trim().to_lowercase())
    }

    pub fn password_reset(&self, address: &str, client: &str) -> Result<()> {
        self.housekeeping();
        check(&self.reset_client, client)?;
        check(&self.reset_address, &address.trim().to_lowercase())
    }
}

/// Partner API reads: a lower limit per client address for anonymous
/// reads, a higher one per API key.
pub struct PartnerLimits {
    anonymous: DefaultKeyedRateLimiter<String>,
    keyed: DefaultKeyedRateLimiter<uuid::Uuid>,
    checks: AtomicU64,
}

fn per_minute(n: u32) -> Quota {
    let n = NonZeroU32::new(n.max(1)).expect("at least one");
    Quota::per_minute(n).allow_burst(n)
}

impl PartnerLimits {
    pub fn new(anonymous_per_minute: u32, key_per_minute: u32) -> Self {
        Self {
            anonymous: RateLimiter::keyed(per_minute(anonymous_per_minute)),
            keyed: RateLimiter::keyed(per_minute(key_per_minute)),
            checks: AtomicU64::new(0),
        }
    }

    fn housekeeping(&self) {
        if self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(4096)
        {
            self.anonymous.retain_recent();
            self.keyed.retain_recent();
        }
    }

    pub fn anonymous(&self, client: &str) -> Result<()> {
        self.housekeeping();
        check(&self.anonymous, client)
    }

    pub fn key(&self, key_id: uuid::Uuid) -> Result<()> {
        self.housekeeping();
        self.keyed.check_key(&key_id).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            Error::RateLimited {
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_is_limited_per_address() {
        let limits = AuthLimits::default();
        for _ in 0..5 {
            limits.sign_in("a@city.gov", "10.0.0.1").unwrap();
        }
        match limits.sign_in("A@City.gov ", "10.0.0.2") {
            Err(Error::RateLimited { retry_after_secs }) => {
                assert!((1..=12).contains(&retry_after_secs))
            }
            other => panic!("{other:?}"),
        }
        limits.sign_in("b@city.gov", "10.0.0.1").unwrap();
    }

    #[test]
    fn partner_keys_have_their_own_allowance() {
        let limits = PartnerLimits::new(2, 5);
        limits.anonymous("10.0.0.1").unwrap();
        limits.anonymous("10.0.0.1").unwrap();
        assert!(matches!(
            limits.anonymous("10.0.0.1"),
            Err(Error::RateLimited { retry_after_secs }) if retry_after_secs >= 1
        ));
        let key = uuid::Uuid::new_v4();
        for _ in 0..5 {
            limits.key(key).unwrap();
        }
        assert!(limits.key(key).is_err());
        limits.key(uuid::Uuid::new_v4()).unwrap();
    }
}
