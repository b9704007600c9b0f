//! The HTTP layer both the JSON API (`api`) and the pages (`web`) stand on:
//! who is calling, in which language, how failures answer (JSON or a page),
//! the security headers, the interface strings, the page templates and the
//! static assets. Nothing here serves a resource of its own except the
//! assets; neither `api` nor `web` is imported from here.

pub mod allow;
pub mod assets;
pub mod caller;
pub mod cookies;
pub mod error;
pub mod frame;
pub mod i18n;
pub mod learner_pages;
pub mod locale;
pub mod metrics;
pub mod page;
pub mod page_cache;
pub mod parts;
pub mod security;
pub mod server_span;
pub mod templates;
pub mod thread_pages;
pub mod version_tag;
