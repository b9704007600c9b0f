//! Rate limits shared through Redis: two replicas let through what one
//! would, and a Redis outage leaves each replica its own limit, never a 500.

use agora_tests::{ServerOptions, TestServer};

use super::{
    cache::RedisProcess,
    metrics::{TOKEN, scrape, total},
};

/// Five tries at one address, then one every 12 s (core's `AuthLimits`).
const SIGN_IN_BURST: usize = 5;

async fn try_sign_in(http: &reqwest::Client, base: &str, email: &str) -> u16 {
    let r = http
        .post(format!("{base}/api/v1/auth/sign-in"))
        .json(&serde_json::json!({ "email": email, "password": "not the password" }))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    if status == 429 {
        let wait: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=12).contains(&wait), "Retry-After {wait}");
    }
    status
}

#[tokio::test]
async fn sign_in_limits_hold_across_two_replicas_and_survive_redis() {
    let mut redis = RedisProcess::start();
    let env = vec![
        ("AGORA_REDIS_URL".to_owned(), redis.url()),
        ("AGORA_METRICS_TOKEN".to_owned(), TOKEN.to_owned()),
    ];
    let a = TestServer::start_with(ServerOptions {
        env: env.clone(),
        ..Default::default()
    })
    .await;
    let b = a.replica(&env).await;
    let replicas = [(&a.http, a.base.as_str()), (&b.http, b.base.as_str())];

    // Eight tries on each replica, in turn, at one address.
    let mut allowed = [0usize; 2];
    let mut limited = [0usize; 2];
    for _ in 0..8 {
        for (i, (http, base)) in replicas.iter().enumerate() {
            match try_sign_in(http, base, "target@city.gov").await {
                429 => limited[i] += 1,
                s if s < 500 => allowed[i] += 1,
                s => panic!("sign-in answered {s}"),
            }
        }
    }
    // One limit for both, not one each: 5 in all, not 10.
    assert_eq!(
        allowed.iter().sum::<usize>(),
        SIGN_IN_BURST,
        "allowed {allowed:?}, limited {limited:?}"
    );
    assert!(allowed.iter().all(|&n| n >= 2), "{allowed:?}");
    assert!(limited.iter().all(|&n| n >= 5), "{limited:?}");
    let figures = scrape(&b.http, &b.base).await;
    assert!(
        total(
            &figures,
            "agora_rate_limit_checks_total",
            &[
                ("limit", "sign_in_address"),
                ("store", "redis"),
                ("outcome", "limited")
            ]
        ) >= 1.0
    );

    // Redis goes away: each replica falls back to its own limit, which
    // still holds, and nothing fails.
    redis.stop();
    let mut statuses = Vec::new();
    for _ in 0..(SIGN_IN_BURST + 2) {
        statuses.push(try_sign_in(&a.http, &a.base, "other@city.gov").await);
    }
    assert!(statuses.iter().all(|&s| s < 500), "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|&&s| s != 429).count(),
        SIGN_IN_BURST,
        "{statuses:?}"
    );
    let figures = scrape(&a.http, &a.base).await;
    assert!(total(&figures, "agora_rate_limit_redis_fallbacks_total", &[]) >= 1.0);
    assert_eq!(
        total(
            &figures,
            "agora_redis_circuit_open",
            &[("user", "rate_limit")]
        ),
        1.0
    );
}
