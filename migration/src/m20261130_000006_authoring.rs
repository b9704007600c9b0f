//! Authoring: who may edit a course, its working draft (the files of the
//! `courses/` folder format, so a draft downloads and uploads losslessly),
//! the immutable published versions, and the audit log of every change.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CourseAuthors {
    Table,
    CourseId,
    UserId,
    Role,
    AddedAt,
}

#[derive(DeriveIden)]
enum CourseDrafts {
    Table,
    CourseId,
    Revision,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DraftFiles {
    Table,
    CourseId,
    Path,
    Data,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CourseVersions {
    Table,
    Id,
    CourseId,
    Number,
    Digest,
    Archive,
    PublishedBy,
    PublishedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    At,
    ActorId,
    CourseId,
    Action,
    Detail,
}

#[derive(DeriveIden)]
enum Courses {
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

fn set_null(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::SetNull)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CourseAuthors::Table)
                    .col(uuid(CourseAuthors::CourseId))
                    .col(uuid(CourseAuthors::UserId))
                    // `owner` or `coauthor`.
                    .col(string_len(CourseAuthors::Role, 16))
                    .col(timestamp_with_time_zone(CourseAuthors::AddedAt))
                    .primary_key(
                        Index::create()
                            .col(CourseAuthors::CourseId)
                            .col(CourseAuthors::UserId),
                    )
                    .foreign_key(&mut cascade(
                        (CourseAuthors::Table, CourseAuthors::CourseId),
                        (Courses::Table, Courses::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (CourseAuthors::Table, CourseAuthors::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_course_authors_user")
                    .table(CourseAuthors::Table)
                    .col(CourseAuthors::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CourseDrafts::Table)
                    .col(uuid(CourseDrafts::CourseId).primary_key())
                    // Bumped by every save: a save names the revision it
                    // started from, and loses to one saved in between.
                    .col(big_integer(CourseDrafts::Revision))
                    .col(uuid_null(CourseDrafts::UpdatedBy))
                    .col(timestamp_with_time_zone(CourseDrafts::UpdatedAt))
                    .foreign_key(&mut cascade(
                        (CourseDrafts::Table, CourseDrafts::CourseId),
                        (Courses::Table, Courses::Id),
                    ))
                    .foreign_key(&mut set_null(
                        (CourseDrafts::Table, CourseDrafts::UpdatedBy),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DraftFiles::Table)
                    .col(uuid(DraftFiles::CourseId))
                    // Relative to the course folder: `course.yaml`, `en/meta.yaml`, …
                    .col(string_len(DraftFiles::Path, 200))
                    .col(blob(DraftFiles::Data))
                    // Translations older than their source are shown as such.
                    .col(timestamp_with_time_zone(DraftFiles::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(DraftFiles::CourseId)
                            .col(DraftFiles::Path),
                    )
                    .foreign_key(&mut cascade(
                        (DraftFiles::Table, DraftFiles::CourseId),
                        (CourseDrafts::Table, CourseDrafts::CourseId),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CourseVersions::Table)
                    .col(pk_uuid(CourseVersions::Id))
                    .col(uuid(CourseVersions::CourseId))
                    .col(integer(CourseVersions::Number))
                    .col(string_len(CourseVersions::Digest, 64))
                    // The course folder as published, zipped; never changed.
                    .col(blob(CourseVersions::Archive))
                    .col(uuid_null(CourseVersions::PublishedBy))
                    .col(timestamp_with_time_zone(CourseVersions::PublishedAt))
                    .foreign_key(&mut cascade(
                        (CourseVersions::Table, CourseVersions::CourseId),
                        (Courses::Table, Courses::Id),
                    ))
                    .foreign_key(&mut set_null(
                        (CourseVersions::Table, CourseVersions::PublishedBy),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_course_versions_number")
                    .table(CourseVersions::Table)
                    .col(CourseVersions::CourseId)
                    .col(CourseVersions::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(pk_uuid(AuditEvents::Id))
                    .col(timestamp_with_time_zone(AuditEvents::At))
                    // Kept when the account or course goes: the log outlives them.
                    .col(uuid_null(AuditEvents::ActorId))
                    .col(uuid_null(AuditEvents::CourseId))
                    .col(string_len(AuditEvents::Action, 40))
                    .col(json(AuditEvents::Detail))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_events_course")
                    .table(AuditEvents::Table)
                    .col(AuditEvents::CourseId)
                    .col(AuditEvents::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            AuditEvents::Table.into_iden(),
            CourseVersions::Table.into_iden(),
            DraftFiles::Table.into_iden(),
            CourseDrafts::Table.into_iden(),
            CourseAuthors::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
