//! The figures of a report: aggregates over the course's enrolments,
//! completions and quiz attempts, one GROUP BY each.

use std::collections::{BTreeMap, HashMap};

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use time::{Date, Duration};
use uuid::Uuid;

use super::{Granularity, Period, Totals, percent};
use crate::{
    Error, Result,
    domain::LessonKind,
    entities::{enrolment, lesson_progress, quiz_attempt, quiz_question, user},
    learning::{ACTIVE, Learning, is_correct},
};

/// Courses younger than this are charted day by day, older ones week by week.
const DAILY_SPAN_DAYS: i64 = 62;

/// The figures of a course's report that cost a pass over its learners'
/// rows, keyed by ids; the syllabus and its titles are read separately.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct Figures {
    /// When they were computed, in Unix milliseconds.
    pub(super) computed_at_ms: i64,
    pub(super) totals: Totals,
    /// Enrolments per UTC day, oldest first, days without any left out.
    pub(super) days: Vec<(Date, u64)>,
    /// Enrolments that completed each lesson, by lesson id.
    pub(super) completions: HashMap<Uuid, u64>,
    /// Answers and right answers, by question id.
    pub(super) questions: HashMap<Uuid, (u64, u64)>,
    /// Learners per account locale, most learners first.
    pub(super) locales: Vec<(String, u64)>,
}

impl Figures {
    pub(super) async fn compute(db: &impl ConnectionTrait, course_id: Uuid) -> Result<Figures> {
        let computed_at_ms = crate::jobs::now_ms();
        let lessons = Learning::ordered_lessons(db, course_id).await?;
        let lesson_ids: Vec<Uuid> = lessons.iter().map(|l| l.id).collect();
        let quiz_ids: Vec<Uuid> = lessons
            .iter()
            .filter(|l| l.kind == LessonKind::Quiz)
            .map(|l| l.id)
            .collect();
        // Independent aggregates: on PostgreSQL each runs on its own pooled
        // connection, at the same time.
        let (cohort, completions, questions) = tokio::try_join!(
            cohort(db, course_id),
            lesson_completions(db, &lesson_ids),
            question_tallies(db, &quiz_ids),
        )?;
        let (totals, days, locales) = tally_cohort(cohort);
        Ok(Figures {
            computed_at_ms,
            totals,
            days,
            completions,
            questions,
            locales,
        })
    }
}

/// Enrolments by UTC day, status and the learner's account locale:
/// `(day, status, locale, enrolments, completed)`. One pass over the
/// course's enrolments (joined to their learners) gives the totals, the
/// series and the locales. The day is computed by the database: the one
/// place where the two dialects differ.
async fn cohort(
    db: &impl ConnectionTrait,
    course_id: Uuid,
) -> Result<Vec<(Date, String, String, u64, u64)>> {
    // PostgreSQL groups by the date and formats it once per group, not
    // once per row (to_char is the costly part).
    let (day, day_text) = match db.get_database_backend() {
        DatabaseBackend::Postgres => (
            "CAST(enrolments.enrolled_at AT TIME ZONE 'UTC' AS date)",
            "to_char(CAST(enrolments.enrolled_at AT TIME ZONE 'UTC' AS date), 'YYYY-MM-DD')",
        ),
        // SQLite's date() reads the stored text with its offset and answers UTC.
        _ => (
            "date(enrolments.enrolled_at)",
            "date(enrolments.enrolled_at)",
        ),
    };
    // COUNT(completed_at) counts the completed ones. COUNT(*), not of a
    // column the indexes lack: SQLite then reads the covering index only.
    let rows: Vec<(String, String, String, i64, i64)> = enrolment::Entity::find()
        .select_only()
        .column_as(Expr::cust(day_text), "day")
        .column(enrolment::Column::Status)
        .column(user::Column::Locale)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .column_as(enrolment::Column::CompletedAt.count(), "done")
        .join(JoinType::InnerJoin, enrolment::Relation::User.def())
        .filter(enrolment::Column::CourseId.eq(course_id))
        .group_by(Expr::cust(day))
        .group_by(enrolment::Column::Status)
        .group_by(user::Column::Locale)
        .into_tuple()
        .all(db)
        .await?;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    rows.into_iter()
        .map(|(d, status, locale, n, done)| {
            Date::parse(&d, format)
                .map(|d| (d, status, locale, n.max(0) as u64, done.max(0) as u64))
                .map_err(|e| Error::Internal(format!("enrolment day {d:?}: {e}")))
        })
        .collect()
}

