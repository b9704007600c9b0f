//! A practice's files (PDF attachments, images with their text
//! alternative), described in one JSON column; the bytes are in storage.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Practices {
    Table,
    /// `[{sha256, ext, name, content_type, size, alt, width, height}]`.
    Files,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Practices::Table)
                    .add_column(
                        ColumnDef::new(Practices::Files)
                            .json()
                            .not_null()
                            .default("[]"),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Practices::Table)
                    .drop_column(Practices::Files)
                    .to_owned(),
            )
            .await
    }
}
