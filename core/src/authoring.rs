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

use std::{
    collections::BTreeMap,
    io::{Cursor, Read, Write},
};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::{Expr, ExprTrait},
};
use serde_json::json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Error, Result,
    accounts::{Principal, Role},
    course_source::{self, CourseSource, MAX_RESOURCE_BYTES, Problem, Report},
    domain::{CourseStatus, Locale, Slug},
    entities::{
        audit_event, course, course_author, course_draft, course_translation, course_version,
        draft_file, user,
    },
    import, markdown,
};

/// Largest Markdown or YAML file of a draft.
pub const MAX_TEXT_BYTES: usize = 512 * 1024;
/// Largest uploaded course archive.
pub const MAX_ARCHIVE_BYTES: usize = 50 * 1024 * 1024;
/// Most files in one course.
pub const MAX_FILES: usize = 1000;

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
#[derive(Clone, Debug)]
pub struct TranslationItem {
    pub path: String,
    pub source_path: String,
    /// `missing`, `outdated` (older than its source) or `current`.
    pub state: &'static str,
}

#[derive(Clone, Debug)]
pub struct TranslationStatus {
    pub locale: Locale,
    pub is_default: bool,
    pub items: Vec<TranslationItem>,
}

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

/// A draft file's path: the shapes of the `courses/` folder format only.
pub fn check_path(path: &str) -> Result<()> {
    let bad = |reason: &str| invalid("path", format!("`{path}`: {reason}"));
    if path.is_empty() || path.len() > 200 {
        return Err(bad("must be 1–200 characters"));
    }
    let parts: Vec<&str> = path.split('/').collect();
    if parts.iter().any(|p| {
        p.is_empty()
            || p.starts_with('.')
            || !p
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    }) {
        return Err(bad(
            "use lowercase letters, digits, `-`, `_` and `.`, with `/` between folders",
        ));
    }
    match parts.as_slice() {
        ["course.yaml"] => Ok(()),
        [crate::media::MEDIA_DIR, _] => Ok(()),
        [locale, rest @ ..] if locale.parse::<Locale>().is_ok() => match rest {
            [name] if name.ends_with(".md") || name.ends_with(".yaml") => Ok(()),
            ["resources", _] => Ok(()),
            _ => Err(bad(
                "expected `course.yaml`, `{locale}/meta.yaml`, `{locale}/{lesson}.md`, `{locale}/{quiz}.yaml` or `{locale}/resources/{file}`",
            )),
        },
        _ => Err(bad(
            "expected `course.yaml`, a file under a locale folder (`en/`, `fr/`, `es/`) or `media/{file}`",
        )),
    }
}

fn check_file(path: &str, data: &[u8]) -> Result<()> {
    check_path(path)?;
    let is_media = path.starts_with("media/");
    let is_resource = path.contains("/resources/") || is_media;
    let limit = if is_media {
        crate::media::MAX_FILE_BYTES
    } else if is_resource {
        MAX_RESOURCE_BYTES
    } else {
        MAX_TEXT_BYTES
    };
    if data.len() > limit {
        return Err(invalid(
            path,
            format!("{} bytes is over the limit of {limit} bytes", data.len()),
        ));
    }
    if !is_resource && (std::str::from_utf8(data).is_err() || data.contains(&0)) {
        return Err(invalid(path, "must be UTF-8 text"));
    }
    Ok(())
}

/// Reads a set of files with the importer's reader. `Err` carries every
/// problem, with paths relative to the course folder.
pub fn read_files(
    files: &BTreeMap<String, Vec<u8>>,
) -> std::result::Result<(CourseSource, Vec<Problem>), Vec<Problem>> {
    let io = |e: std::io::Error| {
        vec![Problem {
            file: "".into(),
            line: None,
            message: format!("cannot check the course: {e}"),
        }]
    };
    let tmp = tempfile::tempdir().map_err(io)?;
    let dir = tmp.path().join("course");
    for (path, data) in files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&target, data).map_err(io)?;
    }
    std::fs::create_dir_all(&dir).map_err(io)?;
    let mut report = Report::default();
    let source = course_source::read_course(&dir, &mut report);
    let relative = |mut p: Problem| {
        p.file = p.file.strip_prefix(&dir).unwrap_or(&p.file).to_owned();
        p
    };
    let errors: Vec<Problem> = report.errors.into_iter().map(relative).collect();
    let warnings: Vec<Problem> = report.warnings.into_iter().map(relative).collect();
    match source {
        Some(s) if errors.is_empty() => Ok((s, warnings)),
        _ if errors.is_empty() => Err(vec![Problem {
            file: "course.yaml".into(),
            line: None,
            message: "the course cannot be read".into(),
        }]),
        _ => Err(errors),
    }
}

/// A draft the structured editors cannot open: its files do not read.
fn broken_draft(problems: Vec<Problem>) -> Error {
    match problems_error(problems) {
        Error::Invalid { field, reason } => Error::Conflict {
            field: "draft".into(),
            reason: format!(
                "the draft's files have a problem; fix it in the file editor first ({field}: {reason})"
            ),
        },
        other => other,
    }
}

/// The first problem as the field at fault, the rest in the message.
fn problems_error(problems: Vec<Problem>) -> Error {
    let first = &problems[0];
    let field = match first.line {
        Some(l) => format!("{}:{l}", first.file.display()),
        None => first.file.display().to_string(),
    };
    let mut reason = first.message.clone();
    if problems.len() > 1 {
        reason.push_str(&format!(" (and {} more: ", problems.len() - 1));
        let rest: Vec<String> = problems[1..].iter().map(|p| p.to_string()).collect();
        reason.push_str(&rest.join("; "));
        reason.push(')');
    }
    invalid(field, reason)
}

/// Zips a course's files under a folder named after its slug.
pub fn zip_files(slug: &str, files: &BTreeMap<String, Vec<u8>>) -> Result<Vec<u8>> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    let fail = |e: &dyn std::fmt::Display| Error::Internal(format!("zip: {e}"));
    for (path, data) in files {
        out.start_file(format!("{slug}/{path}"), options)
            .map_err(|e| fail(&e))?;
        out.write_all(data).map_err(|e| fail(&e))?;
    }
    Ok(out.finish().map_err(|e| fail(&e))?.into_inner())
}

