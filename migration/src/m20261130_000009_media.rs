//! Course media: which content-addressed files of the storage port
//! (`media/{sha256}.{ext}`) belong to which course, under which name, and
//! which one is the course's cover (with its alt text per locale).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CourseMedia {
    Table,
    CourseId,
    Name,
    Sha256,
    ContentType,
    Size,
    Width,
    Height,
    IsCover,
    CoverAlt,
}

#[derive(DeriveIden)]
enum Courses {
    Table,
    Id,
}

const SHA_INDEX: &str = "idx_course_media_sha256";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CourseMedia::Table)
                    .col(uuid(CourseMedia::CourseId))
                    // The file name in the course's `media/` folder.
                    .col(string_len(CourseMedia::Name, 120))
                    .col(string_len(CourseMedia::Sha256, 64))
                    .col(string_len(CourseMedia::ContentType, 64))
                    .col(big_integer(CourseMedia::Size))
                    // Images only: for `width`/`height` attributes (no layout shift).
                    .col(integer_null(CourseMedia::Width))
                    .col(integer_null(CourseMedia::Height))
                    .col(boolean(CourseMedia::IsCover).default(false))
                    // `{ "en": "…", "fr": "…" }`, for the cover; `{}` otherwise.
                    .col(json(CourseMedia::CoverAlt))
                    .primary_key(
                        Index::create()
                            .col(CourseMedia::CourseId)
                            .col(CourseMedia::Name),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CourseMedia::Table, CourseMedia::CourseId)
                            .to(Courses::Table, Courses::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // `/media/{sha256}.{ext}` looks a file up by its digest.
        manager
            .create_index(
                Index::create()
                    .name(SHA_INDEX)
                    .table(CourseMedia::Table)
                    .col(CourseMedia::Sha256)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CourseMedia::Table).to_owned())
            .await
    }
}
