//! Accounts: registration, email verification, sign-in, sessions and API
//! tokens, password reset, profile, data export and deletion.
//!
//! Answers never reveal whether an address has an account.

use std::time::Duration;

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use base64::Engine;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Error, Result,
    cache::Cache,
    domain::Locale,
    entities::{auth_token, enrolment, lesson_progress, one_time_token, quiz_attempt, user},
    jobs::{self, Job},
};

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 128;
pub const SESSION_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);
pub const VERIFY_LIFETIME: Duration = Duration::from_secs(48 * 3600);
pub const RESET_LIFETIME: Duration = Duration::from_secs(3600);

// ---------------------------------------------------------------------------
// Parsed inputs.

/// A normalised email address: trimmed and lowercased, checked for shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Email> {
        let s = s.trim().to_lowercase();
        let bad = || Error::invalid("email", "enter an email address such as name@city.gov");
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        let domain_ok = domain.len() >= 3
            && domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
            return Err(bad());
        }
        Ok(Email(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password that passed the length and strength rules.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

impl Password {
    /// `context` (email, name) makes passwords built from them count as weak.
    pub fn parse(s: &str, context: &[&str]) -> Result<Password> {
        let n = s.chars().count();
        if n < MIN_PASSWORD_CHARS {
            return Err(Error::invalid(
                "password",
                format!("use at least {MIN_PASSWORD_CHARS} characters"),
            ));
        }
        if n > MAX_PASSWORD_CHARS {
            return Err(Error::invalid(
                "password",
                format!("use at most {MAX_PASSWORD_CHARS} characters"),
            ));
        }
        // zxcvbn knows the commonest passwords, names, keyboard walks and dates.
        let estimate = zxcvbn::zxcvbn(s, context);
        if (estimate.score() as u8) < 2 {
            return Err(Error::invalid(
                "password",
                "this password is too common or too easy to guess; a few unrelated words make a strong one",
            ));
        }
        Ok(Password(s.to_owned()))
    }
}

pub fn parse_display_name(s: &str) -> Result<String> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 100 || s.chars().any(char::is_control) {
        return Err(Error::invalid(
            "display_name",
            "enter a name of 1 to 100 characters",
        ));
    }
    Ok(s.to_owned())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Learner,
    Author,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Learner => "learner",
            Role::Author => "author",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "learner" => Ok(Role::Learner),
            "author" => Ok(Role::Author),
            "admin" => Ok(Role::Admin),
            _ => Err("expected learner, author or admin".into()),
        }
    }
}

// ---------------------------------------------------------------------------
// Secrets.

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

async fn hash_password(password: Password) -> Result<String> {
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
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    Argon2::default()
        .hash_password(new_token("").as_bytes())
        .expect("argon2 hashes")
        .to_string()
});

async fn verify_password(hash: String, password: String) -> bool {
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

// ---------------------------------------------------------------------------
// Registration and verification.

pub struct Registration<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub display_name: &'a str,
    pub locale: Locale,
}

/// Registers an account and enqueues its verification mail in the same
/// transaction. An address that already has an account gets a notice mail
/// instead; the caller sees the same answer either way.
pub async fn register(db: &DatabaseConnection, r: Registration<'_>) -> Result<()> {
    let email = Email::parse(r.email)?;
    let display_name = parse_display_name(r.display_name)?;
    let password = Password::parse(r.password, &[email.as_str(), &display_name])?;
    // Hash before looking the address up, so both paths take the same time.
    let hash = hash_password(password).await?;
    let txn = crate::db::begin_write(db).await?;
    if let Some(existing) = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(&txn)
        .await?
    {
        jobs::enqueue(
            &txn,
            &AccountExistsMail {
                user_id: existing.id,
                request_id: Uuid::new_v4(),
            },
        )
        .await?;
        txn.commit().await?;
        return Ok(());
    }
    let id = Uuid::new_v4();
    let at = now();
    let inserted = user::Entity::insert(user::ActiveModel {
        id: Set(id),
        email: Set(email.as_str().to_owned()),
        email_verified_at: Set(None),
        password_hash: Set(hash),
        display_name: Set(display_name),
        locale: Set(r.locale.to_string()),
        role: Set(Role::Learner.as_str().into()),
        reminders_opt_out: Set(false),
        unsubscribe_token: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::column(user::Column::Email)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    if inserted == 0 {
        // Lost a race with a registration of the same address: same answer.
        txn.rollback().await?;
        return Ok(());
    }
    let token = issue_one_time(&txn, id, Purpose::VerifyEmail).await?;
    jobs::enqueue(&txn, &VerifyEmailMail { user_id: id, token }).await?;
    txn.commit().await?;
    Ok(())
}

#[derive(Clone, Copy)]
enum Purpose {
    VerifyEmail,
    ResetPassword,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::ResetPassword => "reset_password",
        }
    }
    fn lifetime(self) -> Duration {
        match self {
            Purpose::VerifyEmail => VERIFY_LIFETIME,
            Purpose::ResetPassword => RESET_LIFETIME,
        }
    }
}

