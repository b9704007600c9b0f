//! A network's report: its member organisations' learners, enrolments and
//! completions by country, UN M49 region, kind and population band; by
//! month; the most and least active organisations; organisations that
//! joined through learning; and the SDGs and Sendai priorities covered.
//!
//! Three aggregates, run together: one row per organisation (everything
//! by place and kind is summed from those rows here, at most a few
//! thousand), one per month, one per theme. Counts of people pass through
//! the floor ([`Floored`]) when the report is assembled, so every reader
//! (page, API, CSV) gets the same hidden cells.

use std::collections::{BTreeMap, HashMap};

use sea_orm::ConnectionTrait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    OrgReports, ReadableNetwork,
    floor::Floored,
    org_sql::{VISIBLE, count, month, month_grouped, rows, text},
    organisation::{MonthCount, gap_free},
};
use crate::Result;

/// How many organisations the most and least active lists hold.
pub const ACTIVITY_LIST: usize = 10;

/// Learners, enrolments and completions of a group of organisations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Activity {
    /// Active members who did not hide their progress.
    pub members: u64,
    /// Of those, the ones with at least one enrolment.
    pub learners: u64,
    pub enrolments: u64,
    pub completions: u64,
}

impl Activity {
    fn add(&mut self, o: &Activity) {
        self.members += o.members;
        self.learners += o.learners;
        self.enrolments += o.enrolments;
        self.completions += o.completions;
    }

    pub fn floored(&self) -> FlooredActivity {
        FlooredActivity {
            members: Floored::of(self.members),
            learners: Floored::of(self.learners),
            enrolments: Floored::of(self.enrolments),
            completions: Floored::of(self.completions),
        }
    }
}

/// [`Activity`] as a network-wide report shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlooredActivity {
    pub members: Floored,
    pub learners: Floored,
    pub enrolments: Floored,
    pub completions: Floored,
}

/// One row of a breakdown: a country (ISO code), an M49 region code, a
/// kind or a population band.
#[derive(Clone, Debug)]
pub struct Group {
    pub key: String,
    /// Organisations are not people: always exact.
    pub organisations: u64,
    pub activity: FlooredActivity,
}

#[derive(Clone, Debug)]
pub struct OrganisationActivity {
    pub slug: String,
    pub name: String,
    pub country: String,
    pub activity: FlooredActivity,
}

#[derive(Clone, Debug)]
pub struct MonthActivity {
    /// `YYYY-MM`, UTC.
    pub month: String,
    pub enrolments: Floored,
    pub completions: Floored,
}

#[derive(Clone, Debug)]
pub struct ThemeWeight {
    /// `sdg:11`, `sendai:1`.
    pub theme: String,
    /// Completions of courses with this theme.
    pub completions: Floored,
}

#[derive(Clone, Debug)]
pub struct NetworkReport {
    pub slug: String,
    pub name: String,
    pub generated_at: OffsetDateTime,
    pub organisations: u64,
    pub totals: FlooredActivity,
    /// Most completions first, then most enrolments, then by key.
    pub countries: Vec<Group>,
    pub regions: Vec<Group>,
    pub kinds: Vec<Group>,
    pub population_bands: Vec<Group>,
    /// From the first enrolment to this month, gaps included.
    pub months: Vec<MonthActivity>,
    /// Every organisation, most active first (completions, then enrolments,
    /// then learners); the page shows the first and last [`ACTIVITY_LIST`].
    pub activity: Vec<OrganisationActivity>,
    /// Organisations whose first member enrolled, by that month.
    pub joined: Vec<MonthCount>,
    /// SDGs by number, then Sendai priorities.
    pub themes: Vec<ThemeWeight>,
}

impl NetworkReport {
    pub fn most_active(&self) -> &[OrganisationActivity] {
        &self.activity[..self.activity.len().min(ACTIVITY_LIST)]
    }

    /// Least active first.
    pub fn least_active(&self) -> Vec<&OrganisationActivity> {
        self.activity.iter().rev().take(ACTIVITY_LIST).collect()
    }
}

/// One organisation's row of the first aggregate.
struct OrgRow {
    slug: String,
    name: String,
    country: String,
    region: String,
    kind: String,
    band: String,
    joined_month: String,
    activity: Activity,
}

