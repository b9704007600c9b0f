//! Creating, editing, listing and reading cohorts.

use std::collections::BTreeMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{
    CohortStatus, Cohorts, Completion, Decision, Standing,
    completion::{check_rule, queue_completions, rule_of},
    find_cohort,
    input::{Checked, CohortInput, check},
    list_of, map_of, now, require_signed_in, standing,
};
use crate::{
    Error, Result,
    accounts::{Principal, Role},
    domain::Slug,
    entities::{
        cohort, cohort_application, cohort_facilitator, cohort_member, cohort_question, course,
        user,
    },
    markdown,
    media::CourseLinks,
};

#[derive(Clone, Debug)]
pub struct PersonView {
    pub user_id: Uuid,
    pub name: String,
}

#[derive(Clone, Debug)]
pub struct CohortView {
    pub slug: String,
    pub course: String,
    pub titles: BTreeMap<String, String>,
    pub descriptions: BTreeMap<String, String>,
    /// The descriptions as sanitised HTML.
    pub descriptions_html: BTreeMap<String, String>,
    pub starts_on: Date,
    pub ends_on: Date,
    pub capacity_organisations: i32,
    pub capacity_people: i32,
    pub admission: String,
    pub locales: Vec<String>,
    pub status: String,
    pub facilitators: Vec<PersonView>,
    pub questions: Vec<String>,
    pub accepted_organisations: u64,
    pub members: u64,
    /// `admin`, `author`, `facilitator` or `member`; absent for others.
    pub your_role: Option<String>,
    pub created_at: OffsetDateTime,
    pub completion: Completion,
}

