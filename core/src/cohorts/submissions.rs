//! Work handed in for an assignment: text and files judged by their
//! content, kept through the storage port, open to resubmission until a
//! facilitator has reviewed it (or asked for a revision). Peer reviewers
//! are allocated in the same transaction as the first hand-in.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, sea_query::Expr,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    CohortStatus, Cohorts, now,
    reviews::allocate_reviewers,
    work::{SubmissionStatus, files_of, owner_of},
};
use crate::{
    Error, Result,
    accounts::Principal,
    course_source::sniff::work_type,
    entities::{
        cohort, cohort_assignment, cohort_member, cohort_submission, cohort_submission_file,
    },
};

pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_FILES: usize = 5;
/// All files of one submission together.
pub const MAX_SUBMISSION_BYTES: usize = 25 * 1024 * 1024;
const MAX_TEXT: usize = 100_000;

/// A file as it is handed in.
#[derive(Clone, Debug)]
pub struct FileInput {
    pub name: String,
    pub bytes: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct SubmissionInput {
    /// Markdown.
    pub text: String,
    pub files: Vec<FileInput>,
}

/// A file written to storage, waiting for its row.
struct Stored {
    id: Uuid,
    key: String,
    name: String,
    content_type: &'static str,
    size: i64,
}

/// A checked file, with its judged content type.
struct Checked {
    name: String,
    content_type: &'static str,
    bytes: Vec<u8>,
}

/// Keeps the name readable but harmless in a `Content-Disposition`.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .take(150)
        .collect::<String>()
        .trim()
        .to_owned()
}

fn check_files(files: Vec<FileInput>) -> Result<Vec<Checked>> {
    if files.len() > MAX_FILES {
        return Err(Error::invalid(
            "files",
            format!("at most {MAX_FILES} files"),
        ));
    }
    let total: usize = files.iter().map(|f| f.bytes.len()).sum();
    if total > MAX_SUBMISSION_BYTES {
        return Err(Error::invalid(
            "files",
            format!(
                "the files add up to over {} MiB",
                MAX_SUBMISSION_BYTES >> 20
            ),
        ));
    }
    let mut out = Vec::new();
    for f in files {
        let name = clean_name(&f.name);
        if name.is_empty() {
            return Err(Error::invalid("files", "every file needs a name"));
        }
        if f.bytes.len() > MAX_FILE_BYTES {
            return Err(Error::invalid(
                "files",
                format!("{name}: over {} MiB", MAX_FILE_BYTES >> 20),
            ));
        }
        let content_type = work_type(&name, &f.bytes)
            .map_err(|e| Error::invalid("files", format!("{name}: {e}")))?;
        out.push(Checked {
            name,
            content_type,
            bytes: f.bytes,
        });
    }
    Ok(out)
}

/// Refuses work for a closed cohort, or once its last day has passed.
fn check_open(c: &cohort::Model, at: OffsetDateTime) -> Result<()> {
    let reason = if c.status == CohortStatus::Closed.as_str() {
        "the cohort is closed: work can no longer be handed in".to_owned()
    } else if at.date() > c.ends_on {
        format!(
            "the cohort ended on {}: work can no longer be handed in",
            c.ends_on
        )
    } else {
        return Ok(());
    };
    Err(Error::Conflict {
        field: "cohort".into(),
        reason,
    })
}

/// Refuses changes to work a facilitator has reviewed, unless they asked
/// for a revision.
fn check_editable(s: &cohort_submission::Model) -> Result<()> {
    if s.feedback_at.is_some() && s.status != SubmissionStatus::NeedsRevision.as_str() {
        return Err(Error::Conflict {
            field: "submission".into(),
            reason: format!(
                "this work has been reviewed ({}): it can no longer be changed",
                s.status.replace('_', " ")
            ),
        });
    }
    Ok(())
}

fn storage_key(c: &cohort::Model, file: Uuid) -> String {
    format!("cohorts/{}/submissions/{file}", c.id)
}

impl Cohorts {
    /// The caller's membership of `c`, or forbidden: only members hand in.
    pub(super) async fn membership(
        &self,
        c: &cohort::Model,
        who: &Principal,
    ) -> Result<cohort_member::Model> {
        cohort_member::Entity::find_by_id((c.id, who.user_id))
            .one(&self.db)
            .await?
            .ok_or(Error::Forbidden {
                reason: "only the cohort's members hand in work",
            })
    }

