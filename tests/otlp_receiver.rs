//! A real OTLP/HTTP trace receiver, one per test: `tests/support/otlp_receiver.py`,
//! which decodes each export with the official `opentelemetry-proto` package
//! and writes the spans as JSON lines.

use std::{
    collections::BTreeMap,
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde::Deserialize;
use serde_json::Value;

use crate::{TempDir, free_port, root, test_python};

/// A span as the receiver decoded it.
#[derive(Clone, Debug, Deserialize)]
pub struct ReceivedSpan {
    /// The resource's `service.name`.
    pub service: Option<String>,
    pub resource: BTreeMap<String, Value>,
    pub trace_id: String,
    pub span_id: String,
    /// Empty for a root span.
    pub parent_span_id: String,
    pub name: String,
    /// `SPAN_KIND_SERVER`, `SPAN_KIND_CONSUMER`, …
    pub kind: String,
    /// `STATUS_CODE_UNSET`, `STATUS_CODE_OK` or `STATUS_CODE_ERROR`.
    pub status: String,
    pub status_message: String,
    pub attributes: BTreeMap<String, Value>,
    pub events: Vec<Value>,
    pub links: Vec<Value>,
}

impl ReceivedSpan {
    /// The attribute `key` as a string (numbers as their digits).
    pub fn attr(&self, key: &str) -> Option<String> {
        match self.attributes.get(key)? {
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }
}

pub struct OtlpReceiver {
    pub port: u16,
    dir: TempDir,
    child: Option<Child>,
}

impl OtlpReceiver {
    pub fn start() -> OtlpReceiver {
        let port = free_port();
        let dir = TempDir::new();
        let mut child = Command::new(test_python())
            .arg(root().join("tests/support/otlp_receiver.py"))
            .arg(port.to_string())
            .arg(dir.path().join("spans.jsonl"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the OTLP receiver");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the OTLP receiver starts");
        assert_eq!(
            line.trim(),
            "ready",
            "the OTLP receiver did not start (scripts/test installs opentelemetry-proto)"
        );
        OtlpReceiver {
            port,
            dir,
            child: Some(child),
        }
    }

    /// The base address to configure (`AGORA_OTLP_ENDPOINT`).
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every span received so far.
    pub fn spans(&self) -> Vec<ReceivedSpan> {
        std::fs::read_to_string(self.dir.path().join("spans.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("a span the receiver wrote"))
            .collect()
    }

    /// The spans, once `done` holds of them; fails after 30 s, naming `what`.
    pub async fn wait_for(
        &self,
        what: &str,
        done: impl Fn(&[ReceivedSpan]) -> bool,
    ) -> Vec<ReceivedSpan> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let spans = self.spans();
            if done(&spans) {
                return spans;
            }
            assert!(
                Instant::now() < deadline,
                "never received {what}; received:\n{spans:#?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for OtlpReceiver {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
