//! The Basic credentials an admin issues to LRS clients. The secret is
//! shown once and kept as an argon2 hash; a verified pair is remembered
//! for a minute (by its SHA-256) so that a busy client is not hashed on
//! every request. Scopes: `read`, `write`, and `own` (reads limited to the
//! statements the client itself stored).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::Lrs;
use crate::{Error, Result, accounts::new_token, entities::xapi_client};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Read,
    Write,
    Own,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Own => "own",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            "own" => Some(Scope::Own),
            _ => None,
        }
    }
}

/// A client as admins and handlers see it (never its secret).
#[derive(Clone, Debug)]
pub struct Client {
    pub id: Uuid,
    pub name: String,
    pub key: String,
    pub scopes: Vec<Scope>,
    pub created_ms: i64,
    pub revoked: bool,
}

impl Client {
    pub fn can(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// Reads are limited to the client's own statements.
    pub fn own_only(&self) -> bool {
        self.can(Scope::Own) && !self.can(Scope::Read)
    }
}

/// A new client with its secret, shown once.
pub struct ClientCreated {
    pub client: Client,
    pub secret: String,
}

fn view(m: xapi_client::Model) -> Client {
    Client {
        id: m.id,
        name: m.name,
        key: m.key,
        scopes: m.scopes.split(' ').filter_map(Scope::parse).collect(),
        created_ms: m.created_at,
        revoked: m.revoked_at.is_some(),
    }
}

const REMEMBER: Duration = Duration::from_secs(60);

/// Verified credentials, by the SHA-256 of `key:secret`.
#[derive(Clone, Default)]
pub(crate) struct AuthCache(Arc<Mutex<HashMap<String, (Instant, Client)>>>);

impl Lrs {
    /// Issues credentials. `scopes` must not be empty.
    pub async fn create_client(&self, name: &str, scopes: &[Scope]) -> Result<ClientCreated> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(Error::Invalid {
                field: "name".into(),
                reason: "give the client a name of 1 to 100 characters".into(),
            });
        }
        if scopes.is_empty() {
            return Err(Error::Invalid {
                field: "scopes".into(),
                reason: "choose at least one scope".into(),
            });
        }
        let key = format!("xk_{}", &new_token("")[..20]);
        let secret = new_token("xs_");
        let to_hash = secret.clone();
        let hash = tokio::task::spawn_blocking(move || {
            Argon2::default()
                .hash_password(to_hash.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| Error::Internal(format!("argon2: {e}")))
        })
        .await
        .map_err(|e| Error::Internal(e.to_string()))??;
        let mut names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let m = xapi_client::ActiveModel {
            id: Set(Uuid::new_v4()),
            name: Set(name.to_owned()),
            key: Set(key),
            secret_hash: Set(hash),
            scopes: Set(names.join(" ")),
            created_at: Set(super::now_ms()),
            revoked_at: Set(None),
        };
        let m = xapi_client::Entity::insert(m)
            .exec_with_returning(&self.db)
            .await?;
        Ok(ClientCreated {
            client: view(m),
            secret,
        })
    }

    pub async fn clients(&self) -> Result<Vec<Client>> {
        Ok(xapi_client::Entity::find()
            .order_by_desc(xapi_client::Column::CreatedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(view)
            .collect())
    }

    /// Revokes a client: its credentials stop working within a minute on
    /// other servers, at once on this one.
    pub async fn revoke_client(&self, id: Uuid) -> Result<()> {
        let res = xapi_client::Entity::update_many()
            .col_expr(xapi_client::Column::RevokedAt, Some(super::now_ms()).into())
            .filter(xapi_client::Column::Id.eq(id))
            .filter(xapi_client::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        self.auth_cache
            .0
            .lock()
            .expect("not poisoned")
            .retain(|_, (_, c)| c.id != id);
        if res.rows_affected == 0 {
            return Err(Error::NotFound { what: "client" });
        }
        Ok(())
    }

    /// The client whose Basic credentials these are, if they are valid.
    pub async fn authenticate(&self, key: &str, secret: &str) -> Result<Option<Client>> {
        let fingerprint = hex::encode(Sha256::digest(format!("{key}:{secret}").as_bytes()));
        if let Some((at, c)) = self
            .auth_cache
            .0
            .lock()
            .expect("not poisoned")
            .get(&fingerprint)
            && at.elapsed() < REMEMBER
        {
            return Ok(Some(c.clone()));
        }
        let Some(m) = xapi_client::Entity::find()
            .filter(xapi_client::Column::Key.eq(key))
            .filter(xapi_client::Column::RevokedAt.is_null())
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let (hash, given) = (m.secret_hash.clone(), secret.to_owned());
        let ok = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|h| {
                    Argon2::default()
                        .verify_password(given.as_bytes(), &h)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        if !ok {
            return Ok(None);
        }
        let c = view(m);
        let mut cache = self.auth_cache.0.lock().expect("not poisoned");
        cache.retain(|_, (at, _)| at.elapsed() < REMEMBER);
        cache.insert(fingerprint, (Instant::now(), c.clone()));
        Ok(Some(c))
    }

    /// The authority of the statements a client stores.
    pub fn authority(&self, c: &Client) -> Value {
        json!({
            "objectType": "Agent",
            "name": c.name,
            "account": { "homePage": self.home.as_str(), "name": c.key }
        })
    }
}
