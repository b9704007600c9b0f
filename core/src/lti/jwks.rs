//! Platforms' key sets, fetched with the workspace's reqwest and kept for a
//! short while; an unknown `kid` fetches the set again once (the platform
//! may have rotated), and the signature check of an `id_token`.

use std::{sync::Arc, time::Duration};

use base64::Engine;
use jsonwebtoken::{
    Algorithm, DecodingKey, Validation,
    errors::ErrorKind,
    jwk::{Jwk, JwkSet},
};
use serde_json::Value;

use super::{Lti, Rejection};

/// How long a platform's key set is reused before it is fetched again.
pub(super) const KEY_SET_LIFETIME: Duration = Duration::from_secs(300);

/// Clock skew allowed on `exp` and `iat`, in seconds.
pub(super) const LEEWAY: u64 = 60;

/// A JWT's header, read before its signature is checked: only `RS256`
/// with a `kid` goes on (so `alg: none` and HMAC tricks stop here).
pub(super) fn rs256_kid(token: &str) -> Result<String, Rejection> {
    let mut parts = token.split('.');
    let (Some(head), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Rejection::MalformedToken);
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(head.trim_end_matches('='))
        .map_err(|_| Rejection::MalformedToken)?;
    let header: Value = serde_json::from_slice(&bytes).map_err(|_| Rejection::MalformedToken)?;
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err(Rejection::AlgorithmNotAllowed);
    }
    header
        .get("kid")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .ok_or(Rejection::UnknownKey)
}

/// The keys of a set that Agora can read; others are skipped.
fn parse_set(body: &Value) -> JwkSet {
    let keys = body
        .get("keys")
        .and_then(Value::as_array)
        .map(|keys| {
            keys.iter()
                .filter_map(|k| serde_json::from_value::<Jwk>(k.clone()).ok())
                .collect()
        })
        .unwrap_or_default();
    JwkSet { keys }
}

impl Lti {
    async fn fetch_key_set(&self, url: &str) -> Result<Arc<JwkSet>, Rejection> {
        let resp = self
            .http
            .get(url)
            .header("accept", "application/json")
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| {
                tracing::warn!(url, error = %e, "fetching a platform's key set failed");
                Rejection::KeysUnavailable
            })?;
        let body: Value = resp.json().await.map_err(|e| {
            tracing::warn!(url, error = %e, "a platform's key set is not JSON");
            Rejection::KeysUnavailable
        })?;
        let set = Arc::new(parse_set(&body));
        self.key_sets.insert(url.to_owned(), set.clone()).await;
        Ok(set)
    }

    /// The platform's key named `kid`.
    async fn platform_key(&self, url: &str, kid: &str) -> Result<DecodingKey, Rejection> {
        let cached = self.key_sets.get(url).await;
        let jwk = match cached.as_ref().and_then(|s| s.find(kid)) {
            Some(k) => k.clone(),
            None => self
                .fetch_key_set(url)
                .await?
                .find(kid)
                .cloned()
                .ok_or(Rejection::UnknownKey)?,
        };
        DecodingKey::from_jwk(&jwk).map_err(|_| Rejection::UnknownKey)
    }

    /// The claims of `token` once its RS256 signature by the platform's key
    /// `kid` checks and it has not expired. Issuer, audience and the LTI
    /// claims are checked by the caller, each with its own answer.
    pub(super) async fn verified_claims(
        &self,
        jwks_url: &str,
        token: &str,
    ) -> Result<Value, Rejection> {
        let kid = rs256_kid(token)?;
        let key = self.platform_key(jwks_url, &kid).await?;
        let mut v = Validation::new(Algorithm::RS256);
        v.leeway = LEEWAY;
        v.validate_aud = false;
        v.required_spec_claims = ["exp".to_owned()].into();
        match jsonwebtoken::decode::<Value>(token, &key, &v) {
            Ok(data) => Ok(data.claims),
            Err(e) => Err(match e.kind() {
                ErrorKind::InvalidSignature => Rejection::BadSignature,
                ErrorKind::ExpiredSignature => Rejection::Expired,
                ErrorKind::InvalidAlgorithm => Rejection::AlgorithmNotAllowed,
                _ => Rejection::MalformedToken,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(v: &str) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v)
    }

    #[test]
    fn only_rs256_with_a_kid_passes_the_header() {
        let t = |h: &str| format!("{}.{}.sig", b64(h), b64("{}"));
        assert_eq!(
            rs256_kid(&t(r#"{"alg":"RS256","kid":"k1"}"#)),
            Ok("k1".into())
        );
        assert_eq!(
            rs256_kid(&t(r#"{"alg":"none"}"#)),
            Err(Rejection::AlgorithmNotAllowed)
        );
        assert_eq!(
            rs256_kid(&t(r#"{"alg":"HS256","kid":"k1"}"#)),
            Err(Rejection::AlgorithmNotAllowed)
        );
        assert_eq!(
            rs256_kid(&t(r#"{"alg":"RS256"}"#)),
            Err(Rejection::UnknownKey)
        );
        assert_eq!(rs256_kid("a.b"), Err(Rejection::MalformedToken));
    }
}
