//! What an Open Badges 3.0 credential says about one certificate: the
//! achievement (the course, in the learner's locale, with its SDG and Sendai
//! alignments), the learner (a salted hash of the email, and the name as
//! printed on the certificate), the issuer and the status entry.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{
    canon::{OB_V3, VC_V2},
    proof::timestamp,
};
use crate::{domain::Locale, mail::templates::format_hours};

/// Everything the credential states, gathered by the service.
pub struct BadgeFacts<'a> {
    pub credential_id: String,
    pub issuer_did: &'a str,
    pub issuer_name: &'a str,
    pub issuer_url: &'a str,
    pub achievement_id: String,
    pub course_title: &'a str,
    pub course_summary: &'a str,
    pub locale: Locale,
    pub duration_minutes: u32,
    pub themes: &'a [String],
    pub image_url: String,
    pub holder_name: &'a str,
    pub holder_email: &'a str,
    /// Random, per credential: the hash cannot be matched across credentials.
    pub salt: &'a str,
    pub valid_from: OffsetDateTime,
    pub valid_until: Option<OffsetDateTime>,
    pub status_list_url: &'a str,
    pub status_index: u32,
}

/// `sha256$<hex>` of the value followed by the salt, as Open Badges hashes identities.
pub fn identity_hash(value: &str, salt: &str) -> String {
    format!(
        "sha256${}",
        hex::encode(Sha256::digest(format!("{value}{salt}").as_bytes()))
    )
}

fn criteria(locale: Locale, minutes: u32) -> String {
    let hours = format_hours(locale, minutes);
    match locale {
        Locale::En => {
            format!("Completed every lesson and quiz of this self-paced course ({hours} of study).")
        }
        Locale::Fr => format!(
            "A terminé chaque leçon et chaque quiz de ce cours en autonomie ({hours} d’étude)."
        ),
        Locale::Es => format!(
            "Completó todas las lecciones y cuestionarios de este curso autoguiado ({hours} de estudio)."
        ),
    }
}

/// An alignment for `sdg:11` or `sendai:2`; free tags align to nothing.
fn alignment(theme: &str) -> Option<Value> {
    let (kind, n) = theme.split_once(':')?;
    let n: u8 = n.parse().ok()?;
    let (name, url, framework, code) = match kind {
        "sdg" => (
            format!("Sustainable Development Goal {n}"),
            format!("https://sdgs.un.org/goals/goal{n}"),
            "UN Sustainable Development Goals",
            format!("SDG{n}"),
        ),
        "sendai" => (
            format!("Sendai Framework Priority for Action {n}"),
            "https://www.undrr.org/implementing-sendai-framework/what-sendai-framework".into(),
            "Sendai Framework for Disaster Risk Reduction 2015-2030",
            format!("Sendai-Priority-{n}"),
        ),
        _ => return None,
    };
    Some(json!({
        "type": ["Alignment"],
        "targetName": name,
        "targetUrl": url,
        "targetFramework": framework,
        "targetCode": code,
    }))
}

/// The credential, unsigned.
pub fn credential(f: &BadgeFacts<'_>) -> Value {
    let alignments: Vec<Value> = f.themes.iter().filter_map(|t| alignment(t)).collect();
    let mut achievement = json!({
        "id": f.achievement_id,
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": f.course_title,
        "description": if f.course_summary.trim().is_empty() { f.course_title } else { f.course_summary },
        "criteria": { "narrative": criteria(f.locale, f.duration_minutes) },
        "image": { "id": f.image_url, "type": "Image" },
        "inLanguage": f.locale.as_str(),
    });
    if !alignments.is_empty() {
        achievement["alignment"] = Value::Array(alignments);
    }
    let mut vc = json!({
        "@context": [VC_V2, OB_V3],
        "id": f.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f.course_title,
        "issuer": {
            "id": f.issuer_did,
            "type": ["Profile"],
            "name": f.issuer_name,
            "url": f.issuer_url,
        },
        "validFrom": timestamp(f.valid_from),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": true,
                    "identityHash": identity_hash(&f.holder_email.to_lowercase(), f.salt),
                    "salt": f.salt,
                },
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": false,
                    "identityHash": f.holder_name,
                },
            ],
            "achievement": achievement,
        },
        "credentialStatus": {
            "id": format!("{}#{}", f.status_list_url, f.status_index),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": f.status_index.to_string(),
            "statusListCredential": f.status_list_url,
        },
    });
    if let Some(until) = f.valid_until {
        vc["validUntil"] = Value::String(timestamp(until));
    }
    vc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn themes_align_to_their_frameworks_and_tags_to_nothing() {
        assert_eq!(alignment("sdg:11").unwrap()["targetCode"], "SDG11");
        assert_eq!(
            alignment("sendai:2").unwrap()["targetCode"],
            "Sendai-Priority-2"
        );
        assert!(alignment("tag:climate").is_none());
    }

    #[test]
    fn identity_hashes_are_salted() {
        let a = identity_hash("a@example.org", "s1");
        assert!(a.starts_with("sha256$"));
        assert_ne!(a, identity_hash("a@example.org", "s2"));
    }
}
