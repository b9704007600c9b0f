//! The practice library (issue 19): what cities did, in their own words,
//! for other cities to learn from.
//!
//! Who may do what, decided here and nowhere else:
//! - anyone, signed in or not, reads published practices;
//! - an active member of an organisation writes practices for it (draft),
//!   and submits them for review; its author and the organisation's
//!   administrators edit a practice while it is not published;
//! - reviewers (`can_review_practices`) request changes with a note the
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

use sea_orm::DatabaseConnection;
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
    Error,
    accounts::{Principal, Role},
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
/// is administrators. The one place that decides it.
pub fn can_review_practices(who: &Principal) -> bool {
    who.role == Role::Admin
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
