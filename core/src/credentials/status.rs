//! The revocation status list (Bitstring Status List v1.0): one bit per
//! credential, set when its certificate is revoked, gzip-compressed and
//! written in base64url multibase (`u...`).

use std::io::Write;

use base64::Engine;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{canon::VC_V2, proof::timestamp};

/// 16 KiB of bits: the minimum size the standard asks for, so that the list
/// says nothing about how many credentials exist. Also the capacity of list 1.
pub const LIST_BITS: u32 = 131_072;

/// How long verifiers may cache the list: a revocation shows within this.
pub const MAX_AGE_SECONDS: u32 = 300;

/// The list id used in every credential; one list holds `LIST_BITS` credentials.
pub const LIST_ID: &str = "1";

pub fn encode(revoked: &[u32]) -> String {
    let mut bits = vec![0u8; (LIST_BITS / 8) as usize];
    for &i in revoked.iter().filter(|&&i| i < LIST_BITS) {
        // Index 0 is the left-most bit of the first byte.
        bits[(i / 8) as usize] |= 0x80 >> (i % 8);
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bits).expect("writing to memory");
    let zipped = gz.finish().expect("writing to memory");
    format!(
        "u{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(zipped)
    )
}

/// Whether bit `index` is set in an encoded list; `None` if it does not decode.
pub fn is_set(encoded: &str, index: u32) -> Option<bool> {
    use std::io::Read;
    let zipped = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded.strip_prefix('u')?)
        .ok()?;
    let mut bits = Vec::new();
    flate2::read::GzDecoder::new(zipped.as_slice())
        .read_to_end(&mut bits)
        .ok()?;
    let byte = bits.get((index / 8) as usize)?;
    Some(byte & (0x80 >> (index % 8)) != 0)
}

/// The unsigned status list credential.
pub fn credential(url: &str, issuer_did: &str, revoked: &[u32], now: OffsetDateTime) -> Value {
    json!({
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": timestamp(now),
        "credentialSubject": {
            "id": format!("{url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "ttl": MAX_AGE_SECONDS * 1000,
            "encodedList": encode(revoked),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_round_trip_from_the_left() {
        let list = encode(&[0, 9, 131_071]);
        for (i, set) in [
            (0, true),
            (1, false),
            (8, false),
            (9, true),
            (131_071, true),
        ] {
            assert_eq!(is_set(&list, i), Some(set), "{i}");
        }
        assert_eq!(is_set(&list, LIST_BITS), None);
    }
}
