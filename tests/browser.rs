//! A small W3C WebDriver client over the workspace's reqwest, driving
//! Debian's headless Chromium through chromedriver; plus axe-core checks
//! and screenshots. (fantoccini and thirtyfour would bring a second
//! reqwest or http and Mozilla's webdriver crate for the dozen calls used here.)

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use base64::Engine;
use serde_json::{Value, json};

use crate::{TempDir, free_port, home, root};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn tool_path(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

/// Checks the page with axe-core (no violation allowed) and writes its
/// screenshots under `name`.
pub async fn look(browser: &Browser, axe: &str, name: &str) {
    let violations = browser.axe_violations(axe).await;
    assert!(violations.is_empty(), "{name}: {violations:#?}");
    browser.screenshots(name).await;
}

/// axe-core's browser build, installed from npm by scripts/test.
pub fn axe_source() -> String {
    let path = std::env::var_os("AGORA_TEST_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".cache/agora-test/npm/node_modules/axe-core/axe.min.js"));
    std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing: run scripts/test, which installs axe-core from npm, or set AGORA_TEST_AXE",
            path.display()
        )
    })
}

/// A headless Chromium session; the browser and its driver stop at drop.
pub struct Browser {
    http: reqwest::Client,
    base: String,
    session: String,
    driver: Option<Child>,
    _profile: TempDir,
    pub javascript: bool,
}

#[derive(Clone, Debug)]
pub struct Element(String);

impl Element {
    /// The element as a WebDriver script argument.
    pub fn to_json(&self) -> Value {
        json!({ ELEMENT: self.0 })
    }
}