/// Totals, enrolments per day and learners per locale (most first).
#[allow(clippy::type_complexity)]
fn tally_cohort(
    rows: Vec<(Date, String, String, u64, u64)>,
) -> (Totals, Vec<(Date, u64)>, Vec<(String, u64)>) {
    let mut t = Totals::default();
    let mut days: BTreeMap<Date, u64> = BTreeMap::new();
    let mut locales: HashMap<String, u64> = HashMap::new();
    for (day, status, locale, n, done) in rows {
        *days.entry(day).or_default() += n;
        *locales.entry(locale).or_default() += n;
        t.enrolled += n;
        t.completed += done;
        if status == ACTIVE {
            t.active += n.saturating_sub(done);
        } else {
            t.left += n.saturating_sub(done);
        }
    }
    t.completion_percent = percent(t.completed, t.enrolled);
    let mut locales: Vec<(String, u64)> = locales.into_iter().collect();
    locales.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    (t, days.into_iter().collect(), locales)
}

/// Days to a gap-free series ending today: by day while the course is
/// young, by week (starting Mondays) after that.
pub fn periods(mut days: Vec<(Date, u64)>, today: Date) -> (Granularity, Vec<Period>) {
    days.sort();
    let Some(&(first, _)) = days.first() else {
        return (Granularity::Day, vec![]);
    };
    let last = days.last().map(|(d, _)| *d).unwrap_or(first).max(today);
    let (granularity, start, step) = if (last - first).whole_days() <= DAILY_SPAN_DAYS {
        (Granularity::Day, first, Duration::days(1))
    } else {
        let monday = first - Duration::days(first.weekday().number_days_from_monday().into());
        (Granularity::Week, monday, Duration::weeks(1))
    };
    let mut out = Vec::new();
    let mut cumulative = 0;
    let mut days = days.into_iter().peekable();
    let mut at = start;
    while at <= last {
        let end = at + step;
        let mut n = 0;
        while let Some((_, c)) = days.next_if(|(d, _)| *d < end) {
            n += c;
        }
        cumulative += n;
        out.push(Period {
            start: at,
            enrolments: n,
            cumulative,
        });
        at = end;
    }
    (granularity, out)
}

async fn lesson_completions(
    db: &impl ConnectionTrait,
    lesson_ids: &[Uuid],
) -> Result<HashMap<Uuid, u64>> {
    if lesson_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, i64)> = lesson_progress::Entity::find()
        .select_only()
        .column(lesson_progress::Column::LessonId)
        // COUNT(*): the lesson index alone answers it.
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(lesson_progress::Column::LessonId.is_in(lesson_ids.to_vec()))
        .group_by(lesson_progress::Column::LessonId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, n)| (id, n.max(0) as u64))
        .collect())
}

/// The questions of these quizzes, by position.
pub(super) async fn quiz_questions(
    db: &impl ConnectionTrait,
    quiz_ids: &[Uuid],
) -> Result<Vec<quiz_question::Model>> {
    if quiz_ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(quiz_question::Entity::find()
        .filter(quiz_question::Column::LessonId.is_in(quiz_ids.to_vec()))
        .order_by_asc(quiz_question::Column::Position)
        .all(db)
        .await?)
}

