//! The content generation: one row whose number goes up in the same
//! transaction as every change to published content (publish, unpublish,
//! archive, import). Every `agora serve` polls it and drops what it has
//! rendered from published content when it moves.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ContentGeneration {
    Table,
    Id,
    Generation,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ContentGeneration::Table)
                    .col(integer(ContentGeneration::Id).primary_key())
                    .col(big_integer(ContentGeneration::Generation).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(ContentGeneration::Table)
                    .columns([ContentGeneration::Id, ContentGeneration::Generation])
                    .values_panic([1.into(), 0.into()])
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ContentGeneration::Table).to_owned())
            .await
    }
}
