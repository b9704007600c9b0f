//! Outgoing mail: the mail port (SMTP, or `.eml` files in the outbox for a
//! laptop), messages rendered from templates per locale, and delivery that
//! sends each message once however often its job runs.

pub mod delivery;
pub mod templates;

use std::{path::PathBuf, sync::Arc, time::Duration};

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor, message::Mailbox,
    transport::smtp::authentication::Credentials,
};

use crate::{Error, Result, config::Config};

/// How long one SMTP conversation may take before it counts as failed and
/// the job retries: a slow server never holds a worker for long.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// A folder where each message is written as an `.eml` file.
    Outbox(PathBuf),
}

/// The mail port. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    transport: Arc<Transport>,
    from: Mailbox,
}

impl Mailer {
    pub fn from_config(config: &Config) -> Result<Self> {
        let from: Mailbox = config.mail_from.parse().map_err(|e| {
            Error::invalid(
                "AGORA_MAIL_FROM",
                format!("`{}` is not a mail address ({e})", config.mail_from),
            )
        })?;
        let transport = match &config.smtp_url {
            Some(url) => {
                let mut builder =
                    AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose().as_str())
                        .map_err(|e| {
                            Error::invalid("AGORA_SMTP_URL", format!("unusable SMTP URL: {e}"))
                        })?
                        .timeout(Some(SMTP_TIMEOUT));
                if let (Some(user), Some(password)) = (&config.smtp_username, &config.smtp_password)
                {
                    builder = builder
                        .credentials(Credentials::new(user.clone(), password.expose().to_owned()));
                }
                Transport::Smtp(builder.build())
            }
            None => Transport::Outbox(config.data_dir.join("outbox")),
        };
        Ok(Self {
            transport: Arc::new(transport),
            from,
        })
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
        match &*self.transport {
            Transport::Smtp(smtp) => smtp.send(message).await.map(drop).map_err(|e| {
                // lettre's errors name the server and the reply, never the credentials.
                format!("the SMTP server did not accept the message: {e}")
            }),
            Transport::Outbox(dir) => {
                let file: String = name
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '-' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                let bytes = message.formatted();
                let dir = dir.clone();
                tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                    std::fs::create_dir_all(&dir)?;
                    let tmp = dir.join(format!(".{file}.tmp"));
                    std::fs::write(&tmp, bytes)?;
                    std::fs::rename(tmp, dir.join(format!("{file}.eml")))
                })
                .await
                .map_err(|e| format!("the outbox writer stopped: {e}"))?
                .map_err(|e| format!("cannot write to the outbox: {e}"))
            }
        }
    }
}
