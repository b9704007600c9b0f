//! Outgoing mail: the mail port (SMTP, or `.eml` files in the outbox for a
//! laptop), messages rendered from templates per locale, and delivery that
//! sends each message once however often its job runs. Nothing outside this
//! module names an adapter.

pub mod delivery;
mod outbox;
mod smtp;
pub mod templates;

use std::{future::Future, pin::Pin, sync::Arc};

use lettre::{Message, message::Mailbox};

use crate::{Error, Result, config::Config};

/// What an adapter's `send` returns: the failure is a sentence for the job's log.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// Where messages go. Two adapters: an SMTP server, and a folder of `.eml` files.
pub trait MailPort: Send + Sync {
    /// Hands one message over. `name` is stable per message, so an adapter
    /// that keeps files overwrites rather than duplicates on a resend.
    fn send<'a>(&'a self, message: Message, name: &'a str) -> SendFuture<'a>;
    fn name(&self) -> &'static str;
}

/// The mail port's handle. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    transport: Arc<dyn MailPort>,
    from: Mailbox,
}

impl Mailer {
    /// SMTP when a URL is set, else the outbox `<data>/outbox`. A sender or
    /// server setting that cannot work is an error here, at start-up.
    pub fn from_config(config: &Config) -> Result<Self> {
        let from: Mailbox = config.mail_from.parse().map_err(|e| {
            Error::invalid(
                "AGORA_MAIL_FROM",
                format!("`{}` is not a mail address ({e})", config.mail_from),
            )
        })?;
        let transport: Arc<dyn MailPort> = match &config.smtp_url {
            Some(url) => Arc::new(smtp::Smtp::from_config(url, config)?),
            None => Arc::new(outbox::Outbox::new(config.data_dir.join("outbox"))),
        };
        Ok(Self { transport, from })
    }

    /// A handle over any adapter.
    pub fn new(transport: Arc<dyn MailPort>, from: Mailbox) -> Self {
        Self { transport, from }
    }

    pub fn backend(&self) -> &'static str {
        self.transport.name()
    }

    pub fn from_address(&self) -> &Mailbox {
        &self.from
    }

    /// The domain used in message ids.
    pub fn domain(&self) -> &str {
        self.from.email.domain()
    }

    /// Hands one message to the server (or writes it to the outbox). `name`
    /// names the outbox file, so a resend overwrites rather than duplicates.
    pub async fn send(&self, message: Message, name: &str) -> Result<(), String> {
        let sent = self.transport.send(message, name).await;
        crate::metrics::get()
            .mails
            .get_or_create(&crate::metrics::OutcomeLabels {
                backend: self.transport.name(),
                outcome: if sent.is_ok() { "sent" } else { "failed" },
            })
            .inc();
        sent
    }
}
