//! Staff of an accepted organisation joining a cohort, up to its capacity
//! in people, and the member list its people see (names and organisations
//! only).

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    Admission, CohortStatus, Cohorts, Decision, applications::lock_cohort, now, require_signed_in,
};
use crate::{
    Error, Result,
    accounts::Principal,
    entities::{cohort_application, cohort_facilitator, cohort_member, organisation, user},
    organisations,
};

#[derive(Clone, Debug)]
pub struct CohortMemberView {
    pub user_id: Uuid,
    pub name: String,
    pub organisation_slug: String,
    pub organisation_name: String,
    pub joined_at: OffsetDateTime,
}

impl Cohorts {
    /// The caller joins: an active member of an organisation whose
    /// application was accepted, while the cohort has room. Joining twice
    /// answers the same membership.
    pub async fn join(&self, who: Option<&Principal>, slug: &str) -> Result<CohortMemberView> {
        let who = require_signed_in(who)?;
        let (c, _) = self.visible(Some(who), slug).await?;
        let m = organisations::Organisations::new(self.db.clone())
            .membership_of(who.user_id)
            .await?
            .filter(|m| m.is_active());
        let by_invitation = c.admission == Admission::Invitation.as_str();
        let refused = || Error::Forbidden {
            reason: if by_invitation {
                "this cohort admits organisations by invitation only: only staff of an invited organisation may join; ask its facilitators to invite yours"
            } else {
                "only staff of an accepted organisation may join"
            },
        };
        let m = m.ok_or_else(refused)?;
        let txn = crate::db::begin_write(&self.db).await?;
        lock_cohort(&txn, c.id).await?;
        if let Some(existing) = cohort_member::Entity::find_by_id((c.id, who.user_id))
            .one(&txn)
            .await?
        {
            txn.commit().await?;
            return self.member_view(existing).await;
        }
        // Who may join is answered before whether the cohort has room, so
        // an outsider learns nothing of its state.
        cohort_application::Entity::find()
            .filter(cohort_application::Column::CohortId.eq(c.id))
            .filter(cohort_application::Column::OrganisationId.eq(m.organisation_id))
            .filter(cohort_application::Column::State.eq(Decision::Accepted.as_str()))
            .one(&txn)
            .await?
            .ok_or_else(refused)?;
        if c.status == CohortStatus::Closed.as_str() {
            return Err(Error::Conflict {
                field: "status".into(),
                reason: "this cohort is closed".into(),
            });
        }
        let members = cohort_member::Entity::find()
            .filter(cohort_member::Column::CohortId.eq(c.id))
            .count(&txn)
            .await?;
        if members >= c.capacity_people as u64 {
            return Err(Error::Conflict {
                field: "capacity_people".into(),
                reason: "the cohort is full".into(),
            });
        }
        let row = cohort_member::ActiveModel {
            cohort_id: Set(c.id),
            user_id: Set(who.user_id),
            organisation_id: Set(m.organisation_id),
            role: Set("participant".into()),
            joined_at: Set(now()),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        self.member_view(row).await
    }

    pub(super) async fn member_view(&self, m: cohort_member::Model) -> Result<CohortMemberView> {
        let u = user::Entity::find_by_id(m.user_id).one(&self.db).await?;
        let o = organisation::Entity::find_by_id(m.organisation_id)
            .one(&self.db)
            .await?;
        Ok(CohortMemberView {
            user_id: m.user_id,
            name: u.map(|u| u.display_name).unwrap_or_default(),
            organisation_slug: o.as_ref().map(|o| o.slug.clone()).unwrap_or_default(),
            organisation_name: o.map(|o| o.name).unwrap_or_default(),
            joined_at: m.joined_at,
        })
    }

    /// The members, by joining order: to the cohort's people only.
    pub async fn members(
        &self,
        who: Option<&Principal>,
        slug: &str,
    ) -> Result<Vec<CohortMemberView>> {
        let (c, _) = self.inside(who, slug).await?;
        let rows = cohort_member::Entity::find()
            .filter(cohort_member::Column::CohortId.eq(c.id))
            .order_by_asc(cohort_member::Column::JoinedAt)
            .all(&self.db)
            .await?;
        let mut out = Vec::new();
        for m in rows {
            out.push(self.member_view(m).await?);
        }
        Ok(out)
    }

    /// The facilitators' account addresses, for the edit form: those who
    /// edit the cohort.
    pub async fn facilitator_emails(
        &self,
        who: Option<&Principal>,
        slug: &str,
    ) -> Result<Vec<String>> {
        let (c, s) = self.inside(who, slug).await?;
        if !s.edits() {
            return Err(Error::Forbidden {
                reason: "only the cohort's authors and administrators may edit it",
            });
        }
        let ids: Vec<Uuid> = cohort_facilitator::Entity::find()
            .filter(cohort_facilitator::Column::CohortId.eq(c.id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|f| f.user_id)
            .collect();
        let mut out: Vec<String> = user::Entity::find()
            .filter(user::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| u.email)
            .collect();
        out.sort();
        Ok(out)
    }
}
