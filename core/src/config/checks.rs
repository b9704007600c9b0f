//! What the configuration says about itself: the backends it names, and
//! whether they can work, checked before anything starts.

use super::Config;

impl Config {
    /// One line per backend, for the start-up banner and `/ready`.
    pub fn backends(&self) -> Vec<(&'static str, String)> {
        let or_embedded = |v: Option<String>, embedded: String| v.unwrap_or(embedded);
        vec![
            (
                "database",
                format!(
                    "{} ({})",
                    self.database_url().backend_name(),
                    self.database_url()
                ),
            ),
            (
                "cache",
                or_embedded(
                    self.redis_url.as_ref().map(|u| format!("Redis ({u})")),
                    "in-process".into(),
                ),
            ),
            (
                "search",
                or_embedded(
                    self.meili_url
                        .as_ref()
                        .map(|u| format!("Meilisearch ({u})")),
                    "embedded".into(),
                ),
            ),
            (
                "storage",
                or_embedded(
                    self.s3_endpoint
                        .as_ref()
                        .map(|u| format!("S3 ({u}, bucket {})", self.s3_bucket)),
                    format!("folder {}", self.data_dir.join("files").display()),
                ),
            ),
            (
                "mail",
                or_embedded(
                    self.smtp_url.as_ref().map(|u| format!("SMTP ({u})")),
                    format!(".eml files in {}", self.data_dir.join("outbox").display()),
                ),
            ),
        ]
    }

    /// Checks that need more than one flag at a time.
    pub fn validate(&self) -> Result<(), String> {
        self.otlp_endpoint()?;
        if self.s3_endpoint.is_some()
            && (self.s3_access_key.is_none() || self.s3_secret_key.is_none())
        {
            return Err("AGORA_S3_ENDPOINT is set but AGORA_S3_ACCESS_KEY or AGORA_S3_SECRET_KEY is missing".into());
        }
        if self.s3_endpoint.is_some() && self.s3_bucket.trim().is_empty() {
            return Err("AGORA_S3_ENDPOINT is set but AGORA_S3_BUCKET is empty".into());
        }
        if let Some(url) = &self.smtp_url
            && url.expose().host_str().is_none_or(str::is_empty)
        {
            return Err(format!(
                "AGORA_SMTP_URL `{url}` names no server: use smtp://host:port or smtps://host"
            ));
        }
        if self.xapi_forward_username.is_some() != self.xapi_forward_password.is_some() {
            return Err(
                "AGORA_XAPI_FORWARD_USERNAME and AGORA_XAPI_FORWARD_PASSWORD go together".into(),
            );
        }
        if self.xapi_forward_username.is_some() && self.xapi_forward_url.is_none() {
            return Err("AGORA_XAPI_FORWARD_USERNAME needs AGORA_XAPI_FORWARD_URL".into());
        }
        if self.smtp_username.is_some() != self.smtp_password.is_some() {
            return Err(
                "AGORA_SMTP_USERNAME and AGORA_SMTP_PASSWORD go together: set both or neither"
                    .into(),
            );
        }
        if self.meili_index.trim().is_empty()
            || !self
                .meili_index
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!(
                "AGORA_MEILI_INDEX `{}` must be letters, digits, `-` and `_`",
                self.meili_index
            ));
        }
        if self.worker_concurrency == 0 || self.worker_concurrency > 64 {
            return Err("AGORA_WORKER_CONCURRENCY must be between 1 and 64".into());
        }
        if self.job_lease_seconds < 5 {
            return Err("AGORA_JOB_LEASE_SECONDS must be at least 5".into());
        }
        if self.reminder_days == 0 || self.reminder_days > 365 {
            return Err("AGORA_REMINDER_DAYS must be between 1 and 365".into());
        }
        if self.digest_day_seconds == 0 || self.digest_day_seconds > 86_400 {
            return Err("AGORA_DIGEST_DAY_SECONDS must be between 1 and 86400".into());
        }
        if self.reminder_scan_seconds == 0 {
            return Err("AGORA_REMINDER_SCAN_SECONDS must be at least 1".into());
        }
        if self.job_retry_seconds == 0 || self.job_retry_seconds > 3600 {
            return Err("AGORA_JOB_RETRY_SECONDS must be between 1 and 3600".into());
        }
        if self.certificate_issuer.trim().is_empty() || self.certificate_issuer.len() > 120 {
            return Err("AGORA_CERTIFICATE_ISSUER must be 1 to 120 characters".into());
        }
        // The credentials module reads the seed; configuration checks only its form,
        // so that config does not depend on credentials (which reads `Secret` from here).
        if let Some(key) = &self.credential_signing_key {
            let seed = key.expose().trim();
            if seed.len() != 64 || !seed.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err("AGORA_CREDENTIAL_SIGNING_KEY must be 64 hex digits".into());
            }
        }
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(format!(
                "AGORA_MAIL_FROM `{}` is not a mail address such as `Agora <no-reply@example.org>`",
                self.mail_from
            ));
        }
        if let Some(token) = &self.metrics_token
            && token.expose().trim().chars().count() < 16
        {
            return Err("AGORA_METRICS_TOKEN must be at least 16 characters".into());
        }
        if self.worker_metrics_bind.is_some() && self.metrics_token.is_none() {
            return Err(
                "AGORA_WORKER_METRICS_BIND is set but AGORA_METRICS_TOKEN is not: the figures would have no key"
                    .into(),
            );
        }
        if self.database_max_connections == 0 {
            return Err("AGORA_DATABASE_MAX_CONNECTIONS must be at least 1".into());
        }
        Ok(())
    }
}
