//! The handler of every job kind Agora has, and the clock that starts the
//! periodic ones. Each handler calls one core service; all are idempotent.

use std::{future::Future, sync::Arc, time::Duration};

use agora_core::{
    Error,
    accounts::{AccountExistsMail, PasswordResetMail, VerifyEmailMail},
    cache::Cache,
    certificates,
    cohorts::{self, AnnouncementMail, CohortCompleted, DecisionMail, SessionReminder},
    config::Config,
    credentials::Credentials,
    discussions::{self, DigestMail, DigestScan, DiscussionMail},
    jobs::{self, Job},
    learning::{CourseCompleted, EnrolledMail, Learning},
    lti::{self, Lti, LtiScore},
    notifications::{self, ReminderMail, ReminderScan},
    organisations::{self, InvitationMail},
    outbound::Outbound,
    practices,
    search::SearchIndex,
};
use sea_orm::DatabaseConnection;
use tokio::{sync::watch, task::JoinHandle};

use crate::{Registry, Worker, WorkerOptions};

/// What a job records as its last error: the cause, never a secret.
fn failure(e: Error) -> String {
    match e {
        Error::Database(cause) => format!("database error: {cause}"),
        other => other.to_string(),
    }
}

struct Context {
    lti: Lti,
    outbound: Outbound,
    learning: Learning,
    credentials: Credentials,
    reminder_days: u32,
}

fn add<J, F, Fut>(r: &mut Registry, ctx: &Arc<Context>, f: F)
where
    J: Job,
    F: Fn(Arc<Context>, J) -> Fut + Send + Sync + Copy + 'static,
    Fut: Future<Output = agora_core::Result<()>> + Send + 'static,
{
    let ctx = ctx.clone();
    r.register::<J, _, _>(move |job| {
        let fut = f(ctx.clone(), job);
        async move { fut.await.map_err(failure) }
    });
}

/// The handlers of every job kind Agora has.
pub fn registry(outbound: Outbound, learning: Learning, credentials: Credentials) -> Registry {
    // Certificates need their fonts: say at once which are missing.
    certificates::warn_missing_fonts();
    let ctx = Arc::new(Context {
        reminder_days: outbound.reminder_days,
        lti: Lti::new(outbound.db.clone(), outbound.public_url.clone()),
        outbound,
        learning,
        credentials,
    });
    let mut r = Registry::default();
    add(&mut r, &ctx, |c, j: VerifyEmailMail| async move {
        notifications::verify_email(&c.outbound, j).await
    });
    add(&mut r, &ctx, |c, j: AccountExistsMail| async move {
        notifications::account_exists(&c.outbound, j).await
    });
    add(&mut r, &ctx, |c, j: PasswordResetMail| async move {
        notifications::password_reset(&c.outbound, j).await
    });
    add(&mut r, &ctx, |c, j: EnrolledMail| async move {
        notifications::enrolled(&c.outbound, j).await
    });
    add(&mut r, &ctx, |c, j: CourseCompleted| async move {
        // The Open Badges credential is signed by the same job, after the
        // certificate it stands for; each step is done once, whatever the retries.
        // Completing the course may complete the learner's cohorts of it.
        cohorts::after_course_completed(&c.outbound.db, j.enrolment_id).await?;
        // The completion goes to the gradebook of an LMS that launched the course.
        lti::course_completed(&c.outbound.db, j.enrolment_id).await?;
        certificates::issue(&c.outbound, &c.learning.cache, j.enrolment_id).await?;
        c.credentials.issue(j.enrolment_id).await
    });
    add(&mut r, &ctx, |c, j: LtiScore| async move {
        c.lti.send_score(&j).await
    });
    add(&mut r, &ctx, |c, _: ReminderScan| async move {
        let n = notifications::scan_reminders(&c.outbound.db, c.reminder_days).await?;
        if n > 0 {
            tracing::info!(reminders = n, "reminders queued");
        }
        Ok(())
    });
    add(&mut r, &ctx, |c, j: ReminderMail| async move {
        notifications::reminder(&c.outbound, &c.learning, j).await
    });
    add(&mut r, &ctx, |c, j: practices::ContactMail| async move {
        practices::send_contact(&c.outbound, j).await
    });
    add(&mut r, &ctx, |c, j: practices::RevealMail| async move {
        practices::send_reveal(&c.outbound, j).await
    });
    add(&mut r, &ctx, |c, j: DiscussionMail| async move {
        discussions::send_activity(&c.outbound, j).await
    });
    add(&mut r, &ctx, |c, j: DigestScan| async move {
        let n = discussions::scan_digests(&c.outbound.db, c.outbound.digest_day_ms, j).await?;
        if n > 0 {
            tracing::info!(digests = n, "digests queued");
        }
        Ok(())
    });
    add(&mut r, &ctx, |c, j: DigestMail| async move {
        discussions::send_digest(&c.outbound, c.outbound.digest_day_ms, j).await
    });
    add(&mut r, &ctx, |c, j: InvitationMail| async move {
        organisations::send_invitation(&c.outbound, j).await
    });
    add(&mut r, &ctx, |c, j: DecisionMail| async move {
        cohorts::send_decision(&c.outbound, j).await
    });
    add(&mut r, &ctx, |c, j: SessionReminder| async move {
        cohorts::send_reminder(&c.outbound, j).await
    });
    add(&mut r, &ctx, |c, j: AnnouncementMail| async move {
        cohorts::send_announcement(&c.outbound, j).await
    });
    add(&mut r, &ctx, |c, j: CohortCompleted| async move {
        certificates::cohort::issue(&c.outbound, &c.learning.cache, j.cohort_id, j.user_id).await
    });
    r
}

