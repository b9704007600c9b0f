//! Storing statements: the index columns each one is found by, ids assigned
//! or checked, a repeat of a stored statement accepted and a different one
//! under the same id refused, and voiding.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    Lrs, XResult, XapiError, agent_key, bad, rfc3339_ms,
    validate::{self, VOIDED},
};
use crate::entities::xapi_statement;

/// A statement ready to insert, with the columns it is found by.
pub(crate) struct Row {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub stored: i64,
    pub client_id: Option<Uuid>,
    pub forward: bool,
    pub body: Value,
}

fn agents_of(v: &Value, out: &mut BTreeSet<String>) {
    if let Some(k) = agent_key(v) {
        out.insert(k);
    }
    if let Some(Value::Array(members)) = v.get("member") {
        for m in members {
            if let Some(k) = agent_key(m) {
                out.insert(k);
            }
        }
    }
}

fn activities_of_context(c: &Value, out: &mut BTreeSet<String>) {
    let Some(ca) = c.get("contextActivities").and_then(Value::as_object) else {
        return;
    };
    for v in ca.values() {
        let items = match v {
            Value::Array(a) => a.iter().collect::<Vec<_>>(),
            one => vec![one],
        };
        for a in items {
            if let Some(id) = a.get("id").and_then(Value::as_str) {
                out.insert(id.to_owned());
            }
        }
    }
}

fn related(s: &Value, activities: &mut BTreeSet<String>, agents: &mut BTreeSet<String>) {
    if let Some(a) = s.get("actor") {
        agents_of(a, agents);
    }
    if let Some(o) = s.get("object") {
        match o.get("objectType").and_then(Value::as_str) {
            None | Some("Activity") => {
                if let Some(id) = o.get("id").and_then(Value::as_str) {
                    activities.insert(id.to_owned());
                }
            }
            Some("Agent" | "Group") => agents_of(o, agents),
            Some("SubStatement") => related(o, activities, agents),
            _ => {}
        }
    }
    if let Some(c) = s.get("context") {
        activities_of_context(c, activities);
        for k in ["instructor", "team"] {
            if let Some(a) = c.get(k) {
                agents_of(a, agents);
            }
        }
    }
    if let Some(a) = s.get("authority") {
        agents_of(a, agents);
    }
}

fn joined(set: BTreeSet<String>) -> String {
    let mut s = String::from("\n");
    for v in set {
        s.push_str(&v);
        s.push('\n');
    }
    s
}

/// The value a `LIKE` on the `related_*` columns looks for.
pub(crate) fn related_pattern(key: &str) -> String {
    format!("%\n{key}\n%")
}

impl Row {
    pub(crate) fn model(self) -> xapi_statement::ActiveModel {
        let s = &self.body;
        let object = &s["object"];
        let object_type = object.get("objectType").and_then(Value::as_str);
        let (mut acts, mut agents) = (BTreeSet::new(), BTreeSet::new());
        related(s, &mut acts, &mut agents);
        xapi_statement::ActiveModel {
            seq: NotSet,
            id: Set(self.id),
            user_id: Set(self.user_id),
            actor_key: Set(agent_key(&s["actor"]).unwrap_or_default()),
            verb_id: Set(s["verb"]["id"].as_str().unwrap_or_default().to_owned()),
            activity_id: Set(matches!(object_type, None | Some("Activity"))
                .then(|| object["id"].as_str().map(str::to_owned))
                .flatten()),
            object_agent_key: Set(matches!(object_type, Some("Agent" | "Group"))
                .then(|| agent_key(object))
                .flatten()),
            ref_id: Set((object_type == Some("StatementRef"))
                .then(|| object["id"].as_str().and_then(|i| Uuid::parse_str(i).ok()))
                .flatten()),
            registration: Set(s["context"]["registration"]
                .as_str()
                .and_then(|r| Uuid::parse_str(r).ok())),
            related_activities: Set(joined(acts)),
            related_agents: Set(joined(agents)),
            stored: Set(self.stored),
            voided: Set(false),
            client_id: Set(self.client_id),
            forward_pending: Set(self.forward),
            body: Set(s.to_string()),
        }
    }
}

/// Context activities are stored as arrays, even when sent as one object.
fn normalise(s: &mut Value) {
    if let Some(ca) = s
        .get_mut("context")
        .and_then(|c| c.get_mut("contextActivities"))
        .and_then(Value::as_object_mut)
    {
        for v in ca.values_mut() {
            if v.is_object() {
                *v = Value::Array(vec![v.take()]);
            }
        }
    }
    if let Some(o) = s.get_mut("object")
        && o.get("objectType").and_then(Value::as_str) == Some("SubStatement")
    {
        normalise(o);
    }
}

