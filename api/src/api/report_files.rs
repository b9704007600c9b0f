//! What the course, organisation and network reports' handlers share: the
//! CSV file response, the table named by `file`, and the slug check.

use poem_openapi::{
    ApiResponse,
    payload::{Json, PlainText},
};

use super::error::{ApiError, ErrorBody};

#[derive(ApiResponse)]
pub(super) enum CsvFile {
    /// The table as CSV (RFC 4180), a header row first.
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    File(
        PlainText<String>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

/// `body` as an attachment named `{name}.csv`.
pub(super) fn csv_file(name: &str, body: String) -> CsvFile {
    CsvFile::File(
        PlainText(body),
        format!("attachment; filename=\"{name}.csv\""),
    )
}

/// The table `file` (`name.csv`) names, or a 404 on `file` listing `names`.
pub(super) fn table<T>(
    file: &str,
    parse: impl Fn(&str) -> Option<T>,
    names: &str,
) -> Result<T, ApiError> {
    file.strip_suffix(".csv").and_then(parse).ok_or_else(|| {
        ApiError::NotFound(Json(ErrorBody::new(
            "not_found",
            format!("no such report table: ask for {names}"),
            Some("file".into()),
        )))
    })
}

/// A slug that cannot name anything is a 404 on `what`, never a 422.
pub(super) fn check_slug(slug: &str, what: &'static str) -> Result<(), ApiError> {
    agora_core::domain::Slug::parse(slug)
        .map(drop)
        .map_err(|_| agora_core::Error::NotFound { what }.into())
}
