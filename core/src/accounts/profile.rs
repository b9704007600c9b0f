//! The account itself: reading and changing it, exporting everything held
//! about its holder, deleting it, and accounts made from the command line.

use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    Email, Password, Role, forget_sign_ins, now, parse_display_name,
    secrets::{hash_password, verify_password},
};
use crate::{
    Error, Result,
    cache::Cache,
    domain::Locale,
    entities::{enrolment, lesson_progress, quiz_attempt, user},
};

/// An account as its holder and the pages see it: no password hash, no
/// unsubscribe token.
#[derive(Clone, Debug)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub email_verified_at: Option<OffsetDateTime>,
    pub display_name: String,
    pub locale: String,
    pub role: String,
    pub reminders_opt_out: bool,
    /// IANA time zone name; `None` until chosen.
    pub time_zone: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl From<user::Model> for Account {
    fn from(u: user::Model) -> Self {
        Self {
            id: u.id,
            email: u.email,
            email_verified_at: u.email_verified_at,
            display_name: u.display_name,
            locale: u.locale,
            role: u.role,
            reminders_opt_out: u.reminders_opt_out,
            time_zone: u.time_zone,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

async fn user_row(db: &DatabaseConnection, user_id: Uuid) -> Result<user::Model> {
    user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound { what: "account" })
}

pub async fn get_user(db: &DatabaseConnection, user_id: Uuid) -> Result<Account> {
    user_row(db, user_id).await.map(Account::from)
}

#[derive(Default)]
pub struct ProfileChange {
    pub display_name: Option<String>,
    pub locale: Option<Locale>,
    pub reminders_opt_out: Option<bool>,
    /// An IANA time zone name (`Europe/Paris`); empty clears it.
    pub time_zone: Option<String>,
}

pub async fn update_profile(
    db: &DatabaseConnection,
    cache: &Cache,
    user_id: Uuid,
    change: ProfileChange,
) -> Result<Account> {
    let u = user_row(db, user_id).await?;
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
    if let Some(zone) = change.time_zone {
        am.time_zone = Set(crate::domain::parse_time_zone(&zone)?);
    }
    am.updated_at = Set(now());
    let updated = am.update(db).await?;
    // Cached sign-ins carry the locale and the time zone.
    forget_sign_ins(db, cache, user_id).await?;
    Ok(updated.into())
}

/// Everything Agora holds about a person, as one JSON document.
pub async fn export_data(db: &DatabaseConnection, user_id: Uuid) -> Result<serde_json::Value> {
    use serde_json::json;
    let u = user_row(db, user_id).await?;
    let tokens = super::list_tokens(db, user_id).await?;
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
    let u = user_row(db, user_id).await?;
    if !verify_password(u.password_hash.clone(), password.to_owned()).await {
        return Err(Error::invalid("password", "the password is wrong"));
    }
    forget_sign_ins(db, cache, user_id).await?;
    // Their enrolments stop counting for their organisation first. Run
    // again if PostgreSQL aborts it to break a deadlock with a transaction
    // that holds a row the cascade deletes.
    crate::db::retry_once(|| async move {
        let txn = crate::db::begin_write(db).await?;
        crate::org_activity::account_deleted(&txn, user_id).await?;
        user::Entity::delete_by_id(user_id).exec(&txn).await?;
        txn.commit().await?;
        Ok::<_, crate::Error>(())
    })
    .await
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
                time_zone: Set(None),
                created_at: Set(now()),
                updated_at: Set(now()),
            }
            .insert(db)
            .await?;
            true
        }
    })
}
