//! Agora's RSA keys for LTI: made on first use and kept in the database
//! (table `lti_keys`; back it up with the database), rotated on demand. The
//! newest signs; every key stays published at the JWKS URL, so what an
//! older key signed still verifies while platforms refresh their cache.

use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::{
    RsaPrivateKey,
    pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey},
    traits::PublicKeyParts,
};
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    sea_query::{Expr, OnConflict},
};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::Lti;
use crate::{Error, Result, entities::lti_key};

const STD: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Agora's public keys, as a JSON Web Key Set.
#[derive(Clone, Debug, Serialize)]
pub struct Jwks {
    pub keys: Vec<serde_json::Value>,
}

/// The key that signs now. Its `Debug` never shows the secret.
pub(super) struct SigningKey {
    pub(super) kid: String,
    key: EncodingKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// `claims`, signed RS256 with this key's `kid`.
    pub(super) fn sign(&self, claims: &serde_json::Value) -> Result<String> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.key)
            .map_err(|e| Error::Internal(format!("signing a JWT: {e}")))
    }
}

fn der_of(m: &lti_key::Model) -> Result<Vec<u8>> {
    STD.decode(&m.private_key)
        .map_err(|_| Error::Internal("a stored LTI key is damaged".into()))
}

fn public_jwk(m: &lti_key::Model) -> Result<serde_json::Value> {
    let key = RsaPrivateKey::from_pkcs1_der(&der_of(m)?)
        .map_err(|_| Error::Internal("a stored LTI key is damaged".into()))?;
    Ok(serde_json::json!({
        "kty": "RSA",
        "alg": "RS256",
        "use": "sig",
        "kid": m.kid,
        "n": URL.encode(key.n().to_bytes_be()),
        "e": URL.encode(key.e().to_bytes_be()),
    }))
}

async fn generate() -> Result<String> {
    tokio::task::spawn_blocking(|| {
        let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
            .map_err(|e| Error::Internal(format!("generating an RSA key: {e}")))?;
        let der = key
            .to_pkcs1_der()
            .map_err(|e| Error::Internal(format!("encoding an RSA key: {e}")))?;
        Ok(STD.encode(der.as_bytes()))
    })
    .await
    .map_err(|e| Error::Internal(format!("key generation stopped: {e}")))?
}

impl Lti {
    /// Adds a key named after the count of keys so far: two replicas making
    /// the first key at once make one (the other's insert is ignored).
    async fn add_key(&self) -> Result<String> {
        let private_key = generate().await?;
        let count = lti_key::Entity::find().count(&self.db).await?;
        let kid = format!("agora-lti-{}", count + 1);
        lti_key::Entity::insert(lti_key::ActiveModel {
            id: Set(Uuid::new_v4()),
            kid: Set(kid.clone()),
            private_key: Set(private_key),
            created_at: Set(OffsetDateTime::now_utc()),
            retired_at: Set(None),
        })
        .on_conflict(
            OnConflict::column(lti_key::Column::Kid)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        Ok(kid)
    }

    async fn newest_active(&self) -> Result<Option<lti_key::Model>> {
        Ok(lti_key::Entity::find()
            .filter(lti_key::Column::RetiredAt.is_null())
            .order_by_desc(lti_key::Column::CreatedAt)
            .order_by_desc(lti_key::Column::Kid)
            .one(&self.db)
            .await?)
    }

    /// The key that signs now, made if there is none yet.
    pub(super) async fn signing_key(&self) -> Result<SigningKey> {
        let m = match self.newest_active().await? {
            Some(m) => m,
            None => {
                self.add_key().await?;
                self.newest_active()
                    .await?
                    .ok_or_else(|| Error::Internal("no LTI key could be made".into()))?
            }
        };
        Ok(SigningKey {
            key: EncodingKey::from_rsa_der(&der_of(&m)?),
            kid: m.kid,
        })
    }

    /// Every key Agora holds (made on first call), for the JWKS URL.
    pub async fn jwks(&self) -> Result<Jwks> {
        if self.newest_active().await?.is_none() {
            self.add_key().await?;
        }
        let keys = lti_key::Entity::find()
            .order_by_desc(lti_key::Column::CreatedAt)
            .all(&self.db)
            .await?;
        Ok(Jwks {
            keys: keys.iter().map(public_jwk).collect::<Result<_>>()?,
        })
    }

    /// Makes a new signing key and retires the others (still published).
    pub async fn rotate_key(&self) -> Result<String> {
        let kid = self.add_key().await?;
        lti_key::Entity::update_many()
            .col_expr(
                lti_key::Column::RetiredAt,
                Expr::value(Some(OffsetDateTime::now_utc())),
            )
            .filter(lti_key::Column::RetiredAt.is_null())
            .filter(lti_key::Column::Kid.ne(kid.as_str()))
            .exec(&self.db)
            .await?;
        Ok(kid)
    }
}
