//! Images people attach to their posts: PNG, JPEG or WebP judged by their
//! content (the media rules of courses, `media::check`: a page or an SVG
//! renamed `.png` is refused), each with its text alternative, at most
//! `MAX_IMAGES` a post, kept in the storage port under their content
//! address (`discussions/<sha256>.<ext>`, never the public `media/`).
//!
//! An image is served to whoever may read its post: not to anyone outside
//! a private space, not once the post is deleted, and not while it is
//! hidden (but to its moderators). Removing one keeps its row for the
//! space's moderators, who see every image a post ever carried.

use std::collections::BTreeMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use super::{Discussions, locked, not_found, now};
use crate::{
    Error, Result,
    accounts::{Principal, require_signed_in},
    entities::{discussion_post, discussion_post_image},
    links,
    markdown::Upload,
    media::{self, MAX_ALT_CHARS},
};

/// The most images one post carries.
pub const MAX_IMAGES: usize = 6;
/// Where post images live in the storage port.
const STORAGE_DIR: &str = "discussions";

/// An image to attach: its file name (only its extension is read, and it
/// must agree with the content), its bytes and what it shows.
#[derive(Clone)]
pub struct NewImage {
    pub name: String,
    pub data: Vec<u8>,
    pub alt: String,
}

/// One image of a post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostImageView {
    /// `<sha256>.<ext>`: `![alt](upload:<name>)` places it in the text.
    pub name: String,
    /// Where the pages serve it.
    pub url: String,
    pub content_type: String,
    pub size: i64,
    pub alt: String,
    pub width: u32,
    pub height: u32,
    pub created_at: time::OffsetDateTime,
    /// Removed by its author (moderators only see these).
    pub removed: bool,
}

impl PostImageView {
    fn of(r: discussion_post_image::Model) -> Self {
        let name = format!("{}.{}", r.sha256, r.ext);
        PostImageView {
            url: links::discussion_post_image(r.post_id, &name),
            name,
            content_type: r.content_type,
            size: r.size,
            alt: r.alt,
            width: r.width.max(0) as u32,
            height: r.height.max(0) as u32,
            created_at: r.created_at,
            removed: r.removed_at.is_some(),
        }
    }

    pub(super) fn upload(&self) -> Upload {
        Upload {
            name: self.name.clone(),
            url: self.url.clone(),
            alt: self.alt.clone(),
            width: self.width,
            height: self.height,
        }
    }
}

/// A checked image, ready to store.
pub(super) struct Checked {
    file: media::MediaFile,
    ext: &'static str,
    alt: String,
}

fn not_an_image() -> Error {
    Error::invalid("image", "attach a PNG, JPEG or WebP image")
}

/// Judges an image by its content, and its text alternative.
pub(super) fn check(image: NewImage) -> Result<Checked> {
    let lower = image.name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    if !matches!(ext, "png" | "jpg" | "jpeg" | "webp") {
        return Err(not_an_image());
    }
    let file = media::check(&lower, image.data).map_err(|e| {
        if e.contains("over the limit") {
            Error::invalid(
                "image",
                format!(
                    "an image may weigh at most {} MiB",
                    media::MAX_IMAGE_BYTES / (1024 * 1024)
                ),
            )
        } else {
            Error::invalid("image", format!("attach a PNG, JPEG or WebP image: {e}"))
        }
    })?;
    let ext = match file.content_type.as_str() {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/webp" => "webp",
        _ => return Err(not_an_image()),
    };
    let alt = image.alt.trim().to_owned();
    if alt.is_empty() || alt.chars().count() > MAX_ALT_CHARS {
        return Err(Error::invalid(
            "alt",
            format!("say what the image shows, in 1 to {MAX_ALT_CHARS} characters"),
        ));
    }
    Ok(Checked { file, ext, alt })
}

/// Checks a post's new images, with room for them beside `present` ones.
pub(super) fn check_all(images: Vec<NewImage>, present: usize) -> Result<Vec<Checked>> {
    if images.len() + present > MAX_IMAGES {
        return Err(too_many());
    }
    let checked = images.into_iter().map(check).collect::<Result<Vec<_>>>()?;
    let mut seen: Vec<&str> = Vec::new();
    for c in &checked {
        if seen.contains(&c.file.sha256.as_str()) {
            return Err(duplicate());
        }
        seen.push(c.file.sha256.as_str());
    }
    Ok(checked)
}

fn too_many() -> Error {
    Error::invalid(
        "image",
        format!("a post carries at most {MAX_IMAGES} images"),
    )
}

