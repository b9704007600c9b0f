//! The learner journey: enrolment, lessons, quizzes and progress.
//!
//! The database is the only source of truth. Each enrolment's progress
//! summary is cached (written through after every change, rebuilt on a
//! miss), so "my learning" never recomputes progress from scratch.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    sync::Arc,
};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
    sea_query::{Expr, OnConflict},
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Error, Result,
    cache::Cache,
    catalogue::{CourseLinks, pick_locale},
    domain::{CourseStatus, LessonKind, Locale, QuestionKind},
    entities::{
        course, course_translation, enrolment, lesson, lesson_progress, lesson_resource,
        lesson_translation, module, question_translation, quiz_attempt, quiz_question,
    },
    jobs::{self, Job},
    markdown,
};

pub const ACTIVE: &str = "active";
pub const LEFT: &str = "left";

/// Sent when a learner enrols: the enrolment confirmation mail.
#[derive(Debug, Serialize, Deserialize)]
pub struct EnrolledMail {
    pub enrolment_id: Uuid,
}
impl Job for EnrolledMail {
    const KIND: &'static str = "mail.enrolled";
    fn dedup_key(&self) -> Option<String> {
        Some(format!("mail.enrolled:{}", self.enrolment_id))
    }
}

/// A course was completed: the worker issues the certificate and the mail.
#[derive(Debug, Serialize, Deserialize)]
pub struct CourseCompleted {
    pub enrolment_id: Uuid,
}
impl Job for CourseCompleted {
    const KIND: &'static str = "course_completed";
    fn dedup_key(&self) -> Option<String> {
        Some(format!("course_completed:{}", self.enrolment_id))
    }
}

/// Where a learner stands in one course.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressSummary {
    pub enrolment_id: Uuid,
    pub course_id: Uuid,
    pub status: String,
    pub completed_lessons: u32,
    pub total_lessons: u32,
    pub percent: u8,
    pub last_lesson_id: Option<Uuid>,
    /// The lesson to continue with: the first one not yet completed.
    pub resume_lesson_id: Option<Uuid>,
    pub resume_lesson_key: Option<String>,
    pub enrolled_at: OffsetDateTime,
    pub last_activity_at: OffsetDateTime,
    pub completed_at: Option<OffsetDateTime>,
    /// The enrolment's progress version this summary was built from.
    pub version: i64,
}

fn cache_key(enrolment_id: Uuid) -> String {
    format!("agora:progress:v1:{enrolment_id}")
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// A lesson of a course in learning order.
#[derive(Clone, Debug)]
pub(crate) struct OrderedLesson {
    pub(crate) id: Uuid,
    pub(crate) key: String,
    pub(crate) kind: LessonKind,
}

/// How long course structure (published courses, lesson order) is reused
/// before it is read again: publishing reaches every server within this.
const STRUCTURE_TTL: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Clone)]
pub struct Learning {
    pub db: DatabaseConnection,
    pub cache: Cache,
    /// Published courses by slug.
    courses: moka::future::Cache<String, Arc<course::Model>>,
    /// Each course's lessons in learning order.
    lessons: moka::future::Cache<Uuid, Arc<Vec<OrderedLesson>>>,
    titles: moka::future::Cache<Uuid, Arc<CourseTitles>>,
}

pub struct Enrolled {
    pub enrolment: enrolment::Model,
    pub created: bool,
    pub summary: ProgressSummary,
}

impl Learning {
    pub fn new(db: DatabaseConnection, cache: Cache) -> Self {
        Self {
            db,
            cache,
            courses: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(STRUCTURE_TTL)
                .build(),
            titles: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(STRUCTURE_TTL)
                .build(),
            lessons: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(STRUCTURE_TTL)
                .build(),
        }
    }

    /// Forgets what this process and the shared cache hold about a course's
    /// structure, after a new version is published or its status changes.
    /// Other processes' structure caches expire within `STRUCTURE_TTL`.
    pub async fn forget_course(&self, course_id: Uuid) -> Result<()> {
        self.courses.invalidate_all();
        self.lessons.invalidate(&course_id).await;
        self.titles.invalidate(&course_id).await;
        let ids: Vec<Uuid> = enrolment::Entity::find()
            .select_only()
            .column(enrolment::Column::Id)
            .filter(enrolment::Column::CourseId.eq(course_id))
            .into_tuple()
            .all(&self.db)
            .await?;
        let keys: Vec<String> = ids.into_iter().map(cache_key).collect();
        self.cache.delete_many(&keys).await;
        Ok(())
    }

