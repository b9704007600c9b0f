//! The roll-up the network report reads (issue 17, speed): per
//! organisation, its learners, enrolments and completions; per month, its
//! enrolments and completions; per course, its completions. Only active
//! members who share their progress count. Each enrolment records the
//! organisation it counts for (`enrolments.organisation_id`, NULL when
//! none), so that a change of membership moves exactly what was counted.
//! Kept up to date in the transaction of every change (see
//! `agora_core::organisations::activity`); built here from what is there.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Enrolments {
    Table,
    OrganisationId,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum OrganisationActivity {
    Table,
    OrganisationId,
    Learners,
    Enrolments,
    Completions,
}

#[derive(DeriveIden)]
enum OrganisationActivityMonths {
    Table,
    OrganisationId,
    /// `YYYY-MM`, UTC.
    Month,
    /// Enrolments made in the month.
    Enrolments,
    /// Completions made in the month.
    Completions,
}

#[derive(DeriveIden)]
enum OrganisationActivityCourses {
    Table,
    OrganisationId,
    CourseId,
    Completions,
}

fn org_fk(table: impl IntoIden, col: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Organisations::Table, Organisations::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// The statements that build the roll-up from the enrolments and
/// memberships, in order (as `activity::rebuild` in core was written then).
fn rebuild_statements(backend: DatabaseBackend) -> Vec<String> {
    let month = |col: &str| match backend {
        DatabaseBackend::Postgres => format!("to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM')"),
        _ => format!("strftime('%Y-%m', {col})"),
    };
    let (enrolled, completed) = (month("enrolled_at"), month("completed_at"));
    vec![
        "UPDATE enrolments SET organisation_id = (
           SELECT m.organisation_id FROM organisation_members m
           WHERE m.user_id = enrolments.user_id AND m.status = 'active' AND NOT m.hide_progress)"
            .into(),
        "DELETE FROM organisation_activity_months".into(),
        "DELETE FROM organisation_activity_courses".into(),
        "DELETE FROM organisation_activity".into(),
        "INSERT INTO organisation_activity (organisation_id, learners, enrolments, completions)
         SELECT organisation_id, COUNT(DISTINCT user_id), COUNT(*), COUNT(completed_at)
         FROM enrolments WHERE organisation_id IS NOT NULL GROUP BY organisation_id"
            .into(),
        format!(
            "INSERT INTO organisation_activity_months (organisation_id, month, enrolments, completions)
             SELECT organisation_id, month, SUM(e), SUM(c) FROM (
               SELECT organisation_id, {enrolled} AS month, 1 AS e, 0 AS c
               FROM enrolments WHERE organisation_id IS NOT NULL
               UNION ALL
               SELECT organisation_id, {completed} AS month, 0 AS e, 1 AS c
               FROM enrolments WHERE organisation_id IS NOT NULL AND completed_at IS NOT NULL
             ) x GROUP BY organisation_id, month"
        ),
        "INSERT INTO organisation_activity_courses (organisation_id, course_id, completions)
         SELECT organisation_id, course_id, COUNT(completed_at)
         FROM enrolments WHERE organisation_id IS NOT NULL AND completed_at IS NOT NULL
         GROUP BY organisation_id, course_id"
            .into(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Enrolments::Table)
                    .add_column(uuid_null(Enrolments::OrganisationId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrganisationActivity::Table)
                    .col(uuid(OrganisationActivity::OrganisationId).primary_key())
                    .col(big_integer(OrganisationActivity::Learners).default(0))
                    .col(big_integer(OrganisationActivity::Enrolments).default(0))
                    .col(big_integer(OrganisationActivity::Completions).default(0))
                    .foreign_key(&mut org_fk(
                        OrganisationActivity::Table,
                        OrganisationActivity::OrganisationId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrganisationActivityMonths::Table)
                    .col(uuid(OrganisationActivityMonths::OrganisationId))
                    .col(string_len(OrganisationActivityMonths::Month, 7))
                    .col(big_integer(OrganisationActivityMonths::Enrolments).default(0))
                    .col(big_integer(OrganisationActivityMonths::Completions).default(0))
                    .primary_key(
                        Index::create()
                            .col(OrganisationActivityMonths::OrganisationId)
                            .col(OrganisationActivityMonths::Month),
                    )
                    .foreign_key(&mut org_fk(
                        OrganisationActivityMonths::Table,
                        OrganisationActivityMonths::OrganisationId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrganisationActivityCourses::Table)
                    .col(uuid(OrganisationActivityCourses::OrganisationId))
                    .col(uuid(OrganisationActivityCourses::CourseId))
                    .col(big_integer(OrganisationActivityCourses::Completions).default(0))
                    .primary_key(
                        Index::create()
                            .col(OrganisationActivityCourses::OrganisationId)
                            .col(OrganisationActivityCourses::CourseId),
                    )
                    .foreign_key(&mut org_fk(
                        OrganisationActivityCourses::Table,
                        OrganisationActivityCourses::OrganisationId,
                    ))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for sql in rebuild_statements(manager.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            OrganisationActivityCourses::Table.into_iden(),
            OrganisationActivityMonths::Table.into_iden(),
            OrganisationActivity::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Enrolments::Table)
                    .drop_column(Enrolments::OrganisationId)
                    .to_owned(),
            )
            .await
    }
}
