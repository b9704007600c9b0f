//! `GET /xapi/statements`: one statement by id, or a page of statements
//! matching the filters, newest first unless `ascending`, with a `more`
//! cursor. Voided statements are found only by `voidedStatementId`.

use std::collections::HashSet;

use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Alias, Expr, Query},
};
use serde_json::{Value, json, value::RawValue};
use uuid::Uuid;

use super::{Lrs, XResult, XapiError, agent_key, bad, store::related_pattern, validate};
use crate::entities::xapi_statement;

/// Most statements one page holds.
pub const MAX_LIMIT: u64 = 500;

/// Most statements a query lets in because they target a matching one
/// (see [`Lrs::targeting`]), and how deep a chain of references is followed.
const MAX_TARGETING: u64 = 10_000;
const MAX_REF_DEPTH: usize = 16;

/// The query parameters, as the client sent them.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    pub agent: Option<String>,
    pub verb: Option<String>,
    pub activity: Option<String>,
    pub registration: Option<String>,
    pub related_activities: bool,
    pub related_agents: bool,
    pub since: Option<String>,
    pub until: Option<String>,
    pub limit: Option<u64>,
    /// `exact` (default), `ids` or `canonical`.
    pub format: Option<String>,
    pub ascending: bool,
    /// The `more` cursor: the last `seq` of the previous page.
    pub after: Option<i32>,
    /// `Accept-Language`, best first, for `format=canonical`.
    pub languages: Vec<String>,
}

/// One page of statements and the cursor to the next, if any.
pub struct Page {
    /// Each statement's JSON. In the `exact` format (the default) it is
    /// the stored text itself, never parsed into a tree and written again:
    /// that was most of a page's cost in the server.
    pub statements: Vec<Box<RawValue>>,
    /// The `seq` to continue after.
    pub more: Option<i32>,
}

fn time_ms(v: &str, name: &str) -> XResult<i64> {
    validate::parse_timestamp(v)
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .ok_or_else(|| bad(format!("{name} must be an ISO 8601 time with a time zone")))
}

