//! Cohort announcements (issue 18): a facilitator's title and Markdown
//! body, shown on the cohort page and mailed once to each member.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CohortAnnouncements {
    Table,
    Id,
    CohortId,
    AuthorId,
    Title,
    /// Markdown.
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Cohorts {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CohortAnnouncements::Table)
                    .col(pk_uuid(CohortAnnouncements::Id))
                    .col(uuid(CohortAnnouncements::CohortId))
                    .col(uuid_null(CohortAnnouncements::AuthorId))
                    .col(string_len(CohortAnnouncements::Title, 200))
                    .col(text(CohortAnnouncements::Body))
                    .col(timestamp_with_time_zone(CohortAnnouncements::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CohortAnnouncements::Table, CohortAnnouncements::CohortId)
                            .to(Cohorts::Table, Cohorts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cohort_announcements_cohort")
                    .table(CohortAnnouncements::Table)
                    .col(CohortAnnouncements::CohortId)
                    .col(CohortAnnouncements::CreatedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CohortAnnouncements::Table).to_owned())
            .await
    }
}
