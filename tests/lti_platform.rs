//! The LMS of the LTI tests: `tests/support/lti_platform.py`, an LTI 1.3
//! platform built on the independent `lti1p3platform` package. One process
//! serves a whole test binary (each test is a tenant, named by its Agora's
//! port); it exits when the test process does (its standard input closes).

use std::{
    io::{BufRead, BufReader},
    process::{Child, ChildStdin, Command, Stdio},
    sync::{Mutex, OnceLock},
};

use serde_json::Value;

use crate::{TestServer, free_port, root, test_python};

pub struct LtiPlatform {
    pub port: u16,
    _child: Mutex<(Child, ChildStdin)>,
}

/// A browser's answer, not followed: its status, `Location`, cookies set and body.
pub struct Hop {
    pub status: u16,
    pub location: Option<String>,
    pub cookies: Vec<String>,
    pub body: String,
}

/// A client that follows no redirect, so each hop can be looked at.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

impl Hop {
    pub async fn of(r: reqwest::Response) -> Hop {
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let cookies = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|c| c.split(';').next().unwrap_or("").to_owned())
            .collect();
        Hop {
            status,
            location,
            cookies,
            body: r.text().await.unwrap_or_default(),
        }
    }

    /// The cookie pairs set, as a `Cookie` header (cleared ones left out).
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .filter(|c| !c.ends_with('='))
            .cloned()
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The value of hidden input `name` in an HTML form.
pub fn form_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let rest = &html[at..];
    let v = rest.split("value=\"").nth(1)?.split('"').next()?;
    Some(
        v.replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&#39;", "'")
            .replace("&amp;", "&"),
    )
}

/// The `action` of the first form in an HTML page.
pub fn form_action(html: &str) -> Option<String> {
    let v = html.split("action=\"").nth(1)?.split('"').next()?;
    Some(v.replace("&amp;", "&"))
}

impl LtiPlatform {
    /// The platform process of this test binary, started on first use.
    pub fn shared() -> &'static LtiPlatform {
        static P: OnceLock<LtiPlatform> = OnceLock::new();
        P.get_or_init(|| {
            let port = free_port();
            let mut child = Command::new(test_python())
                .arg(root().join("tests/support/lti_platform.py"))
                .arg(port.to_string())
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("start the LTI platform");
            let mut line = String::new();
            BufReader::new(child.stdout.take().expect("stdout"))
                .read_line(&mut line)
                .expect("the LTI platform starts");
            assert_eq!(
                line.trim(),
                "ready",
                "the LTI platform did not start (scripts/test installs lti1p3platform)"
            );
            let stdin = child.stdin.take().expect("stdin");
            LtiPlatform {
                port,
                _child: Mutex::new((child, stdin)),
            }
        })
    }

    /// The platform's base address for the tests of `agora`.
    pub fn base(&self, agora: &TestServer) -> String {
        let tenant = agora.base.rsplit(':').next().expect("a port");
        format!("http://127.0.0.1:{}/t/{tenant}", self.port)
    }

    /// The base address of a second platform (its own issuer) that
    /// launches the same Agora.
    pub fn second_base(&self, agora: &TestServer) -> String {
        format!("{}b", self.base(agora))
    }

    /// The registration an admin enters in Agora for this platform.
    pub fn registration(&self, agora: &TestServer) -> Vec<(&'static str, String)> {
        self.registration_at(&self.base(agora))
    }

    /// The registration of the platform at `b` (`base` or `second_base`).
    pub fn registration_at(&self, b: &str) -> Vec<(&'static str, String)> {
        let b = b.to_owned();
        vec![
            ("name", "Test LMS".into()),
            ("issuer", b.clone()),
            ("client_id", "agora-client".into()),
            ("deployment_ids", "deployment-1".into()),
            ("auth_endpoint", format!("{b}/auth")),
            ("jwks_url", format!("{b}/jwks")),
            ("token_endpoint", format!("{b}/token")),
        ]
    }

    /// Sets the roster the platform serves for every context of `agora`:
    /// `{"page_size": n, "members": [{user_id, name, role, status}]}`.
    pub async fn set_roster(&self, agora: &TestServer, roster: &Value) {
        let r = reqwest::Client::new()
            .post(format!("{}/roster", self.base(agora)))
            .json(roster)
            .send()
            .await
            .expect("the platform answers");
        assert_eq!(r.status(), 200);
    }

    /// What the platform's endpoints received: `scores`, `deep_links`,
    /// `roster_pages` and `tokens`.
    pub async fn received(&self, agora: &TestServer) -> Value {
        reqwest::get(format!("{}/received", self.base(agora)))
            .await
            .expect("the platform answers")
            .json()
            .await
            .expect("JSON")
    }
}
