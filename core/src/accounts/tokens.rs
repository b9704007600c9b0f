//! Secrets: random tokens and their hashes, one-time links (address
//! verification, password reset), and API tokens.

use std::time::Duration;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, sea_query::Expr,
};

use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    RESET_LIFETIME, VERIFY_LIFETIME, now,
    secrets::{TokenKind, auth_key, new_token, token_hash},
};
use crate::{
    Error, Result,
    cache::Cache,
    entities::{auth_token, one_time_token},
};

#[derive(Clone, Copy)]
pub(super) enum Purpose {
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

pub(super) async fn issue_one_time(
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
pub(super) async fn spend_one_time(
    db: &impl ConnectionTrait,
    token: &str,
    purpose: Purpose,
) -> Result<Uuid> {
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
    // PostgreSQL refuses a NUL in text (a 500 before this check, found by
    // schemathesis); no other control character belongs in a name either.
    if name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "name",
            "a token's name cannot hold control characters",
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

/// A session or API token as its owner sees it: never the secret.
#[derive(Clone, Debug)]
pub struct TokenSummary {
    pub id: Uuid,
    /// `session` or `api`.
    pub kind: String,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

impl From<auth_token::Model> for TokenSummary {
    fn from(t: auth_token::Model) -> Self {
        Self {
            id: t.id,
            kind: t.kind,
            name: t.name,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// A user's sessions and API tokens, newest first.
pub async fn list_tokens(db: &DatabaseConnection, user_id: Uuid) -> Result<Vec<TokenSummary>> {
    Ok(auth_token::Entity::find()
        .filter(auth_token::Column::UserId.eq(user_id))
        .order_by_desc(auth_token::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(TokenSummary::from)
        .collect())
}
