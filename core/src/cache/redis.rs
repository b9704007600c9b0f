//! The cache adapter for production: Redis, shared by every process.

use std::time::Duration;

use super::{BoxFuture, CacheStore};
use crate::redis_link::RedisLink;

/// Redis behind a circuit breaker (see [`RedisLink`]).
pub(super) struct RedisStore {
    link: RedisLink,
}

/// Compare-and-set on the `<version>:` prefix, atomic inside Redis.
const SET_IF_NEWER: &str = r#"
local current = redis.call('GET', KEYS[1])
if current then
  local v = tonumber(string.match(current, '^(%d+):'))
  if v and v > tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"#;

impl RedisStore {
    pub(super) fn new(url: &str) -> Result<Self, String> {
        Ok(Self {
            link: RedisLink::new(url, "cache")?,
        })
    }
}

impl CacheStore for RedisStore {
    fn get_many<'a>(&'a self, keys: &'a [String]) -> BoxFuture<'a, Vec<Option<Vec<u8>>>> {
        Box::pin(async move {
            if keys.is_empty() {
                return Ok(vec![]);
            }
            let mut cmd = redis::cmd("MGET");
            cmd.arg(keys);
            self.link.run::<Vec<Option<Vec<u8>>>>(cmd).await
        })
    }
    fn set_if_newer<'a>(
        &'a self,
        key: &'a str,
        version: u64,
        value: Vec<u8>,
        ttl: Duration,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let mut cmd = redis::cmd("EVAL");
            cmd.arg(SET_IF_NEWER)
                .arg(1)
                .arg(key)
                .arg(version)
                .arg(value)
                .arg(ttl.as_millis() as u64);
            self.link.run::<i64>(cmd).await.map(drop)
        })
    }
    fn delete<'a>(&'a self, keys: &'a [String]) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if keys.is_empty() {
                return Ok(());
            }
            let mut cmd = redis::cmd("DEL");
            cmd.arg(keys);
            self.link.run::<()>(cmd).await
        })
    }
    fn name(&self) -> &'static str {
        "redis"
    }
}
