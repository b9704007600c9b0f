//! Who may read a course's report: administrators and the course's authors
//! (owner or co-authors). The one place report access is decided, for the
//! JSON API and the report page alike.

use sea_orm::{ConnectionTrait, EntityTrait};

use super::{Reports, find_course};
use crate::{
    Error, Result,
    accounts::{Principal, Role},
    entities::{course, course_author},
};

/// A course whose report the caller may read: only [`Reports::readable`]
/// makes one, so holding it is the proof that access was checked.
#[derive(Clone, Debug)]
pub struct ReadableCourse {
    pub(super) course: course::Model,
}

impl ReadableCourse {
    pub fn slug(&self) -> &str {
        &self.course.slug
    }

    pub fn id(&self) -> uuid::Uuid {
        self.course.id
    }
}

/// Whether a caller with `role`, who is (or is not) an author of the
/// course, may read its report. Anonymous callers are refused as
/// unauthorised, anyone else without access as forbidden.
pub(super) fn decide(caller: Option<Role>, is_author: bool) -> Result<()> {
    match caller {
        None => Err(Error::Unauthorized {
            reason: "sign in to see course reports",
        }),
        Some(Role::Admin) => Ok(()),
        Some(Role::Author) if is_author => Ok(()),
        Some(_) => Err(Error::Forbidden {
            reason: "only administrators and the course's authors may see its report",
        }),
    }
}

async fn is_author(
    db: &impl ConnectionTrait,
    who: &Principal,
    course_id: uuid::Uuid,
) -> Result<bool> {
    Ok(course_author::Entity::find_by_id((course_id, who.user_id))
        .one(db)
        .await?
        .is_some())
}

impl Reports {
    /// The course by slug (whatever its status: drafts have reports too),
    /// once `caller` may read its report. An unknown course is not found,
    /// whoever asks.
    pub async fn readable(&self, caller: Option<&Principal>, slug: &str) -> Result<ReadableCourse> {
        let course = find_course(&self.db, slug).await?;
        let author = match caller {
            Some(p) if p.role == Role::Author => is_author(&self.db, p, course.id).await?,
            _ => false,
        };
        // An instructor launched into the course from their LMS sees its
        // report, as a facilitator does.
        if let Some(p) = caller
            && !author
            && p.role != Role::Admin
            && crate::lti::is_instructor(&self.db, p.user_id, course.id).await?
        {
            return Ok(ReadableCourse { course });
        }
        decide(caller.map(|p| p.role), author)?;
        Ok(ReadableCourse { course })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administrators_and_the_course_authors_read_reports() {
        assert!(decide(Some(Role::Admin), false).is_ok());
        assert!(decide(Some(Role::Author), true).is_ok());
    }

    #[test]
    fn anyone_else_is_refused() {
        assert!(matches!(
            decide(None, false),
            Err(Error::Unauthorized { .. })
        ));
        assert!(matches!(
            decide(Some(Role::Author), false),
            Err(Error::Forbidden { .. })
        ));
        // A learner is refused even if a stale author row names them.
        assert!(matches!(
            decide(Some(Role::Learner), true),
            Err(Error::Forbidden { .. })
        ));
    }
}