fn duplicate() -> Error {
    Error::Conflict {
        field: "image".into(),
        reason: "this image is already attached to the post".into(),
    }
}

fn storage_key(sha256: &str, ext: &str) -> String {
    format!("{STORAGE_DIR}/{sha256}.{ext}")
}

impl Discussions {
    /// Stores checked images' bytes (before the transaction: content
    /// addressed, an unused object is harmless).
    pub(super) async fn store_images(&self, images: &[Checked]) -> Result<()> {
        for c in images {
            self.storage
                .put(
                    &storage_key(&c.file.sha256, c.ext),
                    c.file.data.clone(),
                    &c.file.content_type,
                )
                .await?;
        }
        Ok(())
    }

    /// Adds one image to one's own post, in a thread open to posting.
    pub async fn add_image(
        &self,
        who: Option<&Principal>,
        post_id: Uuid,
        image: NewImage,
    ) -> Result<PostImageView> {
        let (p, t, space, _) = self.readable_post(who, post_id).await?;
        let who = require_signed_in(who)?;
        if p.author_id != Some(who.user_id) || p.deleted {
            return Err(Error::Forbidden {
                reason: "only its author may add images to a post",
            });
        }
        if t.locked {
            return Err(locked());
        }
        super::suspensions::ensure_may_post(&self.db, who.user_id, space.id).await?;
        let present = live_images(&self.db, p.id).await?;
        let mut checked = check_all(vec![image], present.len())?;
        let c = checked.remove(0);
        if present.iter().any(|r| r.sha256 == c.file.sha256) {
            return Err(duplicate());
        }
        // Not rate limited apart: at most `MAX_IMAGES` on each post, and
        // posting is.
        self.store_images(std::slice::from_ref(&c)).await?;
        let txn = crate::db::begin_write(&self.db).await?;
        let row = insert_image(&txn, p.id, c).await?;
        touch(&txn, p).await?;
        txn.commit().await?;
        self.changed();
        Ok(PostImageView::of(row))
    }

    /// Removes an image from one's own post (moderators still see it).
    pub async fn remove_image(
        &self,
        who: Option<&Principal>,
        post_id: Uuid,
        name: &str,
    ) -> Result<()> {
        let (p, t, _, _) = self.readable_post(who, post_id).await?;
        let who = require_signed_in(who)?;
        if p.author_id != Some(who.user_id) || p.deleted {
            return Err(Error::Forbidden {
                reason: "only its author may remove images from a post",
            });
        }
        if t.locked {
            return Err(locked());
        }
        let row = live_images(&self.db, p.id)
            .await?
            .into_iter()
            .find(|r| format!("{}.{}", r.sha256, r.ext) == name)
            .ok_or_else(|| not_found("image"))?;
        let txn = crate::db::begin_write(&self.db).await?;
        let mut active = row.into_active_model();
        active.removed_at = Set(Some(now()));
        active.update(&txn).await?;
        touch(&txn, p).await?;
        txn.commit().await?;
        self.changed();
        Ok(())
    }

    /// A post's images as the caller may see them: none when its words are
    /// not shown to them; with the removed ones for moderators.
    pub async fn post_images(
        &self,
        who: Option<&Principal>,
        post_id: Uuid,
    ) -> Result<Vec<PostImageView>> {
        let (p, _, _, access) = self.readable_post(who, post_id).await?;
        if p.deleted || (p.hidden && !access.moderate) {
            return Ok(Vec::new());
        }
        let rows = discussion_post_image::Entity::find()
            .filter(discussion_post_image::Column::PostId.eq(p.id))
            .order_by_asc(discussion_post_image::Column::CreatedAt)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .filter(|r| access.moderate || r.removed_at.is_none())
            .map(PostImageView::of)
            .collect())
    }

    /// One image's bytes, for whoever may see it (see `post_images`).
    pub async fn post_image(
        &self,
        who: Option<&Principal>,
        post_id: Uuid,
        name: &str,
    ) -> Result<(PostImageView, Vec<u8>)> {
        let image = self
            .post_images(who, post_id)
            .await?
            .into_iter()
            .find(|i| i.name == name)
            .ok_or_else(|| not_found("image"))?;
        let (sha, ext) = image.name.split_once('.').unwrap_or_default();
        let bytes = self
            .storage
            .get(&storage_key(sha, ext))
            .await?
            .ok_or_else(|| not_found("image"))?;
        Ok((image, bytes))
    }

    /// The images shown with some posts, by post.
    pub(super) async fn images_by_post(
        &self,
        posts: Vec<Uuid>,
    ) -> Result<BTreeMap<Uuid, Vec<PostImageView>>> {
        let mut out: BTreeMap<Uuid, Vec<PostImageView>> = BTreeMap::new();
        if posts.is_empty() {
            return Ok(out);
        }
        let rows = discussion_post_image::Entity::find()
            .filter(discussion_post_image::Column::PostId.is_in(posts))
            .filter(discussion_post_image::Column::RemovedAt.is_null())
            .order_by_asc(discussion_post_image::Column::CreatedAt)
            .all(&self.db)
            .await?;
        for r in rows {
            out.entry(r.post_id).or_default().push(PostImageView::of(r));
        }
        Ok(out)
    }
}

