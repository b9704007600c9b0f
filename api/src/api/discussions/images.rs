//! A post's images: attached by its author (PNG, JPEG or WebP, judged by
//! their content, with their text alternative), listed and served to
//! whoever may read the post, removed by its author.

use agora_core::discussions::{NewImage, PostImageView};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
};
use time::OffsetDateTime;

use super::{ApiTags, NoContent, uuid_of};
use crate::{
    api::{
        auth::Auth,
        download::{Download, PostImage},
        error::ApiError,
    },
    state::AppState,
};

pub struct DiscussionImagesApi;

/// An image of a post.
#[derive(Object)]
#[oai(rename = "DiscussionPostImage")]
pub(super) struct Image {
    /// `<sha256>.<ext>`: `![what it shows](upload:<name>)` places it in the
    /// post's text; the images a post does not place show after it.
    name: String,
    /// Where the pages serve it (signed in).
    url: String,
    /// `image/png`, `image/jpeg` or `image/webp`, from the content.
    content_type: String,
    size: i64,
    /// What it shows.
    alt: String,
    width: u32,
    height: u32,
    created_at: OffsetDateTime,
    /// Removed by its author: only moderators see these.
    removed: bool,
}

impl From<PostImageView> for Image {
    fn from(i: PostImageView) -> Self {
        Image {
            name: i.name,
            url: i.url,
            content_type: i.content_type,
            size: i.size,
            alt: i.alt,
            width: i.width,
            height: i.height,
            created_at: i.created_at,
            removed: i.removed,
        }
    }
}

#[OpenApi(tag = "ApiTags::Discussions")]
impl DiscussionImagesApi {
    /// Attach an image to your post (PNG, JPEG or WebP, at most 5 MiB, at most 6 a post)
    #[oai(
        path = "/discussions/posts/:post/images",
        method = "post",
        operation_id = "add_discussion_post_image"
    )]
    async fn add(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        post: Path<String>,
        /// The file's name, such as `map.png`; its content decides its type.
        name: Query<String>,
        /// What the image shows (required, up to 300 characters).
        alt: Query<Option<String>>,
        body: Binary<Vec<u8>>,
    ) -> Result<Json<Image>, ApiError> {
        let id = uuid_of(&post, "post")?;
        let image = state
            .discussions
            .add_image(
                Some(auth.principal()),
                id,
                NewImage {
                    name: name.0,
                    data: body.0,
                    alt: alt.0.unwrap_or_default(),
                },
            )
            .await?;
        Ok(Json(image.into()))
    }

    /// A post's images (moderators also see those its author removed)
    #[oai(
        path = "/discussions/posts/:post/images",
        method = "get",
        operation_id = "list_discussion_post_images"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        post: Path<String>,
    ) -> Result<Json<Vec<Image>>, ApiError> {
        let id = uuid_of(&post, "post")?;
        let list = state
            .discussions
            .post_images(Some(auth.principal()), id)
            .await?;
        Ok(Json(list.into_iter().map(Image::from).collect()))
    }

    /// One image of a post, for whoever may read the post
    #[oai(
        path = "/discussions/posts/:post/images/:name",
        method = "get",
        operation_id = "discussion_post_image"
    )]
    async fn image(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        post: Path<String>,
        name: Path<String>,
    ) -> Result<Download<PostImage>, ApiError> {
        let id = uuid_of(&post, "post")?;
        let (image, bytes) = state
            .discussions
            .post_image(Some(auth.principal()), id, &name)
            .await?;
        Ok(Download::new(
            bytes,
            image.content_type,
            "inline".into(),
            Some("private, max-age=31536000, immutable"),
        ))
    }

    /// Remove an image from your post (its moderators still see it)
    #[oai(
        path = "/discussions/posts/:post/images/:name",
        method = "delete",
        operation_id = "remove_discussion_post_image"
    )]
    async fn remove(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        post: Path<String>,
        name: Path<String>,
    ) -> Result<NoContent, ApiError> {
        let id = uuid_of(&post, "post")?;
        state
            .discussions
            .remove_image(Some(auth.principal()), id, &name)
            .await?;
        Ok(NoContent::Done)
    }
}
