//! What one person may do in one space.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::{Discussions, not_found};
use crate::{
    Error, Result,
    accounts::{Principal, Role, require_signed_in},
    entities::{
        cohort, cohort_facilitator, cohort_member, course_author, discussion_moderator,
        discussion_space, discussion_thread, enrolment,
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

/// What `user_id` (with `role`) may do in `space`.
pub(super) async fn access_of(
    db: &impl ConnectionTrait,
    space: &discussion_space::Model,
    user_id: Uuid,
    role: Role,
) -> Result<Access> {
    let admin = role == Role::Admin;
    Ok(match space.kind.as_str() {
        COMMUNITY => Access {
            read: true,
            post: true,
            moderate: admin || named_moderator(db, space.id, user_id).await?,
        },
        COURSE => {
            let Some(course_id) = space.course_id else {
                return Ok(Access::default());
            };
            let author = course_author::Entity::find_by_id((course_id, user_id))
                .one(db)
                .await?
                .is_some();
            let named = !admin && !author && named_moderator(db, space.id, user_id).await?;
            let inside = admin
                || author
                || named
                || enrolment::Entity::find()
                    .filter(enrolment::Column::CourseId.eq(course_id))
                    .filter(enrolment::Column::UserId.eq(user_id))
                    .count(db)
                    .await?
                    > 0
                || facilitates_course(db, course_id, user_id).await?;
            Access {
                read: inside,
                post: inside,
                moderate: admin || author || named,
            }
        }
        COHORT => {
            let Some(cohort_id) = space.cohort_id else {
                return Ok(Access::default());
            };
            let facilitator = cohort_facilitator::Entity::find_by_id((cohort_id, user_id))
                .one(db)
                .await?
                .is_some();
            let member = cohort_member::Entity::find_by_id((cohort_id, user_id))
                .one(db)
                .await?
                .is_some();
            let inside = admin || facilitator || member;
            Access {
                read: inside,
                post: inside,
                moderate: admin || facilitator,
            }
        }
        _ => Access::default(),
    })
}

/// Whether an admin named `user_id` moderator of the space (community and
/// course spaces only: a cohort's moderators are its facilitators).
pub(super) async fn named_moderator(
    db: &impl ConnectionTrait,
    space_id: Uuid,
    user_id: Uuid,
) -> Result<bool> {
    Ok(
        discussion_moderator::Entity::find_by_id((space_id, user_id))
            .one(db)
            .await?
            .is_some(),
    )
}

async fn facilitates_course(
    db: &impl ConnectionTrait,
    course_id: Uuid,
    user_id: Uuid,
) -> Result<bool> {
    let cohorts: Vec<Uuid> = cohort::Entity::find()
        .filter(cohort::Column::CourseId.eq(course_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    if cohorts.is_empty() {
        return Ok(false);
    }
    Ok(cohort_facilitator::Entity::find()
        .filter(cohort_facilitator::Column::CohortId.is_in(cohorts))
        .filter(cohort_facilitator::Column::UserId.eq(user_id))
        .count(db)
        .await?
        > 0)
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
