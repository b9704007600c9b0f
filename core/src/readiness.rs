//! `/ready`: is the database and every configured backend reachable?

use std::time::Duration;

use sea_orm::DatabaseConnection;

use crate::config::Config;

#[derive(Clone, Debug)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    /// A short reason when not ok; never a secret or a raw backend message.
    pub detail: Option<String>,
}

const TIMEOUT: Duration = Duration::from_secs(2);

/// Checks each backend in turn, each bounded by a short timeout.
pub async fn check_all(
    config: &Config,
    db: &DatabaseConnection,
    http: &reqwest::Client,
) -> Vec<Check> {
    let mut checks = vec![outcome(
        "database",
        tokio::time::timeout(TIMEOUT, crate::db::ping(db)).await,
    )];
    if let Some(url) = &config.redis_url {
        checks.push(outcome(
            "redis",
            tokio::time::timeout(TIMEOUT, ping_redis(url.expose().as_str())).await,
        ));
    }
    if let Some(url) = &config.meili_url {
        let health = url.join("health").expect("a base URL joins a path");
        checks.push(outcome(
            "search",
            tokio::time::timeout(TIMEOUT, get_ok(http, health)).await,
        ));
    }
    if let Some(url) = &config.s3_endpoint {
        // Any HTTP answer shows the S3 server is up; credentials are checked when it is used.
        checks.push(outcome(
            "storage",
            tokio::time::timeout(TIMEOUT, reachable(http, url.clone())).await,
        ));
    }
    if let Some(url) = &config.smtp_url {
        let u = url.expose();
        let host = u.host_str().unwrap_or("localhost").to_owned();
        let port = u
            .port()
            .unwrap_or(if u.scheme() == "smtps" { 465 } else { 25 });
        checks.push(outcome(
            "mail",
            tokio::time::timeout(TIMEOUT, async move {
                tokio::net::TcpStream::connect((host.as_str(), port))
                    .await
                    .map(drop)
            })
            .await,
        ));
    }
    checks
}

fn outcome<E: std::fmt::Display>(
    name: &'static str,
    r: Result<Result<(), E>, tokio::time::error::Elapsed>,
) -> Check {
    match r {
        Ok(Ok(())) => Check {
            name,
            ok: true,
            detail: None,
        },
        Ok(Err(e)) => {
            tracing::warn!(backend = name, error = %e, "readiness check failed");
            Check {
                name,
                ok: false,
                detail: Some("unreachable".into()),
            }
        }
        Err(_) => Check {
            name,
            ok: false,
            detail: Some("timed out".into()),
        },
    }
}

async fn ping_redis(url: &str) -> Result<(), redis::RedisError> {
    let client = redis::Client::open(url)?;
    let mut conn = client.get_multiplexed_async_connection().await?;
    redis::cmd("PING")
        .query_async::<String>(&mut conn)
        .await
        .map(drop)
}

async fn get_ok(http: &reqwest::Client, url: url::Url) -> Result<(), reqwest::Error> {
    http.get(url).send().await?.error_for_status().map(drop)
}

async fn reachable(http: &reqwest::Client, url: url::Url) -> Result<(), reqwest::Error> {
    http.get(url).send().await.map(drop)
}
