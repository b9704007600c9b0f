//! Published media: the storage port (`media/{sha256}.{ext}`, content
//! addressed, so a file is written once and never overwritten) and the
//! `course_media` table that lists each course's files and cover.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::Cover;
use crate::{
    Error, Result,
    course_source::{
        CourseSource,
        media::{MEDIA_DIR, MediaFile, ext_of},
    },
    domain::Locale,
    entities::course_media,
    links,
    markdown::MediaRef,
    storage::Storage,
};

/// Writes the course's media to the storage port before it is imported.
/// Keys are content addresses, so a file already known (to any course) is
/// not written again, and a new version never overwrites an old one.
pub async fn store(
    storage: &Storage,
    db: &impl ConnectionTrait,
    source: &CourseSource,
) -> Result<()> {
    if source.media.is_empty() {
        return Ok(());
    }
    let shas: Vec<String> = source.media.values().map(|m| m.sha256.clone()).collect();
    let known: BTreeSet<String> = course_media::Entity::find()
        .select_only()
        .column(course_media::Column::Sha256)
        .filter(course_media::Column::Sha256.is_in(shas))
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut written = BTreeSet::new();
    for m in source.media.values() {
        if known.contains(&m.sha256) || !written.insert(m.sha256.clone()) {
            continue;
        }
        storage
            .put(&m.storage_key(), m.data.clone(), &m.content_type)
            .await?;
    }
    Ok(())
}

/// Records which media belong to the course, inside the import's
/// transaction. Called only when the course's source changed.
pub(crate) async fn write_rows(
    db: &impl ConnectionTrait,
    course_id: Uuid,
    source: &CourseSource,
) -> Result<()> {
    course_media::Entity::delete_many()
        .filter(course_media::Column::CourseId.eq(course_id))
        .exec(db)
        .await?;
    for (name, m) in &source.media {
        let is_cover = source.cover.as_deref() == Some(name.as_str());
        let alt: BTreeMap<&str, &str> = if is_cover {
            source
                .texts
                .iter()
                .filter(|(_, t)| !t.cover_alt.is_empty())
                .map(|(l, t)| (l.as_str(), t.cover_alt.as_str()))
                .collect()
        } else {
            BTreeMap::new()
        };
        course_media::ActiveModel {
            course_id: Set(course_id),
            name: Set(name.clone()),
            sha256: Set(m.sha256.clone()),
            content_type: Set(m.content_type.clone()),
            size: Set(m.data.len() as i64),
            width: Set(m.width.map(|w| w as i32)),
            height: Set(m.height.map(|h| h as i32)),
            is_cover: Set(is_cover),
            cover_alt: Set(serde_json::json!(alt)),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Puts a course's media (from the storage port) and cover back into its
/// source, for export and for a draft made from the live course.
pub async fn load_into(
    storage: &Storage,
    db: &DatabaseConnection,
    course_id: Uuid,
    source: &mut CourseSource,
) -> Result<()> {
    for row in course_media::Entity::find()
        .filter(course_media::Column::CourseId.eq(course_id))
        .all(db)
        .await?
    {
        let ext = ext_of(&row.content_type).unwrap_or("bin");
        let key = format!("{MEDIA_DIR}/{}.{ext}", row.sha256);
        let data = storage
            .get(&key)
            .await?
            .ok_or_else(|| Error::Internal(format!("media {key} is missing from storage")))?;
        if row.is_cover {
            source.cover = Some(row.name.clone());
            let alts: BTreeMap<String, String> =
                serde_json::from_value(row.cover_alt).unwrap_or_default();
            for (locale, t) in source.texts.iter_mut() {
                t.cover_alt = alts.get(locale.as_str()).cloned().unwrap_or_default();
            }
        }
        source.media.insert(
            row.name,
            MediaFile {
                content_type: row.content_type,
                sha256: row.sha256,
                width: row.width.map(|w| w as u32),
                height: row.height.map(|h| h as u32),
                data,
            },
        );
    }
    Ok(())
}

/// `load_into` for a source read back by `import::load_sources`.
pub async fn load_by_slug(
    storage: &Storage,
    db: &DatabaseConnection,
    source: &mut CourseSource,
) -> Result<()> {
    use crate::entities::course;
    let c = course::Entity::find()
        .filter(course::Column::Slug.eq(source.slug.as_str()))
        .one(db)
        .await?
        .ok_or(Error::NotFound { what: "course" })?;
    load_into(storage, db, c.id, source).await
}

/// The content type of a published media file, if any course has it.
pub async fn find_published(db: &DatabaseConnection, sha256: &str) -> Result<Option<String>> {
    Ok(course_media::Entity::find()
        .select_only()
        .column(course_media::Column::ContentType)
        .filter(course_media::Column::Sha256.eq(sha256))
        .into_tuple::<String>()
        .one(db)
        .await?)
}

/// The stored object of a published media file.
pub async fn fetch(storage: &Storage, sha256: &str, ext: &str) -> Result<Option<Vec<u8>>> {
    storage.get(&format!("{MEDIA_DIR}/{sha256}.{ext}")).await
}

/// The covers of some courses, with alt text in `locale` (else the
/// course's default locale, else any).
pub async fn covers(
    db: &DatabaseConnection,
    courses: &[(Uuid, Locale, Locale)],
) -> Result<HashMap<Uuid, Cover>> {
    if courses.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = course_media::Entity::find()
        .filter(course_media::Column::CourseId.is_in(courses.iter().map(|c| c.0)))
        .filter(course_media::Column::IsCover.eq(true))
        .all(db)
        .await?;
    let mut out = HashMap::new();
    for row in rows {
        let Some((_, locale, default)) = courses.iter().find(|c| c.0 == row.course_id) else {
            continue;
        };
        let alts: BTreeMap<String, String> =
            serde_json::from_value(row.cover_alt.clone()).unwrap_or_default();
        let alt = alts
            .get(locale.as_str())
            .or_else(|| alts.get(default.as_str()))
            .or_else(|| alts.values().next())
            .cloned()
            .unwrap_or_default();
        let ext = ext_of(&row.content_type).unwrap_or("bin");
        out.insert(
            row.course_id,
            Cover {
                url: links::media(&row.sha256, ext),
                alt,
                width: row.width.unwrap_or(0).max(0) as u32,
                height: row.height.unwrap_or(0).max(0) as u32,
            },
        );
    }
    Ok(out)
}

/// Where a published course's `media:` names point.
pub async fn published_refs(
    db: &DatabaseConnection,
    course_id: Uuid,
) -> Result<BTreeMap<String, MediaRef>> {
    Ok(course_media::Entity::find()
        .filter(course_media::Column::CourseId.eq(course_id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            let ext = ext_of(&row.content_type).unwrap_or("bin");
            (
                row.name,
                MediaRef {
                    url: links::media(&row.sha256, ext),
                    width: row.width.map(|w| w as u32),
                    height: row.height.map(|h| h as u32),
                },
            )
        })
        .collect())
}
