//! LTI 1.3 (issue 21): the platforms (LMSs) an admin registered, Agora's own
//! RSA keys, the state of each OIDC login in flight (with its nonce, used
//! once), the accounts matched by (platform, subject), the resource links a
//! user was launched from (with the line item grades go to) and the deep
//! linking requests waiting for an instructor's choice.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LtiPlatforms {
    Table,
    Id,
    Name,
    Issuer,
    ClientId,
    /// One deployment id per line.
    DeploymentIds,
    AuthEndpoint,
    JwksUrl,
    TokenEndpoint,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LtiKeys {
    Table,
    Id,
    Kid,
    /// The PKCS#1 DER private key, base64. Never logged.
    PrivateKey,
    CreatedAt,
    RetiredAt,
}

#[derive(DeriveIden)]
enum LtiStates {
    Table,
    /// SHA-256 of the state sent to the platform (and kept in a cookie).
    StateHash,
    PlatformId,
    Nonce,
    TargetLinkUri,
    ExpiresAt,
    /// Set when a launch consumed it: a nonce is used once.
    UsedAt,
}

#[derive(DeriveIden)]
enum LtiAccounts {
    Table,
    PlatformId,
    Subject,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LtiLinks {
    Table,
    Id,
    PlatformId,
    UserId,
    Subject,
    ResourceLinkId,
    CourseId,
    LessonKey,
    Instructor,
    LineitemUrl,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LtiDeepLinks {
    Table,
    TokenHash,
    PlatformId,
    DeploymentId,
    UserId,
    ReturnUrl,
    Data,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
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
                    .table(LtiPlatforms::Table)
                    .col(pk_uuid(LtiPlatforms::Id))
                    .col(string_len(LtiPlatforms::Name, 200))
                    .col(string_len(LtiPlatforms::Issuer, 1000))
                    .col(string_len(LtiPlatforms::ClientId, 255))
                    .col(text(LtiPlatforms::DeploymentIds))
                    .col(string_len(LtiPlatforms::AuthEndpoint, 1000))
                    .col(string_len(LtiPlatforms::JwksUrl, 1000))
                    .col(string_len(LtiPlatforms::TokenEndpoint, 1000))
                    .col(timestamp_with_time_zone(LtiPlatforms::CreatedAt))
                    .col(timestamp_with_time_zone(LtiPlatforms::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("lti_platforms_issuer_client")
                    .table(LtiPlatforms::Table)
                    .col(LtiPlatforms::Issuer)
                    .col(LtiPlatforms::ClientId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LtiKeys::Table)
                    .col(pk_uuid(LtiKeys::Id))
                    .col(string_len_uniq(LtiKeys::Kid, 40))
                    .col(text(LtiKeys::PrivateKey))
                    .col(timestamp_with_time_zone(LtiKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(LtiKeys::RetiredAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LtiStates::Table)
                    .col(string_len(LtiStates::StateHash, 64).primary_key())
                    .col(uuid(LtiStates::PlatformId))
                    .col(string_len(LtiStates::Nonce, 64))
                    .col(string_len(LtiStates::TargetLinkUri, 1000))
                    .col(timestamp_with_time_zone(LtiStates::ExpiresAt))
                    .col(timestamp_with_time_zone_null(LtiStates::UsedAt))
                    .foreign_key(&mut cascade(
                        (LtiStates::Table, LtiStates::PlatformId),
                        (LtiPlatforms::Table, LtiPlatforms::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LtiAccounts::Table)
                    .col(uuid(LtiAccounts::PlatformId))
                    .col(string_len(LtiAccounts::Subject, 255))
                    .col(uuid(LtiAccounts::UserId))
                    .col(timestamp_with_time_zone(LtiAccounts::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(LtiAccounts::PlatformId)
                            .col(LtiAccounts::Subject),
                    )
                    .foreign_key(&mut cascade(
                        (LtiAccounts::Table, LtiAccounts::PlatformId),
                        (LtiPlatforms::Table, LtiPlatforms::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (LtiAccounts::Table, LtiAccounts::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LtiLinks::Table)
                    .col(pk_uuid(LtiLinks::Id))
                    .col(uuid(LtiLinks::PlatformId))
                    .col(uuid(LtiLinks::UserId))
                    .col(string_len(LtiLinks::Subject, 255))
                    .col(string_len(LtiLinks::ResourceLinkId, 255))
                    .col(uuid(LtiLinks::CourseId))
                    .col(string_len_null(LtiLinks::LessonKey, 200))
                    .col(boolean(LtiLinks::Instructor))
                    .col(string_len_null(LtiLinks::LineitemUrl, 1000))
                    .col(timestamp_with_time_zone(LtiLinks::UpdatedAt))
                    .foreign_key(&mut cascade(
                        (LtiLinks::Table, LtiLinks::PlatformId),
                        (LtiPlatforms::Table, LtiPlatforms::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (LtiLinks::Table, LtiLinks::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (LtiLinks::Table, LtiLinks::CourseId),
                        (Courses::Table, Courses::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("lti_links_user_link")
                    .table(LtiLinks::Table)
                    .col(LtiLinks::PlatformId)
                    .col(LtiLinks::UserId)
                    .col(LtiLinks::ResourceLinkId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("lti_links_user_course")
                    .table(LtiLinks::Table)
                    .col(LtiLinks::UserId)
                    .col(LtiLinks::CourseId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LtiDeepLinks::Table)
                    .col(string_len(LtiDeepLinks::TokenHash, 64).primary_key())
                    .col(uuid(LtiDeepLinks::PlatformId))
                    .col(string_len(LtiDeepLinks::DeploymentId, 255))
                    .col(uuid(LtiDeepLinks::UserId))
                    .col(string_len(LtiDeepLinks::ReturnUrl, 1000))
                    .col(text_null(LtiDeepLinks::Data))
                    .col(timestamp_with_time_zone(LtiDeepLinks::ExpiresAt))
                    .col(timestamp_with_time_zone_null(LtiDeepLinks::UsedAt))
                    .foreign_key(&mut cascade(
                        (LtiDeepLinks::Table, LtiDeepLinks::PlatformId),
                        (LtiPlatforms::Table, LtiPlatforms::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (LtiDeepLinks::Table, LtiDeepLinks::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            LtiDeepLinks::Table.into_iden(),
            LtiLinks::Table.into_iden(),
            LtiAccounts::Table.into_iden(),
            LtiStates::Table.into_iden(),
            LtiKeys::Table.into_iden(),
            LtiPlatforms::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
