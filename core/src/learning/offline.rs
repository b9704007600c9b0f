//! Saving a course for offline (issue 23): the addresses a learner's device
//! fetches to read the course without a connection, with their sizes, so
//! the total is shown before anything is downloaded.

use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr};
use uuid::Uuid;

use super::Learning;
use crate::{
    Result,
    domain::{LessonKind, Locale},
    entities::{course_media, lesson_resource},
};

/// About what the page around a lesson's text weighs (layout, outline,
/// forms), before compression: the estimate for a page not fetched yet.
const PAGE_FRAME_BYTES: u64 = 9_000;

/// One address to save, and about how many bytes it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfflineItem {
    pub url: String,
    pub bytes: u64,
    /// A resource lesson's file: saved only up to the size the learner
    /// chooses.
    pub resource: bool,
}

/// What saving a course for offline downloads.
#[derive(Clone, Debug)]
pub struct OfflineCourse {
    pub slug: String,
    pub title: String,
    /// The content generation the list was made at: a device whose copy is
    /// older saves the course again.
    pub generation: i64,
    /// This course's published version: a saved copy of another version
    /// is saved again when the device is next online.
    pub version: String,
    pub lessons: u32,
    /// The pages and images, without the resource files.
    pub total_bytes: u64,
    pub items: Vec<OfflineItem>,
}

/// The `/media/…` images a lesson's HTML shows, in order, each once.
pub(crate) fn images_of(html: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for part in html.split("src=\"").skip(1) {
        let Some(url) = part.split('"').next() else {
            continue;
        };
        if url.starts_with("/media/") && !url.contains("..") && seen.insert(url.to_owned()) {
            out.push(url.to_owned());
        }
    }
    out
}

impl Learning {
    /// The course page, every lesson page (in the learner's language) and
    /// the lessons' images, for an enrolled learner only.
    pub async fn offline_course(
        &self,
        user_id: Uuid,
        slug: &str,
        preferred: &[Locale],
    ) -> Result<OfflineCourse> {
        let generation = self.published().generation();
        let course = self.published().course(slug).await?;
        // Not enrolled (or left): forbidden.
        self.active_summary(user_id, course.model.id).await?;
        let mut items = vec![OfflineItem {
            url: format!("/courses/{slug}"),
            bytes: PAGE_FRAME_BYTES,
            resource: false,
        }];
        let mut resources = Vec::new();
        let mut images: Vec<String> = Vec::new();
        let mut title = course.model.slug.clone();
        for (n, o) in course.order.iter().enumerate() {
            let entry = course.lesson(&o.key)?;
            let l = self.published().lesson(&course, entry, preferred).await?;
            if n == 0 {
                title = self
                    .published()
                    .outline(slug, l.locale)
                    .await
                    .map(|outline| outline.card.title.clone())
                    .unwrap_or(title);
            }
            items.push(OfflineItem {
                url: format!("/courses/{slug}/lessons/{}", o.key),
                bytes: PAGE_FRAME_BYTES + l.html.len() as u64,
                resource: false,
            });
            if l.kind == LessonKind::Resource && l.resource.is_some() {
                resources.push((l.id, o.key.clone()));
            }
            for img in images_of(&l.html) {
                if !images.contains(&img) {
                    images.push(img);
                }
            }
        }
        // Images are stored by content hash: `/media/{sha256}.{ext}`.
        let hashes: Vec<String> = images
            .iter()
            .filter_map(|u| u.trim_start_matches("/media/").split('.').next())
            .map(str::to_owned)
            .collect();
        let sizes: Vec<(String, i64)> = if hashes.is_empty() {
            Vec::new()
        } else {
            course_media::Entity::find()
                .filter(course_media::Column::Sha256.is_in(hashes))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|m| (m.sha256, m.size))
                .collect()
        };
        for url in images {
            let hash = url
                .trim_start_matches("/media/")
                .split('.')
                .next()
                .unwrap_or("");
            let bytes = sizes
                .iter()
                .find(|(h, _)| h == hash)
                .map(|(_, s)| (*s).max(0) as u64)
                .unwrap_or(0);
            items.push(OfflineItem {
                url,
                bytes,
                resource: false,
            });
        }
        let total_bytes = items.iter().map(|i| i.bytes).sum();
        // Resource files last, by their stored size (the largest locale's).
        let sizes: Vec<(Uuid, i64)> = if resources.is_empty() {
            Vec::new()
        } else {
            lesson_resource::Entity::find()
                .select_only()
                .column(lesson_resource::Column::LessonId)
                .column_as(Expr::cust("CAST(length(data) AS BIGINT)"), "size")
                .filter(
                    lesson_resource::Column::LessonId
                        .is_in(resources.iter().map(|r| r.0).collect::<Vec<_>>()),
                )
                .into_tuple()
                .all(&self.db)
                .await?
        };
        for (id, key) in resources {
            let bytes = sizes
                .iter()
                .filter(|(l, _)| *l == id)
                .map(|(_, s)| (*s).max(0) as u64)
                .max()
                .unwrap_or(0);
            items.push(OfflineItem {
                url: format!("/courses/{slug}/lessons/{key}/resource"),
                bytes,
                resource: true,
            });
        }
        let m = &course.model;
        Ok(OfflineCourse {
            slug: slug.to_owned(),
            title,
            generation,
            version: format!("{}-{}", m.source_hash, m.updated_at.unix_timestamp()),
            lessons: course.order.len() as u32,
            total_bytes,
            items,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lessons_images_are_its_media_each_once() {
        let html = r#"<p><img src="/media/ab.png" alt=""> <img src="https://x.org/a.png"> <img src="/media/ab.png"> <img src="/media/cd.webp"></p>"#;
        assert_eq!(images_of(html), ["/media/ab.png", "/media/cd.webp"]);
        assert!(images_of("<p>No images.</p>").is_empty());
    }
}
