//! The practice library (issue 19): what cities did, submitted by their
//! members and reviewed by moderators, and the messages of "Contact this
//! city" with the recipients' refusals.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Practices {
    Table,
    Id,
    Slug,
    OrganisationId,
    AuthorId,
    /// `draft`, `submitted`, `changes_requested`, `published` or `unpublished`.
    Status,
    City,
    /// ISO 3166-1 alpha-2, upper case.
    Country,
    /// UN M49 region and sub-region, derived from the country.
    M49Region,
    M49Subregion,
    PopulationBand,
    /// `["sdg:11", "sdg:11.5", "sendai:1", "sendai-target:b"]`.
    Codes,
    BudgetRange,
    StartedYear,
    DurationMonths,
    DefaultLocale,
    /// `{locale: {title, summary, challenge, actions, results, lessons,
    /// partners, indicators: [{name, figure}]}}`.
    Texts,
    /// `[{url, title}]`.
    Sources,
    /// The person "Contact this city" writes to, when they opted in.
    ContactUserId,
    ReviewNote,
    /// Loaded from the repository's `practices/` folder.
    Shipped,
    CreatedAt,
    UpdatedAt,
    SubmittedAt,
    PublishedAt,
}

#[derive(DeriveIden)]
enum PracticeMessages {
    Table,
    Id,
    PracticeId,
    SenderId,
    RecipientId,
    Body,
    /// The proof in the mail's links (refuse, share my address).
    Token,
    RevealedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PracticeContactRefusals {
    Table,
    RecipientId,
    SenderId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

fn fk(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Practices::Table)
                    .col(pk_uuid(Practices::Id))
                    .col(string_len_uniq(Practices::Slug, 80))
                    .col(uuid(Practices::OrganisationId))
                    .col(uuid_null(Practices::AuthorId))
                    .col(string_len(Practices::Status, 20))
                    .col(string_len(Practices::City, 120))
                    .col(string_len(Practices::Country, 2))
                    .col(string_len(Practices::M49Region, 3))
                    .col(string_len(Practices::M49Subregion, 3))
                    .col(string_len(Practices::PopulationBand, 16))
                    .col(json(Practices::Codes))
                    .col(string_len_null(Practices::BudgetRange, 16))
                    .col(integer_null(Practices::StartedYear))
                    .col(integer_null(Practices::DurationMonths))
                    .col(string_len(Practices::DefaultLocale, 2))
                    .col(json(Practices::Texts))
                    .col(json(Practices::Sources))
                    .col(uuid_null(Practices::ContactUserId))
                    .col(text_null(Practices::ReviewNote))
                    .col(boolean(Practices::Shipped))
                    .col(timestamp_with_time_zone(Practices::CreatedAt))
                    .col(timestamp_with_time_zone(Practices::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Practices::SubmittedAt))
                    .col(timestamp_with_time_zone_null(Practices::PublishedAt))
                    .foreign_key(&mut fk(
                        (Practices::Table, Practices::OrganisationId),
                        (Organisations::Table, Organisations::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (Practices::Table, Practices::AuthorId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        (Practices::Table, Practices::ContactUserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_practices_status", Practices::Status),
            ("idx_practices_organisation", Practices::OrganisationId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Practices::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(PracticeMessages::Table)
                    .col(pk_uuid(PracticeMessages::Id))
                    .col(uuid(PracticeMessages::PracticeId))
                    .col(uuid(PracticeMessages::SenderId))
                    .col(uuid(PracticeMessages::RecipientId))
                    .col(text(PracticeMessages::Body))
                    .col(string_len_uniq(PracticeMessages::Token, 64))
                    .col(timestamp_with_time_zone_null(PracticeMessages::RevealedAt))
                    .col(timestamp_with_time_zone(PracticeMessages::CreatedAt))
                    .foreign_key(&mut fk(
                        (PracticeMessages::Table, PracticeMessages::PracticeId),
                        (Practices::Table, Practices::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (PracticeMessages::Table, PracticeMessages::SenderId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (PracticeMessages::Table, PracticeMessages::RecipientId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PracticeContactRefusals::Table)
                    .col(uuid(PracticeContactRefusals::RecipientId))
                    .col(uuid(PracticeContactRefusals::SenderId))
                    .col(timestamp_with_time_zone(PracticeContactRefusals::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(PracticeContactRefusals::RecipientId)
                            .col(PracticeContactRefusals::SenderId),
                    )
                    .foreign_key(&mut fk(
                        (
                            PracticeContactRefusals::Table,
                            PracticeContactRefusals::RecipientId,
                        ),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (
                            PracticeContactRefusals::Table,
                            PracticeContactRefusals::SenderId,
                        ),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            PracticeContactRefusals::Table.into_iden(),
            PracticeMessages::Table.into_iden(),
            Practices::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
