//! Facilitator feedback on a submission (a level and a comment per rubric
//! criterion, and a status), and how a submission is shown: to its owners
//! with the peer reviews unnamed, to those who run the cohort with names.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    Cohorts, Criterion, PersonView, assignments::rubric_of, now, work::SubmissionStatus,
    work::files_of,
};
use crate::{
    Error, Result,
    accounts::Principal,
    entities::{
        cohort, cohort_assignment, cohort_member, cohort_peer_review, cohort_submission, course,
        user,
    },
    markdown,
    media::CourseLinks,
};

const MAX_COMMENT: usize = 10_000;

/// A level given on one criterion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// The criterion's key.
    pub criterion: String,
    /// The points of the level chosen.
    pub points: i32,
    #[serde(default)]
    pub comment: String,
}

/// A filled-in rubric: facilitator feedback or a peer review.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    #[serde(default)]
    pub comment: String,
    pub criteria: Vec<Score>,
}

#[derive(Clone, Debug)]
pub struct FeedbackView {
    pub assessment: Assessment,
    pub by: Option<PersonView>,
    pub given_at: OffsetDateTime,
}

#[derive(Clone, Debug)]
pub struct PeerReviewView {
    pub id: Uuid,
    /// Named to those who run the cohort only.
    pub reviewer: Option<PersonView>,
    /// `None` until given.
    pub review: Option<Assessment>,
    pub submitted_at: Option<OffsetDateTime>,
}

