//! What the background work needs to reach the world: the database, the mail
//! port, the storage port, and the public address that links point to.

use std::{sync::Arc, time::Duration};

use sea_orm::DatabaseConnection;
use url::Url;

use crate::{
    Result, catalogue::CourseOutline, config::Config, domain::Locale, mail::Mailer,
    storage::Storage,
};

/// Course outlines the mail reuses for this long: a burst of enrolments in
/// one course renders its outline (Markdown, sanitising) once, not per mail.
const OUTLINE_TTL: Duration = Duration::from_secs(30);

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
    /// The length of a digest "day", in milliseconds.
    pub digest_day_ms: i64,
    /// Published course outlines by slug and locale.
    pub outlines: moka::future::Cache<(String, Locale), Arc<CourseOutline>>,
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
            digest_day_ms: (config.digest_day_seconds as i64) * 1000,
            outlines: moka::future::Cache::builder()
                .max_capacity(1_000)
                .time_to_live(OUTLINE_TTL)
                .build(),
        })
    }

    /// An absolute link to a page of the site: `link("/courses/x")`.
    pub fn link(&self, path_and_query: &str) -> String {
        let base = self.public_url.as_str().trim_end_matches('/');
        format!("{base}{path_and_query}")
    }
}