    async fn published_course(&self, slug: &str) -> Result<Arc<course::Model>> {
        if let Some(c) = self.courses.get(slug).await {
            return Ok(c);
        }
        let c = course::Entity::find()
            .filter(course::Column::Slug.eq(slug))
            .filter(course::Column::Status.eq(CourseStatus::Published.as_str()))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "course" })?;
        let c = Arc::new(c);
        self.courses.insert(slug.to_owned(), c.clone()).await;
        Ok(c)
    }

    /// The course's lessons in learning order, from the structure cache.
    async fn lessons_of(&self, course_id: Uuid) -> Result<Arc<Vec<OrderedLesson>>> {
        if let Some(l) = self.lessons.get(&course_id).await {
            return Ok(l);
        }
        let l = Arc::new(Self::ordered_lessons(&self.db, course_id).await?);
        self.lessons.insert(course_id, l.clone()).await;
        Ok(l)
    }

    pub(crate) async fn ordered_lessons(
        db: &impl ConnectionTrait,
        course_id: Uuid,
    ) -> Result<Vec<OrderedLesson>> {
        let modules: HashMap<Uuid, i32> = module::Entity::find()
            .filter(module::Column::CourseId.eq(course_id))
            .filter(module::Column::Removed.eq(false))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.id, m.position))
            .collect();
        let mut lessons: Vec<(i32, i32, OrderedLesson)> = lesson::Entity::find()
            .filter(lesson::Column::CourseId.eq(course_id))
            .filter(lesson::Column::Removed.eq(false))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|l| {
                let mpos = *modules.get(&l.module_id)?;
                Some((
                    mpos,
                    l.position,
                    OrderedLesson {
                        id: l.id,
                        key: l.key,
                        kind: l.kind.parse().ok()?,
                    },
                ))
            })
            .collect();
        lessons.sort_by_key(|(m, p, _)| (*m, *p));
        Ok(lessons.into_iter().map(|(_, _, l)| l).collect())
    }

    async fn active_enrolment(&self, user_id: Uuid, course_id: Uuid) -> Result<enrolment::Model> {
        enrolment::Entity::find()
            .filter(enrolment::Column::UserId.eq(user_id))
            .filter(enrolment::Column::CourseId.eq(course_id))
            .filter(enrolment::Column::Status.eq(ACTIVE))
            .one(&self.db)
            .await?
            .ok_or(Error::Forbidden {
                reason: "enrol in this course first",
            })
    }

    /// Enrols a learner; enrolling again returns the same enrolment, and
    /// re-enrolling after leaving resumes it with its progress.
    pub async fn enrol(&self, user_id: Uuid, slug: &str) -> Result<Enrolled> {
        let course = self.published_course(slug).await?;
        // Structure is read before the transaction: a transaction must never
        // wait for a second connection from the pool.
        let order = self.lessons_of(course.id).await?;
        let txn = crate::db::begin_write(&self.db).await?;
        // One learner's enrolments are changed one at a time (the user row
        // lock), so the cached list of them is always complete.
        crate::entities::user::Entity::update_many()
            .col_expr(
                crate::entities::user::Column::UpdatedAt,
                Expr::col(crate::entities::user::Column::UpdatedAt),
            )
            .filter(crate::entities::user::Column::Id.eq(user_id))
            .exec(&txn)
            .await?;
        let at = now();
        let inserted = enrolment::Entity::insert(enrolment::ActiveModel {
            id: Set(Uuid::new_v4()),
            user_id: Set(user_id),
            course_id: Set(course.id),
            status: Set(ACTIVE.into()),
            enrolled_at: Set(at),
            last_lesson_id: Set(None),
            last_activity_at: Set(at),
            completed_at: Set(None),
            progress_version: Set(0),
            last_reminded_at: Set(None),
        })
        .on_conflict(
            OnConflict::columns([enrolment::Column::UserId, enrolment::Column::CourseId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        let created = inserted == 1;
        let mut e = enrolment::Entity::find()
            .filter(enrolment::Column::UserId.eq(user_id))
            .filter(enrolment::Column::CourseId.eq(course.id))
            .one(&txn)
            .await?
            .ok_or(Error::Internal("enrolment vanished".into()))?;
        if created {
            use sea_orm::sea_query::ExprTrait;
            course::Entity::update_many()
                .col_expr(
                    course::Column::EnrolmentCount,
                    Expr::col(course::Column::EnrolmentCount).add(1),
                )
                .filter(course::Column::Id.eq(course.id))
                .exec(&txn)
                .await?;
            jobs::enqueue(&txn, &EnrolledMail { enrolment_id: e.id }).await?;
            crate::search::enqueue_popularity_refresh(&txn, course.id).await?;
        } else if e.status != ACTIVE {
            e = set_status(&txn, e.id, ACTIVE).await?;
        }
        let ids = if created {
            Some(enrolment_ids_in(&txn, user_id).await?)
        } else {
            None
        };
        let summary = self.commit_with_summary(txn, e.clone(), &order).await?;
        if let Some(ids) = ids {
            self.store_enrolment_ids(user_id, &ids).await;
        }
        Ok(Enrolled {
            enrolment: e,
            created,
            summary,
        })
    }

    /// Leaves a course; the enrolment and its progress are kept for a later return.
    pub async fn unenrol(&self, user_id: Uuid, slug: &str) -> Result<()> {
        let course = self.published_course(slug).await?;
        let e = self
            .active_enrolment(user_id, course.id)
            .await
            .map_err(|_| Error::NotFound { what: "enrolment" })?;
        let order = self.lessons_of(course.id).await?;
        let txn = crate::db::begin_write(&self.db).await?;
        let e = set_status(&txn, e.id, LEFT).await?;
        self.commit_with_summary(txn, e, &order).await?;
        Ok(())
    }

    /// Finds a lesson of the course by key or by id; a lesson of another course is not found.
    async fn find_lesson(&self, course_id: Uuid, key_or_id: &str) -> Result<lesson::Model> {
        let mut q = lesson::Entity::find()
            .filter(lesson::Column::CourseId.eq(course_id))
            .filter(lesson::Column::Removed.eq(false));
        q = match Uuid::parse_str(key_or_id) {
            Ok(id) => q.filter(lesson::Column::Id.eq(id)),
            Err(_) => q.filter(lesson::Column::Key.eq(key_or_id)),
        };
        q.one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "lesson" })
    }

    /// One lesson for an enrolled learner, rendered in their locale with fallback.
    pub async fn lesson(
        &self,
        user_id: Uuid,
        slug: &str,
        key: &str,
        preferred: &[Locale],
    ) -> Result<LessonView> {
        let course = self.published_course(slug).await?;
        let e = self.active_enrolment(user_id, course.id).await?;
        let l = self.find_lesson(course.id, key).await?;
        let default: Locale = course.default_locale.parse().unwrap_or(Locale::En);
        let texts = lesson_translation::Entity::find()
            .filter(lesson_translation::Column::LessonId.eq(l.id))
            .all(&self.db)
            .await?;
        let available: Vec<Locale> = texts.iter().filter_map(|t| t.locale.parse().ok()).collect();
        let locale = pick_locale(preferred, &available, default);
        let text = texts
            .iter()
            .find(|t| t.locale == locale.as_str())
            .or_else(|| texts.first())
            .ok_or(Error::Internal("lesson without text".into()))?;
        let media = crate::media::published_refs(&self.db, course.id).await?;
        let links = crate::media::PublishedLinks {
            course: CourseLinks { slug: &course.slug },
            media: &media,
        };
        let order = self.lessons_of(course.id).await?;
        let pos = order.iter().position(|o| o.id == l.id).unwrap_or(0);
        let neighbour = |i: Option<usize>| i.and_then(|i| order.get(i)).map(|o| o.key.clone());
        let completed = lesson_progress::Entity::find_by_id((e.id, l.id))
            .one(&self.db)
            .await?
            .is_some();
        let kind: LessonKind = l.kind.parse().map_err(Error::Internal)?;

        let resource = if kind == LessonKind::Resource {
            lesson_resource::Entity::find()
                .select_only()
                .columns([
                    lesson_resource::Column::FileName,
                    lesson_resource::Column::ContentType,
                ])
                .filter(lesson_resource::Column::LessonId.eq(l.id))
                .into_tuple::<(String, String)>()
                .one(&self.db)
                .await?
                .map(|(file_name, content_type)| ResourceLink {
                    download_path: format!(
                        "/api/v1/courses/{}/lessons/{}/resource",
                        course.slug, l.key
                    ),
                    file_name,
                    content_type,
                })
        } else {
            None
        };
        let quiz = if kind == LessonKind::Quiz {
            Some(self.quiz_view(&l, &e, locale, default).await?)
        } else {
            None
        };

        // Remember where the learner is, for "continue where you left off".
        let txn = crate::db::begin_write(&self.db).await?;
        let e = lock_enrolment(&txn, e.id, l.id).await?;
        let summary = self.commit_with_summary(txn, e, &order).await?;

        Ok(LessonView {
            id: l.id,
            key: l.key.clone(),
            kind,
            locale: text.locale.parse().unwrap_or(default),
            title: text.title.clone(),
            html: markdown::render(&text.body, &links),
            duration_minutes: l.duration_minutes.max(0) as u32,
            video_url: l.video_url.clone(),
            video_placeholder: kind == LessonKind::Video && l.video_url.is_none(),
            resource,
            quiz,
            previous_key: neighbour(pos.checked_sub(1)),
            next_key: neighbour(Some(pos + 1)),
            completed,
            progress: summary,
        })
    }

    async fn quiz_view(
        &self,
        l: &lesson::Model,
        e: &enrolment::Model,
        locale: Locale,
        default: Locale,
    ) -> Result<QuizView> {
        let questions = quiz_question::Entity::find()
            .filter(quiz_question::Column::LessonId.eq(l.id))
            .order_by_asc(quiz_question::Column::Position)
            .all(&self.db)
            .await?;
        let texts = question_translation::Entity::find()
            .filter(
                question_translation::Column::QuestionId
                    .is_in(questions.iter().map(|q| q.id).collect::<Vec<_>>()),
            )
            .all(&self.db)
            .await?;
        let attempts = quiz_attempt::Entity::find()
            .filter(quiz_attempt::Column::EnrolmentId.eq(e.id))
            .filter(quiz_attempt::Column::LessonId.eq(l.id))
            .all(&self.db)
            .await?;
        let mut out = Vec::new();
        for q in &questions {
            let (prompt, option_texts) = question_text(&texts, q, locale, default);
            let keys: Vec<String> = serde_json::from_value(q.options.clone()).unwrap_or_default();
            out.push(QuestionView {
                key: q.key.clone(),
                kind: q.kind.parse().map_err(Error::Internal)?,
                prompt,
                options: keys
                    .iter()
                    .map(|k| OptionView {
                        key: k.clone(),
                        text: option_texts
                            .get(k)
                            .map(|o| o.text.clone())
                            .unwrap_or_else(|| k.clone()),
                    })
                    .collect(),
            });
        }
        Ok(QuizView {
            passing_score: l.passing_score.unwrap_or(100).max(0) as u32,
            max_attempts: l.max_attempts.map(|m| m.max(0) as u32),
            attempts_used: attempts.len() as u32,
            best_score: attempts.iter().map(|a| a.score.max(0) as u32).max(),
            passed: attempts.iter().any(|a| a.passed),
            questions: out,
        })
    }

    /// The downloadable file of a resource lesson, in the learner's locale with fallback.
    pub async fn resource(
        &self,
        user_id: Uuid,
        slug: &str,
        key: &str,
        preferred: &[Locale],
    ) -> Result<lesson_resource::Model> {
        let course = self.published_course(slug).await?;
        self.active_enrolment(user_id, course.id).await?;
        let l = self.find_lesson(course.id, key).await?;
        let files = lesson_resource::Entity::find()
            .filter(lesson_resource::Column::LessonId.eq(l.id))
            .all(&self.db)
            .await?;
        let available: Vec<Locale> = files.iter().filter_map(|f| f.locale.parse().ok()).collect();
        let locale = pick_locale(
            preferred,
            &available,
            course.default_locale.parse().unwrap_or(Locale::En),
        );
        files
            .into_iter()
            .find(|f| f.locale == locale.as_str())
            .ok_or(Error::NotFound { what: "resource" })
    }

    /// A resource file by the name lesson Markdown links to it with
    /// (`resource:sheet.md`, served at `/courses/{slug}/resources/sheet.md`),
    /// for an enrolled learner, in their locale with fallback.
    pub async fn resource_file(
        &self,
        user_id: Uuid,
        slug: &str,
        file_name: &str,
        preferred: &[Locale],
    ) -> Result<lesson_resource::Model> {
        let course = self.published_course(slug).await?;
        self.active_enrolment(user_id, course.id).await?;
        let lesson_ids: Vec<Uuid> = lesson::Entity::find()
            .select_only()
            .column(lesson::Column::Id)
            .filter(lesson::Column::CourseId.eq(course.id))
            .filter(lesson::Column::Removed.eq(false))
            .into_tuple()
            .all(&self.db)
            .await?;
        let files = lesson_resource::Entity::find()
            .filter(lesson_resource::Column::LessonId.is_in(lesson_ids))
            .filter(lesson_resource::Column::FileName.eq(file_name))
            .all(&self.db)
            .await?;
        let available: Vec<Locale> = files.iter().filter_map(|f| f.locale.parse().ok()).collect();
        let locale = pick_locale(
            preferred,
            &available,
            course.default_locale.parse().unwrap_or(Locale::En),
        );
        files
            .into_iter()
            .find(|f| f.locale == locale.as_str())
            .ok_or(Error::NotFound { what: "resource" })
    }

    /// Completes a lesson. Idempotent; quizzes are completed by passing them.
    pub async fn complete_lesson(
        &self,
        user_id: Uuid,
        slug: &str,
        key: &str,
    ) -> Result<ProgressSummary> {
        let course = self.published_course(slug).await?;
        let e = self.active_enrolment(user_id, course.id).await?;
        let lessons = self.lessons_of(course.id).await?;
        let by_id = Uuid::parse_str(key).ok();
        let l = lessons
            .iter()
            .find(|l| Some(l.id) == by_id || l.key == key)
            .ok_or(Error::NotFound { what: "lesson" })?;
        if l.kind == LessonKind::Quiz {
            return Err(Error::Conflict {
                field: "lesson".into(),
                reason: "a quiz is completed by passing it".into(),
            });
        }
        let txn = crate::db::begin_write(&self.db).await?;
        let e = record_completion(&txn, e.id, &lessons, l.id).await?;
        self.commit_with_summary(txn, e, &lessons).await
    }

    /// Scores a quiz on the server, records the attempt, and completes the
    /// lesson when it passes.
    pub async fn submit_quiz(
        &self,
        user_id: Uuid,
        slug: &str,
        key: &str,
        answers: &BTreeMap<String, Vec<String>>,
        preferred: &[Locale],
    ) -> Result<QuizResult> {
        let course = self.published_course(slug).await?;
        let e = self.active_enrolment(user_id, course.id).await?;
        let l = self.find_lesson(course.id, key).await?;
        if l.kind != LessonKind::Quiz.as_str() {
            return Err(Error::Conflict {
                field: "lesson".into(),
                reason: "this lesson is not a quiz".into(),
            });
        }
        let questions = quiz_question::Entity::find()
            .filter(quiz_question::Column::LessonId.eq(l.id))
            .order_by_asc(quiz_question::Column::Position)
            .all(&self.db)
            .await?;
        let graded = grade(&questions, answers)?;
        let correct = graded.iter().filter(|g| g.correct).count();
        let score = (correct * 100 / questions.len().max(1)) as u32;
        let passing = l.passing_score.unwrap_or(100).max(0) as u32;
        let passed = score >= passing;

        let lessons = self.lessons_of(course.id).await?;
        let txn = crate::db::begin_write(&self.db).await?;
        // Lock the enrolment first: attempt counting and completion then
        // cannot race with another submission of the same learner.
        let mut locked = lock_enrolment(&txn, e.id, l.id).await?;
        // The right answers are shown once they can no longer be copied
        // into a retry: after a pass, or when this was the last attempt.
        let mut reveal = passed;
        if let Some(max) = l.max_attempts {
            let used = quiz_attempt::Entity::find()
                .filter(quiz_attempt::Column::EnrolmentId.eq(e.id))
                .filter(quiz_attempt::Column::LessonId.eq(l.id))
                .count(&txn)
                .await?;
            if used >= max.max(0) as u64 {
                return Err(Error::Conflict {
                    field: "attempts".into(),
                    reason: format!("all {max} attempts at this quiz are used"),
                });
            }
            reveal |= used + 1 >= max.max(0) as u64;
        }
        quiz_attempt::ActiveModel {
            id: Set(Uuid::new_v4()),
            enrolment_id: Set(e.id),
            lesson_id: Set(l.id),
            answers: Set(serde_json::json!(answers)),
            score: Set(score as i32),
            passed: Set(passed),
            created_at: Set(now()),
        }
        .insert(&txn)
        .await?;
        if passed {
            locked = record_completion(&txn, e.id, &lessons, l.id).await?;
        }
        let progress = self.commit_with_summary(txn, locked, &lessons).await?;

        // Feedback in the learner's locale: whether each answer was right and
        // why the chosen options are (not) right; every option's explanation
        // and the right options only when `reveal`.
        let default: Locale = course.default_locale.parse().unwrap_or(Locale::En);
        let texts = question_translation::Entity::find()
            .filter(
                question_translation::Column::QuestionId
                    .is_in(questions.iter().map(|q| q.id).collect::<Vec<_>>()),
            )
            .all(&self.db)
            .await?;
        let available: BTreeSet<Locale> =
            texts.iter().filter_map(|t| t.locale.parse().ok()).collect();
        let locale = pick_locale(
            preferred,
            &available.into_iter().collect::<Vec<_>>(),
            default,
        );
        let feedback = questions
            .iter()
            .zip(graded)
            .map(|(q, g)| {
                let (prompt, option_texts) = question_text(&texts, q, locale, default);
                let keys: Vec<String> =
                    serde_json::from_value(q.options.clone()).unwrap_or_default();
                let options = keys
                    .iter()
                    .map(|k| OptionFeedback {
                        key: k.clone(),
                        text: option_texts
                            .get(k)
                            .map(|o| o.text.clone())
                            .unwrap_or_default(),
                        explanation: option_texts
                            .get(k)
                            .filter(|_| reveal || g.chosen.contains(k))
                            .map(|o| o.explanation.clone())
                            .unwrap_or_default(),
                    })
                    .collect();
                QuestionFeedback {
                    key: q.key.clone(),
                    prompt,
                    correct: g.correct,
                    correct_options: if reveal { g.expected } else { Vec::new() },
                    chosen: g.chosen,
                    options,
                }
            })
            .collect();
        Ok(QuizResult {
            score,
            passing_score: passing,
            passed,
            questions: feedback,
            progress,
        })
    }

    /// Recomputes an enrolment's summary from the database and writes it to the cache.
    pub async fn refresh_summary(&self, enrolment_id: Uuid) -> Result<ProgressSummary> {
        let isolation = match self.db.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => Some(sea_orm::IsolationLevel::RepeatableRead),
            // A SQLite transaction reads one snapshot already.
            _ => None,
        };
        // The course never changes for an enrolment: read its structure
        // before the transaction, which must not wait for a second connection.
        let course_id: Uuid = enrolment::Entity::find_by_id(enrolment_id)
            .select_only()
            .column(enrolment::Column::CourseId)
            .into_tuple()
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "enrolment" })?;
        let order = self.lessons_of(course_id).await?;
        let txn = self.db.begin_with_config(isolation, None).await?;
        let e = enrolment::Entity::find_by_id(enrolment_id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound { what: "enrolment" })?;
        let summary = build_summary(&txn, e, &order).await?;
        txn.commit().await?;
        self.store_summary(&summary).await;
        Ok(summary)
    }

    async fn store_summary(&self, summary: &ProgressSummary) {
        let json = serde_json::to_vec(summary).expect("summaries serialise");
        self.cache
            .set(
                &cache_key(summary.enrolment_id),
                summary.version.max(0) as u64,
                &json,
            )
            .await;
    }

    /// Builds the summary inside the transaction that changed the progress
    /// (so it matches the version it bumped), commits, then caches it.
    async fn commit_with_summary(
        &self,
        txn: sea_orm::DatabaseTransaction,
        e: enrolment::Model,
        order: &[OrderedLesson],
    ) -> Result<ProgressSummary> {
        let summary = build_summary(&txn, e, order).await?;
        txn.commit().await?;
        self.store_summary(&summary).await;
        Ok(summary)
    }

    /// Summaries for these enrolments: from the cache, rebuilt on a miss.
    pub async fn summaries(&self, enrolment_ids: &[Uuid]) -> Result<Vec<ProgressSummary>> {
        let keys: Vec<String> = enrolment_ids.iter().map(|id| cache_key(*id)).collect();
        let cached = self.cache.get_many(&keys).await;
        let mut out = Vec::with_capacity(enrolment_ids.len());
        for (id, hit) in enrolment_ids.iter().zip(cached) {
            match hit.and_then(|bytes| serde_json::from_slice::<ProgressSummary>(&bytes).ok()) {
                Some(s) => out.push(s),
                None => out.push(self.refresh_summary(*id).await?),
            }
        }
        Ok(out)
    }

    /// The learner's progress in one course they are enrolled in, from the cache.
    pub async fn course_progress(&self, user_id: Uuid, slug: &str) -> Result<ProgressSummary> {
        let course = self.published_course(slug).await?;
        let e = self
            .active_enrolment(user_id, course.id)
            .await
            .map_err(|_| Error::NotFound { what: "enrolment" })?;
        self.summaries(&[e.id])
            .await?
            .pop()
            .ok_or(Error::NotFound { what: "enrolment" })
    }

    /// "My learning": the learner's active enrolments with their progress.
    pub async fn my_learning(&self, user_id: Uuid, preferred: &[Locale]) -> Result<Vec<MyCourse>> {
        let ids = self.enrolment_ids(user_id).await?;
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut summaries: Vec<ProgressSummary> = self
            .summaries(&ids)
            .await?
            .into_iter()
            .filter(|s| s.status == ACTIVE)
            .collect();
        summaries.sort_by_key(|s| std::cmp::Reverse(s.last_activity_at));
        let mut out = Vec::with_capacity(summaries.len());
        for s in summaries {
            let titles = self.titles_of(s.course_id).await?;
            let available: Vec<Locale> = titles.titles.iter().map(|(l, _)| *l).collect();
            let locale = pick_locale(preferred, &available, titles.default_locale);
            let title = titles
                .titles
                .iter()
                .find(|(l, _)| *l == locale)
                .map(|(_, t)| t.clone())
                .unwrap_or_else(|| titles.slug.clone());
            out.push(MyCourse {
                slug: titles.slug.clone(),
                title,
                locale,
                progress: s,
            });
        }
        Ok(out)
    }

    /// A learner's enrolments (any status), from the cache. The cached list
    /// is versioned by its length: enrolments are only ever added.
    async fn enrolment_ids(&self, user_id: Uuid) -> Result<Vec<Uuid>> {
        let key = learner_key(user_id);
        if let Some(Some(bytes)) = self.cache.get_many(std::slice::from_ref(&key)).await.pop()
            && let Ok(ids) = serde_json::from_slice::<Vec<Uuid>>(&bytes)
        {
            return Ok(ids);
        }
        let ids = enrolment_ids_in(&self.db, user_id).await?;
        self.store_enrolment_ids(user_id, &ids).await;
        Ok(ids)
    }

    async fn store_enrolment_ids(&self, user_id: Uuid, ids: &[Uuid]) {
        let json = serde_json::to_vec(ids).expect("ids serialise");
        self.cache
            .set(&learner_key(user_id), ids.len() as u64, &json)
            .await;
    }

    /// A course's slug and titles, from the structure cache.
    async fn titles_of(&self, course_id: Uuid) -> Result<Arc<CourseTitles>> {
        if let Some(t) = self.titles.get(&course_id).await {
            return Ok(t);
        }
        let c = course::Entity::find_by_id(course_id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "course" })?;
        let titles: Vec<(String, String)> = course_translation::Entity::find()
            .select_only()
            .columns([
                course_translation::Column::Locale,
                course_translation::Column::Title,
            ])
            .filter(course_translation::Column::CourseId.eq(course_id))
            .into_tuple()
            .all(&self.db)
            .await?;
        let t = Arc::new(CourseTitles {
            slug: c.slug,
            default_locale: c.default_locale.parse().unwrap_or(Locale::En),
            titles: titles
                .into_iter()
                .filter_map(|(l, t)| Some((l.parse().ok()?, t)))
                .collect(),
        });
        self.titles.insert(course_id, t.clone()).await;
        Ok(t)
    }
}