/// Unzips a course archive: the files of one course folder, at the top or
/// inside a single folder. Paths are checked before anything is read.
pub fn unzip_files(archive: &[u8]) -> Result<BTreeMap<String, Vec<u8>>> {
    if archive.len() > MAX_ARCHIVE_BYTES {
        return Err(invalid(
            "archive",
            format!("the archive is over {MAX_ARCHIVE_BYTES} bytes"),
        ));
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(archive))
        .map_err(|e| invalid("archive", format!("not a zip archive: {e}")))?;
    if zip.len() > MAX_FILES * 2 {
        return Err(invalid("archive", "too many files"));
    }
    let mut names: Vec<String> = Vec::new();
    for i in 0..zip.len() {
        let f = zip
            .by_index(i)
            .map_err(|e| invalid("archive", format!("cannot read: {e}")))?;
        if !f.is_dir() {
            let name = f
                .name()
                .map_err(|e| invalid("archive", format!("a file name is not valid: {e}")))?;
            names.push(name.into_owned());
        }
    }
    let names_ok: Vec<&String> = names
        .iter()
        .filter(|n| {
            !n.starts_with("__MACOSX/") && !n.rsplit('/').next().unwrap_or("").starts_with('.')
        })
        .collect();
    // One top folder holding course.yaml (as downloads are), or none.
    let prefix = if names_ok.iter().any(|n| *n == "course.yaml") {
        String::new()
    } else {
        let tops: std::collections::BTreeSet<&str> = names_ok
            .iter()
            .filter_map(|n| n.split_once('/').map(|(t, _)| t))
            .collect();
        match tops.into_iter().collect::<Vec<_>>().as_slice() {
            [one] if names_ok.iter().any(|n| **n == format!("{one}/course.yaml")) => {
                format!("{one}/")
            }
            _ => {
                return Err(invalid(
                    "archive",
                    "expected one course folder: `course.yaml` at the top or in a single folder",
                ));
            }
        }
    };
    let mut files = BTreeMap::new();
    let mut total = 0usize;
    for name in names_ok {
        let Some(path) = name.strip_prefix(&prefix) else {
            return Err(invalid(name.as_str(), "is outside the course folder"));
        };
        check_path(path)?;
        let mut entry = zip
            .by_name(name)
            .map_err(|e| invalid(name.as_str(), format!("cannot read: {e}")))?;
        // The sizes a zip declares can lie: read at most one byte past the limit.
        let mut data = Vec::new();
        entry
            .by_ref()
            .take(MAX_RESOURCE_BYTES as u64 + 1)
            .read_to_end(&mut data)
            .map_err(|e| invalid(name.as_str(), format!("cannot read: {e}")))?;
        total += data.len();
        if total > MAX_ARCHIVE_BYTES {
            return Err(invalid("archive", "the unpacked course is too large"));
        }
        check_file(path, &data)?;
        files.insert(path.to_owned(), data);
    }
    if files.len() > MAX_FILES {
        return Err(invalid("archive", format!("more than {MAX_FILES} files")));
    }
    Ok(files)
}

/// The starting files of a new course: one module with one lesson, in the
/// default locale, that the reader accepts.
fn skeleton(slug: &str, locale: Locale, title: &str, summary: &str) -> BTreeMap<String, Vec<u8>> {
    let yaml = |s: &str| serde_json::to_string(s).expect("strings serialise");
    let mut files = BTreeMap::new();
    files.insert(
        "course.yaml".to_owned(),
        format!(
            "slug: {slug}\ndefault_locale: {locale}\nlevel: beginner\nduration_minutes: 10\nthemes:\n  sdgs: []\n  sendai: []\n  tags: []\nmodules:\n  - id: introduction\n    lessons:\n      - id: welcome\n        kind: text\n        duration_minutes: 10\n"
        )
        .into_bytes(),
    );
    files.insert(
        format!("{locale}/meta.yaml"),
        format!(
            "title: {}\nsummary: {}\ndescription: |\n  {}\nobjectives:\n  - {}\nmodules:\n  introduction:\n    title: {}\n",
            yaml(title),
            yaml(summary),
            summary.replace('\n', " "),
            yaml(summary),
            yaml(title),
        )
        .into_bytes(),
    );
    files.insert(
        format!("{locale}/welcome.md"),
        format!("---\ntitle: {}\n---\n{}\n", yaml(title), summary).into_bytes(),
    );
    files
}

/// The authoring service.
#[derive(Clone)]
pub struct Authoring {
    db: DatabaseConnection,
    /// Told when a course's structure changes, so learners see it at once.
    learning: crate::learning::Learning,
    /// Where published media go; `None` for a service that only checks
    /// access (publishing a course with media then fails).
    storage: Option<crate::storage::Storage>,
}

impl Authoring {
    pub fn new(db: DatabaseConnection, learning: crate::learning::Learning) -> Self {
        Self {
            db,
            learning,
            storage: None,
        }
    }

    /// The storage port media are published to.
    pub fn with_storage(mut self, storage: crate::storage::Storage) -> Self {
        self.storage = Some(storage);
        self
    }

    fn storage(&self) -> Result<&crate::storage::Storage> {
        self.storage
            .as_ref()
            .ok_or(Error::Unavailable { what: "storage" })
    }

    fn require_author(who: &Principal) -> Result<()> {
        match who.role {
            Role::Author | Role::Admin => Ok(()),
            Role::Learner => Err(Error::Forbidden {
                reason: "only authors and administrators may author courses",
            }),
        }
    }

