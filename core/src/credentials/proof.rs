//! Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite: the hash of
//! the canonical proof configuration, then of the canonical document, signed
//! with Ed25519 and written in base58btc (`z...`).

use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use super::{canon::canonical_nquads, keys::IssuerKey};
use crate::{Error, Result};

pub const CRYPTOSUITE: &str = "eddsa-rdfc-2022";

/// RFC 3339 in UTC to the second, as the VC Data Model writes times.
pub fn timestamp(t: OffsetDateTime) -> String {
    let t = t
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

async fn hash_data(document: &Value, proof_config: &Value) -> Result<Vec<u8>> {
    let mut out = Sha256::digest(canonical_nquads(proof_config).await?.as_bytes()).to_vec();
    out.extend_from_slice(&Sha256::digest(
        canonical_nquads(document).await?.as_bytes(),
    ));
    Ok(out)
}

/// Adds a proof to `document` (which must have no proof yet).
pub async fn sign(
    mut document: Value,
    key: &IssuerKey,
    verification_method: &str,
    created: OffsetDateTime,
) -> Result<Value> {
    let mut config = json!({
        "@context": document["@context"].clone(),
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": timestamp(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    });
    let signature = key.sign(&hash_data(&document, &config).await?);
    let map = config.as_object_mut().expect("an object");
    map.remove("@context");
    map.insert(
        "proofValue".into(),
        Value::String(format!("z{}", bs58::encode(signature).into_string())),
    );
    document
        .as_object_mut()
        .ok_or_else(|| Error::Internal("a credential is a JSON object".into()))?
        .insert("proof".into(), config);
    Ok(document)
}

/// What the proof of a document says, before its signature is checked.
#[derive(Debug)]
pub struct ProofClaim {
    pub verification_method: String,
    unsigned: Value,
    config: Value,
    signature: Signature,
}

/// Reads the one proof of a document; `Err(reason)` when it is not an
/// `eddsa-rdfc-2022` assertion proof.
pub fn claim(document: &Value) -> std::result::Result<ProofClaim, String> {
    let mut unsigned = document.clone();
    let proof = unsigned
        .as_object_mut()
        .and_then(|m| m.remove("proof"))
        .ok_or("the credential has no proof")?;
    let mut config = match proof {
        Value::Object(m) => m,
        _ => return Err("the credential has not exactly one proof".into()),
    };
    let field = |name: &str| config.get(name).and_then(Value::as_str).map(str::to_owned);
    if field("type").as_deref() != Some("DataIntegrityProof")
        || field("cryptosuite").as_deref() != Some(CRYPTOSUITE)
    {
        return Err("the proof is not an eddsa-rdfc-2022 Data Integrity proof".into());
    }
    if field("proofPurpose").as_deref() != Some("assertionMethod") {
        return Err("the proof's purpose is not assertionMethod".into());
    }
    let verification_method = field("verificationMethod").ok_or("the proof names no key")?;
    let value = field("proofValue").ok_or("the proof has no value")?;
    let bytes = value
        .strip_prefix('z')
        .and_then(|v| bs58::decode(v).into_vec().ok())
        .ok_or("the proof value is not base58btc")?;
    let signature =
        Signature::from_slice(&bytes).map_err(|_| "the proof value is not an Ed25519 signature")?;
    config.remove("proofValue");
    config.insert("@context".into(), unsigned["@context"].clone());
    Ok(ProofClaim {
        verification_method,
        unsigned,
        config: Value::Object(config),
        signature,
    })
}

impl ProofClaim {
    /// Whether `key` signed exactly this document.
    pub async fn verify(&self, key: &VerifyingKey) -> Result<bool> {
        let data = hash_data(&self.unsigned, &self.config).await?;
        Ok(key.verify_strict(&data, &self.signature).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Value {
        json!({
            "@context": [super::super::canon::VC_V2, super::super::canon::OB_V3],
            "id": "urn:uuid:6b1c1e8e-6f1e-4c59-9d86-1b7d2f0f4a10",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": { "id": "did:key:z6MkExample", "type": ["Profile"], "name": "Agora" },
            "validFrom": "2026-12-03T10:00:00Z",
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "achievement": {
                    "id": "https://agora.example/courses/x",
                    "type": ["Achievement"],
                    "name": "Localiser les ODD",
                    "description": "Cours é",
                    "criteria": { "narrative": "Tout terminé." }
                }
            }
        })
    }

    #[tokio::test]
    async fn a_signed_document_verifies_and_any_change_breaks_it() {
        let key = IssuerKey::unrelated();
        let public = super::super::keys::parse_public_multibase(&key.public_multibase()).unwrap();
        let signed = sign(
            sample(),
            &key,
            "did:key:z6MkExample#z6MkExample",
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
        let proof = &signed["proof"];
        assert_eq!(proof["cryptosuite"], CRYPTOSUITE);
        assert!(proof["proofValue"].as_str().unwrap().starts_with('z'));
        assert!(claim(&signed).unwrap().verify(&public).await.unwrap());

        let mut changed = signed.clone();
        changed["credentialSubject"]["achievement"]["name"] = json!("Autre chose");
        assert!(!claim(&changed).unwrap().verify(&public).await.unwrap());
        let mut changed = signed.clone();
        changed["proof"]["created"] = json!("2020-01-01T00:00:00Z");
        assert!(!claim(&changed).unwrap().verify(&public).await.unwrap());
        // Key order and whitespace are not the document: they change nothing.
        let reordered: Value =
            serde_json::from_str(&serde_json::to_string_pretty(&signed).unwrap()).unwrap();
        assert!(claim(&reordered).unwrap().verify(&public).await.unwrap());
        let other =
            super::super::keys::parse_public_multibase(&IssuerKey::unrelated().public_multibase())
                .unwrap();
        assert!(!claim(&signed).unwrap().verify(&other).await.unwrap());
    }

    #[test]
    fn proofs_of_other_kinds_are_refused_with_a_reason() {
        assert!(claim(&sample()).unwrap_err().contains("no proof"));
        let mut doc = sample();
        doc["proof"] = json!({ "type": "Ed25519Signature2020", "proofValue": "z1" });
        assert!(claim(&doc).unwrap_err().contains("eddsa-rdfc-2022"));
    }

    #[tokio::test]
    async fn a_context_that_is_not_bundled_is_never_fetched() {
        let mut doc = sample();
        doc["@context"] = json!(["https://example.org/unknown-context"]);
        assert!(super::super::canon::canonical_nquads(&doc).await.is_err());
    }
}
