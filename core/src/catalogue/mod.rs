//! The public catalogue: published courses, listed and outlined in the reader's locale,
//! and browsed with filters and search words (`browse`).

mod browse;
pub(crate) mod stored;

use std::collections::{BTreeSet, HashMap};

use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Query,
};
use time::OffsetDateTime;
use uuid::Uuid;

/// Re-exported where the learner pages have always found it.
pub use crate::media::CourseLinks;
pub use browse::{Browse, browse, search_within};

use crate::{
    Error, Result,
    domain::{CourseStatus, LessonKind, Level, Locale, Theme},
    entities::{
        course, course_theme, course_translation, lesson, lesson_translation, module,
        module_translation,
    },
    markdown,
    media::PublishedLinks,
};

pub const MAX_PER_PAGE: u64 = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CourseSort {
    /// Most enrolments first, then title.
    #[default]
    Popular,
    Title,
    Newest,
    DurationAsc,
    DurationDesc,
}

impl std::str::FromStr for CourseSort {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "popular" => CourseSort::Popular,
            "title" => CourseSort::Title,
            "newest" => CourseSort::Newest,
            "duration" => CourseSort::DurationAsc,
            "-duration" => CourseSort::DurationDesc,
            _ => return Err("expected one of popular, title, newest, duration, -duration".into()),
        })
    }
}

/// What a catalogue listing asks for, already validated.
#[derive(Clone, Debug, Default)]
pub struct CourseQuery {
    pub page: u64,
    pub per_page: u64,
    /// Every theme must match.
    pub themes: Vec<Theme>,
    /// Only courses available in this language.
    pub language: Option<Locale>,
    pub level: Option<Level>,
    pub sort: CourseSort,
    /// The reader's locales, best first; a course falls back to its default locale.
    pub preferred: Vec<Locale>,
}

#[derive(Clone, Debug)]
pub struct CourseCard {
    pub slug: String,
    pub locale: Locale,
    pub default_locale: Locale,
    pub available_locales: Vec<Locale>,
    pub title: String,
    pub summary: String,
    pub level: Level,
    pub duration_minutes: u32,
    pub themes: Vec<String>,
    pub module_count: u32,
    pub lesson_count: u32,
    pub enrolment_count: u64,
    pub published_at: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
    /// The cover image, with its alt text in the card's locale.
    pub cover: Option<crate::media::Cover>,
    /// The official documents the course cites.
    pub sources: Vec<crate::course_source::Source>,
}

