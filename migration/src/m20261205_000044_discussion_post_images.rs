//! Images people attach to their discussion posts (issue 19): PNG, JPEG or
//! WebP judged by their content, each with its text alternative, kept in
//! the storage port under their content address. Removing one from a post
//! keeps its row (with `removed_at`) for the space's moderators.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DiscussionPostImages {
    Table,
    PostId,
    Sha256,
    /// `png`, `jpg` or `webp`: from the content, never the name.
    Ext,
    ContentType,
    Size,
    Alt,
    Width,
    Height,
    CreatedAt,
    /// Removed by its author: shown to moderators only.
    RemovedAt,
}

#[derive(DeriveIden)]
enum DiscussionPosts {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use DiscussionPostImages as I;
        manager
            .create_table(
                Table::create()
                    .table(I::Table)
                    .col(uuid(I::PostId))
                    .col(string_len(I::Sha256, 64))
                    .col(string_len(I::Ext, 8))
                    .col(string_len(I::ContentType, 32))
                    .col(big_integer(I::Size))
                    .col(text(I::Alt))
                    .col(integer(I::Width))
                    .col(integer(I::Height))
                    .col(timestamp_with_time_zone(I::CreatedAt))
                    .col(timestamp_with_time_zone_null(I::RemovedAt))
                    .primary_key(Index::create().col(I::PostId).col(I::Sha256))
                    .foreign_key(
                        ForeignKey::create()
                            .from(I::Table, I::PostId)
                            .to(DiscussionPosts::Table, DiscussionPosts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DiscussionPostImages::Table).to_owned())
            .await
    }
}