impl Browser {
    /// Starts chromedriver on a free port and opens a fresh Chromium.
    pub async fn start(javascript: bool, accept_language: &str) -> Browser {
        let chromedriver = tool_path("AGORA_TEST_CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium = tool_path("AGORA_TEST_CHROMIUM", "/usr/bin/chromium");
        assert!(
            chromedriver.is_file() && chromium.is_file(),
            "chromium and chromedriver are missing: run scripts/test, which installs them"
        );
        let port = free_port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = http.get(format!("{base}/status")).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver never answered");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = TempDir::new();
        let mut args = vec![
            "--headless".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1280,900".into(),
            format!("--lang={accept_language}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        if !javascript {
            args.push("--blink-settings=scriptEnabled=false".into());
        }
        let caps = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": chromium,
                    "args": args,
                    "prefs": {
                        "intl.accept_languages": accept_language,
                        "webkit.webprefs.javascript_enabled": javascript,
                    },
                }
            }}
        });
        let r: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .expect("create a WebDriver session")
            .json()
            .await
            .expect("a WebDriver answer");
        let session = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {r}"))
            .to_owned();
        Browser {
            http,
            base,
            session,
            driver: Some(driver),
            _profile: profile,
            javascript,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut req = self.http.request(method, &url);
        req = req.json(&body.unwrap_or_else(|| json!({})));
        let r: Value = req
            .send()
            .await
            .expect("a WebDriver call")
            .json()
            .await
            .expect("a WebDriver answer");
        if let Some(err) = r["value"]["error"].as_str() {
            panic!(
                "WebDriver {path}: {err}: {}",
                r["value"]["message"].as_str().unwrap_or_default()
            );
        }
        r["value"].clone()
    }

    async fn try_call(&self, method: reqwest::Method, path: &str, body: Value) -> Option<Value> {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let r: Value = self
            .http
            .request(method, &url)
            .json(&body)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        r["value"]["error"].is_null().then(|| r["value"].clone())
    }

    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn title(&self) -> String {
        self.call(reqwest::Method::GET, "/title", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn find(&self, css: &str) -> Element {
        match self.try_find(css).await {
            Some(e) => e,
            None => panic!(
                "no element matches `{css}` on {}:\n{}",
                self.url().await,
                self.text("body").await
            ),
        }
    }

    pub async fn try_find(&self, css: &str) -> Option<Element> {
        let v = self
            .try_call(
                reqwest::Method::POST,
                "/element",
                json!({ "using": "css selector", "value": css }),
            )
            .await?;
        v[ELEMENT].as_str().map(|s| Element(s.to_owned()))
    }

    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        self.call(
            reqwest::Method::POST,
            "/elements",
            Some(json!({ "using": "css selector", "value": css })),
        )
        .await
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v[ELEMENT].as_str().map(|s| Element(s.to_owned())))
                .collect()
        })
        .unwrap_or_default()
    }

    pub async fn click(&self, e: &Element) {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/click", e.0),
            None,
        )
        .await;
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/clear", e.0),
            None,
        )
        .await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/value", e.0),
            Some(json!({ "text": text })),
        )
        .await;
    }

    /// Chooses a file on this machine for a file input, as a person would.
    pub async fn choose_file(&self, css: &str, path: &std::path::Path) {
        let e = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/value", e.0),
            Some(json!({ "text": path.to_str().expect("a UTF-8 path") })),
        )
        .await;
    }

    pub async fn element_text(&self, e: &Element) -> String {
        self.call(
            reqwest::Method::GET,
            &format!("/element/{}/text", e.0),
            None,
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    pub async fn attribute(&self, e: &Element, name: &str) -> Option<String> {
        self.call(
            reqwest::Method::GET,
            &format!("/element/{}/attribute/{name}", e.0),
            None,
        )
        .await
        .as_str()
        .map(str::to_owned)
    }

    /// The visible text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        match self.try_find(css).await {
            Some(e) => self.element_text(&e).await,
            None => String::new(),
        }
    }

    /// Clicks the element matching `css` and waits for the page it leads to.
    /// With scripts on, the old document is marked and a navigation is
    /// noticed as it starts, so a form that answers on the same address
    /// (a redirect back to the page) is waited for however slow the server
    /// is; a click that navigates nowhere costs a short settle. With
    /// scripts off, WebDriver's own wait for the navigation it starts is
    /// what there is, plus a short chance for the address to change.
    pub async fn click_and_wait(&self, css: &str) {
        let before = self.url().await;
        let e = self.find(css).await;
        if self.javascript {
            self.script(MARK_DOCUMENT, json!([])).await;
        }
        self.click(&e).await;
        self.wait_until_loaded(&before).await;
    }

    async fn wait_until_loaded(&self, before: &str) {
        let settle = Instant::now() + Duration::from_millis(1500);
        let deadline = Instant::now() + Duration::from_secs(20);
        if !self.javascript {
            while Instant::now() < settle && self.url().await == before {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            return;
        }
        while Instant::now() < deadline {
            let state = self.script(DOCUMENT_STATE, json!([])).await;
            match state.as_str() {
                Some("complete") => break,
                // The old document, no navigation started: the click may
                // start one a moment later, or none at all.
                Some("same") if Instant::now() >= settle => break,
                _ => {}
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Submits the form around the element matching `css` by clicking it.
    pub async fn submit(&self, button_css: &str) {
        self.click_and_wait(button_css).await;
    }

    pub async fn script(&self, script: &str, args: Value) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    pub async fn set_width(&self, width: u32, height: u32) {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        )
        .await;
    }

    /// The value of a cookie the browser holds for the page's site.
    pub async fn cookie(&self, name: &str) -> Option<String> {
        let all = self.call(reqwest::Method::GET, "/cookie", None).await;
        all.as_array()?
            .iter()
            .find(|c| c["name"] == name)
            .and_then(|c| c["value"].as_str().map(str::to_owned))
    }

    async fn png(&self) -> Vec<u8> {
        let b64 = self.call(reqwest::Method::GET, "/screenshot", None).await;
        base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap_or_default())
            .expect("a base64 screenshot")
    }

    /// Writes full-page screenshots at desktop (1280) and phone (360)
    /// widths to `target/screenshots/<name>-desktop.png` and `-phone.png`.
    pub async fn screenshots(&self, name: &str) {
        let dir = root().join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        for (label, width) in [("desktop", 1280u32), ("phone", 360)] {
            self.set_width(width, 900).await;
            let height = if self.javascript {
                self.script(
                    "return Math.ceil(document.documentElement.scrollHeight)",
                    json!([]),
                )
                .await
                .as_u64()
                .unwrap_or(900)
                .clamp(600, 6000) as u32
            } else {
                1400
            };
            self.set_width(width, height + 140).await;
            let png = self.png().await;
            std::fs::write(dir.join(format!("{name}-{label}.png")), png).unwrap();
        }
        self.set_width(1280, 900).await;
    }

    /// Runs axe-core on the page and returns its violations, described.
    pub async fn axe_violations(&self, axe: &str) -> Vec<String> {
        self.script(axe, json!([])).await;
        let v = self
            .call(
                reqwest::Method::POST,
                "/execute/async",
                Some(json!({
                    "script": "var done = arguments[arguments.length - 1]; axe.run(document).then(function (r) { done({ passes: r.passes.length, violations: r.violations.map(function (v) { return v.id + ': ' + v.help + ' @ ' + v.nodes.map(function (n) { return n.target.join(' ') + ' ' + (n.failureSummary || ''); }).join(' | '); }) }); }, function (e) { done({ passes: 0, violations: ['axe failed: ' + e] }); });",
                    "args": [],
                })),
            )
            .await;
        // A run that checked nothing would prove nothing.
        assert!(
            v["passes"].as_u64().unwrap_or(0) > 5,
            "axe-core checked nothing: {v}"
        );
        v["violations"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Closing the session ends Chromium; then the driver goes.
        let url = format!("{}/session/{}", self.base, self.session);
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                reqwest::Client::new()
                    .delete(url)
                    .timeout(Duration::from_secs(10))
                    .send()
                    .await
                    .ok()
            })
        })
        .join();
        if let Some(mut d) = self.driver.take() {
            let _ = d.kill();
            let _ = d.wait();
        }
    }
}

/// Marks the current document, and notes when a navigation away from it
/// starts (the Navigation API fires `navigate` for links and forms alike;
/// a jump within the page or a download leaves the document in place).
const MARK_DOCUMENT: &str = "window.__agoraOld = true; window.__agoraLeaving = false; \
if (window.navigation) { navigation.addEventListener('navigate', \
(e) => { if (!e.destination.sameDocument && !e.downloadRequest) { \
window.__agoraLeaving = true; } }); } return null;";

/// "complete" once a new document has loaded; "same" while the marked one
/// shows with no navigation started; anything else while one is under way.
const DOCUMENT_STATE: &str = "if (window.__agoraOld !== true) { \
return document.readyState === 'complete' ? 'complete' : 'loading'; } \
return window.__agoraLeaving ? 'leaving' : 'same';";
