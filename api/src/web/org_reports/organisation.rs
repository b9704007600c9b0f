//! The organisation report page: its administrators (and the network's
//! coordinators, the global admin) see staff progress by course and by
//! department, completions over time and who has not started.

use agora_core::{
    domain::Slug,
    reports::{OrgReports, OrganisationReport, OrganisationTable},
};
use poem::{Response, handler, http::StatusCode, web::Path};

use super::page::{ReportPage, Row, Stat, Table, bars, generated, months_chart, ratio};
use crate::{
    http::i18n::{format_count, t_args},
    web::{Ctx, charts::Bar},
};

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
