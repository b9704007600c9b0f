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
    org_sql::{VISIBLE, count, month, rows, text},
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub key: String,
    /// Organisations are not people: always exact.
    pub organisations: u64,
    pub activity: FlooredActivity,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganisationActivity {
    pub slug: String,
    pub name: String,
    pub country: String,
    pub activity: FlooredActivity,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthActivity {
    /// `YYYY-MM`, UTC.
    pub month: String,
    pub enrolments: Floored,
    pub completions: Floored,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThemeWeight {
    /// `sdg:11`, `sendai:1`.
    pub theme: String,
    /// Completions of courses with this theme.
    pub completions: Floored,
}

#[derive(Clone, Debug, PartialEq, Eq)]
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
pub(super) struct OrgRow {
    pub(super) slug: String,
    pub(super) name: String,
    pub(super) country: String,
    pub(super) region: String,
    pub(super) kind: String,
    pub(super) band: String,
    pub(super) joined_month: String,
    pub(super) activity: Activity,
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

pub(super) fn assemble(
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
        key(b)
            .cmp(&key(a))
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.slug.cmp(&b.slug))
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

/// The organisations of the network with their figures, from the roll-up
/// (`org_activity`): one row per organisation. Members are counted here,
/// from the members' index (cheap); learners, enrolments and completions
/// are the roll-up's.
async fn organisations(db: &impl ConnectionTrait, network: Uuid) -> Result<Vec<OrgRow>> {
    let joined = month(db.get_database_backend(), "o.first_enrolment_at");
    let sql = format!(
        "SELECT o.slug AS slug, o.name AS name, o.country AS country,
                o.m49_region AS region, o.kind AS kind, o.population_band AS band,
                {joined} AS joined_month,
                (SELECT COUNT(*) FROM organisation_members m
                 WHERE m.organisation_id = o.id AND {VISIBLE}) AS members,
                a.learners AS learners, a.enrolments AS enrolments,
                a.completions AS completions
         FROM organisation_networks onw
         JOIN organisations o ON o.id = onw.organisation_id
         LEFT JOIN organisation_activity a ON a.organisation_id = o.id
         WHERE onw.network_id = $1"
    );
    rows(db, &sql, vec![network.into()])
        .await?
        .iter()
        .map(|r| {
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
                    enrolments: count(r, "enrolments")?,
                    completions: count(r, "completions")?,
                },
            })
        })
        .collect()
}

/// Enrolments and completions per month, from the roll-up's months.
async fn by_month(db: &impl ConnectionTrait, network: Uuid) -> Result<Vec<MonthActivity>> {
    let sql = "SELECT am.month AS month,
                CAST(SUM(am.enrolments) AS BIGINT) AS enrolments,
                CAST(SUM(am.completions) AS BIGINT) AS completions
         FROM organisation_networks onw
         JOIN organisation_activity_months am ON am.organisation_id = onw.organisation_id
         WHERE onw.network_id = $1
         GROUP BY am.month";
    let mut enrolments: HashMap<String, u64> = HashMap::new();
    let mut completions: HashMap<String, u64> = HashMap::new();
    for r in rows(db, sql, vec![network.into()]).await? {
        let m = text(&r, "month")?;
        // A month whose figures all moved away (a learner left) keeps a
        // row of zeros: it is no month of enrolments.
        let (e, c) = (count(&r, "enrolments")?, count(&r, "completions")?);
        if c > 0 {
            completions.insert(m.clone(), c);
        }
        if e > 0 {
            enrolments.insert(m, e);
        }
    }
    Ok(month_series(enrolments, completions))
}

/// The months from the first enrolment to this month, gaps included.
/// Completions come after their enrolment: the enrolment months cover them.
pub(super) fn month_series(
    enrolments: HashMap<String, u64>,
    completions: HashMap<String, u64>,
) -> Vec<MonthActivity> {
    gap_free(enrolments)
        .into_iter()
        .map(|m| MonthActivity {
            enrolments: Floored::of(m.count),
            completions: Floored::of(completions.get(&m.month).copied().unwrap_or(0)),
            month: m.month,
        })
        .collect()
}

/// Completions per course from the roll-up, spread over each course's themes.
async fn themes(db: &impl ConnectionTrait, network: Uuid) -> Result<Vec<ThemeWeight>> {
    let sql = "SELECT t.theme AS theme, CAST(SUM(d.n) AS BIGINT) AS n
         FROM (SELECT ac.course_id AS course_id, SUM(ac.completions) AS n
               FROM organisation_networks onw
               JOIN organisation_activity_courses ac ON ac.organisation_id = onw.organisation_id
               WHERE onw.network_id = $1
               GROUP BY ac.course_id
               HAVING SUM(ac.completions) > 0) d
         JOIN course_themes t ON t.course_id = d.course_id
         WHERE t.theme LIKE 'sdg:%' OR t.theme LIKE 'sendai:%'
         GROUP BY t.theme";
    let mut out = Vec::new();
    for r in rows(db, sql, vec![network.into()]).await? {
        out.push((text(&r, "theme")?, count(&r, "n")?));
    }
    Ok(sort_themes(out))
}

/// SDGs by number, then Sendai priorities; themes that do not parse left out.
pub(super) fn sort_themes(found: Vec<(String, u64)>) -> Vec<ThemeWeight> {
    let mut out: Vec<(crate::domain::Theme, String, u64)> = found
        .into_iter()
        .filter_map(|(theme, n)| Some((theme.parse().ok()?, theme, n)))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.into_iter()
        .map(|(_, theme, completions)| ThemeWeight {
            theme,
            completions: Floored::of(completions),
        })
        .collect()
}
