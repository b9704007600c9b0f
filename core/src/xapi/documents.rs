//! The document resources: state (per activity, agent and registration),
//! activity profiles and agent profiles. Each document has an `ETag`; a
//! write may be made conditional with `If-Match` / `If-None-Match`, and a
//! profile that exists is replaced only by a conditional write.

use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Lrs, XResult, XapiError, agent_key, bad, validate};
use crate::entities::xapi_document;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    State,
    ActivityProfile,
    AgentProfile,
}

impl DocKind {
    fn as_str(self) -> &'static str {
        match self {
            DocKind::State => "state",
            DocKind::ActivityProfile => "activity_profile",
            DocKind::AgentProfile => "agent_profile",
        }
    }
}

/// Which document(s) a request names, as the client sent the parameters.
#[derive(Clone, Debug)]
pub struct DocKey {
    pub kind: DocKind,
    pub activity_id: Option<String>,
    pub agent: Option<String>,
    pub registration: Option<String>,
    /// `stateId` or `profileId`; `None` lists or deletes them all.
    pub doc_id: Option<String>,
}

/// The key, checked and in the form the table stores.
struct Parsed {
    kind: &'static str,
    activity: String,
    agent: String,
    registration: String,
}

impl DocKey {
    fn parse(&self) -> XResult<Parsed> {
        let need_activity = self.kind != DocKind::AgentProfile;
        let need_agent = self.kind != DocKind::ActivityProfile;
        let activity = match (&self.activity_id, need_activity) {
            (Some(a), true) if validate::is_iri(a) => a.clone(),
            (Some(_), true) => return Err(bad("activityId must be an IRI")),
            (None, true) => return Err(bad("activityId is required")),
            (_, false) => String::new(),
        };
        let agent = match (&self.agent, need_agent) {
            (Some(a), true) => {
                let v: Value = serde_json::from_str(a).map_err(|_| bad("agent must be JSON"))?;
                validate::agent(&v, "agent")?;
                agent_key(&v).ok_or_else(|| bad("agent must have an identifier"))?
            }
            (None, true) => return Err(bad("agent is required")),
            (_, false) => String::new(),
        };
        let registration = match &self.registration {
            Some(r) if self.kind == DocKind::State => Uuid::parse_str(r)
                .map_err(|_| bad("registration must be a UUID"))?
                .to_string(),
            _ => String::new(),
        };
        Ok(Parsed {
            kind: self.kind.as_str(),
            activity,
            agent,
            registration,
        })
    }
}

/// A stored document.
#[derive(Clone, Debug)]
pub struct Document {
    pub content_type: String,
    pub content: Vec<u8>,
    pub etag: String,
    pub updated_ms: i64,
}

/// The conditions a write carries.
#[derive(Clone, Debug, Default)]
pub struct Preconditions {
    pub if_match: Option<String>,
    pub if_none_match: Option<String>,
}

/// The document's ETag: 160 bits of its SHA-256, in hex (the length of
/// the SHA-1 tags the conformance suite expects; ETags are opaque).
fn etag_of(content: &[u8]) -> String {
    format!("\"{}\"", &hex::encode(Sha256::digest(content))[..40])
}

fn tag_matches(header: &str, etag: &str) -> bool {
    header
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || t == etag)
}

fn cond(p: &Parsed) -> Condition {
    use xapi_document::Column as C;
    Condition::all()
        .add(C::Kind.eq(p.kind))
        .add(C::ActivityId.eq(p.activity.clone()))
        .add(C::AgentKey.eq(p.agent.clone()))
        .add(C::Registration.eq(p.registration.clone()))
}

fn is_json(content_type: &str) -> bool {
    content_type.starts_with("application/json")
}

impl Lrs {
    /// One document, or `None`.
    pub async fn document(&self, key: &DocKey) -> XResult<Option<Document>> {
        let p = key.parse()?;
        let id = key
            .doc_id
            .clone()
            .ok_or_else(|| bad("the document id is required"))?;
        Ok(xapi_document::Entity::find()
            .filter(cond(&p))
            .filter(xapi_document::Column::DocId.eq(id))
            .one(&self.db)
            .await?
            .map(|d| Document {
                content_type: d.content_type,
                content: d.content,
                etag: d.etag,
                updated_ms: d.updated,
            }))
    }