#[derive(Clone, Debug)]
pub struct CoursePage {
    pub items: Vec<CourseCard>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

#[derive(Clone, Debug)]
pub struct CourseOutline {
    pub card: CourseCard,
    pub description: String,
    pub description_html: String,
    pub objectives: Vec<String>,
    pub modules: Vec<ModuleOutline>,
}

#[derive(Clone, Debug)]
pub struct ModuleOutline {
    pub key: String,
    pub title: String,
    pub summary: String,
    pub lessons: Vec<LessonOutline>,
}

#[derive(Clone, Debug)]
pub struct LessonOutline {
    pub id: Uuid,
    pub key: String,
    pub title: String,
    pub kind: LessonKind,
    pub duration_minutes: u32,
}

/// The first of the reader's locales the course has, else the course's default.
pub fn pick_locale(preferred: &[Locale], available: &[Locale], default: Locale) -> Locale {
    preferred
        .iter()
        .copied()
        .find(|l| available.contains(l))
        .unwrap_or(default)
}

fn parse_stored<T: std::str::FromStr<Err = String>>(v: &str) -> Result<T> {
    v.parse()
        .map_err(|e| Error::Internal(format!("stored value is invalid: {e}")))
}

struct TitleRow {
    locale: Locale,
    title: String,
    summary: String,
}

pub async fn list_courses(db: &DatabaseConnection, q: &CourseQuery) -> Result<CoursePage> {
    let mut select =
        course::Entity::find().filter(course::Column::Status.eq(CourseStatus::Published.as_str()));
    if let Some(level) = q.level {
        select = select.filter(course::Column::Level.eq(level.as_str()));
    }
    for theme in &q.themes {
        select = select.filter(
            Condition::all().add(
                course::Column::Id.in_subquery(
                    Query::select()
                        .column(course_theme::Column::CourseId)
                        .from(course_theme::Entity)
                        .and_where(course_theme::Column::Theme.eq(theme.to_string()))
                        .to_owned(),
                ),
            ),
        );
    }
    if let Some(language) = q.language {
        select = select.filter(
            course::Column::Id.in_subquery(
                Query::select()
                    .column(course_translation::Column::CourseId)
                    .from(course_translation::Entity)
                    .and_where(course_translation::Column::Locale.eq(language.as_str()))
                    .to_owned(),
            ),
        );
    }
    let courses = select.all(db).await?;
    let ids: Vec<Uuid> = courses.iter().map(|c| c.id).collect();

    let mut titles: HashMap<Uuid, Vec<TitleRow>> = HashMap::new();
    let rows: Vec<(Uuid, String, String, String)> = course_translation::Entity::find()
        .select_only()
        .columns([
            course_translation::Column::CourseId,
            course_translation::Column::Locale,
            course_translation::Column::Title,
            course_translation::Column::Summary,
        ])
        .filter(course_translation::Column::CourseId.is_in(ids.clone()))
        .into_tuple()
        .all(db)
        .await?;
    for (id, locale, title, summary) in rows {
        titles.entry(id).or_default().push(TitleRow {
            locale: parse_stored(&locale)?,
            title,
            summary,
        });
    }

    let mut cards = Vec::with_capacity(courses.len());
    for c in courses {
        let rows = titles.remove(&c.id).unwrap_or_default();
        cards.push((c.id, card(c, &rows, &q.preferred, Vec::new())?));
    }
    match q.sort {
        CourseSort::Popular => cards.sort_by(|a, b| {
            b.1.enrolment_count
                .cmp(&a.1.enrolment_count)
                .then_with(|| a.1.title.to_lowercase().cmp(&b.1.title.to_lowercase()))
        }),
        CourseSort::Title => cards.sort_by_key(|c| c.1.title.to_lowercase()),
        CourseSort::Newest => cards.sort_by(|a, b| {
            b.1.published_at
                .cmp(&a.1.published_at)
                .then(a.1.slug.cmp(&b.1.slug))
        }),
        CourseSort::DurationAsc => cards.sort_by(|a, b| {
            a.1.duration_minutes
                .cmp(&b.1.duration_minutes)
                .then(a.1.slug.cmp(&b.1.slug))
        }),
        CourseSort::DurationDesc => cards.sort_by(|a, b| {
            b.1.duration_minutes
                .cmp(&a.1.duration_minutes)
                .then(a.1.slug.cmp(&b.1.slug))
        }),
    }
    let total = cards.len() as u64;
    let start = ((q.page.max(1) - 1) * q.per_page).min(total) as usize;
    let mut items: Vec<(Uuid, CourseCard)> = cards
        .into_iter()
        .skip(start)
        .take(q.per_page as usize)
        .collect();

    let page_ids: Vec<Uuid> = items.iter().map(|(id, _)| *id).collect();
    let mut themes = themes_of(db, page_ids).await?;
    let wanted: Vec<(Uuid, Locale, Locale)> = items
        .iter()
        .map(|(id, c)| (*id, c.locale, c.default_locale))
        .collect();
    let mut covers = crate::media::covers(db, &wanted).await?;
    for (id, card) in &mut items {
        card.themes = themes.remove(id).unwrap_or_default();
        card.cover = covers.remove(id);
    }
    Ok(CoursePage {
        items: items.into_iter().map(|(_, c)| c).collect(),
        page: q.page.max(1),
        per_page: q.per_page,
        total,
    })
}

async fn themes_of(db: &DatabaseConnection, ids: Vec<Uuid>) -> Result<HashMap<Uuid, Vec<String>>> {
    let mut out: HashMap<Uuid, Vec<String>> = HashMap::new();
    for t in course_theme::Entity::find()
        .filter(course_theme::Column::CourseId.is_in(ids))
        .all(db)
        .await?
    {
        out.entry(t.course_id).or_default().push(t.theme);
    }
    for v in out.values_mut() {
        // SDGs by number, then Sendai priorities, then tags.
        v.sort_by_key(|t| t.parse::<Theme>().ok());
    }
    Ok(out)
}

fn card(
    c: course::Model,
    rows: &[TitleRow],
    preferred: &[Locale],
    themes: Vec<String>,
) -> Result<CourseCard> {
    let default_locale: Locale = parse_stored(&c.default_locale)?;
    let available: Vec<Locale> = rows
        .iter()
        .map(|r| r.locale)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let locale = pick_locale(preferred, &available, default_locale);
    let text = rows
        .iter()
        .find(|r| r.locale == locale)
        .or_else(|| rows.first())
        .ok_or_else(|| Error::Internal(format!("course {} has no translation", c.slug)))?;
    Ok(CourseCard {
        sources: stored::sources(&c.sources),
        locale: text.locale,
        default_locale,
        available_locales: available,
        title: text.title.clone(),
        summary: text.summary.clone(),
        level: parse_stored(&c.level)?,
        duration_minutes: c.duration_minutes.max(0) as u32,
        themes,
        module_count: c.module_count.max(0) as u32,
        lesson_count: c.lesson_count.max(0) as u32,
        enrolment_count: c.enrolment_count.max(0) as u64,
        published_at: c.published_at,
        updated_at: c.updated_at,
        cover: None,
        slug: c.slug,
    })
}

/// One published course with its modules and lesson outline.
pub async fn course_outline(
    db: &DatabaseConnection,
    slug: &str,
    preferred: &[Locale],
) -> Result<CourseOutline> {
    let c = course::Entity::find()
        .filter(course::Column::Slug.eq(slug))
        .filter(course::Column::Status.eq(CourseStatus::Published.as_str()))
        .one(db)
        .await?
        .ok_or(Error::NotFound { what: "course" })?;
    let course_id = c.id;
    let translations = course_translation::Entity::find()
        .filter(course_translation::Column::CourseId.eq(course_id))
        .all(db)
        .await?;
    let rows: Vec<TitleRow> = translations
        .iter()
        .map(|t| {
            Ok(TitleRow {
                locale: parse_stored(&t.locale)?,
                title: t.title.clone(),
                summary: t.summary.clone(),
            })
        })
        .collect::<Result<_>>()?;
    let themes = themes_of(db, vec![course_id])
        .await?
        .remove(&course_id)
        .unwrap_or_default();
    let mut card = card(c, &rows, preferred, themes)?;
    card.cover = crate::media::covers(db, &[(course_id, card.locale, card.default_locale)])
        .await?
        .remove(&course_id);
    let locale = card.locale;
    let default = card.default_locale;
    let chosen = translations
        .iter()
        .find(|t| t.locale == locale.as_str())
        .expect("card picked an existing locale");
    // Pick the reader's locale, else the course default, for each text.
    fn best<'a, T>(
        items: impl Iterator<Item = (&'a str, T)>,
        locale: Locale,
        default: Locale,
    ) -> Option<T> {
        let mut fallback = None;
        for (l, t) in items {
            if l == locale.as_str() {
                return Some(t);
            }
            if l == default.as_str() {
                fallback = Some(t);
            }
        }
        fallback
    }

    let modules = module::Entity::find()
        .filter(module::Column::CourseId.eq(course_id))
        .filter(module::Column::Removed.eq(false))
        .order_by_asc(module::Column::Position)
        .all(db)
        .await?;
    let module_ids: Vec<Uuid> = modules.iter().map(|m| m.id).collect();
    let module_texts = module_translation::Entity::find()
        .filter(module_translation::Column::ModuleId.is_in(module_ids))
        .all(db)
        .await?;
    let lessons = lesson::Entity::find()
        .filter(lesson::Column::CourseId.eq(course_id))
        .filter(lesson::Column::Removed.eq(false))
        .order_by_asc(lesson::Column::Position)
        .all(db)
        .await?;
    let lesson_titles: Vec<(Uuid, String, String)> = lesson_translation::Entity::find()
        .select_only()
        .columns([
            lesson_translation::Column::LessonId,
            lesson_translation::Column::Locale,
            lesson_translation::Column::Title,
        ])
        .filter(
            lesson_translation::Column::LessonId
                .is_in(lessons.iter().map(|l| l.id).collect::<Vec<_>>()),
        )
        .into_tuple()
        .all(db)
        .await?;

    let mut outline = Vec::with_capacity(modules.len());
    for m in modules {
        let text = best(
            module_texts
                .iter()
                .filter(|t| t.module_id == m.id)
                .map(|t| (t.locale.as_str(), t)),
            locale,
            default,
        );
        let mut items = Vec::new();
        for l in lessons.iter().filter(|l| l.module_id == m.id) {
            let title = best(
                lesson_titles
                    .iter()
                    .filter(|t| t.0 == l.id)
                    .map(|t| (t.1.as_str(), t.2.clone())),
                locale,
                default,
            )
            .unwrap_or_else(|| l.key.clone());
            items.push(LessonOutline {
                id: l.id,
                key: l.key.clone(),
                title,
                kind: parse_stored(&l.kind)?,
                duration_minutes: l.duration_minutes.max(0) as u32,
            });
        }
        outline.push(ModuleOutline {
            title: text
                .map(|t| t.title.clone())
                .unwrap_or_else(|| m.key.clone()),
            summary: text.map(|t| t.summary.clone()).unwrap_or_default(),
            key: m.key,
            lessons: items,
        });
    }
    let media = crate::media::published_refs(db, course_id).await?;
    let description_html = markdown::render(
        &chosen.description,
        &PublishedLinks {
            course: CourseLinks { slug: &card.slug },
            media: &media,
        },
    );
    Ok(CourseOutline {
        description: chosen.description.clone(),
        description_html,
        objectives: serde_json::from_value(chosen.objectives.clone()).unwrap_or_default(),
        modules: outline,
        card,
    })
}