/// A course's slug and title in each locale it has.
struct CourseTitles {
    slug: String,
    default_locale: Locale,
    titles: Vec<(Locale, String)>,
}

fn learner_key(user_id: Uuid) -> String {
    format!("agora:learner:v1:{user_id}")
}

async fn enrolment_ids_in(db: &impl ConnectionTrait, user_id: Uuid) -> Result<Vec<Uuid>> {
    Ok(enrolment::Entity::find()
        .select_only()
        .column(enrolment::Column::Id)
        .filter(enrolment::Column::UserId.eq(user_id))
        .order_by_asc(enrolment::Column::EnrolledAt)
        .into_tuple()
        .all(db)
        .await?)
}

/// Changes an enrolment under its row lock (PostgreSQL) or the write lock
/// (SQLite), taken before anything else is read. Every change to progress
/// passes here, so every change bumps the progress version that cached
/// summaries carry. Returns the enrolment as it now is.
async fn change_enrolment(
    db: &impl ConnectionTrait,
    enrolment_id: Uuid,
    status: Option<&str>,
    lesson_id: Option<Uuid>,
) -> Result<enrolment::Model> {
    use sea_orm::sea_query::ExprTrait;
    let mut update = enrolment::Entity::update_many()
        .col_expr(
            enrolment::Column::ProgressVersion,
            Expr::col(enrolment::Column::ProgressVersion).add(1),
        )
        .col_expr(enrolment::Column::LastActivityAt, Expr::value(now()));
    if let Some(status) = status {
        update = update.col_expr(enrolment::Column::Status, Expr::value(status));
    }
    if let Some(lesson_id) = lesson_id {
        update = update.col_expr(
            enrolment::Column::LastLessonId,
            Expr::value(Some(lesson_id)),
        );
    }
    update
        .filter(enrolment::Column::Id.eq(enrolment_id))
        .exec_with_returning(db)
        .await?
        .pop()
        .ok_or(Error::NotFound { what: "enrolment" })
}

