//! A draft's media (images, PDFs, captions) and its cover image. Every
//! change is a revision-checked save of the draft; files are judged by their
//! content, never their name.

use std::collections::BTreeMap;

use agora_core::{
    authoring::{Authoring, DraftMedia},
    domain::Locale,
};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi, Tags,
    param::{Path, Query},
    payload::{Binary, Json},
};

use super::{auth::Auth, error::ApiError};
use crate::state::AppState;

#[derive(Tags)]
enum ApiTags {
    /// Writing, translating and publishing courses.
    Authoring,
}

pub struct MediaApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct MediaItem {
    /// The file name in the course's `media/` folder.
    name: String,
    /// Sniffed from the content: `image/png`, `image/jpeg`, `image/webp`,
    /// `application/pdf` or `text/vtt; charset=utf-8`.
    content_type: String,
    size: u64,
    /// Images only, in pixels.
    width: Option<u32>,
    height: Option<u32>,
    is_cover: bool,
    /// What to paste into a lesson: `![…](media:name.png)` for an image.
    markdown: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct DraftMediaList {
    /// The draft revision: send it back with the next change.
    revision: i64,
    items: Vec<MediaItem>,
    /// The cover image, a file of `media/`.
    cover: Option<String>,
    /// The cover's text alternative per locale (`en`, `fr`, `es`).
    cover_alt: BTreeMap<String, String>,
}

#[derive(Object)]
struct MediaSaved {
    /// The name the file was saved under (lowercase, safe characters).
    name: String,
    markdown: String,
    revision: i64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct CoverChange {
    /// The draft revision this change starts from.
    revision: i64,
    /// An image of `media/`, or absent to remove the cover.
    file: Option<String>,
    /// Text alternative per locale; the default locale's is required.
    #[oai(default)]
    alt: BTreeMap<String, String>,
}

fn service(state: &AppState) -> &Authoring {
    &state.authoring
}

fn list(m: DraftMedia) -> DraftMediaList {
    DraftMediaList {
        revision: m.revision,
        items: m
            .items
            .iter()
            .map(|i| MediaItem {
                markdown: i.snippet(),
                name: i.name.clone(),
                content_type: i.content_type.clone(),
                size: i.size,
                width: i.width,
                height: i.height,
                is_cover: i.is_cover,
            })
            .collect(),
        cover: m.cover,
        cover_alt: m
            .cover_alt
            .into_iter()
            .map(|(l, a)| (l.to_string(), a))
            .collect(),
    }
}

#[OpenApi(tag = "ApiTags::Authoring")]
impl MediaApi {
    /// The draft's media files and its cover
    #[oai(
        path = "/authoring/courses/:slug/media",
        method = "get",
        operation_id = "list_draft_media"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
    ) -> Result<Json<DraftMediaList>, ApiError> {
        let m = service(&state).draft_media(auth.principal(), &slug).await?;
        Ok(Json(list(m)))
    }

    /// Add or replace a media file (the body is the file): a PNG, JPEG or
    /// WebP image up to 5 MiB, a PDF or WebVTT captions up to 10 MiB. The
    /// content decides, and must agree with the name's extension; the name
    /// is made lowercase and safe
    #[oai(
        path = "/authoring/courses/:slug/media/:name",
        method = "put",
        operation_id = "save_draft_media"
    )]
    async fn save(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        name: Path<String>,
        /// The draft revision this change starts from.
        revision: Query<i64>,
        body: Binary<Vec<u8>>,
    ) -> Result<Json<MediaSaved>, ApiError> {
        let s = service(&state);
        let (name, d) = s
            .upload_media(auth.principal(), &slug, revision.0, &name, body.0)
            .await?;
        let is_image = !name.ends_with(".pdf") && !name.ends_with(".vtt");
        Ok(Json(MediaSaved {
            markdown: if is_image {
                format!("![](media:{name})")
            } else {
                format!("[{name}](media:{name})")
            },
            name,
            revision: d.revision,
        }))
    }

    /// Remove a media file; refused while a text or the cover uses it
    #[oai(
        path = "/authoring/courses/:slug/media/:name",
        method = "delete",
        operation_id = "delete_draft_media"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        name: Path<String>,
        revision: Query<i64>,
    ) -> Result<Json<DraftMediaList>, ApiError> {
        let s = service(&state);
        s.delete_media(auth.principal(), &slug, revision.0, &name)
            .await?;
        Ok(Json(list(s.draft_media(auth.principal(), &slug).await?)))
    }

    /// Set the cover image (with its text alternative per locale), or remove it
    #[oai(
        path = "/authoring/courses/:slug/cover",
        method = "put",
        operation_id = "set_course_cover"
    )]
    async fn cover(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        body: Json<CoverChange>,
    ) -> Result<Json<DraftMediaList>, ApiError> {
        let mut alts = BTreeMap::new();
        for (l, a) in &body.alt {
            let locale: Locale = l.parse().map_err(|e: String| {
                ApiError::from(agora_core::Error::invalid(format!("alt.{l}"), e))
            })?;
            alts.insert(locale, a.clone());
        }
        let s = service(&state);
        s.set_cover(
            auth.principal(),
            &slug,
            body.revision,
            body.file.as_deref(),
            &alts,
        )
        .await?;
        Ok(Json(list(s.draft_media(auth.principal(), &slug).await?)))
    }
}