    /// The course and what the caller may do with it.
    pub async fn access(&self, who: &Principal, slug: &str) -> Result<(course::Model, Access)> {
        Self::require_author(who)?;
        let c = course::Entity::find()
            .filter(course::Column::Slug.eq(slug))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "course" })?;
        if who.role == Role::Admin {
            return Ok((c, Access::Admin));
        }
        let row = course_author::Entity::find_by_id((c.id, who.user_id))
            .one(&self.db)
            .await?;
        match row.map(|r| r.role) {
            Some(r) if r == AuthorRole::Owner.as_str() => Ok((c, Access::Owner)),
            Some(_) => Ok((c, Access::CoAuthor)),
            None => Err(Error::Forbidden {
                reason: "you are not an author of this course",
            }),
        }
    }

    async fn audit(
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

    /// The courses the caller may edit (every course for an admin).
    pub async fn courses(&self, who: &Principal) -> Result<Vec<CourseListItem>> {
        Self::require_author(who)?;
        let mut q = course::Entity::find().order_by_asc(course::Column::Slug);
        let mut roles: BTreeMap<Uuid, Access> = BTreeMap::new();
        if who.role != Role::Admin {
            for r in course_author::Entity::find()
                .filter(course_author::Column::UserId.eq(who.user_id))
                .all(&self.db)
                .await?
            {
                let a = if r.role == AuthorRole::Owner.as_str() {
                    Access::Owner
                } else {
                    Access::CoAuthor
                };
                roles.insert(r.course_id, a);
            }
            q = q.filter(course::Column::Id.is_in(roles.keys().copied().collect::<Vec<_>>()));
        }
        let courses = q.all(&self.db).await?;
        let drafts: BTreeMap<Uuid, course_draft::Model> = course_draft::Entity::find()
            .filter(course_draft::Column::CourseId.is_in(courses.iter().map(|c| c.id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|d| (d.course_id, d))
            .collect();
        let mut out = Vec::new();
        for c in courses {
            let title = self.title(&c).await?;
            let d = drafts.get(&c.id);
            out.push(CourseListItem {
                title,
                status: c.status.parse().unwrap_or(CourseStatus::Draft),
                access: roles.get(&c.id).copied().unwrap_or(Access::Admin),
                revision: d.map(|d| d.revision).unwrap_or(0),
                updated_at: d.map(|d| d.updated_at).unwrap_or(c.updated_at),
                slug: c.slug,
            });
        }
        Ok(out)
    }

    async fn title(&self, c: &course::Model) -> Result<String> {
        let ts = course_translation::Entity::find()
            .filter(course_translation::Column::CourseId.eq(c.id))
            .all(&self.db)
            .await?;
        Ok(ts
            .iter()
            .find(|t| t.locale == c.default_locale)
            .or(ts.first())
            .map(|t| t.title.clone())
            .unwrap_or_else(|| c.slug.clone()))
    }

    /// Creates a course from a small starting draft; the caller owns it.
    /// It is not listed until it is published.
    pub async fn create(
        &self,
        who: &Principal,
        slug: &str,
        default_locale: Locale,
        title: &str,
        summary: &str,
    ) -> Result<DraftInfo> {
        Self::require_author(who)?;
        let slug_ok = Slug::parse(slug).map_err(|e| invalid("slug", e))?;
        if slug_ok.as_str().len() < 3 {
            return Err(invalid("slug", "use at least 3 characters"));
        }
        let title = title.trim();
        let summary = summary.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(invalid("title", "must be 1–200 characters"));
        }
        if summary.is_empty() || summary.chars().count() > 300 {
            return Err(invalid("summary", "must be 1–300 characters"));
        }
        let files = skeleton(slug_ok.as_str(), default_locale, title, summary);
        self.create_from_files(who, files, "course.created").await
    }

    async fn create_from_files(
        &self,
        who: &Principal,
        files: BTreeMap<String, Vec<u8>>,
        action: &str,
    ) -> Result<DraftInfo> {
        let (mut source, _) = read_files(&files).map_err(problems_error)?;
        let slug = source.slug.to_string();
        crate::media::store(self.storage()?, &self.db, &source).await?;
        let txn = crate::db::begin_write(&self.db).await?;
        if course::Entity::find()
            .filter(course::Column::Slug.eq(&slug))
            .count(&txn)
            .await?
            > 0
        {
            return Err(Error::Conflict {
                field: "slug".into(),
                reason: format!("a course with the slug `{slug}` already exists"),
            });
        }
        // The live row exists from the start (hidden as a draft), so the
        // draft, its authors and its audit trail have a stable course id.
        source.status = CourseStatus::Draft;
        let course_id = import::apply_course(&txn, &source).await?;
        course_author::ActiveModel {
            course_id: Set(course_id),
            user_id: Set(who.user_id),
            role: Set(AuthorRole::Owner.as_str().into()),
            added_at: Set(now()),
        }
        .insert(&txn)
        .await?;
        course_draft::ActiveModel {
            course_id: Set(course_id),
            revision: Set(1),
            updated_by: Set(Some(who.user_id)),
            updated_at: Set(now()),
        }
        .insert(&txn)
        .await?;
        write_files(&txn, course_id, &BTreeMap::new(), &files).await?;
        self.audit(&txn, who, Some(course_id), action, json!({ "slug": slug }))
            .await?;
        txn.commit().await?;
        self.draft(who, &slug).await
    }

    /// The draft's files, creating the draft from the live course the first
    /// time an author opens a course that was imported from files.
    async fn files_of(&self, c: &course::Model) -> Result<BTreeMap<String, Vec<u8>>> {
        self.ensure_draft(c).await?;
        Ok(draft_file::Entity::find()
            .filter(draft_file::Column::CourseId.eq(c.id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|f| (f.path, f.data))
            .collect())
    }

    async fn ensure_draft(&self, c: &course::Model) -> Result<()> {
        if course_draft::Entity::find_by_id(c.id)
            .one(&self.db)
            .await?
            .is_some()
        {
            return Ok(());
        }
        let mut source = import::load_source_of(&self.db, c.id).await?;
        crate::media::load_into(self.storage()?, &self.db, c.id, &mut source).await?;
        let files = course_source::render_files(&source);
        let txn = crate::db::begin_write(&self.db).await?;
        if course_draft::Entity::find_by_id(c.id)
            .one(&txn)
            .await?
            .is_some()
        {
            return Ok(());
        }
        course_draft::ActiveModel {
            course_id: Set(c.id),
            revision: Set(1),
            updated_by: Set(None),
            updated_at: Set(now()),
        }
        .insert(&txn)
        .await?;
        write_files(&txn, c.id, &BTreeMap::new(), &files).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The draft as its authors see it.
    pub async fn draft(&self, who: &Principal, slug: &str) -> Result<DraftInfo> {
        let (c, access) = self.access(who, slug).await?;
        self.ensure_draft(&c).await?;
        let d = course_draft::Entity::find_by_id(c.id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "draft" })?;
        let rows = draft_file::Entity::find()
            .filter(draft_file::Column::CourseId.eq(c.id))
            .order_by_asc(draft_file::Column::Path)
            .all(&self.db)
            .await?;
        let files: BTreeMap<String, Vec<u8>> = rows
            .iter()
            .map(|f| (f.path.clone(), f.data.clone()))
            .collect();
        let (source, warnings) = match read_files(&files) {
            Ok((s, w)) => (Some(s), w),
            Err(problems) => (None, problems),
        };
        let latest = course_version::Entity::find()
            .filter(course_version::Column::CourseId.eq(c.id))
            .order_by_desc(course_version::Column::Number)
            .one(&self.db)
            .await?;
        let unpublished_changes = match (&latest, &source) {
            (Some(v), Some(s)) => v.digest != published_digest(s),
            _ => true,
        };
        let authors = self.authors(c.id).await?;
        Ok(DraftInfo {
            title: source
                .as_ref()
                .and_then(|s| s.texts.get(&s.default_locale).map(|t| t.title.clone()))
                .unwrap_or_else(|| c.slug.clone()),
            slug: c.slug.clone(),
            status: c.status.parse().unwrap_or(CourseStatus::Draft),
            access,
            revision: d.revision,
            updated_at: d.updated_at,
            unpublished_changes,
            latest_version: latest.map(|v| v.number),
            files: rows
                .iter()
                .map(|f| DraftFileInfo {
                    path: f.path.clone(),
                    size: f.data.len() as u64,
                    sha256: sha256(&f.data),
                    updated_at: f.updated_at,
                })
                .collect(),
            warnings,
            authors,
        })
    }

    async fn authors(&self, course_id: Uuid) -> Result<Vec<AuthorInfo>> {
        let rows = course_author::Entity::find()
            .filter(course_author::Column::CourseId.eq(course_id))
            .order_by_asc(course_author::Column::AddedAt)
            .all(&self.db)
            .await?;
        let users: BTreeMap<Uuid, user::Model> = user::Entity::find()
            .filter(user::Column::Id.is_in(rows.iter().map(|r| r.user_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let u = users.get(&r.user_id)?;
                Some(AuthorInfo {
                    user_id: r.user_id,
                    email: u.email.clone(),
                    display_name: u.display_name.clone(),
                    role: if r.role == AuthorRole::Owner.as_str() {
                        AuthorRole::Owner
                    } else {
                        AuthorRole::CoAuthor
                    },
                })
            })
            .collect())
    }

    /// One file of the draft.
    pub async fn file(&self, who: &Principal, slug: &str, path: &str) -> Result<Vec<u8>> {
        check_path(path)?;
        let (c, _) = self.access(who, slug).await?;
        self.ensure_draft(&c).await?;
        draft_file::Entity::find_by_id((c.id, path.to_owned()))
            .one(&self.db)
            .await?
            .map(|f| f.data)
            .ok_or(Error::NotFound { what: "file" })
    }

    /// Saves changes to files of the draft, all or nothing, if the draft is
    /// still at `revision`. The result must read as a course.
    pub async fn save(
        &self,
        who: &Principal,
        slug: &str,
        revision: i64,
        changes: Vec<FileChange>,
    ) -> Result<DraftInfo> {
        let (c, _) = self.access(who, slug).await?;
        let before = self.files_of(&c).await?;
        let mut after = before.clone();
        let mut paths = Vec::new();
        for (path, data) in changes {
            match data {
                Some(data) => {
                    check_file(&path, &data)?;
                    after.insert(path.clone(), data);
                }
                None => {
                    check_path(&path)?;
                    if after.remove(&path).is_none() {
                        return Err(Error::NotFound { what: "file" });
                    }
                }
            }
            paths.push(path);
        }
        self.replace(
            who,
            &c,
            revision,
            before,
            after,
            "draft.saved",
            json!({ "paths": paths }),
        )
        .await?;
        self.draft(who, slug).await
    }

    /// The draft as a parsed course, for the structured editors, with the
    /// revision to send back. A draft whose files do not read (someone broke
    /// them in the file editor) has to be fixed there first.
    pub async fn structure(&self, who: &Principal, slug: &str) -> Result<(CourseSource, i64)> {
        let (c, _) = self.access(who, slug).await?;
        let files = self.files_of(&c).await?;
        let revision = course_draft::Entity::find_by_id(c.id)
            .one(&self.db)
            .await?
            .map(|d| d.revision)
            .unwrap_or(0);
        let (source, _) = read_files(&files).map_err(broken_draft)?;
        Ok((source, revision))
    }

    /// Applies a structured edit (details form, outline, lesson or quiz
    /// editor) to the draft at `revision`. Only the files whose rendering
    /// changed are written; the others keep their bytes and dates. Callers
    /// that answer with the draft read it with [`Authoring::draft`].
    pub async fn edit(
        &self,
        who: &Principal,
        slug: &str,
        revision: i64,
        edit: crate::course_edit::Edit,
    ) -> Result<()> {
        let (c, _) = self.access(who, slug).await?;
        let before = self.files_of(&c).await?;
        let (mut source, _) = read_files(&before).map_err(broken_draft)?;
        let old = course_source::render_files(&source);
        let (action, detail) = crate::course_edit::apply(&mut source, edit)?;
        let new = course_source::render_files(&source);
        let mut after = before.clone();
        for (path, data) in &new {
            if old.get(path) != Some(data) {
                after.insert(path.clone(), data.clone());
            }
        }
        for path in old.keys() {
            if !new.contains_key(path) {
                after.remove(path);
            }
        }
        let changed: Vec<&String> = after
            .iter()
            .filter(|(p, d)| before.get(*p) != Some(*d))
            .map(|(p, _)| p)
            .chain(before.keys().filter(|p| !after.contains_key(*p)))
            .collect();
        let mut detail = detail;
        detail["paths"] = json!(changed);
        self.replace(who, &c, revision, before, after, action, detail)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn replace(
        &self,
        who: &Principal,
        c: &course::Model,
        revision: i64,
        before: BTreeMap<String, Vec<u8>>,
        after: BTreeMap<String, Vec<u8>>,
        action: &str,
        detail: serde_json::Value,
    ) -> Result<()> {
        if after.len() > MAX_FILES {
            return Err(invalid(
                "files",
                format!("a course has at most {MAX_FILES} files"),
            ));
        }
        let (source, _) = read_files(&after).map_err(problems_error)?;
        if source.slug.as_str() != c.slug {
            return Err(invalid(
                "course.yaml",
                format!(
                    "slug: a course's slug cannot change (it is `{}`; links and certificates use it)",
                    c.slug
                ),
            ));
        }
        let txn = crate::db::begin_write(&self.db).await?;
        // The revision check and the bump are one statement: of two saves
        // from the same revision, exactly one wins.
        let bumped = course_draft::Entity::update_many()
            .col_expr(
                course_draft::Column::Revision,
                Expr::col(course_draft::Column::Revision).add(1),
            )
            .col_expr(course_draft::Column::UpdatedBy, Expr::value(who.user_id))
            .col_expr(course_draft::Column::UpdatedAt, Expr::value(now()))
            .filter(course_draft::Column::CourseId.eq(c.id))
            .filter(course_draft::Column::Revision.eq(revision))
            .exec(&txn)
            .await?;
        if bumped.rows_affected == 0 {
            let current = course_draft::Entity::find_by_id(c.id)
                .one(&txn)
                .await?
                .map(|d| d.revision)
                .unwrap_or(0);
            return Err(Error::Conflict {
                field: "revision".into(),
                reason: format!(
                    "the draft changed since you opened it (you had revision {revision}, it is now {current}): reload it and apply your changes again"
                ),
            });
        }
        write_files(&txn, c.id, &before, &after).await?;
        self.audit(&txn, who, Some(c.id), action, detail).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The draft as a zip of the `courses/` folder format.
    pub async fn download(&self, who: &Principal, slug: &str) -> Result<Vec<u8>> {
        let (c, _) = self.access(who, slug).await?;
        let files = self.files_of(&c).await?;
        zip_files(&c.slug, &files)
    }

    /// Creates a course from a zip, or replaces the draft of the course it
    /// names (then `revision` is required).
    pub async fn upload(
        &self,
        who: &Principal,
        archive: &[u8],
        revision: Option<i64>,
    ) -> Result<DraftInfo> {
        Self::require_author(who)?;
        let files = unzip_files(archive)?;
        let (source, _) = read_files(&files).map_err(problems_error)?;
        let slug = source.slug.to_string();
        let exists = course::Entity::find()
            .filter(course::Column::Slug.eq(&slug))
            .count(&self.db)
            .await?
            > 0;
        if !exists {
            return self.create_from_files(who, files, "course.uploaded").await;
        }
        let (c, _) = self.access(who, &slug).await?;
        let Some(revision) = revision else {
            return Err(Error::Conflict {
                field: "revision".into(),
                reason: format!(
                    "the course `{slug}` exists: send the draft revision your archive starts from"
                ),
            });
        };
        let before = self.files_of(&c).await?;
        let count = files.len();
        self.replace(
            who,
            &c,
            revision,
            before,
            files,
            "draft.uploaded",
            json!({ "files": count }),
        )
        .await?;
        self.draft(who, &slug).await
    }

    /// Publishes the draft: learners see it from now on, with their progress.
    pub async fn publish(&self, who: &Principal, slug: &str) -> Result<VersionInfo> {
        let (c, _) = self.access(who, slug).await?;
        let files = self.files_of(&c).await?;
        let (mut source, _) = read_files(&files).map_err(problems_error)?;
        source.status = CourseStatus::Published;
        let digest = published_digest(&source);
        let archive = zip_files(&c.slug, &files)?;
        crate::media::store(self.storage()?, &self.db, &source).await?;
        let txn = crate::db::begin_write(&self.db).await?;
        // Lock the course row first: two publications queue, one after the other.
        course::Entity::update_many()
            .col_expr(course::Column::UpdatedAt, Expr::value(now()))
            .filter(course::Column::Id.eq(c.id))
            .exec(&txn)
            .await?;
        let latest = course_version::Entity::find()
            .filter(course_version::Column::CourseId.eq(c.id))
            .order_by_desc(course_version::Column::Number)
            .one(&txn)
            .await?;
        if let Some(v) = &latest
            && v.digest == digest
            && c.status == CourseStatus::Published.as_str()
        {
            return Err(Error::Conflict {
                field: "draft".into(),
                reason: format!("nothing changed since version {}", v.number),
            });
        }
        import::apply_course(&txn, &source).await?;
        let number = latest.map(|v| v.number + 1).unwrap_or(1);
        let at = now();
        course_version::ActiveModel {
            id: Set(Uuid::new_v4()),
            course_id: Set(c.id),
            number: Set(number),
            digest: Set(digest.clone()),
            archive: Set(archive),
            published_by: Set(Some(who.user_id)),
            published_at: Set(at),
        }
        .insert(&txn)
        .await?;
        self.audit(
            &txn,
            who,
            Some(c.id),
            "course.published",
            json!({ "version": number }),
        )
        .await?;
        txn.commit().await?;
        self.learning.forget_course(c.id).await?;
        Ok(VersionInfo {
            number,
            digest,
            published_at: at,
            published_by: None,
        })
    }

    /// Takes a course out of the catalogue (`draft`) or retires it
    /// (`archived`). Enrolled learners keep their records.
    pub async fn set_status(
        &self,
        who: &Principal,
        slug: &str,
        status: CourseStatus,
    ) -> Result<DraftInfo> {
        let (c, _) = self.access(who, slug).await?;
        if status == CourseStatus::Published {
            return Err(invalid("status", "publish the draft to publish a course"));
        }
        if c.status == status.as_str() {
            return Err(Error::Conflict {
                field: "status".into(),
                reason: format!("the course is already {status}"),
            });
        }
        let txn = crate::db::begin_write(&self.db).await?;
        let id = c.id;
        let from = c.status.clone();
        let mut am: course::ActiveModel = c.into();
        am.status = Set(status.to_string());
        am.updated_at = Set(now());
        am.update(&txn).await?;
        crate::search::enqueue_index(&txn, id).await?;
        let action = match status {
            CourseStatus::Archived => "course.archived",
            _ => "course.unpublished",
        };
        self.audit(&txn, who, Some(id), action, json!({ "from": from }))
            .await?;
        txn.commit().await?;
        self.learning.forget_course(id).await?;
        self.draft(who, slug).await
    }

    pub async fn versions(&self, who: &Principal, slug: &str) -> Result<Vec<VersionInfo>> {
        let (c, _) = self.access(who, slug).await?;
        let rows: Vec<(i32, String, OffsetDateTime, Option<Uuid>)> = course_version::Entity::find()
            .select_only()
            .columns([
                course_version::Column::Number,
                course_version::Column::Digest,
                course_version::Column::PublishedAt,
                course_version::Column::PublishedBy,
            ])
            .filter(course_version::Column::CourseId.eq(c.id))
            .order_by_desc(course_version::Column::Number)
            .into_tuple()
            .all(&self.db)
            .await?;
        let names = self.names(rows.iter().filter_map(|r| r.3)).await?;
        Ok(rows
            .into_iter()
            .map(|(number, digest, published_at, by)| VersionInfo {
                number,
                digest,
                published_at,
                published_by: by.and_then(|u| names.get(&u).cloned()),
            })
            .collect())
    }

    /// A published version's files, zipped as they were published.
    pub async fn version_archive(
        &self,
        who: &Principal,
        slug: &str,
        number: i32,
    ) -> Result<Vec<u8>> {
        let (c, _) = self.access(who, slug).await?;
        course_version::Entity::find()
            .filter(course_version::Column::CourseId.eq(c.id))
            .filter(course_version::Column::Number.eq(number))
            .one(&self.db)
            .await?
            .map(|v| v.archive)
            .ok_or(Error::NotFound { what: "version" })
    }

    async fn names(&self, ids: impl Iterator<Item = Uuid>) -> Result<BTreeMap<Uuid, String>> {
        Ok(user::Entity::find()
            .filter(user::Column::Id.is_in(ids.collect::<Vec<_>>()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.email))
            .collect())
    }

    /// Who changed what and when, newest first.
    pub async fn audit_log(&self, who: &Principal, slug: &str) -> Result<Vec<AuditEntry>> {
        let (c, _) = self.access(who, slug).await?;
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::CourseId.eq(c.id))
            .order_by_desc(audit_event::Column::At)
            .limit(500)
            .all(&self.db)
            .await?;
        let names = self.names(rows.iter().filter_map(|r| r.actor_id)).await?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                at: r.at,
                actor: r.actor_id.and_then(|u| names.get(&u).cloned()),
                action: r.action,
                detail: r.detail,
            })
            .collect())
    }

    /// Adds a co-author by email: an existing author or admin account.
    pub async fn add_author(&self, who: &Principal, slug: &str, email: &str) -> Result<()> {
        let (c, access) = self.access(who, slug).await?;
        if !access.manages_authors() {
            return Err(Error::Forbidden {
                reason: "only the course's owner or an administrator may change its authors",
            });
        }
        let email = crate::accounts::Email::parse(email)?;
        let u = user::Entity::find()
            .filter(user::Column::Email.eq(email.as_str()))
            .one(&self.db)
            .await?
            .filter(|u| u.role == Role::Author.as_str() || u.role == Role::Admin.as_str())
            .ok_or_else(|| invalid("email", "no author account has this address"))?;
        let txn = crate::db::begin_write(&self.db).await?;
        if course_author::Entity::find_by_id((c.id, u.id))
            .one(&txn)
            .await?
            .is_some()
        {
            return Err(Error::Conflict {
                field: "email".into(),
                reason: "this person is already an author of the course".into(),
            });
        }
        course_author::ActiveModel {
            course_id: Set(c.id),
            user_id: Set(u.id),
            role: Set(AuthorRole::CoAuthor.as_str().into()),
            added_at: Set(now()),
        }
        .insert(&txn)
        .await?;
        self.audit(
            &txn,
            who,
            Some(c.id),
            "author.added",
            json!({ "email": u.email }),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn remove_author(&self, who: &Principal, slug: &str, user_id: Uuid) -> Result<()> {
        let (c, access) = self.access(who, slug).await?;
        if !access.manages_authors() {
            return Err(Error::Forbidden {
                reason: "only the course's owner or an administrator may change its authors",
            });
        }
        let row = course_author::Entity::find_by_id((c.id, user_id))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "author" })?;
        if row.role == AuthorRole::Owner.as_str() {
            return Err(Error::Conflict {
                field: "author".into(),
                reason: "the owner cannot be removed".into(),
            });
        }
        let txn = crate::db::begin_write(&self.db).await?;
        course_author::Entity::delete_by_id((c.id, user_id))
            .exec(&txn)
            .await?;
        self.audit(
            &txn,
            who,
            Some(c.id),
            "author.removed",
            json!({ "user_id": user_id }),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Per locale, which texts are missing or older than their source in the
    /// default locale.
    pub async fn translations(
        &self,
        who: &Principal,
        slug: &str,
    ) -> Result<Vec<TranslationStatus>> {
        let (c, _) = self.access(who, slug).await?;
        self.ensure_draft(&c).await?;
        let rows = draft_file::Entity::find()
            .filter(draft_file::Column::CourseId.eq(c.id))
            .all(&self.db)
            .await?;
        let default: Locale = c.default_locale.parse().unwrap_or(Locale::En);
        let when: BTreeMap<&str, OffsetDateTime> = rows
            .iter()
            .map(|r| (r.path.as_str(), r.updated_at))
            .collect();
        let prefix = format!("{default}/");
        let sources: Vec<(&str, &str)> = rows
            .iter()
            .filter_map(|r| {
                r.path
                    .strip_prefix(&prefix)
                    .map(|rest| (r.path.as_str(), rest))
            })
            .filter(|(_, rest)| !rest.starts_with("resources/"))
            .collect();
        Ok(Locale::ALL
            .iter()
            .map(|&locale| TranslationStatus {
                locale,
                is_default: locale == default,
                items: sources
                    .iter()
                    .map(|(source_path, rest)| {
                        let path = format!("{locale}/{rest}");
                        let state = match when.get(path.as_str()) {
                            _ if locale == default => "current",
                            None => "missing",
                            Some(t) if *t < when[source_path] => "outdated",
                            Some(_) => "current",
                        };
                        TranslationItem {
                            source_path: (*source_path).to_owned(),
                            path,
                            state,
                        }
                    })
                    .collect(),
            })
            .collect())
    }
}

/// Renders lesson Markdown as learners will see it (sanitised), for the
/// editor's preview.
pub fn preview(slug: &str, markdown_text: &str) -> Result<String> {
    if markdown_text.len() > MAX_TEXT_BYTES {
        return Err(invalid(
            "markdown",
            format!("over the limit of {MAX_TEXT_BYTES} bytes"),
        ));
    }
    Ok(markdown::render(
        markdown_text,
        &crate::media::DraftLinks { slug },
    ))
}

/// Links of a draft preview: lessons open in the preview, files come from
/// the draft.
struct DraftLinks<'a> {
    slug: &'a str,
    locale: Locale,
}

impl markdown::LinkTarget for DraftLinks<'_> {
    fn lesson(&self, key: &str) -> String {
        format!("/author/{}/preview/{key}?locale={}", self.slug, self.locale)
    }
    fn resource(&self, file: &str) -> String {
        format!(
            "/api/v1/authoring/courses/{}/file?path={}/resources/{file}",
            self.slug, self.locale
        )
    }

    fn media(&self, file: &str) -> Option<markdown::MediaRef> {
        markdown::LinkTarget::media(&crate::media::DraftLinks { slug: self.slug }, file)
    }
}

