//! How learners fare in one course: enrolments over time, completion, the
//! lesson-by-lesson funnel, quiz questions and locales, and their CSV form.
//!
//! Every figure comes from one SQL aggregate (GROUP BY) over the course's
//! rows, so the cost grows with the number of distinct days, lessons,
//! answer sets and locales, not with the number of learners' rows shipped
//! to the server. Still, at 100,000 enrolments those aggregates read about
//! a million rows, so [`Reports`] keeps the figures (not the titles) of each
//! course in the cache port for a short while, and the report says how old
//! they are. The syllabus, titles and prompts are read on every request: a
//! removed lesson or a retitled quiz shows at once. Who may read a report is
//! the caller's business.
//!
//! Definitions, as the report states them:
//! - *enrolled*: every learner who ever enrolled, including those who left;
//! - *completed*: enrolments with a completion date (they may have left since);
//! - *active*: still enrolled and not yet completed;
//! - *left*: left the course without completing it;
//! - *completion rate*: completed ÷ enrolled;
//! - *funnel*: per lesson still in the syllabus (removed modules and lessons
//!   are skipped), the enrolments that completed it, as a share of enrolled;
//! - *questions*: every recorded attempt counts once per question it
//!   answered (retries included: a question people need three tries for is
//!   a hard question), graded again against the question's current correct
//!   options, exactly as `learning::grade` does;
//! - *locales*: the interface locale of every enrolled learner's account.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex},
};

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, JoinType,
    QueryFilter, QueryOrder, QuerySelect, RelationTrait, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};
use tokio::sync::Mutex as AsyncMutex;
use uuid::Uuid;

use crate::{
    Error, Result,
    cache::Cache,
    catalogue::pick_locale,
    domain::{LessonKind, Locale},
    entities::{
        course, course_translation, enrolment, lesson_progress, lesson_translation,
        question_translation, quiz_attempt, quiz_question, user,
    },
    learning::{ACTIVE, Learning, OrderedLesson},
};

/// Courses younger than this are charted day by day, older ones week by week.
const DAILY_SPAN_DAYS: i64 = 62;

#[derive(Clone, Debug)]
pub struct CourseReport {
    pub course_id: Uuid,
    pub slug: String,
    pub title: String,
    /// When the figures were computed (they may come from the cache).
    pub generated_at: OffsetDateTime,
    pub totals: Totals,
    pub granularity: Granularity,
    /// Consecutive periods from the first enrolment to today, empty ones included.
    pub enrolments: Vec<Period>,
    pub funnel: Vec<FunnelStep>,
    pub questions: Vec<QuestionStat>,
    /// Most learners first.
    pub locales: Vec<LocaleCount>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub enrolled: u64,
    pub active: u64,
    pub completed: u64,
    pub left: u64,
    /// completed ÷ enrolled, in whole percent.
    pub completion_percent: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Granularity {
    Day,
    Week,
}

impl Granularity {
    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Day => "day",
            Granularity::Week => "week",
        }
    }
}

/// Enrolments in one day, or in the week (Monday to Sunday, UTC) starting on `start`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    pub start: Date,
    pub enrolments: u64,
    /// Enrolments up to the end of this period.
    pub cumulative: u64,
}

#[derive(Clone, Debug)]
pub struct FunnelStep {
    /// 1-based place in the syllabus.
    pub position: u32,
    pub lesson_id: Uuid,
    pub lesson_key: String,
    pub lesson_title: String,
    pub kind: LessonKind,
    /// Enrolments that completed this lesson.
    pub completed: u64,
    /// completed ÷ enrolled, in whole percent.
    pub percent: u32,
}

#[derive(Clone, Debug)]
pub struct QuestionStat {
    pub lesson_key: String,
    pub lesson_title: String,
    pub question_key: String,
    /// 1-based place in its quiz.
    pub number: u32,
    pub prompt: String,
    /// Attempts that answered this question.
    pub answers: u64,
    pub correct: u64,
    /// correct ÷ answers, in whole percent.
    pub percent: u32,
}

