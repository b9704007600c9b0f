//! Agora's own statements, one per learning event, written in the
//! transaction that records the event: none is lost or doubled. The
//! statement table is the outbox: rows marked `forward_pending` are sent to
//! the external LRS by the `forward` job.
//!
//! Activity ids are addresses under the public URL (see `links`); the actor
//! is the learner's account on Agora (`homePage` + id), never an email.

use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{forwarding, home, now_ms, rfc3339_ms, store::Row};
use crate::{
    Result,
    entities::{course, enrolment, xapi_statement},
    links,
};

pub const REGISTERED: &str = "http://adlnet.gov/expapi/verbs/registered";
pub const EXPERIENCED: &str = "http://adlnet.gov/expapi/verbs/experienced";
pub const COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
pub const ANSWERED: &str = "http://adlnet.gov/expapi/verbs/answered";
pub const PASSED: &str = "http://adlnet.gov/expapi/verbs/passed";
pub const FAILED: &str = "http://adlnet.gov/expapi/verbs/failed";
pub const ATTENDED: &str = "http://adlnet.gov/expapi/verbs/attended";
pub const EARNED: &str = "http://id.tincanapi.com/verb/earned";

const COURSE: &str = "http://adlnet.gov/expapi/activities/course";
const LESSON: &str = "http://adlnet.gov/expapi/activities/lesson";
const ASSESSMENT: &str = "http://adlnet.gov/expapi/activities/assessment";
const INTERACTION: &str = "http://adlnet.gov/expapi/activities/cmi.interaction";
const MEETING: &str = "http://adlnet.gov/expapi/activities/meeting";
const CERTIFICATE: &str = "http://id.tincanapi.com/activitytype/certificate";
const APPLICATION: &str = "http://activitystrea.ms/schema/1.0/application";

/// The learner and the enrolment a statement is about.
#[derive(Clone, Debug)]
pub struct Subject {
    pub user_id: Uuid,
    pub enrolment_id: Uuid,
    pub course_slug: String,
    /// The course's language (`context.language`).
    pub language: String,
}

impl Subject {
    pub fn of(e: &enrolment::Model, c: &course::Model) -> Self {
        Self {
            user_id: e.user_id,
            enrolment_id: e.id,
            course_slug: c.slug.clone(),
            language: c.default_locale.clone(),
        }
    }

    /// Reads the enrolment and its course (in the caller's transaction).
    pub async fn load(db: &impl ConnectionTrait, enrolment_id: Uuid) -> Result<Option<Self>> {
        if home().is_none() {
            return Ok(None);
        }
        let Some(e) = enrolment::Entity::find_by_id(enrolment_id).one(db).await? else {
            return Ok(None);
        };
        let Some(c) = course::Entity::find_by_id(e.course_id).one(db).await? else {
            return Ok(None);
        };
        Ok(Some(Self::of(&e, &c)))
    }
}

/// The learner as an xAPI agent.
pub fn actor(user_id: Uuid) -> Option<Value> {
    let home = home()?;
    Some(json!({
        "objectType": "Agent",
        "account": { "homePage": home.as_str(), "name": user_id.to_string() }
    }))
}

/// Agora, the authority of its own statements.
pub fn agora() -> Option<Value> {
    let home = home()?;
    Some(json!({
        "objectType": "Agent",
        "name": "Agora",
        "account": { "homePage": home.as_str(), "name": "agora" }
    }))
}

fn iri(path: &str) -> String {
    let base = home()
        .map(|u| u.as_str())
        .unwrap_or("")
        .trim_end_matches('/');
    format!("{base}{path}")
}

fn activity(path: &str, kind: &str) -> Value {
    json!({ "objectType": "Activity", "id": iri(path), "definition": { "type": kind } })
}

fn verb(id: &str) -> Value {
    let word = id.rsplit('/').next().unwrap_or(id);
    json!({ "id": id, "display": { "en-US": word } })
}

fn course_activity(s: &Subject) -> Value {
    activity(&links::course(&s.course_slug), COURSE)
}

fn context(s: &Subject, parent: bool) -> Value {
    let mut c = json!({
        "registration": s.enrolment_id.to_string(),
        "language": s.language,
        "platform": "Agora",
    });
    if parent {
        c["contextActivities"] = json!({ "parent": [course_activity(s)] });
    } else {
        c["contextActivities"] = json!({ "category": [activity("/", APPLICATION)] });
    }
    c
}

fn statement(actor: Value, verb_id: &str, object: Value, context: Value) -> Value {
    json!({
        "id": Uuid::new_v4().to_string(),
        "actor": actor,
        "verb": verb(verb_id),
        "object": object,
        "context": context,
        "timestamp": rfc3339_ms(now_ms()),
    })
}

/// An account was created: the learner registered with Agora.
pub fn account_created(user_id: Uuid, language: &str) -> Option<Value> {
    Some(statement(
        actor(user_id)?,
        REGISTERED,
        activity("/", APPLICATION),
        json!({ "language": language, "platform": "Agora" }),
    ))
}

