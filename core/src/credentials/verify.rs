//! Agora's own check of a credential: its proof against a key Agora can
//! know without the network, its dates, and its revocation bit.

use serde_json::Value;
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use super::{Credentials, canon, did, keys, proof};
use crate::{Result, entities::credential};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// What a credential turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    /// Signed by Agora, and its certificate was revoked since.
    Revoked,
    /// Not to be trusted; the reason says why, for a person (in English),
    /// and the flaw what kind of reason it is (for a page in any language).
    Invalid {
        reason: String,
        flaw: Flaw,
    },
}

/// The kinds of reason a credential is not to be trusted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Flaw {
    /// Not a credential Agora can read: not an object, no single proper
    /// proof, dates or a status entry it cannot read.
    Malformed,
    /// Properties no JSON-LD context defines (safe mode), which the
    /// signature would not cover.
    UndefinedTerms(Vec<String>),
    /// Signed by a key that is not Agora's, or not the issuer's.
    ForeignKey,
    /// The signature does not match: changed after it was signed.
    Tampered,
    NotYetValid,
    Expired,
}

fn invalid(flaw: Flaw, reason: impl Into<String>) -> Verdict {
    Verdict::Invalid {
        reason: reason.into(),
        flaw,
    }
}

fn date(doc: &Value, field: &str) -> std::result::Result<Option<OffsetDateTime>, String> {
    match doc.get(field) {
        None => Ok(None),
        Some(Value::String(s)) => OffsetDateTime::parse(s, &Rfc3339)
            .map(Some)
            .map_err(|_| format!("{field} is not a date and time")),
        Some(_) => Err(format!("{field} is not a date and time")),
    }
}

pub(super) async fn verdict(c: &Credentials, doc: &Value) -> Result<Verdict> {
    if !doc.is_object() {
        return Ok(invalid(Flaw::Malformed, "a credential is a JSON object"));
    }
    // Safe mode: a property the contexts do not define is dropped by
    // expansion, so the signature would not cover it.
    let undefined = canon::undefined_terms(doc);
    if !undefined.is_empty() {
        let reason = format!(
            "it uses terms no JSON-LD context defines, which the signature does not cover: {}",
            undefined.join(", ")
        );
        return Ok(invalid(Flaw::UndefinedTerms(undefined), reason));
    }
    let claim = match proof::claim(doc) {
        Ok(claim) => claim,
        Err(reason) => return Ok(invalid(Flaw::Malformed, reason)),
    };
    let keys = keys::all(&c.db).await?;
    let Some((signer, key)) = did::resolve(&claim.verification_method, &c.public_url, &keys) else {
        return Ok(invalid(
            Flaw::ForeignKey,
            "the proof names a key that is not Agora's",
        ));
    };
    let issuer = match &doc["issuer"] {
        Value::String(s) => s.as_str(),
        v => v["id"].as_str().unwrap_or_default(),
    };
    if issuer != signer {
        return Ok(invalid(
            Flaw::ForeignKey,
            "the key that signed is not the issuer's",
        ));
    }
    // A did:key is anyone's: only keys Agora holds or held count as Agora's.
    let public = keys::public_multibase(&key);
    if !keys.iter().any(|k| k.public_key_multibase == public) {
        return Ok(invalid(
            Flaw::ForeignKey,
            "the proof names a key that is not Agora's",
        ));
    }
    match claim.verify(&key).await {
        Ok(true) => {}
        Ok(false) => {
            return Ok(invalid(
                Flaw::Tampered,
                "the signature does not match: the credential was changed after it was signed",
            ));
        }
        Err(e) => return Ok(invalid(Flaw::Malformed, e.to_string())),
    }
    let now = OffsetDateTime::now_utc();
    match (date(doc, "validFrom"), date(doc, "validUntil")) {
        (Err(reason), _) | (_, Err(reason)) => return Ok(invalid(Flaw::Malformed, reason)),
        (Ok(Some(from)), _) if from > now => {
            return Ok(invalid(
                Flaw::NotYetValid,
                "the credential is not valid yet",
            ));
        }
        (_, Ok(Some(until))) if until < now => {
            return Ok(invalid(Flaw::Expired, "the credential has expired"));
        }
        _ => {}
    }
    let status = &doc["credentialStatus"];
    if status["statusListCredential"].as_str() == Some(c.status_list_url().as_str()) {
        let index: Option<i32> = status["statusListIndex"]
            .as_str()
            .and_then(|i| i.parse().ok());
        let Some(index) = index else {
            return Ok(invalid(Flaw::Malformed, "the status entry has no index"));
        };
        let row = credential::Entity::find()
            .filter(credential::Column::StatusIndex.eq(index))
            .one(&c.db)
            .await?;
        if let Some(row) = row {
            let revoked = crate::entities::certificate::Entity::find_by_id(row.certificate_id)
                .one(&c.db)
                .await?
                .is_none_or(|cert| cert.revoked_at.is_some());
            if revoked {
                return Ok(Verdict::Revoked);
            }
        }
    }
    Ok(Verdict::Valid)
}
