//! The mail Agora sends after something happens, one function per job kind,
//! and the reminders to learners who have stopped.

use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::{
    Error, Result,
    accounts::{
        AccountExistsMail, PasswordResetMail, RESET_LIFETIME, VERIFY_LIFETIME, VerifyEmailMail,
    },
    addressee::{course_title, locale_of, mailbox},
    catalogue,
    domain::Locale,
    entities::{course, enrolment, user},
    jobs::{self, Job},
    learning::{ACTIVE, EnrolledMail, Learning},
    links,
    mail::{
        delivery::{self, Outgoing},
        templates::{self, AccountExists, Enrolled, PasswordReset, Reminder, VerifyEmail},
    },
    outbound::Outbound,
};

/// A short, stable fingerprint of a secret, for message keys.
fn fingerprint(secret: &str) -> String {
    hex::encode(&Sha256::digest(secret.as_bytes())[..12])
}

async fn user(db: &DatabaseConnection, id: Uuid) -> Result<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id).one(db).await?)
}

async fn send(
    o: &Outbound,
    key: String,
    u: &user::Model,
    rendered: templates::Rendered,
    unsubscribe: Option<String>,
) -> Result<()> {
    delivery::deliver(
        &o.db,
        &o.mailer,
        Outgoing {
            key,
            user_id: Some(u.id),
            to: mailbox(u)?,
            rendered,
            unsubscribe,
        },
    )
    .await
    .map(drop)
}

pub async fn verify_email(o: &Outbound, job: VerifyEmailMail) -> Result<()> {
    // A deleted account gets no mail.
    let Some(u) = user(&o.db, job.user_id).await? else {
        return Ok(());
    };
    let rendered = templates::render(
        locale_of(&u),
        &VerifyEmail {
            name: u.display_name.clone(),
            link: o.link(&links::verify_email(&job.token)),
            hours: VERIFY_LIFETIME.as_secs() / 3600,
        },
    )?;
    send(
        o,
        format!("verify_email:{}", fingerprint(&job.token)),
        &u,
        rendered,
        None,
    )
    .await
}

pub async fn account_exists(o: &Outbound, job: AccountExistsMail) -> Result<()> {
    let Some(u) = user(&o.db, job.user_id).await? else {
        return Ok(());
    };
    let rendered = templates::render(
        locale_of(&u),
        &AccountExists {
            name: u.display_name.clone(),
            sign_in_link: o.link(&links::sign_in()),
            reset_link: o.link(&links::forgot_password()),
        },
    )?;
    send(
        o,
        format!("account_exists:{}:{}", u.id, job.request_id),
        &u,
        rendered,
        None,
    )
    .await
}

pub async fn password_reset(o: &Outbound, job: PasswordResetMail) -> Result<()> {
    let Some(u) = user(&o.db, job.user_id).await? else {
        return Ok(());
    };
    let rendered = templates::render(
        locale_of(&u),
        &PasswordReset {
            name: u.display_name.clone(),
            link: o.link(&links::reset_password(&job.token)),
            minutes: RESET_LIFETIME.as_secs() / 60,
        },
    )?;
    send(
        o,
        format!("password_reset:{}", fingerprint(&job.token)),
        &u,
        rendered,
        None,
    )
    .await
}

