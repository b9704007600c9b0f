//! Signed statements (xAPI 1.0.3, Data 2.6): the signature is a compact JWS
//! sent as an attachment of usage type `signature` and content type
//! `application/octet-stream`, signed with RS256, RS384 or RS512, whose
//! payload is the statement as it was before the signature was added.
//!
//! When the JWS header carries an X.509 certificate (`x5c`), the signature
//! is verified against that certificate's RSA key and a statement whose
//! signature does not verify is refused. The specification makes `x5c` a
//! SHOULD, so a JWS without it is checked for shape and payload only: there
//! is no key to verify it with. Whether the certificate is trusted is the
//! reader's judgement; the LRS keeps the JWS as the attachment.

use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;
use x509_cert::{Certificate, der::Decode};

use super::{XResult, bad};

const SIGNATURE: &str = "http://adlnet.gov/expapi/attachments/signature";
/// rsaEncryption (PKCS #1).
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";

/// Checks every signature attachment of `s`; `sent` finds a sent part by
/// its SHA-256 (hex), as its content type and content.
pub fn check<'a>(s: &Value, sent: impl Fn(&str) -> Option<(&'a str, &'a [u8])>) -> XResult<()> {
    for a in s
        .get("attachments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if a.get("usageType").and_then(Value::as_str) != Some(SIGNATURE) {
            continue;
        }
        let sha = a.get("sha2").and_then(Value::as_str).unwrap_or_default();
        let Some((content_type, content)) = sent(sha) else {
            return Err(bad("a signed statement's signature was not sent"));
        };
        let declared = a
            .get("contentType")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !declared.starts_with("application/octet-stream")
            || !content_type.starts_with("application/octet-stream")
        {
            return Err(bad("a signature is sent as application/octet-stream"));
        }
        let jws = std::str::from_utf8(content).map_err(|_| bad("the signature is not a JWS"))?;
        verify(s, jws.trim())?;
    }
    Ok(())
}

fn decode_json(piece: &str) -> Option<Value> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    serde_json::from_slice(&b64.decode(piece.trim_end_matches('=')).ok()?).ok()
}

/// One compact JWS against the statement it signs.
fn verify(s: &Value, jws: &str) -> XResult<()> {
    let pieces: Vec<&str> = jws.split('.').collect();
    let [header, payload, signature] = pieces[..] else {
        return Err(bad("the signature is not a JWS"));
    };
    let (Some(header_json), Some(payload_json)) = (decode_json(header), decode_json(payload))
    else {
        return Err(bad("the signature is not a JWS"));
    };
    let alg = match header_json.get("alg").and_then(Value::as_str) {
        Some("RS256") => Algorithm::RS256,
        Some("RS384") => Algorithm::RS384,
        Some("RS512") => Algorithm::RS512,
        _ => return Err(bad("a signature uses RS256, RS384 or RS512")),
    };
    if !same_statement(&payload_json, s) {
        return Err(bad("the signature's payload is not this statement"));
    }
    let Some(chain) = header_json.get("x5c") else {
        return Ok(());
    };
    let key = certificate_key(chain)?;
    let message = format!("{header}.{payload}");
    match jsonwebtoken::crypto::verify(signature, message.as_bytes(), &key, alg) {
        Ok(true) => Ok(()),
        _ => Err(bad(
            "the signature does not verify with the certificate of its x5c header",
        )),
    }
}

/// The RSA key of the first certificate of an `x5c` header (standard
/// base64 of DER, RFC 7515 §4.1.6).
fn certificate_key(chain: &Value) -> XResult<DecodingKey> {
    let first = chain
        .as_array()
        .and_then(|c| c.first())
        .and_then(Value::as_str)
        .ok_or_else(|| bad("the signature's x5c header is not a list of certificates"))?;
    let der = base64::engine::general_purpose::STANDARD
        .decode(first)
        .map_err(|_| bad("the signature's x5c certificate is not base64"))?;
    let cert = Certificate::from_der(&der)
        .map_err(|_| bad("the signature's x5c certificate is not an X.509 certificate"))?;
    let spki = &cert.tbs_certificate.subject_public_key_info;
    if spki.algorithm.oid.to_string() != RSA_ENCRYPTION {
        return Err(bad(
            "the signature's x5c certificate does not hold an RSA key",
        ));
    }
    let pkcs1 = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| bad("the signature's x5c certificate has no key"))?;
    Ok(DecodingKey::from_rsa_der(pkcs1))
}

/// The JWS payload and the received statement are the same statement, but
/// for what the LRS may add or set (Data 2.6: `id` when the payload has
/// none, `authority`, `stored`, `timestamp` when the payload has none,
/// `version`) and the attachments, which hold the signature itself.
fn same_statement(payload: &Value, received: &Value) -> bool {
    let (Some(p), Some(r)) = (payload.as_object(), received.as_object()) else {
        return false;
    };
    let strip = |o: &serde_json::Map<String, Value>| {
        let mut o = o.clone();
        for k in ["authority", "stored", "version", "attachments"] {
            o.remove(k);
        }
        for k in ["id", "timestamp"] {
            if !p.contains_key(k) {
                o.remove(k);
            }
        }
        o
    };
    strip(p) == strip(r)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::same_statement;

    #[test]
    fn what_the_lrs_adds_is_not_a_difference_but_anything_else_is() {
        let signed = json!({"actor": {"mbox": "mailto:a@example.org"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "object": {"id": "http://example.org/a"}});
        let mut received = signed.clone();
        received["id"] = json!("6f1d3d83-3f34-4c4f-8a2f-1f5f1cbd2a4d");
        received["stored"] = json!("2026-12-05T00:00:00.000Z");
        received["timestamp"] = json!("2026-12-05T00:00:00.000Z");
        received["attachments"] = json!([{"usageType": "x"}]);
        assert!(same_statement(&signed, &received));
        received["result"] = json!({"success": true});
        assert!(!same_statement(&signed, &received));
        let mut other_object = signed.clone();
        other_object["object"]["id"] = json!("http://example.org/b");
        assert!(!same_statement(&signed, &other_object));
    }
}
