//! The secrets every part of accounts shares, and nothing else: random
//! tokens and their hashes, password hashes, the kinds of sign-in token and
//! their cache key. A leaf: it imports nothing from its siblings.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Password;
use crate::{Error, Result};

/// A fresh random token, URL-safe, 256 bits.
pub fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system has randomness");
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenKind {
    /// A web session, carried in a cookie; state changes need its CSRF token.
    Session,
    /// An API token, sent as `Authorization: Bearer`.
    Api,
}

impl TokenKind {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            TokenKind::Session => "session",
            TokenKind::Api => "api",
        }
    }
}

pub(super) fn auth_key(hash: &str) -> String {
    format!("agora:auth:v1:{hash}")
}

pub(super) async fn hash_password(password: Password) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.0.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| Error::Internal(format!("argon2: {e}")))
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?
}

/// A hash of a password nobody has, verified when the address is unknown so
/// that sign-in takes as long either way.
pub(super) static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    Argon2::default()
        .hash_password(new_token("").as_bytes())
        .expect("argon2 hashes")
        .to_string()
});

pub(super) async fn verify_password(hash: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = new_token("ags_");
        assert!(a.starts_with("ags_") && a.len() > 40);
        assert_ne!(a, new_token("ags_"));
        assert_eq!(token_hash(&a).len(), 64);
    }
}
