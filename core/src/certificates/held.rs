//! A learner's certificates kept in the cache port, so that "my learning"
//! reads no certificate from the database.
//!
//! Whoever changes a certificate (the worker issuing or storing it, an admin
//! revoking it) writes the learner's new list at once. The list's version
//! only grows (each certificate counts once, again when its PDF is stored,
//! and again when it is revoked), so a reader holding an older list can
//! never write it over a newer one. A list is trusted for a minute at most,
//! in case a writer could not reach this cache (a worker in another process
//! with no shared Redis).

use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Verification, for_user};
use crate::{Result, cache::Cache};

const TRUSTED_SECONDS: i64 = 60;

#[derive(Serialize, Deserialize)]
struct Held {
    at: OffsetDateTime,
    list: Vec<Verification>,
}

fn key(user_id: Uuid) -> String {
    format!("agora:certificates:v1:{user_id}")
}

fn version(list: &[Verification]) -> u64 {
    list.iter()
        .map(|v| 1 + u64::from(v.ready) + u64::from(v.revoked_at.is_some()))
        .sum()
}

/// The learner's certificates, newest first, from the cache port.
pub async fn held_by(
    db: &DatabaseConnection,
    cache: &Cache,
    user_id: Uuid,
) -> Result<Vec<Verification>> {
    let key = key(user_id);
    if let Some(Some(bytes)) = cache.get_many(std::slice::from_ref(&key)).await.pop()
        && let Ok(h) = serde_json::from_slice::<Held>(&bytes)
        && (OffsetDateTime::now_utc() - h.at).whole_seconds() < TRUSTED_SECONDS
    {
        return Ok(h.list);
    }
    refresh(db, cache, user_id).await
}

/// Reads the learner's certificates from the database into the cache: after
/// every change to one of them.
pub async fn refresh(
    db: &DatabaseConnection,
    cache: &Cache,
    user_id: Uuid,
) -> Result<Vec<Verification>> {
    let list = for_user(db, user_id).await?;
    let held = Held {
        at: OffsetDateTime::now_utc(),
        list,
    };
    let json = serde_json::to_vec(&held).expect("certificates serialise");
    cache.set(&key(user_id), version(&held.list), &json).await;
    Ok(held.list)
}
