//! Realistic synthetic learners, enrolments and progress, for benchmarks
//! and demonstrations (`agora seed`).

use argon2::{Argon2, PasswordHasher};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Result,
    accounts::{new_token, token_hash},
    domain::{CourseStatus, LessonKind},
    entities::{auth_token, course, enrolment, lesson_progress, quiz_attempt, quiz_question, user},
};

/// Every seeded learner signs in with this password.
pub const SEED_PASSWORD: &str = "seeded learner password";

pub struct SeedOptions {
    pub learners: u64,
    /// Courses each learner enrols in (at most the number published).
    pub courses_per_learner: usize,
    /// Each enrolment completes a random share of its lessons between this and 1.
    pub min_progress: f64,
    /// API tokens to create for the first learners, for load generators.
    pub tokens: u64,
    /// Enrol every learner in this course only, as a cohort for course
    /// reports: enrolments spread over the past year, some learners gone,
    /// and quiz attempts (failed ones too) for the quizzes they reached.
    pub course: Option<String>,
}

/// A token line for load generators: token, course slug, and a lesson key
/// the learner can complete.
pub struct SeededToken {
    pub token: String,
    pub course_slug: String,
    pub lesson_keys: Vec<String>,
}

pub struct SeedReport {
    pub learners: u64,
    pub enrolments: u64,
    pub progress_records: u64,
    pub quiz_attempts: u64,
    pub tokens: Vec<SeededToken>,
}

/// A small, fast, deterministic generator: seeded data is the same every run.
struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct CourseShape {
    id: Uuid,
    slug: String,
    /// Completable lessons in order (quizzes are passed, not completed; the
    /// seed records them as passed through their progress row).
    lessons: Vec<(Uuid, String, bool)>,
    /// Each quiz's questions: key, options, correct options (cohort mode only).
    questions: std::collections::HashMap<Uuid, Vec<SeedQuestion>>,
}

struct SeedQuestion {
    key: String,
    options: Vec<String>,
    correct: Vec<String>,
}

/// A quiz attempt's answers: right with probability `skill` per question,
/// else a wrong option (or, for a question without one, the right one).
fn answers(rng: &mut XorShift, questions: &[SeedQuestion], skill: f64) -> (serde_json::Value, i32) {
    let mut out = std::collections::BTreeMap::new();
    let mut right = 0;
    for q in questions {
        let wrong: Vec<&String> = q
            .options
            .iter()
            .filter(|o| !q.correct.contains(o))
            .collect();
        let chosen = if rng.unit() < skill || wrong.is_empty() {
            right += 1;
            q.correct.clone()
        } else {
            vec![wrong[(rng.next() as usize) % wrong.len()].clone()]
        };
        out.insert(q.key.clone(), chosen);
    }
    let score = (right * 100 / questions.len().max(1)) as i32;
    (serde_json::json!(out), score)
}

async fn course_shapes(db: &DatabaseConnection, only: Option<&str>) -> Result<Vec<CourseShape>> {
    let mut out = Vec::new();
    let mut query =
        course::Entity::find().filter(course::Column::Status.eq(CourseStatus::Published.as_str()));
    if let Some(slug) = only {
        query = query.filter(course::Column::Slug.eq(slug));
    }
    for c in query.all(db).await? {
        let lessons = crate::learning::Learning::ordered_lessons(db, c.id).await?;
        let mut questions = std::collections::HashMap::new();
        if only.is_some() {
            let quiz_ids: Vec<Uuid> = lessons
                .iter()
                .filter(|l| l.kind == LessonKind::Quiz)
                .map(|l| l.id)
                .collect();
            for q in quiz_question::Entity::find()
                .filter(quiz_question::Column::LessonId.is_in(quiz_ids))
                .order_by_asc(quiz_question::Column::Position)
                .all(db)
                .await?
            {
                questions
                    .entry(q.lesson_id)
                    .or_insert_with(Vec::new)
                    .push(SeedQuestion {
                        key: q.key,
                        options: serde_json::from_value(q.options).unwrap_or_default(),
                        correct: serde_json::from_value(q.correct).unwrap_or_default(),
                    });
            }
        }
        out.push(CourseShape {
            id: c.id,
            slug: c.slug,
            lessons: lessons
                .into_iter()
                .map(|l| (l.id, l.key, l.kind == LessonKind::Quiz))
                .collect(),
            questions,
        });
    }
    Ok(out)
}

