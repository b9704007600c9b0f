//! An xAPI request as the resources see it, whatever syntax it came in: the
//! plain one, or the alternate request syntax (a `POST` with `?method=` and
//! the headers, parameters and content in a form body).

use std::collections::BTreeMap;

use poem::{Request, http::Method};

/// Headers the alternate syntax may carry in its form.
const FORM_HEADERS: [&str; 6] = [
    "authorization",
    "x-experience-api-version",
    "content-type",
    "content-length",
    "if-match",
    "if-none-match",
];

pub struct XRequest {
    pub method: Method,
    /// The resource below `/xapi/`: `statements`, `activities/state`…
    pub resource: String,
    pub params: BTreeMap<String, String>,
    /// Lower-case names.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl XRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type")
            .unwrap_or("application/octet-stream")
    }
}

fn pairs(s: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(s.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Reads the request; `Err` names what is malformed.
pub fn parse(req: &Request, body: Vec<u8>) -> Result<XRequest, String> {
    let resource = req
        .uri()
        .path()
        .trim_start_matches("/xapi")
        .trim_matches('/')
        .to_owned();
    let query = pairs(req.uri().query().unwrap_or(""));
    let mut headers: BTreeMap<String, String> = req
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_ascii_lowercase(), v.to_str().ok()?.to_owned())))
        .collect();
    let alternate = query
        .iter()
        .find(|(k, _)| k == "method")
        .map(|(_, v)| v.clone());
    let Some(method) = alternate else {
        let mut params = BTreeMap::new();
        for (k, v) in query {
            if params.insert(k.clone(), v).is_some() {
                return Err(format!("parameter `{k}` is given twice"));
            }
        }
        return Ok(XRequest {
            method: req.method().clone(),
            resource,
            params,
            headers,
            body,
        });
    };
    if req.method() != Method::POST {
        return Err("the alternate request syntax is a POST".into());
    }
    if query.len() != 1 {
        return Err("with the alternate request syntax, every parameter goes in the form".into());
    }
    let method: Method = match method.as_str() {
        "GET" | "PUT" | "POST" | "DELETE" | "HEAD" => method.parse().map_err(|_| "bad method")?,
        other => return Err(format!("method `{other}` is not an xAPI method")),
    };
    if !headers
        .get("content-type")
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
    {
        return Err("the alternate request syntax sends a form".into());
    }
    let form = String::from_utf8(body).map_err(|_| "the form is not UTF-8")?;
    let mut params = BTreeMap::new();
    let mut content = Vec::new();
    headers.remove("content-type");
    for (k, v) in pairs(&form) {
        let lower = k.to_ascii_lowercase();
        if FORM_HEADERS.contains(&lower.as_str()) {
            headers.insert(lower, v);
        } else if k == "content" {
            content = v.into_bytes();
        } else {
            params.insert(k, v);
        }
    }
    if !content.is_empty() && !headers.contains_key("content-type") {
        headers.insert("content-type".into(), "application/json".into());
    }
    Ok(XRequest {
        method,
        resource,
        params,
        headers,
        body: content,
    })
}
