//! Partner API keys: shown once, stored hashed, scoped, revocable and
//! optionally expiring; and who holds a key presented with a request.

use std::sync::Arc;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Partners, now, parse_name};
use crate::{
    Error, Result,
    accounts::{new_token, token_hash},
    entities::{partner, partner_key},
};

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    /// Read the partner's collections (with the key's higher rate limit).
    CatalogueRead,
    /// Read the partner's visit and enrolment counts.
    StatsRead,
}

impl Scope {
    pub const ALL: [Scope; 2] = [Scope::CatalogueRead, Scope::StatsRead];
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::CatalogueRead => "catalogue:read",
            Scope::StatsRead => "stats:read",
        }
    }
}

impl std::str::FromStr for Scope {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "catalogue:read" => Ok(Scope::CatalogueRead),
            "stats:read" => Ok(Scope::StatsRead),
            _ => Err("expected catalogue:read or stats:read".into()),
        }
    }
}

/// A key as listed: never the secret.
#[derive(Clone, Debug)]
pub struct KeyInfo {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<Scope>,
    pub created_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
    pub last_used_at: Option<OffsetDateTime>,
}

impl From<partner_key::Model> for KeyInfo {
    fn from(k: partner_key::Model) -> Self {
        KeyInfo {
            scopes: parse_scopes(&k.scopes),
            id: k.id,
            name: k.name,
            prefix: k.key_prefix,
            created_at: k.created_at,
            expires_at: k.expires_at,
            revoked_at: k.revoked_at,
            last_used_at: k.last_used_at,
        }
    }
}

fn parse_scopes(s: &str) -> Vec<Scope> {
    s.split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect()
}

/// A freshly made key: the only time its secret exists outside the caller.
pub struct NewKey {
    pub info: KeyInfo,
    pub key: String,
}

/// Who presented a valid key.
#[derive(Clone, Debug)]
pub struct KeyHolder {
    pub key_id: Uuid,
    pub partner_id: Uuid,
    pub partner_slug: String,
    pub scopes: Vec<Scope>,
    expires_at: Option<OffsetDateTime>,
}

impl KeyHolder {
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

impl Partners {
    /// Makes a key; its secret is in the answer and nowhere else.
    pub async fn create_key(
        &self,
        partner_slug: &str,
        name: &str,
        scopes: &[String],
        expires_at: Option<OffsetDateTime>,
    ) -> Result<NewKey> {
        let p = self.get(partner_slug).await?;
        let name = parse_name("name", name, 100)?;
        if scopes.is_empty() || scopes.len() > 10 {
            return Err(Error::invalid(
                "scopes",
                "give at least one scope: catalogue:read, stats:read",
            ));
        }
        let mut parsed: Vec<Scope> = Vec::new();
        for s in scopes {
            let s: Scope = s.parse().map_err(|e: String| Error::invalid("scopes", e))?;
            if !parsed.contains(&s) {
                parsed.push(s);
            }
        }
        if let Some(at) = expires_at {
            if at <= now() {
                return Err(Error::invalid(
                    "expires_at",
                    "the expiry must be in the future",
                ));
            }
            if at > now() + time::Duration::days(3 * 366) {
                return Err(Error::invalid(
                    "expires_at",
                    "a key expires within three years, or never",
                ));
            }
        }
        let key = new_token("agp_");
        let model = partner_key::ActiveModel {
            id: Set(Uuid::new_v4()),
            partner_id: Set(p.id),
            name: Set(name),
            key_hash: Set(token_hash(&key)),
            key_prefix: Set(key.chars().take(10).collect()),
            scopes: Set(parsed
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ")),
            created_at: Set(now()),
            expires_at: Set(expires_at),
            revoked_at: Set(None),
            last_used_at: Set(None),
        }
        .insert(&self.db)
        .await?;
        Ok(NewKey {
            info: model.into(),
            key,
        })
    }

    pub async fn list_keys(&self, partner_slug: &str) -> Result<Vec<KeyInfo>> {
        let p = self.get(partner_slug).await?;
        Ok(partner_key::Entity::find()
            .filter(partner_key::Column::PartnerId.eq(p.id))
            .order_by_desc(partner_key::Column::CreatedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(KeyInfo::from)
            .collect())
    }

    pub async fn revoke_key(&self, partner_slug: &str, key_id: Uuid) -> Result<()> {
        let p = self.get(partner_slug).await?;
        let res = partner_key::Entity::update_many()
            .col_expr(partner_key::Column::RevokedAt, Expr::value(Some(now())))
            .filter(partner_key::Column::Id.eq(key_id))
            .filter(partner_key::Column::PartnerId.eq(p.id))
            .filter(partner_key::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(Error::NotFound { what: "key" });
        }
        if let Some(k) = partner_key::Entity::find_by_id(key_id)
            .one(&self.db)
            .await?
        {
            self.keys.invalidate(&k.key_hash).await;
        }
        Ok(())
    }

    /// The holder of a key; unknown, revoked and expired keys are refused alike.
    pub async fn authenticate(&self, key: &str) -> Result<Arc<KeyHolder>> {
        let refused = || Error::Unauthorized {
            reason: "the API key is unknown, revoked or expired",
        };
        if !key.starts_with("agp_") || key.len() > 200 {
            return Err(refused());
        }
        let hash = token_hash(key);
        let holder = match self.keys.get(&hash).await {
            Some(h) => h,
            None => {
                let found = key_with_partner(&self.db, &hash).await?;
                let h = found.map(|(k, p)| {
                    Arc::new(KeyHolder {
                        key_id: k.id,
                        partner_id: p.id,
                        partner_slug: p.slug,
                        scopes: parse_scopes(&k.scopes),
                        expires_at: k.expires_at,
                    })
                });
                if let Some(h) = &h {
                    // Recording use on a cache miss keeps reads cheap: at most
                    // one write per key per lookup period.
                    partner_key::Entity::update_many()
                        .col_expr(partner_key::Column::LastUsedAt, Expr::value(Some(now())))
                        .filter(partner_key::Column::Id.eq(h.key_id))
                        .exec(&self.db)
                        .await?;
                }
                self.keys.insert(hash, h.clone()).await;
                h
            }
        };
        match holder {
            Some(h) if h.expires_at.is_none_or(|at| at > now()) => Ok(h),
            _ => Err(refused()),
        }
    }
}

/// An unrevoked key's row with its partner.
async fn key_with_partner(
    db: &DatabaseConnection,
    hash: &str,
) -> Result<Option<(partner_key::Model, partner::Model)>> {
    let Some(k) = partner_key::Entity::find()
        .filter(partner_key::Column::KeyHash.eq(hash))
        .filter(partner_key::Column::RevokedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let p = partner::Entity::find_by_id(k.partner_id).one(db).await?;
    Ok(p.map(|p| (k, p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip() {
        for s in Scope::ALL {
            assert_eq!(s.as_str().parse::<Scope>().unwrap(), s);
        }
        assert_eq!(
            parse_scopes("catalogue:read bogus stats:read"),
            vec![Scope::CatalogueRead, Scope::StatsRead]
        );
    }
}
