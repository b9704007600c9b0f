//! Who may read the figures: whoever shows the operator's token.

use sha2::{Digest, Sha256};

use crate::config::Secret;

/// The rule for `/metrics`, from `AGORA_METRICS_TOKEN`.
#[derive(Clone, Debug)]
pub struct Access {
    /// The token's digest; `None` when no token is configured.
    token: Option<[u8; 32]>,
}

/// Why a scrape is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    /// No token is configured: the figures are not served at all (404).
    Disabled,
    /// The `Authorization` header is missing or names another token (401).
    WrongToken,
}

impl Access {
    pub fn new(token: Option<&Secret>) -> Self {
        Self {
            token: token.map(|t| Sha256::digest(t.expose().as_bytes()).into()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.token.is_some()
    }

    /// Checks an `Authorization` header value (`Bearer <token>`). Digests
    /// are compared, so the time taken says nothing about the token.
    pub fn check(&self, authorization: Option<&str>) -> Result<(), Denied> {
        let Some(expected) = &self.token else {
            return Err(Denied::Disabled);
        };
        let given = authorization
            .and_then(|h| {
                let (scheme, rest) = h.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
            })
            .ok_or(Denied::WrongToken)?;
        let digest: [u8; 32] = Sha256::digest(given.as_bytes()).into();
        let differ = digest
            .iter()
            .zip(expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if differ == 0 {
            Ok(())
        } else {
            Err(Denied::WrongToken)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_configured_token_passes() {
        let off = Access::new(None);
        assert_eq!(off.check(Some("Bearer x")), Err(Denied::Disabled));
        let on = Access::new(Some(&Secret::new("s3cret-metrics-token")));
        assert_eq!(on.check(Some("Bearer s3cret-metrics-token")), Ok(()));
        assert_eq!(on.check(Some("bearer  s3cret-metrics-token ")), Ok(()));
        assert_eq!(on.check(Some("Bearer s3cret")), Err(Denied::WrongToken));
        assert_eq!(
            on.check(Some("s3cret-metrics-token")),
            Err(Denied::WrongToken)
        );
        assert_eq!(on.check(None), Err(Denied::WrongToken));
    }
}
