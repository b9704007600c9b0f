//! JSON-LD to RDF to RDFC-1.0 canonical N-Quads, with the contexts bundled
//! in the binary: nothing is ever fetched while signing or verifying.

use std::collections::HashMap;

use json_ld::{IriBuf, JsonLdProcessor, RemoteDocument, syntax::Parse};
use rdf_types::{Id, LiteralType, Quad, Term};

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
