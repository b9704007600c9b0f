//! The load every fault runs under: learners enrol in the fixture courses,
//! complete their lessons and take their quizzes, over and over, retrying
//! a step that failed as a patient client would. The tally keeps what the
//! server acknowledged (a 2xx answer) and what it answered otherwise.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::{
        Arc, Mutex, RwLock,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use agora_tests::Learner;
use reqwest::Method;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

/// A learner and a course: the key of an enrolment.
pub(super) type Pair = (String, String);

/// What the load saw.
#[derive(Default, Debug, Clone)]
pub(super) struct Tally {
    pub requests: u64,
    /// Failed answers by kind: a status code, or `connection`.
    pub errors: BTreeMap<String, u64>,
    pub successes: u64,
    /// Enrolments acknowledged.
    pub enrolled: BTreeSet<Pair>,
    /// Lesson completions acknowledged: learner, course, lesson.
    pub completed: BTreeSet<(String, String, String)>,
    /// Quiz attempts acknowledged, and sent without a clear answer (a
    /// dropped connection, a 5xx): those may or may not exist.
    pub attempts: BTreeMap<Pair, (u64, u64)>,
}

impl Tally {
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    /// `12 (503: 10, connection: 2)`.
    pub fn errors_text(&self) -> String {
        if self.errors.is_empty() {
            return "0".into();
        }
        let kinds: Vec<String> = self
            .errors
            .iter()
            .map(|(k, n)| format!("{k}: {n}"))
            .collect();
        format!("{} ({})", self.error_count(), kinds.join(", "))
    }

    /// Answers of `status` (or of any 5xx but 503 with `"5xx"`).
    pub fn errors_of(&self, kind: &str) -> u64 {
        if kind == "5xx" {
            return self
                .errors
                .iter()
                .filter(|(k, _)| k.starts_with('5') && k.as_str() != "503")
                .map(|(_, n)| n)
                .sum();
        }
        self.errors.get(kind).copied().unwrap_or(0)
    }
}

/// The servers the load spreads over; a test swaps them after a restart.
#[derive(Clone)]
pub(super) struct Target(Arc<RwLock<Vec<String>>>);

impl Target {
    pub fn new(bases: Vec<String>) -> Self {
        Target(Arc::new(RwLock::new(bases)))
    }

    pub fn set(&self, bases: Vec<String>) {
        *self.0.write().unwrap() = bases;
    }

    fn pick(&self, n: usize) -> String {
        let bases = self.0.read().unwrap();
        bases[n % bases.len()].clone()
    }
}

pub(super) struct Load {
    stop: Arc<AtomicBool>,
    tally: Arc<Mutex<Tally>>,
    tasks: Vec<JoinHandle<()>>,
}

/// A step's answer: acknowledged, refused (with its kind) or unknown.
enum Answer {
    Ok,
    Failed { kind: String, unknown: bool },
}

impl Load {
    /// Starts one task per learner, each going through every course.
    /// Each learner pauses `pace` after each acknowledged request, which
    /// spreads the new enrolments and completions (and so the jobs they
    /// make) over the time a fault lasts.
    pub fn start(target: Target, learners: &[Learner], courses: &[String], pace: Duration) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let tally = Arc::new(Mutex::new(Tally::default()));
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(40))
            .build()
            .unwrap();
        let tasks = learners
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let learner = Runner {
                    http: http.clone(),
                    target: target.clone(),
                    tally: tally.clone(),
                    stop: stop.clone(),
                    email: l.email.clone(),
                    token: l.token.clone(),
                    turn: i,
                    pace,
                };
                let courses = courses.to_vec();
                tokio::spawn(async move { learner.run(&courses).await })
            })
            .collect();
        Load { stop, tally, tasks }
    }

    /// What the load saw so far.
    pub fn tally(&self) -> Tally {
        self.tally.lock().unwrap().clone()
    }

    /// Waits until `n` more requests have been acknowledged (the server
    /// serves), for up to two minutes; false if they never were.
    pub async fn wait_for_successes(&self, n: u64) -> bool {
        let start = self.tally().successes;
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        while self.tally().successes < start + n {
            if std::time::Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        true
    }

    /// Stops the learners after their current request.
    pub async fn stop(self) -> Tally {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.tasks {
            t.await.expect("a learner's task");
        }
        self.tally.lock().unwrap().clone()
    }
}

