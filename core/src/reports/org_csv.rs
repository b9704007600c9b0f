//! The organisation and network reports' tables as CSV, one file per
//! table. Hidden counts read `fewer than 5`, as on the page.

use super::{
    NetworkReport, OrganisationReport, Progress,
    csv::{cells as header, write},
    network::{FlooredActivity, Group},
};

/// The tables of an organisation's report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrganisationTable {
    Courses,
    Departments,
    Completions,
    /// Only for the organisation's administrators.
    NotStarted,
}

impl OrganisationTable {
    pub const ALL: [OrganisationTable; 4] = [
        OrganisationTable::Courses,
        OrganisationTable::Departments,
        OrganisationTable::Completions,
        OrganisationTable::NotStarted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrganisationTable::Courses => "courses",
            OrganisationTable::Departments => "departments",
            OrganisationTable::Completions => "completions",
            OrganisationTable::NotStarted => "not-started",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// The tables of a network's report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetworkTable {
    Countries,
    Regions,
    Kinds,
    PopulationBands,
    Months,
    Organisations,
    Joined,
    Themes,
}

impl NetworkTable {
    pub const ALL: [NetworkTable; 8] = [
        NetworkTable::Countries,
        NetworkTable::Regions,
        NetworkTable::Kinds,
        NetworkTable::PopulationBands,
        NetworkTable::Months,
        NetworkTable::Organisations,
        NetworkTable::Joined,
        NetworkTable::Themes,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NetworkTable::Countries => "countries",
            NetworkTable::Regions => "regions",
            NetworkTable::Kinds => "kinds",
            NetworkTable::PopulationBands => "population-bands",
            NetworkTable::Months => "months",
            NetworkTable::Organisations => "organisations",
            NetworkTable::Joined => "joined",
            NetworkTable::Themes => "themes",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// The four progress cells of a course or department row.
fn progress(p: Progress) -> [String; 4] {
    [
        p.enrolled.to_string(),
        p.in_progress.to_string(),
        p.completed.to_string(),
        p.certificates.to_string(),
    ]
}

impl OrganisationReport {
    /// One table as CSV; `None` for the "not started" list when the reader
    /// may not see it.
    pub fn csv(&self, table: OrganisationTable) -> Option<String> {
        const PROGRESS: [&str; 4] = ["enrolled", "in_progress", "completed", "certificates"];
        let mut rows = Vec::new();
        match table {
            OrganisationTable::Courses => {
                rows.push(header(
                    &[&["course_slug", "course_title"][..], &PROGRESS].concat(),
                ));
                for c in &self.courses {
                    let mut row = vec![c.slug.clone(), c.title.clone()];
                    row.extend(progress(c.progress));
                    rows.push(row);
                }
            }
            OrganisationTable::Departments => {
                rows.push(header(&[&["department", "staff"][..], &PROGRESS].concat()));
                for d in &self.departments {
                    let mut row = vec![d.department.clone(), d.staff.to_string()];
                    row.extend(progress(d.progress));
                    rows.push(row);
                }
            }
            OrganisationTable::Completions => {
                rows.push(header(&["month", "completions"]));
                for m in &self.completions {
                    rows.push(vec![m.month.clone(), m.count.to_string()]);
                }
            }
            OrganisationTable::NotStarted => {
                rows.push(header(&[
                    "name",
                    "email",
                    "department",
                    "job_title",
                    "enrolled",
                ]));
                for p in self.not_started.as_ref()? {
                    rows.push(vec![
                        p.name.clone(),
                        p.email.clone(),
                        p.department.clone(),
                        p.job_title.clone(),
                        p.enrolled.to_string(),
                    ]);
                }
            }
        }
        Some(write(rows))
    }
}

const ACTIVITY: [&str; 4] = ["members", "learners", "enrolments", "completions"];

fn activity(a: &FlooredActivity) -> [String; 4] {
    [
        a.members.csv(),
        a.learners.csv(),
        a.enrolments.csv(),
        a.completions.csv(),
    ]
}

fn groups(key: &str, groups: &[Group]) -> Vec<Vec<String>> {
    let mut rows = vec![header(&[&[key, "organisations"][..], &ACTIVITY].concat())];
    for g in groups {
        let mut row = vec![g.key.clone(), g.organisations.to_string()];
        row.extend(activity(&g.activity));
        rows.push(row);
    }
    rows
}

impl NetworkReport {
    /// One table as CSV.
    pub fn csv(&self, table: NetworkTable) -> String {
        let rows = match table {
            NetworkTable::Countries => groups("country", &self.countries),
            NetworkTable::Regions => groups("m49_region", &self.regions),
            NetworkTable::Kinds => groups("kind", &self.kinds),
            NetworkTable::PopulationBands => groups("population_band", &self.population_bands),
            NetworkTable::Months => {
                let mut rows = vec![header(&["month", "enrolments", "completions"])];
                for m in &self.months {
                    rows.push(vec![
                        m.month.clone(),
                        m.enrolments.csv(),
                        m.completions.csv(),
                    ]);
                }
                rows
            }
            NetworkTable::Organisations => {
                let mut rows = vec![header(
                    &[
                        &["organisation_slug", "organisation_name", "country"][..],
                        &ACTIVITY,
                    ]
                    .concat(),
                )];
                for o in &self.activity {
                    let mut row = vec![o.slug.clone(), o.name.clone(), o.country.clone()];
                    row.extend(activity(&o.activity));
                    rows.push(row);
                }
                rows
            }
            NetworkTable::Joined => {
                let mut rows = vec![header(&["month", "organisations"])];
                for m in &self.joined {
                    rows.push(vec![m.month.clone(), m.count.to_string()]);
                }
                rows
            }
            NetworkTable::Themes => {
                let mut rows = vec![header(&["theme", "completions"])];
                for t in &self.themes {
                    rows.push(vec![t.theme.clone(), t.completions.csv()]);
                }
                rows
            }
        };
        write(rows)
    }
}
