//! Operational figures: one registry per process, encoded in the Prometheus
//! text format. Knows no HTTP: the api and the worker serve what [`scrape`]
//! returns, behind [`Access`].
//!
//! The registry is process-wide (like a logger): the cache, mail, search
//! and certificate code record where the work happens, without a handle
//! threaded through every service. Figures that live in the database (the
//! queue, the pool) are read at scrape time.

mod access;
mod pool;
mod process;

use std::sync::{LazyLock, Mutex};

use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{
        counter::Counter,
        family::{Family, MetricConstructor},
        gauge::Gauge,
        histogram::{Histogram, exponential_buckets},
    },
    registry::{Metric, Registry},
};
use sea_orm::DatabaseConnection;

pub use access::{Access, Denied};
pub use pool::sample_pool;
pub use process::mark_start;

/// Buckets for durations from 1 ms to about 65 s.
#[derive(Clone, Copy, Debug)]
pub struct Seconds;

impl MetricConstructor<Histogram> for Seconds {
    fn new_metric(&self) -> Histogram {
        Histogram::new(exponential_buckets(0.001, 2.0, 17))
    }
}

pub type SecondsFamily<L> = Family<L, Histogram, Seconds>;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CacheLabels {
    /// The kind of value: `auth`, `learner`, `progress`, `certificates`…
    pub kind: String,
    /// `hit` or `miss`.
    pub result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabels {
    pub kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct UserLabels {
    /// Who uses Redis: `cache` or `rate_limit`.
    pub user: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobLabels {
    pub kind: String,
    pub state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobRunLabels {
    pub kind: String,
    /// `done`, `retry`, `dead` or `lost_lease`.
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub backend: &'static str,
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BackendLabels {
    pub backend: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PoolLabels {
    /// `idle` or `in_use`.
    pub state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LimitLabels {
    /// `sign_in_address`, `partner_key`…
    pub limit: &'static str,
    /// `allowed` or `limited`.
    pub outcome: &'static str,
    /// Who decided: `redis` (shared by every replica) or `local`.
    pub store: &'static str,
}

/// Every figure core records. HTTP figures are registered by the api.
pub struct Metrics {
    registry: Mutex<Registry>,
    pub cache_requests: Family<CacheLabels, Counter>,
    /// 1 while the Redis circuit breaker skips Redis, per user of Redis.
    pub redis_circuit_open: Family<UserLabels, Gauge>,
    pub redis_trips: Family<UserLabels, Counter>,
    pub jobs: Family<JobLabels, Gauge>,
    pub jobs_oldest_due_seconds: Gauge<f64, std::sync::atomic::AtomicU64>,
    pub job_runs: Family<JobRunLabels, Counter>,
    pub job_duration: SecondsFamily<KindLabels>,
    pub mails: Family<OutcomeLabels, Counter>,
    pub certificates_issued: Family<KindLabels, Counter>,
    pub search_queries: Family<OutcomeLabels, Counter>,
    pub search_duration: SecondsFamily<BackendLabels>,
    pub db_pool_connections: Family<PoolLabels, Gauge>,
    pub db_pool_max: Gauge,
    pub db_acquire: Histogram,
    pub rate_limit_checks: Family<LimitLabels, Counter>,
    pub rate_limit_fallbacks: Counter,
    pub resident_memory: Gauge,
    pub uptime: Gauge<f64, std::sync::atomic::AtomicU64>,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// The process's figures.
pub fn get() -> &'static Metrics {
    &METRICS
}

impl Metrics {
    fn new() -> Self {
        let m = Metrics {
            registry: Mutex::new(Registry::default()),
            cache_requests: Family::default(),
            redis_circuit_open: Family::default(),
            redis_trips: Family::default(),
            jobs: Family::default(),
            jobs_oldest_due_seconds: Gauge::default(),
            job_runs: Family::default(),
            job_duration: Family::new_with_constructor(Seconds),
            mails: Family::default(),
            certificates_issued: Family::default(),
            search_queries: Family::default(),
            search_duration: Family::new_with_constructor(Seconds),
            db_pool_connections: Family::default(),
            db_pool_max: Gauge::default(),
            db_acquire: Seconds.new_metric(),
            rate_limit_checks: Family::default(),
            rate_limit_fallbacks: Counter::default(),
            resident_memory: Gauge::default(),
            uptime: Gauge::default(),
        };
        {
            let mut r = m.registry.lock().expect("not poisoned");
            r.register(
                "agora_cache_requests",
                "Cache reads by kind of value and result (hit or miss)",
                m.cache_requests.clone(),
            );
            r.register(
                "agora_redis_circuit_open",
                "1 while Redis is skipped after a failure (circuit breaker open), per user of Redis",
                m.redis_circuit_open.clone(),
            );
            r.register(
                "agora_redis_circuit_trips",
                "Times the Redis circuit breaker opened, per user of Redis",
                m.redis_trips.clone(),
            );
            r.register(
                "agora_jobs",
                "Jobs in the queue by kind and state (queued, running, dead), read at scrape time",
                m.jobs.clone(),
            );
            r.register(
                "agora_jobs_oldest_due_seconds",
                "How long the oldest due, queued job has been waiting",
                m.jobs_oldest_due_seconds.clone(),
            );
            r.register(
                "agora_job_runs",
                "Jobs run by this process, by kind and outcome (done, retry, dead, lost_lease)",
                m.job_runs.clone(),
            );
            r.register(
                "agora_job_duration_seconds",
                "Time a job's handler ran, by kind",
                m.job_duration.clone(),
            );
            r.register(
                "agora_mails",
                "Messages handed to the mail backend, by backend and outcome (sent or failed)",
                m.mails.clone(),
            );
            r.register(
                "agora_certificates_issued",
                "Certificates issued, by kind (course or cohort)",
                m.certificates_issued.clone(),
            );
            r.register(
                "agora_search_queries",
                "Catalogue searches, by engine and answer (engine or cached)",
                m.search_queries.clone(),
            );
            r.register(
                "agora_search_duration_seconds",
                "Time the search engine took to answer, by engine",
                m.search_duration.clone(),
            );
            r.register(
                "agora_db_pool_connections",
                "Open database connections by state (idle, in_use)",
                m.db_pool_connections.clone(),
            );
            r.register(
                "agora_db_pool_max_connections",
                "Most database connections the pool may open",
                m.db_pool_max.clone(),
            );
            r.register(
                "agora_db_pool_acquire_seconds",
                "Time to acquire a database connection from the pool, sampled at each scrape and every 5 s",
                m.db_acquire.clone(),
            );
            r.register(
                "agora_rate_limit_checks",
                "Rate limit checks by limit, outcome and the store that decided (redis or local)",
                m.rate_limit_checks.clone(),
            );
            r.register(
                "agora_rate_limit_redis_fallbacks",
                "Rate limit checks decided in process because Redis did not answer",
                m.rate_limit_fallbacks.clone(),
            );
            r.register(
                "process_resident_memory_bytes",
                "Resident memory of this process",
                m.resident_memory.clone(),
            );
            r.register(
                "agora_uptime_seconds",
                "Seconds since this process started",
                m.uptime.clone(),
            );
        }
        m
    }
}

/// Registers a figure recorded outside core (the api's HTTP figures).
pub fn register(name: &str, help: &str, metric: impl Metric) {
    get()
        .registry
        .lock()
        .expect("not poisoned")
        .register(name, help, metric);
}

/// The encodings a scraper may ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The Prometheus text format, version 0.0.4: what every scraper reads.
    Prometheus,
    /// OpenMetrics 1.0 text, for a scraper that asks for it.
    OpenMetrics,
}

impl Format {
    /// OpenMetrics when the `Accept` value names it, else the Prometheus text format.
    pub fn from_accept(accept: Option<&str>) -> Self {
        match accept {
            Some(a) if a.contains("application/openmetrics-text") => Format::OpenMetrics,
            _ => Format::Prometheus,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Prometheus => prometheus_client::encoding::prometheus_text::CONTENT_TYPE,
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }
}

/// Reads the figures that live elsewhere (the queue, the pool, the process)
/// and encodes every figure. A figure that cannot be read keeps its last value.
pub async fn scrape(db: &DatabaseConnection, format: Format) -> String {
    let m = get();
    process::refresh(m);
    pool::refresh(db, m).await;
    match crate::jobs::queue_figures(db).await {
        Ok(figures) => {
            m.jobs.clear();
            for (kind, state, n) in figures.counts {
                m.jobs
                    .get_or_create(&JobLabels { kind, state })
                    .set(n as i64);
            }
            m.jobs_oldest_due_seconds.set(figures.oldest_due_seconds);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: the job queue could not be read"),
    }
    encode(format)
}

/// Encodes every figure as it stands.
pub fn encode(format: Format) -> String {
    let registry = get().registry.lock().expect("not poisoned");
    let mut out = String::new();
    let done = match format {
        Format::Prometheus => {
            prometheus_client::encoding::prometheus_text::encode(&mut out, &registry)
        }
        Format::OpenMetrics => prometheus_client::encoding::text::encode(&mut out, &registry),
    };
    if let Err(e) = done {
        tracing::error!(error = %e, "metrics could not be encoded");
    }
    out
}

/// The kind of a cache key `agora:<kind>:v<n>:<id>`.
pub fn cache_kind(key: &str) -> &str {
    let mut parts = key.split(':');
    match (parts.next(), parts.next()) {
        (Some("agora"), Some(kind)) if !kind.is_empty() => kind,
        _ => "other",
    }
}

/// Counts one read of a cache key.
pub fn cache_read(key: &str, hit: bool) {
    get()
        .cache_requests
        .get_or_create(&CacheLabels {
            kind: cache_kind(key).to_owned(),
            result: if hit { "hit" } else { "miss" },
        })
        .inc();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_encode_in_both_formats() {
        cache_read("agora:progress:v2:abc", true);
        cache_read("agora:progress:v2:abc", false);
        cache_read("elsewhere", false);
        let text = encode(Format::Prometheus);
        assert!(
            text.contains(r#"agora_cache_requests_total{kind="progress",result="hit"}"#),
            "{text}"
        );
        assert!(text.contains(r#"kind="other""#), "{text}");
        assert!(!text.contains("# EOF"));
        assert!(encode(Format::OpenMetrics).ends_with("# EOF\n"));
    }

    #[test]
    fn accept_picks_the_format() {
        assert_eq!(Format::from_accept(None), Format::Prometheus);
        assert_eq!(
            Format::from_accept(Some(
                "application/openmetrics-text;version=1.0.0,text/plain;q=0.5"
            )),
            Format::OpenMetrics
        );
        assert_eq!(Format::from_accept(Some("text/plain")), Format::Prometheus);
    }
}
