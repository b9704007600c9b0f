//! Files sent as they are, each with its own media type. poem-openapi's
//! derive declares one content type per answer, and a `Content-Type`
//! header beside it would leave the document saying
//! `application/octet-stream` for a PDF; this answer lists every media
//! type its operation may send, so a generated client can trust it.

use std::marker::PhantomData;

use poem::{IntoResponse, Response, http::HeaderValue};
use poem_openapi::{
    ApiResponse,
    registry::{
        MetaHeader, MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry,
    },
    types::Type,
};

/// The media types an operation's file may have.
pub trait MediaTypes: Send {
    /// What the answer is, for the document.
    const DESCRIPTION: &'static str;
    const TYPES: &'static [&'static str];
}

/// A file of one of `M`'s media types, with how to save it and whether a
/// cache may keep it.
pub struct Download<M> {
    bytes: Vec<u8>,
    content_type: String,
    disposition: String,
    cache_control: Option<&'static str>,
    kind: PhantomData<M>,
}

impl<M: MediaTypes> Download<M> {
    pub fn new(
        bytes: Vec<u8>,
        content_type: impl Into<String>,
        disposition: String,
        cache_control: Option<&'static str>,
    ) -> Self {
        let content_type = content_type.into();
        debug_assert!(
            M::TYPES.contains(&content_type.as_str()),
            "{content_type} is missing from the document's list"
        );
        Self {
            bytes,
            content_type,
            disposition,
            cache_control,
            kind: PhantomData,
        }
    }
}

impl<M: MediaTypes> IntoResponse for Download<M> {
    fn into_response(self) -> Response {
        let mut resp = self.bytes.into_response();
        let headers = resp.headers_mut();
        for (name, value) in [
            ("content-type", Some(self.content_type.as_str())),
            ("content-disposition", Some(self.disposition.as_str())),
            ("cache-control", self.cache_control),
        ] {
            if let Some(Ok(v)) = value.map(HeaderValue::from_str) {
                headers.insert(name, v);
            }
        }
        resp
    }
}

impl<M: MediaTypes> ApiResponse for Download<M> {
    fn meta() -> MetaResponses {
        let header = |name: &str, description: &str, required: bool| MetaHeader {
            name: name.into(),
            description: Some(description.into()),
            required,
            deprecated: false,
            schema: String::schema_ref(),
        };
        MetaResponses {
            responses: vec![MetaResponse {
                description: M::DESCRIPTION,
                status: Some(200),
                status_range: None,
                content: M::TYPES
                    .iter()
                    .map(|content_type| MetaMediaType {
                        content_type,
                        schema: MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format(
                            "string", "binary",
                        ))),
                    })
                    .collect(),
                headers: vec![
                    header(
                        "Content-Disposition",
                        "`attachment`, with the file's name.",
                        true,
                    ),
                    header("Cache-Control", "Whether a cache may keep the file.", false),
                ],
            }],
        }
    }

    fn register(_registry: &mut Registry) {}
}

/// A lesson's resource file.
pub struct LessonResource;
impl MediaTypes for LessonResource {
    const DESCRIPTION: &'static str = "The resource file, in its own media type.";
    const TYPES: &'static [&'static str] = &agora_core::course_source::RESOURCE_TYPES;
}

/// A file handed in as work.
pub struct HandedIn;
impl MediaTypes for HandedIn {
    const DESCRIPTION: &'static str = "The file, for download, in its own media type.";
    const TYPES: &'static [&'static str] = &agora_core::course_source::WORK_TYPES;
}

/// One file of a course's draft, as the authoring API serves it.
pub struct DraftFile;
impl MediaTypes for DraftFile {
    const DESCRIPTION: &'static str =
        "The file: images and PDFs in their own type, everything else as plain text.";
    const TYPES: &'static [&'static str] = &[
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/webp",
        "application/zip",
        "text/plain; charset=utf-8",
    ];
}

/// A course as a zip in the `courses/` folder format.
pub struct Zip;
impl MediaTypes for Zip {
    const DESCRIPTION: &'static str = "The course as a zip in the `courses/` folder format.";
    const TYPES: &'static [&'static str] = &["application/zip"];
}

/// A certificate as a PDF.
pub struct Pdf;
impl MediaTypes for Pdf {
    const DESCRIPTION: &'static str = "The certificate as a PDF.";
    const TYPES: &'static [&'static str] = &["application/pdf"];
}

/// A baked Open Badge image.
pub struct BadgeImage;
impl MediaTypes for BadgeImage {
    const DESCRIPTION: &'static str = "The badge image with the credential baked in.";
    const TYPES: &'static [&'static str] = &["image/png", "image/svg+xml"];
}

/// An image of a discussion post.
pub struct PostImage;
impl MediaTypes for PostImage {
    const DESCRIPTION: &'static str = "The image, in its own media type (PNG, JPEG or WebP).";
    const TYPES: &'static [&'static str] = &["image/png", "image/jpeg", "image/webp"];
}
