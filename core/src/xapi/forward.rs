//! Forwarding Agora's statements to an external LRS.
//!
//! The statement table is the outbox: Agora's statements are written with
//! `forward_pending` in the transaction of their event. A clock in the
//! worker queues an `xapi.forward` job when some are pending and no such
//! job is queued; the job sends them in `seq` order (so in order for every
//! learner), fifty at a time, and clears the mark of those the LRS took.
//! A failure leaves the job to the queue's backoff; the rest wait behind it.
//! A statement sent twice (a crash between the answer and the mark) carries
//! the same id, which an LRS stores once: exactly once in effect.

use std::time::Duration;

use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::watch;
use url::Url;

use crate::{
    Error, Result,
    config::{Config, Secret},
    entities::{job, xapi_statement},
    jobs::{self, Job},
};

/// Statements per request.
const BATCH: u64 = 50;

#[derive(Debug, Serialize, Deserialize)]
pub struct XapiForward {
    /// The second the clock queued it in (its dedup key).
    pub period: i64,
}

impl Job for XapiForward {
    const KIND: &'static str = "xapi.forward";
    const MAX_ATTEMPTS: i32 = 20;
    fn dedup_key(&self) -> Option<String> {
        Some(format!("xapi.forward:{}", self.period))
    }
}

/// Where statements go.
#[derive(Clone, Debug)]
pub struct Forwarder {
    db: DatabaseConnection,
    http: reqwest::Client,
    statements_url: Url,
    username: Option<String>,
    password: Option<Secret>,
}

impl Forwarder {
    /// `None` when no external LRS is configured.
    pub fn from_config(db: DatabaseConnection, config: &Config) -> Result<Option<Self>> {
        let Some(base) = &config.xapi_forward_url else {
            return Ok(None);
        };
        let mut base = base.clone();
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let statements_url = base
            .join("statements")
            .map_err(|e| Error::Internal(format!("xAPI forward URL: {e}")))?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| Error::Internal(format!("HTTP client: {e}")))?;
        Ok(Some(Self {
            db,
            http,
            statements_url,
            username: config.xapi_forward_username.clone(),
            password: config.xapi_forward_password.clone(),
        }))
    }

    /// Sends every pending statement, in order. Returns how many were sent.
    pub async fn drain(&self) -> Result<usize> {
        let mut sent = 0;
        loop {
            let rows: Vec<(i32, String)> = xapi_statement::Entity::find()
                .select_only()
                .column(xapi_statement::Column::Seq)
                .column(xapi_statement::Column::Body)
                .filter(xapi_statement::Column::ForwardPending.eq(true))
                .order_by_asc(xapi_statement::Column::Seq)
                .limit(BATCH)
                .into_tuple()
                .all(&self.db)
                .await?;
            if rows.is_empty() {
                return Ok(sent);
            }
            let batch: Vec<Value> = rows
                .iter()
                .filter_map(|(_, b)| serde_json::from_str(b).ok())
                .collect();
            self.send(&batch).await?;
            let seqs: Vec<i32> = rows.iter().map(|(s, _)| *s).collect();
            xapi_statement::Entity::update_many()
                .col_expr(xapi_statement::Column::ForwardPending, false.into())
                .filter(xapi_statement::Column::Seq.is_in(seqs))
                .exec(&self.db)
                .await?;
            sent += rows.len();
        }
    }

    async fn send(&self, batch: &[Value]) -> Result<()> {
        let mut req = self
            .http
            .post(self.statements_url.clone())
            .header("X-Experience-API-Version", super::VERSION)
            .json(batch);
        if let (Some(u), Some(p)) = (&self.username, &self.password) {
            req = req.basic_auth(u, Some(p.expose()));
        }
        let resp = req.send().await.map_err(|e| Error::Backend {
            what: "external LRS",
            detail: e.without_url().to_string(),
        })?;
        let status = resp.status();
        if status.is_success() {
            return Ok(());
        }
        let body = resp.text().await.unwrap_or_default();
        Err(Error::Backend {
            what: "external LRS",
            detail: format!("{status}: {}", body.chars().take(300).collect::<String>()),
        })
    }
}

/// Queues a forward job once a second while statements are pending and no
/// forward job is waiting or running (so a failing LRS is retried at the
/// queue's backoff, not every second).
pub async fn clock(db: DatabaseConnection, mut stop: watch::Receiver<bool>) {
    loop {
        if let Err(e) = tick(&db).await {
            tracing::warn!(error = %e, "could not check for xAPI statements to forward");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}

async fn tick(db: &DatabaseConnection) -> Result<()> {
    let pending: Option<i32> = xapi_statement::Entity::find()
        .select_only()
        .column(xapi_statement::Column::Seq)
        .filter(xapi_statement::Column::ForwardPending.eq(true))
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    if pending.is_none() {
        return Ok(());
    }
    let waiting = job::Entity::find()
        .filter(job::Column::Kind.eq(XapiForward::KIND))
        .filter(job::Column::Status.is_in([jobs::QUEUED, jobs::RUNNING]))
        .count(db)
        .await?;
    if waiting == 0 {
        jobs::enqueue(
            db,
            &XapiForward {
                period: jobs::now_ms() / 1000,
            },
        )
        .await?;
    }
    Ok(())
}
