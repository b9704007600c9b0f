//! After a live session: who attended (recorded by those who run the
//! cohort, one row per member and session), and the notes (Markdown,
//! rendered sanitised) and recording link they publish for the members.

use std::collections::BTreeSet;

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::{Cohorts, SessionView, now, require_signed_in};
use crate::{
    Error, Result,
    accounts::Principal,
    entities::{cohort_attendance, cohort_member, cohort_session},
    organisations::parse_website,
};

const MAX_NOTES: usize = 50_000;

/// One member's attendance of one session; `present` is `None` until recorded.
#[derive(Clone, Debug)]
pub struct AttendanceView {
    pub user_id: Uuid,
    pub name: String,
    pub organisation_name: String,
    pub present: Option<bool>,
}

impl Cohorts {
    /// Every member of the cohort with their attendance of one session:
    /// those who run the cohort.
    pub async fn attendance(
        &self,
        who: Option<&Principal>,
        slug: &str,
        session_id: Uuid,
    ) -> Result<Vec<AttendanceView>> {
        let (c, _) = self.run_by(who, slug).await?;
        let s = self.find_session(&c, session_id).await?;
        let recorded = cohort_attendance::Entity::find()
            .filter(cohort_attendance::Column::SessionId.eq(s.id))
            .all(&self.db)
            .await?;
        let members = cohort_member::Entity::find()
            .filter(cohort_member::Column::CohortId.eq(c.id))
            .order_by_asc(cohort_member::Column::JoinedAt)
            .all(&self.db)
            .await?;
        let mut out = Vec::new();
        for m in members {
            let present = recorded
                .iter()
                .find(|r| r.user_id == m.user_id)
                .map(|r| r.present);
            let v = self.member_view(m).await?;
            out.push(AttendanceView {
                user_id: v.user_id,
                name: v.name,
                organisation_name: v.organisation_name,
                present,
            });
        }
        Ok(out)
    }

    /// Records who attended a session that has begun: the members in
    /// `present` attended, every other member did not. Recording again
    /// replaces the earlier record.
    pub async fn record_attendance(
        &self,
        who: Option<&Principal>,
        slug: &str,
        session_id: Uuid,
        present: &[Uuid],
    ) -> Result<Vec<AttendanceView>> {
        let (c, _) = self.run_by(who, slug).await?;
        let recorder = require_signed_in(who)?.user_id;
        let s = self.find_session(&c, session_id).await?;
        if s.cancelled {
            return Err(Error::Conflict {
                field: "cancelled".into(),
                reason: "this session is cancelled".into(),
            });
        }
        if s.starts_at > now() {
            return Err(Error::invalid(
                "present",
                "record attendance once the session has begun",
            ));
        }
        let members: BTreeSet<Uuid> = cohort_member::Entity::find()
            .filter(cohort_member::Column::CohortId.eq(c.id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| m.user_id)
            .collect();
        if let Some(stranger) = present.iter().find(|p| !members.contains(p)) {
            return Err(Error::invalid(
                "present",
                format!("{stranger} is not a member of this cohort"),
            ));
        }
        let at = now();
        let txn = crate::db::begin_write(&self.db).await?;
        let before: BTreeSet<Uuid> = cohort_attendance::Entity::find()
            .filter(cohort_attendance::Column::SessionId.eq(s.id))
            .filter(cohort_attendance::Column::Present.eq(true))
            .all(&txn)
            .await?
            .into_iter()
            .map(|a| a.user_id)
            .collect();
        let newly: Vec<Uuid> = present
            .iter()
            .filter(|p| !before.contains(p))
            .copied()
            .collect();
        crate::xapi::emit::attendance(&txn, &c, s.id, &newly).await?;
        cohort_attendance::Entity::delete_many()
            .filter(cohort_attendance::Column::SessionId.eq(s.id))
            .exec(&txn)
            .await?;
        for m in &members {
            cohort_attendance::ActiveModel {
                session_id: Set(s.id),
                user_id: Set(*m),
                present: Set(present.contains(m)),
                recorded_by: Set(Some(recorder)),
                recorded_at: Set(at),
            }
            .insert(&txn)
            .await?;
        }
        // Attendance may be the last thing a member needed.
        super::completion::queue_completions(&txn, &c, None).await?;
        txn.commit().await?;
        self.attendance(who, slug, session_id).await
    }

    /// Publishes a session's notes (Markdown) and recording link; empty
    /// values unpublish them.
    pub async fn publish_notes(
        &self,
        who: Option<&Principal>,
        slug: &str,
        session_id: Uuid,
        notes: Option<&str>,
        recording_url: Option<&str>,
    ) -> Result<SessionView> {
        let (c, _) = self.run_by(who, slug).await?;
        let s = self.find_session(&c, session_id).await?;
        let notes = notes.map(str::trim).filter(|n| !n.is_empty());
        if notes.is_some_and(|n| n.chars().count() > MAX_NOTES) {
            return Err(Error::invalid(
                "notes",
                format!("at most {MAX_NOTES} characters"),
            ));
        }
        let recording_url = parse_website("recording_url", recording_url)?;
        let mut am: cohort_session::ActiveModel = s.into();
        am.notes = Set(notes.map(str::to_owned));
        am.recording_url = Set(recording_url);
        am.updated_at = Set(now());
        let row = am.update(&self.db).await?;
        self.session_view(&c, row).await
    }

    /// How many sessions each member attended, for the dashboard.
    pub(super) async fn attended_counts(
        &self,
        session_ids: &[Uuid],
    ) -> Result<std::collections::HashMap<Uuid, u32>> {
        let mut out = std::collections::HashMap::new();
        if session_ids.is_empty() {
            return Ok(out);
        }
        let rows = cohort_attendance::Entity::find()
            .filter(cohort_attendance::Column::SessionId.is_in(session_ids.to_vec()))
            .filter(cohort_attendance::Column::Present.eq(true))
            .all(&self.db)
            .await?;
        for r in rows {
            *out.entry(r.user_id).or_insert(0) += 1;
        }
        Ok(out)
    }
}
