//! The one JSON error shape (of the API and of any request no handler
//! answered), the mapping from core errors, and whether a failure should
//! be a page instead.

use poem::{Request, Response, http::StatusCode};
use poem_openapi::{ApiResponse, Object, payload::Json};

/// Every error the API answers: a stable machine `code`, a human `message`,
/// and the `field` at fault where there is one.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `not_found`, `invalid_parameter`.
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
    /// The parameter or field at fault, when there is one.
    #[oai(skip_serializing_if_is_none)]
    pub field: Option<String>,
}

impl ErrorBody {
    pub fn new(code: &str, message: impl Into<String>, field: Option<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            field,
        }
    }
}

#[derive(Debug, ApiResponse)]
#[oai(bad_request_handler = "bad_request")]
pub enum ApiError {
    /// The request is malformed: a parameter of the wrong type or out of range.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// Sign in first: the token is missing, wrong, expired or revoked.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// Signed in, but not allowed to do this.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// Nothing exists at this address.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The request conflicts with the current state.
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The request is well-formed but its content is invalid.
    #[oai(status = 422)]
    Unprocessable(Json<ErrorBody>),
    /// The body is larger than this operation accepts.
    #[oai(status = 413)]
    PayloadTooLarge(Json<ErrorBody>),
    /// The body is not in the content type this operation declares.
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorBody>),
    /// Too many attempts; wait `Retry-After` seconds.
    #[oai(status = 429)]
    TooManyRequests(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
    /// Something failed on our side; the request id in the logs tells which.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
    /// A backend is unavailable; try again later.
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>),
}

impl ApiError {
    pub fn bad_param(field: &str, message: impl Into<String>) -> Self {
        ApiError::BadRequest(Json(ErrorBody::new(
            "invalid_parameter",
            message,
            Some(field.into()),
        )))
    }
}

/// poem-openapi's own parse failures (a `page=abc`, a missing parameter).
fn bad_request(err: poem::Error) -> ApiError {
    let field = err
        .downcast_ref::<poem_openapi::error::ParseParamError>()
        .map(|e| e.name.to_string());
    let message = match &field {
        Some(name) => format!("parameter `{name}` is invalid"),
        None => "the request is malformed".to_string(),
    };
    ApiError::BadRequest(Json(ErrorBody::new("invalid_parameter", message, field)))
}

impl From<agora_core::Error> for ApiError {
    fn from(e: agora_core::Error) -> Self {
        use agora_core::Error as E;
        match e {
            E::NotFound { what } => ApiError::NotFound(Json(ErrorBody::new(
                "not_found",
                format!("{what} not found"),
                None,
            ))),
            E::Invalid { field, reason } => {
                ApiError::Unprocessable(Json(ErrorBody::new("invalid", reason, Some(field))))
            }
            E::BadParameter { field, reason } => ApiError::bad_param(&field, reason),
            E::Conflict { field, reason } => {
                ApiError::Conflict(Json(ErrorBody::new("conflict", reason, Some(field))))
            }
            E::Unauthorized { reason } => {
                ApiError::Unauthorized(Json(ErrorBody::new("unauthorized", reason, None)))
            }
            E::Forbidden { reason } => {
                ApiError::Forbidden(Json(ErrorBody::new("forbidden", reason, None)))
            }
            E::RateLimited { retry_after_secs } => ApiError::TooManyRequests(
                Json(ErrorBody::new(
                    "rate_limited",
                    format!("too many attempts; try again in {retry_after_secs} seconds"),
                    None,
                )),
                retry_after_secs,
            ),
            E::Unavailable { what } => ApiError::Unavailable(Json(ErrorBody::new(
                "unavailable",
                format!("{what} is unavailable, try again shortly"),
                None,
            ))),
            E::Backend { what, ref detail } => {
                tracing::warn!(backend = what, error = %detail, "backend failed");
                ApiError::Unavailable(Json(ErrorBody::new(
                    "unavailable",
                    format!("the {what} is unavailable, try again shortly"),
                    None,
                )))
            }
            E::Database(ref cause) => {
                tracing::error!(error = %cause, "database error");
                internal()
            }
            E::Internal(ref cause) => {
                tracing::error!(error = %cause, "internal error");
                internal()
            }
        }
    }
}

fn internal() -> ApiError {
    ApiError::Internal(Json(ErrorBody::new(
        "internal",
        "something went wrong on our side",
        None,
    )))
}

/// `body` as a JSON answer with `status`, outside the OpenAPI types.
pub fn json_error(status: StatusCode, body: ErrorBody) -> Response {
    // As the API's own answers: `field` is there only when there is one.
    let mut json = serde_json::json!({ "code": body.code, "message": body.message });
    if let Some(field) = body.field {
        json["field"] = field.into();
    }
    Response::builder()
        .status(status)
        .content_type("application/json; charset=utf-8")
        .body(json.to_string())
}

/// Whether an answer to this request should be a page rather than JSON.
pub fn wants_html(req: &Request) -> bool {
    let path = req.uri().path();
    !path.starts_with("/api/")
        && path != "/health"
        && path != "/ready"
        && req
            .header("accept")
            .is_some_and(|a| a.contains("text/html"))
}
