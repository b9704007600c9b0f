//! Enrolling in a course, leaving it, and "my learning": a learner's
//! enrolments with their progress.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::{Expr, OnConflict},
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{ACTIVE, EnrolledMail, LEFT, Learning, ProgressSummary, now, progress::set_status};
use crate::{
    Error, Result,
    catalogue::pick_locale,
    domain::Locale,
    entities::{course, enrolment},
    jobs, partners,
};

/// An enrolment as the callers of the service see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrolmentView {
    pub id: Uuid,
    pub user_id: Uuid,
    pub course_id: Uuid,
    pub status: String,
    pub enrolled_at: OffsetDateTime,
    pub completed_at: Option<OffsetDateTime>,
}

impl From<&enrolment::Model> for EnrolmentView {
    fn from(e: &enrolment::Model) -> Self {
        Self {
            id: e.id,
            user_id: e.user_id,
            course_id: e.course_id,
            status: e.status.clone(),
            enrolled_at: e.enrolled_at,
            completed_at: e.completed_at,
        }
    }
}

pub struct Enrolled {
    pub enrolment: EnrolmentView,
    pub created: bool,
    pub summary: ProgressSummary,
}

#[derive(Clone, Debug)]
pub struct MyCourse {
    pub slug: String,
    pub title: String,
    pub locale: Locale,
    pub progress: ProgressSummary,
}

