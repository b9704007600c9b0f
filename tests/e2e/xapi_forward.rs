//! Forwarding to an external LRS: a second Agora plays it. Agora's
//! statements reach it through the job queue, once each and in order, even
//! when it is down at first (the job backs off and retries).

use std::time::{Duration, Instant};

use agora_tests::{
    ServerOptions, TempDir, TestDb, TestServer, free_port, run_agora, write_fixture_course,
};
use serde_json::Value;

use super::xapi::{Creds, all_statements, create_client, fixture_server, journey};

#[tokio::test]
async fn statements_reach_a_second_agora_once_and_in_order_after_it_comes_up() {
    // The external LRS: its database and credentials exist, it is not up yet.
    let port = free_port();
    let (db_b, data_b) = (TestDb::new().await, TempDir::new());
    let out = run_agora(
        &db_b,
        data_b.path(),
        &[
            "xapi",
            "create-client",
            "--name",
            "Agora A",
            "--scopes",
            "read,write",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |n: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(n))
            .unwrap()
            .trim()
            .to_owned()
    };
    let to_b = Creds {
        key: field("key"),
        secret: field("secret"),
    };

    let (a, _dir) = fixture_server(vec![
        (
            "AGORA_XAPI_FORWARD_URL".into(),
            format!("http://127.0.0.1:{port}/xapi/"),
        ),
        ("AGORA_XAPI_FORWARD_USERNAME".into(), to_b.key.clone()),
        ("AGORA_XAPI_FORWARD_PASSWORD".into(), to_b.secret.clone()),
        ("AGORA_JOB_RETRY_SECONDS".into(), "1".into()),
    ])
    .await;
    journey(&a, "ana@city.gov").await;
    let reader_a = create_client(&a, "read");
    // While B is down the forward job fails and waits for its retry.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let courses = TempDir::new();
    write_fixture_course(courses.path(), "other-course");
    let b = TestServer::start_on(
        db_b,
        data_b,
        ServerOptions {
            courses_dir: Some(courses.path().to_owned()),
            env: vec![("AGORA_BIND".into(), format!("127.0.0.1:{port}"))],
        },
    )
    .await;
    let reader_b = create_client(&b, "read");
    let deadline = Instant::now() + Duration::from_secs(60);
    let (sent, received) = loop {
        let sent = all_statements(&a, &reader_a).await;
        let received = all_statements(&b, &reader_b).await;
        let done = sent
            .iter()
            .any(|s| s["verb"]["id"].as_str().unwrap().ends_with("/earned"));
        if done && received.len() == sent.len() {
            break (sent, received);
        }
        assert!(
            Instant::now() < deadline,
            "forwarded {} of {}",
            received.len(),
            sent.len()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let ids = |l: &[Value]| {
        l.iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    // The same statements, each once, in the order Agora wrote them.
    assert_eq!(ids(&sent), ids(&received));
    for (s, r) in sent.iter().zip(&received) {
        assert_eq!(s["actor"], r["actor"]);
        assert_eq!(s["verb"], r["verb"]);
        assert_eq!(s["object"], r["object"]);
        assert_eq!(s["context"], r["context"]);
        assert_eq!(r["authority"]["account"]["name"], to_b.key.as_str());
    }
    // Nothing is sent again: B holds exactly as many after a while.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(all_statements(&b, &reader_b).await.len(), sent.len());
    assert!(a.logs().contains("xAPI statements forwarded"));
}
