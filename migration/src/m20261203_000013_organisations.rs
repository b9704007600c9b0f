//! Organisations (local and regional governments, their associations and
//! partner institutions), the networks they belong to, their staff, email
//! domains and invitations, and the coordinators who read a network's
//! reports.
//!
//! A learner belongs to at most one organisation: `organisation_members`
//! is keyed by the user. A pending request or an active membership is one
//! row; leaving deletes it, so sharing stops at once and the learner's own
//! records (enrolments, progress, certificates) are untouched.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Networks {
    Table,
    Id,
    Slug,
    /// The name in the default locale; `names` holds the other locales.
    Name,
    /// JSON object: locale -> name.
    Names,
    Website,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
    Slug,
    Name,
    /// JSON object: locale -> name.
    Names,
    /// `municipality`, `region`, `metropolitan`, `association` or `other`.
    Kind,
    /// ISO 3166-1 alpha-2, upper case.
    Country,
    /// UN M49 region and sub-region codes (three digits), from the country.
    M49Region,
    M49Subregion,
    /// `under-10k`, `10k-50k`, `50k-100k`, `100k-500k`, `500k-1m`, `1m-5m`, `over-5m`.
    PopulationBand,
    Website,
    /// The organisation's page is visible to everyone (never its staff list).
    Public,
    /// Domain matches join without an administrator's approval.
    AutoApprove,
    /// When a member first enrolled in a course: the organisation "joined
    /// through learning" then. Set once by the enrolment service.
    FirstEnrolmentAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrganisationNetworks {
    Table,
    OrganisationId,
    NetworkId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OrganisationDomains {
    Table,
    /// Lower case, without `@`; unique across organisations.
    Domain,
    OrganisationId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OrganisationMembers {
    Table,
    UserId,
    OrganisationId,
    /// `pending` (asked, or matched a domain; waits for approval) or `active`.
    Status,
    /// `member` or `admin`.
    Role,
    /// `request`, `domain`, `invitation` or `admin` (added by an administrator).
    Via,
    JobTitle,
    Department,
    /// The learner hides their progress from the organisation.
    HideProgress,
    RequestedAt,
    JoinedAt,
}

#[derive(DeriveIden)]
enum OrganisationInvitations {
    Table,
    Id,
    OrganisationId,
    /// For an invitation by email; `NULL` for a link anyone can use.
    Email,
    TokenHash,
    /// `member` or `admin`.
    Role,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    /// Email invitations are used once; links until revoked or expired.
    UsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum NetworkCoordinators {
    Table,
    NetworkId,
    UserId,
    CreatedAt,
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

fn index(name: &str, table: impl IntoIden, cols: Vec<DynIden>) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(col);
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Networks::Table)
                    .col(pk_uuid(Networks::Id))
                    .col(string_len_uniq(Networks::Slug, 80))
                    .col(string_len(Networks::Name, 200))
                    .col(json(Networks::Names))
                    .col(string_len_null(Networks::Website, 300))
                    .col(timestamp_with_time_zone(Networks::CreatedAt))
                    .col(timestamp_with_time_zone(Networks::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Organisations::Table)
                    .col(pk_uuid(Organisations::Id))
                    .col(string_len_uniq(Organisations::Slug, 80))
                    .col(string_len(Organisations::Name, 200))
                    .col(json(Organisations::Names))
                    .col(string_len(Organisations::Kind, 16))
                    .col(string_len(Organisations::Country, 2))
                    .col(string_len(Organisations::M49Region, 3))
                    .col(string_len(Organisations::M49Subregion, 3))
                    .col(string_len(Organisations::PopulationBand, 16))
                    .col(string_len_null(Organisations::Website, 300))
                    .col(boolean(Organisations::Public).default(false))
                    .col(boolean(Organisations::AutoApprove).default(false))
                    .col(timestamp_with_time_zone_null(
                        Organisations::FirstEnrolmentAt,
                    ))
                    .col(timestamp_with_time_zone(Organisations::CreatedAt))
                    .col(timestamp_with_time_zone(Organisations::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_organisations_country",
                Organisations::Table,
                vec![Organisations::Country.into_iden()],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrganisationNetworks::Table)
                    .col(uuid(OrganisationNetworks::OrganisationId))
                    .col(uuid(OrganisationNetworks::NetworkId))
                    .col(timestamp_with_time_zone(OrganisationNetworks::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(OrganisationNetworks::OrganisationId)
                            .col(OrganisationNetworks::NetworkId),
                    )
                    .foreign_key(&mut cascade(
                        (
                            OrganisationNetworks::Table,
                            OrganisationNetworks::OrganisationId,
                        ),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (OrganisationNetworks::Table, OrganisationNetworks::NetworkId),
                        (Networks::Table, Networks::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_organisation_networks_network",
                OrganisationNetworks::Table,
                vec![
                    OrganisationNetworks::NetworkId.into_iden(),
                    OrganisationNetworks::OrganisationId.into_iden(),
                ],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrganisationDomains::Table)
                    .col(string_len(OrganisationDomains::Domain, 253).primary_key())
                    .col(uuid(OrganisationDomains::OrganisationId))
                    .col(timestamp_with_time_zone(OrganisationDomains::CreatedAt))
                    .foreign_key(&mut cascade(
                        (
                            OrganisationDomains::Table,
                            OrganisationDomains::OrganisationId,
                        ),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_organisation_domains_organisation",
                OrganisationDomains::Table,
                vec![OrganisationDomains::OrganisationId.into_iden()],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrganisationMembers::Table)
                    .col(uuid(OrganisationMembers::UserId).primary_key())
                    .col(uuid(OrganisationMembers::OrganisationId))
                    .col(string_len(OrganisationMembers::Status, 16))
                    .col(string_len(OrganisationMembers::Role, 16))
                    .col(string_len(OrganisationMembers::Via, 16))
                    .col(string_len(OrganisationMembers::JobTitle, 200).default(""))
                    .col(string_len(OrganisationMembers::Department, 200).default(""))
                    .col(boolean(OrganisationMembers::HideProgress).default(false))
                    .col(timestamp_with_time_zone(OrganisationMembers::RequestedAt))
                    .col(timestamp_with_time_zone_null(OrganisationMembers::JoinedAt))
                    .foreign_key(&mut cascade(
                        (OrganisationMembers::Table, OrganisationMembers::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (
                            OrganisationMembers::Table,
                            OrganisationMembers::OrganisationId,
                        ),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_organisation_members_organisation",
                OrganisationMembers::Table,
                vec![
                    OrganisationMembers::OrganisationId.into_iden(),
                    OrganisationMembers::Status.into_iden(),
                    OrganisationMembers::HideProgress.into_iden(),
                    OrganisationMembers::UserId.into_iden(),
                ],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrganisationInvitations::Table)
                    .col(pk_uuid(OrganisationInvitations::Id))
                    .col(uuid(OrganisationInvitations::OrganisationId))
                    .col(string_len_null(OrganisationInvitations::Email, 254))
                    .col(string_len_uniq(OrganisationInvitations::TokenHash, 64))
                    .col(string_len(OrganisationInvitations::Role, 16))
                    .col(uuid_null(OrganisationInvitations::CreatedBy))
                    .col(timestamp_with_time_zone(OrganisationInvitations::CreatedAt))
                    .col(timestamp_with_time_zone(OrganisationInvitations::ExpiresAt))
                    .col(timestamp_with_time_zone_null(
                        OrganisationInvitations::UsedAt,
                    ))
                    .col(timestamp_with_time_zone_null(
                        OrganisationInvitations::RevokedAt,
                    ))
                    .foreign_key(&mut cascade(
                        (
                            OrganisationInvitations::Table,
                            OrganisationInvitations::OrganisationId,
                        ),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_organisation_invitations_organisation",
                OrganisationInvitations::Table,
                vec![OrganisationInvitations::OrganisationId.into_iden()],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NetworkCoordinators::Table)
                    .col(uuid(NetworkCoordinators::NetworkId))
                    .col(uuid(NetworkCoordinators::UserId))
                    .col(timestamp_with_time_zone(NetworkCoordinators::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(NetworkCoordinators::NetworkId)
                            .col(NetworkCoordinators::UserId),
                    )
                    .foreign_key(&mut cascade(
                        (NetworkCoordinators::Table, NetworkCoordinators::NetworkId),
                        (Networks::Table, Networks::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (NetworkCoordinators::Table, NetworkCoordinators::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_network_coordinators_user",
                NetworkCoordinators::Table,
                vec![NetworkCoordinators::UserId.into_iden()],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            NetworkCoordinators::Table.into_iden(),
            OrganisationInvitations::Table.into_iden(),
            OrganisationMembers::Table.into_iden(),
            OrganisationDomains::Table.into_iden(),
            OrganisationNetworks::Table.into_iden(),
            Organisations::Table.into_iden(),
            Networks::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
