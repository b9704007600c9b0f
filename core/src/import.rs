//! Writing course sources into the database (import) and reading them back (export).

use std::collections::{BTreeMap, HashMap};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Error, Result,
    course_source::{
        CourseSource, LessonSource, LessonText, LocaleText, ModuleSource, QuestionSource,
        QuestionText, Resource,
    },
    domain::{CourseStatus, LessonKind, Locale, QuestionKind, Slug},
    entities::{
        course, course_theme, course_translation, lesson, lesson_resource, lesson_translation,
        module, module_translation, question_translation, quiz_question,
    },
};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: Vec<String>,
}

/// Imports courses in one transaction: all of them or none.
/// A course whose source is unchanged is not touched at all; every created
/// or changed one gets a search indexing job in the same transaction.
pub async fn import_courses(
    db: &DatabaseConnection,
    storage: &crate::storage::Storage,
    courses: &[CourseSource],
) -> Result<ImportSummary> {
    // Media go to the storage port first: content-addressed, so writing
    // them for an import that then fails leaves nothing wrong behind.
    for source in courses {
        crate::media::store(storage, db, source).await?;
    }
    let txn = crate::db::begin_write(db).await?;
    let mut summary = ImportSummary::default();
    for source in courses {
        let slug = source.slug.to_string();
        match upsert_course(&txn, source).await? {
            Outcome::Created(id) => {
                crate::search::enqueue_index(&txn, id).await?;
                summary.created.push(slug)
            }
            Outcome::Updated(id) => {
                crate::search::enqueue_index(&txn, id).await?;
                summary.updated.push(slug)
            }
            Outcome::Unchanged => summary.unchanged.push(slug),
        }
    }
    if !summary.created.is_empty() || !summary.updated.is_empty() {
        // Every running server drops what it rendered of the old content.
        crate::published::bump(&txn).await?;
    }
    txn.commit().await?;
    Ok(summary)
}

/// Applies one course source inside the caller's transaction (with its
/// search indexing job when anything changed) and returns the course's id.
/// Modules and lessons keep their ids by key, so learners' progress survives.
pub async fn apply_course(txn: &impl ConnectionTrait, source: &CourseSource) -> Result<Uuid> {
    match upsert_course(txn, source).await? {
        Outcome::Created(id) | Outcome::Updated(id) => {
            crate::search::enqueue_index(txn, id).await?;
            Ok(id)
        }
        Outcome::Unchanged => course::Entity::find()
            .filter(course::Column::Slug.eq(source.slug.as_str()))
            .one(txn)
            .await?
            .map(|c| c.id)
            .ok_or(Error::NotFound { what: "course" }),
    }
}

pub async fn catalogue_is_empty(db: &DatabaseConnection) -> Result<bool> {
    Ok(course::Entity::find().count(db).await? == 0)
}

enum Outcome {
    Created(Uuid),
    Updated(Uuid),
    Unchanged,
}

