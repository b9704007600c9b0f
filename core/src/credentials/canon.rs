//! JSON-LD to RDF to RDFC-1.0 canonical N-Quads, with the contexts bundled
//! in the binary: nothing is ever fetched while signing or verifying.

use std::collections::{HashMap, HashSet};

use json_ld::{IriBuf, JsonLdProcessor, RemoteDocument, syntax::Parse};
use rdf_types::{Id, LiteralType, Quad, Term};
use serde_json::Value;

use crate::{Error, Result};

pub const VC_V2: &str = "https://www.w3.org/ns/credentials/v2";
pub const OB_V3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

const BUNDLED: [(&str, &str); 2] = [
    (VC_V2, include_str!("contexts/credentials-v2.json")),
    (OB_V3, include_str!("contexts/ob-v3p0-context-3.0.3.json")),
];

fn loader() -> HashMap<IriBuf, RemoteDocument> {
    BUNDLED
        .iter()
        .map(|(iri, text)| {
            let iri = IriBuf::new((*iri).to_owned()).expect("a bundled context IRI is an IRI");
            let value = json_ld::syntax::Value::parse_str(text)
                .expect("a bundled context is JSON")
                .0;
            let doc = RemoteDocument::new(
                Some(iri.clone()),
                Some("application/ld+json".parse().expect("a media type")),
                value,
            );
            (iri, doc)
        })
        .collect()
}

/// Why a document cannot be canonicalised: it names a context we do not
/// bundle, or it is not valid JSON-LD.
pub fn unreadable(reason: impl std::fmt::Display) -> Error {
    Error::invalid(
        "credential",
        format!("not a readable JSON-LD document: {reason}"),
    )
}

/// The terms the bundled contexts define (their own and their scoped
/// contexts'), and those whose values are opaque JSON (`@type: @json`).
fn bundled_terms() -> (HashSet<String>, HashSet<String>) {
    fn walk(v: &Value, terms: &mut HashSet<String>, json: &mut HashSet<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    if k == "@context"
                        && let Value::Object(ctx) = v
                    {
                        for (term, def) in ctx {
                            if !term.starts_with('@') {
                                terms.insert(term.clone());
                                if def["@type"] == "@json" {
                                    json.insert(term.clone());
                                }
                            }
                        }
                    }
                    walk(v, terms, json);
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, terms, json)),
            _ => {}
        }
    }
    let (mut terms, mut json) = (HashSet::new(), HashSet::new());
    for (_, text) in BUNDLED {
        let v: Value = serde_json::from_str(text).expect("a bundled context is JSON");
        walk(&v, &mut terms, &mut json);
    }
    (terms, json)
}

/// JSON-LD "safe mode": the properties of a document that no bundled
/// context defines, which expansion would silently drop (and so the proof
/// would not cover), sorted. Absolute and compact IRIs are defined by
/// themselves.
pub fn undefined_terms(doc: &Value) -> Vec<String> {
    fn walk(v: &Value, t: &(HashSet<String>, HashSet<String>), out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    if k == "@context" || k.starts_with('@') && k != "@graph" && k != "@included" {
                        continue;
                    }
                    if !k.starts_with('@') && !k.contains(':') && !t.0.contains(k) {
                        if !out.contains(k) {
                            out.push(k.clone());
                        }
                        continue;
                    }
                    if !t.1.contains(k) {
                        walk(v, t, out);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, t, out)),
            _ => {}
        }
    }
    let terms = bundled_terms();
    let mut out = Vec::new();
    walk(doc, &terms, &mut out);
    out.sort();
    out
}

/// The canonical N-Quads of a JSON-LD document.
pub async fn canonical_nquads(doc: &serde_json::Value) -> Result<String> {
    let text = serde_json::to_string(doc).map_err(unreadable)?;
    let value = json_ld::syntax::Value::parse_str(&text)
        .map_err(unreadable)?
        .0;
    let input = RemoteDocument::new(None, None, value);
    let loader = loader();
    let mut generator = rdf_types::generator::Blank::new();
    let mut rdf = input
        .to_rdf(&mut generator, &loader)
        .await
        .map_err(unreadable)?;
    let quads: Vec<oxrdf::Quad> = rdf.cloned_quads().filter_map(to_oxrdf).collect();
    rdf_canon::canonicalize_quads(&quads).map_err(unreadable)
}

fn node(id: Id) -> oxrdf::Subject {
    match id {
        Id::Iri(i) => oxrdf::NamedNode::new_unchecked(i.into_string()).into(),
        Id::Blank(b) => oxrdf::BlankNode::new_unchecked(b.suffix().to_owned()).into(),
    }
}

/// One quad in oxrdf's terms; `None` for generalised RDF (a blank
/// predicate), which RDF datasets cannot hold and the standard drops.
fn to_oxrdf(q: Quad<Id, Id, Term, Id>) -> Option<oxrdf::Quad> {
    let Quad(s, p, o, g) = q;
    let Id::Iri(p) = p else { return None };
    let object: oxrdf::Term = match o {
        Term::Id(id) => match node(id) {
            oxrdf::Subject::NamedNode(n) => n.into(),
            oxrdf::Subject::BlankNode(b) => b.into(),
        },
        Term::Literal(l) => match l.type_ {
            LiteralType::Any(t) => oxrdf::Literal::new_typed_literal(
                l.value,
                oxrdf::NamedNode::new_unchecked(t.into_string()),
            )
            .into(),
            LiteralType::LangString(tag) => oxrdf::Literal::new_language_tagged_literal_unchecked(
                l.value,
                tag.to_string().to_lowercase(),
            )
            .into(),
        },
    };
    let graph = match g {
        None => oxrdf::GraphName::DefaultGraph,
        Some(id) => match node(id) {
            oxrdf::Subject::NamedNode(n) => n.into(),
            oxrdf::Subject::BlankNode(b) => b.into(),
        },
    };
    Some(oxrdf::Quad::new(
        node(s),
        oxrdf::NamedNode::new_unchecked(p.into_string()),
        object,
        graph,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn credential() -> Value {
        json!({
            "@context": [VC_V2, OB_V3],
            "id": "urn:uuid:2d1f8f4e-1b7a-4f4e-9d43-6f0e1a2b3c4d",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "did:web:agora.example", "type": ["Profile"], "name": "Agora", "url": "https://agora.example"},
            "validFrom": "2026-01-01T00:00:00Z",
            "name": "Course",
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "identifier": [{"type": "IdentityObject", "identityHash": "sha256$00", "identityType": "emailAddress", "hashed": true, "salt": "s"}],
                "achievement": {"id": "https://agora.example/courses/c", "type": ["Achievement"], "name": "Course", "description": "D", "criteria": {"narrative": "Done"}}
            },
            "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": "2026-01-01T00:00:00Z", "verificationMethod": "did:web:agora.example#k", "proofPurpose": "assertionMethod", "proofValue": "z1"}
        })
    }

    #[test]
    fn safe_mode_names_terms_no_bundled_context_defines() {
        assert_eq!(undefined_terms(&credential()), Vec::<String>::new());
        let mut vc = credential();
        vc["credentialSubject"]["favouriteColour"] = json!("green");
        vc["credentialSubject"]["https://example.org/ns#colour"] = json!("blue");
        vc["credentialSubject"]["achievement"]["shoeSize"] = json!(42);
        assert_eq!(undefined_terms(&vc), vec!["favouriteColour", "shoeSize"]);
    }
}
