//! What a report shows of the course as it is now (titles, lessons,
//! prompts), and the figures laid over it.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    CourseReport, FunnelStep, LocaleCount, QuestionStat,
    figures::{Figures, periods, quiz_questions},
    percent,
};
use crate::{
    Error, Result,
    catalogue::pick_locale,
    domain::{LessonKind, Locale},
    entities::{
        course, course_translation, lesson_translation, question_translation, quiz_question,
    },
    learning::{Learning, OrderedLesson},
};

/// What a report shows of the course as it is now: its title, its lessons
/// in order with their titles, its quiz questions with their prompts.
pub(super) struct Syllabus {
    title: Option<String>,
    lessons: Vec<OrderedLesson>,
    lesson_titles: HashMap<Uuid, String>,
    /// By position within each quiz.
    questions: Vec<quiz_question::Model>,
    prompts: HashMap<Uuid, String>,
}

impl Syllabus {
    pub(super) async fn read(
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

/// Figures laid over the syllabus: lessons and questions that are no longer
/// in it are left out, new ones count zero until the figures catch up.
pub(super) fn assemble(
    course: &course::Model,
    figures: Figures,
    syllabus: Syllabus,
) -> CourseReport {
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
