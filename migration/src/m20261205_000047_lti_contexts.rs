//! LTI Names and Role Provisioning Services (issue 21): the LMS contexts
//! (courses) Agora was launched from, with the roster address the platform
//! sent for each, and who launched from which context into which course
//! and as what, so that a context's instructors (and admins) may read its
//! roster.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LtiContexts {
    Table,
    Id,
    PlatformId,
    DeploymentId,
    /// The LTI context claim's `id`.
    ContextId,
    /// The LTI context claim's `title`.
    Title,
    /// The NRPS claim's `context_memberships_url`, when the platform sent it.
    MembershipsUrl,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LtiContextLaunches {
    Table,
    ContextRef,
    UserId,
    CourseId,
    Instructor,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LtiPlatforms {
    Table,
    Id,
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
                    .table(LtiContexts::Table)
                    .col(pk_uuid(LtiContexts::Id))
                    .col(uuid(LtiContexts::PlatformId))
                    .col(string_len(LtiContexts::DeploymentId, 255))
                    .col(string_len(LtiContexts::ContextId, 255))
                    .col(string_len_null(LtiContexts::Title, 500))
                    .col(string_len_null(LtiContexts::MembershipsUrl, 1000))
                    .col(timestamp_with_time_zone(LtiContexts::UpdatedAt))
                    .foreign_key(&mut cascade(
                        (LtiContexts::Table, LtiContexts::PlatformId),
                        (LtiPlatforms::Table, LtiPlatforms::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("lti_contexts_platform_context")
                    .table(LtiContexts::Table)
                    .col(LtiContexts::PlatformId)
                    .col(LtiContexts::DeploymentId)
                    .col(LtiContexts::ContextId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LtiContextLaunches::Table)
                    .col(uuid(LtiContextLaunches::ContextRef))
                    .col(uuid(LtiContextLaunches::UserId))
                    .col(uuid(LtiContextLaunches::CourseId))
                    .col(boolean(LtiContextLaunches::Instructor))
                    .col(timestamp_with_time_zone(LtiContextLaunches::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(LtiContextLaunches::ContextRef)
                            .col(LtiContextLaunches::UserId)
                            .col(LtiContextLaunches::CourseId),
                    )
                    .foreign_key(&mut cascade(
                        (LtiContextLaunches::Table, LtiContextLaunches::ContextRef),
                        (LtiContexts::Table, LtiContexts::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (LtiContextLaunches::Table, LtiContextLaunches::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (LtiContextLaunches::Table, LtiContextLaunches::CourseId),
                        (Courses::Table, Courses::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("lti_context_launches_course")
                    .table(LtiContextLaunches::Table)
                    .col(LtiContextLaunches::CourseId)
                    .col(LtiContextLaunches::UserId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            LtiContextLaunches::Table.into_iden(),
            LtiContexts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
