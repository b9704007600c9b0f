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
