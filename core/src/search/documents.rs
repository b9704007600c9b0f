//! From the database to search documents: building them, the indexing job
//! written with every catalogue change, and the full rebuild.

use std::collections::{BTreeMap, HashMap};

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{CourseDocument, DurationBand, LocaleText, SearchIndex, text};
use crate::{
    Error, Result,
    domain::{CourseStatus, Locale, Theme},
    entities::{
        course, course_theme, course_translation, lesson, lesson_translation, module,
        module_translation,
    },
    jobs::{self, Job},
};

/// Brings one course's search document in line with the database: indexed
/// when published, removed otherwise.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IndexCourse {
    pub course_id: Uuid,
    /// When the change was enqueued (ms). The queue's dedup keys stay taken
    /// by done jobs too, so a key of (course, version) lets every later
    /// change of a course get a job of its own.
    pub version: i64,
}

impl Job for IndexCourse {
    const KIND: &'static str = "search.index_course";
    /// With the backoff capped at an hour, this retries for about a day:
    /// long enough for a search server to come back.
    const MAX_ATTEMPTS: i32 = 30;
    fn dedup_key(&self) -> Option<String> {
        Some(format!(
            "{}:{}:{}",
            Self::KIND,
            self.course_id,
            self.version
        ))
    }
}

/// Enqueues the indexing of a course on `conn`, the transaction of the change.
pub async fn enqueue_index(conn: &impl ConnectionTrait, course_id: Uuid) -> Result<()> {
    let version = jobs::now_ms();
    jobs::enqueue(conn, &IndexCourse { course_id, version }).await?;
    Ok(())
}

/// Enrolments in a course within one such window (ms) refresh its popularity
/// in the index once, when the window closes.
const POPULARITY_WINDOW_MS: i64 = 5 * 60 * 1000;

/// Enqueues, on `conn` (the enrolment's transaction), the refresh of a
/// course's popularity in the index: one job per course per window, run
/// when the window closes, so it sees every enrolment of the window.
pub async fn enqueue_popularity_refresh(
    conn: &impl ConnectionTrait,
    course_id: Uuid,
) -> Result<()> {
    let window_end = (jobs::now_ms() / POPULARITY_WINDOW_MS + 1) * POPULARITY_WINDOW_MS;
    jobs::enqueue_at(
        conn,
        &IndexCourse {
            course_id,
            version: window_end,
        },
        window_end,
    )
    .await?;
    Ok(())
}

/// The job's work: reads the course and upserts or removes its document.
/// Running it twice has the effect of running it once.
pub async fn index_course(db: &DatabaseConnection, index: &SearchIndex, id: Uuid) -> Result<()> {
    match load_documents(db, Some(id)).await?.pop() {
        Some(doc) => index.upsert(vec![doc]).await,
        None => index.delete(vec![id]).await,
    }
}

/// Rebuilds the whole index from the database; `progress(done, total)`
/// follows the documents built. Returns the number of courses indexed.
///
/// The index jobs already queued when the rebuild starts reading are
/// covered by it (their changes were committed with them, so the read sees
/// them): they are settled instead of indexing each course again. At a
/// first start that is every course the import has just queued.
pub async fn reindex(
    db: &DatabaseConnection,
    index: &SearchIndex,
    mut progress: impl FnMut(u64, u64) + Send,
) -> Result<u64> {
    index.prepare().await?;
    let covered = jobs::queued_ids(db, IndexCourse::KIND).await?;
    let docs = load_documents(db, None).await?;
    let n = docs.len() as u64;
    progress(0, n);
    index
        .replace_all(docs, &mut |done| progress(done, n))
        .await?;
    jobs::settle(db, &covered).await?;
    Ok(n)
}

fn parse_stored<T: std::str::FromStr<Err = String>>(v: &str) -> Result<T> {
    v.parse()
        .map_err(|e| Error::Internal(format!("stored value is invalid: {e}")))
}

