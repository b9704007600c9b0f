//! The course catalogue: courses, their themes, modules, lessons, quizzes and translations.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Courses {
    Table,
    Id,
    Slug,
    DefaultLocale,
    Level,
    DurationMinutes,
    Status,
    EnrolmentCount,
    ModuleCount,
    LessonCount,
    SourceHash,
    CreatedAt,
    UpdatedAt,
    PublishedAt,
}

#[derive(DeriveIden)]
enum CourseTranslations {
    Table,
    CourseId,
    Locale,
    Title,
    Summary,
    Description,
    Objectives,
}

#[derive(DeriveIden)]
enum CourseThemes {
    Table,
    CourseId,
    Theme,
}

#[derive(DeriveIden)]
enum Modules {
    Table,
    Id,
    CourseId,
    Key,
    Position,
    Removed,
}

#[derive(DeriveIden)]
enum ModuleTranslations {
    Table,
    ModuleId,
    Locale,
    Title,
    Summary,
}

#[derive(DeriveIden)]
enum Lessons {
    Table,
    Id,
    CourseId,
    ModuleId,
    Key,
    Position,
    Kind,
    DurationMinutes,
    VideoUrl,
    ResourceFile,
    PassingScore,
    MaxAttempts,
    Removed,
}

#[derive(DeriveIden)]
enum LessonTranslations {
    Table,
    LessonId,
    Locale,
    Title,
    Body,
}

#[derive(DeriveIden)]
enum LessonResources {
    Table,
    LessonId,
    Locale,
    FileName,
    ContentType,
    Sha256,
    Data,
}

#[derive(DeriveIden)]
enum QuizQuestions {
    Table,
    Id,
    LessonId,
    Key,
    Position,
    Kind,
    Options,
    Correct,
}

#[derive(DeriveIden)]
enum QuestionTranslations {
    Table,
    QuestionId,
    Locale,
    Prompt,
    Options,
}