async fn live_images(
    db: &impl ConnectionTrait,
    post: Uuid,
) -> Result<Vec<discussion_post_image::Model>> {
    Ok(discussion_post_image::Entity::find()
        .filter(discussion_post_image::Column::PostId.eq(post))
        .filter(discussion_post_image::Column::RemovedAt.is_null())
        .all(db)
        .await?)
}

/// Records a checked image of a post (a removed one comes back).
pub(super) async fn insert_image(
    db: &impl ConnectionTrait,
    post: Uuid,
    c: Checked,
) -> Result<discussion_post_image::Model> {
    discussion_post_image::Entity::delete_by_id((post, c.file.sha256.clone()))
        .exec(db)
        .await?;
    Ok(discussion_post_image::ActiveModel {
        post_id: Set(post),
        sha256: Set(c.file.sha256.clone()),
        ext: Set(c.ext.to_owned()),
        content_type: Set(c.file.content_type.clone()),
        size: Set(c.file.data.len() as i64),
        alt: Set(c.alt),
        width: Set(c.file.width.unwrap_or(0) as i32),
        height: Set(c.file.height.unwrap_or(0) as i32),
        created_at: Set(now()),
        removed_at: Set(None),
    }
    .insert(db)
    .await?)
}

/// A post's images changed: its rendering (keyed by when it was last
/// written) must change too.
async fn touch(db: &impl ConnectionTrait, p: discussion_post::Model) -> Result<()> {
    let mut row = p.into_active_model();
    row.edited_at = Set(Some(now()));
    row.update(db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        image::RgbImage::new(w, h)
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    fn image(name: &str, data: Vec<u8>, alt: &str) -> NewImage {
        NewImage {
            name: name.into(),
            data,
            alt: alt.into(),
        }
    }

    fn field(r: Result<Vec<Checked>>) -> String {
        match r {
            Err(Error::Invalid { field, .. }) => field,
            Err(Error::Conflict { field, .. }) => format!("conflict {field}"),
            Err(e) => format!("{e}"),
            Ok(_) => "ok".into(),
        }
    }

    #[test]
    fn images_are_judged_by_their_content_and_need_words() {
        let ok = check_all(vec![image("Map.PNG", png(40, 20), " A map ")], 0).unwrap();
        assert_eq!((ok[0].ext, ok[0].alt.as_str()), ("png", "A map"));
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec();
        let html = b"<!doctype html><script>alert(1)</script>".to_vec();
        for bad in [
            image("page.png", html, "x"),
            image("d.png", svg.clone(), "x"),
            image("d.svg", svg, "x"),
            image("doc.pdf", b"%PDF-1.4".to_vec(), "x"),
            image("photo.jpg", png(4, 4), "x"),
        ] {
            assert_eq!(field(check_all(vec![bad], 0)), "image");
        }
        let mut big = png(4, 4);
        big.resize(media::MAX_IMAGE_BYTES + 1, 0);
        match check_all(vec![image("big.png", big, "x")], 0) {
            Err(Error::Invalid { field, reason }) => {
                assert_eq!(field, "image");
                assert!(reason.contains("5 MiB"), "{reason}");
            }
            _ => panic!("a big image passed"),
        }
        assert_eq!(
            field(check_all(vec![image("m.png", png(4, 4), " ")], 0)),
            "alt"
        );
        let long = "x".repeat(MAX_ALT_CHARS + 1);
        assert_eq!(
            field(check_all(vec![image("m.png", png(4, 4), &long)], 0)),
            "alt"
        );
        assert_eq!(
            field(check_all(vec![image("m.png", png(4, 4), "x")], MAX_IMAGES)),
            "image"
        );
        let twice = vec![
            image("a.png", png(4, 4), "x"),
            image("b.png", png(4, 4), "y"),
        ];
        assert_eq!(field(check_all(twice, 0)), "conflict image");
    }
}