async fn replace_people(
    db: &impl ConnectionTrait,
    cohort_id: Uuid,
    checked: &Checked,
) -> Result<()> {
    cohort_facilitator::Entity::delete_many()
        .filter(cohort_facilitator::Column::CohortId.eq(cohort_id))
        .exec(db)
        .await?;
    for f in &checked.facilitators {
        cohort_facilitator::ActiveModel {
            cohort_id: Set(cohort_id),
            user_id: Set(*f),
            added_at: Set(now()),
        }
        .insert(db)
        .await?;
    }
    cohort_question::Entity::delete_many()
        .filter(cohort_question::Column::CohortId.eq(cohort_id))
        .exec(db)
        .await?;
    for (i, q) in checked.questions.iter().enumerate() {
        cohort_question::ActiveModel {
            id: Set(Uuid::new_v4()),
            cohort_id: Set(cohort_id),
            position: Set(i as i32),
            prompt: Set(q.clone()),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

pub(super) async fn questions_of(
    db: &impl ConnectionTrait,
    cohort_id: Uuid,
) -> Result<Vec<String>> {
    Ok(cohort_question::Entity::find()
        .filter(cohort_question::Column::CohortId.eq(cohort_id))
        .order_by_asc(cohort_question::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|q| q.prompt)
        .collect())
}

impl Cohorts {
    pub(super) async fn view(&self, c: cohort::Model, s: Standing) -> Result<CohortView> {
        let course_slug = course::Entity::find_by_id(c.course_id)
            .one(&self.db)
            .await?
            .map(|c| c.slug)
            .unwrap_or_default();
        let facilitator_ids: Vec<Uuid> = cohort_facilitator::Entity::find()
            .filter(cohort_facilitator::Column::CohortId.eq(c.id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|f| f.user_id)
            .collect();
        let mut facilitators: Vec<PersonView> = user::Entity::find()
            .filter(user::Column::Id.is_in(facilitator_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| PersonView {
                user_id: u.id,
                name: u.display_name,
            })
            .collect();
        facilitators.sort_by(|a, b| a.name.cmp(&b.name));
        let accepted_organisations = cohort_application::Entity::find()
            .filter(cohort_application::Column::CohortId.eq(c.id))
            .filter(cohort_application::Column::State.eq(Decision::Accepted.as_str()))
            .count(&self.db)
            .await?;
        let members = cohort_member::Entity::find()
            .filter(cohort_member::Column::CohortId.eq(c.id))
            .count(&self.db)
            .await?;
        let descriptions = map_of(&c.descriptions);
        let completion = rule_of(&c);
        let links = CourseLinks { slug: &course_slug };
        let descriptions_html = descriptions
            .iter()
            .map(|(k, v)| (k.clone(), markdown::render(v, &links)))
            .collect();
        Ok(CohortView {
            slug: c.slug,
            course: course_slug.clone(),
            titles: map_of(&c.titles),
            descriptions,
            descriptions_html,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            capacity_organisations: c.capacity_organisations,
            capacity_people: c.capacity_people,
            admission: c.admission,
            locales: list_of(&c.locales),
            status: c.status,
            facilitators,
            questions: questions_of(&self.db, c.id).await?,
            accepted_organisations,
            members,
            your_role: s.role().map(str::to_owned),
            created_at: c.created_at,
            completion,
        })
    }

    /// Creates a cohort of a published course: authors and administrators.
    pub async fn create(&self, who: Option<&Principal>, input: CohortInput) -> Result<CohortView> {
        let who = require_signed_in(who)?;
        let txn = crate::db::begin_write(&self.db).await?;
        let row = create_in(&txn, who, &input).await?;
        txn.commit().await?;
        let s = standing(&self.db, Some(who), &row).await?;
        self.view(row, s).await
    }

    /// Edits a cohort (all but its course and id): its authors and administrators.
    pub async fn update(
        &self,
        who: Option<&Principal>,
        slug: &str,
        input: CohortInput,
    ) -> Result<CohortView> {
        let (c, s) = self.inside(who, slug).await?;
        if !s.edits() {
            return Err(Error::Forbidden {
                reason: "only the cohort's authors and administrators may edit it",
            });
        }
        let checked = check(&self.db, &input).await?;
        let rule = match &input.completion {
            Some(r) => Some(check_rule(&self.db, Some(c.id), r).await?),
            None => None,
        };
        let txn = crate::db::begin_write(&self.db).await?;
        let mut am: cohort::ActiveModel = c.into();
        if let Some(r) = rule {
            am.completion = Set(Some(serde_json::json!(r)));
        }
        am.titles = Set(serde_json::json!(checked.titles));
        am.descriptions = Set(serde_json::json!(checked.descriptions));
        am.starts_on = Set(input.starts_on);
        am.ends_on = Set(input.ends_on);
        am.capacity_organisations = Set(input.capacity_organisations);
        am.capacity_people = Set(input.capacity_people);
        am.admission = Set(checked.admission.as_str().into());
        am.locales = Set(serde_json::json!(checked.locales));
        am.status = Set(checked.status.as_str().into());
        am.updated_at = Set(now());
        let row = am.update(&txn).await?;
        replace_people(&txn, row.id, &checked).await?;
        // A new rule may complete members at once.
        queue_completions(&txn, &row, None).await?;
        txn.commit().await?;
        let s = standing(&self.db, who, &row).await?;
        self.view(row, s).await
    }

    /// A cohort's profile, as the caller may see it.
    pub async fn get(&self, who: Option<&Principal>, slug: &str) -> Result<CohortView> {
        let (c, s) = self.visible(who, slug).await?;
        self.view(c, s).await
    }

    /// The cohorts the caller may see: every open or closed one, and the
    /// drafts they are inside; soonest first.
    pub async fn list(&self, who: Option<&Principal>) -> Result<Vec<CohortView>> {
        let rows = cohort::Entity::find()
            .order_by_asc(cohort::Column::StartsOn)
            .order_by_asc(cohort::Column::Slug)
            .all(&self.db)
            .await?;
        let mut out = Vec::new();
        for c in rows {
            let s = standing(&self.db, who, &c).await?;
            if c.status != CohortStatus::Draft.as_str() || s.inside() {
                out.push(self.view(c, s).await?);
            }
        }
        Ok(out)
    }
}

/// Creates a cohort inside the caller's transaction (templates add their
/// sessions and assignments to it).
pub(super) async fn create_in(
    db: &impl ConnectionTrait,
    who: &Principal,
    input: &CohortInput,
) -> Result<cohort::Model> {
    if !matches!(who.role, Role::Author | Role::Admin) {
        return Err(Error::Forbidden {
            reason: "only authors and administrators create cohorts",
        });
    }
    let slug = Slug::parse(input.slug.trim()).map_err(|e| Error::invalid("slug", e))?;
    let course = course::Entity::find()
        .filter(course::Column::Slug.eq(input.course.trim()))
        .one(db)
        .await?
        .filter(|c| c.status == "published")
        .ok_or_else(|| Error::invalid("course", "no published course has this id"))?;
    let checked = check(db, input).await?;
    // A new cohort has no assignments yet: a rule may not name any.
    let rule = match &input.completion {
        Some(r) => Some(serde_json::json!(check_rule(db, None, r).await?)),
        None => None,
    };
    if find_cohort(db, slug.as_str()).await.is_ok() {
        return Err(Error::Conflict {
            field: "slug".into(),
            reason: "a cohort already has this id".into(),
        });
    }
    let at = now();
    let row = cohort::ActiveModel {
        id: Set(Uuid::new_v4()),
        course_id: Set(course.id),
        slug: Set(slug.as_str().to_owned()),
        titles: Set(serde_json::json!(checked.titles)),
        descriptions: Set(serde_json::json!(checked.descriptions)),
        starts_on: Set(input.starts_on),
        ends_on: Set(input.ends_on),
        capacity_organisations: Set(input.capacity_organisations),
        capacity_people: Set(input.capacity_people),
        admission: Set(checked.admission.as_str().into()),
        locales: Set(serde_json::json!(checked.locales)),
        status: Set(checked.status.as_str().into()),
        created_by: Set(Some(who.user_id)),
        created_at: Set(at),
        updated_at: Set(at),
        completion: Set(rule),
    }
    .insert(db)
    .await?;
    replace_people(db, row.id, &checked).await?;
    Ok(row)
}
