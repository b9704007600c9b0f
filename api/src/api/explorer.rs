//! The API explorer at `/api/docs`: Rhosys' openapi-explorer (bundled by
//! poem-openapi's `openapi-explorer` feature) in a page of our own that
//! passes axe-core, where Swagger UI had seven kinds of violations.
//!
//! openapi-explorer was the closest of poem-openapi's explorers to passing
//! (four kinds, against five to ten for the others) and it lets people try
//! requests. The page supplies what it lacks: a language, a title and a
//! heading outline; colours with enough contrast; schemas as tables (its
//! trees draw coloured type names on a dark blue); and, in its shadow DOM,
//! names for its two navigation landmarks and its parameter inputs, and a
//! keyboard stop on its scrolling list of operations.

use poem::{Endpoint, Route, endpoint::make_sync, web::Html};
use poem_openapi::OpenApiService;

use super::Apis;

/// The explorer's page, built once at start-up from the OpenAPI document.
pub fn endpoint(document: &str, service: &OpenApiService<Apis, ()>) -> impl Endpoint + 'static {
    let html = page(document, &service.openapi_explorer_html());
    Route::new().at("/", make_sync(move |_| Html(html.clone())))
}

/// The page around openapi-explorer's script, which is taken from the page
/// poem-openapi would serve (its template is not ours to keep).
fn page(spec: &str, bundled_page: &str) -> String {
    let script = explorer_script(bundled_page)
        .expect("poem-openapi's openapi-explorer page carries the explorer's script");
    // `</` cannot end the inline script early once escaped; JSON allows `<\/`.
    let spec = spec.replace("</", "<\\/");
    // Spliced, not replaced: neither the script nor the document is searched.
    let (head, rest) = PAGE.split_once("{script}").expect("a script slot");
    let (middle, tail) = rest.split_once("{spec}").expect("a document slot");
    format!("{head}{script}{middle}{spec}{tail}")
}

/// The explorer's JavaScript: the first inline script of the bundled page.
fn explorer_script(bundled_page: &str) -> Option<&str> {
    let (_, rest) = bundled_page.split_once("<script charset=\"UTF-8\">")?;
    let (script, _) = rest.split_once("</script>")?;
    script.contains("openapi-explorer").then_some(script)
}

const PAGE: &str = r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Agora API explorer</title>
<style>
  body { margin: 0; font-family: system-ui, sans-serif; color: #1f1f1f; }
  header { padding: 0.75rem 1.5rem; border-bottom: 1px solid #d0d7de; }
  header h1 { margin: 0; font-size: 1.5rem; }
  header h2 { margin: 0.25rem 0 0; font-size: 1rem; font-weight: normal; }
  header a { color: #0b5cad; }
  openapi-explorer {
    --font-regular: system-ui, sans-serif;
    --font-mono: ui-monospace, monospace;
    --green: #1d7a33; --blue: #0b5cad; --orange: #a14f00; --red: #b3261e;
    --yellow: #7a5d00; --purple: #6f42c1; --gray: #5c636a;
  }
</style>
<script charset="UTF-8">{script}</script>
</head>
<body>
<header>
  <h1>Agora API</h1>
  <h2>Read and try every operation. Sign in with <code>POST /auth/sign-in</code>,
  then give its token under Authentication as the HTTP bearer token.
  The document itself is <a href="/api/openapi.json">/api/openapi.json</a>.</h2>
</header>
<openapi-explorer table show-server-selection="false" server-url="/api/v1"
  primary-color="#2b4a5e" text-color="#1f1f1f"></openapi-explorer>
<script>
  const spec = {spec};
  const explorer = document.querySelector('openapi-explorer');
  // Names and a keyboard stop the explorer's own markup lacks, set again
  // whenever it renders.
  const mend = (root) => {
    const bar = root.querySelector('nav.nav-bar');
    if (bar && !bar.hasAttribute('aria-label')) bar.setAttribute('aria-label', 'API sections');
    const list = root.querySelector('nav.nav-scroll');
    if (list && !list.hasAttribute('aria-label')) {
      list.setAttribute('aria-label', 'Operations');
      list.setAttribute('tabindex', '0');
    }
    root.querySelectorAll('input[data-pname]:not([aria-label]), textarea[data-pname]:not([aria-label])')
      .forEach((input) => input.setAttribute('aria-label', input.dataset.pname));
    root.querySelectorAll('input.request-body-param-file:not([aria-label])')
      .forEach((input) => input.setAttribute('aria-label', 'File to send'));
  };
  explorer.loadSpec(spec).then(() => {
    const root = explorer.shadowRoot;
    mend(root);
    new MutationObserver(() => mend(root)).observe(root, { childList: true, subtree: true });
  }).catch(console.error);
</script>
</body>
</html>
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_carries_the_bundled_script_and_the_document() {
        let service = super::super::service("test");
        let html = page(&service.spec(), &service.openapi_explorer_html());
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert!(html.contains("OpenAPI Explorer"), "the bundled script");
        assert!(html.contains("\"openapi\": \"3.0.0\"") || html.contains("\"openapi\":\"3.0.0\""));
        assert!(!html.contains("{script}") && !html.contains("{spec}"));
        assert!(!html.contains("fonts.googleapis.com"), "no outside fonts");
    }

    #[test]
    fn a_closing_tag_in_the_document_cannot_end_the_script() {
        let html = page(
            r#"{"d":"</script><b>"}"#,
            "<script charset=\"UTF-8\">openapi-explorer()</script>",
        );
        assert!(html.contains(r#"{"d":"<\/script><b>"}"#));
    }
}
