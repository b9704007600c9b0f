//! Who signs: a `did:web` of the public address when it is https (its
//! document lists every key, retired ones included), else a `did:key` of the
//! active key, which needs no document at all.

use ed25519_dalek::VerifyingKey;
use serde_json::{Value, json};
use url::Url;

use super::keys::{parse_public_multibase, public_multibase};
use crate::entities::credential_key;

/// The `did:web` of an https address (`did:web:example.org%3A8443:agora`),
/// or `None` for any other scheme.
pub fn did_web(public_url: &Url) -> Option<String> {
    if public_url.scheme() != "https" {
        return None;
    }
    let mut did = format!("did:web:{}", public_url.host_str()?);
    if let Some(port) = public_url.port() {
        did.push_str(&format!("%3A{port}"));
    }
    for segment in public_url.path().split('/').filter(|s| !s.is_empty()) {
        did.push(':');
        did.push_str(segment);
    }
    Some(did)
}

/// The issuer DID and the verification method that the key signs with.
pub fn signer_ids(public_url: &Url, name: &str, public: &str) -> (String, String) {
    match did_web(public_url) {
        Some(did) => (did.clone(), format!("{did}#{name}")),
        None => {
            let did = format!("did:key:{public}");
            (did.clone(), format!("{did}#{public}"))
        }
    }
}

/// The DID document at `/.well-known/did.json`, or `None` without https.
pub fn document(public_url: &Url, keys: &[credential_key::Model]) -> Option<Value> {
    let did = did_web(public_url)?;
    let methods: Vec<Value> = keys
        .iter()
        .map(|k| {
            json!({
                "id": format!("{did}#{}", k.name),
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": k.public_key_multibase,
            })
        })
        .collect();
    let ids: Vec<Value> = methods.iter().map(|m| m["id"].clone()).collect();
    Some(json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
    }))
}

/// The public key a verification method names, when Agora can know it
/// without the network: a `did:key`, or one of its own `did:web` keys.
pub fn resolve(
    verification_method: &str,
    public_url: &Url,
    keys: &[credential_key::Model],
) -> Option<(String, VerifyingKey)> {
    let (did, fragment) = verification_method.split_once('#')?;
    if let Some(public) = did.strip_prefix("did:key:") {
        if fragment != public {
            return None;
        }
        return parse_public_multibase(public).map(|k| (did.to_owned(), k));
    }
    if Some(did) == did_web(public_url).as_deref() {
        let k = keys.iter().find(|k| k.name == fragment)?;
        let key = parse_public_multibase(&k.public_key_multibase)?;
        debug_assert_eq!(public_multibase(&key), k.public_key_multibase);
        return Some((did.to_owned(), key));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_web_follows_the_public_address() {
        let url = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            did_web(&url("https://agora.example.org/")).as_deref(),
            Some("did:web:agora.example.org")
        );
        assert_eq!(
            did_web(&url("https://agora.example.org:8443/learn/")).as_deref(),
            Some("did:web:agora.example.org%3A8443:learn")
        );
        assert_eq!(did_web(&url("http://127.0.0.1:3000/")), None);
        let (did, vm) = signer_ids(&url("http://localhost/"), "key-1", "z6MkX");
        assert_eq!(
            (did.as_str(), vm.as_str()),
            ("did:key:z6MkX", "did:key:z6MkX#z6MkX")
        );
    }
}
