//! What partners' embeds bring: visits to course pages, enrolments (recorded
//! in the enrolment's own transaction), and their counts.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, Set, sea_query::OnConflict,
};
use uuid::Uuid;

use super::{Partners, now};
use crate::{
    Result,
    domain::{CourseStatus, Slug},
    entities::{course, partner, partner_event},
};

#[derive(Clone, Debug, Default)]
pub struct CourseStats {
    pub slug: String,
    pub visits: u64,
    pub enrolments: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub visits: u64,
    pub enrolments: u64,
    /// Organisations whose staff enrolled through the partner (counting
    /// only active members who share their progress with it).
    pub organisations: u64,
    pub courses: Vec<CourseStats>,
}

pub const VISIT: &str = "visit";
pub const ENROLMENT: &str = "enrolment";

impl Partners {
    /// Counts a visit to a published course that came through the partner's
    /// embed. Unknown partners or courses are ignored: a link is never an error.
    pub async fn record_visit(&self, partner_slug: &str, course_slug: &str) -> Result<bool> {
        let Ok(p) = self.get(partner_slug).await else {
            return Ok(false);
        };
        let Some(course_id) = published_course_id(&self.db, course_slug).await? else {
            return Ok(false);
        };
        partner_event::ActiveModel {
            id: Set(Uuid::new_v4()),
            partner_id: Set(p.id),
            course_id: Set(course_id),
            kind: Set(VISIT.into()),
            enrolment_id: Set(None),
            created_at: Set(now()),
        }
        .insert(&self.db)
        .await?;
        Ok(true)
    }

    /// Visits and enrolments brought by the partner, in total and per course.
    pub async fn stats(&self, partner_slug: &str) -> Result<Stats> {
        let p = self.get(partner_slug).await?;
        let rows: Vec<(Uuid, String)> = partner_event::Entity::find()
            .select_only()
            .columns([partner_event::Column::CourseId, partner_event::Column::Kind])
            .filter(partner_event::Column::PartnerId.eq(p.id))
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut per: HashMap<Uuid, (u64, u64)> = HashMap::new();
        let mut stats = Stats::default();
        for (course_id, kind) in rows {
            let e = per.entry(course_id).or_default();
            if kind == VISIT {
                e.0 += 1;
                stats.visits += 1;
            } else if kind == ENROLMENT {
                e.1 += 1;
                stats.enrolments += 1;
            }
        }
        let slugs: HashMap<Uuid, String> = course::Entity::find()
            .select_only()
            .columns([course::Column::Id, course::Column::Slug])
            .filter(course::Column::Id.is_in(per.keys().copied().collect::<Vec<_>>()))
            .into_tuple::<(Uuid, String)>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        stats.courses = per
            .into_iter()
            .filter_map(|(id, (visits, enrolments))| {
                Some(CourseStats {
                    slug: slugs.get(&id)?.clone(),
                    visits,
                    enrolments,
                })
            })
            .collect();
        stats.organisations = crate::reports::organisations_reached(&self.db, p.id).await?;
        stats.courses.sort_by(|a, b| {
            b.enrolments
                .cmp(&a.enrolments)
                .then(b.visits.cmp(&a.visits))
                .then(a.slug.cmp(&b.slug))
        });
        Ok(stats)
    }
}

async fn published_course_id(db: &DatabaseConnection, slug: &str) -> Result<Option<Uuid>> {
    if Slug::parse(slug).is_err() {
        return Ok(None);
    }
    Ok(course::Entity::find()
        .select_only()
        .column(course::Column::Id)
        .filter(course::Column::Slug.eq(slug))
        .filter(course::Column::Status.eq(CourseStatus::Published.as_str()))
        .into_tuple::<Uuid>()
        .one(db)
        .await?)
}

/// Attributes a new enrolment to the partner whose embed brought the
/// learner, on the enrolment's own transaction; once per enrolment. An
/// unknown or invalid partner is ignored: a link never fails an enrolment.
pub(crate) async fn attribute_enrolment(
    txn: &impl ConnectionTrait,
    partner_slug: &str,
    enrolment_id: Uuid,
    course_id: Uuid,
) -> Result<bool> {
    if Slug::parse(partner_slug).is_err() {
        return Ok(false);
    }
    let Some(partner_id) = partner::Entity::find()
        .select_only()
        .column(partner::Column::Id)
        .filter(partner::Column::Slug.eq(partner_slug))
        .into_tuple::<Uuid>()
        .one(txn)
        .await?
    else {
        return Ok(false);
    };
    let n = partner_event::Entity::insert(partner_event::ActiveModel {
        id: Set(Uuid::new_v4()),
        partner_id: Set(partner_id),
        course_id: Set(course_id),
        kind: Set(ENROLMENT.into()),
        enrolment_id: Set(Some(enrolment_id)),
        created_at: Set(now()),
    })
    .on_conflict(
        OnConflict::column(partner_event::Column::EnrolmentId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(n == 1)
}
