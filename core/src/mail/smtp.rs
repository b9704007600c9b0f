//! The mail adapter for production: an SMTP server, through lettre.

use std::time::Duration;

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    transport::smtp::{PoolConfig, authentication::Credentials},
};

use super::{MailPort, SendFuture};
use crate::{
    Error, Result,
    config::{Config, SecretUrl},
};

/// How long one SMTP conversation may take before it counts as failed and
/// the job retries: a slow server never holds a worker for long.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

pub(super) struct Smtp(AsyncSmtpTransport<Tokio1Executor>);

impl Smtp {
    pub(super) fn from_config(url: &SecretUrl, config: &Config) -> Result<Self> {
        if url.expose().host_str().is_none_or(str::is_empty) {
            return Err(Error::invalid(
                "AGORA_SMTP_URL",
                format!("`{url}` names no server: use smtp://host:port or smtps://host"),
            ));
        }
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose().as_str())
            .map_err(|e| Error::invalid("AGORA_SMTP_URL", format!("unusable SMTP URL: {e}")))?
            .timeout(Some(SMTP_TIMEOUT))
            // Connections are kept open and reused, so a message costs one
            // SMTP transaction, not a new TCP connection, TLS and EHLO. One
            // per job the worker runs at a time: beyond the pool's size
            // lettre opens a connection for one message and closes it.
            .pool_config(PoolConfig::new().max_size(config.worker_concurrency.max(1) as u32));
        match (&config.smtp_username, &config.smtp_password) {
            (Some(user), Some(password)) => {
                builder = builder
                    .credentials(Credentials::new(user.clone(), password.expose().to_owned()));
            }
            (None, None) => {}
            _ => {
                return Err(Error::invalid(
                    "AGORA_SMTP_USERNAME",
                    "AGORA_SMTP_USERNAME and AGORA_SMTP_PASSWORD go together: set both or neither",
                ));
            }
        }
        Ok(Self(builder.build()))
    }
}

impl MailPort for Smtp {
    fn send<'a>(&'a self, message: Message, _name: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            self.0.send(message).await.map(drop).map_err(|e| {
                // lettre's errors name the server and the reply, never the credentials.
                format!("the SMTP server did not accept the message: {e}")
            })
        })
    }

    fn name(&self) -> &'static str {
        "SMTP"
    }
}
