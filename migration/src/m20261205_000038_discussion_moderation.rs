//! Moderation of discussions (issue 19): reports on posts, moderators an
//! admin names per space, suspensions from posting, posts awaiting
//! approval, each space's link to its audit events, and the community
//! spaces' descriptions.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DiscussionReports {
    Table,
    Id,
    PostId,
    SpaceId,
    ReporterId,
    /// One of the fixed reasons (`spam`, `harassment`, …).
    Reason,
    Note,
    /// `open`, `dismissed` or `resolved`.
    Status,
    /// `TRUE` while open, else `NULL`: with the unique index, one open
    /// report per person and post (`NULL`s never collide).
    OpenKey,
    CreatedAt,
    ClosedAt,
    ClosedBy,
}

#[derive(DeriveIden)]
enum DiscussionModerators {
    Table,
    SpaceId,
    UserId,
    AddedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DiscussionSuspensions {
    Table,
    Id,
    UserId,
    /// `NULL`: everywhere.
    SpaceId,
    Until,
    Reason,
    CreatedBy,
    CreatedAt,
    LiftedAt,
    LiftedBy,
}

#[derive(DeriveIden)]
enum DiscussionApprovals {
    Table,
    /// A post waiting for a moderator; no row once approved.
    PostId,
    ThreadId,
    SpaceId,
    AuthorId,
    /// The thread's opening post: the whole thread waits.
    Opening,
    /// `pending` or `rejected`.
    Status,
    CreatedAt,
    DecidedAt,
    DecidedBy,
}

#[derive(DeriveIden)]
enum DiscussionAudit {
    Table,
    /// The audit event.
    EventId,
    SpaceId,
    At,
}

#[derive(DeriveIden)]
enum DiscussionSpaces {
    Table,
    Id,
    /// `{locale: description}` (community spaces).
    Descriptions,
}

#[derive(DeriveIden)]
enum DiscussionPosts {
    Table,
    Id,
    AuthorId,
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

fn index(
    name: &str,
    table: impl IntoIden,
    cols: Vec<DynIden>,
    unique: bool,
) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(c);
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use DiscussionReports as R;
        manager
            .create_table(
                Table::create()
                    .table(R::Table)
                    .col(pk_uuid(R::Id))
                    .col(uuid(R::PostId))
                    .col(uuid(R::SpaceId))
                    .col(uuid(R::ReporterId))
                    .col(string_len(R::Reason, 32))
                    .col(text_null(R::Note))
                    .col(string_len(R::Status, 16))
                    .col(boolean_null(R::OpenKey))
                    .col(timestamp_with_time_zone(R::CreatedAt))
                    .col(timestamp_with_time_zone_null(R::ClosedAt))
                    .col(uuid_null(R::ClosedBy))
                    .foreign_key(&mut cascade(
                        (R::Table, R::PostId),
                        (DiscussionPosts::Table, DiscussionPosts::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (R::Table, R::ReporterId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_discussion_reports_one_open",
                R::Table,
                vec![
                    R::PostId.into_iden(),
                    R::ReporterId.into_iden(),
                    R::OpenKey.into_iden(),
                ],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_discussion_reports_queue",
                R::Table,
                vec![R::SpaceId.into_iden(), R::Status.into_iden()],
                false,
            ))
            .await?;

        use DiscussionModerators as M;
        manager
            .create_table(
                Table::create()
                    .table(M::Table)
                    .col(uuid(M::SpaceId))
                    .col(uuid(M::UserId))
                    .col(uuid_null(M::AddedBy))
                    .col(timestamp_with_time_zone(M::CreatedAt))
                    .primary_key(Index::create().col(M::SpaceId).col(M::UserId))
                    .foreign_key(&mut cascade(
                        (M::Table, M::SpaceId),
                        (DiscussionSpaces::Table, DiscussionSpaces::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (M::Table, M::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_discussion_moderators_user",
                M::Table,
                vec![M::UserId.into_iden()],
                false,
            ))
            .await?;

        use DiscussionSuspensions as S;
        manager
            .create_table(
                Table::create()
                    .table(S::Table)
                    .col(pk_uuid(S::Id))
                    .col(uuid(S::UserId))
                    .col(uuid_null(S::SpaceId))
                    .col(timestamp_with_time_zone(S::Until))
                    .col(text(S::Reason))
                    .col(uuid_null(S::CreatedBy))
                    .col(timestamp_with_time_zone(S::CreatedAt))
                    .col(timestamp_with_time_zone_null(S::LiftedAt))
                    .col(uuid_null(S::LiftedBy))
                    .foreign_key(&mut cascade(
                        (S::Table, S::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_discussion_suspensions_user",
                S::Table,
                vec![S::UserId.into_iden(), S::Until.into_iden()],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_discussion_suspensions_space",
                S::Table,
                vec![S::SpaceId.into_iden(), S::Until.into_iden()],
                false,
            ))
            .await?;

        use DiscussionApprovals as A;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .col(pk_uuid(A::PostId))
                    .col(uuid(A::ThreadId))
                    .col(uuid(A::SpaceId))
                    .col(uuid_null(A::AuthorId))
                    .col(boolean(A::Opening))
                    .col(string_len(A::Status, 16))
                    .col(timestamp_with_time_zone(A::CreatedAt))
                    .col(timestamp_with_time_zone_null(A::DecidedAt))
                    .col(uuid_null(A::DecidedBy))
                    .foreign_key(&mut cascade(
                        (A::Table, A::PostId),
                        (DiscussionPosts::Table, DiscussionPosts::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_discussion_approvals_space",
                vec![A::SpaceId.into_iden(), A::Status.into_iden()],
            ),
            (
                "idx_discussion_approvals_thread",
                vec![A::ThreadId.into_iden()],
            ),
        ] {
            manager
                .create_index(index(name, A::Table, cols, false))
                .await?;
        }

        use DiscussionAudit as L;
        manager
            .create_table(
                Table::create()
                    .table(L::Table)
                    .col(uuid(L::EventId))
                    .col(uuid(L::SpaceId))
                    .col(timestamp_with_time_zone(L::At))
                    .primary_key(Index::create().col(L::EventId).col(L::SpaceId))
                    .foreign_key(&mut cascade(
                        (L::Table, L::SpaceId),
                        (DiscussionSpaces::Table, DiscussionSpaces::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_discussion_audit_space",
                L::Table,
                vec![L::SpaceId.into_iden(), L::At.into_iden()],
                false,
            ))
            .await?;

        // Whether an author is new counts their posts.
        manager
            .create_index(index(
                "idx_discussion_posts_author",
                DiscussionPosts::Table,
                vec![DiscussionPosts::AuthorId.into_iden()],
                false,
            ))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(DiscussionSpaces::Table)
                    .add_column(json_null(DiscussionSpaces::Descriptions))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_discussion_posts_author")
                    .table(DiscussionPosts::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(DiscussionSpaces::Table)
                    .drop_column(DiscussionSpaces::Descriptions)
                    .to_owned(),
            )
            .await?;
        for t in [
            DiscussionAudit::Table.into_iden(),
            DiscussionApprovals::Table.into_iden(),
            DiscussionSuspensions::Table.into_iden(),
            DiscussionModerators::Table.into_iden(),
            DiscussionReports::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
