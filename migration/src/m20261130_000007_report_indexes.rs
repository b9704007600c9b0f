//! Indexes for course reports: lesson completions and quiz attempts counted
//! per lesson. Their primary key and index start with the enrolment, which
//! does not help a question asked per lesson of one course.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LessonProgress {
    Table,
    LessonId,
}

#[derive(DeriveIden)]
enum QuizAttempts {
    Table,
    LessonId,
}

const PROGRESS_INDEX: &str = "idx_lesson_progress_lesson";
const ATTEMPTS_INDEX: &str = "idx_quiz_attempts_lesson";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(PROGRESS_INDEX)
                    .table(LessonProgress::Table)
                    .col(LessonProgress::LessonId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(ATTEMPTS_INDEX)
                    .table(QuizAttempts::Table)
                    .col(QuizAttempts::LessonId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in [
            (ATTEMPTS_INDEX, QuizAttempts::Table.into_iden()),
            (PROGRESS_INDEX, LessonProgress::Table.into_iden()),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
