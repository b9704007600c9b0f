//! SIGTERM mid-request: the server stops taking connections, finishes
//! every request in flight (here, quiz attempts whose bodies are still on
//! their way when the signal comes), and exits cleanly; started again, it
//! serves the load on, and nothing was lost or doubled.

use std::{process::Command, time::Duration};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use super::{Cast, Stage, load::Pair, load::Target, size};

/// A quiz attempt that has sent its headers and half its body.
struct HalfSent {
    stream: TcpStream,
    rest: Vec<u8>,
    pair: Pair,
}

impl HalfSent {
    async fn begin(base: &str, token: &str, pair: Pair) -> HalfSent {
        let host = base.trim_start_matches("http://");
        let body = br#"{"answers":{"q1":["b"],"q2":["false"]}}"#;
        let head = format!(
            "POST /api/v1/courses/{}/lessons/check/attempts HTTP/1.1\r\nHost: {host}\r\n\
             Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            pair.1,
            body.len()
        );
        let mut stream = TcpStream::connect(host).await.expect("connect");
        let half = body.len() / 2;
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(&body[..half]).await.unwrap();
        HalfSent {
            stream,
            rest: body[half..].to_vec(),
            pair,
        }
    }

    /// Sends the rest and reads the answer's status.
    async fn finish(mut self) -> (u16, Pair) {
        self.stream.write_all(&self.rest).await.unwrap();
        let mut answer = String::new();
        self.stream.read_to_string(&mut answer).await.unwrap();
        let status = answer
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no HTTP answer: {answer:?}"));
        (status, self.pair)
    }
}

#[tokio::test]
async fn sigterm_finishes_the_requests_in_flight() {
    let mut stage = Stage::start(Cast::default()).await;
    let target = Target::new(vec![stage.server.base.clone()]);
    let load = stage.load_on(target.clone());
    stage.served(&load, 20, "before the fault").await;

    // Learners enrolled by now, each with a quiz attempt half sent.
    let enrolled: Vec<Pair> = load.tally().enrolled.into_iter().collect();
    let mut in_flight = Vec::new();
    for pair in enrolled.into_iter().take(size(4, 12)) {
        let learner = stage.learners.iter().find(|l| l.email == pair.0).unwrap();
        in_flight.push(HalfSent::begin(&stage.server.base, &learner.token, pair).await);
    }
    // Let the server read their headers, then stop it.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let term = Command::new("kill")
        .args(["-TERM", &stage.server.pid().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    // The server no longer takes connections; the attempts' bodies arrive.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut finished = Vec::new();
    for request in in_flight {
        finished.push(request.finish().await);
    }
    // Signalled again, the server is stopping already: this only waits.
    let exit = stage.server.terminate();
    assert!(exit.success(), "exit status {exit:?}");
    assert!(
        stage.server.logs().contains("shutting down"),
        "{}",
        stage.server.logs()
    );

    stage.server.restart().await;
    target.set(vec![stage.server.base.clone()]);
    stage.served(&load, 40, "after the restart").await;
    let mut tally = load.stop().await;
    for (status, pair) in &finished {
        assert_eq!(*status, 200, "an attempt in flight at SIGTERM for {pair:?}");
        tally.attempts.entry(pair.clone()).or_default().0 += 1;
        tally.requests += 1;
    }
    let fault = format!(
        "SIGTERM with {} requests in flight, then a restart",
        finished.len()
    );
    stage.close(&fault, &tally).await;
}