#[derive(Clone, Debug)]
pub struct SubmissionFileView {
    pub id: Uuid,
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

#[derive(Clone, Debug)]
pub struct SubmissionView {
    pub id: Uuid,
    pub assignment_id: Uuid,
    /// Who handed it in last.
    pub author: PersonView,
    pub text: String,
    pub text_html: String,
    pub status: String,
    pub revision: i32,
    pub submitted_at: OffsetDateTime,
    pub late: bool,
    pub files: Vec<SubmissionFileView>,
    pub feedback: Option<FeedbackView>,
    pub peer_reviews: Vec<PeerReviewView>,
}

/// Checks a filled-in rubric: one level per criterion, every criterion,
/// each level one the criterion has.
pub(super) fn check_assessment(rubric: &[Criterion], a: Assessment) -> Result<Assessment> {
    if a.comment.chars().count() > MAX_COMMENT {
        return Err(Error::invalid(
            "comment",
            format!("at most {MAX_COMMENT} characters"),
        ));
    }
    let mut out = Vec::new();
    for c in rubric {
        let mut given = a.criteria.iter().filter(|s| s.criterion == c.key);
        let Some(s) = given.next() else {
            return Err(Error::invalid(
                "criteria",
                format!("give a level for `{}`", c.key),
            ));
        };
        if given.next().is_some() {
            return Err(Error::invalid(
                "criteria",
                format!("`{}` is scored twice", c.key),
            ));
        }
        if !c.levels.iter().any(|l| l.points == s.points) {
            return Err(Error::invalid(
                "criteria",
                format!("`{}` has no level of {} points", c.key, s.points),
            ));
        }
        if s.comment.chars().count() > MAX_COMMENT {
            return Err(Error::invalid(
                "criteria",
                format!("`{}`: comment too long", c.key),
            ));
        }
        out.push(Score {
            criterion: c.key.clone(),
            points: s.points,
            comment: s.comment.trim().to_owned(),
        });
    }
    if let Some(s) = a
        .criteria
        .iter()
        .find(|s| !rubric.iter().any(|c| c.key == s.criterion))
    {
        return Err(Error::invalid(
            "criteria",
            format!("the rubric has no criterion `{}`", s.criterion),
        ));
    }
    Ok(Assessment {
        comment: a.comment.trim().to_owned(),
        criteria: out,
    })
}

fn assessment_of(v: &Option<serde_json::Value>) -> Option<Assessment> {
    v.as_ref()
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

impl Cohorts {
    async fn person(&self, id: Uuid) -> Result<PersonView> {
        let name = user::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default();
        Ok(PersonView { user_id: id, name })
    }

    /// Whether a member may read a submission: it is theirs (or their
    /// organisation's), or they were allocated to review it.
    pub(super) async fn may_read(
        &self,
        c: &cohort::Model,
        a: &cohort_assignment::Model,
        s: &cohort_submission::Model,
        who: &Principal,
    ) -> Result<bool> {
        if let Some(m) = cohort_member::Entity::find_by_id((c.id, who.user_id))
            .one(&self.db)
            .await?
            && super::work::owner_of(a, &m) == s.owner
        {
            return Ok(true);
        }
        Ok(cohort_peer_review::Entity::find()
            .filter(cohort_peer_review::Column::SubmissionId.eq(s.id))
            .filter(cohort_peer_review::Column::ReviewerId.eq(who.user_id))
            .one(&self.db)
            .await?
            .is_some())
    }

    /// A submission as shown; `names` tells who gave each peer review
    /// (for those who run the cohort, never for the reviewed).
    pub(super) async fn submission_view(
        &self,
        c: &cohort::Model,
        _a: &cohort_assignment::Model,
        s: cohort_submission::Model,
        names: bool,
    ) -> Result<SubmissionView> {
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
        let feedback = match (assessment_of(&s.feedback), s.feedback_at) {
            (Some(assessment), Some(given_at)) => Some(FeedbackView {
                assessment,
                by: match s.feedback_by {
                    Some(id) => Some(self.person(id).await?),
                    None => None,
                },
                given_at,
            }),
            _ => None,
        };
        let mut peer_reviews = Vec::new();
        for r in cohort_peer_review::Entity::find()
            .filter(cohort_peer_review::Column::SubmissionId.eq(s.id))
            .order_by_asc(cohort_peer_review::Column::AssignedAt)
            .order_by_asc(cohort_peer_review::Column::Id)
            .all(&self.db)
            .await?
        {
            // The reviewed see given reviews only, and never who gave them.
            if !names && r.submitted_at.is_none() {
                continue;
            }
            peer_reviews.push(PeerReviewView {
                id: r.id,
                reviewer: if names {
                    Some(self.person(r.reviewer_id).await?)
                } else {
                    None
                },
                review: assessment_of(&r.review),
                submitted_at: r.submitted_at,
            });
        }
        Ok(SubmissionView {
            id: s.id,
            assignment_id: s.assignment_id,
            author: self.person(s.author_id).await?,
            text_html: markdown::render(&s.body, &CourseLinks { slug: &slug }),
            text: s.body,
            status: s.status,
            revision: s.revision,
            submitted_at: s.submitted_at,
            late: s.late,
            files,
            feedback,
            peer_reviews,
        })
    }

    /// Gives (or replaces) a facilitator's feedback: a level and comment
    /// per criterion, and a status. `needs_revision` reopens the work for
    /// its owners; any other status closes it.
    pub async fn give_feedback(
        &self,
        who: Option<&Principal>,
        slug: &str,
        submission: Uuid,
        status: &str,
        assessment: Assessment,
    ) -> Result<SubmissionView> {
        let (c, _) = self.run_by(who, slug).await?;
        let who = super::require_signed_in(who)?;
        let s = cohort_submission::Entity::find_by_id(submission)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "submission" })?;
        let a = self
            .find_assignment(&c, s.assignment_id)
            .await
            .map_err(|_| Error::NotFound { what: "submission" })?;
        let status = SubmissionStatus::parse(status).ok_or_else(|| {
            Error::invalid("status", "`submitted`, `needs_revision` or `accepted`")
        })?;
        let assessment = check_assessment(&rubric_of(&a), assessment)?;
        let mut am: cohort_submission::ActiveModel = s.into();
        am.status = Set(status.as_str().into());
        am.feedback = Set(Some(serde_json::json!(assessment)));
        am.feedback_by = Set(Some(who.user_id));
        am.feedback_at = Set(Some(now()));
        let txn = crate::db::begin_write(&self.db).await?;
        let row = am.update(&txn).await?;
        if status == SubmissionStatus::Accepted {
            // Accepted work may complete its owners' cohort.
            super::completion::queue_completions(&txn, &c, None).await?;
        }
        txn.commit().await?;
        self.submission_view(&c, &a, row, true).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohorts::Level;

    fn rubric() -> Vec<Criterion> {
        let levels = (1..=3)
            .map(|points| Level {
                points,
                title: format!("L{points}"),
                description: "d".into(),
            })
            .collect::<Vec<_>>();
        ["scope", "team"]
            .into_iter()
            .map(|key| Criterion {
                key: key.into(),
                criterion: key.into(),
                levels: levels.clone(),
            })
            .collect()
    }

    fn score(criterion: &str, points: i32) -> Score {
        Score {
            criterion: criterion.into(),
            points,
            comment: " ok ".into(),
        }
    }

    #[test]
    fn an_assessment_gives_one_existing_level_per_criterion() {
        let a = |criteria| Assessment {
            comment: String::new(),
            criteria,
        };
        let good =
            check_assessment(&rubric(), a(vec![score("team", 1), score("scope", 3)])).unwrap();
        assert_eq!(good.criteria[0].criterion, "scope");
        assert_eq!(good.criteria[1].comment, "ok");
        for bad in [
            vec![score("scope", 3)],
            vec![score("scope", 3), score("team", 4)],
            vec![score("scope", 3), score("team", 1), score("team", 2)],
            vec![score("scope", 3), score("team", 1), score("style", 2)],
        ] {
            let e = check_assessment(&rubric(), a(bad)).unwrap_err();
            assert!(
                matches!(e, Error::Invalid { ref field, .. } if field == "criteria"),
                "{e}"
            );
        }
    }
}