/// Enqueues a reminder scan once per `every`. The job's dedup key is the
/// period, so any number of workers running this clock scan once.
pub async fn reminder_clock(
    db: DatabaseConnection,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let every_ms = every.as_millis().max(1) as i64;
    loop {
        let period = jobs::now_ms() / every_ms;
        if let Err(e) = jobs::enqueue(&db, &ReminderScan { period }).await {
            tracing::warn!(error = %e, "could not queue the reminder scan; will try next period");
        }
        let next = (period + 1) * every_ms - jobs::now_ms();
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(next.max(10) as u64)) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// Enqueues the scans of the digest periods that have closed, at start
/// and at every period's start. The scans' dedup keys are their periods,
/// so any number of workers (and restarts) scan each period once.
pub async fn digest_clock(db: DatabaseConnection, day_ms: i64, mut stop: watch::Receiver<bool>) {
    let day_ms = day_ms.max(1);
    loop {
        if let Err(e) = discussions::enqueue_scans(&db, day_ms).await {
            tracing::warn!(error = %e, "could not queue the digest scans; will try next period");
        }
        // The next period's start, plus the grace the scans wait.
        let grace = discussions::grace_ms(day_ms);
        let now = jobs::now_ms();
        let next = ((now - grace) / day_ms + 1) * day_ms + grace - now;
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(next.max(10) as u64)) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// Starts a worker with every handler, and its clock, from the configuration.
/// Both stop when `stop` turns true; the handle ends when the worker has.
pub async fn spawn(
    config: &Config,
    db: DatabaseConnection,
    cache: Cache,
    search: SearchIndex,
    stop: watch::Receiver<bool>,
) -> agora_core::Result<JoinHandle<()>> {
    // Agora's xAPI statements name this site; forwarded when an LRS is set.
    agora_core::xapi::configure(config.public_url(), config.xapi_forward_url.is_some());
    let outbound = Outbound::from_config(db.clone(), config)?;
    let digest_day_ms = outbound.digest_day_ms;
    let storage = outbound.storage.clone();
    tokio::spawn(async move {
        if let Err(e) = storage.ensure_bucket().await {
            // Not fatal: certificate jobs create the bucket, or retry until storage answers.
            tracing::warn!(error = %e, "storage is not ready yet");
        }
    });
    let learning = Learning::new(db.clone(), cache);
    // Progress summaries read course structure from the published-content
    // store: follow publications like the servers do.
    learning.published().watch(stop.clone());
    let options = WorkerOptions {
        concurrency: config.worker_concurrency,
        lease: Duration::from_secs(config.job_lease_seconds),
        first_retry: Duration::from_secs(config.job_retry_seconds),
        ..Default::default()
    };
    let credentials = Credentials::new(db.clone(), config);
    credentials.ensure_key().await?;
    let mut handlers = registry(outbound, learning, credentials);
    crate::search::register(&mut handlers, db.clone(), search);
    let forward_clock = crate::xapi::register(&mut handlers, db.clone(), config, stop.clone())?;
    let worker = Worker::new(db.clone(), handlers, options);
    let clock = tokio::spawn(reminder_clock(
        db.clone(),
        Duration::from_secs(config.reminder_scan_seconds),
        stop.clone(),
    ));
    let digests = tokio::spawn(digest_clock(db.clone(), digest_day_ms, stop.clone()));
    Ok(tokio::spawn(async move {
        worker.run(stop).await;
        let _ = clock.await;
        let _ = digests.await;
        if let Some(c) = forward_clock {
            let _ = c.await;
        }
    }))
}
