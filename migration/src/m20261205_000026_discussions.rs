//! Discussions (issue 19): spaces (one per course, one per cohort, and
//! network-wide community spaces), threads, posts with their edit history
//! and "helpful" reactions, follows, and in-app notifications.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DiscussionSpaces {
    Table,
    Id,
    /// `course-<slug>`, `cohort-<slug>`, or a community space's own slug.
    Slug,
    /// `course`, `cohort` or `community`.
    Kind,
    CourseId,
    CohortId,
    /// `{locale: title}` for community spaces.
    Titles,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DiscussionThreads {
    Table,
    Id,
    SpaceId,
    /// The lesson a course space's thread is about.
    LessonKey,
    AuthorId,
    Title,
    Question,
    AnswerPostId,
    Locked,
    ReplyCount,
    HelpfulCount,
    LastActivityAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DiscussionPosts {
    Table,
    Id,
    ThreadId,
    /// The top-level post this one replies to (one level deep).
    ParentId,
    /// The thread's first post, its body.
    Opening,
    AuthorId,
    /// Markdown.
    Body,
    Deleted,
    Hidden,
    HelpfulCount,
    CreatedAt,
    EditedAt,
}

#[derive(DeriveIden)]
enum DiscussionPostRevisions {
    Table,
    Id,
    PostId,
    /// The body before the edit.
    Body,
    EditedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DiscussionReactions {
    Table,
    PostId,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DiscussionFollows {
    Table,
    UserId,
    /// A thread's or a space's id.
    TargetId,
    /// `thread` or `space`.
    Kind,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    /// `reply`, `mention`, `answer` or `thread`.
    Kind,
    SpaceId,
    ThreadId,
    PostId,
    ActorId,
    ReadAt,
    CreatedAt,
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
            .create_table(
                Table::create()
                    .table(DiscussionSpaces::Table)
                    .col(pk_uuid(DiscussionSpaces::Id))
                    .col(string_len_uniq(DiscussionSpaces::Slug, 120))
                    .col(string_len(DiscussionSpaces::Kind, 16))
                    .col(uuid_null(DiscussionSpaces::CourseId))
                    .col(uuid_null(DiscussionSpaces::CohortId))
                    .col(json(DiscussionSpaces::Titles))
                    .col(timestamp_with_time_zone(DiscussionSpaces::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DiscussionThreads::Table)
                    .col(pk_uuid(DiscussionThreads::Id))
                    .col(uuid(DiscussionThreads::SpaceId))
                    .col(string_len_null(DiscussionThreads::LessonKey, 80))
                    .col(uuid_null(DiscussionThreads::AuthorId))
                    .col(string_len(DiscussionThreads::Title, 200))
                    .col(boolean(DiscussionThreads::Question))
                    .col(uuid_null(DiscussionThreads::AnswerPostId))
                    .col(boolean(DiscussionThreads::Locked))
                    .col(integer(DiscussionThreads::ReplyCount))
                    .col(integer(DiscussionThreads::HelpfulCount))
                    .col(timestamp_with_time_zone(DiscussionThreads::LastActivityAt))
                    .col(timestamp_with_time_zone(DiscussionThreads::CreatedAt))
                    .foreign_key(&mut cascade(
                        (DiscussionThreads::Table, DiscussionThreads::SpaceId),
                        (DiscussionSpaces::Table, DiscussionSpaces::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_discussion_threads_latest",
                vec![
                    DiscussionThreads::SpaceId,
                    DiscussionThreads::LastActivityAt,
                ],
            ),
            (
                "idx_discussion_threads_lesson",
                vec![DiscussionThreads::SpaceId, DiscussionThreads::LessonKey],
            ),
        ] {
            let mut i = Index::create();
            i.name(name).table(DiscussionThreads::Table);
            for c in cols {
                i.col(c);
            }
            manager.create_index(i.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(DiscussionPosts::Table)
                    .col(pk_uuid(DiscussionPosts::Id))
                    .col(uuid(DiscussionPosts::ThreadId))
                    .col(uuid_null(DiscussionPosts::ParentId))
                    .col(boolean(DiscussionPosts::Opening))
                    .col(uuid_null(DiscussionPosts::AuthorId))
                    .col(text(DiscussionPosts::Body))
                    .col(boolean(DiscussionPosts::Deleted))
                    .col(boolean(DiscussionPosts::Hidden))
                    .col(integer(DiscussionPosts::HelpfulCount))
                    .col(timestamp_with_time_zone(DiscussionPosts::CreatedAt))
                    .col(timestamp_with_time_zone_null(DiscussionPosts::EditedAt))
                    .foreign_key(&mut cascade(
                        (DiscussionPosts::Table, DiscussionPosts::ThreadId),
                        (DiscussionThreads::Table, DiscussionThreads::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_discussion_posts_thread")
                    .table(DiscussionPosts::Table)
                    .col(DiscussionPosts::ThreadId)
                    .col(DiscussionPosts::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DiscussionPostRevisions::Table)
                    .col(pk_uuid(DiscussionPostRevisions::Id))
                    .col(uuid(DiscussionPostRevisions::PostId))
                    .col(text(DiscussionPostRevisions::Body))
                    .col(uuid_null(DiscussionPostRevisions::EditedBy))
                    .col(timestamp_with_time_zone(DiscussionPostRevisions::CreatedAt))
                    .foreign_key(&mut cascade(
                        (
                            DiscussionPostRevisions::Table,
                            DiscussionPostRevisions::PostId,
                        ),
                        (DiscussionPosts::Table, DiscussionPosts::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_discussion_post_revisions_post")
                    .table(DiscussionPostRevisions::Table)
                    .col(DiscussionPostRevisions::PostId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DiscussionReactions::Table)
                    .col(uuid(DiscussionReactions::PostId))
                    .col(uuid(DiscussionReactions::UserId))
                    .col(timestamp_with_time_zone(DiscussionReactions::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(DiscussionReactions::PostId)
                            .col(DiscussionReactions::UserId),
                    )
                    .foreign_key(&mut cascade(
                        (DiscussionReactions::Table, DiscussionReactions::PostId),
                        (DiscussionPosts::Table, DiscussionPosts::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (DiscussionReactions::Table, DiscussionReactions::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DiscussionFollows::Table)
                    .col(uuid(DiscussionFollows::UserId))
                    .col(uuid(DiscussionFollows::TargetId))
                    .col(string_len(DiscussionFollows::Kind, 16))
                    .col(timestamp_with_time_zone(DiscussionFollows::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(DiscussionFollows::UserId)
                            .col(DiscussionFollows::TargetId),
                    )
                    .foreign_key(&mut cascade(
                        (DiscussionFollows::Table, DiscussionFollows::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_discussion_follows_target")
                    .table(DiscussionFollows::Table)
                    .col(DiscussionFollows::TargetId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(pk_uuid(Notifications::Id))
                    .col(uuid(Notifications::UserId))
                    .col(string_len(Notifications::Kind, 16))
                    .col(uuid(Notifications::SpaceId))
                    .col(uuid(Notifications::ThreadId))
                    .col(uuid_null(Notifications::PostId))
                    .col(uuid_null(Notifications::ActorId))
                    .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                    .col(timestamp_with_time_zone(Notifications::CreatedAt))
                    .foreign_key(&mut cascade(
                        (Notifications::Table, Notifications::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (Notifications::Table, Notifications::ThreadId),
                        (DiscussionThreads::Table, DiscussionThreads::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_notifications_user")
                    .table(Notifications::Table)
                    .col(Notifications::UserId)
                    .col(Notifications::ReadAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Notifications::Table.into_iden(),
            DiscussionFollows::Table.into_iden(),
            DiscussionReactions::Table.into_iden(),
            DiscussionPostRevisions::Table.into_iden(),
            DiscussionPosts::Table.into_iden(),
            DiscussionThreads::Table.into_iden(),
            DiscussionSpaces::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
