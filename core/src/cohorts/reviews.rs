//! Peer reviews: allocated in the transaction that receives new work (see
//! `peer_allocation` for the rules), listed to their reviewers with the
//! work but not its author, and given with the assignment's rubric.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    Assessment, Cohorts, Criterion, SubmissionFileView,
    assignments::rubric_of,
    feedback::check_assessment,
    now,
    peer_allocation::{Candidate, Rules, Work, allocate},
    work::files_of,
};
use crate::{
    Error, Result,
    accounts::Principal,
    entities::{
        cohort, cohort_assignment, cohort_member, cohort_peer_review, cohort_submission, course,
    },
    markdown,
    media::CourseLinks,
};

/// A review to give: the work, without its author, and the rubric.
#[derive(Clone, Debug)]
pub struct ReviewTaskView {
    pub id: Uuid,
    pub assignment_id: Uuid,
    pub assignment_title: String,
    pub submission_id: Uuid,
    pub text: String,
    pub text_html: String,
    pub files: Vec<SubmissionFileView>,
    pub rubric: Vec<Criterion>,
    /// Your review once given.
    pub review: Option<Assessment>,
    pub submitted_at: Option<OffsetDateTime>,
}

/// Allocates the peer reviewers of a newly handed-in submission, inside
/// its transaction (which holds the assignment's lock).
pub(super) async fn allocate_reviewers(
    db: &impl ConnectionTrait,
    c: &cohort::Model,
    a: &cohort_assignment::Model,
    s: &cohort_submission::Model,
    author: &cohort_member::Model,
) -> Result<()> {
    if a.peer_reviews <= 0 {
        return Ok(());
    }
    let members = cohort_member::Entity::find()
        .filter(cohort_member::Column::CohortId.eq(c.id))
        .all(db)
        .await?;
    let mut load: BTreeMap<Uuid, usize> = BTreeMap::new();
    for r in cohort_peer_review::Entity::find()
        .filter(cohort_peer_review::Column::AssignmentId.eq(a.id))
        .all(db)
        .await?
    {
        *load.entry(r.reviewer_id).or_default() += 1;
    }
    let owners: BTreeSet<String> = cohort_submission::Entity::find()
        .filter(cohort_submission::Column::AssignmentId.eq(a.id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.owner)
        .collect();
    let pool: Vec<Candidate<Uuid, Uuid>> = members
        .iter()
        .map(|m| Candidate {
            id: m.user_id,
            organisation: m.organisation_id,
            load: load.get(&m.user_id).copied().unwrap_or(0),
            submitted: owners.contains(&super::work::owner_of(a, m)),
        })
        .collect();
    let rules = Rules {
        k: a.peer_reviews as usize,
        exclude_own_organisation: a.exclude_own_organisation,
    };
    let work = Work {
        author: author.user_id,
        organisation: author.organisation_id,
    };
    let at = now();
    for reviewer in allocate(rules, &work, &pool) {
        cohort_peer_review::ActiveModel {
            id: Set(Uuid::new_v4()),
            submission_id: Set(s.id),
            assignment_id: Set(a.id),
            reviewer_id: Set(reviewer),
            review: Set(None),
            assigned_at: Set(at),
            submitted_at: Set(None),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

impl Cohorts {
    async fn task_view(
        &self,
        c: &cohort::Model,
        r: cohort_peer_review::Model,
    ) -> Result<ReviewTaskView> {
        let s = cohort_submission::Entity::find_by_id(r.submission_id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "review" })?;
        let a = self.find_assignment(c, s.assignment_id).await?;
        let slug = course::Entity::find_by_id(c.course_id)
            .one(&self.db)
            .await?
            .map(|c| c.slug)
            .unwrap_or_default();
        let files = files_of(&self.db, s.id)
            .await?
            .into_iter()
            .map(|f| SubmissionFileView {
                id: f.id,
                name: f.name,
                content_type: f.content_type,
                size: f.size,
            })
            .collect();
        Ok(ReviewTaskView {
            id: r.id,
            assignment_id: a.id,
            rubric: rubric_of(&a),
            assignment_title: a.title,
            submission_id: s.id,
            text_html: markdown::render(&s.body, &CourseLinks { slug: &slug }),
            text: s.body,
            files,
            review: r
                .review
                .as_ref()
                .and_then(|v| serde_json::from_value(v.clone()).ok()),
            submitted_at: r.submitted_at,
        })
    }

    /// The peer reviews allocated to the caller in a cohort.
    pub async fn my_reviews(
        &self,
        who: Option<&Principal>,
        slug: &str,
    ) -> Result<Vec<ReviewTaskView>> {
        let (c, _) = self.inside(who, slug).await?;
        let who = super::require_signed_in(who)?;
        let assignments: Vec<Uuid> = cohort_assignment::Entity::find()
            .filter(cohort_assignment::Column::CohortId.eq(c.id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect();
        let rows = cohort_peer_review::Entity::find()
            .filter(cohort_peer_review::Column::ReviewerId.eq(who.user_id))
            .filter(cohort_peer_review::Column::AssignmentId.is_in(assignments))
            .order_by_asc(cohort_peer_review::Column::AssignedAt)
            .all(&self.db)
            .await?;
        let mut out = Vec::new();
        for r in rows {
            out.push(self.task_view(&c, r).await?);
        }
        Ok(out)
    }

    /// Gives (or changes) a peer review allocated to the caller.
    pub async fn give_review(
        &self,
        who: Option<&Principal>,
        slug: &str,
        review: Uuid,
        assessment: Assessment,
    ) -> Result<ReviewTaskView> {
        let (c, _) = self.inside(who, slug).await?;
        let who = super::require_signed_in(who)?;
        let r = cohort_peer_review::Entity::find_by_id(review)
            .one(&self.db)
            .await?
            .filter(|r| r.reviewer_id == who.user_id)
            .ok_or(Error::NotFound { what: "review" })?;
        let a = self
            .find_assignment(&c, r.assignment_id)
            .await
            .map_err(|_| Error::NotFound { what: "review" })?;
        let assessment = check_assessment(&rubric_of(&a), assessment)?;
        let mut am: cohort_peer_review::ActiveModel = r.into();
        am.review = Set(Some(serde_json::json!(assessment)));
        am.submitted_at = Set(Some(now()));
        let row = am.update(&self.db).await?;
        self.task_view(&c, row).await
    }
}
