//! Learners: accounts, sessions and tokens, enrolments, lesson progress and quiz attempts.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    EmailVerifiedAt,
    PasswordHash,
    DisplayName,
    Locale,
    Role,
    RemindersOptOut,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuthTokens {
    Table,
    Id,
    UserId,
    Kind,
    Name,
    TokenHash,
    CsrfHash,
    CreatedAt,
    LastUsedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum OneTimeTokens {
    Table,
    Id,
    UserId,
    Purpose,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum Enrolments {
    Table,
    Id,
    UserId,
    CourseId,
    Status,
    EnrolledAt,
    LastLessonId,
    LastActivityAt,
    CompletedAt,
    ProgressVersion,
}

#[derive(DeriveIden)]
enum LessonProgress {
    Table,
    EnrolmentId,
    LessonId,
    CompletedAt,
}

#[derive(DeriveIden)]
enum QuizAttempts {
    Table,
    Id,
    EnrolmentId,
    LessonId,
    Answers,
    Score,
    Passed,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Courses {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Lessons {
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

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: &[&str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for c in cols {
        stmt.col(Alias::new(*c));
    }
    if unique {
        stmt.unique();
    }
    manager.create_index(stmt.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_uuid(Users::Id))
                    .col(string_len_uniq(Users::Email, 254))
                    .col(timestamp_with_time_zone_null(Users::EmailVerifiedAt))
                    .col(string_len(Users::PasswordHash, 200))
                    .col(string_len(Users::DisplayName, 100))
                    .col(string_len(Users::Locale, 8))
                    .col(string_len(Users::Role, 16))
                    .col(boolean(Users::RemindersOptOut).default(false))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        // Sessions (web, cookie) and API tokens (bearer) share one table; only
        // a SHA-256 of each token is stored.
        manager
            .create_table(
                Table::create()
                    .table(AuthTokens::Table)
                    .col(pk_uuid(AuthTokens::Id))
                    .col(uuid(AuthTokens::UserId))
                    .col(string_len(AuthTokens::Kind, 16))
                    .col(string_len(AuthTokens::Name, 100))
                    .col(string_len_uniq(AuthTokens::TokenHash, 64))
                    .col(string_len_null(AuthTokens::CsrfHash, 64))
                    .col(timestamp_with_time_zone(AuthTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(AuthTokens::LastUsedAt))
                    .col(timestamp_with_time_zone(AuthTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AuthTokens::RevokedAt))
                    .foreign_key(&mut cascade(
                        (AuthTokens::Table, AuthTokens::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_auth_tokens_user",
            AuthTokens::Table,
            &["user_id"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(OneTimeTokens::Table)
                    .col(pk_uuid(OneTimeTokens::Id))
                    .col(uuid(OneTimeTokens::UserId))
                    .col(string_len(OneTimeTokens::Purpose, 32))
                    .col(string_len_uniq(OneTimeTokens::TokenHash, 64))
                    .col(timestamp_with_time_zone(OneTimeTokens::CreatedAt))
                    .col(timestamp_with_time_zone(OneTimeTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(OneTimeTokens::UsedAt))
                    .foreign_key(&mut cascade(
                        (OneTimeTokens::Table, OneTimeTokens::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Enrolments::Table)
                    .col(pk_uuid(Enrolments::Id))
                    .col(uuid(Enrolments::UserId))
                    .col(uuid(Enrolments::CourseId))
                    .col(string_len(Enrolments::Status, 16))
                    .col(timestamp_with_time_zone(Enrolments::EnrolledAt))
                    .col(uuid_null(Enrolments::LastLessonId))
                    .col(timestamp_with_time_zone(Enrolments::LastActivityAt))
                    .col(timestamp_with_time_zone_null(Enrolments::CompletedAt))
                    // Bumped under the row lock by every change; cached summaries
                    // carry it, so an older summary never replaces a newer one.
                    .col(big_integer(Enrolments::ProgressVersion).default(0))
                    .foreign_key(&mut cascade(
                        (Enrolments::Table, Enrolments::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (Enrolments::Table, Enrolments::CourseId),
                        (Courses::Table, Courses::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "uq_enrolments_user_course",
            Enrolments::Table,
            &["user_id", "course_id"],
            true,
        )
        .await?;
        index(
            manager,
            "idx_enrolments_course",
            Enrolments::Table,
            &["course_id"],
            false,
        )
        .await?;

        // One row per (enrolment, lesson): the primary key makes completion idempotent.
        manager
            .create_table(
                Table::create()
                    .table(LessonProgress::Table)
                    .col(uuid(LessonProgress::EnrolmentId))
                    .col(uuid(LessonProgress::LessonId))
                    .col(timestamp_with_time_zone(LessonProgress::CompletedAt))
                    .primary_key(
                        Index::create()
                            .col(LessonProgress::EnrolmentId)
                            .col(LessonProgress::LessonId),
                    )
                    .foreign_key(&mut cascade(
                        (LessonProgress::Table, LessonProgress::EnrolmentId),
                        (Enrolments::Table, Enrolments::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (LessonProgress::Table, LessonProgress::LessonId),
                        (Lessons::Table, Lessons::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(QuizAttempts::Table)
                    .col(pk_uuid(QuizAttempts::Id))
                    .col(uuid(QuizAttempts::EnrolmentId))
                    .col(uuid(QuizAttempts::LessonId))
                    .col(json(QuizAttempts::Answers))
                    .col(integer(QuizAttempts::Score))
                    .col(boolean(QuizAttempts::Passed))
                    .col(timestamp_with_time_zone(QuizAttempts::CreatedAt))
                    .foreign_key(&mut cascade(
                        (QuizAttempts::Table, QuizAttempts::EnrolmentId),
                        (Enrolments::Table, Enrolments::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (QuizAttempts::Table, QuizAttempts::LessonId),
                        (Lessons::Table, Lessons::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_quiz_attempts_enrolment_lesson",
            QuizAttempts::Table,
            &["enrolment_id", "lesson_id"],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            QuizAttempts::Table.into_iden(),
            LessonProgress::Table.into_iden(),
            Enrolments::Table.into_iden(),
            OneTimeTokens::Table.into_iden(),
            AuthTokens::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