    /// Hands in work (or replaces it while it may still change). Files go
    /// to storage first under new keys; the rows follow in one
    /// transaction, which also allocates the peer reviewers of new work.
    pub async fn submit(
        &self,
        who: Option<&Principal>,
        slug: &str,
        assignment: Uuid,
        input: SubmissionInput,
    ) -> Result<super::SubmissionView> {
        let (c, _) = self.inside(who, slug).await?;
        let who = super::require_signed_in(who)?;
        let a = self.find_assignment(&c, assignment).await?;
        let m = self.membership(&c, who).await?;
        let at = now();
        check_open(&c, at)?;
        let text = input.text.trim().to_owned();
        if text.chars().count() > MAX_TEXT {
            return Err(Error::invalid(
                "text",
                format!("at most {MAX_TEXT} characters"),
            ));
        }
        let files = check_files(input.files)?;
        if text.is_empty() && files.is_empty() {
            return Err(Error::invalid("text", "hand in a text, files, or both"));
        }
        if let Some(s) = self.find_owned(a.id, &owner_of(&a, &m)).await? {
            check_editable(&s)?;
        }
        // Files go to storage first, under keys of their own: a failed
        // transaction leaves objects no row names (removed below), never a
        // row without its object, and no write waits on the upload.
        let mut stored = Vec::new();
        for f in files {
            let id = Uuid::new_v4();
            let key = storage_key(&c, id);
            let size = f.bytes.len() as i64;
            if let Err(e) = self.storage.put(&key, f.bytes, f.content_type).await {
                let keys: Vec<String> = stored.iter().map(|s: &Stored| s.key.clone()).collect();
                self.forget(&keys).await;
                return Err(e);
            }
            stored.push(Stored {
                id,
                key,
                name: f.name,
                content_type: f.content_type,
                size,
            });
        }
        let keys: Vec<String> = stored.iter().map(|s| s.key.clone()).collect();
        match self.record(&c, &a, &m, who, text, stored, at).await {
            Ok((row, old)) => {
                self.forget(&old).await;
                self.submission_view(&c, &a, row, false).await
            }
            Err(e) => {
                self.forget(&keys).await;
                Err(e)
            }
        }
    }