async fn issue_one_time(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    purpose: Purpose,
) -> Result<String> {
    let token = new_token("");
    one_time_token::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(user_id),
        purpose: Set(purpose.as_str().into()),
        token_hash: Set(token_hash(&token)),
        created_at: Set(now()),
        expires_at: Set(now() + purpose.lifetime()),
        used_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Spends a one-time token: valid, unexpired and unused, or an error that
/// says which without revealing anything else. The update is conditional, so
/// two concurrent uses cannot both succeed.
async fn spend_one_time(db: &impl ConnectionTrait, token: &str, purpose: Purpose) -> Result<Uuid> {
    let invalid = || Error::invalid("token", "this link is invalid or has already been used");
    if token.is_empty() || token.len() > 200 {
        return Err(invalid());
    }
    let row = one_time_token::Entity::find()
        .filter(one_time_token::Column::TokenHash.eq(token_hash(token)))
        .filter(one_time_token::Column::Purpose.eq(purpose.as_str()))
        .one(db)
        .await?
        .ok_or_else(invalid)?;
    if row.used_at.is_some() {
        return Err(invalid());
    }
    if row.expires_at < now() {
        return Err(Error::invalid(
            "token",
            "this link has expired; ask for a new one",
        ));
    }
    let spent = one_time_token::Entity::update_many()
        .col_expr(one_time_token::Column::UsedAt, Expr::value(Some(now())))
        .filter(one_time_token::Column::Id.eq(row.id))
        .filter(one_time_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if spent.rows_affected != 1 {
        return Err(invalid());
    }
    Ok(row.user_id)
}

pub async fn verify_email(db: &DatabaseConnection, token: &str) -> Result<()> {
    let txn = crate::db::begin_write(db).await?;
    let user_id = spend_one_time(&txn, token, Purpose::VerifyEmail).await?;
    user::Entity::update_many()
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(Some(now())))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::EmailVerifiedAt.is_null())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Sessions and tokens.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenKind {
    /// A web session, carried in a cookie; state changes need its CSRF token.
    Session,
    /// An API token, sent as `Authorization: Bearer`.
    Api,
}

impl TokenKind {
    fn as_str(self) -> &'static str {
        match self {
            TokenKind::Session => "session",
            TokenKind::Api => "api",
        }
    }
}

/// Who is making a request.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Principal {
    pub user_id: Uuid,
    pub role: Role,
    pub token_id: Uuid,
    pub kind: TokenKind,
    pub csrf_hash: Option<String>,
    pub locale: Locale,
    pub email_verified: bool,
}

pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: OffsetDateTime,
}

/// Checks the credentials and opens a session. Unknown address and wrong
/// password give the same error, after the same work.
pub async fn sign_in(db: &DatabaseConnection, email: &str, password: &str) -> Result<NewSession> {
    let wrong = || Error::Unauthorized {
        reason: "the email address or password is wrong",
    };
    let email = Email::parse(email).map_err(|_| wrong())?;
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(wrong());
    }
    let user = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?;
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.clone());
    let ok = verify_password(hash, password.to_owned()).await;
    let user = match (user, ok) {
        (Some(u), true) => u,
        _ => return Err(wrong()),
    };
    let token = new_token("ags_");
    let csrf_token = new_token("");
    let expires_at = now() + SESSION_LIFETIME;
    auth_token::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(user.id),
        kind: Set(TokenKind::Session.as_str().into()),
        name: Set("web session".into()),
        token_hash: Set(token_hash(&token)),
        csrf_hash: Set(Some(token_hash(&csrf_token))),
        created_at: Set(now()),
        last_used_at: Set(Some(now())),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(NewSession {
        token,
        csrf_token,
        expires_at,
    })
}

/// How long a cached sign-in is trusted without looking at the database.
/// Revocations delete the cached entry at once; this bounds the rare case
/// where that deletion could not reach the cache.
const AUTH_CACHE_SECONDS: i64 = 60;

#[derive(Serialize, Deserialize)]
struct CachedPrincipal {
    principal: Principal,
    expires_at: OffsetDateTime,
    cached_at: OffsetDateTime,
}

