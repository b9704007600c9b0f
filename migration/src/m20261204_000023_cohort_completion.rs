//! Cohort certificates: one per member who completes a cohort (its
//! completion rule is the `completion` column of `cohorts`), in addition to
//! the course certificate. The columns follow `certificates`, with the
//! cohort it names; the PDF is kept through the storage port like theirs.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CohortCertificates {
    Table,
    Id,
    Code,
    CohortId,
    UserId,
    CourseId,
    HolderName,
    CohortTitle,
    CourseTitle,
    Locale,
    DurationMinutes,
    CompletedAt,
    IssuedAt,
    StorageKey,
    StoredAt,
    RevokedAt,
    RevocationReason,
    OrganisationName,
}

#[derive(DeriveIden)]
enum Cohorts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CohortCertificates::Table)
                    .col(pk_uuid(CohortCertificates::Id))
                    .col(string_len_uniq(CohortCertificates::Code, 32))
                    .col(uuid(CohortCertificates::CohortId))
                    .col(uuid(CohortCertificates::UserId))
                    .col(uuid(CohortCertificates::CourseId))
                    // What the certificate says is fixed when it is issued.
                    .col(string_len(CohortCertificates::HolderName, 200))
                    .col(string_len(CohortCertificates::CohortTitle, 300))
                    .col(string_len(CohortCertificates::CourseTitle, 300))
                    .col(string_len(CohortCertificates::Locale, 8))
                    .col(integer(CohortCertificates::DurationMinutes))
                    .col(timestamp_with_time_zone(CohortCertificates::CompletedAt))
                    .col(timestamp_with_time_zone(CohortCertificates::IssuedAt))
                    .col(string_len(CohortCertificates::StorageKey, 200))
                    .col(timestamp_with_time_zone_null(CohortCertificates::StoredAt))
                    .col(timestamp_with_time_zone_null(CohortCertificates::RevokedAt))
                    .col(text_null(CohortCertificates::RevocationReason))
                    .col(string_len_null(CohortCertificates::OrganisationName, 200))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CohortCertificates::Table, CohortCertificates::CohortId)
                            .to(Cohorts::Table, Cohorts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CohortCertificates::Table, CohortCertificates::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One certificate per member and cohort, whatever the retries.
        manager
            .create_index(
                Index::create()
                    .name("idx_cohort_certificates_member")
                    .table(CohortCertificates::Table)
                    .col(CohortCertificates::CohortId)
                    .col(CohortCertificates::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cohort_certificates_user")
                    .table(CohortCertificates::Table)
                    .col(CohortCertificates::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CohortCertificates::Table).to_owned())
            .await
    }
}
