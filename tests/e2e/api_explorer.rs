//! The API explorer at `/api/docs` in a real browser: no axe-core
//! violation on its first view nor on an operation's view, and it still
//! tries a request against the running server.

use std::time::{Duration, Instant};

use agora_tests::{
    TestServer,
    browser::{Browser, axe_source, look},
};
use serde_json::json;

/// Opens the operation whose summary contains `summary`, in the explorer's
/// shadow DOM, once its navigation lists it (it renders again on a resize).
async fn open_operation(browser: &Browser, summary: &str) {
    let script = format!(
        "const root = document.querySelector('openapi-explorer').shadowRoot;
         const link = [...root.querySelectorAll('.nav-bar-path')]
           .find((e) => e.textContent.includes({}));
         if (link) link.click();
         return !!link;",
        json!(summary)
    );
    wait_for(browser, &script, &format!("the operation `{summary}`")).await;
}

/// Polls `script` until it returns true; fails after 20 s, naming `what`.
async fn wait_for(browser: &Browser, script: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while browser.script(script, json!([])).await != json!(true) {
        assert!(Instant::now() < deadline, "waited in vain for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_api_explorer_is_accessible_and_tries_requests() {
    let server = TestServer::start().await;
    let browser = Browser::start(true, "en").await;
    let axe = axe_source();
    browser.goto(&server.url("/api/docs")).await;
    wait_for(
        &browser,
        "const e = document.querySelector('openapi-explorer');
         return !!(e && e.shadowRoot && e.shadowRoot.querySelector('nav.nav-scroll[aria-label]'));",
        "the explorer to render the document",
    )
    .await;
    look(&browser, &axe, "api-explorer").await;

    // An operation's view: parameters, the request body, the responses.
    open_operation(&browser, "List background jobs").await;
    wait_for(
        &browser,
        "return !!document.querySelector('openapi-explorer').shadowRoot
           .querySelector('input[data-pname=\"status\"][aria-label]');",
        "the operation's parameters",
    )
    .await;
    look(&browser, &axe, "api-explorer-operation").await;

    // Trying a request: the public catalogue answers in the explorer.
    open_operation(&browser, "List published courses").await;
    let tried = browser
        .script(
            "const root = document.querySelector('openapi-explorer').shadowRoot;
             const button = [...root.querySelectorAll('button')]
               .find((b) => b.offsetParent && b.textContent.trim().toUpperCase() === 'EXECUTE');
             if (button) button.click();
             return !!button;",
            json!([]),
        )
        .await;
    assert_eq!(tried, json!(true), "no EXECUTE button on the operation");
    wait_for(
        &browser,
        "return document.querySelector('openapi-explorer').shadowRoot
           .textContent.includes('Response Status: OK (200)');",
        "the explorer to show the 200 of a tried request",
    )
    .await;
    browser.screenshots("api-explorer-tried").await;
}