fn auth_key(hash: &str) -> String {
    format!("agora:auth:v1:{hash}")
}

/// Resolves a session or API token to its user. Revoked and expired tokens,
/// and tokens presented the wrong way (a session as a bearer token is fine,
/// an API token in a cookie is not), are refused. Answers are cached briefly.
pub async fn authenticate(
    db: &DatabaseConnection,
    cache: &Cache,
    token: &str,
    via_cookie: bool,
) -> Result<Principal> {
    let refused = || Error::Unauthorized {
        reason: "sign in to continue",
    };
    if token.is_empty() || token.len() > 200 {
        return Err(refused());
    }
    let hash = token_hash(token);
    let key = auth_key(&hash);
    let at = now();
    if let Some(Some(bytes)) = cache.get_many(std::slice::from_ref(&key)).await.pop()
        && let Ok(c) = serde_json::from_slice::<CachedPrincipal>(&bytes)
        && c.expires_at > at
        && (at - c.cached_at).whole_seconds() < AUTH_CACHE_SECONDS
    {
        if via_cookie && c.principal.kind != TokenKind::Session {
            return Err(refused());
        }
        return Ok(c.principal);
    }
    let Some((t, u)) = auth_token::Entity::find()
        .filter(auth_token::Column::TokenHash.eq(&hash))
        .find_also_related(user::Entity)
        .one(db)
        .await?
    else {
        return Err(refused());
    };
    let Some(u) = u else { return Err(refused()) };
    let kind = if t.kind == "session" {
        TokenKind::Session
    } else {
        TokenKind::Api
    };
    if t.revoked_at.is_some() || t.expires_at < at || (via_cookie && kind != TokenKind::Session) {
        return Err(refused());
    }
    // Recording use at most every few minutes keeps reads read-only.
    if t.last_used_at
        .is_none_or(|used| at - used > time::Duration::minutes(5))
    {
        auth_token::Entity::update_many()
            .col_expr(auth_token::Column::LastUsedAt, Expr::value(Some(at)))
            .filter(auth_token::Column::Id.eq(t.id))
            .exec(db)
            .await?;
    }
    let principal = Principal {
        user_id: u.id,
        role: u.role.parse().map_err(|e: String| Error::Internal(e))?,
        token_id: t.id,
        kind,
        csrf_hash: t.csrf_hash,
        locale: u.locale.parse().unwrap_or(Locale::En),
        email_verified: u.email_verified_at.is_some(),
    };
    let cached = CachedPrincipal {
        principal: principal.clone(),
        expires_at: t.expires_at,
        cached_at: at,
    };
    cache
        .set(
            &key,
            0,
            &serde_json::to_vec(&cached).expect("principals serialise"),
        )
        .await;
    Ok(principal)
}

/// Drops every cached sign-in of a user: after a reset, a deletion, or a
/// change to what a principal carries (role, locale).
pub async fn forget_sign_ins(db: &DatabaseConnection, cache: &Cache, user_id: Uuid) -> Result<()> {
    let hashes: Vec<String> = auth_token::Entity::find()
        .select_only()
        .column(auth_token::Column::TokenHash)
        .filter(auth_token::Column::UserId.eq(user_id))
        .into_tuple()
        .all(db)
        .await?;
    for h in hashes {
        cache.delete(&auth_key(&h)).await;
    }
    Ok(())
}

pub async fn revoke_token(
    db: &DatabaseConnection,
    cache: &Cache,
    user_id: Uuid,
    token_id: Uuid,
) -> Result<()> {
    let res = auth_token::Entity::update_many()
        .col_expr(auth_token::Column::RevokedAt, Expr::value(Some(now())))
        .filter(auth_token::Column::Id.eq(token_id))
        .filter(auth_token::Column::UserId.eq(user_id))
        .filter(auth_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(Error::NotFound { what: "token" });
    }
    if let Some(t) = auth_token::Entity::find_by_id(token_id).one(db).await? {
        cache.delete(&auth_key(&t.token_hash)).await;
    }
    Ok(())
}

pub struct NewApiToken {
    pub id: Uuid,
    pub token: String,
    pub expires_at: OffsetDateTime,
}