/// Enrolled: the learner registered for the course.
pub fn enrolled(s: &Subject) -> Option<Value> {
    Some(statement(
        actor(s.user_id)?,
        REGISTERED,
        course_activity(s),
        context(s, false),
    ))
}

/// Opened a lesson.
pub fn experienced(s: &Subject, lesson_key: &str) -> Option<Value> {
    let object = activity(&links::lesson(&s.course_slug, lesson_key), LESSON);
    Some(statement(
        actor(s.user_id)?,
        EXPERIENCED,
        object,
        context(s, true),
    ))
}

/// Completed a lesson.
pub fn lesson_completed(s: &Subject, lesson_key: &str) -> Option<Value> {
    let object = activity(&links::lesson(&s.course_slug, lesson_key), LESSON);
    let mut st = statement(actor(s.user_id)?, COMPLETED, object, context(s, true));
    st["result"] = json!({ "completion": true });
    Some(st)
}

/// Completed the course.
pub fn course_completed(s: &Subject) -> Option<Value> {
    let mut st = statement(
        actor(s.user_id)?,
        COMPLETED,
        course_activity(s),
        context(s, false),
    );
    st["result"] = json!({ "completion": true });
    Some(st)
}

/// One answered question of a quiz: the options chosen, and whether right.
pub fn answered(
    s: &Subject,
    quiz_key: &str,
    question_key: &str,
    chosen: &[String],
    correct: bool,
) -> Option<Value> {
    let mut object = activity(
        &links::quiz_question(&s.course_slug, quiz_key, question_key),
        INTERACTION,
    );
    object["definition"]["interactionType"] = json!("choice");
    let mut ctx = context(s, true);
    ctx["contextActivities"]["grouping"] = json!([activity(
        &links::lesson(&s.course_slug, quiz_key),
        ASSESSMENT
    )]);
    let mut st = statement(actor(s.user_id)?, ANSWERED, object, ctx);
    st["result"] = json!({ "response": chosen.join("[,]"), "success": correct });
    Some(st)
}

/// Passed or failed a quiz, with its score (0–100).
pub fn quiz_result(
    s: &Subject,
    quiz_key: &str,
    score: u32,
    passed: bool,
    response: &str,
) -> Option<Value> {
    let object = activity(&links::lesson(&s.course_slug, quiz_key), ASSESSMENT);
    let verb_id = if passed { PASSED } else { FAILED };
    let mut st = statement(actor(s.user_id)?, verb_id, object, context(s, true));
    st["result"] = json!({
        "score": { "scaled": f64::from(score.min(100)) / 100.0, "raw": score.min(100), "min": 0, "max": 100 },
        "success": passed,
        "completion": passed,
        "response": response,
    });
    Some(st)
}

/// Earned the course's certificate.
pub fn certificate_earned(s: &Subject, code: &str) -> Option<Value> {
    let object = activity(&links::certificate(code), CERTIFICATE);
    Some(statement(
        actor(s.user_id)?,
        EARNED,
        object,
        context(s, true),
    ))
}

/// Attended a cohort's live session. The registration is the learner's
/// enrolment in the cohort's course when there is one.
pub fn attended(
    user_id: Uuid,
    cohort_slug: &str,
    session_id: Uuid,
    course: Option<&Subject>,
    language: &str,
) -> Option<Value> {
    let object = activity(&links::cohort_session(cohort_slug, session_id), MEETING);
    let ctx = match course {
        Some(s) => context(s, true),
        None => json!({ "language": language, "platform": "Agora" }),
    };
    Some(statement(actor(user_id)?, ATTENDED, object, ctx))
}

/// The stored form of one of Agora's statements: `stored`, `authority`, `version`.
pub(crate) fn finish(mut st: Value, stored: i64) -> Value {
    st["stored"] = json!(rfc3339_ms(stored));
    st["authority"] = agora().unwrap_or(Value::Null);
    st["version"] = json!("1.0.0");
    st
}

/// The row of one of Agora's statements about `user_id`.
pub(crate) fn row(user_id: Uuid, st: Value, stored: i64) -> Row {
    let id = st["id"]
        .as_str()
        .and_then(|i| Uuid::parse_str(i).ok())
        .unwrap_or_else(Uuid::new_v4);
    Row {
        id,
        user_id: Some(user_id),
        stored,
        client_id: None,
        forward: forwarding(),
        body: finish(st, stored),
    }
}

