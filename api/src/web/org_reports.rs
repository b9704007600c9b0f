//! The organisation and network report pages: charts drawn on the server,
//! every figure also in a table, and a CSV link per table. Both pages use
//! one template of titled tables (`org_report`).

use agora_core::{
    certificates::pdf::format_date,
    domain::{Locale, Slug},
    reports::{
        FLOOR, Floored, FlooredActivity, Group, NetworkReport, NetworkTable, OrgReports,
        OrganisationActivity, OrganisationReport, OrganisationTable,
    },
};
use poem::{Response, handler, http::StatusCode, web::Path};
use serde::Serialize;

use super::{
    Ctx,
    charts::{self, Bar, Column},
};
use crate::http::i18n::{format_count, t_args};

#[derive(Serialize)]
struct Stat {
    label: String,
    value: String,
}

#[derive(Serialize)]
struct Row {
    head: String,
    cells: Vec<String>,
}

#[derive(Serialize)]
struct Table {
    id: String,
    title: String,
    hint: Option<String>,
    chart: String,
    headers: Vec<String>,
    rows: Vec<Row>,
    empty: String,
    csv: Option<String>,
}

#[derive(Serialize)]
struct ReportPage {
    eyebrow: String,
    heading: String,
    generated: String,
    privacy: String,
    stats: Vec<Stat>,
    tables: Vec<Table>,
}

/// GET `/organisations/{slug}/report`.
#[handler]
pub async fn organisation(ctx: Ctx, Path(slug): Path<String>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    if Slug::parse(&slug).is_err() {
        return ctx.error(StatusCode::NOT_FOUND);
    }
    let reports = OrgReports::new(ctx.state.db.clone());
    let org = match reports
        .readable_organisation(ctx.user.as_ref(), &slug)
        .await
    {
        Ok(o) => o,
        Err(e) => return ctx.fail(e),
    };
    match reports.organisation_report(&org, &ctx.preferred()).await {
        Ok(r) => {
            let title = t_args(
                ctx.locale,
                "report-title",
                &[("name", r.name.clone().into())],
            );
            ctx.page(
                StatusCode::OK,
                "org_report",
                &title,
                &organisation_page(&ctx, r),
            )
        }
        Err(e) => ctx.fail(e),
    }
}

/// GET `/networks/{slug}/report`.
#[handler]
pub async fn network(ctx: Ctx, Path(slug): Path<String>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    if Slug::parse(&slug).is_err() {
        return ctx.error(StatusCode::NOT_FOUND);
    }
    let reports = OrgReports::new(ctx.state.db.clone());
    let network = match reports.readable_network(ctx.user.as_ref(), &slug).await {
        Ok(n) => n,
        Err(e) => return ctx.fail(e),
    };
    match reports.network_report(&network).await {
        Ok(r) => {
            let title = t_args(
                ctx.locale,
                "report-title",
                &[("name", r.name.clone().into())],
            );
            ctx.page(
                StatusCode::OK,
                "org_report",
                &title,
                &network_page(&ctx, &r),
            )
        }
        Err(e) => ctx.fail(e),
    }
}

fn generated(l: Locale, at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    t_args(
        l,
        "report-generated",
        &[
            ("date", format_date(l, at.date()).into()),
            (
                "time",
                format!("{:02}:{:02}", at.hour(), at.minute()).into(),
            ),
        ],
    )
}

fn months_chart(id: &str, title: &str, l: Locale, months: &[(String, u64)]) -> String {
    if months.is_empty() {
        return String::new();
    }
    let columns: Vec<Column> = months
        .iter()
        .map(|(m, n)| Column {
            title: format!("{m} — {}", format_count(l, *n)),
            value: *n,
        })
        .collect();
    let first = &months[0].0;
    let last = &months[months.len() - 1].0;
    charts::column_chart(id, title, &columns, first, last, |n| format_count(l, n))
}

fn bars(id: &str, title: &str, bars: &[Bar]) -> String {
    if bars.is_empty() {
        String::new()
    } else {
        charts::bar_chart(id, title, bars)
    }
}

