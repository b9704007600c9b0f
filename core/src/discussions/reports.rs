//! Reporting a post: anyone who can see it, with one of the fixed reasons
//! and an optional note; one open report per person and post; limited per
//! person. Moderators dismiss reports, or settle them by hiding or
//! restoring the post (see `moderation`).

use sea_orm::{ActiveModelTrait, Set, SqlErr};
use uuid::Uuid;

use super::{
    Discussions,
    moderation::{audit, close_reports, refused},
    not_found, now,
};
use crate::{
    Error, Result,
    accounts::{Principal, require_signed_in},
    entities::discussion_report,
};

/// The reasons one may report a post for.
pub const REPORT_REASONS: [&str; 6] = [
    "spam",
    "harassment",
    "off_topic",
    "misinformation",
    "personal_data",
    "other",
];

/// The longest note of a report, in characters.
pub const MAX_NOTE: usize = 1000;

impl Discussions {
    /// Reports a post the caller can see (not their own).
    pub async fn report_post(
        &self,
        who: Option<&Principal>,
        id: Uuid,
        reason: &str,
        note: Option<&str>,
    ) -> Result<()> {
        let (p, _, space, access) = self.readable_post(who, id).await?;
        let who = require_signed_in(who)?;
        if p.deleted || (p.hidden && !access.moderate) {
            return Err(not_found("post"));
        }
        if p.author_id == Some(who.user_id) {
            return Err(Error::invalid("post", "you cannot report your own post"));
        }
        if !REPORT_REASONS.contains(&reason) {
            return Err(Error::invalid("reason", "choose one of the reasons"));
        }
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if note.is_some_and(|n| n.chars().count() > MAX_NOTE) {
            return Err(Error::invalid(
                "note",
                format!("write a note of at most {MAX_NOTE} characters"),
            ));
        }
        self.limits.report(who.user_id).await?;
        let row = discussion_report::ActiveModel {
            id: Set(Uuid::new_v4()),
            post_id: Set(p.id),
            space_id: Set(space.id),
            reporter_id: Set(who.user_id),
            reason: Set(reason.to_owned()),
            note: Set(note.map(str::to_owned)),
            status: Set("open".into()),
            open_key: Set(Some(true)),
            created_at: Set(now()),
            closed_at: Set(None),
            closed_by: Set(None),
        };
        match row.insert(&self.db).await {
            Ok(_) => Ok(()),
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                Err(Error::Conflict {
                    field: "post".into(),
                    reason: "you have already reported this post".into(),
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Dismisses the open reports of a post (moderators): it stays as it is.
    pub async fn dismiss_reports(&self, who: Option<&Principal>, id: Uuid) -> Result<u64> {
        let (p, t, space, access) = self.readable_post(who, id).await?;
        let who = require_signed_in(who)?;
        if !access.moderate {
            return Err(refused());
        }
        let txn = crate::db::begin_write(&self.db).await?;
        let n = close_reports(&txn, p.id, who.user_id, "dismissed").await?;
        if n == 0 {
            return Err(not_found("open report"));
        }
        audit(
            &txn,
            who.user_id,
            &space,
            "discussion.dismiss",
            serde_json::json!({ "thread": t.id, "post": p.id, "reports": n }),
        )
        .await?;
        txn.commit().await?;
        self.changed();
        Ok(n)
    }
}
