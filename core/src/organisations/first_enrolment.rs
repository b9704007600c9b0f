//! When an organisation "joined through learning": the first enrolment of
//! one of its active members who did not hide their progress (a hidden
//! learner's date would be a figure about them).
//!
//! Set once, by one cheap statement in the enrolment's own transaction.
//! A learner who enrolled before joining brings their learning with them:
//! when their membership becomes active, the organisation's date is set
//! from their earliest enrolment if it had none yet.

use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, Value};
use time::OffsetDateTime;
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

/// Called when `user_id` enrols for the first time in a course, at `at`.
pub async fn note_first_enrolment(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    at: OffsetDateTime,
) -> Result<()> {
    let sql = "UPDATE organisations SET first_enrolment_at = $1
         WHERE first_enrolment_at IS NULL AND id = (
           SELECT m.organisation_id FROM organisation_members m
           WHERE m.user_id = $2 AND m.status = 'active' AND NOT m.hide_progress)";
    db.execute_raw(run(db, sql, vec![at.into(), user_id.into()]))
        .await?;
    Ok(())
}

/// Called when `user_id`'s membership becomes active (approval, invitation,
/// domain match): their earliest enrolment, if any, dates the organisation
/// when it had no date yet.
pub async fn note_first_enrolment_on_joining(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<()> {
    let sql = "UPDATE organisations SET first_enrolment_at = (
           SELECT MIN(e.enrolled_at) FROM enrolments e WHERE e.user_id = $1)
         WHERE first_enrolment_at IS NULL AND id = (
           SELECT m.organisation_id FROM organisation_members m
           WHERE m.user_id = $2 AND m.status = 'active' AND NOT m.hide_progress)";
    db.execute_raw(run(db, sql, vec![user_id.into(), user_id.into()]))
        .await?;
    Ok(())
}
