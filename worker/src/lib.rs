//! Agora's background job runner: claims jobs from the queue and runs one
//! handler per kind. The `agora` server runs it in process; the
//! `agora-worker` binary runs it alone.

mod handlers;

pub use handlers::{registry, reminder_clock, spawn};
pub mod metrics_server;
pub mod search;
pub mod xapi;

use std::{collections::HashMap, future::Future, pin::Pin, sync::Arc, time::Duration};

use agora_core::{
    jobs::{self, Claimed, Failure, Job},
    metrics::{JobRunLabels, KindLabels},
    telemetry::{origin, traces::TARGET},
};
use sea_orm::DatabaseConnection;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tracing::Instrument;

type BoxFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;
type Handler = Arc<dyn Fn(serde_json::Value) -> BoxFuture + Send + Sync>;

/// What the worker knows how to do, one handler per job kind.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: HashMap<&'static str, Handler>,
}

impl Registry {
    /// Registers the handler for `J`. It must be idempotent: a job may run
    /// twice (a worker can die after the work but before recording it).
    pub fn register<J, F, Fut>(&mut self, handler: F) -> &mut Self
    where
        J: Job,
        F: Fn(J) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        self.handlers.insert(
            J::KIND,
            Arc::new(move |payload| {
                let handler = handler.clone();
                Box::pin(async move {
                    let job: J = serde_json::from_value(payload)
                        .map_err(|e| format!("payload of {} does not parse: {e}", J::KIND))?;
                    handler(job).await
                })
            }),
        );
        self
    }

    pub fn kinds(&self) -> Vec<&'static str> {
        let mut k: Vec<_> = self.handlers.keys().copied().collect();
        k.sort_unstable();
        k
    }
}

#[derive(Clone, Debug)]
pub struct WorkerOptions {
    /// Jobs run at the same time.
    pub concurrency: usize,
    /// Most jobs claimed in one statement. A claim takes no more than the
    /// free slots, so every job claimed starts at once and none waits out
    /// its lease in a queue of the worker's own.
    pub batch: usize,
    /// How long a claimed job is ours; a job still running then is given up
    /// and reclaimed by another worker.
    pub lease: Duration,
    /// Idle pause between looks at the queue.
    pub poll_interval: Duration,
    /// How long shutdown waits for jobs in flight before releasing them.
    pub shutdown_grace: Duration,
    /// Wait before the first retry of a failed job; each retry doubles it.
    pub first_retry: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            concurrency: 2,
            batch: 32,
            lease: Duration::from_secs(300),
            poll_interval: Duration::from_millis(250),
            shutdown_grace: Duration::from_secs(20),
            first_retry: Duration::from_secs(5),
        }
    }
}

pub struct Worker {
    db: DatabaseConnection,
    registry: Arc<Registry>,
    options: WorkerOptions,
    id: String,
}