/// Language maps reduced to the reader's language (`format=canonical`).
fn canonical(v: &mut Value, languages: &[String]) {
    match v {
        Value::Object(o) => {
            for (k, child) in o.iter_mut() {
                let is_map = matches!(k.as_str(), "display" | "name" | "description")
                    && child
                        .as_object()
                        .is_some_and(|m| m.values().all(Value::is_string));
                if is_map && let Some(m) = child.as_object_mut() {
                    let pick = languages
                        .iter()
                        .find_map(|l| {
                            m.keys().find(|k| {
                                k.eq_ignore_ascii_case(l)
                                    || k.split('-')
                                        .next()
                                        .is_some_and(|p| p.eq_ignore_ascii_case(l))
                            })
                        })
                        .or_else(|| m.keys().next())
                        .cloned();
                    m.retain(|k, _| Some(k) == pick.as_ref());
                } else {
                    canonical(child, languages);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|c| canonical(c, languages)),
        _ => {}
    }
}

/// The statement as `format` asks: `ids` keeps only identifiers,
/// `canonical` one language per language map (`languages`, best first).
pub fn formatted_for(mut s: Value, format: &str, languages: &[String]) -> Value {
    if format == "canonical" {
        canonical(&mut s, languages);
        return s;
    }
    formatted(s, format)
}

/// The statement as `format` asks: `ids` keeps only identifiers.
pub fn formatted(mut s: Value, format: &str) -> Value {
    if format != "ids" {
        return s;
    }
    fn agent_ids(a: &mut Value) {
        if let Some(o) = a.as_object_mut() {
            o.remove("name");
            if let Some(Value::Array(m)) = o.get_mut("member") {
                m.iter_mut().for_each(agent_ids);
            }
        }
    }
    fn activity_ids(a: &mut Value) {
        if let Some(o) = a.as_object_mut() {
            o.remove("definition");
            o.remove("objectType");
        }
    }
    fn walk(s: &mut Value) {
        if let Some(a) = s.get_mut("actor") {
            agent_ids(a);
        }
        if let Some(o) = s.get_mut("object") {
            match o.get("objectType").and_then(Value::as_str) {
                None | Some("Activity") => activity_ids(o),
                Some("Agent" | "Group") => agent_ids(o),
                Some("SubStatement") => walk(o),
                _ => {}
            }
        }
        if let Some(v) = s.get_mut("verb").and_then(Value::as_object_mut) {
            v.remove("display");
        }
        if let Some(ca) = s
            .get_mut("context")
            .and_then(|c| c.get_mut("contextActivities"))
            .and_then(Value::as_object_mut)
        {
            for v in ca.values_mut() {
                match v {
                    Value::Array(a) => a.iter_mut().for_each(activity_ids),
                    one => activity_ids(one),
                }
            }
        }
        if let Some(c) = s.get_mut("context") {
            for k in ["instructor", "team"] {
                if let Some(a) = c.get_mut(k) {
                    agent_ids(a);
                }
            }
        }
        if let Some(a) = s.get_mut("authority") {
            agent_ids(a);
        }
    }
    walk(&mut s);
    s
}

fn check_format(f: Option<&str>) -> XResult<&str> {
    match f.unwrap_or("exact") {
        f @ ("exact" | "ids" | "canonical") => Ok(f),
        other => Err(bad(format!(
            "format `{other}` is not exact, ids or canonical"
        ))),
    }
}

impl Lrs {
    /// One statement by id; `voided` asks for a voided one.
    pub async fn statement(
        &self,
        id: &str,
        voided: bool,
        format: Option<&str>,
        own_only: Option<Uuid>,
        languages: &[String],
    ) -> XResult<Value> {
        let format = check_format(format)?;
        let id = Uuid::parse_str(id).map_err(|_| bad("the statement id must be a UUID"))?;
        let row = xapi_statement::Entity::find()
            .filter(xapi_statement::Column::Id.eq(id))
            .one(&self.db)
            .await?
            .filter(|r| r.voided == voided)
            .ok_or(XapiError::NotFound("no such statement"))?;
        if own_only.is_some() && row.client_id != own_only {
            return Err(XapiError::Forbidden(
                "these credentials read their own statements only",
            ));
        }
        let s: Value =
            serde_json::from_str(&row.body).map_err(|e| crate::Error::Internal(e.to_string()))?;
        Ok(formatted_for(s, format, languages))
    }

    /// A page of statements. With `own_only`, only those the client stored.
    pub async fn statements(&self, f: &Filters, own_only: Option<Uuid>) -> XResult<Page> {
        let format = check_format(f.format.as_deref())?;
        use xapi_statement::Column as C;
        // The filters that are not about time or order: a statement that
        // targets a matching one matches too.
        let mut cond = Condition::all();
        let mut filtered = false;
        if let Some(a) = &f.agent {
            let v: Value = serde_json::from_str(a).map_err(|_| bad("agent must be JSON"))?;
            validate::agent(&v, "agent")?;
            let key = agent_key(&v).ok_or_else(|| bad("agent must have an identifier"))?;
            filtered = true;
            cond = cond.add(if f.related_agents {
                Condition::all().add(C::RelatedAgents.like(related_pattern(&key)))
            } else {
                Condition::any()
                    .add(C::ActorKey.eq(key.clone()))
                    .add(C::ObjectAgentKey.eq(key))
            });
        }
        if let Some(v) = &f.verb {
            if !validate::is_iri(v) {
                return Err(bad("verb must be an IRI"));
            }
            filtered = true;
            cond = cond.add(C::VerbId.eq(v.clone()));
        }
        if let Some(a) = &f.activity {
            if !validate::is_iri(a) {
                return Err(bad("activity must be an IRI"));
            }
            filtered = true;
            cond = cond.add(if f.related_activities {
                C::RelatedActivities.like(related_pattern(a))
            } else {
                C::ActivityId.eq(a.clone())
            });
        }
        if let Some(r) = &f.registration {
            let r = Uuid::parse_str(r).map_err(|_| bad("registration must be a UUID"))?;
            filtered = true;
            cond = cond.add(C::Registration.eq(r));
        }
        if filtered {
            let targeting = self.targeting(cond.clone()).await?;
            if !targeting.is_empty() {
                cond = Condition::any().add(cond).add(C::Id.is_in(targeting));
            }
        }
        // Time, order and ownership apply to the statement returned itself.
        cond = Condition::all().add(cond).add(C::Voided.eq(false));
        if let Some(s) = &f.since {
            cond = cond.add(C::Stored.gt(time_ms(s, "since")?));
        }
        if let Some(u) = &f.until {
            cond = cond.add(C::Stored.lte(time_ms(u, "until")?));
        }
        if let Some(client) = own_only {
            cond = cond.add(C::ClientId.eq(client));
        }
        if let Some(after) = f.after {
            cond = cond.add(if f.ascending {
                C::Seq.gt(after)
            } else {
                C::Seq.lt(after)
            });
        }
        let limit = match f.limit {
            None | Some(0) => MAX_LIMIT,
            Some(n) => n.min(MAX_LIMIT),
        };
        let order = if f.ascending {
            sea_orm::Order::Asc
        } else {
            sea_orm::Order::Desc
        };
        let rows: Vec<(i32, String)> = xapi_statement::Entity::find()
            .select_only()
            .column(C::Seq)
            .column(C::Body)
            .filter(cond)
            .order_by(C::Seq, order)
            .limit(limit + 1)
            .into_tuple()
            .all(&self.db)
            .await?;
        let more = (rows.len() as u64 > limit).then(|| rows[limit as usize - 1].0);
        let statements = rows
            .into_iter()
            .take(limit as usize)
            .filter_map(|(_, b)| {
                if format == "exact" {
                    RawValue::from_string(b).ok()
                } else {
                    let s = serde_json::from_str(&b).ok()?;
                    serde_json::value::to_raw_value(&formatted_for(s, format, &f.languages)).ok()
                }
            })
            .collect();
        Ok(Page { statements, more })
    }

    /// The statements that target, through a chain of `StatementRef`
    /// objects, a statement matching `filters` (xAPI 1.0.3, "Filter
    /// Conditions for StatementRefs"): they match the query too, so the
    /// voiding statement of a matching statement is returned although the
    /// voided one is not. A targeted statement counts even when voided.
    ///
    /// The first step looks only at matching statements that something
    /// targets (one index probe each on `ref_id`), so a query over
    /// statements that nothing references costs one cheap extra query.
    /// At most [`MAX_TARGETING`] statements and [`MAX_REF_DEPTH`] links.
    async fn targeting(&self, filters: Condition) -> XResult<Vec<Uuid>> {
        use xapi_statement::Column as C;
        let r = Alias::new("targeting");
        let targeted = Query::select()
            .expr(Expr::val(1))
            .from_as(xapi_statement::Entity, r.clone())
            .and_where(sea_orm::ExprTrait::equals(
                Expr::col((r.clone(), C::RefId)),
                (xapi_statement::Entity, C::Id),
            ))
            .to_owned();
        let mut frontier: Vec<Uuid> = xapi_statement::Entity::find()
            .select_only()
            .column(C::Id)
            .filter(filters)
            .filter(Expr::exists(targeted))
            .limit(MAX_TARGETING)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut seen: HashSet<Uuid> = frontier.iter().copied().collect();
        let mut found = Vec::new();
        for _ in 0..MAX_REF_DEPTH {
            if frontier.is_empty() || found.len() as u64 >= MAX_TARGETING {
                break;
            }
            let next: Vec<Uuid> = xapi_statement::Entity::find()
                .select_only()
                .column(C::Id)
                .filter(C::RefId.is_in(std::mem::take(&mut frontier)))
                .limit(MAX_TARGETING)
                .into_tuple()
                .all(&self.db)
                .await?;
            frontier = next.into_iter().filter(|id| seen.insert(*id)).collect();
            found.extend(frontier.iter().copied());
        }
        found.truncate(MAX_TARGETING as usize);
        Ok(found)
    }

    /// The `stored` time up to which every statement is visible: now.
    pub fn consistent_through(&self) -> String {
        super::rfc3339_ms(super::now_ms())
    }

    /// What `GET /xapi/activities` answers: the activity's latest definition.
    pub async fn activity(&self, id: &str) -> XResult<Value> {
        if !validate::is_iri(id) {
            return Err(bad("activityId must be an IRI"));
        }
        // The latest definition, with the languages of earlier ones.
        let bodies: Vec<String> = xapi_statement::Entity::find()
            .select_only()
            .column(xapi_statement::Column::Body)
            .filter(xapi_statement::Column::ActivityId.eq(id))
            .order_by_asc(xapi_statement::Column::Seq)
            .limit(200)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut definition: Option<Value> = None;
        for b in bodies {
            let Some(d) = serde_json::from_str::<Value>(&b)
                .ok()
                .and_then(|s| s["object"].get("definition").cloned())
            else {
                continue;
            };
            let mut merged = d.clone();
            if let (Some(old), Some(new)) = (definition.take(), merged.as_object_mut()) {
                for k in ["name", "description"] {
                    if let (Some(o), Some(n)) = (
                        old.get(k).and_then(Value::as_object),
                        new.get(k).and_then(Value::as_object),
                    ) {
                        let mut m = o.clone();
                        m.extend(n.clone());
                        new.insert(k.into(), Value::Object(m));
                    } else if let Some(o) = old.get(k)
                        && !new.contains_key(k)
                    {
                        new.insert(k.into(), o.clone());
                    }
                }
            }
            definition = Some(merged);
        }
        let mut a = json!({ "objectType": "Activity", "id": id });
        if let Some(d) = definition {
            a["definition"] = d;
        }
        Ok(a)
    }

    /// What `GET /xapi/agents` answers: the Person object of an agent.
    pub fn person(&self, agent: &str) -> XResult<Value> {
        let v: Value = serde_json::from_str(agent).map_err(|_| bad("agent must be JSON"))?;
        validate::agent(&v, "agent")?;
        let mut p = json!({ "objectType": "Person" });
        for k in ["name", "mbox", "mbox_sha1sum", "openid", "account"] {
            if let Some(val) = v.get(k) {
                p[k] = json!([val]);
            }
        }
        Ok(p)
    }
}
