//! Sign-in and sessions: who a request comes from, and the short-lived
//! cache of resolved sign-ins.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set,
    sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    Email, MAX_PASSWORD_CHARS, Role, SESSION_LIFETIME, now,
    secrets::{DUMMY_HASH, TokenKind, auth_key, new_token, token_hash, verify_password},
};
use crate::{
    Error, Result,
    cache::Cache,
    domain::Locale,
    entities::{auth_token, user},
};

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
    /// The IANA time zone the person chose in their account, if any
    /// (pages show times in it; cached with the rest, and forgotten with
    /// it when the account changes).
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// The caller, or "sign in first" for an anonymous request.
pub fn require_signed_in(who: Option<&Principal>) -> Result<&Principal> {
    who.ok_or(Error::Unauthorized {
        reason: "sign in first",
    })
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
    open_session(db, user.id).await
}

/// Opens a web session for a user whose identity was checked elsewhere
/// (a password above, or a verified LTI launch).
pub async fn open_session(db: &DatabaseConnection, user_id: Uuid) -> Result<NewSession> {
    let token = new_token("ags_");
    let csrf_token = new_token("");
    let expires_at = now() + SESSION_LIFETIME;
    auth_token::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(user_id),
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
    if let Some(c) = cache.get_as::<CachedPrincipal>(&key).await
        && c.expires_at > at
        && (at - c.cached_at).whole_seconds() < AUTH_CACHE_SECONDS
    {
        if via_cookie && c.principal.kind != TokenKind::Session {
            return Err(refused());
        }
        return Ok(c.principal.clone());
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
        time_zone: u.time_zone.clone(),
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
