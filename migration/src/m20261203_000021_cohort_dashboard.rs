//! The facilitator dashboard's falling-behind rules, one row per cohort
//! (a cohort without a row uses the defaults): no course activity for
//! `inactive_days`, or `missed_sessions` recorded absences.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CohortBehindRules {
    Table,
    CohortId,
    InactiveDays,
    MissedSessions,
    UpdatedAt,
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
                    .table(CohortBehindRules::Table)
                    .col(pk_uuid(CohortBehindRules::CohortId))
                    .col(integer(CohortBehindRules::InactiveDays))
                    .col(integer(CohortBehindRules::MissedSessions))
                    .col(timestamp_with_time_zone(CohortBehindRules::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CohortBehindRules::Table, CohortBehindRules::CohortId)
                            .to(Cohorts::Table, Cohorts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CohortBehindRules::Table).to_owned())
            .await
    }
}
