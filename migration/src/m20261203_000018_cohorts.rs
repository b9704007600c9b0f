//! Cohorts (issue 18): facilitated runs of a published course. A cohort
//! admits organisations by application (or openly); the staff of an
//! accepted organisation join as members up to the cohort's capacity.
//! Live sessions carry an iCalendar `SEQUENCE` raised on every reschedule;
//! each member may hold one private calendar feed, whose token is stored
//! hashed. A learner's time zone (IANA name) joins the profile.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cohorts {
    Table,
    Id,
    CourseId,
    Slug,
    /// JSON object: locale -> title (at least one of the cohort's locales).
    Titles,
    /// JSON object: locale -> description (Markdown).
    Descriptions,
    StartsOn,
    EndsOn,
    CapacityOrganisations,
    CapacityPeople,
    /// `open`, `application` or `invitation`.
    Admission,
    /// JSON list of the locales the cohort is run in.
    Locales,
    /// `draft`, `open` or `closed`.
    Status,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CohortFacilitators {
    Table,
    CohortId,
    UserId,
    AddedAt,
}

#[derive(DeriveIden)]
enum CohortQuestions {
    Table,
    Id,
    CohortId,
    Position,
    Prompt,
}

#[derive(DeriveIden)]
enum CohortApplications {
    Table,
    Id,
    CohortId,
    OrganisationId,
    ApplicantId,
    /// JSON list of `{question, answer}`.
    Answers,
    /// `pending`, `accepted`, `waitlisted` or `declined`.
    State,
    Message,
    DecidedBy,
    DecidedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CohortMembers {
    Table,
    CohortId,
    UserId,
    OrganisationId,
    /// `participant` (facilitators are in `cohort_facilitators`).
    Role,
    JoinedAt,
}

#[derive(DeriveIden)]
enum CohortSessions {
    Table,
    Id,
    CohortId,
    Title,
    /// Markdown, rendered through the sanitiser when shown.
    Agenda,
    StartsAt,
    EndsAt,
    JoinUrl,
    /// JSON list of lesson keys of the course to prepare.
    Preparation,
    /// iCalendar `SEQUENCE`: raised on every reschedule or cancellation.
    Sequence,
    Cancelled,
    Notes,
    RecordingUrl,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CohortAttendance {
    Table,
    SessionId,
    UserId,
    Present,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveIden)]
enum CohortCalendarFeeds {
    Table,
    Id,
    CohortId,
    UserId,
    TokenHash,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    /// IANA time zone name, e.g. `Europe/Paris`; `NULL` until chosen.
    TimeZone,
}

#[derive(DeriveIden)]
enum Courses {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organisations {
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
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(string_len_null(Users::TimeZone, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Cohorts::Table)
                    .col(pk_uuid(Cohorts::Id))
                    .col(uuid(Cohorts::CourseId))
                    .col(string_len_uniq(Cohorts::Slug, 80))
                    .col(json(Cohorts::Titles))
                    .col(json(Cohorts::Descriptions))
                    .col(date(Cohorts::StartsOn))
                    .col(date(Cohorts::EndsOn))
                    .col(integer(Cohorts::CapacityOrganisations))
                    .col(integer(Cohorts::CapacityPeople))
                    .col(string_len(Cohorts::Admission, 16))
                    .col(json(Cohorts::Locales))
                    .col(string_len(Cohorts::Status, 16))
                    .col(uuid_null(Cohorts::CreatedBy))
                    .col(timestamp_with_time_zone(Cohorts::CreatedAt))
                    .col(timestamp_with_time_zone(Cohorts::UpdatedAt))
                    .foreign_key(&mut cascade(
                        (Cohorts::Table, Cohorts::CourseId),
                        (Courses::Table, Courses::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_cohorts_course",
                Cohorts::Table,
                vec![Cohorts::CourseId.into_iden()],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CohortFacilitators::Table)
                    .col(uuid(CohortFacilitators::CohortId))
                    .col(uuid(CohortFacilitators::UserId))
                    .col(timestamp_with_time_zone(CohortFacilitators::AddedAt))
                    .primary_key(
                        Index::create()
                            .col(CohortFacilitators::CohortId)
                            .col(CohortFacilitators::UserId),
                    )
                    .foreign_key(&mut cascade(
                        (CohortFacilitators::Table, CohortFacilitators::CohortId),
                        (Cohorts::Table, Cohorts::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (CohortFacilitators::Table, CohortFacilitators::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_cohort_facilitators_user",
                CohortFacilitators::Table,
                vec![CohortFacilitators::UserId.into_iden()],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CohortQuestions::Table)
                    .col(pk_uuid(CohortQuestions::Id))
                    .col(uuid(CohortQuestions::CohortId))
                    .col(integer(CohortQuestions::Position))
                    .col(text(CohortQuestions::Prompt))
                    .foreign_key(&mut cascade(
                        (CohortQuestions::Table, CohortQuestions::CohortId),
                        (Cohorts::Table, Cohorts::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_cohort_questions_cohort",
                CohortQuestions::Table,
                vec![
                    CohortQuestions::CohortId.into_iden(),
                    CohortQuestions::Position.into_iden(),
                ],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CohortApplications::Table)
                    .col(pk_uuid(CohortApplications::Id))
                    .col(uuid(CohortApplications::CohortId))
                    .col(uuid(CohortApplications::OrganisationId))
                    .col(uuid(CohortApplications::ApplicantId))
                    .col(json(CohortApplications::Answers))
                    .col(string_len(CohortApplications::State, 16))
                    .col(text_null(CohortApplications::Message))
                    .col(uuid_null(CohortApplications::DecidedBy))
                    .col(timestamp_with_time_zone_null(CohortApplications::DecidedAt))
                    .col(timestamp_with_time_zone(CohortApplications::CreatedAt))
                    .foreign_key(&mut cascade(
                        (CohortApplications::Table, CohortApplications::CohortId),
                        (Cohorts::Table, Cohorts::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (
                            CohortApplications::Table,
                            CohortApplications::OrganisationId,
                        ),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (CohortApplications::Table, CohortApplications::ApplicantId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "idx_cohort_applications_one_per_organisation",
                    CohortApplications::Table,
                    vec![
                        CohortApplications::CohortId.into_iden(),
                        CohortApplications::OrganisationId.into_iden(),
                    ],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CohortMembers::Table)
                    .col(uuid(CohortMembers::CohortId))
                    .col(uuid(CohortMembers::UserId))
                    .col(uuid(CohortMembers::OrganisationId))
                    .col(string_len(CohortMembers::Role, 16))
                    .col(timestamp_with_time_zone(CohortMembers::JoinedAt))
                    .primary_key(
                        Index::create()
                            .col(CohortMembers::CohortId)
                            .col(CohortMembers::UserId),
                    )
                    .foreign_key(&mut cascade(
                        (CohortMembers::Table, CohortMembers::CohortId),
                        (Cohorts::Table, Cohorts::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (CohortMembers::Table, CohortMembers::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (CohortMembers::Table, CohortMembers::OrganisationId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_cohort_members_user",
                CohortMembers::Table,
                vec![CohortMembers::UserId.into_iden()],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CohortSessions::Table)
                    .col(pk_uuid(CohortSessions::Id))
                    .col(uuid(CohortSessions::CohortId))
                    .col(string_len(CohortSessions::Title, 200))
                    .col(text(CohortSessions::Agenda))
                    .col(timestamp_with_time_zone(CohortSessions::StartsAt))
                    .col(timestamp_with_time_zone(CohortSessions::EndsAt))
                    .col(string_len_null(CohortSessions::JoinUrl, 500))
                    .col(json(CohortSessions::Preparation))
                    .col(integer(CohortSessions::Sequence).default(0))
                    .col(boolean(CohortSessions::Cancelled).default(false))
                    .col(text_null(CohortSessions::Notes))
                    .col(string_len_null(CohortSessions::RecordingUrl, 500))
                    .col(timestamp_with_time_zone(CohortSessions::CreatedAt))
                    .col(timestamp_with_time_zone(CohortSessions::UpdatedAt))
                    .foreign_key(&mut cascade(
                        (CohortSessions::Table, CohortSessions::CohortId),
                        (Cohorts::Table, Cohorts::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_cohort_sessions_cohort",
                CohortSessions::Table,
                vec![
                    CohortSessions::CohortId.into_iden(),
                    CohortSessions::StartsAt.into_iden(),
                ],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CohortAttendance::Table)
                    .col(uuid(CohortAttendance::SessionId))
                    .col(uuid(CohortAttendance::UserId))
                    .col(boolean(CohortAttendance::Present))
                    .col(uuid_null(CohortAttendance::RecordedBy))
                    .col(timestamp_with_time_zone(CohortAttendance::RecordedAt))
                    .primary_key(
                        Index::create()
                            .col(CohortAttendance::SessionId)
                            .col(CohortAttendance::UserId),
                    )
                    .foreign_key(&mut cascade(
                        (CohortAttendance::Table, CohortAttendance::SessionId),
                        (CohortSessions::Table, CohortSessions::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (CohortAttendance::Table, CohortAttendance::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CohortCalendarFeeds::Table)
                    .col(pk_uuid(CohortCalendarFeeds::Id))
                    .col(uuid(CohortCalendarFeeds::CohortId))
                    .col(uuid(CohortCalendarFeeds::UserId))
                    .col(string_len_uniq(CohortCalendarFeeds::TokenHash, 64))
                    .col(timestamp_with_time_zone(CohortCalendarFeeds::CreatedAt))
                    .col(timestamp_with_time_zone_null(
                        CohortCalendarFeeds::RevokedAt,
                    ))
                    .foreign_key(&mut cascade(
                        (CohortCalendarFeeds::Table, CohortCalendarFeeds::CohortId),
                        (Cohorts::Table, Cohorts::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (CohortCalendarFeeds::Table, CohortCalendarFeeds::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_cohort_calendar_feeds_member",
                CohortCalendarFeeds::Table,
                vec![
                    CohortCalendarFeeds::CohortId.into_iden(),
                    CohortCalendarFeeds::UserId.into_iden(),
                ],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            CohortCalendarFeeds::Table.into_iden(),
            CohortAttendance::Table.into_iden(),
            CohortSessions::Table.into_iden(),
            CohortMembers::Table.into_iden(),
            CohortApplications::Table.into_iden(),
            CohortQuestions::Table.into_iden(),
            CohortFacilitators::Table.into_iden(),
            Cohorts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::TimeZone)
                    .to_owned(),
            )
            .await
    }
}
