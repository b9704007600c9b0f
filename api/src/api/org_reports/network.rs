//! The network report's JSON body.

use agora_core::reports::{Floored, FlooredActivity, NetworkReport, NetworkTable};
use poem_openapi::Object;
use time::OffsetDateTime;

use super::{OrgMonthlyCount, OrgReportExport};

/// A count of people in a network-wide report. From 1 to 4 it is hidden
/// (k-anonymity): `value` is null and `suppressed` is true, read "fewer
/// than 5". Zero and 5 or more are exact.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct PeopleCount {
    value: Option<u64>,
    suppressed: bool,
}

impl From<Floored> for PeopleCount {
    fn from(f: Floored) -> Self {
        Self {
            value: f.value(),
            suppressed: f.suppressed(),
        }
    }
}

#[derive(Object)]
struct NetworkActivity {
    /// Active members who did not hide their progress.
    members: PeopleCount,
    /// Members with at least one enrolment.
    learners: PeopleCount,
    enrolments: PeopleCount,
    completions: PeopleCount,
}

impl From<FlooredActivity> for NetworkActivity {
    fn from(a: FlooredActivity) -> Self {
        Self {
            members: a.members.into(),
            learners: a.learners.into(),
            enrolments: a.enrolments.into(),
            completions: a.completions.into(),
        }
    }
}

#[derive(Object)]
struct NetworkGroup {
    /// Country (ISO 3166-1 alpha-2), UN M49 region code, kind or population band.
    key: String,
    /// Organisations are not people: always exact.
    organisations: u64,
    activity: NetworkActivity,
}

#[derive(Object)]
struct NetworkOrganisation {
    organisation_slug: String,
    organisation_name: String,
    country: String,
    activity: NetworkActivity,
}

#[derive(Object)]
struct NetworkMonth {
    /// YYYY-MM (UTC)
    month: String,
    enrolments: PeopleCount,
    completions: PeopleCount,
}

#[derive(Object)]
struct NetworkTheme {
    /// sdg:1 to sdg:17, sendai:1 to sendai:4
    theme: String,
    /// Completions of courses with this theme.
    completions: PeopleCount,
}

/// How a network's organisations learn; counts of people below 5 are hidden.
#[derive(Object)]
pub(super) struct NetworkReportBody {
    network_slug: String,
    network_name: String,
    generated_at: OffsetDateTime,
    organisations: u64,
    totals: NetworkActivity,
    countries: Vec<NetworkGroup>,
    /// By UN M49 region code (002 Africa, 019 Americas, 142 Asia, 150 Europe, 009 Oceania).
    regions: Vec<NetworkGroup>,
    kinds: Vec<NetworkGroup>,
    population_bands: Vec<NetworkGroup>,
    /// Enrolments and completions per month.
    months: Vec<NetworkMonth>,
    /// The ten most active organisations, most active first.
    most_active: Vec<NetworkOrganisation>,
    /// The ten least active organisations, least active first.
    least_active: Vec<NetworkOrganisation>,
    /// Organisations whose first member enrolled, by month.
    joined_through_learning: Vec<OrgMonthlyCount>,
    /// SDGs and Sendai priorities, weighted by completions.
    themes: Vec<NetworkTheme>,
    exports: Vec<OrgReportExport>,
}

fn group(g: &agora_core::reports::Group) -> NetworkGroup {
    NetworkGroup {
        key: g.key.clone(),
        organisations: g.organisations,
        activity: g.activity.into(),
    }
}

fn org_activity(o: &agora_core::reports::OrganisationActivity) -> NetworkOrganisation {
    NetworkOrganisation {
        organisation_slug: o.slug.clone(),
        organisation_name: o.name.clone(),
        country: o.country.clone(),
        activity: o.activity.into(),
    }
}

pub(super) fn network_body(r: &NetworkReport) -> NetworkReportBody {
    NetworkReportBody {
        network_slug: r.slug.clone(),
        network_name: r.name.clone(),
        generated_at: r.generated_at,
        organisations: r.organisations,
        totals: r.totals.into(),
        countries: r.countries.iter().map(group).collect(),
        regions: r.regions.iter().map(group).collect(),
        kinds: r.kinds.iter().map(group).collect(),
        population_bands: r.population_bands.iter().map(group).collect(),
        months: r
            .months
            .iter()
            .map(|m| NetworkMonth {
                month: m.month.clone(),
                enrolments: m.enrolments.into(),
                completions: m.completions.into(),
            })
            .collect(),
        most_active: r.most_active().iter().map(org_activity).collect(),
        least_active: r.least_active().into_iter().map(org_activity).collect(),
        joined_through_learning: r
            .joined
            .iter()
            .map(|m| OrgMonthlyCount {
                month: m.month.clone(),
                count: m.count,
            })
            .collect(),
        themes: r
            .themes
            .iter()
            .map(|t| NetworkTheme {
                theme: t.theme.clone(),
                completions: t.completions.into(),
            })
            .collect(),
        exports: NetworkTable::ALL
            .into_iter()
            .map(|t| OrgReportExport {
                table: t.as_str().into(),
                path: format!("/api/v1/networks/{}/report/{}.csv", r.slug, t.as_str()),
            })
            .collect(),
    }
}
