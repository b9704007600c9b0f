//! Publication: applying the draft to the live course with an immutable
//! version, taking a course out of the catalogue, and the versions and audit
//! trail.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::Expr,
};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    AuditEntry, Authoring, DraftInfo, VersionInfo,
    files::{problems_error, read_files, zip_files},
    invalid, now,
};
use crate::{
    Error, Result,
    accounts::Principal,
    course_source::CourseSource,
    domain::CourseStatus,
    entities::{audit_event, course, course_version},
    import,
};

impl Authoring {
    /// Publishes the draft: learners see it from now on, with their progress.
    pub async fn publish(&self, who: &Principal, slug: &str) -> Result<VersionInfo> {
        let (c, _) = self.access(who, slug).await?;
        let files = self.files_of(&c).await?;
        let (mut source, _) = read_files(&files).map_err(problems_error)?;
        source.status = CourseStatus::Published;
        let digest = published_digest(&source);
        let archive = zip_files(&c.slug, &files)?;
        crate::media::store(&self.storage, &self.db, &source).await?;
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
        let generation = crate::published::bump(&txn).await?;
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
        self.learning.forget_course(c.id, generation).await?;
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
        let generation = crate::published::bump(&txn).await?;
        let action = match status {
            CourseStatus::Archived => "course.archived",
            _ => "course.unpublished",
        };
        self.audit(&txn, who, Some(id), action, json!({ "from": from }))
            .await?;
        txn.commit().await?;
        self.learning.forget_course(id, generation).await?;
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
}

/// The digest of a source as published (status aside), to tell whether the
/// draft has changed since the latest version.
pub(super) fn published_digest(source: &CourseSource) -> String {
    let mut s = source.clone();
    s.status = CourseStatus::Published;
    s.digest()
}
