//! "Popular with your colleagues" on "my learning": the courses most
//! enrolled in by the learner's colleagues, from colleagues of the same
//! organisation who are active members and share their progress only.
//!
//! A course shows only when at least [`MIN_COLLEAGUES`] such colleagues
//! enrolled in it, so the list never points at one person's learning.
//! Courses the learner is already enrolled in are left out.

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{
    org_sql::{VISIBLE, count, rows},
    organisation::course_titles,
};
use crate::{Result, domain::Locale};

/// The fewest colleagues behind a course shown as popular.
pub const MIN_COLLEAGUES: u64 = 3;
const SHOWN: u64 = 5;

#[derive(Clone, Debug)]
pub struct ColleagueCourse {
    pub slug: String,
    pub title: String,
    /// Colleagues enrolled (at least [`MIN_COLLEAGUES`]).
    pub colleagues: u64,
}

/// Up to five courses popular with `user_id`'s colleagues, most first;
/// nothing unless the learner is an active member of an organisation.
pub async fn popular_with_colleagues(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    preferred: &[Locale],
) -> Result<Vec<ColleagueCourse>> {
    let sql = format!(
        "SELECT e.course_id AS course_id, COUNT(*) AS n
         FROM organisation_members me
         JOIN organisation_members m ON m.organisation_id = me.organisation_id
              AND m.user_id <> me.user_id AND {VISIBLE}
         JOIN enrolments e ON e.user_id = m.user_id
         JOIN courses c ON c.id = e.course_id AND c.status = 'published'
         WHERE me.user_id = $1 AND me.status = 'active'
           AND NOT EXISTS (SELECT 1 FROM enrolments mine
                           WHERE mine.user_id = $2 AND mine.course_id = e.course_id)
         GROUP BY e.course_id
         HAVING COUNT(*) >= {MIN_COLLEAGUES}
         ORDER BY n DESC
         LIMIT {SHOWN}"
    );
    let found: Vec<(Uuid, u64)> = rows(db, &sql, vec![user_id.into(), user_id.into()])
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<Uuid>("", "course_id")?, count(r, "n")?)))
        .collect::<Result<_>>()?;
    let ids: Vec<Uuid> = found.iter().map(|(id, _)| *id).collect();
    let titles = course_titles(db, &ids, preferred).await?;
    let mut out: Vec<ColleagueCourse> = found
        .into_iter()
        .filter_map(|(id, n)| {
            titles.get(&id).map(|(slug, title)| ColleagueCourse {
                slug: slug.clone(),
                title: title.clone(),
                colleagues: n,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.colleagues
            .cmp(&a.colleagues)
            .then_with(|| a.title.cmp(&b.title))
    });
    Ok(out)
}
