//! Redis stops under load and comes back: the cache and the shared rate
//! limits fall back to the process, and no request fails.

use super::{Cast, Stage, seconds};
use crate::e2e::cache::RedisProcess;

#[tokio::test]
async fn redis_stopped_under_load_fails_no_request() {
    let mut redis = RedisProcess::start();
    let down = seconds(2, 10);
    let stage = Stage::start(Cast {
        env: vec![("AGORA_REDIS_URL".into(), redis.url())],
        ..Cast::default()
    })
    .await;
    let load = stage.load();
    stage.served(&load, 20, "before the fault").await;
    redis.stop();
    tokio::time::sleep(down).await;
    redis.restart();
    stage.served(&load, 40, "after Redis came back").await;
    let tally = load.stop().await;
    stage
        .close(&format!("Redis stopped for {} s", down.as_secs()), &tally)
        .await;
    assert_eq!(tally.errors, Default::default(), "no request failed");
}
