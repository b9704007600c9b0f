//! Who is calling: a bearer token (API clients) or the session cookie (the web).
//! Cookie-authenticated requests that change state must carry the session's
//! CSRF token in `X-CSRF-Token`; bearer requests cannot be forged by a browser.

use agora_core::accounts::{self, Principal, TokenKind};
use poem::{Request, http::Method};
use poem_openapi::{
    SecurityScheme,
    auth::{ApiKey, Bearer},
};

use super::error::ApiError;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "agora_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// `Authorization: Bearer <token>`, an API token or a session token.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_bearer")]
pub struct BearerAuth(pub Principal);

/// The web session cookie; state changes need `X-CSRF-Token`.
#[derive(SecurityScheme)]
#[oai(
    ty = "api_key",
    key_name = "agora_session",
    key_in = "cookie",
    checker = "check_cookie"
)]
pub struct CookieAuth(pub Principal);

/// Either way of signing in.
#[derive(SecurityScheme)]
pub enum Auth {
    Bearer(BearerAuth),
    Cookie(CookieAuth),
}

impl Auth {
    pub fn principal(&self) -> &Principal {
        match self {
            Auth::Bearer(b) => &b.0,
            Auth::Cookie(c) => &c.0,
        }
    }
}

fn state(req: &Request) -> poem::Result<&AppState> {
    req.data::<AppState>().ok_or_else(|| {
        poem::Error::from_string(
            "state missing",
            poem::http::StatusCode::INTERNAL_SERVER_ERROR,
        )
    })
}

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<Principal> {
    let state = state(req)?;
    accounts::authenticate(&state.db, &state.cache, &bearer.token, false)
        .await
        .map_err(|e| ApiError::from(e).into())
}

async fn check_cookie(req: &Request, key: ApiKey) -> poem::Result<Principal> {
    let state = state(req)?;
    let principal = accounts::authenticate(&state.db, &state.cache, &key.key, true)
        .await
        .map_err(|e| -> poem::Error { ApiError::from(e).into() })?;
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && principal.kind == TokenKind::Session {
        let presented = req.header(CSRF_HEADER).map(accounts::token_hash);
        if presented.is_none() || presented != principal.csrf_hash {
            return Err(ApiError::from(agora_core::Error::Forbidden {
                reason: "missing or wrong CSRF token: send the X-CSRF-Token given at sign-in",
            })
            .into());
        }
    }
    Ok(principal)
}

/// The reader's locales for content: `?lang=`, then their saved preference,
/// then `Accept-Language`.
pub fn content_locales(
    lang: Option<&str>,
    principal: &Principal,
    accept_language: Option<&str>,
) -> Result<Vec<agora_core::domain::Locale>, ApiError> {
    let mut out = super::catalogue::preferred_locales(lang, None)?;
    if !out.contains(&principal.locale) {
        out.push(principal.locale);
    }
    for l in super::catalogue::preferred_locales(None, accept_language)? {
        if !out.contains(&l) {
            out.push(l);
        }
    }
    Ok(out)
}

/// Refuses anyone but an administrator.
pub fn require_admin(auth: &Auth) -> Result<(), ApiError> {
    if auth.principal().role == accounts::Role::Admin {
        Ok(())
    } else {
        Err(agora_core::Error::Forbidden {
            reason: "only administrators may do this",
        }
        .into())
    }
}
