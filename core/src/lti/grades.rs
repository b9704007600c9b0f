//! Assignment and Grade Services: a quiz result or a course completion of
//! a learner who came from an LMS becomes a score job, in the transaction
//! that records it; the job gets an access token with a signed client
//! assertion and posts the score to the line item the launch named. The
//! job's key makes it one per attempt (or completion) and line item, and a
//! retry posts the same score with the same timestamp, which the platform
//! keeps once.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::{OffsetDateTime, format_description::well_known::Rfc3339};
use uuid::Uuid;

use super::{Lti, claims::SCORE_SCOPE};
use crate::{
    Error, Result,
    entities::{enrolment, lti_link, lti_platform},
    jobs::{self, Job},
};

/// A score to post to one line item.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LtiScore {
    pub link_id: Uuid,
    pub score_given: f64,
    pub score_maximum: f64,
    pub activity_progress: String,
    pub grading_progress: String,
    /// When the result was recorded (RFC 3339): the same on every retry.
    pub timestamp: String,
    /// What the score is of: an attempt or a completion, and the link.
    pub key: String,
}

impl Job for LtiScore {
    const KIND: &'static str = "lti_score";
    fn dedup_key(&self) -> Option<String> {
        Some(format!("lti-score:{}", self.key))
    }
}

fn now_text() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}

async fn enqueue_for(
    txn: &impl ConnectionTrait,
    links: Vec<lti_link::Model>,
    of: &str,
    score_given: f64,
) -> Result<()> {
    let timestamp = now_text();
    for link in links {
        jobs::enqueue(
            txn,
            &LtiScore {
                link_id: link.id,
                score_given,
                score_maximum: 1.0,
                activity_progress: "Completed".into(),
                grading_progress: "FullyGraded".into(),
                timestamp: timestamp.clone(),
                key: format!("{of}:{}", link.id),
            },
        )
        .await?;
    }
    Ok(())
}

/// A quiz attempt was recorded (`score` in percent): its result goes to
/// the line items of the links that launched this quiz lesson.
pub async fn quiz_scored(
    txn: &impl ConnectionTrait,
    user_id: Uuid,
    course_id: Uuid,
    lesson_key: &str,
    attempt_id: Uuid,
    score: u32,
) -> Result<()> {
    let links = lti_link::Entity::find()
        .filter(lti_link::Column::UserId.eq(user_id))
        .filter(lti_link::Column::CourseId.eq(course_id))
        .filter(lti_link::Column::LessonKey.eq(lesson_key))
        .filter(lti_link::Column::LineitemUrl.is_not_null())
        .all(txn)
        .await?;
    enqueue_for(
        txn,
        links,
        &format!("attempt:{attempt_id}"),
        f64::from(score.min(100)) / 100.0,
    )
    .await
}

/// A course was completed: full marks go to the line items of the links
/// that launched the course itself.
pub async fn course_completed(txn: &impl ConnectionTrait, enrolment_id: Uuid) -> Result<()> {
    let Some(e) = enrolment::Entity::find_by_id(enrolment_id).one(txn).await? else {
        return Ok(());
    };
    let links = lti_link::Entity::find()
        .filter(lti_link::Column::UserId.eq(e.user_id))
        .filter(lti_link::Column::CourseId.eq(e.course_id))
        .filter(lti_link::Column::LessonKey.is_null())
        .filter(lti_link::Column::LineitemUrl.is_not_null())
        .all(txn)
        .await?;
    enqueue_for(txn, links, &format!("completion:{enrolment_id}"), 1.0).await
}

/// Whether the user was launched into the course as its instructor: they
/// then see its report, as a facilitator does.
pub async fn is_instructor(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    course_id: Uuid,
) -> Result<bool> {
    Ok(lti_link::Entity::find()
        .filter(lti_link::Column::UserId.eq(user_id))
        .filter(lti_link::Column::CourseId.eq(course_id))
        .filter(lti_link::Column::Instructor.eq(true))
        .one(db)
        .await?
        .is_some())
}

/// The scores address of a line item: `/scores` after its path.
fn scores_url(lineitem: &str) -> Result<url::Url> {
    let mut u = url::Url::parse(lineitem)
        .map_err(|_| Error::Internal("a stored line item is not a URL".into()))?;
    let path = format!("{}/scores", u.path().trim_end_matches('/'));
    u.set_path(&path);
    Ok(u)
}

impl Lti {
    /// Posts one score (the job's work). A link or platform removed since
    /// leaves nothing to do.
    pub async fn send_score(&self, job: &LtiScore) -> Result<()> {
        let Some(link) = lti_link::Entity::find_by_id(job.link_id)
            .one(&self.db)
            .await?
        else {
            return Ok(());
        };
        let (Some(lineitem), Some(platform)) = (
            link.lineitem_url.as_deref(),
            lti_platform::Entity::find_by_id(link.platform_id)
                .one(&self.db)
                .await?,
        ) else {
            return Ok(());
        };
        let token = self.access_token(&platform, SCORE_SCOPE).await?;
        let resp = self
            .http
            .post(scores_url(lineitem)?)
            .bearer_auth(&*token)
            .header("content-type", "application/vnd.ims.lis.v1.score+json")
            .body(
                json!({
                    "userId": link.subject,
                    "scoreGiven": job.score_given,
                    "scoreMaximum": job.score_maximum,
                    "activityProgress": job.activity_progress,
                    "gradingProgress": job.grading_progress,
                    "timestamp": job.timestamp,
                })
                .to_string(),
            )
            .send()
            .await
            .map_err(|e| Error::backend("LTI line item", e))?;
        let status = resp.status();
        if status.as_u16() == 401 || status.as_u16() == 403 {
            self.tokens.invalidate(&(platform.id, SCORE_SCOPE)).await;
        }
        if !status.is_success() {
            return Err(Error::backend(
                "LTI line item",
                format!("answered {status}"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_go_after_the_line_item_path() {
        assert_eq!(
            scores_url("https://lms.example/li/7?type=x")
                .unwrap()
                .as_str(),
            "https://lms.example/li/7/scores?type=x"
        );
    }
}