async fn upsert_course(db: &impl ConnectionTrait, src: &CourseSource) -> Result<Outcome> {
    let digest = src.digest();
    let now = OffsetDateTime::now_utc();
    let existing = course::Entity::find()
        .filter(course::Column::Slug.eq(src.slug.as_str()))
        .one(db)
        .await?;
    let (course_id, outcome) = match existing {
        Some(c) if c.source_hash == digest => return Ok(Outcome::Unchanged),
        Some(c) => {
            let id = c.id;
            let newly_published = src.status == CourseStatus::Published && c.published_at.is_none();
            let mut am: course::ActiveModel = c.into();
            am.default_locale = Set(src.default_locale.to_string());
            am.level = Set(src.level.to_string());
            am.duration_minutes = Set(src.duration_minutes as i32);
            am.status = Set(src.status.to_string());
            am.module_count = Set(src.modules.len() as i32);
            am.lesson_count = Set(src.lessons().count() as i32);
            am.source_hash = Set(digest);
            am.sources = Set(crate::catalogue::stored::encode(&src.sources));
            am.updated_at = Set(now);
            if newly_published {
                am.published_at = Set(Some(now));
            }
            am.update(db).await?;
            (id, Outcome::Updated(id))
        }
        None => {
            let id = Uuid::new_v4();
            course::ActiveModel {
                id: Set(id),
                slug: Set(src.slug.to_string()),
                default_locale: Set(src.default_locale.to_string()),
                level: Set(src.level.to_string()),
                duration_minutes: Set(src.duration_minutes as i32),
                status: Set(src.status.to_string()),
                enrolment_count: Set(0),
                module_count: Set(src.modules.len() as i32),
                lesson_count: Set(src.lessons().count() as i32),
                source_hash: Set(digest),
                sources: Set(crate::catalogue::stored::encode(&src.sources)),
                created_at: Set(now),
                updated_at: Set(now),
                published_at: Set((src.status == CourseStatus::Published).then_some(now)),
            }
            .insert(db)
            .await?;
            (id, Outcome::Created(id))
        }
    };

    course_translation::Entity::delete_many()
        .filter(course_translation::Column::CourseId.eq(course_id))
        .exec(db)
        .await?;
    for (locale, t) in &src.texts {
        course_translation::ActiveModel {
            course_id: Set(course_id),
            locale: Set(locale.to_string()),
            title: Set(t.title.clone()),
            summary: Set(t.summary.clone()),
            description: Set(t.description.clone()),
            objectives: Set(serde_json::json!(t.objectives)),
        }
        .insert(db)
        .await?;
    }
    crate::media::write_rows(db, course_id, src).await?;
    course_theme::Entity::delete_many()
        .filter(course_theme::Column::CourseId.eq(course_id))
        .exec(db)
        .await?;
    for theme in &src.themes {
        course_theme::ActiveModel {
            course_id: Set(course_id),
            theme: Set(theme.clone()),
        }
        .insert(db)
        .await?;
    }

    // Modules and lessons are matched by key, so their ids (and the progress
    // that points at them) survive every re-import. What disappeared from the
    // source is marked removed, never deleted.
    let old_modules: HashMap<String, module::Model> = module::Entity::find()
        .filter(module::Column::CourseId.eq(course_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.key.clone(), m))
        .collect();
    let old_lessons: HashMap<String, lesson::Model> = lesson::Entity::find()
        .filter(lesson::Column::CourseId.eq(course_id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.key.clone(), l))
        .collect();
    let mut kept_modules = Vec::new();
    let mut kept_lessons = Vec::new();
    for (mpos, m) in src.modules.iter().enumerate() {
        let module_id = match old_modules.get(m.key.as_str()) {
            Some(old) => {
                let mut am: module::ActiveModel = old.clone().into();
                am.position = Set(mpos as i32);
                am.removed = Set(false);
                am.update(db).await?;
                old.id
            }
            None => {
                let id = Uuid::new_v4();
                module::ActiveModel {
                    id: Set(id),
                    course_id: Set(course_id),
                    key: Set(m.key.to_string()),
                    position: Set(mpos as i32),
                    removed: Set(false),
                }
                .insert(db)
                .await?;
                id
            }
        };
        kept_modules.push(module_id);
        module_translation::Entity::delete_many()
            .filter(module_translation::Column::ModuleId.eq(module_id))
            .exec(db)
            .await?;
        for (locale, t) in &src.texts {
            if let Some(mt) = t.modules.get(m.key.as_str()) {
                module_translation::ActiveModel {
                    module_id: Set(module_id),
                    locale: Set(locale.to_string()),
                    title: Set(mt.title.clone()),
                    summary: Set(mt.summary.clone()),
                }
                .insert(db)
                .await?;
            }
        }
        for (lpos, l) in m.lessons.iter().enumerate() {
            let lesson_id = upsert_lesson(
                db,
                course_id,
                module_id,
                lpos,
                l,
                old_lessons.get(l.key.as_str()),
            )
            .await?;
            kept_lessons.push(lesson_id);
            write_lesson_texts(db, lesson_id, l, &src.texts).await?;
        }
    }
    module::Entity::update_many()
        .col_expr(module::Column::Removed, true.into())
        .filter(module::Column::CourseId.eq(course_id))
        .filter(module::Column::Id.is_not_in(kept_modules))
        .exec(db)
        .await?;
    lesson::Entity::update_many()
        .col_expr(lesson::Column::Removed, true.into())
        .filter(lesson::Column::CourseId.eq(course_id))
        .filter(lesson::Column::Id.is_not_in(kept_lessons))
        .exec(db)
        .await?;
    Ok(outcome)
}