pub async fn create_api_token(
    db: &DatabaseConnection,
    user_id: Uuid,
    name: &str,
    days: u32,
) -> Result<NewApiToken> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::invalid(
            "name",
            "name the token in 1 to 100 characters",
        ));
    }
    if !(1..=365).contains(&days) {
        return Err(Error::invalid(
            "expires_in_days",
            "a token lives 1 to 365 days",
        ));
    }
    let token = new_token("agt_");
    let id = Uuid::new_v4();
    let expires_at = now() + time::Duration::days(days.into());
    auth_token::ActiveModel {
        id: Set(id),
        user_id: Set(user_id),
        kind: Set(TokenKind::Api.as_str().into()),
        name: Set(name.to_owned()),
        token_hash: Set(token_hash(&token)),
        csrf_hash: Set(None),
        created_at: Set(now()),
        last_used_at: Set(None),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(NewApiToken {
        id,
        token,
        expires_at,
    })
}

pub async fn list_tokens(db: &DatabaseConnection, user_id: Uuid) -> Result<Vec<auth_token::Model>> {
    Ok(auth_token::Entity::find()
        .filter(auth_token::Column::UserId.eq(user_id))
        .order_by_desc(auth_token::Column::CreatedAt)
        .all(db)
        .await?)
}

// ---------------------------------------------------------------------------
// Password reset.

