//! `multipart/mixed` in and out: statements first, then one part per
//! attachment, named by `X-Experience-API-Hash`.

use agora_core::xapi::{Lrs, XapiError, attachments::Part};
use poem::Response;
use serde_json::Value;

/// A part's headers, names in lower case.
type Headers = Vec<(String, String)>;

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| &hay[i..i + needle.len()] == needle)
}

fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// The statements' JSON and the attachment parts of a multipart body.
pub(super) fn split(content_type: &str, body: &[u8]) -> Result<(Vec<u8>, Vec<Part>), String> {
    let b = boundary(content_type).ok_or("multipart/mixed needs a boundary")?;
    let delim = format!("--{b}");
    let mut pos = find(body, delim.as_bytes(), 0).ok_or("no part in the body")? + delim.len();
    let mut parts: Vec<(Headers, Vec<u8>)> = Vec::new();
    loop {
        if body[pos..].starts_with(b"--") {
            break;
        }
        let start = pos
            + if body[pos..].starts_with(b"\r\n") {
                2
            } else {
                0
            };
        let head_end = find(body, b"\r\n\r\n", start).ok_or("a part has no headers")?;
        let headers = String::from_utf8_lossy(&body[start..head_end])
            .split("\r\n")
            .filter_map(|l| {
                let (k, v) = l.split_once(':')?;
                Some((k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            })
            .collect();
        let next = find(body, format!("\r\n{delim}").as_bytes(), head_end + 4)
            .ok_or("a part is not closed")?;
        parts.push((headers, body[head_end + 4..next].to_vec()));
        pos = next + 2 + delim.len();
        if pos >= body.len() {
            return Err("the body ends without its closing boundary".into());
        }
    }
    let mut iter = parts.into_iter();
    let (first_headers, json) = iter.next().ok_or("no statements part")?;
    let header =
        |h: &[(String, String)], k: &str| h.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    if !header(&first_headers, "content-type").is_some_and(|c| c.starts_with("application/json")) {
        return Err("the first part must be the statements, in application/json".into());
    }
    let mut out = Vec::new();
    for (h, content) in iter {
        let sha2 =
            header(&h, "x-experience-api-hash").ok_or("a part has no X-Experience-API-Hash")?;
        if !header(&h, "content-transfer-encoding")
            .is_some_and(|e| e.eq_ignore_ascii_case("binary"))
        {
            return Err("attachment parts need Content-Transfer-Encoding: binary".into());
        }
        out.push(Part {
            content_type: header(&h, "content-type")
                .unwrap_or_else(|| "application/octet-stream".into()),
            sha2,
            content,
        });
    }
    Ok((json, out))
}

/// Checks and keeps the attachments of statements being stored.
pub(super) async fn check_and_store(
    lrs: &Lrs,
    statements: &[Value],
    parts: Vec<Part>,
) -> Result<(), XapiError> {
    lrs.check_and_store_attachments(statements, parts).await
}

/// A `GET` answer with `attachments=true`.
pub(super) async fn multipart(lrs: &Lrs, body: &Value) -> Result<Response, XapiError> {
    let list: Vec<Value> = match body.get("statements") {
        Some(Value::Array(l)) => l.clone(),
        _ => vec![body.clone()],
    };
    let found = lrs.attachments_of(&list).await?;
    let boundary = format!("xapi-{}", uuid::Uuid::new_v4().simple());
    let mut out = Vec::new();
    out.extend_from_slice(
        format!("--{boundary}\r\nContent-Type: application/json\r\n\r\n{body}\r\n").as_bytes(),
    );
    for a in found {
        out.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Type: {}\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {}\r\n\r\n",
                a.content_type, a.sha2
            )
            .as_bytes(),
        );
        out.extend_from_slice(&a.content);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Ok(Response::builder()
        .content_type(format!("multipart/mixed; boundary={boundary}"))
        .body(out))
}