impl Learning {
    /// Enrols a learner; enrolling again returns the same enrolment, and
    /// re-enrolling after leaving resumes it with its progress. A new
    /// enrolment is attributed, in the same transaction, to the partner
    /// whose embed brought the learner (`via`); an unknown partner is ignored.
    pub async fn enrol(&self, user_id: Uuid, slug: &str, via: Option<&str>) -> Result<Enrolled> {
        let course = self.published_course(slug).await?;
        // Structure is read before the transaction: a transaction must never
        // wait for a second connection from the pool.
        let order = self.lessons_of(course.id).await?;
        let txn = crate::db::begin_write(&self.db).await?;
        // One learner's enrolments are changed one at a time (the user row
        // lock), so the cached list of them is always complete.
        crate::org_activity::lock_learner(&txn, user_id).await?;
        let at = now();
        let inserted = enrolment::Entity::insert(enrolment::ActiveModel {
            id: Set(Uuid::new_v4()),
            user_id: Set(user_id),
            course_id: Set(course.id),
            status: Set(ACTIVE.into()),
            enrolled_at: Set(at),
            last_lesson_id: Set(None),
            last_activity_at: Set(at),
            completed_at: Set(None),
            progress_version: Set(0),
            last_reminded_at: Set(None),
            lessons_done: Set(0),
        })
        .on_conflict(
            OnConflict::columns([enrolment::Column::UserId, enrolment::Column::CourseId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        let created = inserted == 1;
        let mut e = enrolment::Entity::find()
            .filter(enrolment::Column::UserId.eq(user_id))
            .filter(enrolment::Column::CourseId.eq(course.id))
            .one(&txn)
            .await?
            .ok_or(Error::Internal("enrolment vanished".into()))?;
        if created {
            use sea_orm::sea_query::ExprTrait;
            course::Entity::update_many()
                .col_expr(
                    course::Column::EnrolmentCount,
                    Expr::col(course::Column::EnrolmentCount).add(1),
                )
                .filter(course::Column::Id.eq(course.id))
                .exec(&txn)
                .await?;
            jobs::enqueue(&txn, &EnrolledMail { enrolment_id: e.id }).await?;
            crate::search::enqueue_popularity_refresh(&txn, course.id).await?;
            crate::organisations::note_first_enrolment(&txn, user_id, at).await?;
            crate::org_activity::enrolled(&txn, e.id).await?;
            let subject = crate::xapi::emit::Subject::of(&e, &course);
            crate::xapi::emit::record(&txn, user_id, [crate::xapi::emit::enrolled(&subject)])
                .await?;
            if let Some(partner) = via {
                partners::attribute_enrolment(&txn, partner, e.id, course.id).await?;
            }
        } else if e.status != ACTIVE {
            e = set_status(&txn, e.id, ACTIVE).await?;
        }
        let ids = if created {
            Some(enrolment_ids_in(&txn, user_id).await?)
        } else {
            None
        };
        let enrolment = EnrolmentView::from(&e);
        let summary = self.commit_with_summary(txn, e, &order).await?;
        if let Some(ids) = ids {
            self.store_enrolment_ids(user_id, &ids).await;
        }
        Ok(Enrolled {
            enrolment,
            created,
            summary,
        })
    }

    /// Leaves a course; the enrolment and its progress are kept for a later return.
    pub async fn unenrol(&self, user_id: Uuid, slug: &str) -> Result<()> {
        let course = self.published_course(slug).await?;
        let e = self
            .active_enrolment(user_id, course.id)
            .await
            .map_err(|_| Error::NotFound { what: "enrolment" })?;
        let order = self.lessons_of(course.id).await?;
        let txn = crate::db::begin_write(&self.db).await?;
        let e = set_status(&txn, e.id, LEFT).await?;
        self.commit_with_summary(txn, e, &order).await?;
        Ok(())
    }

    /// "My learning": the learner's active enrolments with their progress.
    pub async fn my_learning(&self, user_id: Uuid, preferred: &[Locale]) -> Result<Vec<MyCourse>> {
        let ids = self.enrolment_ids(user_id).await?;
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut summaries: Vec<ProgressSummary> = self
            .summaries(&ids)
            .await?
            .into_iter()
            .filter(|s| s.status == ACTIVE)
            .collect();
        summaries.sort_by_key(|s| std::cmp::Reverse(s.last_activity_at));
        let mut out = Vec::with_capacity(summaries.len());
        for s in summaries {
            let titles = self.titles_of(s.course_id).await?;
            let available: Vec<Locale> = titles.titles.iter().map(|(l, _)| *l).collect();
            let locale = pick_locale(preferred, &available, titles.default_locale);
            let title = titles
                .titles
                .iter()
                .find(|(l, _)| *l == locale)
                .map(|(_, t)| t.clone())
                .unwrap_or_else(|| titles.slug.clone());
            out.push(MyCourse {
                slug: titles.slug.clone(),
                title,
                locale,
                progress: s,
            });
        }
        Ok(out)
    }

    /// A learner's enrolments (any status), from the cache. The cached list
    /// is versioned by its length: enrolments are only ever added.
    pub(super) async fn enrolment_ids(&self, user_id: Uuid) -> Result<Vec<Uuid>> {
        let key = learner_key(user_id);
        if let Some(ids) = self.cache.get_as::<Vec<Uuid>>(&key).await {
            return Ok(ids.as_ref().clone());
        }
        let ids = enrolment_ids_in(&self.db, user_id).await?;
        self.store_enrolment_ids(user_id, &ids).await;
        Ok(ids)
    }

    /// Reads a learner's enrolments from the database into the cache.
    pub(super) async fn reload_enrolment_ids(&self, user_id: Uuid) -> Result<()> {
        let ids = enrolment_ids_in(&self.db, user_id).await?;
        self.store_enrolment_ids(user_id, &ids).await;
        Ok(())
    }

    async fn store_enrolment_ids(&self, user_id: Uuid, ids: &[Uuid]) {
        let json = serde_json::to_vec(ids).expect("ids serialise");
        self.cache
            .set(&learner_key(user_id), ids.len() as u64, &json)
            .await;
    }
}

fn learner_key(user_id: Uuid) -> String {
    format!("agora:learner:v1:{user_id}")
}

async fn enrolment_ids_in(db: &impl ConnectionTrait, user_id: Uuid) -> Result<Vec<Uuid>> {
    Ok(enrolment::Entity::find()
        .select_only()
        .column(enrolment::Column::Id)
        .filter(enrolment::Column::UserId.eq(user_id))
        .order_by_asc(enrolment::Column::EnrolledAt)
        .into_tuple()
        .all(db)
        .await?)
}
