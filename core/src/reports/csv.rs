//! A report's tables as CSV, one file per table (RFC 4180: CRLF line
//! ends, fields quoted when needed).

use super::CourseReport;

/// The tables of a report that export to CSV.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportTable {
    Enrolments,
    Funnel,
    Questions,
    Locales,
}

impl ReportTable {
    pub const ALL: [ReportTable; 4] = [
        ReportTable::Enrolments,
        ReportTable::Funnel,
        ReportTable::Questions,
        ReportTable::Locales,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportTable::Enrolments => "enrolments",
            ReportTable::Funnel => "funnel",
            ReportTable::Questions => "questions",
            ReportTable::Locales => "locales",
        }
    }

    pub fn parse(name: &str) -> Option<ReportTable> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

impl CourseReport {
    /// One table as CSV: a header row of stable column names, then the data.
    /// Shares are decimal fractions (0.4167), not rounded percentages.
    pub fn csv(&self, table: ReportTable) -> String {
        let mut rows: Vec<Vec<String>> = Vec::new();
        match table {
            ReportTable::Enrolments => {
                rows.push(cells(&[
                    "period_start",
                    "granularity",
                    "enrolments",
                    "cumulative",
                ]));
                for p in &self.enrolments {
                    rows.push(vec![
                        p.start.to_string(),
                        self.granularity.as_str().into(),
                        p.enrolments.to_string(),
                        p.cumulative.to_string(),
                    ]);
                }
            }
            ReportTable::Funnel => {
                rows.push(cells(&[
                    "position",
                    "lesson_key",
                    "lesson_title",
                    "kind",
                    "completed",
                    "enrolled",
                    "share",
                ]));
                for s in &self.funnel {
                    rows.push(vec![
                        s.position.to_string(),
                        s.lesson_key.clone(),
                        s.lesson_title.clone(),
                        s.kind.as_str().into(),
                        s.completed.to_string(),
                        self.totals.enrolled.to_string(),
                        fraction(s.completed, self.totals.enrolled),
                    ]);
                }
            }
            ReportTable::Questions => {
                rows.push(cells(&[
                    "lesson_key",
                    "lesson_title",
                    "question_number",
                    "question_key",
                    "prompt",
                    "answers",
                    "correct",
                    "share_correct",
                ]));
                for q in &self.questions {
                    rows.push(vec![
                        q.lesson_key.clone(),
                        q.lesson_title.clone(),
                        q.number.to_string(),
                        q.question_key.clone(),
                        q.prompt.clone(),
                        q.answers.to_string(),
                        q.correct.to_string(),
                        fraction(q.correct, q.answers),
                    ]);
                }
            }
            ReportTable::Locales => {
                rows.push(cells(&["locale", "learners", "share"]));
                for l in &self.locales {
                    rows.push(vec![
                        l.locale.clone(),
                        l.learners.to_string(),
                        fraction(l.learners, self.totals.enrolled),
                    ]);
                }
            }
        }
        write(rows)
    }
}

/// Rows as one CSV file: every field through [`csv_field`], CRLF line ends.
/// Every report's tables are written by it.
pub(super) fn write(rows: Vec<Vec<String>>) -> String {
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row.iter().map(|c| csv_field(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A header row of column names.
pub(super) fn cells(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

/// `part ÷ whole` with four decimals, `0` when there is nothing to divide.
fn fraction(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0".into();
    }
    format!("{:.4}", part as f64 / whole as f64)
}

/// One field: quoted when it holds a comma, a quote or a line break, quotes
/// doubled. Text that a spreadsheet would run as a formula (`=`, `+`, `-`,
/// `@` first) gets a leading apostrophe: titles are written by people.
pub fn csv_field(value: &str) -> String {
    let risky =
        value.starts_with(['=', '+', '-', '@', '\t', '\r']) && value.parse::<f64>().is_err();
    let value = if risky {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_by_rfc_4180() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_field("-0.5"), "-0.5");
        assert_eq!(csv_field("Écoles, villes"), "\"Écoles, villes\"");
    }

    #[test]
    fn table_names_round_trip() {
        for t in ReportTable::ALL {
            assert_eq!(ReportTable::parse(t.as_str()), Some(t));
        }
        assert_eq!(ReportTable::parse("users"), None);
    }
}
