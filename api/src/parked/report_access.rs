//! Who may see a course's report. A rule waiting to move into the report
//! service in core; until then the API and the report page call it here.

use agora_core::{
    accounts::{Principal, Role},
    entities::course,
};

use crate::state::AppState;

/// Who may read a course's report: for now administrators only.
///
/// Anonymous readers are refused as unauthorised, anyone else signed in as
/// forbidden. This is the one place report access is decided, for the JSON
/// API and the report page alike.
// TODO(issue 7, course ownership): once the `course_authors` table lands,
// also let the course's authors in (owner or coauthor of `course`), e.g.
// `authoring::is_author(&state.db, principal.user_id, course.id).await?`.
// That is why this takes the state and the course, and is async.
pub async fn require_report_access(
    state: &AppState,
    principal: Option<&Principal>,
    course: &course::Model,
) -> Result<(), agora_core::Error> {
    match principal {
        None => Err(agora_core::Error::Unauthorized {
            reason: "sign in to see course reports",
        }),
        Some(p) if p.role == Role::Admin => Ok(()),
        // The course's owner and co-authors, as authoring decides.
        Some(p) => agora_core::authoring::Authoring::new(state.db.clone(), state.learning.clone())
            .access(p, &course.slug)
            .await
            .map(|_| ())
            .map_err(|e| match e {
                agora_core::Error::Forbidden { .. } => agora_core::Error::Forbidden {
                    reason: "only administrators and the course's authors may see its report",
                },
                other => other,
            }),
    }
}