/// Search documents of the published courses (or of one course, when it is
/// published). A few queries whatever the number of courses.
pub async fn load_documents(
    db: &DatabaseConnection,
    only: Option<Uuid>,
) -> Result<Vec<CourseDocument>> {
    let mut courses = course::Entity::find()
        .filter(course::Column::Status.eq(CourseStatus::Published.as_str()))
        .order_by_asc(course::Column::Slug);
    if let Some(id) = only {
        courses = courses.filter(course::Column::Id.eq(id));
    }
    let courses = courses.all(db).await?;
    if courses.is_empty() {
        return Ok(Vec::new());
    }
    macro_rules! rows {
        ($entity:ident, $course_col:expr) => {{
            let mut select = $entity::Entity::find();
            if let Some(id) = only {
                select = select.filter($course_col.eq(id));
            }
            select.all(db).await?
        }};
    }
    let translations = rows!(course_translation, course_translation::Column::CourseId);
    let themes = rows!(course_theme, course_theme::Column::CourseId);
    let mut modules = rows!(module, module::Column::CourseId);
    let mut lessons = rows!(lesson, lesson::Column::CourseId);
    modules.retain(|m| !m.removed);
    lessons.retain(|l| !l.removed);
    modules.sort_by_key(|m| m.position);
    lessons.sort_by_key(|l| l.position);
    let module_texts: Vec<module_translation::Model> = match only {
        Some(_) => {
            module_translation::Entity::find()
                .filter(
                    module_translation::Column::ModuleId
                        .is_in(modules.iter().map(|m| m.id).collect::<Vec<_>>()),
                )
                .all(db)
                .await?
        }
        None => module_translation::Entity::find().all(db).await?,
    };
    let lesson_texts: Vec<lesson_translation::Model> = match only {
        Some(_) => {
            lesson_translation::Entity::find()
                .filter(
                    lesson_translation::Column::LessonId
                        .is_in(lessons.iter().map(|l| l.id).collect::<Vec<_>>()),
                )
                .all(db)
                .await?
        }
        None => lesson_translation::Entity::find().all(db).await?,
    };

    let mut module_text: HashMap<(Uuid, &str), &module_translation::Model> = HashMap::new();
    for t in &module_texts {
        module_text.insert((t.module_id, t.locale.as_str()), t);
    }
    let mut lesson_text: HashMap<(Uuid, &str), &lesson_translation::Model> = HashMap::new();
    for t in &lesson_texts {
        lesson_text.insert((t.lesson_id, t.locale.as_str()), t);
    }
    let mut modules_of: HashMap<Uuid, Vec<&module::Model>> = HashMap::new();
    for m in &modules {
        modules_of.entry(m.course_id).or_default().push(m);
    }
    let mut lessons_of: HashMap<Uuid, Vec<&lesson::Model>> = HashMap::new();
    for l in &lessons {
        lessons_of.entry(l.module_id).or_default().push(l);
    }
    let mut translations_of: HashMap<Uuid, Vec<&course_translation::Model>> = HashMap::new();
    for t in &translations {
        translations_of.entry(t.course_id).or_default().push(t);
    }
    let mut themes_of: HashMap<Uuid, Vec<Theme>> = HashMap::new();
    for t in &themes {
        if let Ok(theme) = t.theme.parse::<Theme>() {
            themes_of.entry(t.course_id).or_default().push(theme);
        }
    }

    let mut docs = Vec::with_capacity(courses.len());
    for c in courses {
        let mut texts = BTreeMap::new();
        for t in translations_of.get(&c.id).into_iter().flatten() {
            let locale: Locale = parse_stored(&t.locale)?;
            let mut about = Vec::new();
            let mut body = vec![text::strip_markdown(&t.description)];
            let objectives: Vec<String> =
                serde_json::from_value(t.objectives.clone()).unwrap_or_default();
            body.extend(objectives);
            for m in modules_of.get(&c.id).into_iter().flatten() {
                if let Some(mt) = module_text.get(&(m.id, t.locale.as_str())) {
                    about.push(mt.title.clone());
                    about.push(mt.summary.clone());
                }
                for l in lessons_of.get(&m.id).into_iter().flatten() {
                    if let Some(lt) = lesson_text.get(&(l.id, t.locale.as_str())) {
                        about.push(lt.title.clone());
                        body.push(text::strip_markdown(&lt.body));
                    }
                }
            }
            texts.insert(
                locale,
                LocaleText {
                    title: t.title.clone(),
                    summary: t.summary.clone(),
                    about: about.join("\n"),
                    body: body.join("\n"),
                },
            );
        }
        if texts.is_empty() {
            continue;
        }
        let mut sdgs = Vec::new();
        let mut sendai = Vec::new();
        let mut tags = Vec::new();
        let mut course_themes = themes_of.remove(&c.id).unwrap_or_default();
        course_themes.sort();
        for theme in course_themes {
            match theme {
                Theme::Sdg(n) => sdgs.push(n),
                Theme::Sendai(n) => sendai.push(n),
                Theme::Tag(t) => tags.push(t.to_string()),
            }
        }
        let duration_minutes = c.duration_minutes.max(0) as u32;
        docs.push(CourseDocument {
            id: c.id,
            default_locale: parse_stored(&c.default_locale)?,
            languages: texts.keys().copied().collect(),
            level: parse_stored(&c.level)?,
            duration_minutes,
            duration_band: DurationBand::of_minutes(duration_minutes),
            sdgs,
            sendai,
            tags,
            enrolment_count: c.enrolment_count.max(0) as u64,
            texts,
            slug: c.slug,
        });
    }
    Ok(docs)
}
