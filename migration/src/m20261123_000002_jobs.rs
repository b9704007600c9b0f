//! The job queue: work that must happen after a write, claimed by workers with a lease.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    Kind,
    Payload,
    DedupKey,
    Status,
    RunAt,
    Attempts,
    MaxAttempts,
    LastError,
    LockedBy,
    LockedUntil,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Times are epoch milliseconds: they compare the same way on SQLite and PostgreSQL.
        manager
            .create_table(
                Table::create()
                    .table(Jobs::Table)
                    .col(pk_uuid(Jobs::Id))
                    .col(string_len(Jobs::Kind, 64))
                    .col(json(Jobs::Payload))
                    .col(string_len_null(Jobs::DedupKey, 200).unique_key())
                    .col(string_len(Jobs::Status, 16))
                    .col(big_integer(Jobs::RunAt))
                    .col(integer(Jobs::Attempts).default(0))
                    .col(integer(Jobs::MaxAttempts))
                    .col(text_null(Jobs::LastError))
                    .col(string_len_null(Jobs::LockedBy, 64))
                    .col(big_integer_null(Jobs::LockedUntil))
                    .col(big_integer(Jobs::CreatedAt))
                    .col(big_integer(Jobs::UpdatedAt))
                    .col(big_integer_null(Jobs::FinishedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_jobs_status_run_at")
                    .table(Jobs::Table)
                    .col(Jobs::Status)
                    .col(Jobs::RunAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Jobs::Table).to_owned())
            .await
    }
}
