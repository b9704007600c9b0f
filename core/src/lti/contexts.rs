//! The LMS contexts launches came from: each kept per platform, deployment
//! and context id with the roster (NRPS) address the platform last sent,
//! and who launched from it into which course, as instructor or not. A
//! context's instructors, and admins, may read its roster.

use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::{Expr, OnConflict},
};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Lti, Verified};
use crate::{
    Error, Result,
    accounts::{Principal, Role},
    entities::{lti_context, lti_context_launch},
};

/// A context whose roster the reader may open, for the course report.
#[derive(Clone, Debug, Serialize)]
pub struct ContextLink {
    pub id: Uuid,
    /// Its title in the LMS, or its id when it has none.
    pub title: String,
    /// Whether the platform offers its roster (sent the NRPS claim).
    pub has_roster: bool,
}

impl Lti {
    /// Keeps the context of a resource link launch and who launched from
    /// it into `course_id`. A launch without a roster address leaves the
    /// one an earlier launch sent.
    pub(super) async fn keep_context(
        &self,
        v: &Verified,
        user_id: Uuid,
        course_id: Uuid,
    ) -> Result<()> {
        let Some(c) = &v.context else {
            return Ok(());
        };
        let now = OffsetDateTime::now_utc();
        let txn = crate::db::begin_write(&self.db).await?;
        lti_context::Entity::insert(lti_context::ActiveModel {
            id: Set(Uuid::new_v4()),
            platform_id: Set(v.platform_id),
            deployment_id: Set(v.deployment_id.clone()),
            context_id: Set(c.id.clone()),
            title: Set(c.title.clone()),
            memberships_url: Set(c.memberships_url.clone()),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                lti_context::Column::PlatformId,
                lti_context::Column::DeploymentId,
                lti_context::Column::ContextId,
            ])
            .update_columns([lti_context::Column::Title, lti_context::Column::UpdatedAt])
            .value(
                lti_context::Column::MembershipsUrl,
                Expr::cust("COALESCE(excluded.memberships_url, lti_contexts.memberships_url)"),
            )
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        let row = lti_context::Entity::find()
            .filter(lti_context::Column::PlatformId.eq(v.platform_id))
            .filter(lti_context::Column::DeploymentId.eq(&v.deployment_id))
            .filter(lti_context::Column::ContextId.eq(&c.id))
            .one(&txn)
            .await?
            .ok_or(Error::Internal("an LTI context vanished".into()))?;
        lti_context_launch::Entity::insert(lti_context_launch::ActiveModel {
            context_ref: Set(row.id),
            user_id: Set(user_id),
            course_id: Set(course_id),
            instructor: Set(v.instructor),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                lti_context_launch::Column::ContextRef,
                lti_context_launch::Column::UserId,
                lti_context_launch::Column::CourseId,
            ])
            .update_columns([
                lti_context_launch::Column::Instructor,
                lti_context_launch::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The context `id`, if `caller` may read its roster: an admin, or
    /// someone who launched from it as an instructor. Anyone else is
    /// refused, whichever platform they came from.
    pub(super) async fn readable_context(
        &self,
        caller: &Principal,
        id: Uuid,
    ) -> Result<lti_context::Model> {
        let context = lti_context::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound {
                what: "LMS context",
            })?;
        if caller.role == Role::Admin {
            return Ok(context);
        }
        let instructor = lti_context_launch::Entity::find()
            .filter(lti_context_launch::Column::ContextRef.eq(id))
            .filter(lti_context_launch::Column::UserId.eq(caller.user_id))
            .filter(lti_context_launch::Column::Instructor.eq(true))
            .one(&self.db)
            .await?
            .is_some();
        if !instructor {
            return Err(Error::Forbidden {
                reason: "only the LMS course's instructors and administrators may see its roster",
            });
        }
        Ok(context)
    }

    /// The contexts launched into `course_id` whose roster `caller` may
    /// read (every one for an admin), newest first.
    pub async fn roster_links(
        &self,
        caller: &Principal,
        course_id: Uuid,
    ) -> Result<Vec<ContextLink>> {
        let mut q = lti_context_launch::Entity::find()
            .filter(lti_context_launch::Column::CourseId.eq(course_id));
        if caller.role != Role::Admin {
            q = q
                .filter(lti_context_launch::Column::UserId.eq(caller.user_id))
                .filter(lti_context_launch::Column::Instructor.eq(true));
        }
        let mut ids: Vec<Uuid> = q
            .all(&self.db)
            .await?
            .into_iter()
            .map(|l| l.context_ref)
            .collect();
        ids.sort();
        ids.dedup();
        if ids.is_empty() {
            return Ok(vec![]);
        }
        Ok(lti_context::Entity::find()
            .filter(lti_context::Column::Id.is_in(ids))
            .order_by_desc(lti_context::Column::UpdatedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| ContextLink {
                id: c.id,
                title: c.title.unwrap_or(c.context_id),
                has_roster: c.memberships_url.is_some(),
            })
            .collect())
    }
}
