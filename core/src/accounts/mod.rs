//! Accounts: registration, email verification, sign-in, sessions and API
//! tokens, password reset, profile, data export and deletion.
//!
//! Answers never reveal whether an address has an account.
//!
//! - `inputs`: addresses, passwords, names and roles as parsed types;
//! - `verification`: registration and confirming the address;
//! - `sessions`: sign-in, who a request comes from, cached sign-ins;
//! - `secrets`: random tokens, hashes and password hashing (a leaf);
//! - `tokens`: one-time links and API tokens;
//! - `passwords`: the password reset;
//! - `profile`: the account itself, its export and deletion.

mod inputs;
mod passwords;
mod profile;
mod secrets;
mod sessions;
mod tokens;
mod verification;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::jobs::Job;

pub use inputs::{Email, Password, Role, parse_display_name};
pub use passwords::{request_password_reset, reset_password};
pub use profile::{
    Account, ProfileChange, admin_upsert, delete_account, export_data, get_user, update_profile,
};
pub use secrets::{TokenKind, new_token, token_hash};
pub use sessions::{
    NewSession, Principal, authenticate, forget_sign_ins, open_session, require_signed_in, sign_in,
};
pub use tokens::{NewApiToken, TokenSummary, create_api_token, list_tokens, revoke_token};
pub use verification::{Registration, register, verify_email};

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 128;
pub const SESSION_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);
pub const VERIFY_LIFETIME: Duration = Duration::from_secs(48 * 3600);
pub const RESET_LIFETIME: Duration = Duration::from_secs(3600);

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

// ---------------------------------------------------------------------------
// Jobs the worker turns into email.

/// "Confirm your address" mail.
#[derive(Debug, Serialize, Deserialize)]
pub struct VerifyEmailMail {
    pub user_id: Uuid,
    /// Carried to the mail only; the database stores its hash.
    pub token: String,
}
impl Job for VerifyEmailMail {
    const KIND: &'static str = "mail.verify_email";
}

/// "Someone tried to register with your address" mail, sent instead of
/// revealing that the address has an account.
#[derive(Debug, Serialize, Deserialize)]
pub struct AccountExistsMail {
    pub user_id: Uuid,
    /// Tells one attempt's notice from the next: each is its own message.
    #[serde(default)]
    pub request_id: Uuid,
}
impl Job for AccountExistsMail {
    const KIND: &'static str = "mail.account_exists";
}

/// "Reset your password" mail.
#[derive(Debug, Serialize, Deserialize)]
pub struct PasswordResetMail {
    pub user_id: Uuid,
    pub token: String,
}
impl Job for PasswordResetMail {
    const KIND: &'static str = "mail.password_reset";
}