struct Runner {
    http: reqwest::Client,
    target: Target,
    tally: Arc<Mutex<Tally>>,
    stop: Arc<AtomicBool>,
    email: String,
    token: String,
    /// Spreads the learner's requests over the servers.
    turn: usize,
    pace: Duration,
}

impl Runner {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Every course in turn, then again: later rounds enrol and complete
    /// nothing new, but take each quiz once more.
    async fn run(mut self, courses: &[String]) {
        while !self.stopped() {
            for slug in courses {
                let course = format!("/api/v1/courses/{slug}");
                let pair = (self.email.clone(), slug.clone());
                if !self
                    .step(Method::POST, &format!("{course}/enrolment"), None)
                    .await
                {
                    return;
                }
                self.tally.lock().unwrap().enrolled.insert(pair.clone());
                for lesson in ["intro", "sheet"] {
                    let path = format!("{course}/lessons/{lesson}/completion");
                    if !self.step(Method::POST, &path, None).await {
                        return;
                    }
                    let done = (pair.0.clone(), pair.1.clone(), lesson.to_owned());
                    self.tally.lock().unwrap().completed.insert(done);
                }
                let answers = json!({ "answers": { "q1": ["b"], "q2": ["false"] } });
                let path = format!("{course}/lessons/check/attempts");
                loop {
                    if self.stopped() {
                        return;
                    }
                    let answer = self.send(Method::POST, &path, Some(&answers)).await;
                    if self.count_attempt(&pair, answer) {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    /// Counts a quiz attempt's answer; true when it was acknowledged.
    fn count_attempt(&self, pair: &Pair, answer: Answer) -> bool {
        let mut t = self.tally.lock().unwrap();
        let counts = t.attempts.entry(pair.clone()).or_default();
        match answer {
            Answer::Ok => {
                counts.0 += 1;
                let done = (pair.0.clone(), pair.1.clone(), "check".to_owned());
                t.completed.insert(done);
                true
            }
            Answer::Failed { unknown, .. } => {
                counts.1 += u64::from(unknown);
                false
            }
        }
    }

    /// Sends one idempotent request until it is acknowledged; false when
    /// the load stopped first.
    async fn step(&mut self, method: Method, path: &str, body: Option<&Value>) -> bool {
        loop {
            if self.stopped() {
                return false;
            }
            if let Answer::Ok = self.send(method.clone(), path, body).await {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// One request, counted.
    async fn send(&mut self, method: Method, path: &str, body: Option<&Value>) -> Answer {
        self.turn += 1;
        let url = format!("{}{path}", self.target.pick(self.turn));
        let mut req = self.http.request(method, &url).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(b);
        }
        let answer = match req.send().await {
            // An enrolment that exists already is acknowledged too.
            Ok(r)
                if r.status().is_success()
                    || (r.status() == 409 && path.ends_with("/enrolment")) =>
            {
                Answer::Ok
            }
            Ok(r) => Answer::Failed {
                kind: r.status().as_u16().to_string(),
                unknown: r.status().is_server_error(),
            },
            Err(e) => Answer::Failed {
                kind: if e.is_timeout() {
                    "timeout"
                } else {
                    "connection"
                }
                .into(),
                unknown: true,
            },
        };
        {
            let mut t = self.tally.lock().unwrap();
            t.requests += 1;
            match &answer {
                Answer::Ok => t.successes += 1,
                Answer::Failed { kind, .. } => *t.errors.entry(kind.clone()).or_default() += 1,
            }
        }
        if let Answer::Ok = answer {
            tokio::time::sleep(self.pace).await;
        }
        answer
    }
}
