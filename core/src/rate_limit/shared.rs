//! Rate limits shared by every replica: GCRA in one Lua script in Redis.
//!
//! GCRA keeps one number per key, the theoretical arrival time (TAT) of the
//! next request. A request is let through when `now >= TAT + interval -
//! burst * interval`, and moves TAT on by one interval. The script reads the
//! clock of Redis itself, so replicas whose clocks differ still agree.

use std::time::Duration;

use sha2::{Digest, Sha256};

use super::Rule;
use crate::redis_link::{LuaScript, RedisLink};

/// KEYS[1]: the key. ARGV[1]: interval (µs). ARGV[2]: burst.
/// Returns {1, 0} when allowed, {0, µs to wait} when limited.
static GCRA: LuaScript = LuaScript::new(
    r#"
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - burst * interval
if now < allow_at then
  return {0, allow_at - now}
end
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
return {1, 0}
"#,
);

/// The limits' store in Redis.
pub struct SharedLimits {
    link: RedisLink,
}

impl SharedLimits {
    pub fn new(redis_url: &str) -> Result<Self, String> {
        Ok(Self {
            link: RedisLink::new(redis_url, "rate_limit")?,
        })
    }

    /// `Ok(None)` lets the request through, `Ok(Some(wait))` refuses it;
    /// an error means Redis did not answer, and the caller decides.
    pub(super) async fn check(&self, rule: &Rule, key: &str) -> Result<Option<Duration>, String> {
        // Addresses are personal data: Redis holds only their digest.
        let digest = hex::encode(&Sha256::digest(key.as_bytes())[..16]);
        let redis_key = format!("agora:rate:v1:{}:{digest}", rule.name);
        let interval = i64::try_from(rule.every.as_micros()).unwrap_or(i64::MAX);
        let answer: Vec<i64> = self
            .link
            .eval(&GCRA, &[&redis_key], &[interval, i64::from(rule.burst)])
            .await?;
        match answer.as_slice() {
            [1, ..] => Ok(None),
            [0, wait_us] => Ok(Some(Duration::from_micros((*wait_us).max(0) as u64))),
            other => Err(format!("the rate limit script answered {other:?}")),
        }
    }
}