impl OrgReports {
    pub async fn network_report(&self, network: &ReadableNetwork) -> Result<NetworkReport> {
        let db = &self.db;
        let id = network.network.id;
        let (orgs, months, themes) =
            tokio::try_join!(organisations(db, id), by_month(db, id), themes(db, id))?;
        Ok(assemble(network, orgs, months, themes))
    }
}

fn assemble(
    network: &ReadableNetwork,
    orgs: Vec<OrgRow>,
    months: Vec<MonthActivity>,
    themes: Vec<ThemeWeight>,
) -> NetworkReport {
    let mut totals = Activity::default();
    let mut joined: HashMap<String, u64> = HashMap::new();
    for o in &orgs {
        totals.add(&o.activity);
        if !o.joined_month.is_empty() {
            *joined.entry(o.joined_month.clone()).or_default() += 1;
        }
    }
    let mut activity: Vec<&OrgRow> = orgs.iter().collect();
    activity.sort_by(|a, b| {
        let key = |o: &OrgRow| {
            (
                o.activity.completions,
                o.activity.enrolments,
                o.activity.learners,
            )
        };
        key(b).cmp(&key(a)).then_with(|| a.name.cmp(&b.name))
    });
    NetworkReport {
        slug: network.network.slug.clone(),
        name: network.network.name.clone(),
        generated_at: OffsetDateTime::now_utc(),
        organisations: orgs.len() as u64,
        totals: totals.floored(),
        countries: group(&orgs, |o| &o.country),
        regions: group(&orgs, |o| &o.region),
        kinds: group(&orgs, |o| &o.kind),
        population_bands: group(&orgs, |o| &o.band),
        months,
        activity: activity
            .into_iter()
            .map(|o| OrganisationActivity {
                slug: o.slug.clone(),
                name: o.name.clone(),
                country: o.country.clone(),
                activity: o.activity.floored(),
            })
            .collect(),
        joined: gap_free(joined),
        themes,
    }
}

/// Sums organisations by `key`, then floors the sums (never the parts:
/// four groups of 1 to 4 may add up to a figure that may be shown).
fn group(orgs: &[OrgRow], key: impl Fn(&OrgRow) -> &String) -> Vec<Group> {
    let mut sums: BTreeMap<&str, (u64, Activity)> = BTreeMap::new();
    for o in orgs {
        let s = sums.entry(key(o).as_str()).or_default();
        s.0 += 1;
        s.1.add(&o.activity);
    }
    let mut out: Vec<(&str, u64, Activity)> =
        sums.into_iter().map(|(k, (n, a))| (k, n, a)).collect();
    out.sort_by(|a, b| {
        (b.2.completions, b.2.enrolments)
            .cmp(&(a.2.completions, a.2.enrolments))
            .then_with(|| a.0.cmp(b.0))
    });
    out.into_iter()
        .map(|(k, n, a)| Group {
            key: k.to_owned(),
            organisations: n,
            activity: a.floored(),
        })
        .collect()
}

async fn organisations(db: &impl ConnectionTrait, network: Uuid) -> Result<Vec<OrgRow>> {
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
    let mut learning: std::collections::HashMap<Uuid, (u64, u64)> = learning
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

async fn by_month(db: &impl ConnectionTrait, network: Uuid) -> Result<Vec<MonthActivity>> {
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
    // Completions come after their enrolment: the enrolment months cover them.
    Ok(gap_free(enrolments)
        .into_iter()
        .map(|m| MonthActivity {
            enrolments: Floored::of(m.count),
            completions: Floored::of(completions.get(&m.month).copied().unwrap_or(0)),
            month: m.month,
        })
        .collect())
}

async fn themes(db: &impl ConnectionTrait, network: Uuid) -> Result<Vec<ThemeWeight>> {
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
    let mut out: Vec<(crate::domain::Theme, String, u64)> = Vec::new();
    for r in rows(db, &sql, vec![network.into()]).await? {
        let theme = text(&r, "theme")?;
        if let Ok(parsed) = theme.parse::<crate::domain::Theme>() {
            out.push((parsed, theme, count(&r, "n")?));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out
        .into_iter()
        .map(|(_, theme, n)| ThemeWeight {
            theme,
            completions: Floored::of(n),
        })
        .collect())
}
