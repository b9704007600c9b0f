//! Open Badges 3.0 (issue 20): the Ed25519 keys that sign credentials, kept
//! after rotation so that earlier credentials stay verifiable, and one signed
//! credential per certificate with its place in the revocation status list.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CredentialKeys {
    Table,
    Id,
    /// The fragment of the verification method: `key-1`, `key-2`, ...
    Name,
    /// The 32-byte Ed25519 seed, hex. Never logged.
    SecretKey,
    /// `z6Mk...`: the public key as a multibase Multikey.
    PublicKeyMultibase,
    CreatedAt,
    /// Set when a newer key took over; the key still verifies.
    RetiredAt,
}

#[derive(DeriveIden)]
enum Credentials {
    Table,
    CertificateId,
    /// The bit of this credential in status list 1.
    StatusIndex,
    /// The signed credential, as issued.
    Document,
    IssuedAt,
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CredentialKeys::Table)
                    .col(pk_uuid(CredentialKeys::Id))
                    .col(string_len_uniq(CredentialKeys::Name, 40))
                    .col(string_len(CredentialKeys::SecretKey, 64))
                    .col(string_len_uniq(CredentialKeys::PublicKeyMultibase, 80))
                    .col(timestamp_with_time_zone(CredentialKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(CredentialKeys::RetiredAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Credentials::Table)
                    .col(pk_uuid(Credentials::CertificateId))
                    .col(integer_uniq(Credentials::StatusIndex))
                    .col(text(Credentials::Document))
                    .col(timestamp_with_time_zone(Credentials::IssuedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Credentials::Table, Credentials::CertificateId)
                            .to(Certificates::Table, Certificates::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Credentials::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(CredentialKeys::Table).to_owned())
            .await
    }
}
