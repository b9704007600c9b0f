//! Fewer index writes per xAPI statement (issue 16): every lesson opened and
//! every lesson completed writes one, so each index is paid on the hot paths.
//!
//! - `idx_xapi_statements_actor` (`actor_key`) goes: the index on
//!   (`actor_key`, `seq`) answers every look-up by actor as well.
//! - The indexes on `ref_id` and `object_agent_key` hold only the rows that
//!   have one (a `StatementRef` or an agent as the object, a few in a
//!   thousand). They are only ever probed with `=`, which both databases
//!   know implies `IS NOT NULL`, so the partial indexes serve the same
//!   queries.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The same SQL on SQLite and PostgreSQL.
const UP: &[&str] = &[
    "DROP INDEX IF EXISTS idx_xapi_statements_actor",
    "DROP INDEX IF EXISTS idx_xapi_statements_ref",
    "CREATE INDEX idx_xapi_statements_ref ON xapi_statements (ref_id) WHERE ref_id IS NOT NULL",
    "DROP INDEX IF EXISTS idx_xapi_statements_object_agent",
    "CREATE INDEX idx_xapi_statements_object_agent ON xapi_statements (object_agent_key) \
     WHERE object_agent_key IS NOT NULL",
];

const DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS idx_xapi_statements_object_agent",
    "CREATE INDEX idx_xapi_statements_object_agent ON xapi_statements (object_agent_key)",
    "DROP INDEX IF EXISTS idx_xapi_statements_ref",
    "CREATE INDEX idx_xapi_statements_ref ON xapi_statements (ref_id)",
    "CREATE INDEX idx_xapi_statements_actor ON xapi_statements (actor_key)",
];

/// In one call, so on one connection: on SQLite another connection of the
/// pool may still hold the schema from before the `DROP`, and refuse the
/// `CREATE` of the same name as a duplicate.
async fn run(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    manager
        .get_connection()
        .execute_unprepared(&statements.join(";\n"))
        .await
        .map(|_| ())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, DOWN).await
    }
}
