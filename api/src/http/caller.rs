//! Who is calling. One entry point, [`authenticate`], for every credential
//! a request can carry: a bearer token (API clients), the session cookie
//! (the web, and the API from the same browser) and a partner key.

use std::sync::Arc;

use agora_core::{
    Error,
    accounts::{self, Principal, TokenKind},
    partners::KeyHolder,
};
use poem::{Request, http::Method};

use super::cookies::{SESSION_COOKIE, cookie};
use crate::state::AppState;

/// The header a cookie-authenticated write must carry.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A credential presented with a request.
#[derive(Clone, Copy, Debug)]
pub enum Credential<'a> {
    /// `Authorization: Bearer <token>`: an API token or a session token.
    Bearer(&'a str),
    /// The session cookie.
    Session(&'a str),
    /// `X-Api-Key`, or `Authorization: Bearer agp_…`.
    PartnerKey(&'a str),
}

impl<'a> Credential<'a> {
    /// The credential of a request, in this order: a partner key, a bearer
    /// token, the session cookie.
    pub fn of(req: &'a Request) -> Option<Credential<'a>> {
        if let Some(k) = req.header("x-api-key") {
            return Some(Credential::PartnerKey(k.trim()));
        }
        if let Some(t) = req
            .header("authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
        {
            return Some(if t.starts_with("agp_") {
                Credential::PartnerKey(t)
            } else {
                Credential::Bearer(t)
            });
        }
        cookie(req, SESSION_COOKIE).map(Credential::Session)
    }
}

/// Who a credential belongs to.
pub enum Caller {
    User(Principal),
    Partner(Arc<KeyHolder>),
}

/// Checks a credential: a user's token or session, or a partner's key.
pub async fn authenticate(state: &AppState, credential: Credential<'_>) -> Result<Caller, Error> {
    match credential {
        Credential::PartnerKey(k) => partner(state, k).await.map(Caller::Partner),
        other => user(state, other).await.map(Caller::User),
    }
}

/// The user behind a bearer token or session; a partner key is refused.
pub async fn user(state: &AppState, credential: Credential<'_>) -> Result<Principal, Error> {
    let (token, session) = match credential {
        Credential::Bearer(t) => (t, false),
        Credential::Session(t) => (t, true),
        Credential::PartnerKey(_) => {
            return Err(Error::Unauthorized {
                reason: "a partner key cannot sign in as a user",
            });
        }
    };
    accounts::authenticate(&state.db, &state.cache, token, session).await
}

/// The holder of a partner key.
pub async fn partner(state: &AppState, key: &str) -> Result<Arc<KeyHolder>, Error> {
    state.partners.authenticate(key).await
}

/// The signed-in reader of a page: their session cookie, when it is valid.
pub async fn session_user(state: &AppState, req: &Request) -> Option<Principal> {
    let token = cookie(req, SESSION_COOKIE)?;
    user(state, Credential::Session(token)).await.ok()
}

/// A cookie-authenticated request that changes state must carry the
/// session's CSRF token in `X-CSRF-Token`; bearer requests cannot be forged
/// by a browser.
pub fn check_csrf_header(req: &Request, principal: &Principal) -> Result<(), Error> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && principal.kind == TokenKind::Session {
        let presented = req.header(CSRF_HEADER).map(accounts::token_hash);
        if presented.is_none() || presented != principal.csrf_hash {
            return Err(Error::Forbidden {
                reason: "missing or wrong CSRF token: send the X-CSRF-Token given at sign-in",
            });
        }
    }
    Ok(())
}

/// The client address for rate limits: the peer, as Agora sees it.
pub fn client_address(req: &Request) -> String {
    req.remote_addr()
        .as_socket_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}