    /// The ids of the documents under a key, updated after `since` if given.
    pub async fn document_ids(&self, key: &DocKey, since: Option<&str>) -> XResult<Vec<String>> {
        let p = key.parse()?;
        let mut q = xapi_document::Entity::find().filter(cond(&p));
        if let Some(s) = since {
            let t = validate::parse_timestamp(s)
                .ok_or_else(|| bad("since must be an ISO 8601 time with a time zone"))?;
            q = q.filter(
                xapi_document::Column::Updated.gt((t.unix_timestamp_nanos() / 1_000_000) as i64),
            );
        }
        Ok(q.select_only()
            .column(xapi_document::Column::DocId)
            .order_by_asc(xapi_document::Column::DocId)
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    /// Writes a document: `merge` (POST) merges JSON objects into the stored
    /// one, otherwise (PUT) replaces it. Returns the new ETag.
    pub async fn put_document(
        &self,
        key: &DocKey,
        content_type: &str,
        content: Vec<u8>,
        merge: bool,
        pre: &Preconditions,
    ) -> XResult<String> {
        let p = key.parse()?;
        let id = key
            .doc_id
            .clone()
            .ok_or_else(|| bad("the document id is required"))?;
        let txn = crate::db::begin_write(&self.db).await?;
        let existing = xapi_document::Entity::find()
            .filter(cond(&p))
            .filter(xapi_document::Column::DocId.eq(id.clone()))
            .one(&txn)
            .await?;
        check(existing.as_ref(), pre)?;
        if !merge
            && key.kind != DocKind::State
            && pre.if_match.is_none()
            && pre.if_none_match.is_none()
        {
            return Err(if existing.is_some() {
                XapiError::Conflict(
                    "the document exists: send If-Match with its ETag to replace it".into(),
                )
            } else {
                bad("send If-None-Match: * to create a profile, or If-Match to replace one")
            });
        }
        let (content_type, content) = match (&existing, merge) {
            (Some(old), true) => {
                if !is_json(&old.content_type) || !is_json(content_type) {
                    return Err(bad("only JSON documents can be merged"));
                }
                let mut a: Value = serde_json::from_slice(&old.content)
                    .map_err(|_| bad("the stored document is not a JSON object"))?;
                let b: Value = serde_json::from_slice(&content)
                    .map_err(|_| bad("the document is not JSON"))?;
                let (Some(ao), Some(bo)) = (a.as_object_mut(), b.as_object()) else {
                    return Err(bad("only JSON objects can be merged"));
                };
                for (k, v) in bo {
                    ao.insert(k.clone(), v.clone());
                }
                ("application/json".to_owned(), a.to_string().into_bytes())
            }
            (None, true) if is_json(content_type) => {
                let b: Value = serde_json::from_slice(&content)
                    .map_err(|_| bad("the document is not JSON"))?;
                if !b.is_object() {
                    return Err(bad("a posted JSON document must be an object"));
                }
                (content_type.to_owned(), content)
            }
            _ => (content_type.to_owned(), content),
        };
        let etag = etag_of(&content);
        let now = super::now_ms();
        match existing {
            Some(old) => {
                xapi_document::Entity::update(xapi_document::ActiveModel {
                    id: Set(old.id),
                    content_type: Set(content_type),
                    content: Set(content),
                    etag: Set(etag.clone()),
                    updated: Set(now),
                    ..Default::default()
                })
                .exec(&txn)
                .await?;
            }
            None => {
                xapi_document::Entity::insert(xapi_document::ActiveModel {
                    id: NotSet,
                    kind: Set(p.kind.into()),
                    activity_id: Set(p.activity),
                    agent_key: Set(p.agent),
                    registration: Set(p.registration),
                    doc_id: Set(id),
                    content_type: Set(content_type),
                    content: Set(content),
                    etag: Set(etag.clone()),
                    updated: Set(now),
                })
                .exec_without_returning(&txn)
                .await?;
            }
        }
        txn.commit().await?;
        Ok(etag)
    }

    /// Deletes one document, or (state only, without an id) all under the key.
    pub async fn delete_documents(&self, key: &DocKey, pre: &Preconditions) -> XResult<()> {
        let p = key.parse()?;
        let mut q = xapi_document::Entity::delete_many().filter(cond(&p));
        match &key.doc_id {
            Some(id) => {
                let existing = xapi_document::Entity::find()
                    .filter(cond(&p))
                    .filter(xapi_document::Column::DocId.eq(id.clone()))
                    .one(&self.db)
                    .await?;
                check(existing.as_ref(), pre)?;
                q = q.filter(xapi_document::Column::DocId.eq(id.clone()));
            }
            None if key.kind != DocKind::State => {
                return Err(bad("the profileId is required"));
            }
            None => {}
        }
        q.exec(&self.db).await?;
        Ok(())
    }
}

fn check(existing: Option<&xapi_document::Model>, pre: &Preconditions) -> XResult<()> {
    if let Some(m) = &pre.if_match {
        match existing {
            Some(d) if tag_matches(m, &d.etag) => {}
            _ => return Err(XapiError::PreconditionFailed("If-Match does not match")),
        }
    }
    if let Some(n) = &pre.if_none_match
        && let Some(d) = existing
        && tag_matches(n, &d.etag)
    {
        return Err(XapiError::PreconditionFailed("If-None-Match matches"));
    }
    Ok(())
}