/// What decides whether two statements are "the same": everything but the
/// properties the LRS sets.
fn essence(s: &Value, with_timestamp: bool) -> Value {
    let mut s = s.clone();
    normalise(&mut s);
    if let Some(o) = s.as_object_mut() {
        for k in ["id", "stored", "authority", "version"] {
            o.remove(k);
        }
        if !with_timestamp {
            o.remove("timestamp");
        }
        // Timestamps name one instant however they are written.
        if let Some(t) = o.get("timestamp").and_then(Value::as_str)
            && let Some(t) = validate::parse_timestamp(t)
        {
            o.insert(
                "timestamp".into(),
                json!(t.unix_timestamp_nanos() / 1_000_000),
            );
        }
    }
    s
}

/// The statements an LRS client stored, or found already stored.
pub struct Stored {
    pub ids: Vec<Uuid>,
}

impl Lrs {
    /// Stores statements as a client sent them (`PUT` with `id`, or
    /// `POST`), all or none. `authority` is the client's agent.
    pub async fn store(
        &self,
        statements: Vec<Value>,
        id: Option<Uuid>,
        authority: Value,
        client_id: Uuid,
    ) -> XResult<Stored> {
        let now = super::now_ms();
        let stored_at = rfc3339_ms(now);
        let mut prepared = Vec::with_capacity(statements.len());
        let mut timed = Vec::with_capacity(statements.len());
        let mut ids = Vec::with_capacity(statements.len());
        let mut seen = BTreeSet::new();
        for mut s in statements {
            validate::statement(&s)?;
            let sid = match (s.get("id").and_then(Value::as_str), id) {
                (Some(given), Some(put)) if Uuid::parse_str(given).ok() != Some(put) => {
                    return Err(bad("the statement's id differs from statementId"));
                }
                (Some(given), _) => Uuid::parse_str(given).map_err(|_| bad("id must be a UUID"))?,
                (None, Some(put)) => put,
                (None, None) => Uuid::new_v4(),
            };
            if !seen.insert(sid) {
                return Err(bad(format!("statement {sid} is in the batch twice")));
            }
            timed.push(s.get("timestamp").is_some());
            normalise(&mut s);
            let o = s.as_object_mut().expect("validated as an object");
            o.insert("id".into(), json!(sid.to_string()));
            o.insert("stored".into(), json!(stored_at));
            o.entry("timestamp").or_insert_with(|| json!(stored_at));
            o.insert("authority".into(), authority.clone());
            o.entry("version").or_insert_with(|| json!("1.0.0"));
            ids.push(sid);
            prepared.push(s);
        }
        let txn = crate::db::begin_write(&self.db).await?;
        let existing: BTreeMap<Uuid, xapi_statement::Model> = xapi_statement::Entity::find()
            .filter(xapi_statement::Column::Id.is_in(ids.clone()))
            .all(&txn)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        let mut rows = Vec::new();
        let mut voids = Vec::new();
        for ((sid, s), with_timestamp) in ids.iter().zip(prepared).zip(timed) {
            if let Some(old) = existing.get(sid) {
                let old: Value = serde_json::from_str(&old.body).unwrap_or(Value::Null);
                if essence(&old, with_timestamp) != essence(&s, with_timestamp) {
                    return Err(XapiError::Conflict(format!(
                        "a different statement is stored under {sid}"
                    )));
                }
                continue;
            }
            if s["verb"]["id"].as_str() == Some(VOIDED)
                && let Some(target) = s["object"]["id"]
                    .as_str()
                    .and_then(|t| Uuid::parse_str(t).ok())
            {
                voids.push(target);
            }
            rows.push(
                Row {
                    id: *sid,
                    user_id: None,
                    stored: now,
                    client_id: Some(client_id),
                    forward: false,
                    body: s,
                }
                .model(),
            );
        }
        void(&txn, &voids).await?;
        if !rows.is_empty() {
            xapi_statement::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(Stored { ids })
    }
}

/// Marks the targets voided; a voiding statement cannot itself be voided.
async fn void(txn: &impl ConnectionTrait, targets: &[Uuid]) -> XResult<()> {
    if targets.is_empty() {
        return Ok(());
    }
    let voiding = xapi_statement::Entity::find()
        .filter(xapi_statement::Column::Id.is_in(targets.to_vec()))
        .filter(xapi_statement::Column::VerbId.eq(VOIDED))
        .all(txn)
        .await?;
    if !voiding.is_empty() {
        return Err(bad("a voiding statement cannot be voided"));
    }
    xapi_statement::Entity::update_many()
        .col_expr(xapi_statement::Column::Voided, true.into())
        .filter(xapi_statement::Column::Id.is_in(targets.to_vec()))
        .exec(txn)
        .await?;
    Ok(())
}
