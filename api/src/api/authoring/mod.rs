//! Authoring: drafts in the `courses/` folder format, publication with
//! immutable versions, co-authors, translations and the audit log.
//! Every operation needs an author (of this course) or an administrator.

mod shapes;

use self::shapes::*;
pub(crate) use self::shapes::{Draft, draft};
use crate::api::download::{Download, DraftFile, Zip};
use agora_core::{
    authoring::{self, Authoring},
    domain::{CourseStatus, Locale},
};
use poem::web::Data;
use poem_openapi::{
    OpenApi, Tags,
    param::{Path, Query},
    payload::{Binary, Json},
};
use uuid::Uuid;

use super::{auth::Auth, error::ApiError};
use crate::state::AppState;

#[derive(Tags)]
enum ApiTags {
    /// Writing, translating and publishing courses.
    Authoring,
}

pub struct AuthoringApi;

pub(super) fn service(state: &AppState) -> &Authoring {
    &state.authoring
}

#[OpenApi(tag = "ApiTags::Authoring")]
impl AuthoringApi {
    /// The courses I may edit (every course for an administrator)
    #[oai(
        path = "/authoring/courses",
        method = "get",
        operation_id = "list_authored_courses"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<AuthoredCourse>>, ApiError> {
        let items = service(&state).courses(auth.principal()).await?;
        Ok(Json(
            items
                .into_iter()
                .map(|c| AuthoredCourse {
                    slug: c.slug,
                    title: c.title,
                    status: c.status.to_string(),
                    access: access_name(c.access),
                    revision: c.revision,
                    updated_at: c.updated_at,
                })
                .collect(),
        ))
    }