#[derive(Clone, Debug)]
pub struct LocaleCount {
    /// A locale code as stored on the account (en, fr, es).
    pub locale: String,
    pub learners: u64,
    /// learners ÷ enrolled, in whole percent.
    pub percent: u32,
}

/// `part` of `whole` in whole percent, rounded half up; 0 of nothing is 0.
pub fn percent(part: u64, whole: u64) -> u32 {
    if whole == 0 {
        return 0;
    }
    ((part.saturating_mul(200) + whole) / (whole * 2)) as u32
}

/// A course by slug, whatever its status: drafts have reports too.
pub async fn find_course(db: &impl ConnectionTrait, slug: &str) -> Result<course::Model> {
    course::Entity::find()
        .filter(course::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or(Error::NotFound { what: "course" })
}

/// Course reports, each course's figures kept in the cache port for
/// `fresh_for` (zero: computed on every request).
///
/// Staleness is accepted on purpose rather than invalidated: reports are
/// read by the people who run a course, figures a minute old serve them as
/// well as live ones, and the report says when they were computed.
/// Invalidating on every enrolment, completion and quiz attempt would put
/// the cache on the learners' write path for nothing. A dead or flushed
/// cache only means computing again.
///
/// Only the first reader after a quiet spell waits for the figures: one
/// computation per course runs at a time, and figures read in the last
/// quarter of their life are recomputed in the background.
#[derive(Clone)]
pub struct Reports {
    db: DatabaseConnection,
    cache: Cache,
    fresh_for: std::time::Duration,
    /// One computation per course at a time in this process: readers who
    /// miss together wait for the first one's figures instead of each
    /// running the same aggregates over the same rows.
    computing: Arc<Mutex<HashMap<Uuid, Arc<AsyncMutex<()>>>>>,
}

impl Reports {
    pub fn new(db: DatabaseConnection, cache: Cache, fresh_for: std::time::Duration) -> Self {
        Self {
            db,
            cache,
            fresh_for,
            computing: Arc::default(),
        }
    }

    /// The report of `course`; titles and prompts in the first of
    /// `preferred` the course has, else its default locale.
    pub async fn course_report(
        &self,
        course: &course::Model,
        preferred: &[Locale],
    ) -> Result<CourseReport> {
        let (figures, syllabus) = tokio::try_join!(
            self.figures(course.id),
            Syllabus::read(&self.db, course, preferred),
        )?;
        Ok(assemble(course, figures, syllabus))
    }

    async fn figures(&self, course_id: Uuid) -> Result<Figures> {
        if self.fresh_for.is_zero() {
            return Figures::compute(&self.db, course_id).await;
        }
        if let Some(f) = self.cached(course_id).await {
            if self.age(&f) >= self.refresh_after() {
                self.refresh_ahead(course_id);
            }
            return Ok(f);
        }
        let lock = self.lock_for(course_id);
        let _turn = lock.lock().await;
        // Whoever held the lock before us may have just computed them.
        if let Some(f) = self.cached(course_id).await {
            return Ok(f);
        }
        self.compute_and_keep(course_id).await
    }

    /// Figures read while this old are recomputed in the background, so
    /// that a report read steadily never makes a reader wait for them.
    fn refresh_after(&self) -> std::time::Duration {
        self.fresh_for * 3 / 4
    }

    fn age(&self, f: &Figures) -> std::time::Duration {
        let ms = (crate::jobs::now_ms() - f.computed_at_ms).max(0);
        std::time::Duration::from_millis(ms as u64)
    }

    fn lock_for(&self, course_id: Uuid) -> Arc<AsyncMutex<()>> {
        self.computing
            .lock()
            .expect("not poisoned")
            .entry(course_id)
            .or_default()
            .clone()
    }

    /// Recomputes the figures in the background unless that is under way.
    fn refresh_ahead(&self, course_id: Uuid) {
        let Ok(turn) = self.lock_for(course_id).try_lock_owned() else {
            return;
        };
        let this = self.clone();
        tokio::spawn(async move {
            let _turn = turn;
            // A refresh that ended just before we took the lock did the work.
            if let Some(f) = this.cached(course_id).await
                && this.age(&f) < this.refresh_after()
            {
                return;
            }
            if let Err(e) = this.compute_and_keep(course_id).await {
                tracing::warn!(error = %e, %course_id, "report figures were not refreshed");
            }
        });
    }

    async fn compute_and_keep(&self, course_id: Uuid) -> Result<Figures> {
        let f = Figures::compute(&self.db, course_id).await?;
        match serde_json::to_vec(&f) {
            // The computation time as the version: an older computation
            // (from a slower replica) never replaces a newer one.
            Ok(bytes) => {
                self.cache
                    .set(
                        &figures_key(course_id),
                        f.computed_at_ms.max(0) as u64,
                        &bytes,
                    )
                    .await;
            }
            Err(e) => tracing::error!(error = %e, "report figures do not serialize; not cached"),
        }
        Ok(f)
    }

    /// Cached figures younger than `fresh_for`, if any.
    async fn cached(&self, course_id: Uuid) -> Option<Figures> {
        let key = figures_key(course_id);
        let bytes = self
            .cache
            .get_many(std::slice::from_ref(&key))
            .await
            .into_iter()
            .next()
            .flatten()?;
        let f: Figures = match serde_json::from_slice(&bytes) {
            Ok(f) => f,
            Err(e) => {
                // Written by another version of Agora: compute again.
                tracing::warn!(error = %e, %key, "cached report figures do not parse; computing them");
                return None;
            }
        };
        (self.age(&f) < self.fresh_for).then_some(f)
    }
}

/// Versioned: a change to [`Figures`] changes the key.
fn figures_key(course_id: Uuid) -> String {
    format!("report:v1:{course_id}")
}

/// The figures of a course's report that cost a pass over its learners'
/// rows, keyed by ids; the syllabus and its titles are read separately.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Figures {
    /// When they were computed, in Unix milliseconds.
    computed_at_ms: i64,
    totals: Totals,
    /// Enrolments per UTC day, oldest first, days without any left out.
    days: Vec<(Date, u64)>,
    /// Enrolments that completed each lesson, by lesson id.
    completions: HashMap<Uuid, u64>,
    /// Answers and right answers, by question id.
    questions: HashMap<Uuid, (u64, u64)>,
    /// Learners per account locale, most learners first.
    locales: Vec<(String, u64)>,
}

