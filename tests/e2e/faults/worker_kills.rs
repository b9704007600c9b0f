//! SIGKILL a worker mid-job, again and again: each worker talks to the
//! mail and storage servers through relays that hold what it sends for a
//! moment, and dies while they hold a chunk of a message or of a
//! certificate's PDF. A last worker, left alone, does what remains.

use std::time::{Duration, Instant};

use agora_core::{entities::job, jobs};
use agora_tests::{DelayRelay, WorkerProcess};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::{Cast, Stage, size};

/// How long the relays hold each chunk: the window a kill lands in.
const HOLD: Duration = Duration::from_millis(40);

#[tokio::test]
async fn a_worker_killed_mid_mail_or_mid_certificate_loses_and_doubles_nothing() {
    let kills = size(6, 50);
    let stage = Stage::start(Cast {
        learners: size(6, 10),
        courses: size(4, 8),
        env: vec![("AGORA_RUN_WORKER".into(), "false".into())],
        ..Cast::default()
    })
    .await;
    let s3 = stage.s3.as_ref().expect("S3");
    let mail_relay = DelayRelay::start(stage.sink.port, HOLD);
    let s3_relay = DelayRelay::start(s3.port, HOLD);
    let mut relayed = s3.env();
    for (k, v) in relayed.iter_mut() {
        if k == "AGORA_S3_ENDPOINT" {
            *v = format!("http://127.0.0.1:{}", s3_relay.port());
        }
    }
    relayed.push((
        "AGORA_SMTP_URL".into(),
        format!("smtp://127.0.0.1:{}", mail_relay.port()),
    ));

    let conn = stage.server.conn().await;
    let load = stage.load();
    let (mut mid_mail, mut mid_certificate) = (0, 0);
    for k in 0..kills {
        // The last victim's chunks have drained: a held chunk is this one's.
        while mail_relay.held() + s3_relay.held() > 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let mut worker = WorkerProcess::start(&stage.server, &relayed);
        // A job of its own running: what the relays hold now is a job's
        // (not, say, the storage check at start-up).
        let mine = format!("{}-%", worker.pid());
        let started = Instant::now();
        while job::Entity::find()
            .filter(job::Column::Status.eq(jobs::RUNNING))
            .filter(job::Column::LockedBy.like(&mine))
            .count(&conn)
            .await
            .unwrap()
            == 0
        {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "worker {k} claimed no job"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Kills alternate between mid-mail and mid-certificate, unless the
        // one wanted does not come soon.
        loop {
            let (mail, pdf) = (mail_relay.held(), s3_relay.held());
            let choosy = started.elapsed() < Duration::from_secs(10);
            let wanted = if k % 2 == 0 { mail } else { pdf };
            if wanted > 0 || (!choosy && mail + pdf > 0) {
                worker.kill9();
                if pdf > 0 {
                    mid_certificate += 1;
                } else {
                    mid_mail += 1;
                }
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "worker {k} never reached the mail or storage server"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    let tally = load.stop().await;
    // The last worker, straight to the servers, finishes what is left.
    let mut direct = stage.s3.as_ref().unwrap().env();
    direct.push(("AGORA_SMTP_URL".into(), stage.sink.url()));
    let _last = WorkerProcess::start(&stage.server, &direct);
    let fault = format!(
        "SIGKILL a worker mid-job, {kills} times ({mid_mail} mid-mail, {mid_certificate} mid-certificate)"
    );
    stage.close(&fault, &tally).await;
}
