//! "Contact this city": a signed-in person writes to a practice's opted-in
//! contact through Agora's mail.
//!
//! Decision: neither address is shown to the other. The recipient reads the
//! sender's name, organisation and message; the mail offers two links, each
//! carrying the message's token as its proof:
//! - "share my address": the recipient chooses to answer, and Agora mails
//!   the sender the recipient's address (once);
//! - "refuse further messages": no more messages from this sender reach
//!   the recipient. It is also the mail's RFC 8058 one-click unsubscribe.
//!
//! Messages are rate limited per sender; the mail goes through the job
//! outbox, written in the same transaction as the message.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::OnConflict,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{PUBLISHED, Practices, not_found, now, views::texts_of};
use crate::{
    Error, Result,
    accounts::{Principal, new_token, require_signed_in},
    addressee::{locale_of, mailbox},
    domain::Locale,
    entities::{
        organisation, organisation_member, practice, practice_contact_refusal, practice_message,
        user,
    },
    jobs::{self, Job},
    links,
    mail::{
        delivery::{self, Outgoing},
        templates::{self, PracticeContact, PracticeReveal},
    },
    organisations::name_in,
    outbound::Outbound,
};

/// The longest message, in characters.
pub const MAX_MESSAGE: usize = 4_000;

/// The mail of one message to the practice's contact.
#[derive(Debug, Serialize, Deserialize)]
pub struct ContactMail {
    pub message_id: Uuid,
}
impl Job for ContactMail {
    const KIND: &'static str = "mail.practice_contact";
    fn dedup_key(&self) -> Option<String> {
        Some(format!("practice_contact:{}", self.message_id))
    }
}

/// The mail that gives the sender the recipient's address, at the
/// recipient's request.
#[derive(Debug, Serialize, Deserialize)]
pub struct RevealMail {
    pub message_id: Uuid,
}
impl Job for RevealMail {
    const KIND: &'static str = "mail.practice_reveal";
    fn dedup_key(&self) -> Option<String> {
        Some(format!("practice_reveal:{}", self.message_id))
    }
}

fn gone() -> Error {
    Error::NotFound { what: "message" }
}

async fn message_by_token(
    db: &impl sea_orm::ConnectionTrait,
    token: &str,
) -> Result<practice_message::Model> {
    let token = token.trim();
    if token.is_empty() || token.len() > 64 {
        return Err(gone());
    }
    practice_message::Entity::find()
        .filter(practice_message::Column::Token.eq(token))
        .one(db)
        .await?
        .ok_or_else(gone)
}

