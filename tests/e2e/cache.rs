//! The progress cache in Redis: a dead Redis fails no request and loses
//! nothing, no value that went stale while it was away is served, and the
//! in-process copy of what Redis answered never hides a replica's own writes.

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use agora_tests::{ServerOptions, TempDir, TestServer};
use reqwest::Method;

/// A real redis-server of this test's own, persisting to disk so that a
/// restart brings back the values it held before it stopped.
pub(super) struct RedisProcess {
    port: u16,
    dir: TempDir,
    child: Option<Child>,
}

impl RedisProcess {
    pub(super) fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut r = RedisProcess {
            port,
            dir: TempDir::new(),
            child: None,
        };
        r.restart();
        r
    }

    pub(super) fn restart(&mut self) {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
            ])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server is installed (scripts/test installs it)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        // Redis listens before it has loaded its data (it answers -LOADING
        // meanwhile): wait for a real PONG.
        while !Self::pong(self.port) {
            assert!(Instant::now() < deadline, "redis did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn pong(port: u16) -> bool {
        use std::io::{Read, Write};
        let Ok(mut c) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
            return false;
        };
        let _ = c.set_read_timeout(Some(Duration::from_secs(1)));
        let mut buf = [0u8; 64];
        c.write_all(b"PING\r\n").is_ok()
            && c.read(&mut buf)
                .is_ok_and(|n| buf[..n].starts_with(b"+PONG"))
    }

    pub(super) fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            let _ = c.wait();
        }
    }

    pub(super) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    async fn get(&self, key: &str) -> Option<String> {
        let client = redis::Client::open(self.url()).unwrap();
        let mut conn = client.get_multiplexed_async_connection().await.ok()?;
        let stored = redis::cmd("GET")
            .arg(key)
            .query_async::<Option<String>>(&mut conn)
            .await
            .ok()
            .flatten()?;
        // Values are stored as `<version>:<json>`.
        stored.split_once(':').map(|(_, json)| json.to_owned())
    }
}

impl Drop for RedisProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test]
async fn a_redis_outage_fails_no_request_and_loses_no_progress() {
    let mut redis = RedisProcess::start();
    let server = TestServer::start_with(ServerOptions {
        env: vec![("AGORA_REDIS_URL".into(), redis.url())],
        ..Default::default()
    })
    .await;
    assert!(
        server.logs().contains("cache        Redis"),
        "{}",
        server.logs()
    );
    let ana = server.learner("ana@city.gov").await;
    let course = "/api/v1/courses/localizing-the-sdgs";
    let (status, enrolment) = server
        .call(&ana, Method::POST, &format!("{course}/enrolment"), None)
        .await;
    assert_eq!(status, 201);
    let key = format!(
        "agora:progress:v2:{}",
        enrolment["enrolment_id"].as_str().unwrap()
    );
    let (_, outline) = server.get_json(course).await;
    let lessons: Vec<String> = outline["modules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["lessons"].as_array().unwrap().iter())
        .filter(|l| l["kind"] != "quiz")
        .map(|l| l["key"].as_str().unwrap().to_owned())
        .collect();
    assert!(lessons.len() >= 12);

    let mut statuses = Vec::new();
    let step = |done: usize| {
        let path = format!("{course}/lessons/{}/completion", lessons[done]);
        let (server, ana) = (&server, &ana);
        async move {
            let (a, p) = server.call(ana, Method::POST, &path, None).await;
            let (b, mine) = server
                .call(ana, Method::GET, "/api/v1/me/learning", None)
                .await;
            assert_eq!(p["completed_lessons"], done + 1, "{p}");
            assert_eq!(
                mine[0]["progress"]["completed_lessons"],
                done + 1,
                "my learning is never stale: {mine}"
            );
            [a, b]
        }
    };
    // Redis up: progress is written through.
    for i in 0..4 {
        statuses.extend(step(i).await);
    }
    let cached: serde_json::Value =
        serde_json::from_str(&redis.get(&key).await.expect("written through")).unwrap();
    assert_eq!(cached["completed_lessons"], 4);

    // Redis down: every request still succeeds, from the database.
    redis.stop();
    for i in 4..8 {
        statuses.extend(step(i).await);
    }
    // Redis back, holding the value from before the outage (4 lessons).
    redis.restart();
    let stale: serde_json::Value =
        serde_json::from_str(&redis.get(&key).await.expect("persisted")).unwrap();
    assert_eq!(
        stale["completed_lessons"], 4,
        "the restarted Redis really holds a stale value"
    );
    for i in 8..12 {
        statuses.extend(step(i).await);
    }
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");

    // Everything is in the database, and the cache heals: the stale value is
    // cleared and the true one written back.
    let (_, progress) = server
        .call(&ana, Method::GET, &format!("{course}/progress"), None)
        .await;
    assert_eq!(progress["completed_lessons"], 12);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, mine) = server
            .call(&ana, Method::GET, "/api/v1/me/learning", None)
            .await;
        assert_eq!(
            (status, mine[0]["progress"]["completed_lessons"].as_u64()),
            (200, Some(12))
        );
        let cached = redis
            .get(&key)
            .await
            .map(|v| serde_json::from_str::<serde_json::Value>(&v).unwrap());
        if cached
            .as_ref()
            .is_some_and(|c| c["completed_lessons"] == 12)
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the cache never healed: {cached:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        server.logs().contains("cache write failed"),
        "the outage was noticed"
    );
}