/// Each quiz question's answers and right answers, by question id.
async fn question_tallies(
    db: &impl ConnectionTrait,
    quiz_ids: &[Uuid],
) -> Result<HashMap<Uuid, (u64, u64)>> {
    if quiz_ids.is_empty() {
        return Ok(HashMap::new());
    }
    // The same answers are given many times over: the database groups them
    // as text, and each distinct answer set is graded once here.
    // PostgreSQL's json type has no equality, so it groups a cast; SQLite
    // stores json as text and groups the column itself, in the order of
    // its (lesson_id, answers) index (migration 000008), without sorting.
    let answers_text = Expr::cust(match db.get_database_backend() {
        DatabaseBackend::Postgres => "CAST(answers AS TEXT)",
        _ => "answers",
    });
    let answer_sets = quiz_attempt::Entity::find()
        .select_only()
        .column(quiz_attempt::Column::LessonId)
        .column_as(answers_text.clone(), "answers_text")
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(quiz_attempt::Column::LessonId.is_in(quiz_ids.to_vec()))
        .group_by(quiz_attempt::Column::LessonId)
        .group_by(answers_text)
        .into_tuple::<(Uuid, String, i64)>()
        .all(db);
    let (questions, answer_sets) =
        tokio::try_join!(async { quiz_questions(db, quiz_ids).await }, async {
            Ok::<_, Error>(answer_sets.await?)
        },)?;
    let mut by_lesson: HashMap<Uuid, Vec<&quiz_question::Model>> = HashMap::new();
    for q in &questions {
        by_lesson.entry(q.lesson_id).or_default().push(q);
    }
    let mut tally: HashMap<Uuid, (u64, u64)> = HashMap::new();
    for (lesson_id, text, n) in answer_sets {
        let Ok(chosen) = serde_json::from_str::<BTreeMap<String, Vec<String>>>(&text) else {
            tracing::warn!(%lesson_id, "a stored quiz attempt does not parse; skipped");
            continue;
        };
        let n = n.max(0) as u64;
        for q in by_lesson.get(&lesson_id).into_iter().flatten() {
            let Some(given) = chosen.get(&q.key) else {
                continue;
            };
            let entry = tally.entry(q.id).or_default();
            entry.0 += n;
            let correct: Vec<String> =
                serde_json::from_value(q.correct.clone()).unwrap_or_default();
            if is_correct(given, &correct) {
                entry.1 += n;
            }
        }
    }
    Ok(tally)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn young_courses_are_charted_by_day_without_gaps() {
        let (g, p) = periods(
            vec![(date!(2026 - 11 - 28), 2), (date!(2026 - 11 - 26), 1)],
            date!(2026 - 11 - 30),
        );
        assert_eq!(g, Granularity::Day);
        let counts: Vec<(Date, u64, u64)> = p
            .iter()
            .map(|p| (p.start, p.enrolments, p.cumulative))
            .collect();
        assert_eq!(
            counts,
            vec![
                (date!(2026 - 11 - 26), 1, 1),
                (date!(2026 - 11 - 27), 0, 1),
                (date!(2026 - 11 - 28), 2, 3),
                (date!(2026 - 11 - 29), 0, 3),
                (date!(2026 - 11 - 30), 0, 3),
            ]
        );
    }

    #[test]
    fn older_courses_are_charted_by_week_from_monday() {
        let (g, p) = periods(
            vec![
                // A Wednesday, and the Sunday of the same week.
                (date!(2026 - 01 - 07), 1),
                (date!(2026 - 01 - 11), 2),
                (date!(2026 - 01 - 12), 4),
            ],
            date!(2026 - 06 - 01),
        );
        assert_eq!(g, Granularity::Week);
        assert_eq!(p[0].start, date!(2026 - 01 - 05));
        assert_eq!((p[0].enrolments, p[1].enrolments), (3, 4));
        assert_eq!(p.last().unwrap().start, date!(2026 - 06 - 01));
        assert_eq!(p.last().unwrap().cumulative, 7);
        assert!(
            p.windows(2)
                .all(|w| w[1].start - w[0].start == Duration::weeks(1))
        );
    }

    #[test]
    fn one_pass_over_the_cohort_gives_totals_days_and_locales() {
        let d1 = date!(2026 - 11 - 02);
        let d2 = date!(2026 - 11 - 03);
        let row = |d, status: &str, locale: &str, n, done| {
            (d, status.to_owned(), locale.to_owned(), n, done)
        };
        let (totals, days, locales) = tally_cohort(vec![
            row(d1, ACTIVE, "fr", 3, 1),
            row(d1, "left", "en", 2, 1),
            row(d2, ACTIVE, "en", 1, 0),
            row(d2, ACTIVE, "es", 2, 2),
        ]);
        assert_eq!(
            totals,
            Totals {
                enrolled: 8,
                active: 3,
                completed: 4,
                left: 1,
                completion_percent: 50,
            }
        );
        assert_eq!(days, vec![(d1, 5), (d2, 3)]);
        // Most learners first, ties by code.
        assert_eq!(
            locales,
            vec![("en".into(), 3), ("fr".into(), 3), ("es".into(), 2)]
        );
    }

    #[test]
    fn figures_survive_the_cache_round_trip() {
        let lesson = Uuid::new_v4();
        let question = Uuid::new_v4();
        let f = Figures {
            computed_at_ms: 1_796_000_000_000,
            totals: Totals {
                enrolled: 2,
                active: 1,
                completed: 1,
                left: 0,
                completion_percent: 50,
            },
            days: vec![(date!(2026 - 11 - 30), 2)],
            completions: HashMap::from([(lesson, 2)]),
            questions: HashMap::from([(question, (3, 1))]),
            locales: vec![("fr".into(), 2)],
        };
        let back: Figures = serde_json::from_slice(&serde_json::to_vec(&f).unwrap()).unwrap();
        assert_eq!(back.computed_at_ms, f.computed_at_ms);
        assert_eq!(back.totals, f.totals);
        assert_eq!(back.days, f.days);
        assert_eq!(back.completions, f.completions);
        assert_eq!(back.questions, f.questions);
        assert_eq!(back.locales, f.locales);
    }

    #[test]
    fn no_enrolments_no_series() {
        assert!(periods(vec![], date!(2026 - 11 - 30)).1.is_empty());
    }
}
