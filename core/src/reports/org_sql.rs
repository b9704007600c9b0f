//! Raw SQL for the organisation and network reports: one aggregate per
//! table, written once for both databases. The dialects differ only in
//! placeholders and in how a timestamp becomes a `YYYY-MM` month.

use sea_orm::{ConnectionTrait, DatabaseBackend, QueryResult, Statement, Value};

use crate::Result;

/// The filter every report applies to members: only active members who
/// did not hide their progress are ever counted or listed.
pub(super) const VISIBLE: &str = "m.status = 'active' AND NOT m.hide_progress";

/// `YYYY-MM` (UTC) of a timestamp column.
pub(super) fn month(backend: DatabaseBackend, col: &str) -> String {
    month_grouped(backend, col).1
}

/// A month to group by, and the `YYYY-MM` text to select for it. PostgreSQL
/// groups by the truncated timestamp and formats once per group, not once
/// per row (`to_char` is the costly part).
pub(super) fn month_grouped(backend: DatabaseBackend, col: &str) -> (String, String) {
    match backend {
        DatabaseBackend::Postgres => {
            let group = format!("date_trunc('month', {col} AT TIME ZONE 'UTC')");
            let text = format!("to_char({group}, 'YYYY-MM')");
            (group, text)
        }
        // SQLite reads the stored text with its offset and answers UTC.
        _ => {
            let m = format!("strftime('%Y-%m', {col})");
            (m.clone(), m)
        }
    }
}

/// Runs `sql`, written with `$1`, `$2`… placeholders, on either database.
pub(super) async fn rows(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<QueryResult>> {
    let backend = db.get_database_backend();
    let sql = match backend {
        // SQLite numbers its parameters `?1`, `?2`…
        DatabaseBackend::Sqlite => sql.replace('$', "?"),
        _ => sql.to_owned(),
    };
    Ok(db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?)
}

/// A count column: never negative, zero when NULL (a SUM over nothing).
pub(super) fn count(row: &QueryResult, col: &str) -> Result<u64> {
    let n: Option<i64> = row.try_get("", col)?;
    Ok(n.unwrap_or(0).max(0) as u64)
}

pub(super) fn text(row: &QueryResult, col: &str) -> Result<String> {
    let s: Option<String> = row.try_get("", col)?;
    Ok(s.unwrap_or_default())
}

/// Consecutive `YYYY-MM` months from `first` to `last`, both included.
pub(super) fn months_between(first: &str, last: &str) -> Vec<String> {
    let parse = |m: &str| -> Option<(i32, u32)> {
        let (y, mo) = m.split_once('-')?;
        Some((y.parse().ok()?, mo.parse().ok()?))
    };
    let (Some((mut y, mut m)), Some(end)) = (parse(first), parse(last)) else {
        return vec![];
    };
    let mut out = Vec::new();
    while (y, m) <= end && out.len() < 1200 {
        out.push(format!("{y:04}-{m:02}"));
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    out
}

/// The current UTC month, `YYYY-MM`.
pub(super) fn this_month() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!("{:04}-{:02}", now.year(), u8::from(now.month()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_run_across_years_without_gaps() {
        assert_eq!(
            months_between("2025-11", "2026-02"),
            vec!["2025-11", "2025-12", "2026-01", "2026-02"]
        );
        assert_eq!(months_between("2026-03", "2026-03"), vec!["2026-03"]);
        assert!(months_between("2026-04", "2026-03").is_empty());
        assert!(months_between("bad", "2026-03").is_empty());
    }
}