    /// Writes the submission's rows in one transaction: the submission (new,
    /// or replacing one still open), its files, and for new work its peer
    /// reviewers. Returns the row and the storage keys it no longer names.
    #[allow(clippy::too_many_arguments)]
    async fn record(
        &self,
        c: &cohort::Model,
        a: &cohort_assignment::Model,
        m: &cohort_member::Model,
        who: &Principal,
        text: String,
        stored: Vec<Stored>,
        at: OffsetDateTime,
    ) -> Result<(cohort_submission::Model, Vec<String>)> {
        let owner = owner_of(a, m);
        let txn = crate::db::begin_write(&self.db).await?;
        // Serialises hand-ins for one assignment (a row lock on
        // PostgreSQL; SQLite writers already take turns), so allocation
        // reads loads no one else is changing.
        cohort_assignment::Entity::update_many()
            .col_expr(
                cohort_assignment::Column::UpdatedAt,
                Expr::col(cohort_assignment::Column::UpdatedAt),
            )
            .filter(cohort_assignment::Column::Id.eq(a.id))
            .exec(&txn)
            .await?;
        let existing = cohort_submission::Entity::find()
            .filter(cohort_submission::Column::AssignmentId.eq(a.id))
            .filter(cohort_submission::Column::Owner.eq(owner.as_str()))
            .one(&txn)
            .await?;
        let late = at > a.due_at;
        let (row, old_files) = match existing {
            Some(s) => {
                check_editable(&s)?;
                let old = files_of(&txn, s.id).await?;
                cohort_submission_file::Entity::delete_many()
                    .filter(cohort_submission_file::Column::SubmissionId.eq(s.id))
                    .exec(&txn)
                    .await?;
                let revision = s.revision + 1;
                let mut am: cohort_submission::ActiveModel = s.into();
                am.author_id = Set(who.user_id);
                am.body = Set(text);
                am.status = Set(SubmissionStatus::Submitted.as_str().into());
                am.revision = Set(revision);
                am.submitted_at = Set(at);
                am.late = Set(late);
                (am.update(&txn).await?, old)
            }
            None => {
                let row = cohort_submission::ActiveModel {
                    id: Set(Uuid::new_v4()),
                    assignment_id: Set(a.id),
                    owner: Set(owner),
                    author_id: Set(who.user_id),
                    organisation_id: Set(Some(m.organisation_id)),
                    body: Set(text),
                    status: Set(SubmissionStatus::Submitted.as_str().into()),
                    revision: Set(1),
                    submitted_at: Set(at),
                    late: Set(late),
                    feedback: Set(None),
                    feedback_by: Set(None),
                    feedback_at: Set(None),
                    created_at: Set(at),
                }
                .insert(&txn)
                .await?;
                allocate_reviewers(&txn, c, a, &row, m).await?;
                (row, Vec::new())
            }
        };
        for (position, f) in stored.into_iter().enumerate() {
            cohort_submission_file::ActiveModel {
                id: Set(f.id),
                submission_id: Set(row.id),
                position: Set(position as i32),
                name: Set(f.name),
                content_type: Set(f.content_type.into()),
                size: Set(f.size),
                storage_key: Set(f.key),
            }
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok((row, old_files.into_iter().map(|f| f.storage_key).collect()))
    }

    /// Removes stored objects no row names (any more); a failure leaves
    /// an orphan object, never a row without its file.
    async fn forget(&self, keys: &[String]) {
        for k in keys {
            if let Err(e) = self.storage.delete(k).await {
                tracing::warn!(key = %k, error = %e, "could not remove a submission file");
            }
        }
    }

    pub(super) async fn find_owned(
        &self,
        assignment: Uuid,
        owner: &str,
    ) -> Result<Option<cohort_submission::Model>> {
        Ok(cohort_submission::Entity::find()
            .filter(cohort_submission::Column::AssignmentId.eq(assignment))
            .filter(cohort_submission::Column::Owner.eq(owner))
            .one(&self.db)
            .await?)
    }

    /// The caller's own (or their organisation's) work for an assignment,
    /// with feedback and the peer reviews given, reviewers unnamed.
    pub async fn my_submission(
        &self,
        who: Option<&Principal>,
        slug: &str,
        assignment: Uuid,
    ) -> Result<super::SubmissionView> {
        let (c, _) = self.inside(who, slug).await?;
        let who = super::require_signed_in(who)?;
        let a = self.find_assignment(&c, assignment).await?;
        let m = self.membership(&c, who).await?;
        let s = self
            .find_owned(a.id, &owner_of(&a, &m))
            .await?
            .ok_or(Error::NotFound { what: "submission" })?;
        self.submission_view(&c, &a, s, false).await
    }

    /// Every submission of an assignment, reviewers named: those who run
    /// the cohort.
    pub async fn submissions(
        &self,
        who: Option<&Principal>,
        slug: &str,
        assignment: Uuid,
    ) -> Result<Vec<super::SubmissionView>> {
        let (c, _) = self.run_by(who, slug).await?;
        let a = self.find_assignment(&c, assignment).await?;
        let rows = cohort_submission::Entity::find()
            .filter(cohort_submission::Column::AssignmentId.eq(a.id))
            .order_by_asc(cohort_submission::Column::SubmittedAt)
            .all(&self.db)
            .await?;
        let mut out = Vec::new();
        for s in rows {
            out.push(self.submission_view(&c, &a, s, true).await?);
        }
        Ok(out)
    }

    /// A file of a submission, for those who may see the work: its owners,
    /// its peer reviewers and those who run the cohort. Everyone else is
    /// told it does not exist.
    pub async fn submission_file(
        &self,
        who: Option<&Principal>,
        slug: &str,
        submission: Uuid,
        file: Uuid,
    ) -> Result<(String, String, Vec<u8>)> {
        let (c, st) = self.inside(who, slug).await?;
        let who = super::require_signed_in(who)?;
        let gone = || Error::NotFound { what: "file" };
        let s = cohort_submission::Entity::find_by_id(submission)
            .one(&self.db)
            .await?
            .ok_or_else(gone)?;
        let a = self
            .find_assignment(&c, s.assignment_id)
            .await
            .map_err(|_| gone())?;
        if !(st.runs() || self.may_read(&c, &a, &s, who).await?) {
            return Err(gone());
        }
        let f = cohort_submission_file::Entity::find_by_id(file)
            .one(&self.db)
            .await?
            .filter(|f| f.submission_id == s.id)
            .ok_or_else(gone)?;
        let bytes = self.storage.get(&f.storage_key).await?.ok_or_else(gone)?;
        Ok((f.name, f.content_type, bytes))
    }
}
