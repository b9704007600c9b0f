//! Sending a message once. Each message has a key (`enrolled:<enrolment>`);
//! the `mail_deliveries` row of that key records that the server accepted
//! it, so a job that runs again after the send never sends again.
//!
//! The one window left is a crash between the server's acceptance and the
//! row's update: then the message is sent again with the same `Message-ID`,
//! which lets mail clients fold the two. Losing a message would be worse.

use std::time::Duration;

use lettre::{
    Message,
    message::{Mailbox, MultiPart, header::HeaderName, header::HeaderValue},
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, sea_query::Expr,
    sea_query::ExprTrait, sea_query::OnConflict,
};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Mailer, templates::Rendered};
use crate::{Error, Result, entities::mail_delivery};

pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";

pub struct Outgoing {
    /// What makes this message this message, e.g. `enrolled:<enrolment id>`.
    pub key: String,
    pub user_id: Option<Uuid>,
    pub to: Mailbox,
    pub rendered: Rendered,
    /// One-click unsubscribe URL (RFC 8058), for messages one can opt out of.
    pub unsubscribe: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// The server had accepted it on an earlier run.
    AlreadySent,
}

/// The stable `Message-ID` of a message key.
pub fn message_id(key: &str, domain: &str) -> String {
    let digest = hex::encode(Sha256::digest(key.as_bytes()));
    format!("<{}@{domain}>", &digest[..32])
}

/// The message as it goes on the wire: both bodies, a stable `Message-ID`,
/// and the one-click unsubscribe headers when it has them.
pub fn build(
    mailer: &Mailer,
    message_id: String,
    to: Mailbox,
    rendered: Rendered,
    unsubscribe: Option<&str>,
) -> Result<Message> {
    let mut builder = Message::builder()
        .from(mailer.from_address().clone())
        .to(to)
        .subject(rendered.subject)
        .message_id(Some(message_id))
        .date_now()
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".into(),
        ));
    if let Some(url) = unsubscribe {
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".into(),
            ));
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            rendered.text,
            rendered.html,
        ))
        .map_err(|e| Error::Internal(format!("cannot build the message: {e}")))
}

pub async fn deliver(db: &DatabaseConnection, mailer: &Mailer, m: Outgoing) -> Result<Outcome> {
    let existing = mail_delivery::Entity::find_by_id(m.key.clone())
        .one(db)
        .await?;
    if existing.as_ref().is_some_and(|d| d.status == SENT) {
        return Ok(Outcome::AlreadySent);
    }
    let id = message_id(&m.key, mailer.domain());
    let now = OffsetDateTime::now_utc();
    mail_delivery::Entity::insert(mail_delivery::ActiveModel {
        key: Set(m.key.clone()),
        user_id: Set(m.user_id),
        message_id: Set(id.clone()),
        recipient: Set(m.to.email.to_string()),
        subject: Set(m.rendered.subject.chars().take(300).collect()),
        status: Set(SENDING.into()),
        attempts: Set(1),
        created_at: Set(now),
        sent_at: Set(None),
    })
    .on_conflict(
        OnConflict::column(mail_delivery::Column::Key)
            .value(
                mail_delivery::Column::Attempts,
                Expr::col((mail_delivery::Entity, mail_delivery::Column::Attempts)).add(1),
            )
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;

    let message = build(mailer, id, m.to, m.rendered, m.unsubscribe.as_deref())?;
    mailer
        .send(message, &m.key)
        .await
        .map_err(|e| Error::backend("mail server", e))?;
    record_sent(db, &m.key).await?;
    Ok(Outcome::Sent)
}

/// The longest a sent message waits for the database to record it.
const RECORD_PATIENCE: Duration = Duration::from_secs(60);

/// Records that the server accepted the message. A database that is
/// briefly unavailable (restarting) is waited for: failing here would fail
/// the job, and its next run would send the message again.
async fn record_sent(db: &DatabaseConnection, key: &str) -> Result<()> {
    let started = std::time::Instant::now();
    let mut pause = Duration::from_millis(200);
    loop {
        let recorded = mail_delivery::Entity::update_many()
            .col_expr(mail_delivery::Column::Status, Expr::value(SENT))
            .col_expr(
                mail_delivery::Column::SentAt,
                Expr::value(Some(OffsetDateTime::now_utc())),
            )
            .filter(mail_delivery::Column::Key.eq(key))
            .exec(db)
            .await;
        match recorded {
            Ok(_) => return Ok(()),
            Err(e) if crate::db::is_unavailable(&e) && started.elapsed() < RECORD_PATIENCE => {
                tracing::warn!(key, error = %e, "sent, but the database cannot record it yet");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(5));
            }
            Err(e) => return Err(e.into()),
        }
    }
}
