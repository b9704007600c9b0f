//! Attachments sent with statements in `multipart/mixed`: each part is
//! named by the SHA-256 of its content, checked, and kept once per hash.

use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::OnConflict};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{Lrs, XResult, bad};
use crate::entities::xapi_attachment;

/// One part after the statements.
pub struct Part {
    pub content_type: String,
    /// `X-Experience-API-Hash`.
    pub sha2: String,
    pub content: Vec<u8>,
}

/// A stored attachment.
pub struct Attachment {
    pub sha2: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

fn declared(statements: &[Value]) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut inline, mut all) = (BTreeSet::new(), BTreeSet::new());
    let mut each = |list: Option<&Value>| {
        for a in list.and_then(Value::as_array).into_iter().flatten() {
            if let Some(h) = a.get("sha2").and_then(Value::as_str) {
                all.insert(h.to_owned());
                if a.get("fileUrl").is_none() {
                    inline.insert(h.to_owned());
                }
            }
        }
    };
    for s in statements {
        each(s.get("attachments"));
        if s["object"]["objectType"].as_str() == Some("SubStatement") {
            each(s["object"].get("attachments"));
        }
    }
    (inline, all)
}

impl Lrs {
    /// Checks the parts against the statements' attachments and keeps
    /// them: each part's hash must be its content's and must be declared;
    /// each declared attachment without `fileUrl` must be sent.
    pub async fn check_and_store_attachments(
        &self,
        statements: &[Value],
        parts: Vec<Part>,
    ) -> XResult<()> {
        let (inline, all) = declared(statements);
        let mut sent = BTreeSet::new();
        for p in &parts {
            let actual = hex::encode(Sha256::digest(&p.content));
            if !actual.eq_ignore_ascii_case(&p.sha2) {
                return Err(bad(
                    "an attachment's X-Experience-API-Hash is not its SHA-256",
                ));
            }
            if !all.contains(&p.sha2) {
                return Err(bad("an attachment part matches no statement's attachment"));
            }
            sent.insert(p.sha2.clone());
        }
        if let Some(missing) = inline.iter().find(|h| !sent.contains(*h)) {
            return Err(bad(format!("the attachment {missing} was not sent")));
        }
        for s in statements {
            super::signature::check(s, |sha| {
                parts
                    .iter()
                    .find(|p| p.sha2.eq_ignore_ascii_case(sha))
                    .map(|p| (p.content_type.as_str(), p.content.as_slice()))
            })?;
        }
        for p in parts {
            xapi_attachment::Entity::insert(xapi_attachment::ActiveModel {
                sha2: Set(p.sha2),
                content_type: Set(p.content_type),
                content: Set(p.content),
            })
            .on_conflict(
                OnConflict::column(xapi_attachment::Column::Sha2)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        }
        Ok(())
    }

    /// The stored attachments of these statements.
    pub async fn attachments_of(&self, statements: &[Value]) -> XResult<Vec<Attachment>> {
        let (_, all) = declared(statements);
        if all.is_empty() {
            return Ok(Vec::new());
        }
        Ok(xapi_attachment::Entity::find()
            .filter(xapi_attachment::Column::Sha2.is_in(all))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|a| Attachment {
                sha2: a.sha2,
                content_type: a.content_type,
                content: a.content,
            })
            .collect())
    }
}
