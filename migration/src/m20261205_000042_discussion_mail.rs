//! Discussion mail (issue 19): each person's mail preferences (a default
//! and per-space choices: immediate, daily, weekly or none), and the
//! digests sent, one row per person, cadence and period, so that a digest
//! goes out once and the next one starts where it ended.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DiscussionMailSettings {
    Table,
    UserId,
    /// The default for every space: `immediate`, `daily`, `weekly` or `none`.
    Mode,
    /// Mentions, replies to one's threads and answers come at once.
    Direct,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DiscussionSpaceMail {
    Table,
    UserId,
    SpaceId,
    Mode,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DiscussionDigests {
    Table,
    UserId,
    /// `daily` or `weekly`.
    Cadence,
    /// Days (or weeks) since the epoch: the period the digest closes.
    Period,
    WindowStart,
    WindowEnd,
    Items,
    SentAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DiscussionSpaces {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

fn cascade(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DiscussionMailSettings::Table)
                    .col(pk_uuid(DiscussionMailSettings::UserId))
                    .col(string_len(DiscussionMailSettings::Mode, 16))
                    .col(boolean(DiscussionMailSettings::Direct))
                    .col(timestamp_with_time_zone(DiscussionMailSettings::UpdatedAt))
                    .foreign_key(&mut cascade(
                        (
                            DiscussionMailSettings::Table,
                            DiscussionMailSettings::UserId,
                        ),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DiscussionSpaceMail::Table)
                    .col(uuid(DiscussionSpaceMail::UserId))
                    .col(uuid(DiscussionSpaceMail::SpaceId))
                    .col(string_len(DiscussionSpaceMail::Mode, 16))
                    .col(timestamp_with_time_zone(DiscussionSpaceMail::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(DiscussionSpaceMail::UserId)
                            .col(DiscussionSpaceMail::SpaceId),
                    )
                    .foreign_key(&mut cascade(
                        (DiscussionSpaceMail::Table, DiscussionSpaceMail::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (DiscussionSpaceMail::Table, DiscussionSpaceMail::SpaceId),
                        (DiscussionSpaces::Table, DiscussionSpaces::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DiscussionDigests::Table)
                    .col(uuid(DiscussionDigests::UserId))
                    .col(string_len(DiscussionDigests::Cadence, 8))
                    .col(big_integer(DiscussionDigests::Period))
                    .col(timestamp_with_time_zone(DiscussionDigests::WindowStart))
                    .col(timestamp_with_time_zone(DiscussionDigests::WindowEnd))
                    .col(integer(DiscussionDigests::Items))
                    .col(timestamp_with_time_zone(DiscussionDigests::SentAt))
                    .primary_key(
                        Index::create()
                            .col(DiscussionDigests::UserId)
                            .col(DiscussionDigests::Cadence)
                            .col(DiscussionDigests::Period),
                    )
                    .foreign_key(&mut cascade(
                        (DiscussionDigests::Table, DiscussionDigests::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // The digest scan reads a period's notifications by time.
        manager
            .create_index(
                Index::create()
                    .name("idx_notifications_created")
                    .table(Notifications::Table)
                    .col(Notifications::CreatedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_notifications_created")
                    .table(Notifications::Table)
                    .to_owned(),
            )
            .await?;
        for t in [
            DiscussionDigests::Table.into_iden(),
            DiscussionSpaceMail::Table.into_iden(),
            DiscussionMailSettings::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
