//! Drafts: creating a course, reading and saving its files (revision
//! checked, audited), structured edits, and zip download and upload.

use std::collections::BTreeMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
    sea_query::{Expr, ExprTrait},
};
use serde_json::json;
use uuid::Uuid;

use super::{
    AuthorRole, Authoring, DraftFileInfo, DraftInfo, FileChange, MAX_FILES,
    files::{
        broken_draft, check_file, check_path, problems_error, read_files, skeleton, unzip_files,
        zip_files,
    },
    invalid, now,
    publish::published_digest,
    sha256,
};
use crate::{
    Error, Result,
    accounts::Principal,
    course_source::{self, CourseSource},
    domain::{CourseStatus, Locale, Slug},
    entities::{course, course_author, course_draft, course_version, draft_file},
    import,
};

impl Authoring {
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

    pub(super) async fn create_from_files(
        &self,
        who: &Principal,
        files: BTreeMap<String, Vec<u8>>,
        action: &str,
    ) -> Result<DraftInfo> {
        let (mut source, _) = read_files(&files).map_err(problems_error)?;
        let slug = source.slug.to_string();
        crate::media::store(&self.storage, &self.db, &source).await?;
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
        write_files(&txn, course_id, 1, &BTreeMap::new(), &files).await?;
        self.audit(&txn, who, Some(course_id), action, json!({ "slug": slug }))
            .await?;
        txn.commit().await?;
        self.draft(who, &slug).await
    }

    /// The draft's files, creating the draft from the live course the first
    /// time an author opens a course that was imported from files.
    pub(super) async fn files_of(&self, c: &course::Model) -> Result<BTreeMap<String, Vec<u8>>> {
        self.ensure_draft(c).await?;
        Ok(draft_file::Entity::find()
            .filter(draft_file::Column::CourseId.eq(c.id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|f| (f.path, f.data))
            .collect())
    }

    pub(super) async fn ensure_draft(&self, c: &course::Model) -> Result<()> {
        if course_draft::Entity::find_by_id(c.id)
            .one(&self.db)
            .await?
            .is_some()
        {
            return Ok(());
        }
        let mut source = import::load_source_of(&self.db, c.id).await?;
        crate::media::load_into(&self.storage, &self.db, c.id, &mut source).await?;
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
        write_files(&txn, c.id, 1, &BTreeMap::new(), &files).await?;
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
    /// changed are written; the others keep their bytes and revisions. Callers
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
    pub(super) async fn replace(
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
        write_files(&txn, c.id, revision + 1, &before, &after).await?;
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
}

/// Writes the difference between two file sets; the files it writes were
/// changed by the draft's `revision`.
async fn write_files(
    conn: &impl ConnectionTrait,
    course_id: Uuid,
    revision: i64,
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
                    revision: Set(revision),
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
                    revision: Set(revision),
                }
                .insert(conn)
                .await?;
            }
        }
    }
    Ok(())
}
