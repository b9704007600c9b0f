//! Access tokens for the platform's services (grades, rosters): the
//! client-credentials grant with a signed JWT assertion, kept per platform
//! and scope until shortly before they expire. Neither the assertion nor
//! the token is ever logged.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

use super::Lti;
use crate::{Error, entities::lti_platform};

/// A token is used no later than this before its expiry.
const MARGIN: Duration = Duration::from_secs(60);
/// And is kept at most this long, whatever the platform says.
pub(super) const LONGEST: Duration = Duration::from_secs(3600);

/// How long a token that lives `expires_in` seconds may be used.
fn usable_for(expires_in: Option<u64>) -> Duration {
    let lives = Duration::from_secs(expires_in.unwrap_or(300)).min(LONGEST);
    if lives > MARGIN * 2 {
        lives - MARGIN
    } else {
        lives / 2
    }
}

/// A cached token and when it stops being used.
pub(super) type Cached = (Arc<str>, Instant);

/// Why no token was had. The detail is for logs: it holds neither the
/// assertion nor any token, nor the address.
#[derive(Debug)]
pub(super) enum TokenError {
    /// The token endpoint could not be reached or answered nonsense.
    Unreachable(String),
    /// The platform answered, and refused (a 4xx, or the scope withheld).
    Refused(String),
    /// Agora's own failure (its signing key).
    Own(Error),
}

impl From<TokenError> for Error {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::Unreachable(d) | TokenError::Refused(d) => {
                Error::backend("LTI token endpoint", d)
            }
            TokenError::Own(e) => e,
        }
    }
}

impl Lti {
    /// An access token for `scope`, by a signed client assertion.
    pub(super) async fn access_token(
        &self,
        platform: &lti_platform::Model,
        scope: &'static str,
    ) -> Result<Arc<str>, TokenError> {
        let key = (platform.id, scope);
        if let Some((t, until)) = self.tokens.get(&key).await {
            if Instant::now() < until {
                return Ok(t);
            }
            self.tokens.invalidate(&key).await;
        }
        let (token, lives) = self.request_token(platform, scope).await?;
        self.tokens
            .insert(key, (token.clone(), Instant::now() + lives))
            .await;
        Ok(token)
    }

    /// Forgets the token of `platform` for `scope` (the platform refused it).
    pub(super) async fn forget_token(&self, platform: Uuid, scope: &'static str) {
        self.tokens.invalidate(&(platform, scope)).await;
    }

    async fn request_token(
        &self,
        platform: &lti_platform::Model,
        scope: &str,
    ) -> Result<(Arc<str>, Duration), TokenError> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let key = self.signing_key().await.map_err(TokenError::Own)?;
        let assertion = key
            .sign(&json!({
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.token_endpoint,
            "iat": now,
            "exp": now + 300,
            "jti": Uuid::new_v4().to_string(),
            }))
            .map_err(TokenError::Own)?;
        let resp = self
            .http
            .post(&platform.token_endpoint)
            .form(&[
                ("grant_type", "client_credentials"),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", assertion.as_str()),
                ("scope", scope),
            ])
            .send()
            .await
            .map_err(|e| TokenError::Unreachable(e.without_url().to_string()))?;
        let status = resp.status();
        if status.is_client_error() {
            return Err(TokenError::Refused(format!("answered {status}")));
        }
        if !status.is_success() {
            return Err(TokenError::Unreachable(format!("answered {status}")));
        }
        let body: Value = resp
            .json()
            .await
            .map_err(|e| TokenError::Unreachable(e.without_url().to_string()))?;
        let granted = body.get("scope").and_then(Value::as_str);
        if granted.is_some_and(|g| !g.split(' ').any(|s| s == scope)) {
            return Err(TokenError::Refused("the scope was not granted".into()));
        }
        let token: Arc<str> = body
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| TokenError::Unreachable("no access_token in the answer".into()))?
            .into();
        let expires_in = body.get("expires_in").and_then(Value::as_u64);
        Ok((token, usable_for(expires_in)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_used_until_shortly_before_they_expire() {
        assert_eq!(usable_for(Some(3600)), Duration::from_secs(3540));
        assert_eq!(usable_for(Some(86_400)), Duration::from_secs(3540));
        assert_eq!(usable_for(None), Duration::from_secs(240));
        assert_eq!(usable_for(Some(60)), Duration::from_secs(30));
        assert_eq!(usable_for(Some(0)), Duration::ZERO);
    }
}