    /// Start a course: a draft with one module and one lesson, owned by me
    #[oai(
        path = "/authoring/courses",
        method = "post",
        operation_id = "create_course"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<NewCourse>,
    ) -> Result<Created, ApiError> {
        let locale: Locale = body
            .default_locale
            .parse()
            .map_err(|e: String| ApiError::from(agora_core::Error::invalid("default_locale", e)))?;
        let d = service(&state)
            .create(
                auth.principal(),
                &body.slug,
                locale,
                &body.title,
                &body.summary,
            )
            .await?;
        Ok(Created::Created(Json(draft(d))))
    }

    /// A course's draft: files, revision, warnings, authors
    #[oai(
        path = "/authoring/courses/:slug",
        method = "get",
        operation_id = "get_draft"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
    ) -> Result<Json<Draft>, ApiError> {
        Ok(Json(draft(
            service(&state).draft(auth.principal(), &slug).await?,
        )))
    }

    /// One file of the draft, e.g. `path=en/welcome.md`
    #[oai(
        path = "/authoring/courses/:slug/file",
        method = "get",
        operation_id = "get_draft_file"
    )]
    async fn file(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        path: Query<String>,
    ) -> Result<Download<DraftFile>, ApiError> {
        let bytes = service(&state).file(auth.principal(), &slug, &path).await?;
        let name = path.rsplit('/').next().unwrap_or("file").to_owned();
        Ok(Download::new(
            bytes,
            content_type(&path),
            format!("attachment; filename=\"{name}\""),
            Some("private, no-store"),
        ))
    }

    /// Save one file of the draft (the body is the file). The whole course
    /// must still read; problems come back with the file and line at fault
    #[oai(
        path = "/authoring/courses/:slug/file",
        method = "put",
        operation_id = "save_draft_file"
    )]
    async fn save(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        path: Query<String>,
        /// The draft revision this change starts from.
        revision: Query<i64>,
        body: Binary<Vec<u8>>,
    ) -> Result<Json<Draft>, ApiError> {
        let d = service(&state)
            .save(
                auth.principal(),
                &slug,
                revision.0,
                vec![(path.0, Some(body.0))],
            )
            .await?;
        Ok(Json(draft(d)))
    }

    /// Remove one file of the draft
    #[oai(
        path = "/authoring/courses/:slug/file",
        method = "delete",
        operation_id = "delete_draft_file"
    )]
    async fn delete_file(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        path: Query<String>,
        revision: Query<i64>,
    ) -> Result<Json<Draft>, ApiError> {
        let d = service(&state)
            .save(auth.principal(), &slug, revision.0, vec![(path.0, None)])
            .await?;
        Ok(Json(draft(d)))
    }

    /// Render Markdown as learners will see it
    #[oai(
        path = "/authoring/courses/:slug/preview",
        method = "post",
        operation_id = "preview_markdown"
    )]
    async fn preview(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        body: Json<MarkdownText>,
    ) -> Result<Json<Preview>, ApiError> {
        service(&state).access(auth.principal(), &slug).await?;
        Ok(Json(Preview {
            html: authoring::preview(&slug, &body.markdown)?,
        }))
    }

    /// Download the draft as a zip in the `courses/` folder format
    #[oai(
        path = "/authoring/courses/:slug/archive",
        method = "get",
        operation_id = "download_draft"
    )]
    async fn download(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
    ) -> Result<Download<Zip>, ApiError> {
        let bytes = service(&state).download(auth.principal(), &slug).await?;
        Ok(zip_response(&slug, bytes))
    }

    /// Upload a zip in the `courses/` folder format: creates the course it
    /// names, or replaces that course's draft (then `revision` is required)
    #[oai(
        path = "/authoring/archives",
        method = "post",
        operation_id = "upload_course"
    )]
    async fn upload(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        revision: Query<Option<i64>>,
        body: Binary<Vec<u8>>,
    ) -> Result<Json<Draft>, ApiError> {
        let d = service(&state)
            .upload(auth.principal(), &body, revision.0)
            .await?;
        Ok(Json(draft(d)))
    }

    /// Publish the draft as a new version; learners keep their progress
    #[oai(
        path = "/authoring/courses/:slug/versions",
        method = "post",
        operation_id = "publish_course"
    )]
    async fn publish(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
    ) -> Result<Published, ApiError> {
        let v = service(&state).publish(auth.principal(), &slug).await?;
        Ok(Published::Created(Json(Version {
            number: v.number,
            digest: v.digest,
            published_at: v.published_at,
            published_by: v.published_by,
        })))
    }

    /// The published versions, newest first
    #[oai(
        path = "/authoring/courses/:slug/versions",
        method = "get",
        operation_id = "list_versions"
    )]
    async fn versions(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
    ) -> Result<Json<Vec<Version>>, ApiError> {
        let vs = service(&state).versions(auth.principal(), &slug).await?;
        Ok(Json(
            vs.into_iter()
                .map(|v| Version {
                    number: v.number,
                    digest: v.digest,
                    published_at: v.published_at,
                    published_by: v.published_by,
                })
                .collect(),
        ))
    }

    /// A published version's files, as they were published
    #[oai(
        path = "/authoring/courses/:slug/versions/:number/archive",
        method = "get",
        operation_id = "download_version"
    )]
    async fn version_archive(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        number: Path<i32>,
    ) -> Result<Download<Zip>, ApiError> {
        let bytes = service(&state)
            .version_archive(auth.principal(), &slug, number.0)
            .await?;
        Ok(zip_response(&format!("{}-v{}", slug.0, number.0), bytes))
    }

    /// Unpublish (`draft`) or archive a course
    #[oai(
        path = "/authoring/courses/:slug/status",
        method = "put",
        operation_id = "set_course_status"
    )]
    async fn status(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        body: Json<StatusChange>,
    ) -> Result<Json<Draft>, ApiError> {
        let status = match body.status {
            NewStatus::Draft => CourseStatus::Draft,
            NewStatus::Archived => CourseStatus::Archived,
        };
        let d = service(&state)
            .set_status(auth.principal(), &slug, status)
            .await?;
        Ok(Json(draft(d)))
    }

    /// Who changed what and when, newest first
    #[oai(
        path = "/authoring/courses/:slug/audit",
        method = "get",
        operation_id = "course_audit_log"
    )]
    async fn audit(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
    ) -> Result<Json<Vec<AuditRecord>>, ApiError> {
        let log = service(&state).audit_log(auth.principal(), &slug).await?;
        Ok(Json(
            log.into_iter()
                .map(|e| AuditRecord {
                    at: e.at,
                    actor: e.actor,
                    action: e.action,
                    detail: e.detail,
                })
                .collect(),
        ))
    }

    /// Per locale: which texts are missing or older than their source
    #[oai(
        path = "/authoring/courses/:slug/translations",
        method = "get",
        operation_id = "translation_status"
    )]
    async fn translations(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
    ) -> Result<Json<Vec<Translation>>, ApiError> {
        let ts = service(&state)
            .translations(auth.principal(), &slug)
            .await?;
        Ok(Json(
            ts.into_iter()
                .map(|t| Translation {
                    locale: t.locale.to_string(),
                    is_default: t.is_default,
                    items: t
                        .items
                        .into_iter()
                        .map(|i| TranslationItem {
                            path: i.path,
                            source_path: i.source_path,
                            state: i.state.into(),
                        })
                        .collect(),
                })
                .collect(),
        ))
    }

    /// Invite a co-author (an author account) by email; owner or admin only
    #[oai(
        path = "/authoring/courses/:slug/authors",
        method = "post",
        operation_id = "add_course_author"
    )]
    async fn add_author(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        body: Json<NewAuthor>,
    ) -> Result<NoContent, ApiError> {
        service(&state)
            .add_author(auth.principal(), &slug, &body.email)
            .await?;
        Ok(NoContent::Done)
    }

    /// Remove a co-author; owner or admin only
    #[oai(
        path = "/authoring/courses/:slug/authors/:user_id",
        method = "delete",
        operation_id = "remove_course_author"
    )]
    async fn remove_author(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        slug: Path<String>,
        user_id: Path<Uuid>,
    ) -> Result<NoContent, ApiError> {
        service(&state)
            .remove_author(auth.principal(), &slug, user_id.0)
            .await?;
        Ok(NoContent::Done)
    }
}
