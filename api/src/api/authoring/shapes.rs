//! What the authoring API reads and answers, and how core's drafts map onto it.

use crate::api::download::{Download, Zip};
use agora_core::authoring::{self, Access};
use poem_openapi::{ApiResponse, Enum, Object, payload::Json};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Object)]
pub(super) struct AuthoredCourse {
    pub(super) slug: String,
    pub(super) title: String,
    /// `draft` (not listed), `published` or `archived`.
    pub(super) status: String,
    /// `owner`, `coauthor` or `admin`.
    pub(super) access: String,
    pub(super) revision: i64,
    pub(super) updated_at: OffsetDateTime,
}

#[derive(Object)]
pub(super) struct DraftFile {
    pub(super) path: String,
    pub(super) size: u64,
    pub(super) sha256: String,
    pub(super) updated_at: OffsetDateTime,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub(super) struct SourceProblem {
    pub(super) file: String,
    pub(super) line: Option<u32>,
    pub(super) message: String,
}

#[derive(Object)]
pub(super) struct Author {
    pub(super) user_id: Uuid,
    pub(super) email: String,
    pub(super) display_name: String,
    /// `owner` or `coauthor`.
    pub(super) role: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub(crate) struct Draft {
    pub(super) slug: String,
    pub(super) title: String,
    pub(super) status: String,
    pub(super) access: String,
    /// Send it back with every change: a change based on an older revision is a 409.
    pub(super) revision: i64,
    pub(super) updated_at: OffsetDateTime,
    /// The draft differs from what learners see.
    pub(super) unpublished_changes: bool,
    pub(super) latest_version: Option<i32>,
    pub(super) files: Vec<DraftFile>,
    /// Missing translations and the like; learners see the default locale meanwhile.
    pub(super) warnings: Vec<SourceProblem>,
    pub(super) authors: Vec<Author>,
}

#[derive(Object)]
pub(super) struct NewCourse {
    #[oai(validator(min_length = 3, max_length = 80))]
    pub(super) slug: String,
    /// `en`, `fr` or `es`.
    pub(super) default_locale: String,
    #[oai(validator(max_length = 200))]
    pub(super) title: String,
    #[oai(validator(max_length = 300))]
    pub(super) summary: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub(super) struct Version {
    pub(super) number: i32,
    pub(super) digest: String,
    pub(super) published_at: OffsetDateTime,
    /// The email of who published it.
    pub(super) published_by: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub(super) struct AuditRecord {
    pub(super) at: OffsetDateTime,
    pub(super) actor: Option<String>,
    pub(super) action: String,
    pub(super) detail: serde_json::Value,
}

#[derive(Object)]
pub(super) struct TranslationItem {
    pub(super) path: String,
    pub(super) source_path: String,
    /// `missing`, `outdated` (older than its source) or `current`.
    pub(super) state: String,
}

#[derive(Object)]
pub(super) struct Translation {
    pub(super) locale: String,
    pub(super) is_default: bool,
    pub(super) items: Vec<TranslationItem>,
}

#[derive(Object)]
pub(super) struct MarkdownText {
    #[oai(validator(max_length = 524288))]
    pub(super) markdown: String,
}

#[derive(Object)]
pub(super) struct Preview {
    /// Sanitised HTML, as learners will see it.
    pub(super) html: String,
}

#[derive(Enum, PartialEq, Eq, Clone, Copy)]
#[oai(rename_all = "lowercase")]
pub(super) enum NewStatus {
    /// Out of the catalogue; the draft stays.
    Draft,
    /// Retired.
    Archived,
}

#[derive(Object)]
pub(super) struct StatusChange {
    pub(super) status: NewStatus,
}

#[derive(Object)]
pub(super) struct NewAuthor {
    #[oai(validator(max_length = 320))]
    pub(super) email: String,
}

#[derive(ApiResponse)]
pub(super) enum Created {
    #[oai(status = 201)]
    Created(Json<Draft>),
}

#[derive(ApiResponse)]
pub(super) enum Published {
    /// A new version; learners see it now.
    #[oai(status = 201)]
    Created(Json<Version>),
}

#[derive(ApiResponse)]
pub(super) enum NoContent {
    #[oai(status = 204)]
    Done,
}

pub(super) fn access_name(a: Access) -> String {
    a.as_str().into()
}

pub(crate) fn draft(d: authoring::DraftInfo) -> Draft {
    Draft {
        slug: d.slug,
        title: d.title,
        status: d.status.to_string(),
        access: access_name(d.access),
        revision: d.revision,
        updated_at: d.updated_at,
        unpublished_changes: d.unpublished_changes,
        latest_version: d.latest_version,
        files: d
            .files
            .into_iter()
            .map(|f| DraftFile {
                path: f.path,
                size: f.size,
                sha256: f.sha256,
                updated_at: f.updated_at,
            })
            .collect(),
        warnings: d
            .warnings
            .into_iter()
            .map(|p| SourceProblem {
                file: p.file.display().to_string(),
                line: p.line.map(|l| l as u32),
                message: p.message,
            })
            .collect(),
        authors: d
            .authors
            .into_iter()
            .map(|a| Author {
                user_id: a.user_id,
                email: a.email,
                display_name: a.display_name,
                role: a.role.as_str().into(),
            })
            .collect(),
    }
}

pub(super) fn zip_response(name: &str, bytes: Vec<u8>) -> Download<Zip> {
    Download::new(
        bytes,
        "application/zip",
        format!("attachment; filename=\"{name}.zip\""),
        Some("private, no-store"),
    )
}

/// Files are served for download, never rendered: authored content is
/// sanitised when learners see it, not here.
pub(super) fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, e)| e) {
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("zip") => "application/zip",
        _ => "text/plain; charset=utf-8",
    }
}
