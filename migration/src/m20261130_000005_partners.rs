//! Partners that list Agora's courses on their own sites: their API keys
//! (stored hashed), their curated collections, and the visits and
//! enrolments that came through their embeds.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Partners {
    Table,
    Id,
    Slug,
    Name,
    /// JSON list of exact origins (`scheme://host[:port]`) allowed by CORS.
    AllowedOrigins,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PartnerKeys {
    Table,
    Id,
    PartnerId,
    Name,
    KeyHash,
    /// The first characters of the key, to recognise it in a list.
    KeyPrefix,
    /// Space-separated scopes: `catalogue:read`, `stats:read`.
    Scopes,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum PartnerCollections {
    Table,
    Id,
    PartnerId,
    Slug,
    Title,
    /// JSON list of course slugs, in the partner's order; empty for a rule.
    CourseSlugs,
    /// JSON lists; a course matches when it matches every non-empty list.
    RuleThemes,
    RuleLanguages,
    RuleLevels,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PartnerEvents {
    Table,
    Id,
    PartnerId,
    CourseId,
    /// `visit` or `enrolment`.
    Kind,
    /// For enrolments: one attribution per enrolment, whatever the retries.
    EnrolmentId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Courses {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Enrolments {
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
                    .table(Partners::Table)
                    .col(pk_uuid(Partners::Id))
                    .col(string_len_uniq(Partners::Slug, 80))
                    .col(string_len(Partners::Name, 200))
                    .col(json(Partners::AllowedOrigins))
                    .col(timestamp_with_time_zone(Partners::CreatedAt))
                    .col(timestamp_with_time_zone(Partners::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PartnerKeys::Table)
                    .col(pk_uuid(PartnerKeys::Id))
                    .col(uuid(PartnerKeys::PartnerId))
                    .col(string_len(PartnerKeys::Name, 100))
                    .col(string_len_uniq(PartnerKeys::KeyHash, 64))
                    .col(string_len(PartnerKeys::KeyPrefix, 16))
                    .col(string_len(PartnerKeys::Scopes, 100))
                    .col(timestamp_with_time_zone(PartnerKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(PartnerKeys::ExpiresAt))
                    .col(timestamp_with_time_zone_null(PartnerKeys::RevokedAt))
                    .col(timestamp_with_time_zone_null(PartnerKeys::LastUsedAt))
                    .foreign_key(&mut cascade(
                        (PartnerKeys::Table, PartnerKeys::PartnerId),
                        (Partners::Table, Partners::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_partner_keys_partner")
                    .table(PartnerKeys::Table)
                    .col(PartnerKeys::PartnerId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PartnerCollections::Table)
                    .col(pk_uuid(PartnerCollections::Id))
                    .col(uuid(PartnerCollections::PartnerId))
                    .col(string_len(PartnerCollections::Slug, 80))
                    .col(string_len(PartnerCollections::Title, 200))
                    .col(json(PartnerCollections::CourseSlugs))
                    .col(json(PartnerCollections::RuleThemes))
                    .col(json(PartnerCollections::RuleLanguages))
                    .col(json(PartnerCollections::RuleLevels))
                    .col(timestamp_with_time_zone(PartnerCollections::CreatedAt))
                    .col(timestamp_with_time_zone(PartnerCollections::UpdatedAt))
                    .foreign_key(&mut cascade(
                        (PartnerCollections::Table, PartnerCollections::PartnerId),
                        (Partners::Table, Partners::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_partner_collections_slug")
                    .table(PartnerCollections::Table)
                    .col(PartnerCollections::PartnerId)
                    .col(PartnerCollections::Slug)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PartnerEvents::Table)
                    .col(pk_uuid(PartnerEvents::Id))
                    .col(uuid(PartnerEvents::PartnerId))
                    .col(uuid(PartnerEvents::CourseId))
                    .col(string_len(PartnerEvents::Kind, 16))
                    .col(uuid_null(PartnerEvents::EnrolmentId))
                    .col(timestamp_with_time_zone(PartnerEvents::CreatedAt))
                    .foreign_key(&mut cascade(
                        (PartnerEvents::Table, PartnerEvents::PartnerId),
                        (Partners::Table, Partners::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (PartnerEvents::Table, PartnerEvents::CourseId),
                        (Courses::Table, Courses::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (PartnerEvents::Table, PartnerEvents::EnrolmentId),
                        (Enrolments::Table, Enrolments::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_partner_events_partner_kind")
                    .table(PartnerEvents::Table)
                    .col(PartnerEvents::PartnerId)
                    .col(PartnerEvents::Kind)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_partner_events_enrolment")
                    .table(PartnerEvents::Table)
                    .col(PartnerEvents::EnrolmentId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            PartnerEvents::Table.into_iden(),
            PartnerCollections::Table.into_iden(),
            PartnerKeys::Table.into_iden(),
            Partners::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
