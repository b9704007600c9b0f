//! Accounts: registration, verification, sign-in and out, password reset.

use agora_core::{accounts, domain::Locale};
use poem::{Request, web::Data};
use poem_openapi::{ApiResponse, Object, OpenApi, Tags, payload::Json};
use time::OffsetDateTime;

use super::{auth::Auth, error::ApiError};
use crate::{
    http::{caller::client_address, cookies::SESSION_COOKIE},
    state::AppState,
};

#[derive(Tags)]
enum ApiTags {
    /// Registration, sign-in and password reset. Answers never reveal whether an address has an account.
    Accounts,
}

pub struct AccountsApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct RegisterRequest {
    #[oai(validator(max_length = 320))]
    email: String,
    #[oai(validator(max_length = 1024))]
    password: String,
    #[oai(validator(max_length = 200))]
    display_name: String,
    /// Preferred locale: en, fr or es (default en).
    #[oai(validator(pattern = "^(en|fr|es)$"))]
    locale: Option<String>,
}

#[derive(Object)]
struct Message {
    message: String,
}

#[derive(Object)]
struct TokenRequest {
    #[oai(validator(max_length = 200))]
    token: String,
}

#[derive(Object)]
struct SignInRequest {
    #[oai(validator(max_length = 320))]
    email: String,
    #[oai(validator(max_length = 1024))]
    password: String,
}

#[derive(Object)]
struct SignedIn {
    /// The session token: also usable as a bearer token. Shown once.
    token: String,
    /// Send as `X-CSRF-Token` with cookie-authenticated requests that change state.
    csrf_token: String,
    expires_at: OffsetDateTime,
}

#[derive(Object)]
struct ResetRequest {
    #[oai(validator(max_length = 320))]
    email: String,
}

#[derive(Object)]
struct ResetConfirm {
    #[oai(validator(max_length = 200))]
    token: String,
    #[oai(validator(max_length = 1024))]
    password: String,
}

#[derive(ApiResponse)]
enum Accepted {
    /// Accepted; if the address can receive mail, a message is on its way.
    #[oai(status = 202)]
    Accepted(Json<Message>),
}

#[derive(ApiResponse)]
enum Done {
    #[oai(status = 200)]
    Ok(Json<Message>),
}

#[derive(ApiResponse)]
enum SignInResponse {
    /// Signed in; the session cookie is set too.
    #[oai(status = 200)]
    Ok(Json<SignedIn>, #[oai(header = "Set-Cookie")] String),
}

#[derive(ApiResponse)]
enum SignOutResponse {
    /// Signed out; the cookie is cleared.
    #[oai(status = 204)]
    Ok(#[oai(header = "Set-Cookie")] String),
}

fn session_cookie(state: &AppState, value: &str, max_age: i64) -> String {
    let secure = if state.config.public_url().scheme() == "https" {
        "; Secure"
    } else {
        ""
    };
    format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

#[OpenApi(tag = "ApiTags::Accounts")]
impl AccountsApi {
    /// Register an account
    ///
    /// The answer is the same whether or not the address already has an
    /// account; a verification mail (or a notice to the existing account) is sent.
    #[oai(path = "/accounts", method = "post", operation_id = "register")]
    async fn register(
        &self,
        state: Data<&AppState>,
        body: Json<RegisterRequest>,
    ) -> Result<Accepted, ApiError> {
        let locale = match body.locale.as_deref() {
            None => Locale::En,
            Some(l) => l
                .parse::<Locale>()
                .map_err(|e| ApiError::from(agora_core::Error::invalid("locale", e)))?,
        };
        accounts::register(
            &state.db,
            accounts::Registration {
                email: &body.email,
                password: &body.password,
                display_name: &body.display_name,
                locale,
            },
        )
        .await?;
        Ok(Accepted::Accepted(Json(Message {
            message: "Check your inbox: we sent a link to confirm your address.".into(),
        })))
    }

    /// Confirm an email address with the token from the verification mail
    #[oai(
        path = "/accounts/verify",
        method = "post",
        operation_id = "verify_email"
    )]
    async fn verify(
        &self,
        state: Data<&AppState>,
        body: Json<TokenRequest>,
    ) -> Result<Done, ApiError> {
        accounts::verify_email(&state.db, &body.token).await?;
        Ok(Done::Ok(Json(Message {
            message: "Your address is confirmed.".into(),
        })))
    }

    /// Sign in
    ///
    /// Opens a session: the cookie is set for the web, and the token is
    /// returned for API clients. Limited per address and per client (429 with `Retry-After`).
    #[oai(path = "/auth/sign-in", method = "post", operation_id = "sign_in")]
    async fn sign_in(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<SignInRequest>,
    ) -> Result<SignInResponse, ApiError> {
        state
            .limits
            .sign_in(&body.email, &client_address(req))
            .await?;
        let session = accounts::sign_in(&state.db, &body.email, &body.password).await?;
        let max_age = (session.expires_at - OffsetDateTime::now_utc()).whole_seconds();
        let cookie = session_cookie(&state, &session.token, max_age);
        Ok(SignInResponse::Ok(
            Json(SignedIn {
                token: session.token,
                csrf_token: session.csrf_token,
                expires_at: session.expires_at,
            }),
            cookie,
        ))
    }

    /// Sign out: revokes the session or token used for this request
    #[oai(path = "/auth/sign-out", method = "post", operation_id = "sign_out")]
    async fn sign_out(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<SignOutResponse, ApiError> {
        let p = auth.principal();
        accounts::revoke_token(&state.db, &state.cache, p.user_id, p.token_id).await?;
        Ok(SignOutResponse::Ok(session_cookie(&state, "", 0)))
    }

    /// Ask for a password reset mail
    ///
    /// Always accepted; a mail goes out only if the address has an account.
    #[oai(
        path = "/auth/password-reset",
        method = "post",
        operation_id = "request_password_reset"
    )]
    async fn request_reset(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<ResetRequest>,
    ) -> Result<Accepted, ApiError> {
        state
            .limits
            .password_reset(&body.email, &client_address(req))
            .await?;
        accounts::request_password_reset(&state.db, &body.email).await?;
        Ok(Accepted::Accepted(Json(Message {
            message: "If this address has an account, a reset link is on its way.".into(),
        })))
    }

    /// Set a new password with the token from the reset mail
    ///
    /// Every session and API token of the account is revoked.
    #[oai(
        path = "/auth/password-reset/confirm",
        method = "post",
        operation_id = "reset_password"
    )]
    async fn confirm_reset(
        &self,
        state: Data<&AppState>,
        body: Json<ResetConfirm>,
    ) -> Result<Done, ApiError> {
        accounts::reset_password(&state.db, &state.cache, &body.token, &body.password).await?;
        Ok(Done::Ok(Json(Message {
            message: "Your password is changed; sign in again.".into(),
        })))
    }
}