pub async fn enrolled(o: &Outbound, job: EnrolledMail) -> Result<()> {
    let Some(e) = enrolment::Entity::find_by_id(job.enrolment_id)
        .one(&o.db)
        .await?
    else {
        return Ok(());
    };
    let Some(u) = user(&o.db, e.user_id).await? else {
        return Ok(());
    };
    let Some(c) = course::Entity::find_by_id(e.course_id).one(&o.db).await? else {
        return Ok(());
    };
    let locale = locale_of(&u);
    let outline = o
        .outlines
        .try_get_with((c.slug.clone(), locale), async {
            catalogue::course_outline(&o.db, &c.slug, &[locale])
                .await
                .map(std::sync::Arc::new)
        })
        .await;
    let outline = match outline {
        Ok(outline) => outline,
        // Unpublished since: the welcome no longer makes sense.
        Err(e) if matches!(*e, Error::NotFound { .. }) => return Ok(()),
        Err(e) => return Err(Error::Internal(e.to_string())),
    };
    let first = outline
        .modules
        .iter()
        .flat_map(|m| m.lessons.iter())
        .next()
        .ok_or_else(|| Error::Internal(format!("course {} has no lessons", c.slug)))?;
    let rendered = templates::render(
        locale,
        &Enrolled {
            name: u.display_name.clone(),
            course_title: outline.card.title.clone(),
            course_summary: outline.card.summary.clone(),
            modules: templates::count(locale, outline.card.module_count, templates::Noun::Module),
            lessons: templates::count(locale, outline.card.lesson_count, templates::Noun::Lesson),
            duration: templates::format_duration(locale, outline.card.duration_minutes),
            first_lesson_title: first.title.clone(),
            first_lesson_link: o.link(&links::lesson(&c.slug, &first.key)),
            course_link: o.link(&links::course(&c.slug)),
        },
    )?;
    send(o, format!("enrolled:{}", e.id), &u, rendered, None).await
}

// ---------------------------------------------------------------------------
// Reminders.

/// Looks for learners to remind. Enqueued by the worker's clock once per
/// scan period (the dedup key holds the period), so many workers scan once.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReminderScan {
    pub period: i64,
}
impl Job for ReminderScan {
    const KIND: &'static str = "reminders.scan";
    const MAX_ATTEMPTS: i32 = 3;
    fn dedup_key(&self) -> Option<String> {
        Some(format!("reminders.scan:{}", self.period))
    }
}

/// One reminder to one learner about one course.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReminderMail {
    pub enrolment_id: Uuid,
    /// When the learner was last active, as the scan saw it: any activity
    /// since then makes the reminder pointless.
    pub last_activity_ms: i64,
    /// Which reminder period this is (time divided by the period): one
    /// reminder per enrolment per period.
    #[serde(default)]
    pub period: i64,
}
impl Job for ReminderMail {
    const KIND: &'static str = "mail.reminder";
    fn dedup_key(&self) -> Option<String> {
        Some(format!(
            "mail.reminder:{}:{}:{}",
            self.enrolment_id, self.last_activity_ms, self.period
        ))
    }
}

/// Reminders stop after this many periods without activity: a learner who
/// has not come back after three reminders is not nagged for ever.
const REMINDER_ROUNDS: i64 = 3;

fn to_ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// Enqueues a reminder for every enrolment that is due one, marking it
/// reminded in the same transaction. Returns how many were enqueued.
pub async fn scan_reminders(db: &DatabaseConnection, days: u32) -> Result<u64> {
    let now = OffsetDateTime::now_utc();
    let period = Duration::days(i64::from(days));
    let due = now - period;
    let give_up = now - period * (REMINDER_ROUNDS as i32 + 1);
    let mut enqueued = 0;
    loop {
        let txn = crate::db::begin_write(db).await?;
        let batch: Vec<enrolment::Model> = enrolment::Entity::find()
            .inner_join(user::Entity)
            .filter(enrolment::Column::Status.eq(ACTIVE))
            .filter(enrolment::Column::CompletedAt.is_null())
            .filter(enrolment::Column::LastActivityAt.lte(due))
            .filter(enrolment::Column::LastActivityAt.gt(give_up))
            .filter(
                Condition::any()
                    .add(enrolment::Column::LastRemindedAt.is_null())
                    .add(enrolment::Column::LastRemindedAt.lte(due)),
            )
            .filter(user::Column::RemindersOptOut.eq(false))
            .filter(user::Column::EmailVerifiedAt.is_not_null())
            .order_by_asc(enrolment::Column::Id)
            .limit(500)
            .all(&txn)
            .await?;
        if batch.is_empty() {
            txn.commit().await?;
            return Ok(enqueued);
        }
        for e in &batch {
            enrolment::Entity::update(enrolment::ActiveModel {
                id: Set(e.id),
                last_reminded_at: Set(Some(now)),
                ..Default::default()
            })
            .exec(&txn)
            .await?;
            if jobs::enqueue(
                &txn,
                &ReminderMail {
                    enrolment_id: e.id,
                    last_activity_ms: to_ms(e.last_activity_at),
                    period: to_ms(now) / (i64::from(days) * 86_400_000),
                },
            )
            .await?
            {
                enqueued += 1;
            }
        }
        txn.commit().await?;
    }
}

