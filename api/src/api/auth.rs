//! The API's security schemes, as the OpenAPI document shows them: a bearer
//! token (API clients) or the session cookie (the web). Both are checked by
//! the HTTP layer's one entry point (`http::caller`).

use agora_core::accounts::{self, Principal};
use poem::Request;
use poem_openapi::{
    SecurityScheme,
    auth::{ApiKey, Bearer},
};

use crate::{
    http::{
        caller::{self, Credential},
        error::ApiError,
        locale::{LocaleSource, preferred_locales},
    },
    state::AppState,
};

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
    caller::user(state(req)?, Credential::Bearer(&bearer.token))
        .await
        .map_err(|e| ApiError::from(e).into())
}

async fn check_cookie(req: &Request, key: ApiKey) -> poem::Result<Principal> {
    let principal = caller::user(state(req)?, Credential::Session(&key.key))
        .await
        .map_err(|e| -> poem::Error { ApiError::from(e).into() })?;
    caller::check_csrf_header(req, &principal).map_err(ApiError::from)?;
    Ok(principal)
}

/// The reader's locales for content: `?lang=`, then their saved preference,
/// then `Accept-Language`.
pub fn content_locales(
    lang: Option<&str>,
    principal: &Principal,
    accept_language: Option<&str>,
) -> Result<Vec<agora_core::domain::Locale>, ApiError> {
    preferred_locales(
        [
            lang.map(LocaleSource::Lang),
            Some(LocaleSource::Saved(principal.locale)),
            accept_language.map(LocaleSource::AcceptLanguage),
        ]
        .into_iter()
        .flatten(),
    )
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