impl Worker {
    pub fn new(db: DatabaseConnection, registry: Registry, options: WorkerOptions) -> Self {
        let id = format!(
            "{}-{}",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        Self {
            db,
            registry: Arc::new(registry),
            options,
            id,
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Runs until `shutdown` turns true. Jobs in flight then finish within the
    /// grace period; any still running after it are released to the queue.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(worker = %self.id, concurrency = self.options.concurrency, batch = self.options.batch, kinds = ?self.registry.kinds(), "worker started");
        let slots = Arc::new(Semaphore::new(self.options.concurrency.max(1)));
        let kinds = self.registry.kinds();
        let mut running = tokio::task::JoinSet::new();
        while !*shutdown.borrow() {
            while running.try_join_next().is_some() {}
            let mut held = tokio::select! {
                biased;
                _ = shutdown.wait_for(|stop| *stop) => break,
                held = free_slots(&slots, &self.options) => held,
            };
            let wanted = held.num_permits();
            let pause = match jobs::claim_batch(
                &self.db,
                &self.id,
                self.options.lease,
                &kinds,
                wanted,
            )
            .await
            {
                Ok(batch) => {
                    let claimed = batch.len();
                    tracing::debug!(wanted, claimed, "claimed a batch");
                    for job in batch {
                        let slot = held.split(1).expect("a slot per job claimed");
                        let span = tracing::info_span!("job", id = %job.id, kind = %job.kind, attempt = job.attempts, request_id = job.request_id.as_deref().map(tracing::field::display));
                        let trace = job_span(&job);
                        let (db, registry, options, id) = (
                            self.db.clone(),
                            self.registry.clone(),
                            self.options.clone(),
                            self.id.clone(),
                        );
                        // The jobs this one enqueues come from the same request.
                        let origin = job.request_id.clone();
                        let outer = trace.clone();
                        let work = async move {
                            if !run_one(&db, &registry, &options, &id, job).await {
                                trace.record("otel.status_code", "error");
                            }
                            drop(slot);
                        }
                        .instrument(span)
                        .instrument(outer);
                        running.spawn(origin::on_behalf_of(origin, work));
                    }
                    // Fewer due jobs than free slots: the queue is drained for now.
                    (claimed < wanted).then_some(self.options.poll_interval)
                }
                Err(e) => {
                    // The database is unreachable: wait and try again; nothing is lost.
                    tracing::warn!(error = ?e, "could not claim jobs");
                    Some(self.options.poll_interval * 8)
                }
            };
            drop(held);
            if let Some(pause) = pause {
                tokio::select! {
                    biased;
                    _ = shutdown.wait_for(|stop| *stop) => break,
                    _ = tokio::time::sleep(pause) => {}
                }
            }
        }
        let drained = tokio::time::timeout(self.options.shutdown_grace, async {
            while running.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            running.abort_all();
            match jobs::release(&self.db, &self.id).await {
                Ok(n) => {
                    tracing::warn!(released = n, "jobs still running at shutdown were released")
                }
                Err(e) => {
                    tracing::error!(error = ?e, "could not release jobs; their leases will expire")
                }
            }
        }
        tracing::info!(worker = %self.id, "worker stopped");
    }
}

/// Waits for at least one free slot, and takes up to a batch of them. A
/// claim costs one statement whatever its size, so when only a few slots
/// are free it waits a moment ([`GATHER`]) for a quarter of a batch, so
/// that a busy queue is claimed in batches rather than a job at a time.
async fn free_slots(slots: &Arc<Semaphore>, options: &WorkerOptions) -> OwnedSemaphorePermit {
    let batch = options.batch.clamp(1, options.concurrency.max(1));
    let mut held = slots
        .clone()
        .acquire_owned()
        .await
        .expect("the worker never closes its semaphore");
    let quarter = (batch / 4).max(1);
    if quarter > 1
        && let Ok(Ok(more)) = tokio::time::timeout(
            GATHER,
            slots.clone().acquire_many_owned((quarter - 1) as u32),
        )
        .await
    {
        held.merge(more);
    }
    while held.num_permits() < batch {
        match slots.clone().try_acquire_owned() {
            Ok(one) => held.merge(one),
            Err(_) => break,
        }
    }
    held
}

/// How long a claim waits for more slots to free up (see [`free_slots`]).
const GATHER: Duration = Duration::from_millis(5);

/// The job's trace span (disabled when traces are off): a child of the span
/// that enqueued it, in the request's trace, carrying the request id.
fn job_span(job: &Claimed) -> tracing::Span {
    let span = tracing::info_span!(
        target: TARGET,
        "job",
        otel.name = %format_args!("job {}", job.kind),
        otel.kind = "consumer",
        otel.status_code = tracing::field::Empty,
        job.kind = %job.kind,
        job.id = %job.id,
        job.attempt = job.attempts,
        request_id = job.request_id.as_deref().map(tracing::field::display),
    );
    origin::continue_trace(&span, job.traceparent.as_deref(), None);
    span
}

/// Runs a claimed job and records the outcome; `false` when it failed.
async fn run_one(
    db: &DatabaseConnection,
    registry: &Registry,
    options: &WorkerOptions,
    worker_id: &str,
    job: Claimed,
) -> bool {
    let started = std::time::Instant::now();
    let result = match registry.handlers.get(job.kind.as_str()) {
        None => Err(format!("no handler for job kind `{}`", job.kind)),
        Some(handler) => {
            // Give up before the lease runs out, so two workers never run it at once.
            let budget = options.lease.saturating_sub(options.lease / 10);
            match tokio::time::timeout(budget, handler(job.payload.clone())).await {
                Ok(r) => r,
                Err(_) => Err(format!("timed out after {budget:?}")),
            }
        }
    };
    agora_core::metrics::get()
        .job_duration
        .get_or_create(&KindLabels {
            kind: job.kind.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    let outcome = match &result {
        Ok(()) => "done",
        Err(_) if job.attempts >= job.max_attempts => "dead",
        Err(_) => "retry",
    };
    agora_core::metrics::get()
        .job_runs
        .get_or_create(&JobRunLabels {
            kind: job.kind.clone(),
            outcome,
        })
        .inc();
    let succeeded = result.is_ok();
    match result {
        Ok(()) => match jobs::complete(db, job.id, worker_id).await {
            Ok(true) => tracing::info!("job done"),
            Ok(false) => tracing::warn!("job finished after its lease ran out"),
            Err(e) => tracing::error!(error = ?e, "job done but not recorded; it will run again"),
        },
        Err(error) => match jobs::fail(db, &job, worker_id, &error, options.first_retry).await {
            Ok(Failure::Retry { at_ms }) => {
                tracing::warn!(%error, retry_in_ms = at_ms - jobs::now_ms(), "job failed; will retry")
            }
            Ok(Failure::Dead) => {
                tracing::error!(%error, "job failed for the last time; marked dead")
            }
            Ok(Failure::LostLease) => tracing::warn!(%error, "job failed after its lease ran out"),
            Err(e) => {
                tracing::error!(error = ?e, "could not record the failure; the lease will expire")
            }
        },
    }
    succeeded
}