/// Sends one reminder, after checking again that it is still wanted: not
/// completed, not left, no activity since the scan, not opted out.
pub async fn reminder(o: &Outbound, learning: &Learning, job: ReminderMail) -> Result<()> {
    let Some(e) = enrolment::Entity::find_by_id(job.enrolment_id)
        .one(&o.db)
        .await?
    else {
        return Ok(());
    };
    if e.status != ACTIVE
        || e.completed_at.is_some()
        || to_ms(e.last_activity_at) > job.last_activity_ms
    {
        return Ok(());
    }
    let Some(u) = user(&o.db, e.user_id).await? else {
        return Ok(());
    };
    if u.reminders_opt_out {
        return Ok(());
    }
    let Some(c) = course::Entity::find_by_id(e.course_id).one(&o.db).await? else {
        return Ok(());
    };
    let locale = locale_of(&u);
    let (_, title) = course_title(&o.db, &c, locale).await?;
    let summary = learning
        .summaries(&[e.id])
        .await?
        .pop()
        .ok_or(Error::NotFound { what: "enrolment" })?;
    let continue_link = match &summary.resume_lesson_key {
        Some(key) => o.link(&links::lesson(&c.slug, key)),
        None => o.link(&links::course(&c.slug)),
    };
    let token = unsubscribe_token(&o.db, &u).await?;
    let unsubscribe = o.link(&links::unsubscribe(&token));
    let days = (OffsetDateTime::now_utc() - e.last_activity_at).whole_days();
    let rendered = templates::render(
        locale,
        &Reminder {
            name: u.display_name.clone(),
            course_title: title,
            days,
            percent: summary.percent,
            continue_link,
            unsubscribe_link: unsubscribe.clone(),
        },
    )?;
    send(
        o,
        format!("reminder:{}:{}:{}", e.id, job.last_activity_ms, job.period),
        &u,
        rendered,
        Some(unsubscribe),
    )
    .await
}

/// The learner's unsubscribe token, made on first use. It only ever opts
/// out of reminders, so it is kept as is, not hashed.
pub(crate) async fn unsubscribe_token(db: &DatabaseConnection, u: &user::Model) -> Result<String> {
    if let Some(t) = &u.unsubscribe_token {
        return Ok(t.clone());
    }
    let token = crate::accounts::new_token("unsub");
    user::Entity::update_many()
        .col_expr(
            user::Column::UnsubscribeToken,
            Expr::value(Some(token.clone())),
        )
        .filter(user::Column::Id.eq(u.id))
        .filter(user::Column::UnsubscribeToken.is_null())
        .exec(db)
        .await?;
    // Another run may have set it first: read back the one that stuck.
    user::Entity::find_by_id(u.id)
        .one(db)
        .await?
        .and_then(|u| u.unsubscribe_token)
        .ok_or(Error::NotFound { what: "user" })
}

/// One-click unsubscribe from reminders. Returns the learner's locale, for
/// the confirmation page. Unknown tokens are not found.
pub async fn unsubscribe(db: &DatabaseConnection, token: &str) -> Result<Locale> {
    let token = token.trim();
    if token.is_empty() || token.len() > 64 {
        return Err(Error::NotFound {
            what: "subscription",
        });
    }
    let u = user::Entity::find()
        .filter(user::Column::UnsubscribeToken.eq(token))
        .one(db)
        .await?
        .ok_or(Error::NotFound {
            what: "subscription",
        })?;
    user::Entity::update_many()
        .col_expr(user::Column::RemindersOptOut, Expr::value(true))
        .col_expr(
            user::Column::UpdatedAt,
            Expr::value(OffsetDateTime::now_utc()),
        )
        .filter(user::Column::Id.eq(u.id))
        .exec(db)
        .await?;
    Ok(locale_of(&u))
}