/// A draft's course page as a learner would see it: the outline in the
/// first of `preferred` the draft has, else its default locale; lesson links
/// open the draft preview.
pub fn preview_outline(
    source: &CourseSource,
    preferred: &[Locale],
) -> crate::catalogue::CourseOutline {
    use crate::catalogue::{CourseCard, CourseOutline, LessonOutline, ModuleOutline};
    let available = source.locales();
    let locale = crate::catalogue::pick_locale(preferred, &available, source.default_locale);
    let empty = course_source::LocaleText::default();
    let fallback = source.texts.get(&source.default_locale).unwrap_or(&empty);
    let text = source.texts.get(&locale).unwrap_or(fallback);
    let pick = |own: &str, other: &str| {
        if own.is_empty() {
            other.to_owned()
        } else {
            own.to_owned()
        }
    };
    let slug = source.slug.as_str();
    let cover = source.cover.as_ref().and_then(|name| {
        let m = source.media.get(name)?;
        Some(crate::media::Cover {
            url: format!("/author/{slug}/media/{name}"),
            alt: pick(&text.cover_alt, &fallback.cover_alt),
            width: m.width.unwrap_or_default(),
            height: m.height.unwrap_or_default(),
        })
    });
    let card = CourseCard {
        slug: slug.to_owned(),
        locale,
        default_locale: source.default_locale,
        available_locales: available,
        title: pick(&text.title, &fallback.title),
        summary: pick(&text.summary, &fallback.summary),
        level: source.level,
        duration_minutes: source.duration_minutes,
        themes: source.themes.iter().cloned().collect(),
        module_count: source.modules.len() as u32,
        lesson_count: source.lessons().count() as u32,
        enrolment_count: 0,
        published_at: None,
        updated_at: now(),
        cover,
    };
    let description = pick(&text.description, &fallback.description);
    let links = DraftLinks { slug, locale };
    CourseOutline {
        description_html: markdown::render(&description, &links),
        description,
        objectives: if text.objectives.is_empty() {
            fallback.objectives.clone()
        } else {
            text.objectives.clone()
        },
        modules: source
            .modules
            .iter()
            .map(|m| {
                let mt = text
                    .modules
                    .get(m.key.as_str())
                    .or_else(|| fallback.modules.get(m.key.as_str()));
                ModuleOutline {
                    key: m.key.to_string(),
                    title: mt
                        .map(|t| t.title.clone())
                        .unwrap_or_else(|| m.key.to_string()),
                    summary: mt.map(|t| t.summary.clone()).unwrap_or_default(),
                    lessons: m
                        .lessons
                        .iter()
                        .map(|l| LessonOutline {
                            id: Uuid::nil(),
                            key: l.key.to_string(),
                            title: text
                                .lessons
                                .get(l.key.as_str())
                                .or_else(|| fallback.lessons.get(l.key.as_str()))
                                .map(|t| t.title.clone())
                                .unwrap_or_else(|| l.key.to_string()),
                            kind: l.kind,
                            duration_minutes: l.duration_minutes,
                        })
                        .collect(),
                }
            })
            .collect(),
        card,
    }
}

