//! Inviting an organisation (those who decide applications): it is
//! accepted at once, as if it had applied, and its first administrator is
//! told by the decision mail (once, in their language); its staff then
//! join. In an `invitation` cohort this is the only way in: applying is
//! refused, and so is joining for staff of an organisation not invited.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::{
    Cohorts, Decision,
    applications::{ApplicationView, DecisionMail, MAX_MESSAGE, accepted_count, lock_cohort},
    now, require_signed_in,
};
use crate::{
    Error, Result,
    accounts::Principal,
    entities::{cohort_application, organisation, organisation_member},
    jobs,
};

impl Cohorts {
    /// Invites the organisation `organisation_slug`, with an optional
    /// message to its administrator. An organisation that applied already
    /// is accepted instead; one accepted already stays so.
    pub async fn invite(
        &self,
        who: Option<&Principal>,
        slug: &str,
        organisation_slug: &str,
        message: Option<&str>,
    ) -> Result<ApplicationView> {
        let (c, s) = self.inside(who, slug).await?;
        if !s.decides() {
            return Err(Error::Forbidden {
                reason: "only the cohort's facilitators invite organisations",
            });
        }
        let principal = require_signed_in(who)?;
        let message = message.map(str::trim).filter(|m| !m.is_empty());
        if message.is_some_and(|m| m.chars().count() > MAX_MESSAGE) {
            return Err(Error::invalid(
                "message",
                format!("at most {MAX_MESSAGE} characters"),
            ));
        }
        let org = organisation::Entity::find()
            .filter(organisation::Column::Slug.eq(organisation_slug.trim()))
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::invalid("organisation", "no organisation has this id"))?;
        let admin = organisation_member::Entity::find()
            .filter(organisation_member::Column::OrganisationId.eq(org.id))
            .filter(organisation_member::Column::Role.eq("admin"))
            .filter(organisation_member::Column::Status.eq("active"))
            .order_by_asc(organisation_member::Column::JoinedAt)
            .one(&self.db)
            .await?
            .ok_or_else(|| {
                Error::invalid(
                    "organisation",
                    "this organisation has no administrator to invite",
                )
            })?;
        let txn = crate::db::begin_write(&self.db).await?;
        lock_cohort(&txn, c.id).await?;
        let existing = cohort_application::Entity::find()
            .filter(cohort_application::Column::CohortId.eq(c.id))
            .filter(cohort_application::Column::OrganisationId.eq(org.id))
            .one(&txn)
            .await?;
        if let Some(a) = existing {
            // It applied (or was invited) before: a decision, as any other.
            txn.rollback().await?;
            return self
                .decide(who, slug, a.id, Decision::Accepted.as_str(), message)
                .await;
        }
        if accepted_count(&txn, c.id).await? >= c.capacity_organisations as u64 {
            return Err(Error::Conflict {
                field: "capacity_organisations".into(),
                reason: "the cohort is full: raise the capacity to invite more organisations"
                    .into(),
            });
        }
        let at = now();
        let row = cohort_application::ActiveModel {
            id: Set(Uuid::new_v4()),
            cohort_id: Set(c.id),
            organisation_id: Set(org.id),
            applicant_id: Set(admin.user_id),
            answers: Set(serde_json::json!([])),
            state: Set(Decision::Accepted.as_str().into()),
            message: Set(message.map(str::to_owned)),
            decided_by: Set(Some(principal.user_id)),
            decided_at: Set(Some(at)),
            created_at: Set(at),
        }
        .insert(&txn)
        .await?;
        jobs::enqueue(
            &txn,
            &DecisionMail {
                application_id: row.id,
                decision: Decision::Accepted,
            },
        )
        .await?;
        txn.commit().await?;
        self.application_view(row).await
    }
}
