//! Organisation reports (issue 17, read side): the organisation a
//! certificate names, as it was when the certificate was issued.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Certificates {
    Table,
    /// The holder's organisation at issue time (in the certificate's
    /// locale), when they were an active member sharing their progress.
    OrganisationName,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Certificates::Table)
                    .add_column(string_len_null(Certificates::OrganisationName, 200))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Certificates::Table)
                    .drop_column(Certificates::OrganisationName)
                    .to_owned(),
            )
            .await
    }
}
