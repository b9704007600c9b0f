//! Charts as inline SVG, drawn on the server: no script, no fonts to fetch,
//! and every label and number arrives already written the reader's way.
//! Each chart is an image with a title for assistive technology; the page
//! puts the same figures in a table beside it.
//!
//! Styling lives in `app.css` (classes `chart`, `bar`, `axis`, `grid`,
//! `label`, `value`): the CSP forbids inline styles.

use std::fmt::Write;

/// Width of every chart's coordinate system; the CSS scales it to the page.
const WIDTH: f64 = 720.0;

/// SVG text content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters, with an ellipsis when cut.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out = out.trim_end().to_owned();
    out.push('…');
    out
}

/// One row of a horizontal bar chart.
pub struct Bar {
    /// Shown left of the bar (shortened when long).
    pub label: String,
    /// Shown right of the bar, e.g. "1,234 · 56%".
    pub value: String,
    /// Length of the bar, 0 to 1.
    pub fraction: f64,
}

/// Horizontal bars, one per row: the funnel, questions, locales.
pub fn bar_chart(id: &str, title: &str, bars: &[Bar]) -> String {
    const ROW: f64 = 30.0;
    const TOP: f64 = 8.0;
    const LABEL_W: f64 = 250.0;
    const VALUE_W: f64 = 130.0;
    let plot_w = WIDTH - LABEL_W - VALUE_W;
    let height = TOP * 2.0 + ROW * bars.len().max(1) as f64;
    let mut svg = open(id, title, height);
    // The 0% line.
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{LABEL_W}" y1="{TOP}" x2="{LABEL_W}" y2="{y2}"/>"#,
        y2 = height - TOP
    );
    for (i, b) in bars.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        let w = (b.fraction.clamp(0.0, 1.0) * plot_w).max(if b.fraction > 0.0 { 1.0 } else { 0.0 });
        let mid = y + ROW / 2.0;
        let _ = write!(
            svg,
            concat!(
                r#"<g><title>{full} — {value}</title>"#,
                r#"<text class="label" x="{lx}" y="{mid}" text-anchor="end" dominant-baseline="middle">{label}</text>"#,
                r#"<rect class="bar" x="{label_w}" y="{by}" width="{w:.1}" height="{bh}"/>"#,
                r#"<text class="value" x="{vx:.1}" y="{mid}" dominant-baseline="middle">{value}</text></g>"#,
            ),
            full = escape(&b.label),
            label = escape(&shorten(&b.label, 34)),
            value = escape(&b.value),
            lx = LABEL_W - 8.0,
            by = y + 5.0,
            bh = ROW - 10.0,
            vx = LABEL_W + w + 6.0,
            label_w = LABEL_W,
            mid = mid,
            w = w,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One column of a column chart.
pub struct Column {
    /// For the column's tooltip, e.g. "30 November 2026 — 12".
    pub title: String,
    pub value: u64,
}

/// Columns over time with a value axis: enrolments per day or week.
/// `count` writes axis numbers the reader's way; `first` and `last` label
/// the two ends of the time axis.
pub fn column_chart(
    id: &str,
    title: &str,
    columns: &[Column],
    first: &str,
    last: &str,
    count: impl Fn(u64) -> String,
) -> String {
    const HEIGHT: f64 = 260.0;
    const LEFT: f64 = 70.0;
    const RIGHT: f64 = 12.0;
    const TOP: f64 = 12.0;
    const BOTTOM: f64 = 34.0;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let base = TOP + plot_h;
    let max = columns.iter().map(|c| c.value).max().unwrap_or(0);
    let (step, top) = nice_scale(max);
    let mut svg = open(id, title, HEIGHT);
    // Grid lines and their numbers.
    let mut tick = 0;
    while tick <= top {
        let y = base - plot_h * tick as f64 / top as f64;
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{LEFT}" y1="{y:.1}" x2="{x2}" y2="{y:.1}"/><text class="label" x="{tx}" y="{y:.1}" text-anchor="end" dominant-baseline="middle">{n}</text>"#,
            x2 = WIDTH - RIGHT,
            tx = LEFT - 8.0,
            n = escape(&count(tick)),
        );
        tick += step;
    }
    let slot = plot_w / columns.len().max(1) as f64;
    let bar_w = (slot * 0.8).max(0.5);
    for (i, c) in columns.iter().enumerate() {
        let h = plot_h * c.value as f64 / top as f64;
        let _ = write!(
            svg,
            r#"<rect class="bar" x="{x:.2}" y="{y:.2}" width="{bar_w:.2}" height="{h:.2}"><title>{t}</title></rect>"#,
            x = LEFT + slot * i as f64 + (slot - bar_w) / 2.0,
            y = base - h,
            t = escape(&c.title),
        );
    }
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{LEFT}" y1="{base}" x2="{x2}" y2="{base}"/>"#,
        x2 = WIDTH - RIGHT
    );
    let ty = HEIGHT - 10.0;
    let _ = write!(
        svg,
        r#"<text class="label" x="{LEFT}" y="{ty}">{first}</text>"#,
        first = escape(first)
    );
    if columns.len() > 1 {
        let _ = write!(
            svg,
            r#"<text class="label" x="{x}" y="{ty}" text-anchor="end">{last}</text>"#,
            x = WIDTH - RIGHT,
            last = escape(last)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The start of an SVG image named by its `<title>`.
fn open(id: &str, title: &str, height: f64) -> String {
    format!(
        r#"<svg class="chart" role="img" aria-labelledby="{id}" viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg"><title id="{id}">{title}</title>"#,
        id = escape(id),
        title = escape(title),
    )
}

/// A tick step of 1, 2 or 5 times a power of ten giving at most five
/// steps, and the top of the axis (a whole number of steps, at least `max`).
fn nice_scale(max: u64) -> (u64, u64) {
    if max == 0 {
        return (1, 1);
    }
    let mut magnitude = 1u64;
    loop {
        for m in [1, 2, 5] {
            let step = m * magnitude;
            if max.div_ceil(step) <= 5 {
                return (step, max.div_ceil(step) * step);
            }
        }
        magnitude *= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_are_round() {
        assert_eq!(nice_scale(0), (1, 1));
        assert_eq!(nice_scale(3), (1, 3));
        assert_eq!(nice_scale(7), (2, 8));
        assert_eq!(nice_scale(10), (2, 10));
        assert_eq!(nice_scale(23), (5, 25));
        assert_eq!(nice_scale(100_000), (20_000, 100_000));
        assert_eq!(nice_scale(123_456), (50_000, 150_000));
    }

    #[test]
    fn text_is_escaped_and_long_labels_shortened() {
        let svg = bar_chart(
            "c",
            "A <b> & \"c\"",
            &[Bar {
                label: "<script>alert(1)</script> and a very long lesson title indeed".into(),
                value: "1 · 50 %".into(),
                fraction: 0.5,
            }],
        );
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("A &lt;b&gt; &amp; &quot;c&quot;"));
        assert!(svg.contains('…'));
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
    }

    #[test]
    fn columns_have_an_axis_written_by_the_caller() {
        let cols: Vec<Column> = (0..3)
            .map(|i| Column {
                title: format!("day {i}"),
                value: i * 600,
            })
            .collect();
        let svg = column_chart("e", "Enrolments", &cols, "1 May", "3 May", |n| {
            format!("<{n}>")
        });
        assert!(svg.contains("&lt;1500&gt;"), "{svg}");
        assert_eq!(svg.matches("class=\"bar\"").count(), 3);
        assert!(svg.contains(">1 May<") && svg.contains(">3 May<"));
    }
}
