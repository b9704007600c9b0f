//! Password hashing, and resetting a forgotten password.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    sea_query::Expr,
};

use super::{
    Email, Password, PasswordResetMail, forget_sign_ins, now,
    secrets::hash_password,
    tokens::{Purpose, issue_one_time, spend_one_time},
};
use crate::{
    Error, Result,
    cache::Cache,
    entities::{auth_token, user},
    jobs,
};

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