impl Figures {
    async fn compute(db: &impl ConnectionTrait, course_id: Uuid) -> Result<Figures> {
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

/// What a report shows of the course as it is now: its title, its lessons
/// in order with their titles, its quiz questions with their prompts.
struct Syllabus {
    title: Option<String>,
    lessons: Vec<OrderedLesson>,
    lesson_titles: HashMap<Uuid, String>,
    /// By position within each quiz.
    questions: Vec<quiz_question::Model>,
    prompts: HashMap<Uuid, String>,
}

impl Syllabus {
    async fn read(
        db: &impl ConnectionTrait,
        course: &course::Model,
        preferred: &[Locale],
    ) -> Result<Syllabus> {
        let default: Locale = course.default_locale.parse().unwrap_or(Locale::En);
        let (lessons, title) = tokio::try_join!(
            Learning::ordered_lessons(db, course.id),
            course_title(db, course.id, preferred, default),
        )?;
        let lesson_ids: Vec<Uuid> = lessons.iter().map(|l| l.id).collect();
        let quiz_ids: Vec<Uuid> = lessons
            .iter()
            .filter(|l| l.kind == LessonKind::Quiz)
            .map(|l| l.id)
            .collect();
        let questions_and_prompts = async {
            let questions = quiz_questions(db, &quiz_ids).await?;
            let prompts = question_prompts(db, &questions, preferred, default).await?;
            Ok::<_, Error>((questions, prompts))
        };
        let ((questions, prompts), lesson_titles) = tokio::try_join!(
            questions_and_prompts,
            lesson_titles(db, &lesson_ids, preferred, default),
        )?;
        Ok(Syllabus {
            title,
            lessons,
            lesson_titles,
            questions,
            prompts,
        })
    }
}

/// The whole report of one course, computed now, without the cache (see
/// [`Reports`] for the cached one).
pub async fn course_report(
    db: &impl ConnectionTrait,
    course_id: Uuid,
    preferred: &[Locale],
) -> Result<CourseReport> {
    let course = course::Entity::find_by_id(course_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound { what: "course" })?;
    let (figures, syllabus) = tokio::try_join!(
        Figures::compute(db, course.id),
        Syllabus::read(db, &course, preferred),
    )?;
    Ok(assemble(&course, figures, syllabus))
}

/// Figures laid over the syllabus: lessons and questions that are no longer
/// in it are left out, new ones count zero until the figures catch up.
fn assemble(course: &course::Model, figures: Figures, syllabus: Syllabus) -> CourseReport {
    let Figures {
        computed_at_ms,
        totals,
        days,
        completions,
        questions: tallies,
        locales,
    } = figures;
    let today = OffsetDateTime::now_utc().date();
    let (granularity, enrolments) = periods(days, today);
    let titles = &syllabus.lesson_titles;
    let title_of = |id: &Uuid, key: &str| titles.get(id).cloned().unwrap_or_else(|| key.into());

    let funnel = syllabus
        .lessons
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let completed = completions.get(&l.id).copied().unwrap_or(0);
            FunnelStep {
                position: i as u32 + 1,
                lesson_id: l.id,
                lesson_key: l.key.clone(),
                lesson_title: title_of(&l.id, &l.key),
                kind: l.kind,
                completed,
                percent: percent(completed, totals.enrolled),
            }
        })
        .collect();
    let mut by_quiz: HashMap<Uuid, Vec<&quiz_question::Model>> = HashMap::new();
    for q in &syllabus.questions {
        by_quiz.entry(q.lesson_id).or_default().push(q);
    }
    let questions = syllabus
        .lessons
        .iter()
        .filter(|l| l.kind == LessonKind::Quiz)
        .flat_map(|l| {
            let in_quiz = by_quiz.get(&l.id).cloned().unwrap_or_default();
            in_quiz.into_iter().enumerate().map(|(i, q)| {
                let (answers, correct) = tallies.get(&q.id).copied().unwrap_or_default();
                QuestionStat {
                    lesson_key: l.key.clone(),
                    lesson_title: title_of(&l.id, &l.key),
                    question_key: q.key.clone(),
                    number: i as u32 + 1,
                    prompt: syllabus
                        .prompts
                        .get(&q.id)
                        .cloned()
                        .unwrap_or_else(|| q.key.clone()),
                    answers,
                    correct,
                    percent: percent(correct, answers),
                }
            })
        })
        .collect();
    let locales = locales
        .into_iter()
        .map(|(locale, learners)| LocaleCount {
            percent: percent(learners, totals.enrolled),
            locale,
            learners,
        })
        .collect();