/// Enqueues a reset mail when the address has an account; does nothing
/// visible otherwise.
pub async fn request_password_reset(db: &DatabaseConnection, email: &str) -> Result<()> {
    let Ok(email) = Email::parse(email) else {
        return Ok(());
    };
    let txn = crate::db::begin_write(db).await?;
    if let Some(u) = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(&txn)
        .await?
    {
        let token = issue_one_time(&txn, u.id, Purpose::ResetPassword).await?;
        jobs::enqueue(
            &txn,
            &PasswordResetMail {
                user_id: u.id,
                token,
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Sets a new password and revokes every session and token of the account.
pub async fn reset_password(
    db: &DatabaseConnection,
    cache: &Cache,
    token: &str,
    new_password: &str,
) -> Result<()> {
    let txn = crate::db::begin_write(db).await?;
    let user_id = spend_one_time(&txn, token, Purpose::ResetPassword).await?;
    let u = user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound { what: "account" })?;
    let password = Password::parse(new_password, &[&u.email, &u.display_name])?;
    let hash = hash_password(password).await?;
    let mut am: user::ActiveModel = u.into();
    am.password_hash = Set(hash);
    // Following the link proves the address too.
    if am.email_verified_at.as_ref().is_none() {
        am.email_verified_at = Set(Some(now()));
    }
    am.updated_at = Set(now());
    am.update(&txn).await?;
    auth_token::Entity::update_many()
        .col_expr(auth_token::Column::RevokedAt, Expr::value(Some(now())))
        .filter(auth_token::Column::UserId.eq(user_id))
        .filter(auth_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    forget_sign_ins(db, cache, user_id).await
}

// ---------------------------------------------------------------------------
// Profile, export, deletion, administrators.

pub async fn get_user(db: &DatabaseConnection, user_id: Uuid) -> Result<user::Model> {
    user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound { what: "account" })
}

#[derive(Default)]
pub struct ProfileChange {
    pub display_name: Option<String>,
    pub locale: Option<Locale>,
    pub reminders_opt_out: Option<bool>,
}

pub async fn update_profile(
    db: &DatabaseConnection,
    cache: &Cache,
    user_id: Uuid,
    change: ProfileChange,
) -> Result<user::Model> {
    let u = get_user(db, user_id).await?;
    let mut am: user::ActiveModel = u.into();
    if let Some(name) = change.display_name {
        am.display_name = Set(parse_display_name(&name)?);
    }
    if let Some(locale) = change.locale {
        am.locale = Set(locale.to_string());
    }
    if let Some(opt_out) = change.reminders_opt_out {
        am.reminders_opt_out = Set(opt_out);
    }
    am.updated_at = Set(now());
    let updated = am.update(db).await?;
    // Cached sign-ins carry the locale.
    forget_sign_ins(db, cache, user_id).await?;
    Ok(updated)
}

/// Everything Agora holds about a person, as one JSON document.
pub async fn export_data(db: &DatabaseConnection, user_id: Uuid) -> Result<serde_json::Value> {
    use serde_json::json;
    let u = get_user(db, user_id).await?;
    let tokens = list_tokens(db, user_id).await?;
    let enrolments = enrolment::Entity::find()
        .filter(enrolment::Column::UserId.eq(user_id))
        .all(db)
        .await?;
    let ids: Vec<Uuid> = enrolments.iter().map(|e| e.id).collect();
    let progress = lesson_progress::Entity::find()
        .filter(lesson_progress::Column::EnrolmentId.is_in(ids.clone()))
        .all(db)
        .await?;
    let attempts = quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::EnrolmentId.is_in(ids))
        .all(db)
        .await?;
    let course_slugs: std::collections::HashMap<Uuid, String> =
        crate::entities::course::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c.slug))
            .collect();
    Ok(json!({
        "exported_at": now(),
        "account": {
            "id": u.id, "email": u.email, "email_verified_at": u.email_verified_at,
            "display_name": u.display_name, "locale": u.locale, "role": u.role,
            "reminders_opt_out": u.reminders_opt_out, "created_at": u.created_at, "updated_at": u.updated_at,
        },
        "sessions_and_tokens": tokens.iter().map(|t| json!({
            "id": t.id, "kind": t.kind, "name": t.name, "created_at": t.created_at,
            "last_used_at": t.last_used_at, "expires_at": t.expires_at, "revoked_at": t.revoked_at,
        })).collect::<Vec<_>>(),
        "enrolments": enrolments.iter().map(|e| json!({
            "id": e.id, "course": course_slugs.get(&e.course_id), "status": e.status,
            "enrolled_at": e.enrolled_at, "last_activity_at": e.last_activity_at, "completed_at": e.completed_at,
            "completed_lessons": progress.iter().filter(|p| p.enrolment_id == e.id)
                .map(|p| json!({ "lesson_id": p.lesson_id, "completed_at": p.completed_at })).collect::<Vec<_>>(),
            "quiz_attempts": attempts.iter().filter(|a| a.enrolment_id == e.id)
                .map(|a| json!({ "lesson_id": a.lesson_id, "answers": a.answers, "score": a.score,
                                 "passed": a.passed, "at": a.created_at })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    }))
}

/// Deletes the account and everything that cascades from it, after checking the password.
pub async fn delete_account(
    db: &DatabaseConnection,
    cache: &Cache,
    user_id: Uuid,
    password: &str,
) -> Result<()> {
    let u = get_user(db, user_id).await?;
    if !verify_password(u.password_hash.clone(), password.to_owned()).await {
        return Err(Error::invalid("password", "the password is wrong"));
    }
    forget_sign_ins(db, cache, user_id).await?;
    user::Entity::delete_by_id(user_id).exec(db).await?;
    Ok(())
}

/// Creates an account with a role, verified, from the command line; or
/// changes the role and password of an existing one.
pub async fn admin_upsert(
    db: &DatabaseConnection,
    cache: &Cache,
    email: &str,
    password: &str,
    name: &str,
    role: Role,
) -> Result<bool> {
    let email = Email::parse(email)?;
    let display_name = parse_display_name(name)?;
    let password = Password::parse(password, &[email.as_str(), &display_name])?;
    let hash = hash_password(password).await?;
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?;
    Ok(match existing {
        Some(u) => {
            forget_sign_ins(db, cache, u.id).await?;
            let mut am: user::ActiveModel = u.into();
            am.role = Set(role.as_str().into());
            am.password_hash = Set(hash);
            am.updated_at = Set(now());
            am.update(db).await?;
            false
        }
        None => {
            user::ActiveModel {
                id: Set(Uuid::new_v4()),
                email: Set(email.as_str().to_owned()),
                email_verified_at: Set(Some(now())),
                password_hash: Set(hash),
                display_name: Set(display_name),
                locale: Set(Locale::En.to_string()),
                role: Set(role.as_str().into()),
                reminders_opt_out: Set(false),
                unsubscribe_token: Set(None),
                created_at: Set(now()),
                updated_at: Set(now()),
            }
            .insert(db)
            .await?;
            true
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            Email::parse("  Ana.Silva@City.GOV ").unwrap().as_str(),
            "ana.silva@city.gov"
        );
        for bad in [
            "",
            "no-at",
            "a@b",
            "a@.com",
            "a@b..com",
            "a b@c.org",
            "@city.gov",
            &format!("{}@x.org", "a".repeat(65)),
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_need_length_and_strength() {
        assert!(Password::parse("short", &[]).is_err());
        assert!(Password::parse("password123", &[]).is_err());
        assert!(Password::parse("qwertyuiop", &[]).is_err());
        assert!(Password::parse(&"x".repeat(129), &[]).is_err());
        assert!(Password::parse("ana.silva@city.gov", &["ana.silva@city.gov"]).is_err());
        assert!(Password::parse("harbour lantern quietly", &[]).is_ok());
        assert!(
            format!(
                "{:?}",
                Password::parse("harbour lantern quietly", &[]).unwrap()
            )
            .contains("redacted")
        );
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = new_token("ags_");
        assert!(a.starts_with("ags_") && a.len() > 40);
        assert_ne!(a, new_token("ags_"));
        assert_eq!(token_hash(&a).len(), 64);
    }
}