async fn upsert_lesson(
    db: &impl ConnectionTrait,
    course_id: Uuid,
    module_id: Uuid,
    position: usize,
    l: &LessonSource,
    old: Option<&lesson::Model>,
) -> Result<Uuid> {
    let id = old.map(|o| o.id).unwrap_or_else(Uuid::new_v4);
    let am = lesson::ActiveModel {
        id: Set(id),
        course_id: Set(course_id),
        module_id: Set(module_id),
        key: Set(l.key.to_string()),
        position: Set(position as i32),
        kind: Set(l.kind.to_string()),
        duration_minutes: Set(l.duration_minutes as i32),
        video_url: Set(l.video_url.clone()),
        resource_file: Set(l.file.clone()),
        passing_score: Set(l.passing_score.map(|s| s as i32)),
        max_attempts: Set(l.max_attempts.map(|s| s as i32)),
        removed: Set(false),
    };
    if old.is_some() {
        am.update(db).await?;
    } else {
        am.insert(db).await?;
    }

    let old_questions: HashMap<String, Uuid> = quiz_question::Entity::find()
        .filter(quiz_question::Column::LessonId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|q| (q.key, q.id))
        .collect();
    let mut kept = Vec::new();
    for (pos, q) in l.questions.iter().enumerate() {
        let qid = old_questions.get(q.key.as_str()).copied();
        let am = quiz_question::ActiveModel {
            id: Set(qid.unwrap_or_else(Uuid::new_v4)),
            lesson_id: Set(id),
            key: Set(q.key.to_string()),
            position: Set(pos as i32),
            kind: Set(q.kind.to_string()),
            options: Set(serde_json::json!(q.options)),
            correct: Set(serde_json::json!(q.correct)),
        };
        let saved = if qid.is_some() {
            am.update(db).await?
        } else {
            am.insert(db).await?
        };
        kept.push(saved.id);
    }
    quiz_question::Entity::delete_many()
        .filter(quiz_question::Column::LessonId.eq(id))
        .filter(quiz_question::Column::Id.is_not_in(kept))
        .exec(db)
        .await?;
    Ok(id)
}

async fn write_lesson_texts(
    db: &impl ConnectionTrait,
    lesson_id: Uuid,
    l: &LessonSource,
    texts: &BTreeMap<Locale, LocaleText>,
) -> Result<()> {
    lesson_translation::Entity::delete_many()
        .filter(lesson_translation::Column::LessonId.eq(lesson_id))
        .exec(db)
        .await?;
    lesson_resource::Entity::delete_many()
        .filter(lesson_resource::Column::LessonId.eq(lesson_id))
        .exec(db)
        .await?;
    let questions = quiz_question::Entity::find()
        .filter(quiz_question::Column::LessonId.eq(lesson_id))
        .all(db)
        .await?;
    let question_ids: Vec<Uuid> = questions.iter().map(|q| q.id).collect();
    question_translation::Entity::delete_many()
        .filter(question_translation::Column::QuestionId.is_in(question_ids))
        .exec(db)
        .await?;
    for (locale, t) in texts {
        let Some(lt) = t.lessons.get(l.key.as_str()) else {
            continue;
        };
        lesson_translation::ActiveModel {
            lesson_id: Set(lesson_id),
            locale: Set(locale.to_string()),
            title: Set(lt.title.clone()),
            body: Set(lt.body.clone()),
        }
        .insert(db)
        .await?;
        if let Some(r) = l
            .file
            .as_ref()
            .and_then(|f| t.resources.get(f).map(|r| (f, r)))
        {
            lesson_resource::ActiveModel {
                lesson_id: Set(lesson_id),
                locale: Set(locale.to_string()),
                file_name: Set(r.0.clone()),
                content_type: Set(r.1.content_type.clone()),
                sha256: Set(r.1.sha256.clone()),
                data: Set(r.1.data.clone()),
            }
            .insert(db)
            .await?;
        }
        for q in &questions {
            if let Some(qt) = t.questions.get(&(l.key.to_string(), q.key.clone())) {
                question_translation::ActiveModel {
                    question_id: Set(q.id),
                    locale: Set(locale.to_string()),
                    prompt: Set(qt.prompt.clone()),
                    options: Set(serde_json::to_value(&qt.options)
                        .map_err(|e| Error::Internal(e.to_string()))?),
                }
                .insert(db)
                .await?;
            }
        }
    }
    Ok(())
}

fn parse_column<T: std::str::FromStr<Err = String>>(value: &str, what: &str) -> Result<T> {
    value
        .parse()
        .map_err(|e| Error::Internal(format!("stored {what} is invalid: {e}")))
}

/// Reads every course back into its source form, for `agora export`.
pub async fn load_sources(db: &DatabaseConnection) -> Result<Vec<CourseSource>> {
    let mut out = Vec::new();
    for c in course::Entity::find()
        .order_by_asc(course::Column::Slug)
        .all(db)
        .await?
    {
        out.push(load_source(db, c).await?);
    }
    Ok(out)
}

/// Reads one course back into its source form.
pub async fn load_source_of(db: &DatabaseConnection, course_id: Uuid) -> Result<CourseSource> {
    let c = course::Entity::find_by_id(course_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound { what: "course" })?;
    load_source(db, c).await
}

