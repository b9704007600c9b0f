//! What reports and certificates read of organisations, one statement
//! each: the organisation a certificate names, and how many organisations
//! partner statistics count. (The organisation's first-enrolment date is
//! kept by `organisations::first_enrolment`.)

use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, Value};
use uuid::Uuid;

use crate::Result;

fn run(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Statement {
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Sqlite => sql.replace('$', "?"),
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Partner statistics: how many organisations' staff enrolled through the
/// partner's embeds. Organisations are counted, never people; a member
/// who hid their progress does not make their organisation count.
pub async fn organisations_reached(db: &impl ConnectionTrait, partner_id: Uuid) -> Result<u64> {
    let sql = "SELECT COUNT(DISTINCT m.organisation_id) AS n
         FROM partner_events pe
         JOIN enrolments e ON e.id = pe.enrolment_id
         JOIN organisation_members m ON m.user_id = e.user_id
         WHERE pe.partner_id = $1 AND pe.kind = 'enrolment'
           AND m.status = 'active' AND NOT m.hide_progress";
    let row = db
        .query_one_raw(run(db, sql, vec![partner_id.into()]))
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<i64>("", "n")?.max(0) as u64,
        None => 0,
    })
}

/// The name a certificate gives the holder's organisation: in `locale`
/// when it has one, for an active member who shares their progress
/// (naming it is a kind of sharing); `None` otherwise.
pub async fn organisation_named(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    locale: crate::domain::Locale,
) -> Result<Option<String>> {
    use sea_orm::EntityTrait;
    let Some(m) = crate::entities::organisation_member::Entity::find_by_id(user_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if m.status != "active" || m.hide_progress {
        return Ok(None);
    }
    let Some(o) = crate::entities::organisation::Entity::find_by_id(m.organisation_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let localized = o.names.get(locale.as_str()).and_then(|v| v.as_str());
    Ok(Some(
        localized.unwrap_or(&o.name).chars().take(200).collect(),
    ))
}
