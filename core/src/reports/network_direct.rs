//! The network report computed straight from the enrolments and the
//! memberships, as it was before the roll-up (migration 000017): the
//! reference the roll-up is checked against (the e2e tests and the
//! benchmark compare the two). Slow for a network of thousands of
//! organisations: every statement joins every visible enrolment.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{
    NetworkReport, OrgReports, ReadableNetwork,
    network::{Activity, MonthActivity, OrgRow, ThemeWeight, assemble, month_series, sort_themes},
    org_sql::{VISIBLE, count, month, month_grouped, rows, text},
};
use crate::Result;

pub(super) async fn organisations(db: &impl ConnectionTrait, network: Uuid) -> Result<Vec<OrgRow>> {
    let joined = month(db.get_database_backend(), "o.first_enrolment_at");
    // Two passes, run together: members and learners per organisation (a
    // learner is a member with an enrolment: one probe of the enrolments'
    // (user_id, course_id) index per member, or a hashed semi-join for a
    // network of everyone), and enrolments and completions per
    // organisation (a plain join, no per-learner grouping). Counting
    // distinct learners in the second pass would sort every enrolment.
    let people = format!(
        "SELECT o.id AS id, o.slug AS slug, o.name AS name, o.country AS country,
                o.m49_region AS region, o.kind AS kind, o.population_band AS band,
                {joined} AS joined_month,
                COUNT(m.user_id) AS members,
                COUNT(m.user_id) FILTER (WHERE EXISTS
                    (SELECT 1 FROM enrolments e WHERE e.user_id = m.user_id)) AS learners
         FROM organisation_networks onw
         JOIN organisations o ON o.id = onw.organisation_id
         LEFT JOIN organisation_members m ON m.organisation_id = o.id AND {VISIBLE}
         WHERE onw.network_id = $1
         GROUP BY o.id, o.slug, o.name, o.country, o.m49_region, o.kind, o.population_band,
                  o.first_enrolment_at"
    );
    let learning = format!(
        "SELECT m.organisation_id AS id, COUNT(*) AS enrolments,
                COUNT(e.completed_at) AS completions
         FROM organisation_networks onw
         JOIN organisation_members m ON m.organisation_id = onw.organisation_id AND {VISIBLE}
         JOIN enrolments e ON e.user_id = m.user_id
         WHERE onw.network_id = $1
         GROUP BY m.organisation_id"
    );
    let (people, learning) = tokio::try_join!(
        rows(db, &people, vec![network.into()]),
        rows(db, &learning, vec![network.into()]),
    )?;
    let mut learning: HashMap<Uuid, (u64, u64)> = learning
        .iter()
        .map(|r| {
            Ok((
                r.try_get::<Uuid>("", "id")?,
                (count(r, "enrolments")?, count(r, "completions")?),
            ))
        })
        .collect::<Result<_>>()?;
    people
        .iter()
        .map(|r| {
            let (enrolments, completions) = learning
                .remove(&r.try_get::<Uuid>("", "id")?)
                .unwrap_or_default();
            Ok(OrgRow {
                slug: text(r, "slug")?,
                name: text(r, "name")?,
                country: text(r, "country")?,
                region: text(r, "region")?,
                kind: text(r, "kind")?,
                band: text(r, "band")?,
                joined_month: text(r, "joined_month")?,
                activity: Activity {
                    members: count(r, "members")?,
                    learners: count(r, "learners")?,
                    enrolments,
                    completions,
                },
            })
        })
        .collect()
}

pub(super) async fn by_month(
    db: &impl ConnectionTrait,
    network: Uuid,
) -> Result<Vec<MonthActivity>> {
    let backend = db.get_database_backend();
    let (enrolled_group, enrolled) = month_grouped(backend, "e.enrolled_at");
    let (completed_group, completed) = month_grouped(backend, "e.completed_at");
    // One pass over the enrolments for both series: grouped by the month
    // of enrolment and the month of completion (a few hundred groups).
    let sql = format!(
        "SELECT {enrolled} AS enrolled, {completed} AS completed, COUNT(*) AS n
         FROM organisation_networks onw
         JOIN organisation_members m ON m.organisation_id = onw.organisation_id AND {VISIBLE}
         JOIN enrolments e ON e.user_id = m.user_id
         WHERE onw.network_id = $1
         GROUP BY {enrolled_group}, {completed_group}"
    );
    let mut enrolments: HashMap<String, u64> = HashMap::new();
    let mut completions: HashMap<String, u64> = HashMap::new();
    for r in rows(db, &sql, vec![network.into()]).await? {
        let n = count(&r, "n")?;
        *enrolments.entry(text(&r, "enrolled")?).or_default() += n;
        let done = text(&r, "completed")?;
        if !done.is_empty() {
            *completions.entry(done).or_default() += n;
        }
    }
    Ok(month_series(enrolments, completions))
}

pub(super) async fn themes(db: &impl ConnectionTrait, network: Uuid) -> Result<Vec<ThemeWeight>> {
    // Completions per course first, then spread over each course's themes.
    let sql = format!(
        "SELECT t.theme AS theme, CAST(SUM(d.n) AS BIGINT) AS n
         FROM (SELECT e.course_id AS course_id, COUNT(*) AS n
               FROM organisation_networks onw
               JOIN organisation_members m ON m.organisation_id = onw.organisation_id AND {VISIBLE}
               JOIN enrolments e ON e.user_id = m.user_id
               WHERE onw.network_id = $1 AND e.completed_at IS NOT NULL
               GROUP BY e.course_id) d
         JOIN course_themes t ON t.course_id = d.course_id
         WHERE t.theme LIKE 'sdg:%' OR t.theme LIKE 'sendai:%'
         GROUP BY t.theme"
    );
    let mut out = Vec::new();
    for r in rows(db, &sql, vec![network.into()]).await? {
        out.push((text(&r, "theme")?, count(&r, "n")?));
    }
    Ok(sort_themes(out))
}

impl OrgReports {
    /// The same report computed straight from the enrolments, without the
    /// roll-up: the reference it is checked against (tests, benchmark).
    pub async fn network_report_recomputed(
        &self,
        network: &ReadableNetwork,
    ) -> Result<NetworkReport> {
        let db = &self.db;
        let id = network.network.id;
        let (orgs, months, themes) =
            tokio::try_join!(organisations(db, id), by_month(db, id), themes(db, id))?;
        Ok(assemble(network, orgs, months, themes))
    }
}