/// Writes statements about `user_id` on `conn`, the transaction of the
/// event. Statements that could not be built (no public URL configured)
/// are skipped.
pub async fn record(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    statements: impl IntoIterator<Item = Option<Value>>,
) -> Result<()> {
    let now = now_ms();
    let rows: Vec<_> = statements
        .into_iter()
        .flatten()
        .map(|st| row(user_id, st, now).model())
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    xapi_statement::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// `attended` for each member newly recorded present at a cohort session,
/// with their enrolment in the cohort's course as the registration.
pub async fn attendance(
    conn: &impl ConnectionTrait,
    cohort: &crate::entities::cohort::Model,
    session_id: Uuid,
    members: &[Uuid],
) -> Result<()> {
    use sea_orm::{ColumnTrait, QueryFilter};
    if home().is_none() || members.is_empty() {
        return Ok(());
    }
    let Some(c) = course::Entity::find_by_id(cohort.course_id)
        .one(conn)
        .await?
    else {
        return Ok(());
    };
    let enrolments: std::collections::HashMap<Uuid, enrolment::Model> = enrolment::Entity::find()
        .filter(enrolment::Column::CourseId.eq(c.id))
        .filter(enrolment::Column::UserId.is_in(members.to_vec()))
        .all(conn)
        .await?
        .into_iter()
        .map(|e| (e.user_id, e))
        .collect();
    for m in members {
        let subject = enrolments.get(m).map(|e| Subject::of(e, &c));
        let st = attended(
            *m,
            &cohort.slug,
            session_id,
            subject.as_ref(),
            &c.default_locale,
        );
        record(conn, *m, [st]).await?;
    }
    Ok(())
}

/// A lesson opened: what its `experienced` statement names, known when
/// the lesson was read (no look-up when the statements are written).
#[derive(Clone, Debug)]
pub struct Launch {
    pub subject: Subject,
    pub lesson_key: String,
    pub at: time::OffsetDateTime,
}

/// Writes an `experienced` statement for each lesson opened, in one
/// transaction, from the background flush that writes lesson visits (a
/// read never writes in the request). Launches of enrolments gone since (an account deleted in
/// the meantime) are skipped: one query over the distinct enrolments.
pub async fn launches(db: &sea_orm::DatabaseConnection, opened: &[&Launch]) -> Result<()> {
    use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
    if home().is_none() || opened.is_empty() {
        return Ok(());
    }
    let ids: std::collections::BTreeSet<Uuid> =
        opened.iter().map(|l| l.subject.enrolment_id).collect();
    let mut live = std::collections::HashSet::with_capacity(ids.len());
    let ids: Vec<Uuid> = ids.into_iter().collect();
    for chunk in crate::db::shaped_chunks(&ids, 512) {
        // Padded to the chunk's size with its last id: a few statement
        // shapes, each prepared once per connection (see `shaped_chunks`).
        let mut padded = chunk.to_vec();
        padded.resize(chunk.len().next_power_of_two(), chunk[chunk.len() - 1]);
        let found: Vec<Uuid> = enrolment::Entity::find()
            .select_only()
            .column(enrolment::Column::Id)
            .filter(enrolment::Column::Id.is_in(padded))
            .into_tuple()
            .all(db)
            .await?;
        live.extend(found);
    }
    let now = now_ms();
    let mut rows = Vec::with_capacity(opened.len());
    for l in opened {
        if !live.contains(&l.subject.enrolment_id) {
            continue;
        }
        let Some(mut st) = experienced(&l.subject, &l.lesson_key) else {
            continue;
        };
        st["timestamp"] = json!(rfc3339_ms((l.at.unix_timestamp_nanos() / 1_000_000) as i64));
        rows.push(row(l.subject.user_id, st, now).model());
    }
    if rows.is_empty() {
        return Ok(());
    }
    let txn = crate::db::begin_write(db).await?;
    for chunk in crate::db::shaped_chunks(&rows, 256) {
        xapi_statement::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// One of Agora's statements as a data-modifying CTE of a PostgreSQL
/// statement: `name AS (INSERT … SELECT $n, … FROM {from})`, its
/// parameters numbered from `first`. For the hot paths written as one
/// statement (completing a lesson).
pub(crate) fn cte(
    name: &str,
    user_id: Uuid,
    st: Value,
    first: usize,
    from: &str,
) -> (String, Vec<sea_orm::Value>) {
    let m = row(user_id, st, now_ms()).model();
    let values: Vec<sea_orm::Value> = vec![
        m.id.into_value(),
        m.user_id.into_value(),
        m.actor_key.into_value(),
        m.verb_id.into_value(),
        m.activity_id.into_value(),
        m.registration.into_value(),
        m.related_activities.into_value(),
        m.related_agents.into_value(),
        m.stored.into_value(),
        m.forward_pending.into_value(),
        m.body.into_value(),
    ]
    .into_iter()
    .map(|v| v.expect("every column is set"))
    .collect();
    let params: Vec<String> = (first..first + values.len())
        .map(|n| format!("${n}"))
        .collect();
    let sql = format!(
        "{name} AS (INSERT INTO xapi_statements (id, user_id, actor_key, verb_id, activity_id, \
         registration, related_activities, related_agents, stored, forward_pending, body) \
         SELECT {} FROM {from})",
        params.join(", ")
    );
    (sql, values)
}
