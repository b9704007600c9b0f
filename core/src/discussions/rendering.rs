//! Posts' sanitised HTML, and keeping it per post version.

use std::sync::Arc;

use uuid::Uuid;

use super::PostImageView;
use crate::{
    markdown::{self, LinkTarget},
    media::CourseLinks,
};

/// No lessons to link to outside a course.
struct NoLinks;
impl LinkTarget for NoLinks {
    fn lesson(&self, _: &str) -> String {
        String::new()
    }
    fn resource(&self, _: &str) -> String {
        String::new()
    }
}

/// What a post's HTML depends on: the post, the version of its body (when
/// it was last written), whether its author's account was new (links get
/// `rel="nofollow ugc"`) and the course its space belongs to (lesson links).
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(super) struct RenderKey {
    pub post: Uuid,
    pub written_ms: i64,
    pub new_account: bool,
    pub course: Option<String>,
    /// Its images' names.
    pub images: Vec<String>,
}

/// Posts' sanitised HTML, kept in the process: a post's body changes only
/// when it is edited (its key changes then), so rendering and sanitising a
/// thread's Markdown happens once per post version, not once per reader.
pub(super) type RenderedPosts = moka::future::Cache<RenderKey, Arc<str>>;

pub(super) fn rendered_posts() -> RenderedPosts {
    moka::future::Cache::builder()
        .weigher(|_: &RenderKey, html: &Arc<str>| html.len().try_into().unwrap_or(u32::MAX))
        // 32 MB of HTML.
        .max_capacity(32 * 1024 * 1024)
        .build()
}

/// The post's sanitised HTML; `course` names the course space's course;
/// a new account's links are not endorsed (see `approvals`).
pub(super) fn render(
    body: &str,
    course: Option<&str>,
    new_account: bool,
    images: &[PostImageView],
) -> String {
    let uploads: Vec<markdown::Upload> = images.iter().map(PostImageView::upload).collect();
    match course {
        Some(slug) => markdown::render_post(body, &CourseLinks { slug }, new_account, &uploads),
        None => markdown::render_post(body, &NoLinks, new_account, &uploads),
    }
}
