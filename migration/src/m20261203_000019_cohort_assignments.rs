//! Cohort assignments (issue 18): assignments with a rubric, members'
//! submissions and their files, facilitator feedback, peer reviews; the
//! cohort templates shipped with courses; a cohort's completion rule.
//!
//! Rubrics, feedback and review scores are JSON documents rather than
//! criterion and level tables: a rubric is edited whole with its assignment
//! and never queried by criterion, and a score names its criterion by key,
//! so it stays readable after the rubric is edited.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cohorts {
    Table,
    Id,
    /// JSON `{course_completed, assignments: [key], min_sessions_attended}`.
    Completion,
}

#[derive(DeriveIden)]
enum CohortTemplates {
    Table,
    CourseId,
    /// The course's `cohort-template.yaml`, as imported.
    Source,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CohortAssignments {
    Table,
    Id,
    CohortId,
    /// Stable id from a template, unique in its cohort; `NULL` otherwise.
    Key,
    Position,
    Title,
    /// Markdown, rendered through the sanitiser when shown.
    Instructions,
    DueAt,
    /// The module of the course the assignment follows.
    ModuleKey,
    /// `individual` or `organisation` (one submission per organisation).
    Scope,
    PeerReviews,
    /// Peers never review their own organisation's work.
    ExcludeOwnOrganisation,
    /// JSON list of `{key, criterion, levels: [{points, title, description}]}`.
    Rubric,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CohortSubmissions {
    Table,
    Id,
    AssignmentId,
    /// `user:<id>` or `organisation:<id>`: unique per assignment, so an
    /// organisation hands in one submission however many submit at once.
    Owner,
    AuthorId,
    OrganisationId,
    /// Markdown.
    Body,
    /// `submitted`, `needs_revision` or `accepted`.
    Status,
    Revision,
    SubmittedAt,
    Late,
    /// JSON `{comment, criteria: [{criterion, points, comment}]}`.
    Feedback,
    FeedbackBy,
    FeedbackAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CohortSubmissionFiles {
    Table,
    Id,
    SubmissionId,
    Position,
    Name,
    ContentType,
    Size,
    StorageKey,
}

#[derive(DeriveIden)]
enum CohortPeerReviews {
    Table,
    Id,
    SubmissionId,
    AssignmentId,
    ReviewerId,
    /// JSON `{comment, criteria: [...]}` once given.
    Review,
    AssignedAt,
    SubmittedAt,
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Cohorts::Table)
                    .add_column(json_null(Cohorts::Completion))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CohortTemplates::Table)
                    .col(pk_uuid(CohortTemplates::CourseId))
                    .col(text(CohortTemplates::Source))
                    .col(timestamp_with_time_zone(CohortTemplates::UpdatedAt))
                    .foreign_key(&mut cascade(
                        (CohortTemplates::Table, CohortTemplates::CourseId),
                        (Courses::Table, Courses::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CohortAssignments::Table)
                    .col(pk_uuid(CohortAssignments::Id))
                    .col(uuid(CohortAssignments::CohortId))
                    .col(string_len_null(CohortAssignments::Key, 80))
                    .col(integer(CohortAssignments::Position))
                    .col(string_len(CohortAssignments::Title, 200))
                    .col(text(CohortAssignments::Instructions))
                    .col(timestamp_with_time_zone(CohortAssignments::DueAt))
                    .col(string_len_null(CohortAssignments::ModuleKey, 80))
                    .col(string_len(CohortAssignments::Scope, 16))
                    .col(integer(CohortAssignments::PeerReviews))
                    .col(boolean(CohortAssignments::ExcludeOwnOrganisation))
                    .col(json(CohortAssignments::Rubric))
                    .col(timestamp_with_time_zone(CohortAssignments::CreatedAt))
                    .col(timestamp_with_time_zone(CohortAssignments::UpdatedAt))
                    .foreign_key(&mut cascade(
                        (CohortAssignments::Table, CohortAssignments::CohortId),
                        (Cohorts::Table, Cohorts::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cohort_assignments_key")
                    .table(CohortAssignments::Table)
                    .col(CohortAssignments::CohortId)
                    .col(CohortAssignments::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CohortSubmissions::Table)
                    .col(pk_uuid(CohortSubmissions::Id))
                    .col(uuid(CohortSubmissions::AssignmentId))
                    .col(string_len(CohortSubmissions::Owner, 60))
                    .col(uuid(CohortSubmissions::AuthorId))
                    .col(uuid_null(CohortSubmissions::OrganisationId))
                    .col(text(CohortSubmissions::Body))
                    .col(string_len(CohortSubmissions::Status, 16))
                    .col(integer(CohortSubmissions::Revision))
                    .col(timestamp_with_time_zone(CohortSubmissions::SubmittedAt))
                    .col(boolean(CohortSubmissions::Late))
                    .col(json_null(CohortSubmissions::Feedback))
                    .col(uuid_null(CohortSubmissions::FeedbackBy))
                    .col(timestamp_with_time_zone_null(CohortSubmissions::FeedbackAt))
                    .col(timestamp_with_time_zone(CohortSubmissions::CreatedAt))
                    .foreign_key(&mut cascade(
                        (CohortSubmissions::Table, CohortSubmissions::AssignmentId),
                        (CohortAssignments::Table, CohortAssignments::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (CohortSubmissions::Table, CohortSubmissions::AuthorId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cohort_submissions_owner")
                    .table(CohortSubmissions::Table)
                    .col(CohortSubmissions::AssignmentId)
                    .col(CohortSubmissions::Owner)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CohortSubmissionFiles::Table)
                    .col(pk_uuid(CohortSubmissionFiles::Id))
                    .col(uuid(CohortSubmissionFiles::SubmissionId))
                    .col(integer(CohortSubmissionFiles::Position))
                    .col(string_len(CohortSubmissionFiles::Name, 200))
                    .col(string_len(CohortSubmissionFiles::ContentType, 120))
                    .col(big_integer(CohortSubmissionFiles::Size))
                    .col(string_len(CohortSubmissionFiles::StorageKey, 200))
                    .foreign_key(&mut cascade(
                        (
                            CohortSubmissionFiles::Table,
                            CohortSubmissionFiles::SubmissionId,
                        ),
                        (CohortSubmissions::Table, CohortSubmissions::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cohort_submission_files_submission")
                    .table(CohortSubmissionFiles::Table)
                    .col(CohortSubmissionFiles::SubmissionId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CohortPeerReviews::Table)
                    .col(pk_uuid(CohortPeerReviews::Id))
                    .col(uuid(CohortPeerReviews::SubmissionId))
                    .col(uuid(CohortPeerReviews::AssignmentId))
                    .col(uuid(CohortPeerReviews::ReviewerId))
                    .col(json_null(CohortPeerReviews::Review))
                    .col(timestamp_with_time_zone(CohortPeerReviews::AssignedAt))
                    .col(timestamp_with_time_zone_null(
                        CohortPeerReviews::SubmittedAt,
                    ))
                    .foreign_key(&mut cascade(
                        (CohortPeerReviews::Table, CohortPeerReviews::SubmissionId),
                        (CohortSubmissions::Table, CohortSubmissions::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (CohortPeerReviews::Table, CohortPeerReviews::ReviewerId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cohort_peer_reviews_pair")
                    .table(CohortPeerReviews::Table)
                    .col(CohortPeerReviews::SubmissionId)
                    .col(CohortPeerReviews::ReviewerId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cohort_peer_reviews_reviewer")
                    .table(CohortPeerReviews::Table)
                    .col(CohortPeerReviews::AssignmentId)
                    .col(CohortPeerReviews::ReviewerId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            CohortPeerReviews::Table.into_iden(),
            CohortSubmissionFiles::Table.into_iden(),
            CohortSubmissions::Table.into_iden(),
            CohortAssignments::Table.into_iden(),
            CohortTemplates::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Cohorts::Table)
                    .drop_column(Cohorts::Completion)
                    .to_owned(),
            )
            .await
    }
}