fn fk(
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
                    .table(Courses::Table)
                    .col(pk_uuid(Courses::Id))
                    .col(string_len_uniq(Courses::Slug, 80))
                    .col(string_len(Courses::DefaultLocale, 8))
                    .col(string_len(Courses::Level, 16))
                    .col(integer(Courses::DurationMinutes))
                    .col(string_len(Courses::Status, 16))
                    .col(big_integer(Courses::EnrolmentCount).default(0))
                    .col(integer(Courses::ModuleCount).default(0))
                    .col(integer(Courses::LessonCount).default(0))
                    .col(string_len(Courses::SourceHash, 64))
                    .col(timestamp_with_time_zone(Courses::CreatedAt))
                    .col(timestamp_with_time_zone(Courses::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Courses::PublishedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_courses_status")
                    .table(Courses::Table)
                    .col(Courses::Status)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CourseTranslations::Table)
                    .col(uuid(CourseTranslations::CourseId))
                    .col(string_len(CourseTranslations::Locale, 8))
                    .col(string_len(CourseTranslations::Title, 200))
                    .col(string_len(CourseTranslations::Summary, 300))
                    .col(text(CourseTranslations::Description))
                    .col(json(CourseTranslations::Objectives))
                    .primary_key(
                        Index::create()
                            .col(CourseTranslations::CourseId)
                            .col(CourseTranslations::Locale),
                    )
                    .foreign_key(&mut fk(
                        (CourseTranslations::Table, CourseTranslations::CourseId),
                        (Courses::Table, Courses::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CourseThemes::Table)
                    .col(uuid(CourseThemes::CourseId))
                    .col(string_len(CourseThemes::Theme, 64))
                    .primary_key(
                        Index::create()
                            .col(CourseThemes::CourseId)
                            .col(CourseThemes::Theme),
                    )
                    .foreign_key(&mut fk(
                        (CourseThemes::Table, CourseThemes::CourseId),
                        (Courses::Table, Courses::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_course_themes_theme")
                    .table(CourseThemes::Table)
                    .col(CourseThemes::Theme)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Modules::Table)
                    .col(pk_uuid(Modules::Id))
                    .col(uuid(Modules::CourseId))
                    .col(string_len(Modules::Key, 80))
                    .col(integer(Modules::Position))
                    .col(boolean(Modules::Removed).default(false))
                    .foreign_key(&mut fk(
                        (Modules::Table, Modules::CourseId),
                        (Courses::Table, Courses::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_modules_course_key")
                    .table(Modules::Table)
                    .col(Modules::CourseId)
                    .col(Modules::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ModuleTranslations::Table)
                    .col(uuid(ModuleTranslations::ModuleId))
                    .col(string_len(ModuleTranslations::Locale, 8))
                    .col(string_len(ModuleTranslations::Title, 200))
                    .col(text(ModuleTranslations::Summary))
                    .primary_key(
                        Index::create()
                            .col(ModuleTranslations::ModuleId)
                            .col(ModuleTranslations::Locale),
                    )
                    .foreign_key(&mut fk(
                        (ModuleTranslations::Table, ModuleTranslations::ModuleId),
                        (Modules::Table, Modules::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        // A lesson removed from the source keeps its row (`removed`), so that
        // progress and quiz attempts that point at it stay intact.
        manager
            .create_table(
                Table::create()
                    .table(Lessons::Table)
                    .col(pk_uuid(Lessons::Id))
                    .col(uuid(Lessons::CourseId))
                    .col(uuid(Lessons::ModuleId))
                    .col(string_len(Lessons::Key, 80))
                    .col(integer(Lessons::Position))
                    .col(string_len(Lessons::Kind, 16))
                    .col(integer(Lessons::DurationMinutes))
                    .col(string_len_null(Lessons::VideoUrl, 500))
                    .col(string_len_null(Lessons::ResourceFile, 200))
                    .col(integer_null(Lessons::PassingScore))
                    .col(integer_null(Lessons::MaxAttempts))
                    .col(boolean(Lessons::Removed).default(false))
                    .foreign_key(&mut fk(
                        (Lessons::Table, Lessons::CourseId),
                        (Courses::Table, Courses::Id),
                    ))
                    .foreign_key(&mut fk(
                        (Lessons::Table, Lessons::ModuleId),
                        (Modules::Table, Modules::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_lessons_course_key")
                    .table(Lessons::Table)
                    .col(Lessons::CourseId)
                    .col(Lessons::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LessonTranslations::Table)
                    .col(uuid(LessonTranslations::LessonId))
                    .col(string_len(LessonTranslations::Locale, 8))
                    .col(string_len(LessonTranslations::Title, 200))
                    .col(text(LessonTranslations::Body))
                    .primary_key(
                        Index::create()
                            .col(LessonTranslations::LessonId)
                            .col(LessonTranslations::Locale),
                    )
                    .foreign_key(&mut fk(
                        (LessonTranslations::Table, LessonTranslations::LessonId),
                        (Lessons::Table, Lessons::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LessonResources::Table)
                    .col(uuid(LessonResources::LessonId))
                    .col(string_len(LessonResources::Locale, 8))
                    .col(string_len(LessonResources::FileName, 200))
                    .col(string_len(LessonResources::ContentType, 100))
                    .col(string_len(LessonResources::Sha256, 64))
                    .col(blob(LessonResources::Data))
                    .primary_key(
                        Index::create()
                            .col(LessonResources::LessonId)
                            .col(LessonResources::Locale),
                    )
                    .foreign_key(&mut fk(
                        (LessonResources::Table, LessonResources::LessonId),
                        (Lessons::Table, Lessons::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(QuizQuestions::Table)
                    .col(pk_uuid(QuizQuestions::Id))
                    .col(uuid(QuizQuestions::LessonId))
                    .col(string_len(QuizQuestions::Key, 80))
                    .col(integer(QuizQuestions::Position))
                    .col(string_len(QuizQuestions::Kind, 16))
                    .col(json(QuizQuestions::Options))
                    .col(json(QuizQuestions::Correct))
                    .foreign_key(&mut fk(
                        (QuizQuestions::Table, QuizQuestions::LessonId),
                        (Lessons::Table, Lessons::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_quiz_questions_lesson_key")
                    .table(QuizQuestions::Table)
                    .col(QuizQuestions::LessonId)
                    .col(QuizQuestions::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(QuestionTranslations::Table)
                    .col(uuid(QuestionTranslations::QuestionId))
                    .col(string_len(QuestionTranslations::Locale, 8))
                    .col(text(QuestionTranslations::Prompt))
                    .col(json(QuestionTranslations::Options))
                    .primary_key(
                        Index::create()
                            .col(QuestionTranslations::QuestionId)
                            .col(QuestionTranslations::Locale),
                    )
                    .foreign_key(&mut fk(
                        (
                            QuestionTranslations::Table,
                            QuestionTranslations::QuestionId,
                        ),
                        (QuizQuestions::Table, QuizQuestions::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            QuestionTranslations::Table.into_iden(),
            QuizQuestions::Table.into_iden(),
            LessonResources::Table.into_iden(),
            LessonTranslations::Table.into_iden(),
            Lessons::Table.into_iden(),
            ModuleTranslations::Table.into_iden(),
            Modules::Table.into_iden(),
            CourseThemes::Table.into_iden(),
            CourseTranslations::Table.into_iden(),
            Courses::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
