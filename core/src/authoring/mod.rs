//! Authoring: knowledge managers write courses as drafts and publish them.
//!
//! A draft is the files of the `courses/` folder format (`course.yaml`,
//! `{locale}/meta.yaml`, one Markdown or quiz YAML file per lesson,
//! `{locale}/resources/…`), kept in the database. Every save is checked by the
//! same reader as `agora import`, so a draft always imports, and a save that
//! would break the course is refused with the reader's messages (file, line).
//! Downloading a draft zips those files and uploading a zip replaces them:
//! the round trip is lossless because nothing is converted.
//!
//! Publishing applies the draft to the live tables through the importer, in
//! one transaction with an immutable version (the zipped files) and an audit
//! event. The importer matches modules and lessons by key, so learners keep
//! their progress: a removed lesson stops counting, a new one counts for
//! those who have not finished, and a completed course stays completed.
//!
//! Saves name the draft revision they started from; a save based on an older
//! revision is a conflict, never a silent overwrite.

use std::collections::BTreeMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Error, Result,
    accounts::Principal,
    course_source::Problem,
    domain::CourseStatus,
    entities::{audit_event, user},
    learning::Learning,
    storage::Storage,
};

mod access;
mod drafts;
mod files;
mod media;
mod preview;
mod publish;
mod translations;

pub use files::{
    MAX_ARCHIVE_BYTES, MAX_FILES, MAX_TEXT_BYTES, check_path, read_files, unzip_files, zip_files,
};
pub use media::{DraftMedia, DraftMediaItem};
pub use preview::{preview, preview_lesson, preview_outline};
pub use translations::{TranslationItem, TranslationStatus};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorRole {
    Owner,
    CoAuthor,
}

impl AuthorRole {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorRole::Owner => "owner",
            AuthorRole::CoAuthor => "coauthor",
        }
    }
}

/// What the caller may do with one course.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Admin,
    Owner,
    CoAuthor,
}

impl Access {
    /// Owners and admins manage co-authors; everyone with access edits and publishes.
    pub fn manages_authors(self) -> bool {
        matches!(self, Access::Admin | Access::Owner)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Admin => "admin",
            Access::Owner => "owner",
            Access::CoAuthor => "coauthor",
        }
    }
}

#[derive(Clone, Debug)]
pub struct DraftFileInfo {
    pub path: String,
    pub size: u64,
    pub sha256: String,
    pub updated_at: OffsetDateTime,
}

/// A course as its authors see it.
#[derive(Clone, Debug)]
pub struct DraftInfo {
    pub slug: String,
    pub title: String,
    pub status: CourseStatus,
    pub access: Access,
    pub revision: i64,
    pub updated_at: OffsetDateTime,
    /// The draft differs from the latest published version.
    pub unpublished_changes: bool,
    pub latest_version: Option<i32>,
    pub files: Vec<DraftFileInfo>,
    /// Reader warnings (missing translations and the like); errors cannot be saved.
    pub warnings: Vec<Problem>,
    pub authors: Vec<AuthorInfo>,
}

#[derive(Clone, Debug)]
pub struct AuthorInfo {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: AuthorRole,
}

#[derive(Clone, Debug)]
pub struct CourseListItem {
    pub slug: String,
    pub title: String,
    pub status: CourseStatus,
    pub access: Access,
    pub revision: i64,
    pub updated_at: OffsetDateTime,
}

#[derive(Clone, Debug)]
pub struct VersionInfo {
    pub number: i32,
    pub digest: String,
    pub published_at: OffsetDateTime,
    pub published_by: Option<String>,
}

#[derive(Clone, Debug)]
pub struct AuditEntry {
    pub at: OffsetDateTime,
    pub actor: Option<String>,
    pub action: String,
    pub detail: serde_json::Value,
}

/// One text of a translation: a file of the default locale and its
/// counterpart in another locale.
/// A change to one file: new bytes, or `None` to delete it.
pub type FileChange = (String, Option<Vec<u8>>);

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Error {
    Error::invalid(field, reason)
}

fn sha256(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The authoring service, built once at start-up.
#[derive(Clone)]
pub struct Authoring {
    db: DatabaseConnection,
    /// Told when a course's structure changes, so learners see it at once.
    learning: Learning,
    /// Where published media go.
    storage: Storage,
}

impl Authoring {
    pub fn new(db: DatabaseConnection, learning: Learning, storage: Storage) -> Self {
        Self {
            db,
            learning,
            storage,
        }
    }

    pub(super) async fn audit(
        &self,
        conn: &impl ConnectionTrait,
        who: &Principal,
        course_id: Option<Uuid>,
        action: &str,
        detail: serde_json::Value,
    ) -> Result<()> {
        audit_event::ActiveModel {
            id: Set(Uuid::new_v4()),
            at: Set(now()),
            actor_id: Set(Some(who.user_id)),
            course_id: Set(course_id),
            action: Set(action.to_owned()),
            detail: Set(detail),
        }
        .insert(conn)
        .await?;
        Ok(())
    }

    pub(super) async fn names(
        &self,
        ids: impl Iterator<Item = Uuid>,
    ) -> Result<BTreeMap<Uuid, String>> {
        Ok(user::Entity::find()
            .filter(user::Column::Id.is_in(ids.collect::<Vec<_>>()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.email))
            .collect())
    }
}
