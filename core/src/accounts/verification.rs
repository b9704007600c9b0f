//! Registration and confirming an address.

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, sea_query::Expr};
use uuid::Uuid;

use super::{
    AccountExistsMail, Email, Password, Role, VerifyEmailMail, now, parse_display_name,
    secrets::hash_password,
    tokens::{Purpose, issue_one_time, spend_one_time},
};
use crate::{Result, domain::Locale, entities::user, jobs};

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
        time_zone: Set(None),
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
    let locale = r.locale.to_string();
    crate::xapi::emit::record(&txn, id, [crate::xapi::emit::account_created(id, &locale)]).await?;
    txn.commit().await?;
    Ok(())
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