/// Inserts learners in batches, calling `progress(done)` after each batch.
pub async fn seed(
    db: &DatabaseConnection,
    opts: &SeedOptions,
    progress: impl Fn(u64),
) -> Result<SeedReport> {
    let courses = course_shapes(db, opts.course.as_deref()).await?;
    if courses.is_empty() {
        return Err(match &opts.course {
            Some(_) => crate::Error::invalid("course", "no published course has this slug"),
            None => crate::Error::invalid("catalogue", "import courses before seeding learners"),
        });
    }
    let cohort = opts.course.is_some();
    let hash = Argon2::default()
        .hash_password(SEED_PASSWORD.as_bytes())
        .map_err(|e| crate::Error::Internal(e.to_string()))?
        .to_string();
    let per_learner = opts.courses_per_learner.clamp(1, courses.len());
    let run = Uuid::new_v4().simple().to_string()[..8].to_owned();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut report = SeedReport {
        learners: 0,
        enrolments: 0,
        progress_records: 0,
        quiz_attempts: 0,
        tokens: Vec::new(),
    };
    let now = OffsetDateTime::now_utc();
    const BATCH: u64 = 500;

    let mut start = 0;
    while start < opts.learners {
        let end = (start + BATCH).min(opts.learners);
        let mut users = Vec::new();
        let mut enrolments = Vec::new();
        let mut progress_rows = Vec::new();
        let mut attempts = Vec::new();
        let mut tokens = Vec::new();
        for i in start..end {
            let user_id = Uuid::new_v4();
            let locale = ["en", "fr", "es"][(rng.next() % 3) as usize];
            users.push(user::ActiveModel {
                id: Set(user_id),
                email: Set(format!("learner{i}.{run}@seed.agora.example")),
                email_verified_at: Set(Some(now)),
                password_hash: Set(hash.clone()),
                display_name: Set(format!("Learner {i}")),
                locale: Set(locale.into()),
                role: Set("learner".into()),
                reminders_opt_out: Set(rng.next().is_multiple_of(10)),
                unsubscribe_token: Set(None),
                time_zone: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            });
            let first = (rng.next() as usize) % courses.len();
            let mut token_course = None;
            for k in 0..per_learner {
                let c = &courses[(first + k) % courses.len()];
                let enrolment_id = Uuid::new_v4();
                let share = opts.min_progress + (1.0 - opts.min_progress) * rng.unit();
                let done = ((c.lessons.len() as f64) * share).round() as usize;
                let days_ago = (rng.next() % if cohort { 365 } else { 90 }) as i64;
                let activity = now - time::Duration::days(days_ago);
                for (lesson_id, _, _) in c.lessons.iter().take(done) {
                    progress_rows.push(lesson_progress::ActiveModel {
                        enrolment_id: Set(enrolment_id),
                        lesson_id: Set(*lesson_id),
                        completed_at: Set(activity),
                    });
                }
                // The quizzes passed (within `done`) took one to three
                // attempts; the first quiz not passed, if reached, failed once.
                let skill = 0.5 + 0.5 * rng.unit();
                for (n, (lesson_id, _, _)) in c.lessons.iter().enumerate().take(done + 1) {
                    let Some(questions) = c.questions.get(lesson_id) else {
                        continue;
                    };
                    let failures = if n < done { rng.next() % 3 } else { 1 };
                    for a in 0..=failures {
                        let passes = n < done && a == failures;
                        let (json, score) =
                            answers(&mut rng, questions, if passes { 1.0 } else { skill * 0.6 });
                        attempts.push(quiz_attempt::ActiveModel {
                            id: Set(Uuid::new_v4()),
                            enrolment_id: Set(enrolment_id),
                            lesson_id: Set(*lesson_id),
                            answers: Set(json),
                            score: Set(score),
                            passed: Set(passes),
                            created_at: Set(activity),
                        });
                        if n >= done && a == 0 {
                            break;
                        }
                    }
                }
                let gone = cohort && done < c.lessons.len() && rng.next().is_multiple_of(8);
                enrolments.push(enrolment::ActiveModel {
                    id: Set(enrolment_id),
                    user_id: Set(user_id),
                    course_id: Set(c.id),
                    status: Set(if gone { "left" } else { "active" }.into()),
                    enrolled_at: Set(activity - time::Duration::days(7)),
                    last_lesson_id: Set(c.lessons.get(done.saturating_sub(1)).map(|l| l.0)),
                    last_activity_at: Set(activity),
                    completed_at: Set((done == c.lessons.len()).then_some(activity)),
                    progress_version: Set(1),
                    last_reminded_at: Set(None),
                    lessons_done: Set(done as i32),
                });
                if token_course.is_none() {
                    token_course = Some(c);
                }
            }
            if i < opts.tokens {
                let token = new_token("agt_");
                tokens.push(auth_token::ActiveModel {
                    id: Set(Uuid::new_v4()),
                    user_id: Set(user_id),
                    kind: Set("api".into()),
                    name: Set("seed".into()),
                    token_hash: Set(token_hash(&token)),
                    csrf_hash: Set(None),
                    created_at: Set(now),
                    last_used_at: Set(Some(now)),
                    expires_at: Set(now + time::Duration::days(30)),
                    revoked_at: Set(None),
                });
                let c = token_course.expect("every learner has a course");
                report.tokens.push(SeededToken {
                    token,
                    course_slug: c.slug.clone(),
                    lesson_keys: c
                        .lessons
                        .iter()
                        .filter(|l| !l.2)
                        .map(|l| l.1.clone())
                        .collect(),
                });
            }
        }
        report.learners += users.len() as u64;
        report.enrolments += enrolments.len() as u64;
        report.progress_records += progress_rows.len() as u64;
        report.quiz_attempts += attempts.len() as u64;
        let txn = crate::db::begin_write(db).await?;
        user::Entity::insert_many(users)
            .exec_without_returning(&txn)
            .await?;
        for chunk in enrolments.chunks(2_000) {
            enrolment::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
        for chunk in progress_rows.chunks(5_000) {
            lesson_progress::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
        for chunk in attempts.chunks(2_000) {
            quiz_attempt::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
        if !tokens.is_empty() {
            auth_token::Entity::insert_many(tokens)
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        start = end;
        progress(end);
    }
    // Popularity follows the enrolments.
    use sea_orm::ConnectionTrait;
    db.execute_unprepared(
        "UPDATE courses SET enrolment_count = (SELECT COUNT(*) FROM enrolments WHERE enrolments.course_id = courses.id)",
    )
    .await?;
    Ok(report)
}