/// A lesson of a draft as a learner would see it, in the first of
/// `preferred` the draft has text for (then its default locale): the same
/// view the lesson player renders, with no progress.
pub fn preview_lesson(
    source: &CourseSource,
    key: &str,
    preferred: &[Locale],
) -> Result<crate::learning::LessonView> {
    use crate::learning::{
        LessonView, OptionView, ProgressSummary, QuestionView, QuizView, ResourceLink,
    };
    let lessons: Vec<&course_source::LessonSource> = source.lessons().collect();
    let at = lessons
        .iter()
        .position(|l| l.key.as_str() == key)
        .ok_or(Error::NotFound { what: "lesson" })?;
    let l = lessons[at];
    let locale = preferred
        .iter()
        .copied()
        .chain([source.default_locale])
        .find(|loc| {
            source
                .texts
                .get(loc)
                .is_some_and(|t| t.lessons.contains_key(key))
        })
        .ok_or(Error::NotFound {
            what: "lesson text",
        })?;
    let text = &source.texts[&locale];
    let fallback = source.texts.get(&source.default_locale);
    let lt = &text.lessons[key];
    let slug = source.slug.as_str();
    let links = DraftLinks { slug, locale };
    let quiz = (l.kind == crate::domain::LessonKind::Quiz).then(|| QuizView {
        passing_score: l.passing_score.unwrap_or(100),
        max_attempts: l.max_attempts,
        attempts_used: 0,
        best_score: None,
        passed: false,
        questions: l
            .questions
            .iter()
            .map(|q| {
                let qkey = (key.to_owned(), q.key.to_string());
                let qt = text
                    .questions
                    .get(&qkey)
                    .or_else(|| fallback.and_then(|f| f.questions.get(&qkey)));
                QuestionView {
                    key: q.key.to_string(),
                    kind: q.kind,
                    prompt: qt.map(|t| t.prompt.clone()).unwrap_or_default(),
                    options: q
                        .options
                        .iter()
                        .map(|o| OptionView {
                            key: o.clone(),
                            text: qt
                                .and_then(|t| t.options.get(o))
                                .map(|t| t.text.clone())
                                .unwrap_or_else(|| o.clone()),
                        })
                        .collect(),
                }
            })
            .collect(),
    });
    let resource = l.file.as_ref().map(|f| ResourceLink {
        file_name: f.clone(),
        content_type: text
            .resources
            .get(f)
            .map(|r| r.content_type.clone())
            .unwrap_or_default(),
        download_path: markdown::LinkTarget::resource(&links, f),
    });
    let now = now();
    Ok(LessonView {
        id: Uuid::nil(),
        key: key.to_owned(),
        kind: l.kind,
        locale,
        title: lt.title.clone(),
        html: markdown::render(&lt.body, &links),
        duration_minutes: l.duration_minutes,
        video_url: l.video_url.clone(),
        video_placeholder: l.kind == crate::domain::LessonKind::Video && l.video_url.is_none(),
        resource,
        quiz,
        previous_key: at.checked_sub(1).map(|i| lessons[i].key.to_string()),
        next_key: lessons.get(at + 1).map(|l| l.key.to_string()),
        completed: false,
        progress: ProgressSummary {
            enrolment_id: Uuid::nil(),
            course_id: Uuid::nil(),
            status: "active".into(),
            completed_lessons: 0,
            total_lessons: lessons.len() as u32,
            percent: 0,
            last_lesson_id: None,
            resume_lesson_id: None,
            resume_lesson_key: None,
            enrolled_at: now,
            last_activity_at: now,
            completed_at: None,
            version: 0,
        },
    })
}