fn organisation_page(ctx: &Ctx, r: OrganisationReport) -> ReportPage {
    let l = ctx.locale;
    let t = |k: &str| ctx.t(k);
    let count = |n: u64| format_count(l, n);
    let csv = |table: OrganisationTable| {
        Some(format!(
            "/api/v1/organisations/{}/report/{}.csv?lang={}",
            r.slug,
            table.as_str(),
            l.as_str()
        ))
    };
    let progress_headers = |first: &str| {
        let mut h = vec![first.to_owned()];
        if first == t("org-report-department") {
            h.push(t("org-report-staff"));
        }
        h.extend([
            t("report-enrolled"),
            t("report-active"),
            t("report-completed"),
            t("org-report-certificates"),
        ]);
        h
    };
    let progress_cells = |p: &agora_core::reports::Progress| {
        vec![
            count(p.enrolled),
            count(p.in_progress),
            count(p.completed),
            count(p.certificates),
        ]
    };
    let course_bars: Vec<Bar> = r
        .courses
        .iter()
        .map(|c| Bar {
            label: c.title.clone(),
            value: format!(
                "{} / {}",
                count(c.progress.completed),
                count(c.progress.enrolled)
            ),
            fraction: ratio(c.progress.completed, c.progress.enrolled),
        })
        .collect();
    let months: Vec<(String, u64)> = r
        .completions
        .iter()
        .map(|m| (m.month.clone(), m.count))
        .collect();
    let mut tables = vec![
        Table {
            id: "org_courses".into(),
            title: t("org-report-by-course"),
            hint: Some(t("org-report-by-course-hint")),
            chart: bars(
                "chart_org_courses",
                &t("org-report-by-course"),
                &course_bars,
            ),
            headers: progress_headers(&t("org-report-course")),
            rows: r
                .courses
                .iter()
                .map(|c| Row {
                    head: c.title.clone(),
                    cells: progress_cells(&c.progress),
                })
                .collect(),
            empty: t("org-report-no-enrolments"),
            csv: csv(OrganisationTable::Courses),
        },
        Table {
            id: "org_departments".into(),
            title: t("org-report-by-department"),
            hint: None,
            chart: String::new(),
            headers: progress_headers(&t("org-report-department")),
            rows: r
                .departments
                .iter()
                .map(|d| {
                    let mut cells = vec![count(d.staff)];
                    cells.extend(progress_cells(&d.progress));
                    Row {
                        head: if d.department.is_empty() {
                            t("org-report-no-department")
                        } else {
                            d.department.clone()
                        },
                        cells,
                    }
                })
                .collect(),
            empty: t("org-report-no-staff"),
            csv: csv(OrganisationTable::Departments),
        },
        Table {
            id: "org_completions".into(),
            title: t("org-report-completions-by-month"),
            hint: None,
            chart: months_chart(
                "chart_org_completions",
                &t("org-report-completions-by-month"),
                l,
                &months,
            ),
            headers: vec![t("org-report-month"), t("report-completed")],
            rows: months
                .iter()
                .map(|(m, n)| Row {
                    head: m.clone(),
                    cells: vec![count(*n)],
                })
                .collect(),
            empty: t("org-report-no-completions"),
            csv: csv(OrganisationTable::Completions),
        },
    ];
    if let Some(list) = &r.not_started {
        tables.push(Table {
            id: "org_not_started".into(),
            title: t("org-report-not-started"),
            hint: Some(t("org-report-not-started-hint")),
            chart: String::new(),
            headers: vec![
                t("org-report-name"),
                t("org-report-email"),
                t("org-report-department"),
                t("org-report-job-title"),
                t("report-enrolled"),
            ],
            rows: list
                .iter()
                .map(|p| Row {
                    head: p.name.clone(),
                    cells: vec![
                        p.email.clone(),
                        p.department.clone(),
                        p.job_title.clone(),
                        count(p.enrolled),
                    ],
                })
                .collect(),
            empty: t("org-report-everyone-started"),
            csv: csv(OrganisationTable::NotStarted),
        });
    }
    ReportPage {
        eyebrow: r.name.clone(),
        heading: t("org-report-heading"),
        generated: generated(l, r.generated_at),
        privacy: t("org-report-privacy"),
        stats: vec![
            Stat {
                label: t("org-report-staff"),
                value: count(r.staff),
            },
            Stat {
                label: t("report-enrolled"),
                value: count(r.totals.enrolled),
            },
            Stat {
                label: t("report-active"),
                value: count(r.totals.in_progress),
            },
            Stat {
                label: t("report-completed"),
                value: count(r.totals.completed),
            },
            Stat {
                label: t("org-report-certificates"),
                value: count(r.totals.certificates),
            },
        ],
        tables,
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// A floored count the reader's way: a number, or "fewer than 5".
fn floored(l: Locale, f: Floored) -> String {
    match f.value() {
        Some(n) => format_count(l, n),
        None => t_args(
            l,
            "org-report-fewer-than",
            &[("count", (FLOOR as f64).into())],
        ),
    }
}

fn network_page(ctx: &Ctx, r: &NetworkReport) -> ReportPage {
    let l = ctx.locale;
    let t = |k: &str| ctx.t(k);
    let fl = |f: Floored| floored(l, f);
    let csv = |table: NetworkTable| {
        Some(format!(
            "/api/v1/networks/{}/report/{}.csv",
            r.slug,
            table.as_str()
        ))
    };
    let activity_headers = |first: String, orgs: bool| {
        let mut h = vec![first];
        if orgs {
            h.push(t("org-report-organisations"));
        }
        h.extend([
            t("org-report-members"),
            t("report-learners"),
            t("org-report-enrolments"),
            t("report-completed"),
        ]);
        h
    };
    let activity_cells = |a: &FlooredActivity| {
        vec![
            fl(a.members),
            fl(a.learners),
            fl(a.enrolments),
            fl(a.completions),
        ]
    };
    let group_table = |id: &str,
                       title: &str,
                       head: &str,
                       groups: &[Group],
                       name: &dyn Fn(&str) -> String,
                       table: NetworkTable| Table {
        id: id.into(),
        title: t(title),
        hint: None,
        chart: String::new(),
        headers: activity_headers(t(head), true),
        rows: groups
            .iter()
            .map(|g| {
                let mut cells = vec![format_count(l, g.organisations)];
                cells.extend(activity_cells(&g.activity));
                Row {
                    head: name(&g.key),
                    cells,
                }
            })
            .collect(),
        empty: t("org-report-no-organisations"),
        csv: csv(table),
    };
    // Countries by name and bands in words, in the reader's language.
    let country = |k: &str| {
        agora_core::organisations::country(k).map_or_else(|| k.to_owned(), |c| c.name(l).to_owned())
    };
    let band = |k: &str| t(&format!("org-band-{k}"));
    let region = |k: &str| t(&format!("m49-{k}"));
    let kind = |k: &str| t(&format!("org-kind-{k}"));
    let org_rows = |list: Vec<&OrganisationActivity>| -> Vec<Row> {
        list.into_iter()
            .map(|o| {
                let mut cells = vec![country(&o.country)];
                cells.extend(activity_cells(&o.activity));
                Row {
                    head: o.name.clone(),
                    cells,
                }
            })
            .collect()
    };
    let mut org_headers = activity_headers(t("org-report-organisation"), false);
    org_headers.insert(1, t("org-report-country"));
    // Charts draw only what may be shown: hidden months are drawn as zero.
    let months: Vec<(String, u64)> = r
        .months
        .iter()
        .map(|m| (m.month.clone(), m.enrolments.value().unwrap_or(0)))
        .collect();
    let theme_name = |theme: &str| {
        let key = theme.replace(':', "-");
        let label = match theme.split_once(':') {
            Some(("sdg", n)) => t_args(l, "org-report-sdg", &[("number", n.to_owned().into())]),
            Some((_, n)) => t_args(l, "org-report-sendai", &[("number", n.to_owned().into())]),
            None => theme.to_owned(),
        };
        format!("{label} · {}", t(&key))
    };
    let max_theme = r
        .themes
        .iter()
        .filter_map(|x| x.completions.value())
        .max()
        .unwrap_or(0);
    let theme_bars: Vec<Bar> = r
        .themes
        .iter()
        .map(|x| Bar {
            label: theme_name(&x.theme),
            value: fl(x.completions),
            fraction: ratio(x.completions.value().unwrap_or(0), max_theme),
        })
        .collect();
    let tables = vec![
        group_table(
            "net_regions",
            "org-report-by-region",
            "org-report-region",
            &r.regions,
            &region,
            NetworkTable::Regions,
        ),
        group_table(
            "net_countries",
            "org-report-by-country",
            "org-report-country",
            &r.countries,
            &country,
            NetworkTable::Countries,
        ),
        group_table(
            "net_kinds",
            "org-report-by-kind",
            "org-report-kind",
            &r.kinds,
            &kind,
            NetworkTable::Kinds,
        ),
        group_table(
            "net_bands",
            "org-report-by-band",
            "org-report-band",
            &r.population_bands,
            &band,
            NetworkTable::PopulationBands,
        ),
        Table {
            id: "net_months".into(),
            title: t("org-report-over-time"),
            hint: None,
            chart: months_chart(
                "chart_net_months",
                &t("org-report-enrolments-by-month"),
                l,
                &months,
            ),
            headers: vec![
                t("org-report-month"),
                t("org-report-enrolments"),
                t("report-completed"),
            ],
            rows: r
                .months
                .iter()
                .map(|m| Row {
                    head: m.month.clone(),
                    cells: vec![fl(m.enrolments), fl(m.completions)],
                })
                .collect(),
            empty: t("org-report-no-enrolments"),
            csv: csv(NetworkTable::Months),
        },
        Table {
            id: "net_most_active".into(),
            title: t("org-report-most-active"),
            hint: None,
            chart: String::new(),
            headers: org_headers.clone(),
            rows: org_rows(r.most_active().iter().collect()),
            empty: t("org-report-no-organisations"),
            csv: csv(NetworkTable::Organisations),
        },
        Table {
            id: "net_least_active".into(),
            title: t("org-report-least-active"),
            hint: None,
            chart: String::new(),
            headers: org_headers,
            rows: org_rows(r.least_active()),
            empty: t("org-report-no-organisations"),
            csv: None,
        },
        Table {
            id: "net_joined".into(),
            title: t("org-report-joined"),
            hint: Some(t("org-report-joined-hint")),
            chart: String::new(),
            headers: vec![t("org-report-month"), t("org-report-organisations")],
            rows: r
                .joined
                .iter()
                .map(|m| Row {
                    head: m.month.clone(),
                    cells: vec![format_count(l, m.count)],
                })
                .collect(),
            empty: t("org-report-none-joined"),
            csv: csv(NetworkTable::Joined),
        },
        Table {
            id: "net_themes".into(),
            title: t("org-report-themes"),
            hint: Some(t("org-report-themes-hint")),
            chart: bars("chart_net_themes", &t("org-report-themes"), &theme_bars),
            headers: vec![t("org-report-theme"), t("report-completed")],
            rows: r
                .themes
                .iter()
                .map(|x| Row {
                    head: theme_name(&x.theme),
                    cells: vec![fl(x.completions)],
                })
                .collect(),
            empty: t("org-report-no-completions"),
            csv: csv(NetworkTable::Themes),
        },
    ];
    ReportPage {
        eyebrow: r.name.clone(),
        heading: t("org-report-network-heading"),
        generated: generated(l, r.generated_at),
        privacy: t_args(l, "org-report-floor", &[("count", (FLOOR as f64).into())]),
        stats: vec![
            Stat {
                label: t("org-report-organisations"),
                value: format_count(l, r.organisations),
            },
            Stat {
                label: t("org-report-members"),
                value: fl(r.totals.members),
            },
            Stat {
                label: t("report-learners"),
                value: fl(r.totals.learners),
            },
            Stat {
                label: t("org-report-enrolments"),
                value: fl(r.totals.enrolments),
            },
            Stat {
                label: t("report-completed"),
                value: fl(r.totals.completions),
            },
        ],
        tables,
    }
}
