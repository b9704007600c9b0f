//! Offline learning (issue 23): the events a learner's device sends with its
//! own id (lesson completions, quiz attempts), so that a retry after a lost
//! answer is recognised as the same event and changes nothing. One row per
//! learner and event id: the unique key is what makes a replay a replay.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ClientEvents {
    Table,
    UserId,
    /// The id the device chose (a UUID).
    EventId,
    /// `completion` or `attempt`.
    Kind,
    EnrolmentId,
    LessonId,
    /// The attempt an `attempt` event recorded.
    AttemptId,
    /// Whether the attempt's feedback revealed the right answers.
    Reveal,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Enrolments {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ClientEvents::Table)
                    .col(uuid(ClientEvents::UserId))
                    .col(uuid(ClientEvents::EventId))
                    .col(string_len(ClientEvents::Kind, 20))
                    .col(uuid(ClientEvents::EnrolmentId))
                    .col(uuid(ClientEvents::LessonId))
                    .col(uuid_null(ClientEvents::AttemptId))
                    .col(boolean(ClientEvents::Reveal).default(false))
                    .col(timestamp_with_time_zone(ClientEvents::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(ClientEvents::UserId)
                            .col(ClientEvents::EventId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ClientEvents::Table, ClientEvents::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ClientEvents::Table, ClientEvents::EnrolmentId)
                            .to(Enrolments::Table, Enrolments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_client_events_enrolment")
                    .table(ClientEvents::Table)
                    .col(ClientEvents::EnrolmentId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ClientEvents::Table).to_owned())
            .await
    }
}
