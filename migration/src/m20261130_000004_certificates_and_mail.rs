//! Certificates with their public verification code, the log of mail handed to
//! the mail server (so a retried job never sends twice), and reminder state.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Certificates {
    Table,
    Id,
    Code,
    EnrolmentId,
    UserId,
    CourseId,
    HolderName,
    CourseTitle,
    Locale,
    DurationMinutes,
    CompletedAt,
    IssuedAt,
    StorageKey,
    StoredAt,
    RevokedAt,
    RevocationReason,
}

#[derive(DeriveIden)]
enum MailDeliveries {
    Table,
    Key,
    UserId,
    MessageId,
    Recipient,
    Subject,
    Status,
    Attempts,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum Enrolments {
    Table,
    Id,
    LastRemindedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    UnsubscribeToken,
}

#[derive(DeriveIden)]
enum Courses {
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
                    .table(Certificates::Table)
                    .col(pk_uuid(Certificates::Id))
                    .col(string_len_uniq(Certificates::Code, 32))
                    // One certificate per enrolment, whatever the retries.
                    .col(uuid_uniq(Certificates::EnrolmentId))
                    .col(uuid(Certificates::UserId))
                    .col(uuid(Certificates::CourseId))
                    // What the certificate says is fixed when it is issued.
                    .col(string_len(Certificates::HolderName, 200))
                    .col(string_len(Certificates::CourseTitle, 300))
                    .col(string_len(Certificates::Locale, 8))
                    .col(integer(Certificates::DurationMinutes))
                    .col(timestamp_with_time_zone(Certificates::CompletedAt))
                    .col(timestamp_with_time_zone(Certificates::IssuedAt))
                    .col(string_len(Certificates::StorageKey, 200))
                    .col(timestamp_with_time_zone_null(Certificates::StoredAt))
                    .col(timestamp_with_time_zone_null(Certificates::RevokedAt))
                    .col(text_null(Certificates::RevocationReason))
                    .foreign_key(&mut cascade(
                        (Certificates::Table, Certificates::EnrolmentId),
                        (Enrolments::Table, Enrolments::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (Certificates::Table, Certificates::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (Certificates::Table, Certificates::CourseId),
                        (Courses::Table, Courses::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_certificates_user")
                    .table(Certificates::Table)
                    .col(Certificates::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MailDeliveries::Table)
                    // The message's identity, e.g. `enrolled:<enrolment id>`.
                    .col(string_len(MailDeliveries::Key, 200).primary_key())
                    .col(uuid_null(MailDeliveries::UserId))
                    .col(string_len(MailDeliveries::MessageId, 200))
                    .col(string_len(MailDeliveries::Recipient, 320))
                    .col(string_len(MailDeliveries::Subject, 300))
                    // `sending` while handed to the server, `sent` once it accepted.
                    .col(string_len(MailDeliveries::Status, 16))
                    .col(integer(MailDeliveries::Attempts).default(0))
                    .col(timestamp_with_time_zone(MailDeliveries::CreatedAt))
                    .col(timestamp_with_time_zone_null(MailDeliveries::SentAt))
                    .foreign_key(&mut cascade(
                        (MailDeliveries::Table, MailDeliveries::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(Enrolments::Table)
                    .add_column(timestamp_with_time_zone_null(Enrolments::LastRemindedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(string_len_null(Users::UnsubscribeToken, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_users_unsubscribe_token")
                    .table(Users::Table)
                    .col(Users::UnsubscribeToken)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_enrolments_last_activity")
                    .table(Enrolments::Table)
                    .col(Alias::new("last_activity_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MailDeliveries::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Certificates::Table).to_owned())
            .await
    }
}
