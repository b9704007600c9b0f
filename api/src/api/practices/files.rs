//! A practice's files: PDF attachments and images with their text
//! alternative, judged by their content.

use poem::web::Data;
use poem_openapi::{
    OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
};

use super::{ApiTags, Record};
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct PracticeFilesApi;

#[OpenApi(tag = "ApiTags::Practices")]
impl PracticeFilesApi {
    /// Attach a PDF or an image to a practice (its authors, before it is published)
    #[oai(
        path = "/practices/:slug/files",
        method = "post",
        operation_id = "add_practice_file"
    )]
    async fn add(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        /// The file's name, such as `flood-plan.pdf`; its content decides its type.
        name: Query<String>,
        /// For an image: what it shows (required, up to 300 characters).
        alt: Query<Option<String>>,
        body: Binary<Vec<u8>>,
    ) -> Result<Json<Record>, ApiError> {
        let r = state
            .practices
            .add_file(
                Some(auth.principal()),
                &slug,
                &name,
                body.0,
                alt.0.as_deref().unwrap_or_default(),
            )
            .await?;
        Ok(Json(r.into()))
    }

    /// Remove a file from a practice (its authors, before it is published)
    #[oai(
        path = "/practices/:slug/files/:sha256",
        method = "delete",
        operation_id = "remove_practice_file"
    )]
    async fn remove(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        sha256: Path<String>,
    ) -> Result<Json<Record>, ApiError> {
        let r = state
            .practices
            .remove_file(Some(auth.principal()), &slug, &sha256)
            .await?;
        Ok(Json(r.into()))
    }
}
