//! The issuer's Ed25519 keys: generated on first start and kept in the
//! database, or given by configuration (then only its public half is
//! stored). Rotation retires the active key but keeps it, so credentials it
//! signed stay verifiable through the DID document.

use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::{Expr, OnConflict},
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Error, Result, config::Secret, entities::credential_key};

/// The multicodec prefix of an Ed25519 public key in a Multikey.
const ED25519_PUB: [u8; 2] = [0xed, 0x01];

/// `z6Mk...`: a public key as a Multikey `publicKeyMultibase`.
pub fn public_multibase(key: &VerifyingKey) -> String {
    let mut bytes = ED25519_PUB.to_vec();
    bytes.extend_from_slice(key.as_bytes());
    format!("z{}", bs58::encode(bytes).into_string())
}

/// The public key in a `z6Mk...` Multikey, if it is one.
pub fn parse_public_multibase(text: &str) -> Option<VerifyingKey> {
    let bytes = bs58::decode(text.strip_prefix('z')?).into_vec().ok()?;
    let raw: [u8; 32] = bytes.strip_prefix(&ED25519_PUB)?.try_into().ok()?;
    VerifyingKey::from_bytes(&raw).ok()
}

/// A key that signs. Its `Debug` never shows the secret.
pub struct IssuerKey {
    /// The verification method's fragment, `key-1`.
    pub name: String,
    signing: SigningKey,
}

impl std::fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerKey")
            .field("name", &self.name)
            .field("public", &self.public_multibase())
            .field("secret", &"[redacted]")
            .finish()
    }
}

impl IssuerKey {
    pub fn public_multibase(&self) -> String {
        public_multibase(&self.signing.verifying_key())
    }
    /// A fresh key that Agora does not hold: what a forger would sign with.
    pub fn unrelated() -> Self {
        Self {
            name: "unrelated".into(),
            signing: generate(),
        }
    }
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }
}

/// Reads a configured key: the 32-byte Ed25519 seed as 64 hex digits.
pub fn parse_seed(secret: &Secret) -> Result<SigningKey, String> {
    let bytes = hex::decode(secret.expose().trim())
        .map_err(|_| "AGORA_CREDENTIAL_SIGNING_KEY must be 64 hex digits".to_owned())?;
    let seed: [u8; 32] = bytes
        .try_into()
        .map_err(|_| "AGORA_CREDENTIAL_SIGNING_KEY must be 64 hex digits".to_owned())?;
    Ok(SigningKey::from_bytes(&seed))
}

fn generate() -> SigningKey {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).expect("the operating system has randomness");
    SigningKey::from_bytes(&seed)
}

/// Every key ever used, oldest first: the DID document lists them all.
pub async fn all(db: &DatabaseConnection) -> Result<Vec<credential_key::Model>> {
    Ok(credential_key::Entity::find()
        .order_by_asc(credential_key::Column::CreatedAt)
        .order_by_asc(credential_key::Column::Name)
        .all(db)
        .await?)
}

async fn insert(db: &DatabaseConnection, key: &SigningKey, keep_secret: bool) -> Result<()> {
    let count = credential_key::Entity::find().all(db).await?.len();
    credential_key::Entity::insert(credential_key::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(format!("key-{}", count + 1)),
        secret_key: Set(if keep_secret {
            hex::encode(key.to_bytes())
        } else {
            String::new()
        }),
        public_key_multibase: Set(public_multibase(&key.verifying_key())),
        created_at: Set(OffsetDateTime::now_utc()),
        retired_at: Set(None),
    })
    .on_conflict(
        OnConflict::column(credential_key::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

async fn retire_all_but(db: &DatabaseConnection, public: &str) -> Result<()> {
    credential_key::Entity::update_many()
        .col_expr(
            credential_key::Column::RetiredAt,
            Expr::value(Some(OffsetDateTime::now_utc())),
        )
        .filter(credential_key::Column::RetiredAt.is_null())
        .filter(credential_key::Column::PublicKeyMultibase.ne(public))
        .exec(db)
        .await?;
    Ok(())
}

/// At start-up: a configured key becomes the active one (its public half
/// recorded, the others retired); without one, a key is generated once.
pub async fn ensure(db: &DatabaseConnection, configured: Option<&Secret>) -> Result<()> {
    let keys = all(db).await?;
    match configured {
        Some(secret) => {
            let key = parse_seed(secret).map_err(Error::Internal)?;
            let public = public_multibase(&key.verifying_key());
            match keys.iter().find(|k| k.public_key_multibase == public) {
                Some(k) if k.retired_at.is_none() => {}
                Some(_) => {
                    return Err(Error::Internal(
                        "AGORA_CREDENTIAL_SIGNING_KEY names a retired key: give a new one".into(),
                    ));
                }
                None => insert(db, &key, false).await?,
            }
            retire_all_but(db, &public).await
        }
        None if keys.iter().any(|k| k.retired_at.is_none()) => Ok(()),
        None => insert(db, &generate(), true).await,
    }
}

/// Retires the active key and generates a new one; earlier credentials
/// stay verifiable. With a configured key, change the configuration instead.
pub async fn rotate(db: &DatabaseConnection) -> Result<String> {
    let key = generate();
    let public = public_multibase(&key.verifying_key());
    insert(db, &key, true).await?;
    retire_all_but(db, &public).await?;
    Ok(public)
}

/// The key that signs now, generating the first one if start-up has not.
pub async fn active(db: &DatabaseConnection, configured: Option<&Secret>) -> Result<IssuerKey> {
    for _ in 0..2 {
        let found = credential_key::Entity::find()
            .filter(credential_key::Column::RetiredAt.is_null())
            .order_by_desc(credential_key::Column::CreatedAt)
            .one(db)
            .await?;
        if let Some(k) = found {
            let signing = if k.secret_key.is_empty() {
                let secret = configured.ok_or_else(|| {
                    Error::Internal(
                        "the active credential key is held in configuration, and AGORA_CREDENTIAL_SIGNING_KEY is not set".into(),
                    )
                })?;
                parse_seed(secret).map_err(Error::Internal)?
            } else {
                let bytes: [u8; 32] = hex::decode(&k.secret_key)
                    .ok()
                    .and_then(|b| b.try_into().ok())
                    .ok_or_else(|| Error::Internal("a stored credential key is damaged".into()))?;
                SigningKey::from_bytes(&bytes)
            };
            if public_multibase(&signing.verifying_key()) != k.public_key_multibase {
                return Err(Error::Internal(
                    "AGORA_CREDENTIAL_SIGNING_KEY is not the active credential key".into(),
                ));
            }
            return Ok(IssuerKey {
                name: k.name,
                signing,
            });
        }
        ensure(db, configured).await?;
    }
    Err(Error::Internal("no credential key could be made".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multikeys_round_trip_and_debug_hides_the_secret() {
        let key = generate();
        let text = public_multibase(&key.verifying_key());
        assert!(text.starts_with("z6Mk"), "{text}");
        assert_eq!(parse_public_multibase(&text), Some(key.verifying_key()));
        let issuer = IssuerKey {
            name: "key-1".into(),
            signing: key,
        };
        let shown = format!("{issuer:?}");
        assert!(shown.contains("redacted"));
        assert!(!shown.contains(&hex::encode(issuer.signing.to_bytes())));
    }

    #[test]
    fn configured_seeds_must_be_32_bytes_of_hex() {
        assert!(parse_seed(&Secret::new("00".repeat(32))).is_ok());
        assert!(parse_seed(&Secret::new("00".repeat(31))).is_err());
        assert!(parse_seed(&Secret::new("zz".repeat(32))).is_err());
    }
}
