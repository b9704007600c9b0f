//! What both report pages are made of: titled tables, each with its
//! chart, a few headline figures, and the helpers that word them.

use agora_core::{
    certificates::pdf::format_date,
    domain::Locale,
    reports::{FLOOR, Floored},
};
use serde::Serialize;

use crate::{
    http::i18n::{format_count, t_args},
    web::charts::{self, Bar, Column},
};

#[derive(Serialize)]
pub(super) struct Stat {
    pub(super) label: String,
    pub(super) value: String,
}

#[derive(Serialize)]
pub(super) struct Row {
    pub(super) head: String,
    pub(super) cells: Vec<String>,
}

#[derive(Serialize)]
pub(super) struct Table {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) hint: Option<String>,
    pub(super) chart: String,
    pub(super) headers: Vec<String>,
    pub(super) rows: Vec<Row>,
    pub(super) empty: String,
    pub(super) csv: Option<String>,
}

#[derive(Serialize)]
pub(super) struct ReportPage {
    pub(super) eyebrow: String,
    pub(super) heading: String,
    pub(super) generated: String,
    pub(super) privacy: String,
    pub(super) stats: Vec<Stat>,
    pub(super) tables: Vec<Table>,
}

pub(super) fn generated(l: Locale, at: time::OffsetDateTime) -> String {
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

pub(super) fn months_chart(id: &str, title: &str, l: Locale, months: &[(String, u64)]) -> String {
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

pub(super) fn bars(id: &str, title: &str, bars: &[Bar]) -> String {
    if bars.is_empty() {
        String::new()
    } else {
        charts::bar_chart(id, title, bars)
    }
}

pub(super) fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// A floored count the reader's way: a number, or "fewer than 5".
pub(super) fn floored(l: Locale, f: Floored) -> String {
    match f.value() {
        Some(n) => format_count(l, n),
        None => t_args(
            l,
            "org-report-fewer-than",
            &[("count", (FLOOR as f64).into())],
        ),
    }
}