    CourseReport {
        course_id: course.id,
        slug: course.slug.clone(),
        title: syllabus.title.unwrap_or_else(|| course.slug.clone()),
        generated_at: OffsetDateTime::from_unix_timestamp_nanos(
            i128::from(computed_at_ms) * 1_000_000,
        )
        .unwrap_or_else(|_| OffsetDateTime::now_utc()),
        totals,
        granularity,
        enrolments,
        funnel,
        questions,
        locales,
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
async fn quiz_questions(
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
            if is_correct(q, given) {
                entry.1 += n;
            }
        }
    }
    Ok(tally)
}

/// Right when the chosen options are exactly the correct ones, in any order.
fn is_correct(q: &quiz_question::Model, given: &[String]) -> bool {
    let mut expected: Vec<String> = serde_json::from_value(q.correct.clone()).unwrap_or_default();
    let mut given = given.to_vec();
    expected.sort();
    given.sort();
    given == expected
}

async fn course_title(
    db: &impl ConnectionTrait,
    course_id: Uuid,
    preferred: &[Locale],
    default: Locale,
) -> Result<Option<String>> {
    let rows: Vec<(String, String)> = course_translation::Entity::find()
        .select_only()
        .columns([
            course_translation::Column::Locale,
            course_translation::Column::Title,
        ])
        .filter(course_translation::Column::CourseId.eq(course_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(best_text(rows, preferred, default))
}

/// The text in the first preferred locale there is, else the default's, else any.
fn best_text(rows: Vec<(String, String)>, preferred: &[Locale], default: Locale) -> Option<String> {
    let available: Vec<Locale> = rows.iter().filter_map(|(l, _)| l.parse().ok()).collect();
    let locale = pick_locale(preferred, &available, default);
    let mut rows = rows;
    let i = rows
        .iter()
        .position(|(l, _)| l == locale.as_str())
        .unwrap_or(0);
    (!rows.is_empty()).then(|| rows.swap_remove(i).1)
}

async fn lesson_titles(
    db: &impl ConnectionTrait,
    lesson_ids: &[Uuid],
    preferred: &[Locale],
    default: Locale,
) -> Result<HashMap<Uuid, String>> {
    if lesson_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, String, String)> = lesson_translation::Entity::find()
        .select_only()
        .columns([
            lesson_translation::Column::LessonId,
            lesson_translation::Column::Locale,
            lesson_translation::Column::Title,
        ])
        .filter(lesson_translation::Column::LessonId.is_in(lesson_ids.to_vec()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(pick_per_id(rows, preferred, default))
}

async fn question_prompts(
    db: &impl ConnectionTrait,
    questions: &[quiz_question::Model],
    preferred: &[Locale],
    default: Locale,
) -> Result<HashMap<Uuid, String>> {
    if questions.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, String, String)> = question_translation::Entity::find()
        .select_only()
        .columns([
            question_translation::Column::QuestionId,
            question_translation::Column::Locale,
            question_translation::Column::Prompt,
        ])
        .filter(
            question_translation::Column::QuestionId
                .is_in(questions.iter().map(|q| q.id).collect::<Vec<_>>()),
        )
        .into_tuple()
        .all(db)
        .await?;
    Ok(pick_per_id(rows, preferred, default))
}

fn pick_per_id(
    rows: Vec<(Uuid, String, String)>,
    preferred: &[Locale],
    default: Locale,
) -> HashMap<Uuid, String> {
    let mut by_id: HashMap<Uuid, Vec<(String, String)>> = HashMap::new();
    for (id, locale, text) in rows {
        by_id.entry(id).or_default().push((locale, text));
    }
    by_id
        .into_iter()
        .filter_map(|(id, rows)| Some((id, best_text(rows, preferred, default)?)))
        .collect()
}

// ---------------------------------------------------------------------------
// CSV, one file per table (RFC 4180: CRLF line ends, fields quoted when needed).

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
        let mut out = String::new();
        for row in rows {
            let line: Vec<String> = row.iter().map(|c| csv_field(c)).collect();
            out.push_str(&line.join(","));
            out.push_str("\r\n");
        }
        out
    }
}

fn cells(names: &[&str]) -> Vec<String> {
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
    use time::macros::date;

    #[test]
    fn percentages_round_half_up_and_survive_nothing() {
        assert_eq!(percent(0, 0), 0);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(2, 3), 67);
        assert_eq!(percent(1, 2), 50);
        assert_eq!(percent(1, 200), 1);
        assert_eq!(percent(5, 5), 100);
    }

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