#[tokio::test]
async fn a_server_started_while_redis_is_down_works_and_uses_redis_once_it_is_up() {
    let mut redis = RedisProcess::start();
    redis.stop();
    let server = TestServer::start_with(ServerOptions {
        env: vec![("AGORA_REDIS_URL".into(), redis.url())],
        ..Default::default()
    })
    .await;
    let ana = server.learner("ana@city.gov").await;
    let (status, _) = server
        .call(
            &ana,
            Method::POST,
            "/api/v1/courses/localizing-the-sdgs/enrolment",
            None,
        )
        .await;
    assert_eq!(status, 201);
    let (status, mine) = server
        .call(&ana, Method::GET, "/api/v1/me/learning", None)
        .await;
    assert_eq!((status, mine.as_array().unwrap().len()), (200, 1));
    let (status, _) = server.get_json("/ready").await;
    assert_eq!(status, 503, "readiness reports the cache down");

    redis.restart();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, mine) = server
            .call(&ana, Method::GET, "/api/v1/me/learning", None)
            .await;
        let key = format!(
            "agora:progress:v2:{}",
            mine[0]["progress"]["enrolment_id"].as_str().unwrap()
        );
        if redis.get(&key).await.is_some() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the cache was never used after Redis came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(server.get_json("/ready").await.0, 200);
}

/// What the learner's replica reads through its in-process copy of Redis.
async fn completed_on(http: &reqwest::Client, base: &str, token: &str) -> (u16, Option<u64>) {
    let r = http
        .get(format!("{base}/api/v1/me/learning"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let mine: serde_json::Value = r.json().await.unwrap_or_default();
    (status, mine[0]["progress"]["completed_lessons"].as_u64())
}

/// The last lesson the learner's replica shows them in "my learning".
async fn last_lesson_on(http: &reqwest::Client, base: &str, token: &str) -> serde_json::Value {
    let mine: serde_json::Value = http
        .get(format!("{base}/api/v1/me/learning"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .unwrap_or_default();
    mine[0]["progress"]["last_lesson_id"].clone()
}

#[tokio::test]
async fn own_writes_are_seen_at_once_through_the_in_process_copy_and_other_replicas_within_a_second()
 {
    let redis = RedisProcess::start();
    let env = vec![("AGORA_REDIS_URL".to_owned(), redis.url())];
    let a = TestServer::start_with(ServerOptions {
        env: env.clone(),
        ..Default::default()
    })
    .await;
    let b = a.replica(&env).await;
    let ana = a.learner("ana@city.gov").await;
    let course = "/api/v1/courses/localizing-the-sdgs";
    let (status, _) = a
        .call(&ana, Method::POST, &format!("{course}/enrolment"), None)
        .await;
    assert_eq!(status, 201);
    let (_, outline) = a.get_json(course).await;
    let lessons: Vec<String> = outline["modules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["lessons"].as_array().unwrap().iter())
        .filter(|l| l["kind"] != "quiz")
        .map(|l| l["key"].as_str().unwrap().to_owned())
        .collect();

    for done in 0..3u64 {
        // Both replicas have just read the caller and the summary (each
        // keeps its copy for up to a second).
        for base in [&a.base, &b.base] {
            assert_eq!(
                completed_on(&a.http, base, &ana.token).await,
                (200, Some(done))
            );
        }
        let (status, p) = a
            .call(
                &ana,
                Method::POST,
                &format!("{course}/lessons/{}/completion", lessons[done as usize]),
                None,
            )
            .await;
        assert_eq!(
            (status, p["completed_lessons"].as_u64()),
            (200, Some(done + 1))
        );
        // The replica that wrote dropped its copy: the next read is the new one.
        assert_eq!(
            completed_on(&a.http, &a.base, &ana.token).await,
            (200, Some(done + 1)),
            "own completion visible at once"
        );
        let (status, page) = a
            .call(&ana, Method::GET, &format!("{course}/progress"), None)
            .await;
        assert_eq!(
            (status, page["completed_lessons"].as_u64()),
            (200, Some(done + 1))
        );
        // The other replica within a second (its copy expires).
        let start = Instant::now();
        while completed_on(&b.http, &b.base, &ana.token).await != (200, Some(done + 1)) {
            assert!(
                start.elapsed() < Duration::from_millis(1500),
                "replica B still shows {done} completed lessons after {:?}",
                start.elapsed()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    // A lesson read on A: "continue where you left off" shows it there at
    // once, and on B once A's flush (every second) has written the summary
    // to Redis and B's copy has expired: within about two seconds.
    let (status, read) = a
        .call(
            &ana,
            Method::GET,
            &format!("{course}/lessons/{}", lessons[5]),
            None,
        )
        .await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(
        last_lesson_on(&a.http, &a.base, &ana.token).await,
        read["id"],
        "own visit visible at once"
    );
    let start = Instant::now();
    while last_lesson_on(&b.http, &b.base, &ana.token).await != read["id"] {
        assert!(
            start.elapsed() < Duration::from_millis(3000),
            "replica B does not show the lesson read on A after {:?}",
            start.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // A revoked token: refused at once where it was revoked, and within a
    // second by the other replica, although both just read the caller.
    let (status, created) = a
        .call(
            &ana,
            Method::POST,
            "/api/v1/me/tokens",
            Some(serde_json::json!({ "name": "script" })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let token = created["token"].as_str().unwrap().to_owned();
    for base in [&a.base, &b.base] {
        assert_eq!(completed_on(&a.http, base, &token).await.0, 200);
    }
    let (status, _) = a
        .call(
            &ana,
            Method::DELETE,
            &format!("/api/v1/me/tokens/{}", created["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(completed_on(&a.http, &a.base, &token).await.0, 401);
    let start = Instant::now();
    while completed_on(&b.http, &b.base, &token).await.0 != 401 {
        assert!(
            start.elapsed() < Duration::from_millis(1500),
            "replica B still accepts a revoked token after {:?}",
            start.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
