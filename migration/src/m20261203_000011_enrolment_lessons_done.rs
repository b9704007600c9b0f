//! Each enrolment counts its completed lessons, so completing a lesson on
//! PostgreSQL is one statement that needs no `COUNT` (see
//! `core/src/learning/completion.rs`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Enrolments {
    Table,
    LessonsDone,
}

const BACKFILL: &str = "UPDATE enrolments SET lessons_done = \
    (SELECT COUNT(*) FROM lesson_progress p WHERE p.enrolment_id = enrolments.id)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Enrolments::Table)
                    .add_column(integer(Enrolments::LessonsDone).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(BACKFILL)
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Enrolments::Table)
                    .drop_column(Enrolments::LessonsDone)
                    .to_owned(),
            )
            .await
    }
}