async fn set_status(
    db: &impl ConnectionTrait,
    enrolment_id: Uuid,
    status: &str,
) -> Result<enrolment::Model> {
    change_enrolment(db, enrolment_id, Some(status), None).await
}

/// Locks the enrolment and records the lesson as the last one visited.
async fn lock_enrolment(
    db: &impl ConnectionTrait,
    enrolment_id: Uuid,
    lesson_id: Uuid,
) -> Result<enrolment::Model> {
    change_enrolment(db, enrolment_id, None, Some(lesson_id)).await
}

/// Records a completed lesson and, when it was the last one, completes the
/// course and enqueues `course_completed` in the same transaction. The
/// enrolment row lock makes two concurrent completions of the last two
/// lessons see each other: exactly one completes the course.
async fn record_completion(
    db: &impl ConnectionTrait,
    enrolment_id: Uuid,
    lessons: &[OrderedLesson],
    lesson_id: Uuid,
) -> Result<enrolment::Model> {
    let mut e = lock_enrolment(db, enrolment_id, lesson_id).await?;
    let inserted = lesson_progress::Entity::insert(lesson_progress::ActiveModel {
        enrolment_id: Set(enrolment_id),
        lesson_id: Set(lesson_id),
        completed_at: Set(now()),
    })
    .on_conflict(
        OnConflict::columns([
            lesson_progress::Column::EnrolmentId,
            lesson_progress::Column::LessonId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    // Nothing new, or already complete: the course's state cannot change.
    if inserted == 0 || e.completed_at.is_some() {
        return Ok(e);
    }
    let required: Vec<Uuid> = lessons.iter().map(|l| l.id).collect();
    let done = lesson_progress::Entity::find()
        .filter(lesson_progress::Column::EnrolmentId.eq(enrolment_id))
        .filter(lesson_progress::Column::LessonId.is_in(required.clone()))
        .count(db)
        .await?;
    if !required.is_empty() && done as usize >= required.len() {
        let at = now();
        let res = enrolment::Entity::update_many()
            .col_expr(enrolment::Column::CompletedAt, Expr::value(Some(at)))
            .filter(enrolment::Column::Id.eq(enrolment_id))
            .filter(enrolment::Column::CompletedAt.is_null())
            .exec(db)
            .await?;
        if res.rows_affected == 1 {
            e.completed_at = Some(at);
            jobs::enqueue(db, &CourseCompleted { enrolment_id }).await?;
        }
    }
    Ok(e)
}

/// The summary of an enrolment as `db` sees it; `e` must be its current row.
async fn build_summary(
    db: &impl ConnectionTrait,
    e: enrolment::Model,
    order: &[OrderedLesson],
) -> Result<ProgressSummary> {
    let done: BTreeSet<Uuid> = lesson_progress::Entity::find()
        .select_only()
        .column(lesson_progress::Column::LessonId)
        .filter(lesson_progress::Column::EnrolmentId.eq(e.id))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let completed = order.iter().filter(|l| done.contains(&l.id)).count() as u32;
    let total = order.len() as u32;
    let resume = order
        .iter()
        .find(|l| !done.contains(&l.id))
        .or_else(|| {
            e.last_lesson_id
                .and_then(|id| order.iter().find(|l| l.id == id))
        })
        .or(order.first());
    let percent = if e.completed_at.is_some() {
        100
    } else {
        (completed * 100).checked_div(total).unwrap_or(0) as u8
    };
    Ok(ProgressSummary {
        enrolment_id: e.id,
        course_id: e.course_id,
        status: e.status,
        completed_lessons: completed,
        total_lessons: total,
        percent,
        last_lesson_id: e.last_lesson_id,
        resume_lesson_id: resume.map(|l| l.id),
        resume_lesson_key: resume.map(|l| l.key.clone()),
        enrolled_at: e.enrolled_at,
        last_activity_at: e.last_activity_at,
        completed_at: e.completed_at,
        version: e.progress_version,
    })
}

/// A question's prompt and option texts in `locale`, else the course's
/// default locale, else whichever translation there is.
fn question_text(
    texts: &[question_translation::Model],
    q: &quiz_question::Model,
    locale: Locale,
    default: Locale,
) -> (String, BTreeMap<String, crate::course_source::OptionText>) {
    let text = texts
        .iter()
        .filter(|t| t.question_id == q.id)
        .max_by_key(|t| (t.locale == locale.as_str(), t.locale == default.as_str()));
    let options = text
        .and_then(|t| serde_json::from_value(t.options.clone()).ok())
        .unwrap_or_default();
    (text.map(|t| t.prompt.clone()).unwrap_or_default(), options)
}

struct Graded {
    correct: bool,
    chosen: Vec<String>,
    expected: Vec<String>,
}

/// Checks that every question is answered with valid options, then scores.
fn grade(
    questions: &[quiz_question::Model],
    answers: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<Graded>> {
    for key in answers.keys() {
        if !questions.iter().any(|q| &q.key == key) {
            return Err(Error::invalid(
                format!("answers.{}", truncate(key)),
                "there is no such question in this quiz",
            ));
        }
    }
    let mut out = Vec::new();
    for q in questions {
        let field = format!("answers.{}", q.key);
        let chosen = answers
            .get(&q.key)
            .ok_or_else(|| Error::invalid(&field, "answer every question"))?;
        let options: Vec<String> = serde_json::from_value(q.options.clone()).unwrap_or_default();
        let mut expected: Vec<String> =
            serde_json::from_value(q.correct.clone()).unwrap_or_default();
        let unique: BTreeSet<&String> = chosen.iter().collect();
        if unique.len() != chosen.len() {
            return Err(Error::invalid(&field, "an option is chosen twice"));
        }
        if let Some(bad) = chosen.iter().find(|c| !options.contains(c)) {
            return Err(Error::invalid(
                &field,
                format!("`{}` is not an option of this question", truncate(bad)),
            ));
        }
        let kind: QuestionKind = q.kind.parse().map_err(Error::Internal)?;
        match kind {
            QuestionKind::Single | QuestionKind::TrueFalse if chosen.len() != 1 => {
                return Err(Error::invalid(&field, "choose exactly one option"));
            }
            QuestionKind::Multiple if chosen.is_empty() => {
                return Err(Error::invalid(&field, "choose at least one option"));
            }
            _ => {}
        }
        let mut sorted = chosen.clone();
        sorted.sort();
        expected.sort();
        out.push(Graded {
            correct: sorted == expected,
            chosen: chosen.clone(),
            expected,
        });
    }
    Ok(out)
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

// ---------------------------------------------------------------------------
// Views.

#[derive(Clone, Debug)]
pub struct LessonView {
    pub id: Uuid,
    pub key: String,
    pub kind: LessonKind,
    pub locale: Locale,
    pub title: String,
    /// The lesson body (for a video, its transcript) as sanitised HTML.
    pub html: String,
    pub duration_minutes: u32,
    pub video_url: Option<String>,
    pub video_placeholder: bool,
    pub resource: Option<ResourceLink>,
    pub quiz: Option<QuizView>,
    pub previous_key: Option<String>,
    pub next_key: Option<String>,
    pub completed: bool,
    pub progress: ProgressSummary,
}

#[derive(Clone, Debug)]
pub struct ResourceLink {
    pub file_name: String,
    pub content_type: String,
    pub download_path: String,
}

#[derive(Clone, Debug)]
pub struct QuizView {
    pub passing_score: u32,
    pub max_attempts: Option<u32>,
    pub attempts_used: u32,
    pub best_score: Option<u32>,
    pub passed: bool,
    pub questions: Vec<QuestionView>,
}

/// A question as served before an attempt: no correct answers, no explanations.
#[derive(Clone, Debug)]
pub struct QuestionView {
    pub key: String,
    pub kind: QuestionKind,
    pub prompt: String,
    pub options: Vec<OptionView>,
}

#[derive(Clone, Debug)]
pub struct OptionView {
    pub key: String,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct QuizResult {
    pub score: u32,
    pub passing_score: u32,
    pub passed: bool,
    pub questions: Vec<QuestionFeedback>,
    pub progress: ProgressSummary,
}

#[derive(Clone, Debug)]
pub struct QuestionFeedback {
    pub key: String,
    pub prompt: String,
    pub correct: bool,
    pub chosen: Vec<String>,
    /// Empty until the answers are revealed (a pass, or the last attempt).
    pub correct_options: Vec<String>,
    pub options: Vec<OptionFeedback>,
}

#[derive(Clone, Debug)]
pub struct OptionFeedback {
    pub key: String,
    pub text: String,
    pub explanation: String,
}

#[derive(Clone, Debug)]
pub struct MyCourse {
    pub slug: String,
    pub title: String,
    pub locale: Locale,
    pub progress: ProgressSummary,
}
