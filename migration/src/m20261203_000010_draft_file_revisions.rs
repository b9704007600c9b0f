//! Each draft file records the draft revision that last changed it, so the
//! translation view compares revisions (a translation is outdated when its
//! source changed in a later revision), not clocks.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DraftFiles {
    Table,
    Revision,
}

/// Existing files get revisions in the order of their dates: the files of
/// the latest save get the draft's revision, those of each earlier save one
/// less per save in between. Plain SQL both databases read alike (a
/// correlated subquery per row; drafts are few and small).
const BACKFILL: &str = "UPDATE draft_files SET revision = \
    COALESCE((SELECT d.revision FROM course_drafts d WHERE d.course_id = draft_files.course_id), 0) \
    - (SELECT COUNT(DISTINCT f.updated_at) FROM draft_files f \
       WHERE f.course_id = draft_files.course_id AND f.updated_at > draft_files.updated_at)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(DraftFiles::Table)
                    .add_column(big_integer(DraftFiles::Revision).default(0))
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
                    .table(DraftFiles::Table)
                    .drop_column(DraftFiles::Revision)
                    .to_owned(),
            )
            .await
    }
}
