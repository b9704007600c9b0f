//! The course report page: how learners fare, as charts drawn on the server
//! and the same figures as tables, with links to the CSV files.

use agora_core::{
    certificates::pdf::format_date,
    domain::{Locale, Slug},
    reports::{CourseReport, Granularity, ReportTable},
};
use poem::{Response, handler, http::StatusCode, web::Path};
use serde::Serialize;

use super::{
    Ctx,
    charts::{self, Bar, Column},
};
use crate::http::i18n::{format_count, format_percent, t_args};

#[derive(Serialize)]
struct Stat {
    label: String,
    value: String,
}

#[derive(Serialize)]
struct PeriodRow {
    period: String,
    enrolments: String,
    cumulative: String,
}

#[derive(Serialize)]
struct FunnelRow {
    position: u32,
    title: String,
    kind: String,
    completed: String,
    percent: String,
}

#[derive(Serialize)]
struct QuestionRow {
    quiz: String,
    number: u32,
    prompt: String,
    answers: String,
    correct: String,
    percent: String,
}

#[derive(Serialize)]
struct LocaleRow {
    name: String,
    learners: String,
    percent: String,
}

#[derive(Serialize)]
struct CsvLinks {
    enrolments: String,
    funnel: String,
    questions: String,
    locales: String,
}

#[derive(Serialize)]
struct ReportPage {
    slug: String,
    course_title: String,
    generated: String,
    stats: Vec<Stat>,
    period_heading: String,
    enrolments_chart: String,
    enrolments: Vec<PeriodRow>,
    funnel_chart: String,
    funnel: Vec<FunnelRow>,
    questions_chart: String,
    questions: Vec<QuestionRow>,
    locales_chart: String,
    locales: Vec<LocaleRow>,
    csv: CsvLinks,
    /// The LMS courses (LTI contexts) whose roster the reader may open.
    rosters: Vec<agora_core::lti::ContextLink>,
}

/// GET `/courses/{slug}/report`, for whoever `Reports::readable` lets in.
#[handler]
pub async fn report(ctx: Ctx, Path(slug): Path<String>) -> Response {
    // Anonymous readers sign in first, before anything about the course shows.
    if let Err(r) = ctx.require_user() {
        return r;
    }
    if Slug::parse(&slug).is_err() {
        return ctx.error(StatusCode::NOT_FOUND);
    }
    let course = match ctx.state.reports.readable(ctx.user.as_ref(), &slug).await {
        Ok(c) => c,
        Err(e) => return ctx.fail(e),
    };
    let report = match ctx
        .state
        .reports
        .course_report(&course, &ctx.preferred())
        .await
    {
        Ok(r) => r,
        Err(e) => return ctx.fail(e),
    };
    let rosters = match ctx.user.as_ref() {
        Some(u) => match ctx.state.lti.roster_links(u, course.id()).await {
            Ok(r) => r,
            Err(e) => return ctx.fail(e),
        },
        None => vec![],
    };
    let mut page = page(&ctx, report);
    page.rosters = rosters;
    let title = t_args(
        ctx.locale,
        "report-title",
        &[("name", page.course_title.clone().into())],
    );
    ctx.page(StatusCode::OK, "course_report", &title, &page)
}

