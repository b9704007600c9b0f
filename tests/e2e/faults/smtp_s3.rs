//! The mail server stops under load, comes back, and then the storage
//! server does the same: mail and certificates wait, then go once.

use std::time::Duration;

use super::{Cast, Stage, seconds, size};

#[tokio::test]
async fn mail_then_storage_stopped_under_load_lose_and_double_nothing() {
    let down = seconds(3, 30);
    let mut stage = Stage::start(Cast {
        // New enrolments and completions, and so mail and certificates,
        // all through both outages.
        courses: size(6, 16),
        pace: Duration::from_millis(size(300, 1200)),
        ..Cast::default()
    })
    .await;
    let load = stage.load();
    stage.served(&load, 20, "before the fault").await;
    stage.sink.stop();
    tokio::time::sleep(down).await;
    stage.sink.restart();
    stage
        .served(&load, 20, "after the mail server came back")
        .await;
    let s3 = stage.s3.as_mut().expect("S3");
    s3.stop();
    tokio::time::sleep(down).await;
    s3.restart();
    stage.served(&load, 20, "after storage came back").await;
    let tally = load.stop().await;
    let fault = format!(
        "SMTP stopped for {0} s, then S3 stopped for {0} s",
        down.as_secs()
    );
    stage.close(&fault, &tally).await;
    assert_eq!(tally.errors, Default::default(), "no request failed");
}
