//! What one person may do in one space.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait,
    sea_query::{Alias, Expr, IntoIden, Query, SelectStatement},
};
use uuid::Uuid;

use super::{Discussions, not_found};
use crate::{
    Error, Result,
    accounts::{Principal, Role, require_signed_in},
    entities::{
        cohort, cohort_facilitator, cohort_member, course_author, discussion_follow,
        discussion_moderator, discussion_space, discussion_suspension, discussion_thread,
        enrolment,
    },
};

/// What the caller may do in a space.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Access {
    pub read: bool,
    pub post: bool,
    pub moderate: bool,
}

/// `course`, `cohort` or `community`.
pub(super) const COURSE: &str = "course";
pub(super) const COHORT: &str = "cohort";
pub(super) const COMMUNITY: &str = "community";

/// What ties a person to a space (and to one of its threads), read in one
/// query: a thread page asks on every request.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Ties {
    /// Named moderator of the space by an admin.
    named: bool,
    /// An author of the space's course.
    author: bool,
    enrolled: bool,
    /// Facilitates a cohort of the space's course.
    facilitates_course: bool,
    /// Facilitates, or is a member of, the space's cohort.
    cohort_facilitator: bool,
    cohort_member: bool,
    /// Suspended from posting in the space (or everywhere) now.
    pub suspended: bool,
    /// Follows the thread asked about.
    pub following: bool,
}

/// `1` if `q` finds a row, else `0` (an integer on every database).
fn found(q: SelectStatement) -> Expr {
    Expr::case(Expr::exists(q), 1).finally(0).into()
}

fn one_where(table: impl IntoIden, filters: Vec<Expr>) -> SelectStatement {
    let mut q = Query::select();
    q.expr(Expr::val(1)).from(table);
    for f in filters {
        q.and_where(f);
    }
    q
}

/// What ties `user_id` to `space`, and whether they follow `thread`.
pub(super) async fn ties(
    db: &impl ConnectionTrait,
    space: &discussion_space::Model,
    user_id: Uuid,
    thread: Option<Uuid>,
) -> Result<Ties> {
    // A space of no course (or cohort) asks about none: the nil id matches nothing.
    let course = space.course_id.unwrap_or_else(Uuid::nil);
    let cohort = space.cohort_id.unwrap_or_else(Uuid::nil);
    let course_cohorts = Query::select()
        .column(cohort::Column::Id)
        .from(cohort::Entity)
        .and_where(cohort::Column::CourseId.eq(course))
        .to_owned();
    let asks = [
        (
            "named",
            one_where(
                discussion_moderator::Entity,
                vec![
                    discussion_moderator::Column::SpaceId.eq(space.id),
                    discussion_moderator::Column::UserId.eq(user_id),
                ],
            ),
        ),
        (
            "author",
            one_where(
                course_author::Entity,
                vec![
                    course_author::Column::CourseId.eq(course),
                    course_author::Column::UserId.eq(user_id),
                ],
            ),
        ),
        (
            "enrolled",
            one_where(
                enrolment::Entity,
                vec![
                    enrolment::Column::CourseId.eq(course),
                    enrolment::Column::UserId.eq(user_id),
                ],
            ),
        ),
        (
            "facilitates_course",
            one_where(
                cohort_facilitator::Entity,
                vec![
                    cohort_facilitator::Column::UserId.eq(user_id),
                    cohort_facilitator::Column::CohortId.in_subquery(course_cohorts),
                ],
            ),
        ),
        (
            "cohort_facilitator",
            one_where(
                cohort_facilitator::Entity,
                vec![
                    cohort_facilitator::Column::CohortId.eq(cohort),
                    cohort_facilitator::Column::UserId.eq(user_id),
                ],
            ),
        ),
        (
            "cohort_member",
            one_where(
                cohort_member::Entity,
                vec![
                    cohort_member::Column::CohortId.eq(cohort),
                    cohort_member::Column::UserId.eq(user_id),
                ],
            ),
        ),
        (
            "suspended",
            one_where(
                discussion_suspension::Entity,
                vec![
                    discussion_suspension::Column::UserId.eq(user_id),
                    discussion_suspension::Column::LiftedAt.is_null(),
                    discussion_suspension::Column::Until.gt(super::now()),
                    discussion_suspension::Column::SpaceId
                        .eq(space.id)
                        .or(discussion_suspension::Column::SpaceId.is_null()),
                ],
            ),
        ),
        (
            "following",
            one_where(
                discussion_follow::Entity,
                vec![
                    discussion_follow::Column::UserId.eq(user_id),
                    discussion_follow::Column::TargetId.eq(thread.unwrap_or_else(Uuid::nil)),
                ],
            ),
        ),
    ];
    let mut q = Query::select();
    for (name, ask) in asks {
        q.expr_as(found(ask), Alias::new(name));
    }
    let row = db
        .query_one(&q)
        .await?
        .ok_or_else(|| Error::Internal("a select of constants gave no row".into()))?;
    let flag = |name: &str| -> Result<bool> { Ok(row.try_get::<i32>("", name)? != 0) };
    Ok(Ties {
        named: flag("named")?,
        author: flag("author")?,
        enrolled: flag("enrolled")?,
        facilitates_course: flag("facilitates_course")?,
        cohort_facilitator: flag("cohort_facilitator")?,
        cohort_member: flag("cohort_member")?,
        suspended: flag("suspended")?,
        following: flag("following")?,
    })
}