fn page(ctx: &Ctx, r: CourseReport) -> ReportPage {
    let l = ctx.locale;
    let count = |n: u64| format_count(l, n);
    let pct = |n: u32| format_percent(l, n);
    let t = |key: &str| ctx.t(key);
    let totals = r.totals;

    let stats = vec![
        Stat {
            label: t("report-enrolled"),
            value: count(totals.enrolled),
        },
        Stat {
            label: t("report-active"),
            value: count(totals.active),
        },
        Stat {
            label: t("report-completed"),
            value: count(totals.completed),
        },
        Stat {
            label: t("report-left"),
            value: count(totals.left),
        },
        Stat {
            label: t("report-completion-rate"),
            value: pct(totals.completion_percent),
        },
    ];

    let period_name = |start: time::Date| match r.granularity {
        Granularity::Day => format_date(l, start),
        Granularity::Week => t_args(
            l,
            "report-week-of",
            &[("date", format_date(l, start).into())],
        ),
    };
    let columns: Vec<Column> = r
        .enrolments
        .iter()
        .map(|p| Column {
            title: format!("{} — {}", period_name(p.start), count(p.enrolments)),
            value: p.enrolments,
        })
        .collect();
    let first = r.enrolments.first().map(|p| period_name(p.start));
    let last = r.enrolments.last().map(|p| period_name(p.start));
    let enrolments_chart = if columns.is_empty() {
        String::new()
    } else {
        charts::column_chart(
            "chart_enrolments",
            &t(match r.granularity {
                Granularity::Day => "report-enrolments-by-day",
                Granularity::Week => "report-enrolments-by-week",
            }),
            &columns,
            first.as_deref().unwrap_or_default(),
            last.as_deref().unwrap_or_default(),
            count,
        )
    };
    let enrolments = r
        .enrolments
        .iter()
        .map(|p| PeriodRow {
            period: period_name(p.start),
            enrolments: count(p.enrolments),
            cumulative: count(p.cumulative),
        })
        .collect();

    let share = |n: u64, p: u32| format!("{} · {}", count(n), pct(p));
    let funnel_bars: Vec<Bar> = r
        .funnel
        .iter()
        .map(|s| Bar {
            label: format!("{}. {}", s.position, s.lesson_title),
            value: share(s.completed, s.percent),
            fraction: ratio(s.completed, totals.enrolled),
        })
        .collect();
    let funnel = r
        .funnel
        .iter()
        .map(|s| FunnelRow {
            position: s.position,
            title: s.lesson_title.clone(),
            kind: t(&format!("kind-{}", s.kind.as_str())),
            completed: count(s.completed),
            percent: pct(s.percent),
        })
        .collect();

    let question_bars: Vec<Bar> = r
        .questions
        .iter()
        .map(|q| Bar {
            label: format!("{} · {}", q.lesson_title, question_label(l, q.number)),
            value: share(q.correct, q.percent),
            fraction: ratio(q.correct, q.answers),
        })
        .collect();
    let questions = r
        .questions
        .iter()
        .map(|q| QuestionRow {
            quiz: q.lesson_title.clone(),
            number: q.number,
            prompt: q.prompt.clone(),
            answers: count(q.answers),
            correct: count(q.correct),
            percent: pct(q.percent),
        })
        .collect();

    let locale_name = |code: &str| match code.parse::<Locale>() {
        Ok(loc) => t(&format!("report-locale-{}", loc.as_str())),
        Err(_) => code.to_owned(),
    };
    let locale_bars: Vec<Bar> = r
        .locales
        .iter()
        .map(|x| Bar {
            label: locale_name(&x.locale),
            value: share(x.learners, x.percent),
            fraction: ratio(x.learners, totals.enrolled),
        })
        .collect();
    let locales = r
        .locales
        .iter()
        .map(|x| LocaleRow {
            name: locale_name(&x.locale),
            learners: count(x.learners),
            percent: pct(x.percent),
        })
        .collect();

    let csv = |table: ReportTable| {
        format!(
            "/api/v1/courses/{}/report/{}.csv?lang={}",
            r.slug,
            table.as_str(),
            l.as_str()
        )
    };
    ReportPage {
        enrolments_chart,
        enrolments,
        funnel_chart: chart_or_nothing("chart_funnel", &t("report-funnel"), &funnel_bars),
        funnel,
        questions_chart: chart_or_nothing(
            "chart_questions",
            &t("report-questions"),
            &question_bars,
        ),
        questions,
        locales_chart: chart_or_nothing("chart_locales", &t("report-locales"), &locale_bars),
        locales,
        csv: CsvLinks {
            enrolments: csv(ReportTable::Enrolments),
            funnel: csv(ReportTable::Funnel),
            questions: csv(ReportTable::Questions),
            locales: csv(ReportTable::Locales),
        },
        rosters: vec![],
        stats,
        period_heading: t(match r.granularity {
            Granularity::Day => "report-day",
            Granularity::Week => "report-week",
        }),
        generated: t_args(
            l,
            "report-generated",
            &[
                ("date", format_date(l, r.generated_at.date()).into()),
                ("time", clock_time(r.generated_at).into()),
            ],
        ),
        slug: r.slug,
        course_title: r.title,
    }
}

/// `HH:MM` in UTC: how fresh the (possibly cached) figures are.
fn clock_time(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!("{:02}:{:02}", at.hour(), at.minute())
}

fn question_label(l: Locale, number: u32) -> String {
    t_args(l, "report-question-number", &[("number", number.into())])
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn chart_or_nothing(id: &str, title: &str, bars: &[Bar]) -> String {
    if bars.is_empty() {
        String::new()
    } else {
        charts::bar_chart(id, title, bars)
    }
}
