//! The practice library (issue 19): what cities did, in their own words,
//! for other cities to learn from.
//!
//! Who may do what, decided here and nowhere else:
//! - anyone, signed in or not, reads published practices;
//! - an active member of an organisation writes practices for it (draft),
//!   and submits them for review; its author and the organisation's
//!   administrators edit a practice while it is not published;
//! - reviewers (`can_review_practices`: admins and the named moderators of
//!   community spaces) request changes with a note the
//!   submitter sees, publish and unpublish; each decision is in the audit log;
//! - a signed-in person writes to a practice's opted-in contact through
//!   Agora's mail, never seeing the address (see `contact`).
//!
//! - `codes`: SDG goals and targets, Sendai priorities and targets;
//! - `input`: a practice's fields, parsed, each failure naming its field;
//! - `workflow`: creating, editing, submitting and reviewing;
//! - `library`: the published library, filtered, with counts per facet;
//! - `views`: a practice as its reader sees it, in their language;
//! - `contact`: "Contact this city", refusals and shared addresses;
//! - `files`: PDF attachments and images with their text alternative;
//! - `shipped`: the practices of the repository's `practices/` folder.

mod codes;
mod contact;
mod files;
mod input;
mod library;
mod shipped;
mod views;
mod workflow;

use std::sync::Arc;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    sea_query::Query,
};
use time::OffsetDateTime;

pub use self::{
    codes::Code,
    contact::{ContactMail, MAX_MESSAGE, RevealMail, send_contact, send_reveal},
    files::{MAX_FILES, PracticeFile},
    input::{BudgetRange, Indicator, PracticeInput, PracticeText, Source},
    library::{Facet, FacetValue, Library, LibraryQuery, PAGE_SIZE, PracticeSummary},
    shipped::{ShippedReport, load_shipped, read_dir as read_shipped},
    views::{PracticeRecord, PracticeView, SourceView},
    workflow::{Decision, SubmissionItem},
};
use crate::{
    Error, Result,
    accounts::{Principal, Role},
    entities::{discussion_moderator, discussion_space},
    rate_limit::ContactLimits,
    storage::Storage,
};

/// Written by a member, not yet sent to review.
pub const DRAFT: &str = "draft";
/// Waits for a reviewer.
pub const SUBMITTED: &str = "submitted";
/// A reviewer asked for changes (see the note).
pub const CHANGES_REQUESTED: &str = "changes_requested";
/// In the library.
pub const PUBLISHED: &str = "published";
/// Taken out of the library by a reviewer; its authors may edit and resubmit.
pub const UNPUBLISHED: &str = "unpublished";

/// Who reviews practices: the moderators of the network-wide spaces, that
/// is administrators and the people an administrator names moderator of a
/// community space (`discussions::moderators`; a course space's named
/// moderators do not count: they moderate one course). The one place that
/// decides it.
pub async fn can_review_practices(db: &impl ConnectionTrait, who: &Principal) -> Result<bool> {
    if who.role == Role::Admin {
        return Ok(true);
    }
    Ok(discussion_moderator::Entity::find()
        .filter(discussion_moderator::Column::UserId.eq(who.user_id))
        .filter(
            discussion_moderator::Column::SpaceId.in_subquery(
                Query::select()
                    .column(discussion_space::Column::Id)
                    .from(discussion_space::Entity)
                    .and_where(
                        discussion_space::Column::Kind.eq(crate::discussions::COMMUNITY_KIND),
                    )
                    .to_owned(),
            ),
        )
        .count(db)
        .await?
        > 0)
}

/// The practice library, built once at start-up.
#[derive(Clone)]
pub struct Practices {
    db: DatabaseConnection,
    limits: Arc<ContactLimits>,
    storage: Storage,
}

impl Practices {
    pub fn new(db: DatabaseConnection, limits: Arc<ContactLimits>, storage: Storage) -> Self {
        Practices {
            db,
            limits,
            storage,
        }
    }
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn not_found() -> Error {
    Error::NotFound { what: "practice" }
}
