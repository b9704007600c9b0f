//! The one cookie reader, and the cookies both the API and the pages read.

use poem::{Request, http::header};

/// The web session; the API accepts it too (with a CSRF header for writes).
pub const SESSION_COOKIE: &str = "agora_session";
/// The CSRF token forms carry: the session's own once signed in.
pub const CSRF_COOKIE: &str = "agora_csrf";
/// The partner whose embed brought the reader, for attributing an enrolment.
pub const VIA_COOKIE: &str = "agora_via";
/// The language the reader chose with the switcher.
pub const LANG_COOKIE: &str = "agora_lang";

/// The value of cookie `name`, when it is set and not empty.
pub fn cookie<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}