/// The digest of a source as published (status aside), to tell whether the
/// draft has changed since the latest version.
fn published_digest(source: &CourseSource) -> String {
    let mut s = source.clone();
    s.status = CourseStatus::Published;
    s.digest()
}

/// Writes the difference between two file sets.
async fn write_files(
    conn: &impl ConnectionTrait,
    course_id: Uuid,
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
) -> Result<()> {
    let gone: Vec<&String> = before.keys().filter(|p| !after.contains_key(*p)).collect();
    if !gone.is_empty() {
        draft_file::Entity::delete_many()
            .filter(draft_file::Column::CourseId.eq(course_id))
            .filter(draft_file::Column::Path.is_in(gone.into_iter().cloned()))
            .exec(conn)
            .await?;
    }
    let at = now();
    for (path, data) in after {
        match before.get(path) {
            Some(old) if old == data => {}
            Some(_) => {
                draft_file::ActiveModel {
                    course_id: Set(course_id),
                    path: Set(path.clone()),
                    data: Set(data.clone()),
                    updated_at: Set(at),
                }
                .update(conn)
                .await?;
            }
            None => {
                draft_file::ActiveModel {
                    course_id: Set(course_id),
                    path: Set(path.clone()),
                    data: Set(data.clone()),
                    updated_at: Set(at),
                }
                .insert(conn)
                .await?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_folder_format() {
        for ok in [
            "course.yaml",
            "en/meta.yaml",
            "fr/intro.md",
            "es/quiz.yaml",
            "en/resources/sheet.pdf",
        ] {
            assert!(check_path(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "../course.yaml",
            "en/../../etc/passwd",
            "/course.yaml",
            "de/meta.yaml",
            "en/a/b/c.md",
            "en/.hidden.md",
            "en/script.js",
            "en//x.md",
            "EN/Meta.yaml\u{0}",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_new_course_skeleton_reads_and_zips_round_trip() {
        let files = skeleton(
            "storm-drains",
            Locale::Fr,
            "Des « avaloirs »: guide",
            "Un résumé.",
        );
        let (source, _) = read_files(&files).expect("the skeleton reads");
        assert_eq!(source.slug.as_str(), "storm-drains");
        assert_eq!(source.texts[&Locale::Fr].title, "Des « avaloirs »: guide");
        let zipped = zip_files("storm-drains", &files).unwrap();
        assert_eq!(unzip_files(&zipped).unwrap(), files);
    }

    #[test]
    fn archives_are_checked_before_they_are_read() {
        assert!(unzip_files(b"not a zip").is_err());
        let mut files = BTreeMap::new();
        files.insert("../escape.md".to_owned(), b"x".to_vec());
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        out.start_file("../escape.md", zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(b"x").unwrap();
        let bytes = out.finish().unwrap().into_inner();
        assert!(unzip_files(&bytes).is_err());
    }

    #[test]
    fn problems_name_the_file_and_line() {
        let mut files = skeleton("storm-drains", Locale::En, "Title", "Summary");
        files.insert(
            "course.yaml".into(),
            b"slug: storm-drains\ndefault_locale: en\nlevel: expert\nduration_minutes: 10\nmodules: []\n"
                .to_vec(),
        );
        let problems = read_files(&files).unwrap_err();
        let e = problems_error(problems);
        match e {
            Error::Invalid { field, reason } => {
                assert!(field.starts_with("course.yaml"), "{field}");
                assert!(reason.contains("level"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }
}
