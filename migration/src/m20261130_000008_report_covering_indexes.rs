//! Covering indexes for course reports: the one pass over a course's
//! enrolments (day, status, completion and learner) and the learners'
//! locales it joins read indexes only, not the tables' wider rows. On
//! SQLite, where json is text, quiz answers per quiz are grouped in the
//! order of an index too; PostgreSQL's json type has no btree order.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Enrolments {
    Table,
    CourseId,
    EnrolledAt,
    Status,
    CompletedAt,
    UserId,
}

#[derive(DeriveIden)]
enum QuizAttempts {
    Table,
    LessonId,
    Answers,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Locale,
}

const ENROLMENTS_INDEX: &str = "idx_enrolments_course_report";
const USERS_INDEX: &str = "idx_users_id_locale";
const ANSWERS_INDEX: &str = "idx_quiz_attempts_lesson_answers";

fn is_sqlite(manager: &SchemaManager) -> bool {
    manager.get_database_backend() == sea_orm_migration::sea_orm::DatabaseBackend::Sqlite
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(ENROLMENTS_INDEX)
                    .table(Enrolments::Table)
                    .col(Enrolments::CourseId)
                    .col(Enrolments::EnrolledAt)
                    .col(Enrolments::Status)
                    .col(Enrolments::CompletedAt)
                    .col(Enrolments::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(USERS_INDEX)
                    .table(Users::Table)
                    .col(Users::Id)
                    .col(Users::Locale)
                    .to_owned(),
            )
            .await?;
        if is_sqlite(manager) {
            manager
                .create_index(
                    Index::create()
                        .name(ANSWERS_INDEX)
                        .table(QuizAttempts::Table)
                        .col(QuizAttempts::LessonId)
                        .col(QuizAttempts::Answers)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if is_sqlite(manager) {
            manager
                .drop_index(
                    Index::drop()
                        .name(ANSWERS_INDEX)
                        .table(QuizAttempts::Table)
                        .to_owned(),
                )
                .await?;
        }
        for (name, table) in [
            (USERS_INDEX, Users::Table.into_iden()),
            (ENROLMENTS_INDEX, Enrolments::Table.into_iden()),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