async fn load_source(db: &DatabaseConnection, c: course::Model) -> Result<CourseSource> {
    let mut texts: BTreeMap<Locale, LocaleText> = BTreeMap::new();
    let sources = crate::catalogue::stored::sources(&c.sources);
    for t in course_translation::Entity::find()
        .filter(course_translation::Column::CourseId.eq(c.id))
        .all(db)
        .await?
    {
        texts.insert(
            parse_column(&t.locale, "locale")?,
            LocaleText {
                title: t.title,
                summary: t.summary,
                description: t.description,
                objectives: serde_json::from_value(t.objectives).unwrap_or_default(),
                ..LocaleText::default()
            },
        );
    }
    let themes = course_theme::Entity::find()
        .filter(course_theme::Column::CourseId.eq(c.id))
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.theme)
        .collect();
    let mut modules = Vec::new();
    let db_modules = module::Entity::find()
        .filter(module::Column::CourseId.eq(c.id))
        .filter(module::Column::Removed.eq(false))
        .order_by_asc(module::Column::Position)
        .all(db)
        .await?;
    for m in db_modules {
        for mt in module_translation::Entity::find()
            .filter(module_translation::Column::ModuleId.eq(m.id))
            .all(db)
            .await?
        {
            if let Some(t) = texts.get_mut(&parse_column::<Locale>(&mt.locale, "locale")?) {
                t.modules.insert(
                    m.key.clone(),
                    crate::course_source::ModuleText {
                        title: mt.title,
                        summary: mt.summary,
                    },
                );
            }
        }
        let mut lessons = Vec::new();
        for l in lesson::Entity::find()
            .filter(lesson::Column::ModuleId.eq(m.id))
            .filter(lesson::Column::Removed.eq(false))
            .order_by_asc(lesson::Column::Position)
            .all(db)
            .await?
        {
            for lt in lesson_translation::Entity::find()
                .filter(lesson_translation::Column::LessonId.eq(l.id))
                .all(db)
                .await?
            {
                if let Some(t) = texts.get_mut(&parse_column::<Locale>(&lt.locale, "locale")?) {
                    t.lessons.insert(
                        l.key.clone(),
                        LessonText {
                            title: lt.title,
                            body: lt.body,
                        },
                    );
                }
            }
            for r in lesson_resource::Entity::find()
                .filter(lesson_resource::Column::LessonId.eq(l.id))
                .all(db)
                .await?
            {
                if let Some(t) = texts.get_mut(&parse_column::<Locale>(&r.locale, "locale")?) {
                    t.resources.insert(
                        r.file_name,
                        Resource {
                            content_type: r.content_type,
                            sha256: r.sha256,
                            data: r.data,
                        },
                    );
                }
            }
            let mut questions = Vec::new();
            for q in quiz_question::Entity::find()
                .filter(quiz_question::Column::LessonId.eq(l.id))
                .order_by_asc(quiz_question::Column::Position)
                .all(db)
                .await?
            {
                for qt in question_translation::Entity::find()
                    .filter(question_translation::Column::QuestionId.eq(q.id))
                    .all(db)
                    .await?
                {
                    if let Some(t) = texts.get_mut(&parse_column::<Locale>(&qt.locale, "locale")?) {
                        t.questions.insert(
                            (l.key.clone(), q.key.clone()),
                            QuestionText {
                                prompt: qt.prompt,
                                options: serde_json::from_value(qt.options).unwrap_or_default(),
                            },
                        );
                    }
                }
                questions.push(QuestionSource {
                    key: parse_slug(&q.key)?,
                    kind: parse_column::<QuestionKind>(&q.kind, "question kind")?,
                    options: serde_json::from_value(q.options).unwrap_or_default(),
                    correct: serde_json::from_value(q.correct).unwrap_or_default(),
                });
            }
            lessons.push(LessonSource {
                key: parse_slug(&l.key)?,
                kind: parse_column::<LessonKind>(&l.kind, "lesson kind")?,
                duration_minutes: l.duration_minutes as u32,
                video_url: l.video_url,
                file: l.resource_file,
                passing_score: l.passing_score.map(|s| s as u32),
                max_attempts: l.max_attempts.map(|s| s as u32),
                questions,
            });
        }
        modules.push(ModuleSource {
            key: parse_slug(&m.key)?,
            lessons,
        });
    }
    Ok(CourseSource {
        slug: parse_slug(&c.slug)?,
        default_locale: parse_column(&c.default_locale, "locale")?,
        level: parse_column(&c.level, "level")?,
        duration_minutes: c.duration_minutes as u32,
        status: parse_column(&c.status, "status")?,
        themes,
        modules,
        texts,
        media: BTreeMap::new(),
        cover: None,
        sources,
    })
}

fn parse_slug(s: &str) -> Result<Slug> {
    Slug::parse(s).map_err(|e| Error::Internal(format!("stored id is invalid: {e}")))
}
