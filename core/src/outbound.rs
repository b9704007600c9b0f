//! What the background work needs to reach the world: the database, the mail
//! port, the storage port, and the public address that links point to.

use sea_orm::DatabaseConnection;
use url::Url;

use crate::{Result, config::Config, mail::Mailer, storage::Storage};

#[derive(Clone)]
pub struct Outbound {
    pub db: DatabaseConnection,
    pub mailer: Mailer,
    pub storage: Storage,
    pub public_url: Url,
    /// The organisation named on certificates.
    pub issuer: String,
    /// Days without activity before a learner is reminded.
    pub reminder_days: u32,
}

impl Outbound {
    pub fn from_config(db: DatabaseConnection, config: &Config) -> Result<Self> {
        Ok(Self {
            db,
            mailer: Mailer::from_config(config)?,
            storage: Storage::from_config(config)?,
            public_url: config.public_url(),
            issuer: config.certificate_issuer.clone(),
            reminder_days: config.reminder_days,
        })
    }

    /// An absolute link to a page of the site: `link("/courses/x")`.
    pub fn link(&self, path_and_query: &str) -> String {
        let base = self.public_url.as_str().trim_end_matches('/');
        format!("{base}{path_and_query}")
    }
}