impl Ties {
    /// What they may do in `space`, with `role`.
    pub(super) fn access(&self, space: &discussion_space::Model, role: Role) -> Access {
        let admin = role == Role::Admin;
        match space.kind.as_str() {
            COMMUNITY => Access {
                read: true,
                post: true,
                moderate: admin || self.named,
            },
            COURSE if space.course_id.is_some() => {
                let inside =
                    admin || self.author || self.named || self.enrolled || self.facilitates_course;
                Access {
                    read: inside,
                    post: inside,
                    moderate: admin || self.author || self.named,
                }
            }
            COHORT if space.cohort_id.is_some() => {
                let inside = admin || self.cohort_facilitator || self.cohort_member;
                Access {
                    read: inside,
                    post: inside,
                    moderate: admin || self.cohort_facilitator,
                }
            }
            _ => Access::default(),
        }
    }
}

/// What `user_id` (with `role`) may do in `space`.
pub(super) async fn access_of(
    db: &impl ConnectionTrait,
    space: &discussion_space::Model,
    user_id: Uuid,
    role: Role,
) -> Result<Access> {
    Ok(ties(db, space, user_id, None).await?.access(space, role))
}

/// The refusal for someone who may not read a space: a cohort's space does
/// not exist for them; a course's asks them to enrol.
pub(super) fn refusal(space: &discussion_space::Model) -> Error {
    match space.kind.as_str() {
        COURSE => Error::Forbidden {
            reason: "enrol in the course to join its discussion",
        },
        _ => not_found("discussion space"),
    }
}

impl Discussions {
    /// The caller's access to a space they may read; refused otherwise.
    pub(super) async fn reader(
        &self,
        who: Option<&Principal>,
        space: &discussion_space::Model,
    ) -> Result<Access> {
        let who = require_signed_in(who)?;
        let a = access_of(&self.db, space, who.user_id, who.role).await?;
        if a.read { Ok(a) } else { Err(refusal(space)) }
    }

    /// A thread and its space, if the caller may read them.
    pub(super) async fn readable_thread(
        &self,
        who: Option<&Principal>,
        thread_id: Uuid,
    ) -> Result<(discussion_thread::Model, discussion_space::Model, Access)> {
        require_signed_in(who)?;
        let t = discussion_thread::Entity::find_by_id(thread_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found("thread"))?;
        let space = discussion_space::Entity::find_by_id(t.space_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found("thread"))?;
        let a = self.reader(who, &space).await.map_err(|e| match e {
            // A thread of a space one cannot read names nothing.
            Error::Forbidden { .. } => not_found("thread"),
            e => e,
        })?;
        let user = require_signed_in(who)?.user_id;
        if self.thread_held_from(&t, user, a).await? {
            return Err(not_found("thread"));
        }
        Ok((t, space, a))
    }
}