impl Practices {
    /// Sends a message to a published practice's contact.
    pub async fn contact(&self, who: Option<&Principal>, slug: &str, body: &str) -> Result<()> {
        let who = require_signed_in(who)?;
        let (p, _) = self.find(slug).await?;
        if p.status != PUBLISHED {
            return Err(not_found());
        }
        let Some(recipient) = p.contact_user_id else {
            return Err(Error::Conflict {
                field: "body".into(),
                reason: "this practice has no contact who accepts messages".into(),
            });
        };
        if recipient == who.user_id {
            return Err(Error::invalid("body", "you are this practice's contact"));
        }
        let body = body.trim();
        if body.is_empty() || body.chars().count() > MAX_MESSAGE {
            return Err(Error::invalid(
                "body",
                format!("write a message of 1 to {MAX_MESSAGE} characters"),
            ));
        }
        let refused = practice_contact_refusal::Entity::find_by_id((recipient, who.user_id))
            .one(&self.db)
            .await?
            .is_some();
        if refused {
            return Err(Error::Forbidden {
                reason: "this contact does not accept messages from you",
            });
        }
        self.limits.message(who.user_id).await?;
        let txn = crate::db::begin_write(&self.db).await?;
        let id = Uuid::new_v4();
        practice_message::ActiveModel {
            id: Set(id),
            practice_id: Set(p.id),
            sender_id: Set(who.user_id),
            recipient_id: Set(recipient),
            body: Set(body.to_owned()),
            token: Set(new_token("pm_")),
            revealed_at: Set(None),
            created_at: Set(now()),
        }
        .insert(&txn)
        .await?;
        jobs::enqueue(&txn, &ContactMail { message_id: id }).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The recipient refuses further messages from the sender of the
    /// message `token` came with. Returns the recipient's language.
    pub async fn refuse_contact(&self, token: &str) -> Result<Locale> {
        let m = message_by_token(&self.db, token).await?;
        practice_contact_refusal::Entity::insert(practice_contact_refusal::ActiveModel {
            recipient_id: Set(m.recipient_id),
            sender_id: Set(m.sender_id),
            created_at: Set(now()),
        })
        .on_conflict(
            OnConflict::columns([
                practice_contact_refusal::Column::RecipientId,
                practice_contact_refusal::Column::SenderId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        self.language_of(m.recipient_id).await
    }

    /// The recipient shares their address with the sender (once).
    pub async fn reveal_address(&self, token: &str) -> Result<Locale> {
        let m = message_by_token(&self.db, token).await?;
        if m.revealed_at.is_none() {
            let txn = crate::db::begin_write(&self.db).await?;
            let mut row: practice_message::ActiveModel = m.clone().into();
            row.revealed_at = Set(Some(now()));
            row.update(&txn).await?;
            jobs::enqueue(&txn, &RevealMail { message_id: m.id }).await?;
            txn.commit().await?;
        }
        self.language_of(m.recipient_id).await
    }

    async fn language_of(&self, user_id: Uuid) -> Result<Locale> {
        Ok(user::Entity::find_by_id(user_id)
            .one(&self.db)
            .await?
            .map(|u| locale_of(&u))
            .unwrap_or(Locale::En))
    }
}

struct Parties {
    message: practice_message::Model,
    practice: practice::Model,
    sender: user::Model,
    recipient: user::Model,
}

async fn parties(o: &Outbound, id: Uuid) -> Result<Option<Parties>> {
    let Some(message) = practice_message::Entity::find_by_id(id).one(&o.db).await? else {
        return Ok(None);
    };
    let Some(practice) = practice::Entity::find_by_id(message.practice_id)
        .one(&o.db)
        .await?
    else {
        return Ok(None);
    };
    let sender = user::Entity::find_by_id(message.sender_id)
        .one(&o.db)
        .await?;
    let recipient = user::Entity::find_by_id(message.recipient_id)
        .one(&o.db)
        .await?;
    Ok(match (sender, recipient) {
        (Some(sender), Some(recipient)) => Some(Parties {
            message,
            practice,
            sender,
            recipient,
        }),
        _ => None,
    })
}

fn title_in(p: &practice::Model, locale: Locale) -> String {
    let texts = texts_of(p);
    texts
        .get(locale.as_str())
        .or_else(|| texts.get(&p.default_locale))
        .map(|t| t.title.clone())
        .unwrap_or_else(|| p.slug.clone())
}

/// Mails a message to the practice's contact (the job's handler). A sender
/// refused since the message was written is not delivered.
pub async fn send_contact(o: &Outbound, job: ContactMail) -> Result<()> {
    let Some(x) = parties(o, job.message_id).await? else {
        return Ok(());
    };
    let refused = practice_contact_refusal::Entity::find_by_id((x.recipient.id, x.sender.id))
        .one(&o.db)
        .await?
        .is_some();
    if refused {
        return Ok(());
    }
    let locale = locale_of(&x.recipient);
    let org = match organisation_member::Entity::find_by_id(x.sender.id)
        .one(&o.db)
        .await?
        .filter(|m| m.status == "active")
    {
        Some(m) => organisation::Entity::find_by_id(m.organisation_id)
            .one(&o.db)
            .await?
            .map(|org| name_in(&org.name, &org.names, locale)),
        None => None,
    };
    let refuse = o.link(&links::practice_refusal(&x.message.token));
    let rendered = templates::render(
        locale,
        &PracticeContact {
            name: x.recipient.display_name.clone(),
            sender: x.sender.display_name.clone(),
            organisation: org.unwrap_or_default(),
            practice: title_in(&x.practice, locale),
            practice_link: o.link(&links::practice(&x.practice.slug)),
            body: x.message.body.clone(),
            reveal_link: o.link(&links::practice_reveal(&x.message.token)),
            refuse_link: refuse.clone(),
        },
    )?;
    delivery::deliver(
        &o.db,
        &o.mailer,
        Outgoing {
            key: format!("practice_contact:{}", x.message.id),
            user_id: Some(x.recipient.id),
            to: mailbox(&x.recipient)?,
            rendered,
            unsubscribe: Some(refuse),
        },
    )
    .await
    .map(drop)
}

/// Mails the sender the address the recipient chose to share.
pub async fn send_reveal(o: &Outbound, job: RevealMail) -> Result<()> {
    let Some(x) = parties(o, job.message_id).await? else {
        return Ok(());
    };
    let locale = locale_of(&x.sender);
    let rendered = templates::render(
        locale,
        &PracticeReveal {
            name: x.sender.display_name.clone(),
            recipient: x.recipient.display_name.clone(),
            address: x.recipient.email.clone(),
            practice: title_in(&x.practice, locale),
            practice_link: o.link(&links::practice(&x.practice.slug)),
        },
    )?;
    delivery::deliver(
        &o.db,
        &o.mailer,
        Outgoing {
            key: format!("practice_reveal:{}", x.message.id),
            user_id: Some(x.sender.id),
            to: mailbox(&x.sender)?,
            rendered,
            unsubscribe: None,
        },
    )
    .await
    .map(drop)
}
