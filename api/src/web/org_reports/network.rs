//! The network report page, for the global admin and the network's
//! coordinators: figures by country, region, kind and population band
//! (floored below five), the most and least active organisations, new
//! organisations and the goals the learning covered.

use agora_core::{
    domain::Slug,
    reports::{
        FLOOR, Floored, FlooredActivity, Group, NetworkReport, NetworkTable, OrgReports,
        OrganisationActivity,
    },
};
use poem::{Response, handler, http::StatusCode, web::Path};

use super::page::{ReportPage, Row, Stat, Table, bars, floored, generated, months_chart, ratio};
use crate::{
    http::i18n::{format_count, t_args},
    web::{Ctx, charts::Bar},
};

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
